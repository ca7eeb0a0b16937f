# tests/lib.sh - shared helpers for the scenario tests (sourced by tests/t_*.sh).
#
# Every scenario runs the built commands against a throw-away sandbox (a
# vpopmail home and a qmail home under one mktemp -d directory) and prints
# TAP.  Nothing here touches /var/qmail or ~vpopmail.
#
# Environment: top_builddir (built binaries, include/vpopmail_config.h) and
# top_srcdir (etc/ templates); both default to the script's parent directory.
# KEEP_SANDBOX=1 keeps the temporary tree for inspection.
# As root, sandboxes use vpopmail ids that are not root's: 23456:23457, or
# VP_TEST_VPOPMAIL_UID / VP_TEST_VPOPMAIL_GID; VP_TEST_ROOT_IDS=1 keeps 0:0.
#
# Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.

set -u
export LC_ALL=C
umask 022
ulimit -c 0 2>/dev/null

_here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$_here/..}"
: "${top_srcdir:=$_here/..}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
export top_builddir top_srcdir

CONFIG_H=$top_builddir/include/vpopmail_config.h
VERSION=$(sed -n 's/^#define VERSION "\(.*\)"$/\1/p' "$CONFIG_H" 2>/dev/null)
: "${VERSION:=5.6.13}"
has_define() { grep -q "^#define $1 1" "$CONFIG_H" 2>/dev/null; }
CLEAR=0;  has_define CLEAR_PASS && CLEAR=1
AUTHLOG=0; has_define ENABLE_AUTH_LOGGING && AUTHLOG=1
# define_str NAME DEFAULT: the string value of a #define in vpopmail_config.h
define_str() { local v; v=$(sed -n "s/^#define $1 \"\(.*\)\"\$/\1/p" "$CONFIG_H" 2>/dev/null); echo "${v:-$2}"; }
DOMAINS_DIRNAME=$(define_str DOMAINS_DIR domains)
USERS_CDB_NAME=$(define_str QMAIL_CDB_NAME cdb)

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
SETSID=; command -v setsid >/dev/null 2>&1 && SETSID="setsid -w"
TIMEOUT=; command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout -k 5 ${VP_TIMEOUT:-120}"

# One temporary root per script; every sandbox lives below it.
T0=$(mktemp -d "${TMPDIR:-/tmp}/vpt.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
# Programs under test put their temporary files here, not in /tmp: a
# test can see what they leave behind, and nothing outlives the script.
mkdir -m 1777 "$T0/tmp" && chmod 1777 "$T0/tmp" && export TMPDIR="$T0/tmp" ||
	{ echo "Bail out! cannot make $T0/tmp"; exit 1; }
CLEANUP_PIDS=
_cleanup() {
	local p
	for p in $CLEANUP_PIDS; do kill "$p" 2>/dev/null; done
	if [ "${KEEP_SANDBOX:-0}" = 1 ]; then
		echo "# sandbox kept in $T0"
	else
		chmod -R u+rwx "$T0" 2>/dev/null
		rm -rf "$T0"
	fi
}
trap _cleanup EXIT

# ------------------------------------------------------------------ TAP
T_N=0
T_FAIL=0

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

pass() { if _cdb_skipped "$*"; then return; fi; T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
fail() { if _cdb_skipped "$*"; then return; fi; T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
# cdb_next [N]: in a SQL run (see SQL below) the next N checks (default 1)
# are reported as skipped: they read or edit the cdb backend's own files
# (vpasswd, vpasswd.cdb, per-user lastauth) or depend on such an edit.
# cdb_next N REASON: the same for a check that holds only for the cdb module.
_CDB_SKIP=0
_CDB_WHY=
cdb_next() {
	[ "${SQL:-0}" = 1 ] || return 0
	_CDB_SKIP=${1:-1}; _CDB_WHY=${2:-checks the cdb files}
}
_cdb_skipped() {
	[ "$_CDB_SKIP" -gt 0 ] || return 1
	_CDB_SKIP=$((_CDB_SKIP - 1))
	T_N=$((T_N + 1)); echo "ok $T_N # SKIP mysql backend, $_CDB_WHY: $1"
	return 0
}
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }

# Show a value so that control characters and trailing newlines are visible.
_show() { printf '%s' "$1" | od -An -c | sed 's/^ *//;s/   */ /g' | head -c 600; }

_diff_diag() {
	local got=$1 want=$2
	if [[ "$got$want" == *$'\n'* ]]; then
		printf '%s' "$want" > "$T0/.want"
		printf '%s' "$got" > "$T0/.got"
		diff -u "$T0/.want" "$T0/.got" | sed -n '3,40p' | sed 's/^/#   /'
		if [ "${got%$'\n'}" = "${want%$'\n'}" ] || [ "$got" = "${want%$'\n'}" ]; then
			echo "#   (difference in the final newline)"
		fi
	else
		printf '#   got:  %s\n#   want: %s\n' "'$got'" "'$want'"
		case "$got$want" in *[![:print:]]*)
			echo "#   got bytes:  $(_show "$got")"
			echo "#   want bytes: $(_show "$want")";;
		esac
	fi
}

# is GOT WANT DESC: exact string equality.
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; _diff_diag "$1" "$2"; fi
}
isnt() {
	if [ "$1" != "$2" ]; then pass "$3"; else fail "$3"; echo "#   both: '$1'"; fi
}
# like GOT REGEX DESC (bash ERE; the whole value must match if anchored).
like() {
	if [[ "$1" =~ $2 ]]; then pass "$3"; else fail "$3"; printf '#   got:  %s\n#   want: /%s/\n' "'$1'" "$2"; fi
}
unlike() {
	if [[ "$1" =~ $2 ]]; then fail "$3"; printf '#   got:  %s\n#   unwanted: /%s/\n' "'$1'" "$2"; else pass "$3"; fi
}
# ok_cmd DESC CMD...: passes when CMD exits 0.
ok_cmd() {
	local d=$1; shift
	if [ "$SQL" = 1 ] && [ "$1" = vpw_cdb_ok ]; then skip "mysql backend has no vpasswd.cdb: $d"; return; fi
	if "$@" > "$T0/.okout" 2>&1; then pass "$d"; else fail "$d"; sed -n '1,15p' "$T0/.okout" | sed 's/^/#   /'; fi
}

# Lines: "$(lines a b)" would lose the final newline, so build strings with
# setlines VAR line... (each line followed by a newline).
setlines() { local _v=$1; shift; if [ $# -eq 0 ]; then printf -v "$_v" '%s' ''; else printf -v "$_v" '%s\n' "$@"; fi; }

# ------------------------------------------------------------------ running commands
# run PROG ARGS...: run a built program with stdin from /dev/null and no
# controlling terminal; sets OUT, ERR (exact bytes) and RC.
run() { _run_with /dev/null "$@"; }
# rcpt INPUT: run vrcptcheck with INPUT (exact bytes) on file descriptor 3.
rcpt() {
	printf '%s' "$1" > "$T0/.fd3"
	exec 3< "$T0/.fd3"
	run vrcptcheck
	exec 3<&-
}
# run_in INPUT PROG ARGS...: same with INPUT (exact bytes) on stdin.
run_in() { printf '%s' "$1" > "$T0/.stdin"; shift; _run_with "$T0/.stdin" "$@"; }

# Under valgrind a program linked statically (vchkpw, vdelivermail) is
# replaced by its dynamic twin tests/<name>-dynamic: memcheck cannot
# follow the heap of a static binary.
bin_path() {
	case $1 in
	*/*) echo "$1";;
	*) case ${VP_TEST_WRAPPER:-} in
	   *valgrind*) if [ -x "$top_builddir/tests/$1-dynamic" ]; then echo "$top_builddir/tests/$1-dynamic"; return; fi;;
	   esac
	   echo "$top_builddir/$1";;
	esac
}

_run_with() {
	local in=$1 exe
	exe=$(bin_path "$2"); shift 2
	# The outer subshell reaps the program, so a crash report from bash
	# ("Segmentation fault") goes to /dev/null instead of the TAP stream.
	# VP_TEST_WRAPPER (e.g. valgrind, see "make check-valgrind") runs the
	# program under a checker that fails the test by exit status.
	# RUN_AS (e.g. "setpriv --reuid=..."): run the program with other ids.
	# shellcheck disable=SC2086
	( ( exec $TIMEOUT $SETSID ${RUN_AS:-} ${VP_TEST_WRAPPER:-} "$exe" "$@" ) < "$in" > "$T0/.out" 2> "$T0/.err" ) 2>/dev/null
	RC=$?
	OUT=$(cat "$T0/.out"; printf x); OUT=${OUT%x}
	ERR=$(cat "$T0/.err"; printf x); ERR=${ERR%x}
}

# Quiet helper for set-up steps: run and fail loudly (one TAP line) if RC != 0.
# limits_put DOMAINDIR DOMAIN TEXT VMODDOMLIMITS-OPTIONS...: give a domain
# limits: TEXT as its .qmailadmin-limits file or, with --enable-mysql-limits,
# the same values set through vmoddomlimits (a row of the limits table).
limits_put() {
	local dd=$1 dom=$2 text=$3; shift 3
	if has_define ENABLE_MYSQL_LIMITS; then
		setup vmoddomlimits "$@" "$dom"
	else
		printf '%s' "$text" > "$dd/.qmailadmin-limits"
	fi
}
# limits_clear DOMAINDIR DOMAIN: the domain is back to the default limits.
limits_clear() {
	rm -f "$1/.qmailadmin-limits"
	if has_define ENABLE_MYSQL_LIMITS; then setup vmoddomlimits -D "$2"; fi
}
setup() {
	run "$@"
	if [ "$RC" -ne 0 ]; then
		fail "setup: $*"
		diag "exit $RC" "stdout: ${OUT%$'\n'}" "stderr: ${ERR%$'\n'}"
		return 1
	fi
	return 0
}

is_rc() {
	if [ "$RC" = "$1" ]; then pass "$2"; else fail "$2"; echo "#   got exit: $RC, want: $1"
		[ -n "$OUT" ] && printf '%s' "$OUT" | sed -n '1,5p' | sed 's/^/#   stdout: /'
		[ -n "$ERR" ] && printf '%s' "$ERR" | sed -n '1,5p' | sed 's/^/#   stderr: /'
	fi
	return 0
}
# is_out TEXT DESC: stdout equals TEXT plus a newline (TEXT empty: no output).
# Multi-line TEXT: write the lines separated by newlines; the final one is added.
_want_nl() { if [ -z "$1" ]; then _W=''; else _W="$1"$'\n'; fi; }
is_out() { _want_nl "$1"; is "$OUT" "$_W" "$2"; }
is_err() { _want_nl "$1"; is "$ERR" "$_W" "$2"; }
# Exact bytes (no newline added).
is_out_raw() { is "$OUT" "$1" "$2"; }
is_err_raw() { is "$ERR" "$1" "$2"; }

# ------------------------------------------------------------------ files
# Whole content of a file, exact bytes (a missing file reads as "<missing>").
slurp() { if [ -e "$1" ]; then cat "$1"; printf x; else printf '<missing>x'; fi; }
fcontent() { _F=$(slurp "$1"); _F=${_F%x}; printf '%s' "$_F"; }

# sql_file PATH: true in a SQL run when PATH is one of the cdb backend's own
# files (vpasswd, vpasswd.cdb, .vpasswd.lock), which that backend never writes.
sql_file() { [ "$SQL" = 1 ] && case ${1##*/} in vpasswd|vpasswd.cdb|.vpasswd.lock) true;; *) false;; esac; }

# file_is PATH CONTENT DESC: exact bytes.
file_is() {
	local got
	if sql_file "$1"; then skip "mysql backend: no ${1##*/} file: $3"; return; fi
	got=$(slurp "$1"); got=${got%x}
	is "$got" "$2" "$3"
}
# file_lines PATH DESC LINE...: the file is exactly these lines, each ending in a newline.
file_lines() {
	local p=$1 d=$2 want; shift 2
	setlines want "$@"
	file_is "$p" "$want" "$d"
}
mode_of() { local m; m=$(stat -c %a "$1" 2>/dev/null) || { echo missing; return; }; printf '%04o\n' "$((8#$m))"; }
owner_of() { stat -c %u:%g "$1" 2>/dev/null || echo missing; }
# file_mode PATH MODE DESC (MODE like 0600).
file_mode() { if sql_file "$1"; then skip "mysql backend: no ${1##*/} file: $3"; return; fi; is "$(mode_of "$1")" "$2" "$3"; }
file_absent() {
	if [ -e "$1" ] || [ -L "$1" ]; then fail "$2"; echo "#   exists: $1"; else pass "$2"; fi
}
file_exists() {
	if [ -e "$1" ]; then pass "$2"; else fail "$2"; echo "#   missing: $1"; fi
}
dir_exists() {
	if [ -d "$1" ]; then pass "$2"; else fail "$2"; echo "#   not a directory: $1"; fi
}

# mask_hashes: replace crypt hashes by fixed text so vpasswd lines compare exactly.
# A DES hash (--disable-sha512-passwords without MD5: 13 characters, no
# marker) only where it can be told: a vpasswd line's second field, the
# first of a vpasswd.cdb record after its key and a tab, or a whole line.
DES_MASK='s/^([^:\t]*[:\t])?[./0-9A-Za-z]{13}(:|$)/\1DES-HASH\2/'
mask_hashes() {
	sed -E -e 's/\$6\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{86}/$6$SALT$HASH/g' \
	       -e 's/\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}/$1$SALT$HASH/g' \
	       ${DES_MASK:+-e "$DES_MASK"}
}
HASH_MASK='$6$SALT$HASH'
has_define SHA512_PASSWORDS || { has_define MD5_PASSWORDS && HASH_MASK='$1$SALT$HASH'; }
if has_define SHA512_PASSWORDS || has_define MD5_PASSWORDS; then DES_MASK=; else HASH_MASK=DES-HASH; fi

# Expected vpasswd line (masked hash): vpw_line NAME GECOS DIR QUOTA [CLEAR [FLAGS [HASH]]]
vpw_line() {
	local l="$1:${7-$HASH_MASK}:$VPW_UID:${6:-0}:$2:$3:$4"
	[ "$CLEAR" = 1 ] && l="$l:${5-}"
	printf '%s' "$l"
}
# strace_ok: strace can trace here and no checker wraps the programs (the
# fault-injection tests need it and skip otherwise).
strace_ok() {
	[ -z "${VP_TEST_WRAPPER:-}" ] && command -v strace >/dev/null 2>&1 &&
		strace -o /dev/null true 2>/dev/null
}
# require_installable: skip the whole script without make or a configured
# build tree; else set CC, prefix (configure's), DEST=$T0/dest and P (the
# prefix under it) for a `make install DESTDIR=$DEST`.
require_installable() {
	if ! command -v make >/dev/null 2>&1 || [ ! -f "$top_builddir/Makefile" ]; then
		echo "1..0 # SKIP make or a configured build tree is not available"
		exit 0
	fi
	CC=${CC:-cc}
	command -v "$CC" >/dev/null 2>&1 || CC=gcc
	prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
	DEST=$T0/dest
	P=$DEST$prefix
	# a nested make must not join the jobserver of the make running the tests
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
}
# onchange_logger: an etc/onchange that appends each plain call as
# "$1|$2|$3|$4" to $SB/onchange.log (the "before"/"after" calls of a build
# with both modes are t_onchange's); nothing in builds without onchange.
onchange_logger() {
	has_define ONCHANGE_SCRIPT || return 0
	cat > "$VH/etc/onchange" <<HOOK
#!/bin/sh
[ -z "\$4" ] && printf '%s|%s|%s|%s\n' "\$1" "\$2" "\$3" "\$4" >> "$SB/onchange.log"
exit 0
HOOK
	chmod 0755 "$VH/etc/onchange"
}
# ------------------------------------------------------------------ forced interleavings
# stopped_or_gone PID: wait (up to 10 s) until PID is held by strace
# (stopped by an injected SIGSTOP, or in an injected delay) or has exited.
# A traced process passes through a tracing stop ('t') at every system
# call for an instant: only one that lasts half a second counts.
stopped_or_gone() {
	local i st held=0
	for i in $(seq 1 200); do
		[ -r "/proc/$1/status" ] || return 0
		st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
		case $st in
		Z|'') return 0;;
		t|T) held=$((held + 1)); [ "$held" -ge 10 ] && return 0;;
		*) held=0;;
		esac
		sleep 0.05
	done
	return 1
}

# traced NAME STRACE-OPTIONS -- PROG ARGS...: start PROG in the background
# under strace (from the directory $DD if set, with $SB/msg on stdin if
# there is one); sets TPID (strace's pid), and PROG's own pid is written
# to $SB/NAME.pid.  Output goes to $SB/NAME.out, the exit status to
# $SB/NAME.rc, strace's log to $SB/NAME.st.
traced() {
	local name=$1 opts=()
	shift
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	(
		cd "${DD:-.}" || exit 1
		in=/dev/null
		[ -f "$SB/msg" ] && in=$SB/msg
		# LeakSanitizer cannot run under ptrace (sanitized builds).
		# shellcheck disable=SC2016
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -o "$SB/$name.st" "${opts[@]}" \
			sh -c 'echo $$ > "$0"; exec "$@"' "$SB/$name.pid" "$@" \
			< "$in" > "$SB/$name.out" 2>&1
		echo $? > "$SB/$name.rc"
	) &
	TPID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $TPID"
}
pid_of() { local i; for i in $(seq 1 200); do [ -s "$SB/$1.pid" ] && break; sleep 0.05; done; cat "$SB/$1.pid"; }
# held_ok NAME DESC: NAME (started with traced) is held by strace (or gone):
# one check, DESC; sets HELD_PID to NAME's own pid.
held_ok() {
	HELD_PID=$(pid_of "$1")
	stopped_or_gone "$HELD_PID"
	is "$(grep -o '^State:[[:space:]]*[tT]' "/proc/$HELD_PID/status" 2>/dev/null | wc -l)" 1 "$2"
}
# started NAME PROG ARGS...: PROG in the background, as `traced` runs it
# but without strace (pid in $SB/NAME.pid, output $SB/NAME.out, exit
# status $SB/NAME.rc); sets BPID (the subshell to wait for).
started() {
	local name=$1
	shift
	(
		cd "${DD:-.}" || exit 1
		sh -c 'echo $$ > "$0"; exec "$@"' "$SB/$name.pid" "$@" < /dev/null > "$SB/$name.out" 2>&1
		echo $? > "$SB/$name.rc"
	) &
	BPID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $BPID"
}
# waits_for_lock NAME DESC: NAME (started or traced) is blocked waiting
# for an flock (a "->" line of /proc/locks), within 10 s: one check.
waits_for_lock() {
	local pid i found=0
	pid=$(pid_of "$1")
	for i in $(seq 1 200); do
		if awk -v p="$pid" '$2 == "->" && $3 == "FLOCK" && $6 == p { f = 1 } END { exit !f }' /proc/locks 2>/dev/null; then
			found=1
			break
		fi
		[ -s "$SB/$1.rc" ] && break
		sleep 0.05
	done
	[ "$found" = 1 ] || { echo "# pid $pid"; sed "s/^/# /" /proc/locks; }
	is "$found" 1 "$2"
}
# stop_at NAME PATH PROG ARGS...: PROG (traced as NAME) stopped by a
# SIGSTOP just after its first open of PATH; sets SPID (PROG's pid).
stop_at() {
	local name=$1 path=$2
	shift 2
	traced "$name" -P "$path" -e trace=openat,open -e inject=openat,open:signal=SIGSTOP:when=1 -- "$@"
	SPID=$(pid_of "$name")
	stopped_or_gone "$SPID"
}
# skip_no_strace WHAT CHECK...: one skip line per CHECK, for a case that
# needs strace where it cannot be used.
skip_no_strace() {
	local what=$1 t
	shift
	for t in "$@"; do skip "no usable strace (or under a checker): $what: $t"; done
}
# require_strace: skip the whole script (the sweeps) without strace_ok.
require_strace() {
	if ! strace_ok; then
		echo "1..0 # SKIP no usable strace (or the programs run under a checker)"
		exit 0
	fi
}
# nth_call LOG SYSCALL TEXT: the number, among the SYSCALL calls of the
# strace log LOG, of the first one whose line holds TEXT (for strace's
# -e inject=SYSCALL:...:when=N); empty if there is none.
nth_call() {
	awk -v s="$2(" -v t="$3" '{ i = index($0, s) }
		i == 1 || (i > 1 && substr($0, i - 1, 1) == " ") { k++; if (index($0, t)) { print k; exit } }' "$1"
}
# Prefix of a traced run: LeakSanitizer cannot work under ptrace.
NOLSAN="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# SQL: 1 when this is a mysql build run against a shared test server
# (tests/mariadb-server.sh); the users then live in the database, and
# vpw_text prints them in vpasswd's line format instead of reading the file.
# BIGDIR: 1 in a big-dir build (--disable-users-big-dir makes it 0): users
# hashed into subdirectories, a .dir-control per domain, 1-character user
# names refused (spec §3.6, §7.7).
BIGDIR=0; has_define USERS_BIG_DIR && BIGDIR=1
# bigdir_only CHECK ARGS...: a check of big-dir state, skipped in other builds.
bigdir_only() {
	if [ "$BIGDIR" = 1 ]; then "$@"; else skip "built with --disable-users-big-dir: no per-domain .dir-control"; fi
}
# LOCKING: 0 in a --disable-file-locking build: no lock serialises writers,
# so concurrent changes may be lost and a killed writer's leftovers are not
# repaired by the next one (as in 5.6; doc/COMPATIBILITY.md).
LOCKING=0; has_define FILE_LOCKING && LOCKING=1
NOLOCK_WHY="built with --disable-file-locking: no lock serialises writers"
SQL=0; has_define AUTH_MYSQL && [ -n "${VP_TEST_MYSQL_SOCKET:-}" ] && SQL=1
# pw_uid of a new user: vpasswd's POP marker 1; 5.6's MySQL rows hold
# vadduser()'s apop argument, USE_POP 0.
VPW_UID=1; has_define AUTH_MYSQL && VPW_UID=0
# sql_db DOMDIR QUERY: run QUERY on the database of DOMDIR's vpopmail home.
sql_db() {
	local db
	db=$(sed -n '/^[^#]/{s/.*|//p;q}' "${1%/"$DOMAINS_DIRNAME"/*}/etc/vpopmail.mysql" 2>/dev/null)
	mariadb --no-defaults -S "$VP_TEST_MYSQL_SOCKET" -u root -N -B --raw "$db" -e "$2" 2>/dev/null
}
# sql_lastauth DOMDIR USER: lastauth.remote_ip of USER in DOMDIR's domain.
sql_lastauth() { local r=${1#*/"$DOMAINS_DIRNAME"/}; sql_db "$1" "SELECT remote_ip FROM lastauth WHERE user = '$2' AND domain = '${r%%/*}'"; }
# vpw_text DOMDIR: the domain's vpasswd, from the file or the database.
vpw_text() {
	[ "$SQL" = 1 ] || { cat "$1/vpasswd" 2>/dev/null; return; }
	local cols table where
	# A gecos is stored verbatim; in vpasswd its ':' are dropped.
	cols="pw_name, pw_passwd, pw_uid, pw_gid, REPLACE(pw_gecos, ':', ''), pw_dir, pw_shell"
	[ "$CLEAR" = 1 ] && cols="$cols, pw_clear_passwd"
	_sql_users "$1"
	sql_db "$1" "SELECT CONCAT_WS(':', $cols) FROM \`$table\` WHERE $where ORDER BY BINARY pw_name"
}
# _sql_users DOMDIR: sets table and where (a condition) for DOMDIR's users.
_sql_users() {
	local dom=${1##*/}
	if has_define MANY_DOMAINS; then table=vpopmail where="pw_domain = '$dom'"
	else table=$(printf '%s' "$dom" | tr .- __) where=1; fi
}
# sql_user_set DOMDIR USER ASSIGNMENTS: UPDATE one user's row in a SQL run
# (e.g. sql_user_set "$DD" admin 'pw_gid = 65536').
sql_user_set() {
	local table where
	_sql_users "$1"
	sql_db "$1" "UPDATE \`$table\` SET $3 WHERE $where AND pw_name = '$2'"
}
# The masked vpasswd of a domain directory.
vpasswd_masked() {
	if [ "$SQL" = 1 ]; then vpw_text "$1" | mask_hashes; printf x
	elif [ -e "$1/vpasswd" ]; then mask_hashes < "$1/vpasswd"; printf x; else printf '<missing>x'; fi
}
vpasswd_is() {
	local dd=$1 d=$2 got want; shift 2
	got=$(vpasswd_masked "$dd"); got=${got%x}
	setlines want "$@"
	is "$got" "$want" "$d"
}
# Field N (1-based) of user U's line in DOMDIR/vpasswd.
vpw_field() { vpw_text "$1" | awk -F: -v u="$2" -v n="$3" '$1 == u { print $n; exit }'; }
vpw_count() { vpw_text "$1" | awk -F: -v u="$2" '$1 == u { c++ } END { print c + 0 }'; }

# user_dir_ok DOMDIR USER: a new user's directory, Maildir and its cur/new/tmp
# are 0700 directories; with auth logging, lastauth holds 0.0.0.0 (no newline), 0600.
user_dir_ok() {
	local dd=$1 u=$2 p
	for p in "$u" "$u/Maildir" "$u/Maildir/cur" "$u/Maildir/new" "$u/Maildir/tmp"; do
		file_mode "$dd/$p" 0700 "$p is a 0700 directory"
	done
	if [ "$AUTHLOG" = 1 ] && [ "$SQL" = 1 ]; then
		is "$(sql_lastauth "$dd" "$u")" "0.0.0.0" "$u: lastauth row holds 0.0.0.0"
	elif [ "$AUTHLOG" = 1 ]; then
		file_is "$dd/$u/lastauth" "0.0.0.0" "$u: lastauth holds 0.0.0.0 without newline"
		file_mode "$dd/$u/lastauth" 0600 "$u: lastauth 0600"
	fi
}

# Snapshot of the whole sandbox: types, modes, owners, link targets and file
# hashes (lock files excluded: creating an empty lock file is harmless).
snapshot() {
	( cd "$SB" && {
		find vpopmail qmail ${SNAP_EXTRA:-} ! -name '*.lock' -printf '%y %m %U:%G %p %l\n' 2>/dev/null | sort
		find vpopmail qmail ${SNAP_EXTRA:-} -type f ! -name '*.lock' -print0 2>/dev/null | sort -z | xargs -0r sha256sum
	} )
}
# unchanged SNAPSHOT DESC: compare the current tree with an earlier snapshot.
unchanged() {
	local now
	now=$(snapshot)
	if [ "$now" = "$1" ]; then pass "$2"; else fail "$2"
		printf '%s\n' "$1" > "$T0/.snap1"; printf '%s\n' "$now" > "$T0/.snap2"
		diff "$T0/.snap1" "$T0/.snap2" | grep '^[<>]' | sed -n '1,12p' | sed 's/^/#   /'
	fi
}

# Temporary files that must never be left behind.
leftovers() {
	find "$@" \( -name 'vpasswd.bak*' -o -name 'cdb.tmp' -o -name '*.tmp' -o -name '*.tmp.*' \
		-o -name '.dir-control.[0-9]*' -o -name '.dir_control_free.bak' \
		-o -regex '.*/\(assign\|rcpthosts\|morercpthosts\|virtualdomains\|locals\)\.[0-9]+' \) -print 2>/dev/null | sort
}

# ------------------------------------------------------------------ python helpers
cat > "$T0/vph.py" <<'PYEOF'
import os, struct, sys, warnings

def cdb_hash(k):
    h = 5381
    for b in k:
        h = ((h + (h << 5)) & 0xffffffff) ^ b
    return h

def esc(b):
    out = []
    for c in b:
        if c == 0: out.append('\\0')
        elif c == 0x5c: out.append('\\\\')
        elif 32 <= c < 127: out.append(chr(c))
        else: out.append('\\x%02x' % c)
    return ''.join(out)

def read_cdb(path):
    """Sequential records plus a structural check of the hash tables."""
    data = open(path, 'rb').read()
    if len(data) < 2048:
        raise ValueError('short file')
    hdr = [struct.unpack_from('<II', data, 8 * i) for i in range(256)]
    end = min(p for p, n in hdr)
    recs, pos = [], 2048
    while pos < end:
        kl, dl = struct.unpack_from('<II', data, pos)
        if pos + 8 + kl + dl > end:
            raise ValueError('record runs past the tables at %d' % pos)
        recs.append((data[pos + 8:pos + 8 + kl], data[pos + 8 + kl:pos + 8 + kl + dl], pos))
        pos += 8 + kl + dl
    if pos != end:
        raise ValueError('records do not end where the tables start')
    # every record must be reachable through its hash table
    for k, d, rpos in recs:
        h = cdb_hash(k)
        tpos, n = hdr[h & 255]
        found = False
        if n:
            slot = (h >> 8) % n
            for _ in range(n):
                sh, sp = struct.unpack_from('<II', data, tpos + 8 * slot)
                if sp == 0: break
                if sp == rpos and sh == h:
                    found = True; break
                slot = (slot + 1) % n
        if not found:
            raise ValueError('record %r not reachable through the hash table' % k)
    if sum(n for p, n in hdr) != 2 * len(recs):
        raise ValueError('slot count is not twice the record count')
    return recs

def lookup(path, key):
    data = open(path, 'rb').read()
    h = cdb_hash(key)
    tpos, n = struct.unpack_from('<II', data, 8 * (h & 255))
    if n == 0: return None
    slot = (h >> 8) % n
    for _ in range(n):
        sh, sp = struct.unpack_from('<II', data, tpos + 8 * slot)
        if sp == 0: return None
        if sh == h:
            kl, dl = struct.unpack_from('<II', data, sp)
            if data[sp + 8:sp + 8 + kl] == key:
                return data[sp + 8 + kl:sp + 8 + kl + dl]
        slot = (slot + 1) % n
    return None

def make_cdb(records):
    """DJB cdbmake layout: tables filled in insertion order."""
    body, hp, pos = [], [], 2048
    for k, d in records:
        body.append(struct.pack('<II', len(k), len(d)) + k + d)
        hp.append((cdb_hash(k), pos))
        pos += 8 + len(k) + len(d)
    header, tables = [], []
    for i in range(256):
        ents = [e for e in hp if e[0] & 255 == i]
        n = 2 * len(ents)
        header.append(struct.pack('<II', pos, n))
        slots = [(0, 0)] * n
        for h, p in ents:
            j = (h >> 8) % n
            while slots[j][1] != 0:
                j = (j + 1) % n
            slots[j] = (h, p)
        tables.append(b''.join(struct.pack('<II', *s) for s in slots))
        pos += 8 * n
    return b''.join(header) + b''.join(body) + b''.join(tables)

def newu_records(assign):
    data = open(assign, 'rb').read()
    recs, wild = [], b''
    for line in data.split(b'\n'):
        if line.startswith(b'.'):
            break
        if b':' not in line or line.startswith(b':'):
            raise ValueError('bad format in users/assign: %r' % line)
        name, rest = line.split(b':', 1)
        if rest.count(b':') < 6:
            raise ValueError('bad format in users/assign: %r' % line)
        f = rest.split(b':')
        val = b'\0'.join(f[:6])
        if name.startswith(b'+'):
            key = b'!' + name[1:].lower()
            if len(name) > 1 and name[-1:] not in wild:
                wild += name[-1:]
        else:
            key = b'!' + name[1:].lower() + b'\0'
        recs.append((key, val))
    else:
        raise ValueError('no "." line in users/assign')
    recs.append((b'', wild))
    return recs

def newmrh_records(path):
    recs = []
    for line in open(path, 'rb').read().split(b'\n'):
        line = line.lower().rstrip(b' \t\n')
        if line and not line.startswith(b'#'):
            recs.append((line, b''))
    return recs

def sort_key(name):
    labels = [l for l in name.split('.') if l][:10]
    if len(labels) >= 2:
        labels = labels[-2:] + labels[:-2]
    return '.'.join(labels)

def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    try:
        if cmd == 'get':
            v = lookup(a[0], a[1].encode('latin-1').replace(b'\\0', b'\0'))
            if v is None: sys.exit(1)
            sys.stdout.write(esc(v) + '\n')
        elif cmd == 'dump':
            for k, d, p in read_cdb(a[0]):
                sys.stdout.write(esc(k) + '\t' + esc(d) + '\n')
        elif cmd == 'check':
            read_cdb(a[0])
        elif cmd in ('newu', 'newmrh'):
            recs = newu_records(a[0]) if cmd == 'newu' else newmrh_records(a[0])
            want = make_cdb(recs)
            got = open(a[1], 'rb').read()
            if got != want:
                try:
                    gr = [(k, d) for k, d, p in read_cdb(a[1])]
                except ValueError as e:
                    gr = 'unreadable: %s' % e
                if gr == recs:
                    print('same records, different layout (%d vs %d bytes)' % (len(got), len(want)))
                else:
                    print('records differ:\n got  %s\n want %s' % (gr, recs))
                sys.exit(1)
        elif cmd in ('mknewu', 'mkmrh'):
            recs = newu_records(a[0]) if cmd == 'mknewu' else newmrh_records(a[0])
            tmp = a[1] + '.tmp'
            open(tmp, 'wb').write(make_cdb(recs))
            os.rename(tmp, a[1])
        elif cmd == 'mkvpwcdb':
            # vpasswd.cdb from vpasswd (key = name, value = rest of the line)
            recs = []
            for l in open(a[0], 'rb').read().split(b'\n')[:-1]:
                k, v = l.split(b':', 1)
                recs.append((k, v))
            tmp = a[1] + '.tmp'
            open(tmp, 'wb').write(make_cdb(recs))
            os.rename(tmp, a[1])
        elif cmd == 'vpw_vs_cdb':
            # every vpasswd line <-> exactly one cdb record; a[2] = names (a,b,...) allowed to differ
            allow = a[2] if len(a) > 2 else None
            lines = open(a[0], 'rb').read()
            if lines and not lines.endswith(b'\n'):
                print('vpasswd does not end with a newline'); sys.exit(1)
            vp = {}
            for l in lines.split(b'\n')[:-1]:
                if l.count(b':') < 6:
                    print('torn vpasswd line: %r' % l); sys.exit(1)
                k, v = l.split(b':', 1)
                if k in vp:
                    print('duplicate vpasswd name %r' % k); sys.exit(1)
                vp[k] = v
            cd = {}
            for k, v, p in read_cdb(a[1]):
                if k in cd:
                    print('duplicate cdb key %r' % k); sys.exit(1)
                cd[k] = v
            bad = [k for k in set(vp) | set(cd) if vp.get(k) != cd.get(k)]
            if allow is not None:
                ok = set(x.encode() for x in allow.split(','))
                bad = [k for k in bad if k not in ok]
            if bad:
                print('vpasswd and vpasswd.cdb differ for %r' % sorted(bad)[:5]); sys.exit(1)
        elif cmd == 'crypt_ok':
            warnings.simplefilter('ignore')
            import crypt
            sys.exit(0 if crypt.crypt(a[0], a[1]) == a[1] else 1)
        elif cmd == 'mkhash':
            warnings.simplefilter('ignore')
            import crypt
            print(crypt.crypt(a[0], a[1]))
        elif cmd == 'sorted_by_key':
            # a[0]: assign | plain | vd; checks order and duplicates
            kind, path = a[0], a[1]
            names = []
            for l in open(path).read().split('\n'):
                if l == '' or (kind == 'assign' and l == '.'): continue
                if kind == 'assign':
                    names.append(l[1:l.index(':') - 1])
                elif kind == 'vd':
                    names.append(l.split(':', 1)[0])
                else:
                    names.append(l)
            keys = [sort_key(n) for n in names]
            if keys != sorted(keys):
                print('not sorted: %s' % names); sys.exit(1)
            if len(set(names)) != len(names):
                print('duplicates in %s' % path); sys.exit(1)
        elif cmd == 'sort_key':
            print(sort_key(a[0]))
        else:
            print('unknown helper command ' + cmd); sys.exit(2)
    except (OSError, ValueError) as e:
        print('error: %s' % e)
        sys.exit(2)

if __name__ == '__main__':
    main()
PYEOF
vph() { "$PYTHON" "$T0/vph.py" "$@"; }
# make_sa_admin DOMDIR USER: make USER a system administrator (SA_ADMIN,
# 65536, in the record's gid field: vmoduser -S is for root only).
make_sa_admin() {
	if [ "$SQL" = 1 ]; then
		sql_user_set "$1" "$2" 'pw_gid = 65536'
	else
		awk -F: -v OFS=: -v u="$2" '$1 == u { $4 = 65536 } { print }' "$1/vpasswd" > "$T0/vpw" &&
			cat "$T0/vpw" > "$1/vpasswd" && vph mkvpwcdb "$1/vpasswd" "$1/vpasswd.cdb"
	fi
}

# cdb_get FILE KEY: prints the value (NUL shown as \0); exit 1 if absent.
cdb_get() { vph get "$@"; }
# cdb_dump FILE: "key<TAB>value" per record in file order (checks the structure).
cdb_dump() { vph dump "$@"; }
# crypt_ok CLEAR HASH: exit 0 when HASH is a hash of CLEAR.
crypt_ok() { vph crypt_ok "$@"; }
# users_cdb_ok: QH/users/cdb is byte-identical to what qmail-newu makes of users/assign.
users_cdb_ok() { vph newu "$QH/users/assign" "$QH/users/$USERS_CDB_NAME"; }
mrh_cdb_ok() { vph newmrh "$QH/control/morercpthosts" "$QH/control/morercpthosts.cdb"; }
# vpw_cdb_ok DOMDIR [NAME,NAME...]: vpasswd and vpasswd.cdb hold the same
# records (but for the listed names).
vpw_cdb_ok() { vph vpw_vs_cdb "$1/vpasswd" "$1/vpasswd.cdb" ${2:+"$2"}; }

# ------------------------------------------------------------------ sandbox
# sandbox_ids: exports VPOPMAIL_UID/GID and sets UIDGID.  As root the
# "vpopmail" ids are not root's, so that every chown is real and a file a
# root-run command leaves unreadable to the domain's uid shows up; returns 0
# then.  Without root (or with VP_TEST_ROOT_IDS=1) the caller's ids, and 1:
# the library chowns nothing there.
sandbox_ids() {
	if [ "$(id -u)" = 0 ] && [ "${VP_TEST_ROOT_IDS:-0}" != 1 ]; then
		export VPOPMAIL_UID=${VP_TEST_VPOPMAIL_UID:-23456} VPOPMAIL_GID=${VP_TEST_VPOPMAIL_GID:-23457}
		UIDGID="$VPOPMAIL_UID:$VPOPMAIL_GID"
		return 0
	fi
	export VPOPMAIL_UID=$(id -u) VPOPMAIL_GID=$(id -g)
	UIDGID="$VPOPMAIL_UID:$VPOPMAIL_GID"
	return 1
}
# sandbox_new: a fresh vpopmail + qmail tree; exports the VPOPMAIL_* overrides.
# Sets SB (sandbox root), VH (vpopmail home), QH (qmail home), D (= $VH/$DOMAINS_DIRNAME).
SB_N=0
sandbox_new() {
	SB_N=$((SB_N + 1))
	SB=$T0/sb$SB_N
	VH=$SB/vpopmail
	QH=$SB/qmail
	D=$VH/$DOMAINS_DIRNAME
	mkdir -p "$VH/bin" "$VH/etc" "$D" "$QH/users" "$QH/control" "$QH/bin"
	chmod 0700 "$D"
	if [ -f "$top_srcdir/etc/vlimits.default" ]; then
		cp "$top_srcdir/etc/vlimits.default" "$VH/etc/vlimits.default"
	else
		printf 'maxpopaccounts\t-1\nmaxforwards\t-1\nmaxautoresponders\t-1\nmaxmailinglists\t-1\n' > "$VH/etc/vlimits.default"
	fi
	if [ -f "$top_srcdir/etc/password_strength.conf" ]; then
		cp "$top_srcdir/etc/password_strength.conf" "$VH/etc/password_strength.conf"
	else
		printf 'Policy = Passwords must be at least one character long\nLength >= 1\n' > "$VH/etc/password_strength.conf"
	fi
	export VPOPMAIL_HOME=$VH VPOPMAIL_QMAILDIR=$QH
	if sandbox_ids; then
		# Like an installed tree, the vpopmail home and domains/ belong
		# to vpopmail, and the path to them is searchable.
		chmod 0711 "$T0" "$SB"
		chown "$UIDGID" "$VH" "$VH/bin" "$VH/etc" "$D"
	fi
	export VPOPMAIL_QMAIL_NEWU=$QH/bin/qmail-newu VPOPMAIL_QMAIL_NEWMRH=$QH/bin/qmail-newmrh
	export VPOPMAIL_PS=/bin/false
	unset VPOPMAIL_DOMAIN
	# A mysql build run against a shared private server
	# (tests/mariadb-server.sh): one database per sandbox.
	if [ -n "${VP_TEST_MYSQL_SOCKET:-}" ]; then
		# (named after the unique temporary root: pids repeat between runs)
		printf 'localhost|%s|root||vpt_%s_%s\n' "$VP_TEST_MYSQL_SOCKET" "${T0##*.}" "$SB_N" > "$VH/etc/vpopmail.mysql"
	fi
}

# assign_line NAME REAL DIR [UID GID]
assign_line() { printf '+%s-:%s:%s:%s:%s:-::' "$1" "$2" "${4:-$VPOPMAIL_UID}" "${5:-$VPOPMAIL_GID}" "$3"; }
# users/cdb value for a domain: real\0uid\0gid\0dir\0-\0
assign_value() { printf '%s\\0%s\\0%s\\0%s\\0-\\0' "$1" "${3:-$VPOPMAIL_UID}" "${4:-$VPOPMAIL_GID}" "$2"; }

# Fresh .dir-control after N allocations with no prior file: the first write
# keeps "0 2 4"; every later read-modify-write copies column 2 into column 3.
# dirctl_is PATH DESC CUR MODS INDEXES DIR
dirctl_is() {
	local want
	printf -v want '%s\n0\n3\n0 0 0\n61 61 61\n%s\n%s\n%s\n' "$3" "$4" "$5" "$6"
	file_is "$1" "$want" "$2"
}

require_bins() {
	local b
	for b in "$@"; do
		if [ ! -x "$top_builddir/$b" ]; then
			echo "Bail out! $top_builddir/$b is not built"
			exit 1
		fi
	done
}

done_testing() {
	echo "1..$T_N"
	exit 0
}

# ------------------------------------------------------------------ usage texts
# Exact usage texts (vpopmail 5.6; see /tmp/ref/usage.md).
USAGE_VADDDOMAIN='vadddomain: usage: vadddomain [options] virtual_domain [postmaster password]
options: -v prints the version
         -q quota_in_bytes (sets the quota for postmaster account)
         -b (bounces all mail that doesn'"'"'t match a user, default)
         -e email_address (forwards all non matching user to this address [*])
         -u user (sets the uid/gid based on a user in /etc/passwd)
         -d dir (sets the dir to use for this domain)
         -i uid (sets the uid to use for this domain)
         -g gid (sets the gid to use for this domain)
         -O optimize adding, for bulk adds set this for all
            except the last one
         -r[len] (generate a len (default 12) char random postmaster password)

 [*] omit @-sign to deliver directly into user'"'"'s Maildir: '"'"'-e postmaster'"'"'

Special bounce messages supported by vdeliver mail:
   vadddomain -b delete example.com [password]  -  delete all mail to non-existant accounts
   vadddomain -b bounce-no-mailbox example.com [password] - bounce them 
   vadddimain -b someone@somewhere.com example.com [password] - sent to another address
   vadddomain -b /path/to/Maildir example.com [password] - sent to a Maildir'

USAGE_VDELDOMAIN='vdeldomain: usage: [options] domain_name
options: -v (print version number)
options: -f (force delete of virtual domains)'

USAGE_VADDALIASDOMAIN='vaddaliasdomain: usage: [options] real_domain alias_domain
options: -v (print version number)
note: for backward compatability, you can swap real_domain and alias_domain.'

USAGE_VADDUSER='vadduser: usage: [options] email_address [passwd]
options: -v (print the version)
         -q quota_in_bytes (sets the users quota, use NOQUOTA for unlimited)
         -c comment (sets the gecos comment field)
         -e standard_encrypted_password
            (MD5 '"'"'$1$'"'"', SHA-512 '"'"'$6$'"'"', etc.)
            NOTE: Wrap the password in single quotes to prevent shell expansion:
                  vadduser -e '"'"'$6$...hashed_password...'"'"' user@domain
         -r[len] (generate a len (default 12) char random password)

Examples:
  vadduser user@domain                      # prompt for cleartext password
  vadduser -q 100000 -c '"'"'Test user'"'"' -e '"'"'$1$abcd$XYZ...'"'"' user@domain
           (MD5 hashed password, use single quotes)
  vadduser -q 100000 -c '"'"'Test user'"'"' -e '"'"'$6$56RNlxOG$...'"'"' user@domain
           (SHA-512 hashed, use single quotes)'

USAGE_VDELUSER='vdeluser: usage: [options] email_address
options: -v (print version number)'

USAGE_VPASSWD='vpasswd: usage: [options] email_address [password]
options: -v (print version number)
         -r[len] (generate a len (default 12) char random password)'

# Random passwords: 68 characters a-z A-Z 0-9 . @ ! # % *
RANDPW_RE='[a-zA-Z0-9.@!#%*]'
