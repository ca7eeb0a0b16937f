# sweep_common.sh - sourced by the sweeps that drive tests/crash_sweep.py
# (t_crash_user.sh kills each command at each state-changing call,
# t_errinject_admin.sh makes each call fail): the JSON spelling of a
# sweep's specification, and running it.

# jstr TEXT: TEXT as a JSON string.  jarr ARGS...: a JSON array of strings.
jstr() {
	local s=$1
	s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}
	printf '"%s"' "$s"
}
jarr() {
	local a sep=
	printf '['
	for a in "$@"; do printf '%s' "$sep"; jstr "$a"; sep=,; done
	printf ']'
}
# _join ITEMS...: the items joined with commas (a JSON array's inside).
_join() { local IFS=,; printf '%s' "$*"; }

SWEEP=$top_srcdir/tests/crash_sweep.py

# run_sweep SPEC LABEL: run crash_sweep.py on the specification file SPEC;
# each of its TAP lines becomes one of this script's.
run_sweep() {
	local line st
	VPH_DIR=$T0 VP_DOMAINS_DIRNAME=$DOMAINS_DIRNAME VP_DES_HASHES=${DES_MASK:+1} "$PYTHON" "$SWEEP" "$1" > "$T0/sweep.out" 2>&1
	st=$?
	while IFS= read -r line; do
		case $line in
		'ok '*) pass "${line#ok }";;
		'not ok '*) fail "${line#not ok }";;
		*) echo "$line";;
		esac
	done < "$T0/sweep.out"
	[ "$st" = 0 ] || fail "$2: the sweep itself failed (exit $st)"
}

# The retries and checks of a sweep, collected before it runs (the sweep
# empties RERUN and VERIFY again):
# rerun ALLOWED-RCS[|EXISTS-RCS]|any STDIN PROG ARGS...: the command run
# again without a fault must exit with one of ALLOWED-RCS (like "0,255");
# EXISTS-RCS (e.g. "already exists") are right only when the faulted run
# had made the change.  verify STDIN PROG ARGS...: must then exit 0.
RERUN=() VERIFY=()
rerun() {
	local ok=$1 in=$2 p=$3 ex=; shift 3
	case $ok in *'|'*) ex=",[${ok#*|}]"; ok=${ok%%|*};; esac
	[ "$ok" = any ] && ok=null || ok="[$ok]"
	RERUN+=("[$(jarr "$B/$p" "$@"),$ok,$(jstr "$in")$ex]")
}
verify() {
	local in=$1 p=$2; shift 2
	VERIFY+=("[$(jarr "$B/$p" "$@"),$(jstr "$in")]")
}

# base: a new sandbox with example.com ($DD), a user to change (carol)
# and one with a message in its Maildir (bob).  $BASE_IDS, if set, is run
# first (t_errinject_admin.sh gives the domain other owners).
base() {
	sandbox_new
	${BASE_IDS:-}
	setup vadddomain example.com Secret123
	DD=$D/example.com
	setup vadduser carol@example.com Passw0rd
	setup vadduser bob@example.com Passw0rd
	printf 'Subject: hi\n\nbody\n' > "$DD/bob/Maildir/new/1.2.host"
}
