#!/bin/bash
# t_vpopmaild_bounds.sh - what a vpopmaild client cannot stretch: the
# timeout bounds a whole line, so input sent a byte at a time cannot hold
# a daemon (before login, inside an overlong line, after login) while an
# idle or paced client is timed as before; write_file stores at most
# 1 MiB below system admin and in any .qmail file, and refuses more with
# nothing left behind.
. "$(dirname "$0")/lib.sh"
require_bins vpopmaild vadddomain vadduser vmoduser

sandbox_new
setup vadddomain example.com Secret123 || exit 1
setup vadduser admin@example.com Adm1nPass
make_sa_admin "$D/example.com" admin
setup vadduser bob@example.com Bobpass1
DD=$D/example.com
BD=$DD/bob
SA='slogin admin@example.com Adm1nPass'
QA='slogin postmaster@example.com Secret123'
U='slogin bob@example.com Bobpass1'

# ------------------------------------------------------------ slow input
# slow STEPS TIMEOUT: vpopmaild -t TIMEOUT fed by tests/vpopmaild_slow.py;
# OUT its output, RC its exit status, SECS the seconds from the greeting
# to its end.
slow() {
	# shellcheck disable=SC2086
	"$PYTHON" "$top_srcdir/tests/vpopmaild_slow.py" "$1" \
		${VP_TEST_WRAPPER:-} "$(bin_path vpopmaild)" -t "$2" > "$T0/slow.out" 2> "$T0/slow.err"
	OUT=$(cat "$T0/slow.out"; printf x); OUT=${OUT%x}
	RC=$(sed -n 's/^rc //p' "$T0/slow.err")
	SECS=$(sed -n 's/^seconds //p' "$T0/slow.err")
}
# secs_between LOW HIGH DESC
secs_between() {
	if awk -v s="$SECS" -v l="$1" -v h="$2" 'BEGIN { exit !(s >= l && s < h) }'; then
		pass "$3"
	else
		fail "$3"
		diag "took ${SECS:-?} s, want [$1, $2)"
	fi
}
XS=xxxxxxxxxxxxxxxxxxxxxxxxxxxx   # 28 bytes: 7 s at one byte per 0.25 s

slow '[["greet"], ["dribble", 0.25, "'"$XS"'"]]' 1
is "$OUT" $'+OK \r\n-ERR 3.103 Read Timeout\r\n' "a byte every 0.25 s before login: Read Timeout"
is "$RC" 255 "... exit 255"
secs_between 0.9 3 "... after the timeout of 1 s, not when the client stops"

X1100=$(printf 'x%.0s' $(seq 1100))
slow '[["greet"], ["send", "'"$X1100"'"], ["dribble", 0.25, "'"$XS"'"]]' 1
is "$OUT" $'+OK \r\n-ERR 3.103 Read Timeout\r\n' "an overlong line, then a byte every 0.25 s: Read Timeout"
secs_between 0.9 3 "... the skipped rest of the line has the same deadline"

slow '[["greet"], ["send", "'"$U"'\r\n"], ["reply"], ["dribble", 0.25, "rm_file '"$XS"'"]]' 1
is "$OUT" $'+OK \r\n+OK \r\n-ERR 3.106 Read Timeout\r\n' "a byte every 0.25 s after login: Read Timeout"
is "$RC" 255 "... exit 255"
secs_between 0.9 3 "... after 1 s"

slow '[["greet"], ["send", "'"$U"'\r\n"], ["reply"], ["send", "write_file bob@example.com/w.txt\r\n"], ["dribble", 0.25, "'"$XS"'"]]' 1
is "$OUT" $'+OK \r\n+OK \r\n-ERR 3.106 Read Timeout\r\n' "write_file, a data line a byte every 0.25 s: Read Timeout"
secs_between 0.9 3 "... after 1 s"
file_absent "$BD/w.txt" "... and no file"

slow '[["greet"], ["end"]]' 1
is "$OUT" $'+OK \r\n-ERR 3.103 Read Timeout\r\n' "an idle client: Read Timeout"
secs_between 0.9 2.5 "... after the timeout of 1 s (-t 1)"

# Lines each sent within the timeout keep the session, however long it
# lasts; a line may come in pieces within it.
R=$'-ERR 0.1902 No such file or directory\r\n'
slow '[["greet"], ["send", "slogin bob@exa"], ["sleep", 0.5], ["send", "mple.com Bobpass1\r\n"], ["reply"],
       ["sleep", 0.6], ["send", "rm_file bob@example.com/none\r\n"], ["reply"],
       ["sleep", 0.6], ["send", "rm_file bob@example.com/none\r\n"], ["reply"],
       ["sleep", 0.6], ["send", "q\r\n"], ["reply"]]' 1
is "$OUT" $'+OK \r\n+OK \r\n'"$R$R"$'+OK \r\n' "a paced client: every line answered"
is "$RC" 0 "... exit 0 after q"
secs_between 1.8 6 "... a session longer than the timeout"

# A client slow to read a reply does not lose its time to send the next
# line: the timeout starts once the reply is out.  66 KiB of output fill
# the pipe, the end of it waits in the daemon until the client reads.
head -c 66527 /dev/zero | tr '\0' 'r' > "$BD/r66"; echo >> "$BD/r66"
slow '[["greet"], ["send", "'"$U"'\r\n"], ["reply"], ["send", "read_file bob@example.com/r66\r\n"],
       ["sleep", 2], ["reply"], ["reply"], ["reply"], ["sleep", 0.5], ["send", "q\r\n"], ["end"]]' 1
is "$OUT" $'+OK \r\n+OK \r\n+OK+\r\n'"$(cat "$BD/r66")"$'\n.\r\n+OK \r\n' "a reply read 2 s late, q 0.5 s after it: answered"
is "$RC" 0 "... exit 0"

# ------------------------------------------------------------ write_file size
head -c 1048576 /dev/zero | tr '\0' 'b' > "$T0/mib1"   # 1 MiB, one line, no LF
# session_with LOGIN PATH FILE PATH2: a session writing FILE's bytes and
# CR LF to PATH, then removing PATH2 (a command that must still run), q.
session_with() {
	{ printf '%s\r\n' "$1" "write_file $2"; cat "$3"; printf '\r\n.\r\nrm_file %s\r\nq\r\n' "$4"; } > "$T0/in"
	run_stdin "$T0/in"
}
# run_stdin FILE: vpopmaild -t 10 with FILE as its input.
run_stdin() {
	# shellcheck disable=SC2086
	( ( exec $TIMEOUT ${VP_TEST_WRAPPER:-} "$(bin_path vpopmaild)" -t 10 ) < "$1" > "$T0/.out" 2> "$T0/.err" ) 2>/dev/null
	RC=$?
	OUT=$(cat "$T0/.out"; printf x); OUT=${OUT%x}
}
TOOBIG=$'-ERR 0.2002 File too large\r\n'
NOSUCH=$'-ERR 0.1902 No such file or directory\r\n'

# 1048574 bytes and the CR LF the session adds: exactly 1 MiB stored
head -c 1048574 "$T0/mib1" > "$T0/max"
printf 'keep\n' > "$BD/keep.txt"
session_with "$U" bob@example.com/max.txt "$T0/max" bob@example.com/none
is "$OUT" $'+OK \r\n+OK \r\n+OK \r\n'"$NOSUCH"$'+OK \r\n' "a user's write_file of exactly 1 MiB: +OK"
is "$(stat -c %s "$BD/max.txt" 2>/dev/null)" 1048576 "... 1048576 bytes stored"
printf '\r\n' | cat "$T0/max" - | cmp -s - "$BD/max.txt" && pass "... byte for byte" || fail "... byte for byte"

printf 'old\n' > "$BD/big.txt"
head -c 1048575 "$T0/mib1" > "$T0/over"
{ printf '%s\r\n' "$U" "write_file bob@example.com/big.txt"; cat "$T0/over"; printf '\r\nrm_file bob@example.com/keep.txt\r\n.\r\nq\r\n'; } > "$T0/in"
run_stdin "$T0/in"
is "$OUT" $'+OK \r\n+OK \r\n'"$TOOBIG"$'+OK \r\n' "a user's write_file of 1 MiB + 1 byte: File too large after the '.'"
is "$RC" 0 "... the session goes on to q"
file_is "$BD/big.txt" $'old\n' "... the file is left as it was"
file_is "$BD/keep.txt" $'keep\n' "... data lines past the limit are not run as commands"
is "$(ls -a "$BD" | grep -c vpd)" 0 "... no temporary file left"

session_with "$QA" example.com/qa.txt "$T0/over" example.com/none
is "$OUT" $'+OK \r\n+OK \r\n'"$TOOBIG$NOSUCH"$'+OK \r\n' "a domain admin's write_file past 1 MiB: File too large"
file_absent "$DD/qa.txt" "... no file"

session_with "$SA" example.com/sa.dat "$T0/over" example.com/none
is "$OUT" $'+OK \r\n+OK \r\n+OK \r\n'"$NOSUCH"$'+OK \r\n' "a system admin's write_file past 1 MiB: +OK (unbounded, as 5.6)"
is "$(stat -c %s "$DD/sa.dat" 2>/dev/null)" 1048577 "... every byte stored"

session_with "$SA" example.com/.qmail-big "$T0/over" example.com/none
is "$OUT" $'+OK \r\n+OK \r\n'"$TOOBIG$NOSUCH"$'+OK \r\n' "a system admin's .qmail-big past 1 MiB: File too large"
file_absent "$DD/.qmail-big" "... no file"
is "$(ls -a "$DD" | grep -c vpd)" 0 "... no temporary file left"

done_testing
