# tests/vchkpw_common.sh - helpers of the vchkpw and roaming scenarios
# (sourced after lib.sh): a credentials file on fd 3, a program that
# prints what it was started with, and an LD_PRELOAD shim that records
# syslog lines and crypt calls.
#
# Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.

# The environment of the caller must not leak into the scenarios.
unset TCPLOCALPORT TCPLOCALIP TCPREMOTEIP REMOTE_HOST SERVICE ORIG_UID EXTRA VPOPUSER

LVL=$(sed -n 's/^#define ENABLE_LOGGING \([0-9]\)$/\1/p' "$CONFIG_H")
: "${LVL:=2}"
ROAM=0; has_define POP_AUTH_OPEN_RELAY && ROAM=1
LEARN=0; has_define LEARN_PASSWORDS && LEARN=1
IPALIAS=0; has_define IP_ALIAS_DOMAINS && IPALIAS=1
ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1

# Programs vchkpw runs.  $T0 must be searchable by a domain uid.
chmod 0755 "$T0"
mkdir -p "$T0/bin"
cat > "$T0/bin/dump" <<'SH'
#!/bin/sh
echo "args:$*"
echo "ids:$(id -u):$(id -g):$(id -G)"
echo "cwd:$(pwd)"
for v in USER HOME SHELL VPOPUSER EXTRA userdb_uid userdb_gid userdb_mail; do
	eval "x=\${$v-<unset>}"
	echo "$v=$x"
done
SH
printf '#!/bin/sh\nexit 0\n' > "$T0/bin/noexec"
chmod 0755 "$T0/bin" "$T0/bin/dump"
chmod 0644 "$T0/bin/noexec"
DUMP=$T0/bin/dump

# creds FIELD...: the fd 3 input, each field followed by a NUL.
creds() { if [ $# -eq 0 ]; then : > "$T0/.cred"; else printf '%s\0' "$@" > "$T0/.cred"; fi; }
# creds_raw PRINTF-FORMAT: exact bytes (printf escapes, e.g. '\000').
creds_raw() { printf "$1" > "$T0/.cred"; }

# vchk [VAR=value...] -- PROG ARGS...: run vchkpw with the credentials on fd 3.
vchk() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ "${1-}" = -- ] && shift
	# shellcheck disable=SC2086
	( ( exec $TIMEOUT $SETSID env ${envs[@]+"${envs[@]}"} ${VP_TEST_WRAPPER:-} "$top_builddir/vchkpw" "$@" ) \
		< /dev/null > "$T0/.out" 2> "$T0/.err" 3< "$T0/.cred" ) 2>/dev/null
	RC=$?
	OUT=$(cat "$T0/.out"; printf x); OUT=${OUT%x}
	ERR=$(cat "$T0/.err"; printf x); ERR=${ERR%x}
}
# out_has LINE DESC: stdout of the last run has exactly this line.
out_has() {
	if printf '%s' "$OUT" | grep -qxF -- "$1"; then pass "$2"; else fail "$2"
		echo "#   wanted line: $1"; printf '%s' "$OUT" | sed -n '1,12p' | sed 's/^/#   stdout: /'; fi
}

# The shim: syslog lines to $VCH_SYSLOG as "ident|facility|level|text",
# and the setting of every crypt call to $VCH_CRYPT (first 3 bytes).
SHIM=
if [ -z "${VP_TEST_WRAPPER:-}" ] && command -v "${CC:-cc}" >/dev/null 2>&1; then
	cat > "$T0/shim.c" <<'CEOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *id = "";
static int fac = 8;
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
char *crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	static char *(*real)(const char *, const char *, void *, int);
	const char *p = getenv("VCH_CRYPT");
	FILE *f = p ? fopen(p, "a") : NULL;
	if (f) { fprintf(f, "%.3s\n", setting ? setting : "(null)"); fclose(f); }
	if (!real) real = (char *(*)(const char *, const char *, void *, int))dlsym(RTLD_NEXT, "crypt_rn");
	return real(phrase, setting, data, size);
}
CEOF
	if "${CC:-cc}" -shared -fPIC -o "$T0/shim.so" "$T0/shim.c" -ldl 2>/dev/null; then
		SHIM=$T0/shim.so
		chmod 0755 "$T0/shim.so"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
		export LD_PRELOAD=$SHIM ASAN_OPTIONS
	fi
fi
# Point the shim at the current sandbox (call after sandbox_new).
shim_here() {
	export VCH_SYSLOG=$SB/syslog VCH_CRYPT=$SB/crypt
	: > "$SB/syslog"; : > "$SB/crypt"
	chmod 0666 "$SB/syslog" "$SB/crypt"
}
# syslog_is TEXT DESC: the only line logged since the last check is
# "vpopmail|16|5|TEXT" (LOG_MAIL, LOG_NOTICE); TEXT empty: nothing.
syslog_is() {
	if [ -z "$SHIM" ]; then skip "$2 (no syslog shim)"; return; fi
	if [ -z "$1" ]; then file_is "$SB/syslog" "" "$2"
	else file_is "$SB/syslog" "vpopmail|16|5|$1"$'\n' "$2"; fi
	: > "$SB/syslog"
}
# crypt_calls WANT DESC: the crypt settings used since the last check (one per line).
crypt_calls() {
	if [ -z "$SHIM" ]; then skip "$2 (no shim)"; return; fi
	file_is "$SB/crypt" "$1" "$2"
	: > "$SB/crypt"
}
# What each level logs (spec runtime §3.7).
log_pwfail() {	# log_pwfail USER@DOM:IP PASSWORD
	case $LVL in 0) echo "";; 1|2) echo "password fail $1";; *) echo "password fail (pass: '$2') $1";; esac
}
log_pwclass() { [ "$LVL" = 0 ] && echo "" || echo "$1"; }
log_success() { case $LVL in 1|4) echo "$1";; *) echo "";; esac; }
# syslog_ev LOGNAME TEXT DESC: TEXT logged under LOGNAME, or nothing if TEXT is empty.
syslog_ev() { if [ -z "$2" ]; then syslog_is "" "$3"; else syslog_is "$1: $2" "$3"; fi; }
# syslog_seq LOGNAME DESC TEXT...: these lines in order (empty TEXTs skipped).
syslog_seq() {
	local name=$1 d=$2 want='' t; shift 2
	if [ -z "$SHIM" ]; then skip "$d (no syslog shim)"; return; fi
	for t in "$@"; do [ -n "$t" ] && want+="vpopmail|16|5|$name: $t"$'\n'; done
	file_is "$SB/syslog" "$want" "$d"
	: > "$SB/syslog"
}
