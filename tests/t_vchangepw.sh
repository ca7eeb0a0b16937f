#!/bin/bash
# t_vchangepw.sh - vchangepw: the dialogue, every message and exit status,
# the password change, and the syslog lines (spec storage-and-admin.md §8.7).
# Without a terminal the old password is read from stdin (prompt on
# stderr), like getpass(3); the three answers come one per line.
. "$(dirname "$0")/lib.sh"
require_bins vchangepw vadddomain vadduser vmoduser

P='Please enter the email address: '
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vadduser zed@example.com Passw0rd
DD=$D/example.com

# syslog capture: a preloaded shim writes "ident|facility|level|message"
# lines to $VCH_SYSLOG (skipped without a compiler or under a checker).
SHIM=
if [ -z "${VP_TEST_WRAPPER:-}" ] && command -v "${CC:-cc}" >/dev/null 2>&1; then
	cat > "$T0/shim.c" <<'CEOF'
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *id = "";
static int fac;
void openlog(const char *ident, int opt, int facility) { (void)opt; id = ident ? ident : ""; fac = facility; }
void closelog(void) { }
static void out(int pri, const char *fmt, va_list ap)
{
	const char *p = getenv("VCH_SYSLOG");
	FILE *f = p ? fopen(p, "a") : NULL;
	if (!f) return;
	fprintf(f, "%s|%d|%d|", id, fac | (pri & ~7), pri & 7);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fclose(f);
}
void vsyslog(int pri, const char *fmt, va_list ap) { out(pri, fmt, ap); }
void syslog(int pri, const char *fmt, ...) { va_list ap; va_start(ap, fmt); out(pri, fmt, ap); va_end(ap); }
void __vsyslog_chk(int pri, int fl, const char *fmt, va_list ap) { (void)fl; out(pri, fmt, ap); }
void __syslog_chk(int pri, int fl, const char *fmt, ...) { va_list ap; (void)fl; va_start(ap, fmt); out(pri, fmt, ap); va_end(ap); }
CEOF
	if "${CC:-cc}" -shared -fPIC -o "$T0/shim.so" "$T0/shim.c" 2>/dev/null; then
		SHIM=$T0/shim.so
		# An AddressSanitizer build wants its runtime first in the
		# library list; the shim only replaces syslog, so let it be.
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
		export LD_PRELOAD=$SHIM VCH_SYSLOG=$SB/syslog ASAN_OPTIONS
	fi
fi
# LOG_AUTH = 32; LOG_NOTICE = 5, LOG_DEBUG = 7
syslog_is() {	# syslog_is LINE DESC: the only line logged since the last call
	if [ -n "$SHIM" ]; then
		file_is "$SB/syslog" "$1"$'\n' "$2"
	else
		skip "$2 (no syslog shim)"
	fi
	rm -f "$SB/syslog"
}
syslog_none() {
	if [ -n "$SHIM" ]; then file_absent "$SB/syslog" "$1"; else skip "$1 (no syslog shim)"; fi
	rm -f "$SB/syslog"
}

snap=$(snapshot)
nochange() { unchanged "$snap" "$1: no file changed"; }

# ------------------------------------------------------------ the address
run vchangepw
is_rc 0 "no input: exit 0"
is_out_raw "$P"$'\n\n' "no input: prompt and two newlines"
is_err "" "no input: nothing on stderr"
syslog_none "no input: nothing logged"

run_in 'bob@example.com' vchangepw
is_rc 3 "address without a newline: exit 3"
is_out_raw "$P"$'\nError: email address too long\n' "no newline: too long"
nochange "address without a newline"

long=$(printf 'a%.0s' $(seq 299))
run_in "$long"$'\nPassw0rd\n' vchangepw
is_rc 3 "299-byte address line: exit 3"
is_out_raw "$P"$'\nError: email address too long\n' "299 bytes: too long"
run_in "${long:0:298}"$'\nx\n' vchangepw
is_rc 3 "298 bytes + newline fit (then authentication fails): exit 3"
is_out_raw "$P${long:0:298}"$'\nError: authentication failed!\n' "298 bytes: echoed, then authentication failed"
syslog_is "vchangepw|32|5|Domain of address <${long:0:156}> does not exist" "298 bytes: logged as unknown domain (the address is cut at 156 when lower-cased)"

run_in $'bad user@example.com\n' vchangepw
is_rc 255 "invalid address: exit 255"
is_out_raw "$P"$'bad user@example.com\nError: Illegal username\n' "invalid address: echo and Illegal username"
is_err "user invalid bad user" "invalid address: stderr"
syslog_none "invalid address: nothing logged"
nochange "invalid address"

# ------------------------------------------------------------ the old password
run_in $'nobody@example.com\nPassw0rd\n' vchangepw
is_rc 3 "unknown user: exit 3"
is_out_raw "$P"$'nobody@example.com\nError: authentication failed!\n' "unknown user: authentication failed"
is_err_raw "Enter old password: " "unknown user: old-password prompt on stderr"
syslog_is "vchangepw|32|5|Domain of address <nobody@example.com> does not exist" "unknown user: NOTICE"
run_in $'bob@nowhere.com\nPassw0rd\n' vchangepw
is_rc 3 "unknown domain: exit 3"
is_out_raw "$P"$'bob@nowhere.com\nError: authentication failed!\n' "unknown domain: authentication failed"
syslog_is "vchangepw|32|5|Domain of address <bob@nowhere.com> does not exist" "unknown domain: NOTICE"
run_in $'Bob@Example.com\nWrong123\n' vchangepw
is_rc 3 "wrong password: exit 3"
is_out_raw "$P"$'Bob@Example.com\nError: authentication failed!\n' "wrong password: echo as typed, authentication failed"
syslog_is "vchangepw|32|5|Wrong password for user <bob@example.com>" "wrong password: NOTICE, address lower-cased"
run_in $'bob@example.com\n' vchangepw
is_rc 3 "no old password (end of input): exit 3"
is_out_raw "$P"$'bob@example.com\nError: authentication failed!\n' "end of input: authentication failed"
syslog_is "vchangepw|32|5|Wrong password for user <bob@example.com>" "end of input: NOTICE"
run_in "bob@example.com"$'\n'"$(printf 'p%.0s' $(seq 128))"$'\n' vchangepw
is_rc 3 "128-byte old password: exit 3"
is_out_raw "$P"$'bob@example.com\nError: password too long.\n' "128 bytes: password too long."
syslog_is "vchangepw|32|5|Too long password for user <bob@example.com>" "too long: NOTICE"
run_in "bob@example.com"$'\n'"$(printf 'p%.0s' $(seq 127))"$'\n' vchangepw
is_rc 3 "127-byte old password is read (and is wrong): exit 3"
is_out_raw "$P"$'bob@example.com\nError: authentication failed!\n' "127 bytes: authentication failed"
rm -f "$SB/syslog"
nochange "failed dialogues"

# ------------------------------------------------------------ success
old=$(vpw_field "$DD" bob 2)
run_in $'BOB@example.com\nPassw0rd\nNew12345\nNew12345\n' vchangepw
is_rc 0 "change: exit 0"
is_out_raw "$P"$'BOB@example.com\nPassword successfully changed.\n' "change: message"
is_err_raw "Enter old password: Please enter password for bob@example.com: enter password again: " \
	"change: prompts on stderr, address lower-cased"
new=$(vpw_field "$DD" bob 2)
ok_cmd "change: new hash verifies" crypt_ok New12345 "$new"
isnt "${new:3:8}" "${old:3:8}" "change: new salt"
[ "$CLEAR" = 1 ] && is "$(vpw_field "$DD" bob 8)" New12345 "change: clear field"
ok_cmd "change: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
syslog_is "vchangepw|32|7|User <bob@example.com> changed password" "change: DEBUG"
is "$(vpw_field "$DD" zed 2)" "$(vpw_field "$DD" zed 2)" "(zed untouched)"

run_in $'bob@example.com\nNew12345\none1\ntwo2\nNewer123\nNewer123\n' vchangepw
is_rc 0 "mismatch then match: exit 0"
is_out_raw "$P"$'bob@example.com\nPasswords do not match, try again\nPassword successfully changed.\n' "mismatch: message, then success"
ok_cmd "mismatch: second pair stored" crypt_ok Newer123 "$(vpw_field "$DD" bob 2)"
rm -f "$SB/syslog"

# ------------------------------------------------------------ refused new password
snap=$(snapshot)
run_in $'bob@example.com\nNewer123\n' vchangepw
is_rc 186 "empty new password: exit 186"
is_out_raw "$P"$'bob@example.com\nError: password requires more characters \n' "empty new password: strength error, no policy block"
syslog_is "vchangepw|32|5|Error changing users password! User <bob@example.com>, message: password requires more characters " \
	"refused new password: NOTICE with the message"
nochange "empty new password"
setup vmoduser -d bob@example.com
snap=$(snapshot)
run_in $'bob@example.com\nNewer123\nAbc12345\nAbc12345\n' vchangepw
is_rc 255 "NO_PASSWD_CHNG: exit 255"
is_out_raw "$P"$'bob@example.com\nError: Illegal username\n' "NO_PASSWD_CHNG: Illegal username"
syslog_is "vchangepw|32|5|Error changing users password! User <bob@example.com>, message: Illegal username" \
	"NO_PASSWD_CHNG: NOTICE"
nochange "NO_PASSWD_CHNG"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ on a terminal
# With a controlling terminal the old password is read from /dev/tty with
# echo off; the Enter key is echoed as a newline.
if [ -z "${VP_TEST_WRAPPER:-}" ] && "$PYTHON" -c 'import pty' 2>/dev/null; then
	setup vmoduser -x bob@example.com
	cat > "$T0/vch_term.py" <<'PYEOF'
import os, pty, sys, time
exe = sys.argv[1]
answers = [(b"Please enter the email address: ", b"bob@example.com\n"),
           (b"Enter old password: ", b"Newer123\n"),
           (b"Please enter password for bob@example.com: ", b"Tty12345\n"),
           (b"enter password again: ", b"Tty12345\n")]
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe])
buf = b""
deadline = time.time() + 30
def read_until(marker):
    global buf
    while marker not in buf and time.time() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            return False
        if not chunk:
            return False
        buf += chunk
    return marker in buf
for prompt, answer in answers:
    if not read_until(prompt):
        break
    pos = buf.index(prompt) + len(prompt)
    sys.stdout.buffer.write(buf[:pos].replace(b"\r", b""))
    buf = buf[pos:]
    os.write(fd, answer)
read_until(b"\0")   # to the end
sys.stdout.buffer.write(buf.replace(b"\r", b""))
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 100)
PYEOF
	"$PYTHON" "$T0/vch_term.py" "$top_builddir/vchangepw" > "$T0/tty.out" 2>&1; RC=$?
	is_rc 0 "terminal: exit 0"
	file_is "$T0/tty.out" "Please enter the email address: bob@example.com
bob@example.com
Enter old password: 
Please enter password for bob@example.com: 
enter password again: 
Password successfully changed.
" "terminal: typed address echoed, passwords hidden, Enter echoed as newline"
	ok_cmd "terminal: new password stored" crypt_ok Tty12345 "$(vpw_field "$DD" bob 2)"
	rm -f "$SB/syslog"
else
	skip "terminal test needs python3 pty"
	skip "terminal test needs python3 pty"
	skip "terminal test needs python3 pty"
fi

done_testing
