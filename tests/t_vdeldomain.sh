#!/bin/bash
# t_vdeldomain.sh - vdeldomain: usage, errors, alias handling, files removed
# (spec storage-and-admin.md §2.5, §3.6, §8.2).
. "$(dirname "$0")/lib.sh"
require_bins vdeldomain vadddomain vaddaliasdomain vadduser

# ------------------------------------------------------------ usage / version
sandbox_new
run vdeldomain
is_rc 0 "no operand: exit 0"
is_out "$USAGE_VDELDOMAIN" "no operand: usage text"
is_err "" "no operand: nothing on stderr"
run vdeldomain -v
is_rc 0 "-v alone: exit 0"
is_out "version: $VERSION
$USAGE_VDELDOMAIN" "-v alone: version then usage"

# ------------------------------------------------------------ no assign file, unknown domain
run vdeldomain example.com
is_rc 219 "no users/assign: exit 219"
is_out "Error: Can't get domain entries - can't read users/assign file" "no users/assign: message"

setup vadddomain keep.com Secret123
snap=$(snapshot)
run vdeldomain nosuch.com
is_rc 245 "unknown domain: exit 245"
is_out "Error: Domain does not exist" "unknown domain: message"
unchanged "$snap" "unknown domain: no file changed"
run vdeldomain "bad name.com"
is_rc 245 "invalid domain name: exit 245"
is_out "Error: Domain does not exist" "invalid domain name: Domain does not exist"
unchanged "$snap" "invalid domain name: no file changed"

# A directory of a name qmail does not route is removed only when it
# holds the mark vdeldomain leaves before it takes a domain out of qmail's
# files (a vdeldomain killed half way); without it, it is not ours.
mkdir -p "$D/kept.org/bob/Maildir/new"
printf 'mail\n' > "$D/kept.org/bob/Maildir/new/1.x"
snap=$(snapshot)
run vdeldomain kept.org
is_rc 245 "unrouted directory without the mark: exit 245"
is_out "Error: Domain does not exist" "unrouted directory without the mark: message"
unchanged "$snap" "unrouted directory without the mark: kept, mail and all"
: > "$D/kept.org/.vdeldomain-running"
run vdeldomain kept.org
is_rc 0 "unrouted directory with the mark (a killed vdeldomain's): exit 0"
is_err "Warning: removing $D/kept.org, left by an interrupted vdeldomain" \
	"unrouted directory with the mark: the warning"
file_absent "$D/kept.org" "unrouted directory with the mark: removed"

# ------------------------------------------------------------ delete a real domain with users
sandbox_new
setup vadddomain example.com Secret123
setup vadddomain example.org Secret123
setup vadduser bob@example.com Passw0rd
setup vadduser -q 5M carol@example.com Passw0rd
DD=$D/example.com
run vdeldomain example.com
is_rc 0 "vdeldomain example.com: exit 0"
is_out "" "vdeldomain: silent stdout"
is_err "" "vdeldomain: silent stderr"
file_absent "$DD" "domain directory tree removed"
file_lines "$QH/users/assign" "assign keeps only the other domain" \
	"$(assign_line example.org example.org "$D/example.org")" "."
ok_cmd "users/cdb matches the new assign" users_cdb_ok
if cdb_get "$QH/users/$USERS_CDB_NAME" '!example.com-' >/dev/null; then fail "users/cdb no longer knows example.com"; else pass "users/cdb no longer knows example.com"; fi
file_lines "$QH/control/rcpthosts" "rcpthosts keeps only the other domain" example.org
file_lines "$QH/control/virtualdomains" "virtualdomains keeps only the other domain" example.org:example.org
file_mode "$QH/control/rcpthosts" 0644 "rcpthosts still 0644"
file_mode "$QH/users/assign" 0644 "assign still 0644"
dirctl_is "$D/.dir-control" "domains/.dir-control decremented (quirk: 0 2 2)" 1 "0 2 2" "0 0 0" ""
dir_exists "$D/example.org/postmaster/Maildir" "other domain untouched"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"
run vadduser dave@example.com Passw0rd
is_out "Error: Domain does not exist" "deleted domain no longer accepts users"

# re-create after delete
run vadddomain example.com Secret456
is_rc 0 "a deleted domain can be added again"
vpasswd_is "$DD" "re-created domain has a fresh vpasswd" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret456)"

# ------------------------------------------------------------ aliases: refusal without -f
sandbox_new
setup vadddomain example.com Secret123
setup vaddaliasdomain example.com alias.net
setup vaddaliasdomain example.com zalias.org
snap=$(snapshot)
run vdeldomain example.com
is_rc 0 "real domain with aliases, no -f: exit 0"
is_out "Warning: Alias domains exist:
   alias.net
   zalias.org
   use -f to force delete of domain and all aliases" "no -f: warning lists the aliases in assign order"
unchanged "$snap" "no -f: nothing deleted"

# deleting an alias only
run vdeldomain zalias.org
is_rc 0 "vdeldomain alias: exit 0"
is_out "" "vdeldomain alias: silent"
file_lines "$QH/users/assign" "alias removed from assign only" \
	"$(assign_line alias.net example.com "$D/example.com")" \
	"$(assign_line example.com example.com "$D/example.com")" "."
file_lines "$QH/control/rcpthosts" "alias removed from rcpthosts" alias.net example.com
file_lines "$QH/control/virtualdomains" "alias removed from virtualdomains" alias.net:alias.net example.com:example.com
ok_cmd "users/cdb follows assign" users_cdb_ok
dir_exists "$D/example.com/postmaster" "real domain directory kept"
dirctl_is "$D/.dir-control" "deleting an alias leaves the domain counter alone" 1 "0 2 4" "0 0 0" ""
run vdeldomain ZALIAS.org
is_rc 245 "deleted alias is unknown now"

# -f: delete everything
run vdeldomain -f example.com
is_rc 0 "-f: exit 0"
is_out "Warning: Alias domains deleted:
   alias.net" "-f: lists the deleted aliases"
file_lines "$QH/users/assign" "-f: assign empty but for '.'" "."
file_is "$QH/control/rcpthosts" "" "-f: rcpthosts empty"
file_is "$QH/control/virtualdomains" "" "-f: virtualdomains empty"
file_absent "$D/example.com" "-f: domain directory removed"
ok_cmd "-f: users/cdb follows assign" users_cdb_ok

# ------------------------------------------------------------ operand is an alias of a domain with other aliases
sandbox_new
setup vadddomain example.com Secret123
setup vaddaliasdomain example.com alias.net
setup vaddaliasdomain example.com other.net
run vdeldomain Alias.NET
is_rc 0 "upper-case alias operand: exit 0"
is_out "" "alias deletion prints no warning"
file_lines "$QH/users/assign" "only that alias removed" \
	"$(assign_line example.com example.com "$D/example.com")" \
	"$(assign_line other.net example.com "$D/example.com")" "."

# ------------------------------------------------------------ domain without users (.dir-control missing)
sandbox_new
setup vadddomain example.com Secret123
rm -f "$D/example.com/.dir-control"
run vdeldomain example.com
is_rc 0 "domain without .dir-control: exit 0"
if [ "$BIGDIR" = 1 ]; then
	is_err "Warning: Failed to delete dir_control for example.com" "domain without .dir-control: warning on stderr"
else
	is_err "" "domain without .dir-control: no big-dir: none is looked for, no warning (as 5.6)"
fi
file_absent "$D/example.com" "domain without .dir-control: removed anyway"

# ------------------------------------------------------------ domain directory already gone
sandbox_new
setup vadddomain gone.com Secret123
rm -rf "$D/gone.com"
run vdeldomain gone.com
is_rc 0 "directory already gone: exit 0"
_dcw=; [ "$BIGDIR" = 1 ] && _dcw="Warning: Failed to delete dir_control for gone.com"$'\n'
is_err "Warning: Could not access ($D/gone.com)
${_dcw}Warning: Failed to delete directory tree: gone.com" "directory already gone: 5.6's warnings"
file_lines "$QH/users/assign" "directory already gone: the domain leaves users/assign" "."

# ------------------------------------------------------------ domain under -d base dir
sandbox_new
mkdir -p "$SB/base"
setup vadddomain -d "$SB/base" based.com Secret123
run vdeldomain based.com
is_rc 0 "domain made with -d: exit 0"
file_absent "$SB/base/$DOMAINS_DIRNAME/based.com" "domain made with -d: its directory removed"
file_lines "$QH/users/assign" "domain made with -d: assign cleaned" "."

# ------------------------------------------------------------ the domain directory is a symlink
sandbox_new
mkdir -p "$SB/real"
setup vadddomain -d "$SB/real" linked.com Secret123
mv "$SB/real/$DOMAINS_DIRNAME/linked.com" "$SB/elsewhere"
ln -s "$SB/elsewhere" "$SB/real/$DOMAINS_DIRNAME/linked.com"
run vdeldomain linked.com
is_rc 0 "symlinked domain dir: exit 0"
file_absent "$SB/real/$DOMAINS_DIRNAME/linked.com" "symlinked domain dir: link removed"
dir_exists "$SB/elsewhere/postmaster" "symlinked domain dir: target not followed"

# ------------------------------------------------------------ a directory not the domain's own
# users/assign damaged or forged (a hand edit, a fuzzer): the entry goes,
# no tree is removed.  Such an entry once made vdeldomain remove "/"; a
# directory with a ".." component stands in for it here.
sandbox_new
setup vadddomain example.com Secret123
setup vadddomain other.test Secret123
mkdir -p "$SB/keep/sub"; echo kept > "$SB/keep/sub/f"
sed -i "s#:$D/example.com:#:$SB/keep/sub/..:#" "$QH/users/assign"
setup vadddomain third.test Secret123      # rebuilds users/cdb from users/assign
run vadduser bob@example.com Passw0rd
is_rc 255 "damaged directory (a '..' component): vadduser refused"
file_absent "$SB/keep/bob" "damaged directory: no user directory made there"
run vdeldomain example.com
is_rc 0 "damaged directory: vdeldomain exit 0"
like "$ERR" "Warning: Failed to delete directory tree: example.com" "damaged directory: the tree is not removed, and it says so"
file_is "$SB/keep/sub/f" "kept
" "damaged directory: nothing removed there"
dir_exists "$D/other.test/postmaster" "damaged directory: the other domains are left"
is "$(grep -c '^+example.com-' "$QH/users/assign")" 0 "damaged directory: the entry is out of users/assign"
ok_cmd "damaged directory: users/cdb follows users/assign" users_cdb_ok
# a directory that exists but is not named after the domain
sed -i "s#:$D/other.test:#:$SB/keep:#" "$QH/users/assign"
setup vadddomain fourth.test Secret123
run vdeldomain other.test
is_rc 0 "a directory not named after the domain: vdeldomain exit 0"
file_is "$SB/keep/sub/f" "kept
" "a directory not named after the domain: not removed"
is "$(grep -c '^+other.test-' "$QH/users/assign")" 0 "a directory not named after the domain: the entry goes"

# ------------------------------------------------------------ users/assign cannot be written
# (its rename fails, injected with strace): the domain is still routed, so
# nothing of it is deleted and the command fails; run again, it works.
sandbox_new
setup vadddomain example.com Secret123
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -f -o $SB/st.log -e trace=rename" run vdeldomain -f example.com
	setup vadddomain example.com Secret123
	n=$(nth_call "$SB/st.log" rename ", \"$QH/users/assign\")")
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=rename -e inject=rename:error=EIO:when=${n:-1}" \
		run vdeldomain example.com
	isnt "$RC" 0 "users/assign cannot be written: vdeldomain fails"
	grep -q '^+example.com-:' "$QH/users/assign"
	is $? 0 "users/assign cannot be written: the domain is still in it"
	dir_exists "$D/example.com/postmaster" "users/assign cannot be written: its users are kept"
	run vdeldomain example.com
	is_rc 0 "users/assign writable again: vdeldomain works"
	file_absent "$D/example.com" "users/assign writable again: the domain is gone"
else
	for _t in "fails" "still in assign" "users kept" "again: exit 0" "again: gone"; do
		skip "no usable strace (or under a checker): users/assign cannot be written: $_t"
	done
fi

# The same for an alias domain (found on a full file system: it exited 0
# with the alias still routed).
sandbox_new
setup vadddomain example.com Secret123
setup vaddaliasdomain example.com alias.net
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -f -o $SB/st.log -e trace=rename" run vdeldomain alias.net
	setup vaddaliasdomain example.com alias.net
	n=$(nth_call "$SB/st.log" rename ", \"$QH/users/assign\")")
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=rename -e inject=rename:error=ENOSPC:when=${n:-1}" \
		run vdeldomain alias.net
	isnt "$RC" 0 "alias: users/assign cannot be written: vdeldomain fails"
	grep -q '^+alias.net-:' "$QH/users/assign"
	is $? 0 "alias: users/assign cannot be written: the alias is still in it"
	run vdeldomain alias.net
	is_rc 0 "alias: users/assign writable again: vdeldomain works"
	grep -q '^+alias.net-:' "$QH/users/assign"
	is $? 1 "alias: users/assign writable again: the alias is gone"
else
	for _t in "fails" "still in assign" "again: exit 0" "again: gone"; do
		skip "no usable strace (or under a checker): alias: users/assign cannot be written: $_t"
	done
fi

# ------------------------------------------------------------ control/virtualdomains cannot be written
# (its rename fails): the deletion stops before users/assign, so the rerun
# still finds the domain and takes it out of every file.  5.6 went on: the
# name stayed in virtualdomains (and rcpthosts) with no command to remove it.
sandbox_new
setup vadddomain example.com Secret123
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -f -o $SB/st.log -e trace=rename" run vdeldomain example.com
	setup vadddomain example.com Secret123
	n=$(nth_call "$SB/st.log" rename ", \"$QH/control/virtualdomains\")")
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=rename -e inject=rename:error=EIO:when=${n:-1}" \
		run vdeldomain example.com
	isnt "$RC" 0 "virtualdomains cannot be written: vdeldomain fails"
	printf '%s' "$ERR" | grep -qxF "Warning: Failed to delete domain from qmail's control files"
	is $? 0 "virtualdomains cannot be written: 5.6's warning"
	grep -q '^+example.com-:' "$QH/users/assign"
	is $? 0 "virtualdomains cannot be written: the domain is still in users/assign"
	grep -qx 'example.com:example.com' "$QH/control/virtualdomains"
	is $? 0 "virtualdomains cannot be written: ... and in virtualdomains"
	dir_exists "$D/example.com/postmaster" "virtualdomains cannot be written: its users are kept"
	run vdeldomain example.com
	is_rc 0 "virtualdomains writable again: vdeldomain works"
	grep -q 'example.com' "$QH/control/virtualdomains" "$QH/control/rcpthosts" "$QH/users/assign"
	is $? 1 "virtualdomains writable again: the name is in no qmail file"
	file_absent "$D/example.com" "virtualdomains writable again: the domain is gone"
else
	for _t in "fails" "warning" "still in assign" "still in virtualdomains" "users kept" "again: exit 0" "again: in no file" "again: gone"; do
		skip "no usable strace (or under a checker): virtualdomains cannot be written: $_t"
	done
fi

# ------------------------------------------------------------ case of the operand
sandbox_new
setup vadddomain example.com Secret123
run vdeldomain EXAMPLE.COM
is_rc 0 "upper-case operand of a real domain: exit 0"
file_absent "$D/example.com" "upper-case operand: domain removed"

# ------------------------------------------------------------ two at once
# Two vdeldomain of one domain at the same time: one deletes it, the other
# finds it gone (245), never both exit 0 (the second used to go on with
# the directory the first was removing: "Failed to delete directory tree").
sandbox_new
both=0; none=0; rounds=${VDELDOMAIN_RACE_ROUNDS:-25}
for _i in $(seq 1 "$rounds"); do
	"$top_builddir/vadddomain" example.com Secret123 > /dev/null 2>&1
	"$top_builddir/vdeldomain" example.com > "$SB/d1.out" 2>&1 & _p1=$!
	"$top_builddir/vdeldomain" example.com > "$SB/d2.out" 2>&1 & _p2=$!
	wait $_p1; _r1=$?; wait $_p2; _r2=$?
	if [ $_r1 = 0 ] && [ $_r2 = 0 ]; then both=$((both + 1)); fi
	if [ $_r1 != 0 ] && [ $_r2 != 0 ]; then none=$((none + 1)); fi
done
is "$both" 0 "two concurrent vdeldomain: never both exit 0 ($rounds rounds)"
is "$none" 0 "two concurrent vdeldomain: one of them exits 0 ($rounds rounds)"
is "$(grep -v '^Error: Domain does not exist$' "$SB/d1.out" "$SB/d2.out" | grep -c .)" 0 \
	"two concurrent vdeldomain: no warning, only 'Domain does not exist' from the loser"
grep -q '^+example.com-' "$QH/users/assign"
is $? 1 "two concurrent vdeldomain: the domain is gone from users/assign"
file_absent "$D/example.com" "two concurrent vdeldomain: the directory is gone"

done_testing
