#!/bin/bash
# t_crash_user.sh - the user-level writers killed (SIGKILL injected by
# strace) at each of their state-changing system calls in turn: vadduser
# (also in a hashed big-dir domain, and -f bulk), vdeluser, vpasswd,
# vmoduser, vsetuserquota, vchangepw, valias, vdeloldusers.
# After every kill: each file others read is whole (its old or its new
# content), vpasswd parses, is sorted and agrees with vpasswd.cdb (or the
# index is older, so the next lookup rebuilds it), .dir-control is well
# formed.  Then the command is run again (the admin's retry): it must
# succeed and leave exactly what a clean run leaves, users and their
# directories in step, no temporary file behind.  Known problems not
# fixed yet are reported as TODO (see KNOWN in crash_sweep.py).  tests/crash_sweep.py
# does the sweep; CRASH_MAX_POINTS=N samples N points per command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sweep_common.sh"
require_bins vadddomain vadduser vdeluser vpasswd vmoduser vsetuserquota vconvert \
	vchangepw valias vdeloldusers vverifypw

require_strace

B=$top_builddir
MAXP=${CRASH_MAX_POINTS:-0}

# (rerun and verify: sweep_common.sh)
REFUSE=()
# refuse STDIN PROG ARGS... (must fail after the kill and after the rerun)
refuse() {
	local in=$1 p=$2; shift 2
	REFUSE+=("[$(jarr "$B/$p" "$@"),$(jstr "$in")]")
}

# sweep LABEL STDIN PROG ARGS...: the sandbox $SB as it is now is the
# state before the command; every kill point becomes one TAP line.
sweep() {
	local label=$1 in=$2 p=$3
	shift 3
	# The sweep restores the sandbox's files before every kill, not a
	# database: with the mysql backend users would pile up between runs.
	if [ "$SQL" = 1 ]; then
		skip "mysql backend: the sweep restores files, not the database: $label"
		RERUN=() VERIFY=() REFUSE=()
		return
	fi
	rm -rf "$SB.tpl"
	cp -a "$SB" "$SB.tpl"
	# shellcheck disable=SC2086
	{
		printf '{"sb":%s,"tpl":%s,"label":%s,"stdin":%s,"sql":%s,"max_points":%s,' \
			"$(jstr "$SB")" "$(jstr "$SB.tpl")" "$(jstr "$label")" "$(jstr "$in")" "$SQL" "$MAXP"
		printf '"cmd":%s,"strace":%s,' "$(jarr "$B/$p" "$@")" "$(jarr $NOLSAN strace)"
		printf '"lookup":%s,' "$(jarr "$B/vuserinfo" postmaster@example.com)"
		printf '"rerun":[%s],"verify":[%s],"refuse":[%s]}\n' "$(_join "${RERUN[@]}")" \
			"$(_join "${VERIFY[@]}")" "$(_join "${REFUSE[@]}")"
	} > "$T0/spec.json"
	run_sweep "$T0/spec.json" "$label"
	RERUN=() VERIFY=() REFUSE=()
	# back to the state before the command (for the next sweep's set-up)
	rm -rf "$SB"; cp -a "$SB.tpl" "$SB"
}

# (base: sweep_common.sh)

# ------------------------------------------------------------ vadduser
# Without file locking a killed add's directory makes the rerun fail with
# 249 as in 5.6 (doc/COMPATIBILITY.md; asserted below): no add sweeps then.
NOLOCK_ADD="the rerun of a killed add fails (249) as in 5.6: $NOLOCK_WHY"
base
if [ "$LOCKING" = 1 ]; then
	rerun 0,255 '' vadduser dave@example.com Passw0rd
	verify '' vverifypw dave@example.com Passw0rd
	sweep "vadduser" '' vadduser dave@example.com Passw0rd
else
	skip "vadduser: $NOLOCK_ADD"
fi

# big-dir: the next user (#200) opens hash directory 1
if [ "$LOCKING" != 1 ]; then
	skip "vadduser (big-dir): $NOLOCK_ADD"
elif [ "$BIGDIR" = 1 ]; then
	printf '199\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n' > "$DD/.dir-control"
	rerun 0,255 '' vadduser dave@example.com Passw0rd
	verify '' vverifypw dave@example.com Passw0rd
	sweep "vadduser (big-dir)" '' vadduser dave@example.com Passw0rd
else
	skip "built with --disable-users-big-dir: no hash directories: vadduser (big-dir)"
fi

# What a killed vadduser leaves (an empty Maildir skeleton, no record) is
# replaced by the next add; a user directory holding anything else (mail,
# a file) still stops it, as in 5.6.
base
mkdir -p "$DD/erin/Maildir/new" "$DD/erin/Maildir/cur" "$DD/erin/Maildir/tmp"
run vadduser erin@example.com Passw0rd
if [ "$LOCKING" = 1 ]; then
	is_rc 0 "vadduser over an empty skeleton without a record: exit 0"
	is "$(vpw_count "$DD" erin)" 1 "erin has one record"
else	# replaced only under .userdir.lock
	is_rc 249 "vadduser over an empty skeleton, no file locking: exit 249 (as 5.6)"
	is "$(vpw_count "$DD" erin)" 0 "... erin has no record"
	rm -rf "$DD/erin"; setup vadduser erin@example.com Passw0rd
fi
dir_exists "$DD/erin/Maildir/new" "erin has her Maildir"
mkdir -p "$DD/fred/Maildir/new" "$DD/fred/Maildir/cur" "$DD/fred/Maildir/tmp"
printf 'Subject: old\n\nmail\n' > "$DD/fred/Maildir/new/1.2.host"
count=$(head -1 "$DD/.dir-control" 2>/dev/null)
run vadduser fred@example.com Passw0rd
is_rc 249 "vadduser over a directory holding mail: exit 249 (as 5.6)"
is_out "Error: User's directory already exists" "... User's directory already exists"
file_exists "$DD/fred/Maildir/new/1.2.host" "the mail there is left alone"
# 5.6 counted the user in .dir-control all the same; the place is given back
bigdir_only is "$(head -1 "$DD/.dir-control")" "$count" "... and the .dir-control count is what it was"
rm -rf "$DD/fred"
: > "$DD/gina"
run vadduser gina@example.com Passw0rd
is_rc 249 "vadduser over a file of the user's name: exit 249"
rm -f "$DD/gina"
# ... and a skeleton whose Maildir holds the sqwebmail-pass a killed
# vconvert -p writes before the record: replaced too, file and all.
mkdir -p "$DD/hugo/Maildir/new" "$DD/hugo/Maildir/cur" "$DD/hugo/Maildir/tmp"
printf '\tSTALE' > "$DD/hugo/Maildir/sqwebmail-pass"
printf '\tSTALE' > "$DD/hugo/Maildir/sqwebmail-pass.tmp.1"
run vadduser hugo@example.com Passw0rd
if [ "$LOCKING" != 1 ]; then
	is_rc 249 "vadduser over a skeleton with sqwebmail-pass, no file locking: exit 249 (as 5.6)"
	file_exists "$DD/hugo/Maildir/sqwebmail-pass" "... the skeleton is left alone"
	rm -rf "$DD/hugo"; setup vadduser hugo@example.com Passw0rd
else
	is_rc 0 "vadduser over a skeleton with sqwebmail-pass: exit 0"
	if grep -qs STALE "$DD/hugo/Maildir/sqwebmail-pass" "$DD/hugo/Maildir/sqwebmail-pass.tmp.1"; then
		fail "... the stale sqwebmail-pass is gone"
	else
		pass "... the stale sqwebmail-pass is gone"
	fi
fi
mkdir -p "$DD/ivan/Maildir/new" "$DD/ivan/Maildir/cur" "$DD/ivan/Maildir/tmp"
printf '\tSTALE' > "$DD/ivan/Maildir/sqwebmail-passx"
run vadduser ivan@example.com Passw0rd
is_rc 249 "vadduser over a skeleton with another file in Maildir: exit 249"
rm -rf "$DD/ivan"
setup vdeluser erin@example.com
setup vdeluser hugo@example.com

# ------------------------------------------------------------ vadduser -f
base
printf 'dave@example.com Passw0rd Dave D\neve@example.com Passw0rd\n' > "$SB/list"
if [ "$LOCKING" = 1 ]; then
	rerun any '' vadduser -f "$SB/list"
	verify '' vverifypw eve@example.com Passw0rd
	sweep "vadduser -f" '' vadduser -f "$SB/list"
else
	skip "vadduser -f: $NOLOCK_ADD"
fi

# ------------------------------------------------------------ vdeluser (big-dir)
# bob in hash directory 1: the delete offers 1 for reuse (.dir_control_free)
if [ "$BIGDIR" = 1 ]; then
	printf '199\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n' > "$DD/.dir-control"
	setup vadduser hank@example.com Passw0rd
	dir_exists "$DD/1/hank/Maildir" "hank is in hash directory 1"
	rerun 0,246 '' vdeluser hank@example.com
	rerun 0 '' vadduser hank@example.com Passw0rd
	rerun 0 '' vdeluser hank@example.com
	sweep "vdeluser (big-dir)" '' vdeluser hank@example.com
else
	skip "built with --disable-users-big-dir: no hash directories: vdeluser (big-dir)"
fi

# ------------------------------------------------------------ vdeluser
base
# the name can be used again (vadduser is vdeluser's inverse)
rerun 0,246 '' vdeluser bob@example.com
rerun 0 '' vadduser bob@example.com Passw0rd
rerun 0 '' vdeluser bob@example.com
sweep "vdeluser" '' vdeluser bob@example.com

# ------------------------------------------------------------ vpasswd
rerun 0 '' vpasswd carol@example.com NewPass1
verify '' vverifypw carol@example.com Passw0rd
verify '' vverifypw carol@example.com NewPass1
sweep "vpasswd" '' vpasswd carol@example.com NewPass1

# Killed between its two renames when vpasswd.cdb was written in the
# same tick of the file system's clock (here: stamped an hour ahead): the
# new vpasswd must still count as newer than the index, so the next
# lookup rebuilds the index instead of answering from the old one.
if [ "$SQL" != 1 ]; then
	touch -d '+1 hour' "$DD/vpasswd" "$DD/vpasswd.cdb"
	( cd "$DD" && $NOLSAN strace -f -o /dev/null -P "$DD/cdb.tmp" -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:signal=KILL:when=1 \
		"$B/vpasswd" carol@example.com NewPass1 ) > /dev/null 2>&1
	run vverifypw carol@example.com NewPass1
	is_rc 0 "killed between the renames, index stamped in the same tick: the new password works"
	ok_cmd "... and vpasswd.cdb holds the vpasswd records again" vpw_cdb_ok "$DD"
	rm -rf "$SB"; cp -a "$SB.tpl" "$SB"
else
	skip "mysql backend: no vpasswd.cdb: killed between the renames"
	skip "mysql backend: no vpasswd.cdb: index rebuilt"
fi

# ------------------------------------------------------------ vmoduser
rerun 0 '' vmoduser -p -q 5000000 -c 'Carol C' carol@example.com
sweep "vmoduser" '' vmoduser -p -q 5000000 -c 'Carol C' carol@example.com

# ------------------------------------------------------------ vsetuserquota
rerun 0 '' vsetuserquota carol@example.com 2000000S
sweep "vsetuserquota" '' vsetuserquota carol@example.com 2000000S

# ------------------------------------------------------------ vchangepw
# the user retries with the password that works now
CHPW=$'carol@example.com\nPassw0rd\nNewPass1\nNewPass1\n'
rerun any "$CHPW" vchangepw
rerun any $'carol@example.com\nNewPass1\nNewPass1\nNewPass1\n' vchangepw
verify '' vverifypw carol@example.com Passw0rd
verify '' vverifypw carol@example.com NewPass1
sweep "vchangepw" "$CHPW" vchangepw

# ------------------------------------------------------------ valias
rerun any '' valias -d sales@example.com
rerun 0 '' valias -i bob@example.com sales@example.com
sweep "valias -i" '' valias -i bob@example.com sales@example.com

setup valias -i bob@example.com sales@example.com
setup valias -i carol@example.com sales@example.com
rerun 0 '' valias -d sales@example.com
sweep "valias -d" '' valias -d sales@example.com

# ------------------------------------------------------------ vdeloldusers
if [ "$AUTHLOG" = 1 ]; then
	touch -d '2020-01-01' "$DD/bob/lastauth"
	rerun 0 '' vdeloldusers -D -d example.com -a 30
	rerun 0 '' vadduser bob@example.com Passw0rd
	rerun 0 '' vdeluser bob@example.com
	sweep "vdeloldusers" '' vdeloldusers -D -d example.com -a 30
else	# it refuses to run (exit 255): t_smalltools.sh
	skip "built with --disable-auth-logging: vdeloldusers does not run"
fi

# ------------------------------------------------------------ vconvert -p
# a "user:hash" list into the domain (vadduser, then the hash stored)
base
H=$(vph mkhash Alice123 '$6$saltsalt$')
printf 'alice:%s\n' "$H" > "$SB/list"
rerun any '' vconvert -p "$SB/list" -c example.com
verify '' vverifypw alice@example.com Alice123
# 5.6 added the user with the password "foob" first
refuse '' vverifypw alice@example.com foob
if [ "$LOCKING" = 1 ]; then
	sweep "vconvert -p" '' vconvert -p "$SB/list" -c example.com
else
	RERUN=() VERIFY=() REFUSE=()
	skip "vconvert -p: $NOLOCK_ADD"
fi

done_testing
