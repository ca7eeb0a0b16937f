#!/bin/bash
# t_bigdir.sh - hashed user and domain directories, .dir-control and the
# backfill list (spec storage-and-admin.md §1.2, §3.6).
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vadduser vdeluser vdeldomain
has_define USERS_BIG_DIR || { echo "1..0 # SKIP built without --enable-users-big-dir"; exit 0; }

# ------------------------------------------------------------ 205 users in one domain
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
failed=0
# user number N (postmaster = 1) is named uN
for n in $(seq 2 205); do
	run vadduser "u$n@example.com" Passw0rd
	[ "$RC" = 0 ] || { failed=$((failed + 1)); [ $failed = 1 ] && diag "u$n: exit $RC: $OUT"; }
	if [ "$n" = 100 ]; then
		dirctl_is "$DD/.dir-control" ".dir-control when user #100 is added" 100 "0 2 2" "0 0 0" 0
	fi
done
is "$failed" 0 "204 users added"
where() { local d; d=$(vpw_field "$DD" "$1" 6); d=${d#$DD/}; d=${d%$1}; printf '%s' "${d%/}"; }
is "$(where u2)" "" "user #2 in the domain root"
is "$(where u99)" "" "user #99 in the domain root"
is "$(where u100)" "0" "user #100 in hash dir 0"
is "$(where u199)" "0" "user #199 in hash dir 0"
is "$(where u200)" "1" "user #200 in hash dir 1"
is "$(where u205)" "1" "user #205 in hash dir 1"
dir_exists "$DD/0/u100/Maildir/new" "u100's Maildir under 0/"
dir_exists "$DD/1/u205/Maildir/new" "u205's Maildir under 1/"
file_mode "$DD/0" 0700 "hash dir 0 is 0700"
file_mode "$DD/1" 0700 "hash dir 1 is 0700"
is "$(ls "$DD/0" | wc -l)" 100 "hash dir 0 holds 100 users"
is "$(ls "$DD/1" | wc -l)" 6 "hash dir 1 holds 6 users"
dirctl_is "$DD/.dir-control" ".dir-control after 205 users" 205 "0 2 2" "1 0 0" 1
file_mode "$DD/.dir-control" 0600 ".dir-control 0600"
cdb_next
is "$(wc -l < "$DD/vpasswd")" 205 "vpasswd holds 205 lines"
is "$(cut -d: -f1 "$DD/vpasswd" | sort -c 2>&1)" "" "vpasswd sorted by name"
ok_cmd "vpasswd.cdb has exactly the 205 records" vpw_cdb_ok "$DD"

# ------------------------------------------------------------ backfill
run vdeluser u150@example.com
is_rc 0 "delete u150 (in 0/): exit 0"
file_absent "$DD/0/u150" "u150's directory removed"
file_lines "$DD/.dir_control_free" "hash dir 0 offered for reuse" 0
file_mode "$DD/.dir_control_free" 0600 ".dir_control_free created 0600"
dirctl_is "$DD/.dir-control" ".dir-control decremented, current dir kept" 204 "0 2 2" "1 0 0" 1

run vadduser new1@example.com Passw0rd
is_rc 0 "add new1 after the delete: exit 0"
is "$(where new1)" "0" "new1 reuses hash dir 0"
dir_exists "$DD/0/new1/Maildir" "new1's Maildir under 0/"
file_is "$DD/.dir_control_free" "" "backfill entry consumed"
file_mode "$DD/.dir_control_free" 0644 ".dir_control_free 0644 after the rewrite"
dirctl_is "$DD/.dir-control" "backfill: cur_users incremented, dir unchanged" 205 "0 2 2" "1 0 0" 1

run vdeluser u50@example.com
is_rc 0 "delete u50 (domain root): exit 0"
file_is "$DD/.dir_control_free" "" "user in the domain root adds no backfill entry"
run vadduser new2@example.com Passw0rd
is "$(where new2)" "1" "new2 goes to the current hash dir 1"
dirctl_is "$DD/.dir-control" ".dir-control after delete + add" 205 "0 2 2" "1 0 0" 1

# two deletes from different hash dirs, then two adds take them in order
setup vdeluser u120@example.com
setup vdeluser u201@example.com
file_lines "$DD/.dir_control_free" "two free slots listed in delete order" 0 1
printf '# a comment\n\n' | cat - "$DD/.dir_control_free" > "$SB/free" && cat "$SB/free" > "$DD/.dir_control_free"
setup vadduser new3@example.com Passw0rd
is "$(where new3)" "0" "first non-comment line used first"
setup vadduser new4@example.com Passw0rd
is "$(where new4)" "1" "second slot used next"
ok_cmd "vpasswd.cdb still consistent" vpw_cdb_ok "$DD"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ 100 domains
sandbox_new
failed=0
for n in $(seq -w 1 100); do
	run vadddomain -O "d$n.com" Secret123
	[ "$RC" = 0 ] || { failed=$((failed + 1)); [ $failed = 1 ] && diag "d$n.com: exit $RC: $OUT"; }
done
is "$failed" 0 "100 domains added"
dir_exists "$D/d099.com/postmaster" "domain #99 in domains/"
dir_exists "$D/0/d100.com/postmaster" "domain #100 in domains/0/"
file_mode "$D/0" 0700 "domains/0 is 0700"
dirctl_is "$D/.dir-control" "domains/.dir-control after 100 domains" 100 "0 2 2" "0 0 0" 0
like "$(cat "$QH/users/assign")" "\\+d100\\.com-:d100\\.com:[0-9]+:[0-9]+:$D/0/d100\\.com:-::" "assign line of domain #100 points into domains/0"
ok_cmd "users/cdb matches assign" users_cdb_ok
run vadduser bob@d100.com Passw0rd
is_rc 0 "user added to domain #100"
is "$(vpw_field "$D/0/d100.com" bob 6)" "$D/0/d100.com/bob" "user dir inside domains/0/d100.com"
dirctl_is "$D/0/d100.com/.dir-control" "domain #100 has its own user counter" 2 "0 2 2" "0 0 0" ""
run vdeldomain d100.com
is_rc 0 "vdeldomain of domain #100: exit 0"
file_absent "$D/0/d100.com" "domains/0/d100.com removed"
dir_exists "$D/0" "hash dir domains/0 kept"
dirctl_is "$D/.dir-control" "domain counter decremented, current dir kept" 99 "0 2 2" "0 0 0" 0
run vadddomain again.com Secret123
dir_exists "$D/1/again.com" "counter reaches 100 again: the allocator moves on to domains/1"
dirctl_is "$D/.dir-control" "domains/.dir-control after the threshold triggered again" 100 "0 2 2" "1 0 0" 1

# The hash directory of the next user cannot be made (a full file system):
# the add fails and the user is not counted (the count went up each time).
if strace_ok; then
	sandbox_new
	setup vadddomain example.com Secret123
	DD=$D/example.com
	printf '99\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n' > "$DD/.dir-control"
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -P $DD/0 -e trace=mkdir -e inject=mkdir:error=ENOSPC" \
		run vadduser hd1@example.com Passw0rd
	isnt "$RC" 0 "hash directory cannot be made: vadduser fails"
	is "$(head -1 "$DD/.dir-control")" 99 "... and the user is not counted"
	# that hash directory is passed over: the next add goes on with 1
	run vadduser hd2@example.com Passw0rd
	is_rc 0 "the next add works"
	is "$(vpw_field "$DD" hd2 6)" "$DD/1/hd2" "... in the next hash directory"
	is "$(head -1 "$DD/.dir-control")" 100 "... and is counted once"
else
	for i in 1 2 3 4 5; do skip "no usable strace: hash directory cannot be made"; done
fi

# What a killed vdeluser (after the record went) or vadduser (after it made
# the directory) left in a hash directory: the next holder of the domain's
# .userdir.lock, an add or delete of any name, removes it and gives its
# place back (the intent each writes into the lock file).  Before, it stayed
# once the name was added again in another hash directory, counted.
count() { head -1 "$DD/.dir-control"; }
asides() { find "$DD" -maxdepth 1 -name '.*.deleted.*' | wc -l; }
# killed_at SYSCALL[#N] PATH PROG ARGS...: PROG killed at its first (Nth)
# SYSCALL on PATH (any path if empty)
killed_at() {
	local sc=${1%%#*} n=1 path=$2
	[ "$sc" = "$1" ] || n=${1#*#}
	shift 2
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null ${path:+-P $path} -e trace=$sc -e inject=$sc:signal=KILL:when=$n" \
		run "$@"
}
if [ "$LOCKING" != 1 ]; then
	for i in $(seq 65); do skip "killed adds and deletes: the repair runs under .userdir.lock: $NOLOCK_WHY"; done
elif strace_ok; then
	sandbox_new
	setup vadddomain example.com Secret123
	DD=$D/example.com
	printf '199\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n' > "$DD/.dir-control"
	for u in hank ida kim lee nat; do setup vadduser "$u@example.com" Passw0rd; done
	is "$(vpw_field "$DD" hank 6)" "$DD/1/hank" "hank is in hash directory 1"
	is "$(count)" 204 "204 users counted"

	killed_at rename "$DD/1/hank" vdeluser hank@example.com
	isnt "$RC" 0 "vdeluser killed as it sets the directory aside"
	is "$(vpw_count "$DD" hank)" 0 "... after the record went"
	dir_exists "$DD/1/hank/Maildir" "... the directory stays"
	run vadduser jo@example.com Passw0rd
	is_rc 0 "the next add (another name): exit 0"
	file_absent "$DD/1/hank" "... removes the killed delete's directory"
	is "$(count)" 204 "... gives its place back (204: 204 - hank + jo)"
	is "$(vpw_field "$DD" jo 6)" "$DD/1/jo" "... which jo takes"
	file_is "$DD/.dir_control_free" "" "... from the free list"

	killed_at mkdir "$DD/1/kim2/Maildir/tmp" vadduser kim2@example.com Passw0rd
	isnt "$RC" 0 "vadduser killed as it makes the Maildir"
	dir_exists "$DD/1/kim2/Maildir/new" "... leaves a part of the skeleton"
	is "$(count)" 205 "... counted"
	run vdeluser ida@example.com
	is_rc 0 "the next delete (another name): exit 0"
	file_absent "$DD/1/kim2" "... removes the killed add's skeleton"
	is "$(count)" 203 "... and gives its place back (203: 205 - kim2 - ida)"
	file_lines "$DD/.dir_control_free" "... both places offered for reuse" 1 1

	killed_at unlinkat "" vdeluser lee@example.com
	isnt "$RC" 0 "vdeluser killed as it removes the directory set aside"
	is "$(asides)" 1 "... leaves .lee.deleted.<pid>"
	run vadduser mo@example.com Passw0rd
	is_rc 0 "the next add: exit 0"
	is "$(asides)" 0 "... removes what was set aside"
	is "$(count)" 203 "... gives its place back (203: 203 - lee + mo)"

	killed_at rename "$DD/1/nat" vdeluser nat@example.com
	isnt "$RC" 0 "vdeluser killed again after the record went"
	run vdeluser nat@example.com
	is_rc 0 "the admin runs it again: exit 0"
	is_err "Warning: removing $DD/1/nat, left by an interrupted vdeluser" "... as it finishes it"
	file_absent "$DD/1/nat" "... the directory is gone"
	is "$(count)" 202 "... counted down once"
	is "$(leftovers "$VH" "$QH")" "" "no temporary files left"
	ok_cmd "vpasswd.cdb consistent" vpw_cdb_ok "$DD"
	is "$(find "$DD/1" -mindepth 1 -maxdepth 1 | sort | sed "s|$DD/1/||" | tr '\n' ' ')" \
		"jo kim mo " "hash directory 1 holds only the users there are"

	# The settling killed too, as it removes what the killed vdeluser
	# left: the next one finishes it (the tree is set aside under the
	# first one's name, which the lock file gives).
	setup vadduser sam@example.com Passw0rd
	before=$(count)
	killed_at rename "$DD/1/sam" vdeluser sam@example.com
	isnt "$RC" 0 "vdeluser killed after the record went"
	killed_at unlinkat "" vadduser tom@example.com Passw0rd
	isnt "$RC" 0 "the next add killed as it removes that directory"
	run vadduser tom@example.com Passw0rd
	is_rc 0 "the add again: exit 0"
	is "$(asides)" 0 "... nothing set aside is left"
	file_absent "$DD/1/sam" "... nor sam's directory"
	is "$(count)" "$before" "... the count: sam down, tom up"
	setup vdeluser tom@example.com

	# The lock file tells the next holder whether the place was counted
	# (or given back) yet: vadduser killed right after .dir-control
	# counted its place (at the check that hash directory 1 exists), and
	# vdeluser killed after the free list got the place, before the count
	# went down.
	killed_at mkdir "$DD/1" vadduser olaf@example.com Passw0rd
	isnt "$RC" 0 "vadduser killed right after counting its place"
	is "$(count)" 203 "... counted"
	run vadduser pia@example.com Passw0rd
	is "$(count)" 203 "the next add: the count is pia's only"
	killed_at rename "$DD/.dir-control.tmp" vdeluser pia@example.com
	isnt "$RC" 0 "vdeluser killed as it counts down"
	file_absent "$DD/1/pia" "... after removing the directory"
	run vadduser quinn@example.com Passw0rd
	is "$(count)" 203 "the next add: pia counted down, quinn up"

	# vadduser -f writes .dir-control once per batch: killed in a batch,
	# the places of that batch were never counted, those of the batches
	# before were; and a place reused from .dir_control_free is back there.
	setup vdeluser kim@example.com
	before=$(count)
	for i in $(seq 300); do echo "b$i@example.com Passw0rd"; done > "$SB/list"
	# (five mkdirs per user: the kill comes after a batch or two)
	killed_at mkdir#1000 "" vadduser -f "$SB/list"
	isnt "$RC" 0 "vadduser -f killed part way"
	like "$(find "$DD" -mindepth 2 -maxdepth 2 -name 'b*' | wc -l)" "^[1-9][0-9]+$" "... after making a hundred directories or more"
	run vadduser pat@example.com Passw0rd
	is_rc 0 "the next add: exit 0"
	is "$(find "$DD" -mindepth 2 -maxdepth 2 -name 'b*' | wc -l)" 0 "... removes every directory the bulk add made"
	is "$(count)" "$((before + 1))" "... the count is one up: pat"
	run vadduser -f "$SB/list"
	is_rc 0 "the bulk add again: exit 0"
	is "$(count)" "$((before + 301))" "... the count is right"
	is "$(find "$DD" -mindepth 2 -maxdepth 2 -name 'b*' | wc -l)" 300 "... 300 directories"
	# killed just after the first batch's count was written (at the
	# unlock of .dir-control): those places were counted, and are given back
	for i in $(seq 100); do echo "c$i@example.com Passw0rd"; done > "$SB/list2"
	before=$(count)
	killed_at flock#2 "$DD" vadduser -f "$SB/list2"
	isnt "$RC" 0 "vadduser -f killed as its first batch was counted"
	isnt "$(count)" "$before" "... counted"
	run vadduser rex@example.com Passw0rd
	is "$(count)" "$((before + 1))" "the next add: the count is one up: rex"
	is "$(find "$DD" -mindepth 2 -maxdepth 2 -name 'c[0-9]*' | wc -l)" 0 "... no directory of the bulk add is left"

	# vadduser killed after .dir_control_free gave it a place, before the
	# count (at the lock of .dir-control): the next holder offers that
	# place again (the lock file names it).  Before, it was lost.
	before=$(count)
	printf '5\n' > "$DD/.dir_control_free"
	killed_at flock "$DD" vadduser uma@example.com Passw0rd
	isnt "$RC" 0 "vadduser killed as it takes a place from the free list"
	file_is "$DD/.dir_control_free" "" "... which no longer lists it"
	is "$(count)" "$before" "... not counted yet"
	run vadduser vic@example.com Passw0rd
	is_rc 0 "the next add: exit 0"
	is "$(vpw_field "$DD" vic 6)" "$DD/5/vic" "... is given that place, offered again"
	is "$(count)" "$((before + 1))" "... counted once"
	file_is "$DD/.dir_control_free" "" "... the list is empty again"
	# The same in a bulk add's batch (killed as it makes the hash
	# directory the list gave it, before its line said which).
	before=$(count)
	printf '6\n' > "$DD/.dir_control_free"
	printf 'wes@example.com Passw0rd\nxia@example.com Passw0rd\n' > "$SB/list3"
	killed_at mkdir "$DD/6" vadduser -f "$SB/list3"
	isnt "$RC" 0 "vadduser -f killed as it takes a place from the free list"
	file_is "$DD/.dir_control_free" "" "... which no longer lists it"
	run vadduser yan@example.com Passw0rd
	is "$(vpw_field "$DD" yan 6)" "$DD/6/yan" "the next add is given that place, offered again"
	is "$(count)" "$((before + 1))" "... counted once"
else
	for i in $(seq 65); do skip "no usable strace: killed adds and deletes"; done
fi

# ------------------------------------------------------------ owner of the free list (root only)
# .dir_control_free belongs to whoever ran vdeluser (5.6 does not chown it),
# unlike the domain's other files; vadduser's rewrite keeps that owner.
if [ "$(id -u)" = 0 ]; then
	sandbox_new
	setup vadddomain -i 54321 -g 54322 ids.com Secret123
	DD=$D/ids.com
	# the 100th user of the domain goes to hash dir 0
	printf '99\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n' > "$DD/.dir-control"
	setup vadduser hbob@ids.com Passw0rd
	is "$(vpw_field "$DD" hbob 6)" "$DD/0/hbob" "user #100 of a -i/-g domain in hash dir 0"
	setup vdeluser hbob@ids.com
	is "$(owner_of "$DD/.dir_control_free") $(mode_of "$DD/.dir_control_free")" "0:0 0600" \
		".dir_control_free made by vdeluser: the caller's, 0600"
	is "$(owner_of "$DD/.dir_control_free.lock") $(mode_of "$DD/.dir_control_free.lock")" "0:0 0600" \
		".dir_control_free.lock: the caller's, 0600"
	setup vadduser hcar@ids.com Passw0rd
	is "$(vpw_field "$DD" hcar 6)" "$DD/0/hcar" "the next user takes the freed place"
	is "$(owner_of "$DD/.dir_control_free") $(mode_of "$DD/.dir_control_free")" "0:0 0644" \
		".dir_control_free rewritten by vadduser: still the caller's, 0644"
else
	for i in $(seq 5); do skip "ownership needs root"; done
fi

done_testing
