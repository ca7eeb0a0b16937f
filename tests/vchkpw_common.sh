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
if (true <&3) 2>/dev/null; then echo "fd3:open"; else echo "fd3:closed"; fi
for v in USER HOME SHELL VPOPUSER EXTRA userdb_uid userdb_gid userdb_mail; do
	eval "x=\${$v-<unset>}"
	echo "$v=$x"
done
SH
printf '#!/bin/sh\nexit 0\n' > "$T0/bin/noexec"
chmod 0755 "$T0/bin" "$T0/bin/dump"
chmod 0644 "$T0/bin/noexec"
DUMP=$T0/bin/dump

# vchkpw may be linked statically; memcheck needs its dynamic twin.
VCHKPW=$top_builddir/vchkpw
case ${VP_TEST_WRAPPER:-} in
*valgrind*) [ -x "$top_builddir/tests/vchkpw-dynamic" ] && VCHKPW=$top_builddir/tests/vchkpw-dynamic;;
esac

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
	( ( exec $TIMEOUT $SETSID env ${envs[@]+"${envs[@]}"} ${VP_TEST_WRAPPER:-} "$VCHKPW" "$@" ) \
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

# Syslog lines: vchkpw writes them to $VPOPMAIL_SYSLOG instead of syslog
# (a test hook; it may be linked statically, so no LD_PRELOAD shim) as
# "ident|facility|priority|text".
SHIM=1
shim_here() {
	export VPOPMAIL_SYSLOG=$SB/syslog
	: > "$SB/syslog"
	chmod 0666 "$SB/syslog"
}
# syslog_is TEXT DESC: the only line logged since the last check is
# "LOG_NAME|16|5|TEXT" (LOG_MAIL, LOG_NOTICE; the ident is --enable-log-name's,
# default "vpopmail"); TEXT empty: nothing.
LOG_IDENT=$(define_str LOG_NAME vpopmail)
syslog_is() {
	if [ -z "$1" ]; then file_is "$SB/syslog" "" "$2"
	else file_is "$SB/syslog" "$LOG_IDENT|16|5|$1"$'\n' "$2"; fi
	: > "$SB/syslog"
}
# crypt_cost [VAR=value...] -- PROG: instructions vchkpw spends inside
# crypt_rn (callgrind) for the credentials in $T0/.cred; empty if
# callgrind cannot be used here (no valgrind, a sanitizer build, a checker).
CALLGRIND=
if [ -z "${VP_TEST_WRAPPER:-}" ] && command -v valgrind >/dev/null 2>&1 &&
   ! grep -q -- '-fsanitize' "$top_builddir/config.log" 2>/dev/null; then
	CALLGRIND=valgrind
fi
crypt_cost() {
	local envs=()
	[ -n "$CALLGRIND" ] || return 0
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env ${envs[@]+"${envs[@]}"} valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=crypt_rn "$top_builddir/vchkpw" "$@" 3< "$T0/.cred" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
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
	for t in "$@"; do [ -n "$t" ] && want+="$LOG_IDENT|16|5|$name: $t"$'\n'; done
	file_is "$SB/syslog" "$want" "$d"
	: > "$SB/syslog"
}

# roaming_sandbox: the rest of the script is skipped (done_testing) unless
# the build has roaming users and tcprules is installed; otherwise a new
# sandbox with joe@example.com and the static rules (127. allowed, 10.5.
# denied) in $VPOPMAIL_TCP_FILE; sets RULE (an open-smtp rule), CDBVAL (its
# tcp.smtp.cdb value), DD, OS (open-smtp) and CDB (tcp.smtp.cdb).
roaming_sandbox() {
	if [ "$ROAM" = 0 ]; then
		skip "vchkpw and clearopensmtp: built without --enable-roaming-users"
		done_testing
	fi
	TCPRULES=$(sed -n 's/^#define TCPRULES_PROG "\(.*\)"$/\1/p' "$CONFIG_H")
	if [ ! -x "$TCPRULES" ]; then
		skip "vchkpw and clearopensmtp: tcprules ($TCPRULES) is not installed"
		done_testing
	fi
	RULE='allow,RELAYCLIENT="",RBLSMTPD=""'
	CDBVAL='+RELAYCLIENT=\0+RBLSMTPD=\0'
	sandbox_new
	shim_here
	export VPOPMAIL_TCP_FILE=$VH/etc/tcp.smtp
	VP_TEST_WRAPPER= setup vadddomain example.com Secret123
	VP_TEST_WRAPPER= setup vadduser joe@example.com Passw0rd
	DD=$D/example.com
	OS=$VH/etc/open-smtp
	CDB=$VH/etc/tcp.smtp.cdb
	printf '127.:allow,RELAYCLIENT=""\n10.5.:deny\n' > "$VPOPMAIL_TCP_FILE"
}
