#!/bin/bash
# t_vmkpasswd.sh - vmkpasswd: usage, rebuilding vpasswd.cdb, exit statuses,
# no terminal needed (spec storage-and-admin.md §3.4, §8.12).
. "$(dirname "$0")/lib.sh"
require_bins vmkpasswd vadddomain vadduser vaddaliasdomain vuserinfo

USAGE='vmkpasswd: usage: domain '

sandbox_new
run vmkpasswd
is_rc 255 "no operand: exit 255"
is_out "$USAGE" "no operand: usage with its trailing space"
is_err "" "no operand: nothing on stderr"
run vmkpasswd a.com b.com
is_rc 255 "two operands: exit 255"
is_out "$USAGE" "two operands: usage"
run vmkpasswd -v
is_rc 253 "-v is not an option: taken as a domain, exit 253"
is_out "" "-v: silent"

setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
DD=$D/example.com
# vpasswd edited by hand: the index is stale until vmkpasswd
printf 'hand:%s:1:0:Hand Made:%s/hand:NOQUOTA\n' "$(vpw_field "$DD" bob 2)" "$DD" >> "$DD/vpasswd"
run vmkpasswd example.com
is_rc 0 "rebuild: exit 0"
is_out "" "rebuild: silent stdout"
is_err "" "rebuild: silent stderr"
ok_cmd "vpasswd.cdb matches vpasswd" vpw_cdb_ok "$DD"
cdb_next
is "$(cdb_get "$DD/vpasswd.cdb" hand)" "$(sed -n 's/^hand://p' "$DD/vpasswd")" "the hand-made line is indexed"
file_mode "$DD/vpasswd.cdb" 0600 "vpasswd.cdb 0600"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

printf 'late:x:1:0:Late:%s/late:NOQUOTA\n' "$DD" >> "$DD/vpasswd"
run vmkpasswd EXAMPLE.Com
is_rc 0 "mixed-case domain: exit 0"
cdb_next
is "$(cdb_get "$DD/vpasswd.cdb" late)" "x:1:0:Late:$DD/late:NOQUOTA" "mixed-case domain: lower-cased and rebuilt"
printf 'alias:x:1:0:Alias:%s/alias:NOQUOTA\n' "$DD" >> "$DD/vpasswd"
setup vaddaliasdomain example.com alias.net
run vmkpasswd alias.net
is_rc 0 "alias domain: exit 0"
ok_cmd "alias domain: the real domain's index rebuilt" vpw_cdb_ok "$DD"

# works from a pipe with no terminal and no stdin at all
( exec $SETSID "$top_builddir/vmkpasswd" example.com < /dev/null > "$T0/o" 2>&1 <&- ); RC=$?
is_rc 0 "closed stdin, no terminal: exit 0"

snap=$(snapshot)
run vmkpasswd nowhere.com
is_rc 253 "unknown domain: exit 253"
is_out "" "unknown domain: silent"
is_err "" "unknown domain: nothing on stderr"
unchanged "$snap" "unknown domain: no file changed"
run vmkpasswd "$(printf 'd%.0s' $(seq 300)).com"
is_rc 253 "300-character domain: exit 253"
is_out "" "300-character domain: silent"

# the domain directory is gone
mv "$DD" "$SB/moved"
run vmkpasswd example.com
cdb_next
is_rc 253 "missing domain directory: exit 253"
is_out "" "missing domain directory: silent"
mv "$SB/moved" "$DD"

# An index older than vpasswd (a vadduser killed, or failing, between its
# two renames; a hand edit of vpasswd) is rebuilt by the next lookup, so
# the user it misses can log in and get mail.
if [ "$SQL" = 1 ]; then
	for _t in "user found" "index holds vpasswd's records"; do
		skip "mysql backend has no vpasswd.cdb: index older than vpasswd: $_t"
	done
else
	cp -p "$DD/vpasswd.cdb" "$SB/old.cdb"
	setup vadduser newbie@example.com Passw0rd
	cp -p "$SB/old.cdb" "$DD/vpasswd.cdb"
	touch -d '1 minute ago' "$DD/vpasswd.cdb"
	run vuserinfo -n newbie@example.com
	is_out "newbie" "index older than vpasswd: the user it lacks is found"
	ok_cmd "index older than vpasswd: rebuilt with vpasswd's records" vpw_cdb_ok "$DD"
fi

done_testing
