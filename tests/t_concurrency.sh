#!/bin/bash
# t_concurrency.sh - parallel vadduser / vdeluser / vadddomain on the same
# files, then kill -9 in the middle of vadduser: nothing lost, nothing torn,
# nothing left behind (spec storage-and-admin.md §2.1, §3.3-§3.6; the
# project's atomic-replace rule).
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vadduser vdeluser

WRITERS=${CONC_WRITERS:-4}
PER=${CONC_PER_WRITER:-250}
PRE=${CONC_PRE:-100}
DOMS=${CONC_DOMAINS:-30}

sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
# plain environment for the loops (no TAP bookkeeping there)
B=$top_builddir

# users that the deleter removes while the writers add
for j in $(seq 1 "$PRE"); do
	"$B/vadduser" "pre$j@example.com" Passw0rd < /dev/null > /dev/null 2>&1 || echo "pre$j" >> "$SB/prefail"
done
is "$(cat "$SB/prefail" 2>/dev/null)" "" "$PRE users added before the parallel phase"

# worker TAG N CMD...: in the background, run "CMD... j" for j = 1..N; each
# failure adds "TAG j rc=<status> <output>" to $SB/fail.TAG.
worker() {
	local tag=$1 n=$2
	shift 2
	(
		for j in $(seq 1 "$n"); do
			"$@" "$j" < /dev/null > "$SB/out.$tag" 2>&1 ||
				echo "$tag $j rc=$? $(cat "$SB/out.$tag")" >> "$SB/fail.$tag"
		done
	) &
	pids="$pids $!"
}
add_user() { "$B/vadduser" "w$1x$2@example.com" Passw0rd; }
del_user() { "$B/vdeluser" "pre$1@example.com"; }
add_domain() { "$B/vadddomain" "$1$2.org" Secret123; }

start=$(date +%s)
if [ "$LOCKING" = 1 ]; then
	pids=
	for w in $(seq 1 "$WRITERS"); do
		worker "w$w" "$PER" add_user "$w"
	done
	worker del "$PRE" del_user
	for l in a b; do
		worker "dom$l" "$DOMS" add_domain "$l"
	done
	CLEANUP_PIDS="$CLEANUP_PIDS $pids"
	wait $pids
	diag "parallel phase took $(( $(date +%s) - start )) s"

	for w in $(seq 1 "$WRITERS"); do
		is "$(head -n 3 "$SB/fail.w$w" 2>/dev/null)" "" "writer $w: every vadduser succeeded"
	done
	is "$(head -n 3 "$SB/fail.del" 2>/dev/null)" "" "deleter: every vdeluser succeeded"
	is "$(cat "$SB/fail.doma" "$SB/fail.domb" 2>/dev/null | head -n 3)" "" "domain adders: every vadddomain succeeded"

	# --- vpasswd: every expected user exactly once, sorted, nothing else
	{
		echo postmaster
		for w in $(seq 1 "$WRITERS"); do for j in $(seq 1 "$PER"); do echo "w${w}x$j"; done; done
	} | sort > "$SB/expected"
	cut -d: -f1 "$DD/vpasswd" > "$SB/names"
	cdb_next
	is "$(sort "$SB/names" | diff "$SB/expected" - | head -n 5)" "" "vpasswd holds exactly the expected users"
	is "$(sort "$SB/names" | uniq -d | head -n 3)" "" "no user appears twice"
	ok_cmd "vpasswd sorted by name" sort -c "$SB/names"
	is "$(awk -F: 'NF < 7' "$DD/vpasswd" | head -n 2)" "" "no torn vpasswd line"
	ok_cmd "vpasswd.cdb has exactly the vpasswd records" vpw_cdb_ok "$DD"

	# --- .dir-control counts allocations minus deletions
	total=$(( 1 + PRE + WRITERS * PER - PRE ))
	bigdir_only is "$(head -n 1 "$DD/.dir-control" 2>/dev/null)" "$total" ".dir-control cur_users = adds - deletes ($total)"
	bigdir_only is "$(wc -l < "$DD/.dir-control" 2>/dev/null)" 8 ".dir-control has 8 lines"

	# --- every vpasswd dir exists, and no user dir is orphaned
	missing=0
	while IFS=: read -r name _ _ _ _ dir _; do
		[ -d "$dir/Maildir/new" ] || { missing=$((missing + 1)); [ $missing = 1 ] && diag "missing: $dir"; }
	done < "$DD/vpasswd"
	is "$missing" 0 "every user's Maildir exists"
	cut -d: -f6 "$DD/vpasswd" | sort > "$SB/dirs"
	find "$DD" -mindepth 1 -maxdepth 3 -type d -name Maildir | sed 's|/Maildir$||' | sort > "$SB/found"
	cdb_next
	is "$(comm -13 "$SB/dirs" "$SB/found" | head -n 3)" "" "no orphaned user directory"
	for j in 1 "$PRE"; do file_absent "$(find "$DD" -maxdepth 2 -name "pre$j" | head -n 1)" "deleted user pre$j has no directory"; done

	# --- qmail files after the parallel vadddomain loops
	ok_cmd "users/assign sorted by key and duplicate-free" vph sorted_by_key assign "$QH/users/assign"
	is "$(tail -n 1 "$QH/users/assign")" "." "users/assign ends with '.'"
	is "$(grep -c '^+' "$QH/users/assign")" $(( 1 + 2 * DOMS )) "users/assign has every domain"
	ok_cmd "users/cdb byte-identical to qmail-newu's output" users_cdb_ok
	cat "$QH/control/rcpthosts" "$QH/control/morercpthosts" 2>/dev/null | sort > "$SB/rcpt"
	{ echo example.com; for l in a b; do for j in $(seq 1 "$DOMS"); do echo "$l$j.org"; done; done; } | sort > "$SB/rcpt.want"
	is "$(diff "$SB/rcpt.want" "$SB/rcpt" | head -n 4)" "" "rcpthosts + morercpthosts hold every domain exactly once"
	ok_cmd "rcpthosts sorted" vph sorted_by_key plain "$QH/control/rcpthosts"
	if [ -e "$QH/control/morercpthosts" ]; then
		ok_cmd "morercpthosts sorted" vph sorted_by_key plain "$QH/control/morercpthosts"
		ok_cmd "morercpthosts.cdb matches morercpthosts" mrh_cdb_ok
	fi
	ok_cmd "virtualdomains sorted and duplicate-free" vph sorted_by_key vd "$QH/control/virtualdomains"
	is "$(wc -l < "$QH/control/virtualdomains")" $(( 1 + 2 * DOMS )) "virtualdomains has every domain"
	is "$(leftovers "$VH" "$QH")" "" "no temporary files left (vpasswd.bak.*, cdb.tmp, *.tmp, ...)"
else
	skip "parallel vadduser/vdeluser/vadddomain: $NOLOCK_WHY"
fi

# ------------------------------------------------------------ kill -9 during vadduser
KILLS=${CONC_KILLS:-30}
torn=0
killed=
for k in $(seq 1 "$KILLS"); do
	killed="$killed${killed:+,}k$k"
	"$B/vadduser" "k$k@example.com" Passw0rd < /dev/null > /dev/null 2>&1 &
	p=$!
	sleep "0.00$((RANDOM % 10))$((RANDOM % 10))"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	# A kill between the rename of vpasswd and the rebuild of vpasswd.cdb
	# leaves the cdb one user behind until the next completed change, and
	# later victims may die before getting that far: only users whose
	# vadduser was killed may differ.
	if ! msg=$(vph vpw_vs_cdb "$DD/vpasswd" "$DD/vpasswd.cdb" "$killed"); then
		torn=$((torn + 1))
		[ $torn -le 3 ] && diag "after kill $k: $msg"
	fi
done
cdb_next
is "$torn" 0 "after each kill -9: vpasswd and vpasswd.cdb parse completely and agree (but for killed adds)"
run vadduser after@example.com Passw0rd
is_rc 0 "vadduser works after the kills"
ok_cmd "vpasswd and vpasswd.cdb agree exactly after the next add" vpw_cdb_ok "$DD"
is "$(cut -d: -f1 "$DD/vpasswd" | sort -c 2>&1)" "" "vpasswd still sorted by name"
is "$(cut -d: -f1 "$DD/vpasswd" | sort | uniq -d)" "" "no duplicate user after the kills"

# ------------------------------------------------------------ temp files of a writer that died
# A cdb.tmp found by the next writer means one died holding the lock: its
# vpasswd.bak.<pid> goes too.  A name that is not a writer's stays.
if [ "$SQL" = 1 ]; then
	for _t in "cdb.tmp" "vpasswd.bak.<pid>" "other name kept" "add works"; do
		skip "mysql backend: no vpasswd temp files: $_t"
	done
else
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	printf 'half' > "$DD/cdb.tmp"
	printf 'half' > "$DD/vpasswd.bak.$dead"
	printf 'mine' > "$DD/vpasswd.bak.notes"
	run vadduser swept@example.com Passw0rd
	file_absent "$DD/cdb.tmp" "a dead writer's cdb.tmp is replaced"
	file_absent "$DD/vpasswd.bak.$dead" "a dead writer's vpasswd.bak.<pid> is removed"
	file_is "$DD/vpasswd.bak.notes" "mine" "a vpasswd.bak.* that is not a writer's stays"
	is_rc 0 "the add works"
	rm -f "$DD/vpasswd.bak.notes"
fi
diag "total time $(( $(date +%s) - start )) s"

done_testing
