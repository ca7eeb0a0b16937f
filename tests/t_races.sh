#!/bin/bash
# t_races.sh - different commands on the same user at the same time, with
# the interleaving forced: strace stops a program (SIGSTOP injected at a
# chosen system call), the other one runs, then the first goes on.
# Invariants: vdelivermail exits 0 only with the message in a Maildir of
# an existing user; a deleted user leaves no directory behind.
. "$(dirname "$0")/lib.sh"
require_bins vdelivermail vadddomain vadduser vdeluser vuserinfo

MSG=$'From: alice@example.net\nSubject: race\n\nbody\n'

have_strace=0
if strace_ok; then
	have_strace=1
fi

# fresh_domain: a new sandbox with example.com; DD is its directory.
fresh_domain() {
	sandbox_new
	setup vadddomain example.com Secret123
	DD=$D/example.com
	: > "$SB/msg"
}

to_bob() {
	export EXT=bob HOST=example.com RPLINE=$'Return-Path: <alice@example.net>\n'
	export DTLINE=$'Delivered-To: example.com-bob@example.com\n'
	printf '%s' "$MSG" > "$SB/msg"
}
msgs_anywhere() { find "$D" -path '*/Maildir/new/*' -type f | wc -l; }

# ------------------------------------------------------------ vdelivermail / vdeluser
# 1. vdelivermail has read bob's record when vdeluser removes the record
# and the directory: finding no directory it must not make a new Maildir
# for a user that is gone (it defers; the next try bounces).
if [ "$have_strace" = 1 ]; then
	fresh_domain
	setup vadduser bob@example.com Passw0rd
	to_bob
	# Held (3 s) on entering its first look at bob's directory: the
	# record has been read (from vpasswd.cdb or the database) by then.
	# (A SIGSTOP injected there would stop it only after the stat.)
	traced dv -P "$DD/bob" -e trace=%stat,%fstat -e inject=%stat,%fstat:delay_enter=3000000:when=1 \
		-- "$top_builddir/vdelivermail" '' bounce-no-mailbox
	held_ok dv "vdelivermail held after its lookup"
	run vdeluser bob@example.com
	is_rc 0 "deleted while vdelivermail had read the record: vdeluser exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	like "$(cat "$SB/dv.rc")" '^(100|111)$' "vdelivermail defers or bounces (not 0 for a user gone)"
	file_absent "$DD/bob" "no Maildir re-created for the deleted user"
	is "$(msgs_anywhere)" 0 "the message is nowhere (so the exit was not 0)"
	setup vadduser bob@example.com Passw0rd && pass "bob can be added again"
else
	skip_no_strace "deleted while delivering" "held after lookup" "vdeluser exit 0" "vdelivermail defers or bounces" "no Maildir re-created" "message nowhere" "bob added again"
fi

# 2. vdeluser has read new/ of bob's Maildir (to remove it) when a
# vdelivermail that had looked bob up links its message there: vdeluser
# must still remove the whole directory, and vdelivermail must not report
# a delivery into a tree that is going.
if [ "$have_strace" = 1 ]; then
	fresh_domain
	setup vadduser bob@example.com Passw0rd
	to_bob
	# vdelivermail stops once the message is in Maildir/tmp (its first fsync)
	traced dv -e trace=fsync -e inject=fsync:signal=SIGSTOP:when=1 \
		-- "$top_builddir/vdelivermail" '' bounce-no-mailbox
	dvp=$(pid_of dv)
	stopped_or_gone "$dvp"
	dvt=$TPID
	# vdeluser stops after reading new/ (if it ever reads it under that name)
	traced del -P "$DD/bob/Maildir/new" -e trace=getdents64,getdents \
		-e inject=getdents64,getdents:signal=SIGSTOP:when=1 \
		-- "$top_builddir/vdeluser" bob@example.com
	delp=$(pid_of del)
	stopped_or_gone "$delp"
	delt=$TPID
	kill -CONT "$dvp" 2>/dev/null
	wait "$dvt"
	kill -CONT "$delp" 2>/dev/null
	wait "$delt"
	is "$(cat "$SB/del.rc")" 0 "vdeluser during a delivery: exit 0"
	file_absent "$DD/bob" "vdeluser during a delivery: bob's directory is gone"
	is "$(find "$DD" -maxdepth 1 -name '.*deleted*')" "" "nothing left of the removed tree"
	rc=$(cat "$SB/dv.rc")
	if [ "$rc" = 0 ]; then
		is "$(msgs_anywhere)" 1 "vdelivermail exit 0: the message is in a Maildir"
	else
		is "$rc" 111 "vdelivermail defers a message for a user being removed"
	fi
	setup vadduser bob@example.com Passw0rd && pass "bob can be added again"
else
	skip_no_strace "delivery during vdeluser" "vdeluser exit 0" "directory gone" "nothing left" "vdelivermail result" "bob added again"
fi

# ------------------------------------------------------------ vaddaliasdomain / vdeldomain
assign_of() { grep "^+$1-:" "$QH/users/assign"; }
in_control() { cat "$QH/control/rcpthosts" "$QH/control/morercpthosts" "$QH/control/virtualdomains" 2>/dev/null | grep -c "^$1\(:\|$\)"; }

# 3. vaddaliasdomain has found the real domain when vdeldomain removes
# it: the alias must not be added, routed to the removed directory.
if [ "$have_strace" = 1 ]; then
	fresh_domain
	stop_at ad "$QH/users/assign.lock" "$top_builddir/vaddaliasdomain" alias.org example.com
	p=$SPID
	run vdeldomain example.com
	is_rc 0 "vdeldomain while vaddaliasdomain runs: exit 0"
	kill -CONT "$p" 2>/dev/null
	wait "$TPID"
	isnt "$(cat "$SB/ad.rc")" 0 "vaddaliasdomain fails: its real domain is gone"
	is "$(assign_of alias.org)" "" "no users/assign line for the alias of a deleted domain"
	is "$(in_control alias.org)" 0 "the alias is in no control file"
else
	skip_no_strace "alias added during vdeldomain" "vdeldomain exit 0" "vaddaliasdomain fails" "no assign line" "no control file"
fi

# 4. vdeldomain has read the names of the domain (real and aliases) when
# vaddaliasdomain adds an alias: that alias goes with the domain.
if [ "$have_strace" = 1 ]; then
	fresh_domain
	stop_at dd "$QH/users/assign.lock" "$top_builddir/vdeldomain" example.com
	p=$SPID
	run vaddaliasdomain alias.org example.com
	is_rc 0 "vaddaliasdomain while vdeldomain runs: exit 0"
	kill -CONT "$p" 2>/dev/null
	wait "$TPID"
	is "$(cat "$SB/dd.rc")" 0 "vdeldomain exit 0"
	is "$(assign_of alias.org)" "" "the alias added meanwhile is out of users/assign"
	is "$(in_control alias.org)" 0 "and out of rcpthosts and virtualdomains"
	file_absent "$DD" "the domain directory is gone"
else
	skip_no_strace "alias added during vdeldomain" "vaddaliasdomain exit 0" "vdeldomain exit 0" "alias out of assign" "out of control files" "directory gone"
fi

# 5. vadduser has found the domain and made the user's directory when
# vdeldomain empties the domain directory; vadduser then writes vpasswd
# there before vdeldomain removes the directory itself.  The domain directory must still go whole (a
# leftover keeps the domain from being added again).
if [ "$have_strace" = 1 ]; then
	fresh_domain
	stop_at au "$DD/.vpasswd.lock" "$top_builddir/vadduser" late@example.com Passw0rd
	aup=$SPID
	aut=$TPID
	# vdeldomain is held on entry to its rmdir of the emptied domain
	# directory (if it ever removes it under that name) while vadduser
	# finishes: a signal would come only after the rmdir.
	traced dd -P "$DD" -e trace=rmdir -e inject=rmdir:delay_enter=4000000 \
		-- "$top_builddir/vdeldomain" example.com
	ddp=$(pid_of dd)
	stopped_or_gone "$ddp"
	ddt=$TPID
	kill -CONT "$aup" 2>/dev/null
	wait "$aut"
	wait "$ddt"
	is "$(cat "$SB/dd.rc")" 0 "vdeldomain during a vadduser: exit 0"
	file_absent "$DD" "vdeldomain during a vadduser: the domain directory is gone"
	is "$(find "$D" -maxdepth 1 -name '.*deleted*')" "" "nothing left of the removed tree"
	setup vadddomain example.com Secret123 && pass "the domain can be added again"
else
	skip_no_strace "vadduser during vdeldomain" "vdeldomain exit 0" "directory gone" "nothing left" "added again"
fi

# 6. --enable-learn-passwords: a login that checked the old password
# stores the clear copy it learned while an admin changes the password;
# the login must not write the old record back over the new password.
if [ "$have_strace" = 1 ] && [ "$SQL" = 0 ] && has_define LEARN_PASSWORDS && has_define CLEAR_PASS; then
	fresh_domain
	setup vadduser bob@example.com Passw0rd
	awk -F: -v OFS=: '$1 == "bob" { $8 = "" } { print }' "$DD/vpasswd" > "$SB/vp" && cat "$SB/vp" > "$DD/vpasswd"
	setup vmkpasswd example.com
	printf '%s\0%s\0' bob@example.com Passw0rd > "$SB/cred"
	: > "$SB/msg"
	exec 3< "$SB/cred"
	# Held on entering its lock for the write of the learned copy.
	traced ck -P "$DD/.vpasswd.lock" -e trace=openat,open -e inject=openat,open:delay_enter=3000000:when=1 \
		-- "$top_builddir/vchkpw" /bin/true
	exec 3<&-
	ckp=$(pid_of ck)
	stopped_or_gone "$ckp"
	run vpasswd bob@example.com NewPass9
	is_rc 0 "learn-passwords: vpasswd while a login learns: exit 0"
	wait "$TPID"
	is "$(cat "$SB/ck.rc")" 0 "  the login, checked against the old password, succeeds"
	is "$(vpw_field "$DD" bob 8)" NewPass9 "  the new password's clear copy stays"
	crypt_ok NewPass9 "$(vpw_field "$DD" bob 2)" && pass "  the new password's hash stays" ||
		fail "  the new password's hash stays"
	ok_cmd "  vpasswd and vpasswd.cdb agree" vpw_cdb_ok "$DD"
else
	for _t in "vpasswd exit 0" "login succeeds" "clear copy stays" "hash stays" "cdb agrees"; do
		skip "needs strace, the cdb module, --enable-learn-passwords and --enable-clear-passwd: $_t"
	done
fi

# 7. Two programs change different fields of one user: the one that read
# the record first is held before it writes, the other one writes; then
# the first must redo its change over the new record, not write back the
# old one (the other's change would be lost).
if [ "$have_strace" = 1 ] && [ "$SQL" = 0 ]; then
	fresh_domain
	setup vadduser bob@example.com Passw0rd
	# held NAME PROG ARGS...: PROG held (3 s) on entering its vpasswd lock.
	held() {
		local name=$1
		shift
		traced "$name" -P "$DD/.vpasswd.lock" -e trace=openat,open \
			-e inject=openat,open:delay_enter=3000000:when=1 -- "$@"
		stopped_or_gone "$(pid_of "$name")"
	}
	held q1 "$top_builddir/vsetuserquota" bob@example.com 5M
	run vmoduser -c "First Gecos" bob@example.com
	wait "$TPID"
	is "$(cat "$SB/q1.rc")" 0 "vsetuserquota while vmoduser -c writes: exit 0"
	is "$(vpw_field "$DD" bob 5):$(vpw_field "$DD" bob 7)" "First Gecos:5242880S" \
		"  both changes are kept"
	held g1 "$top_builddir/vmoduser" -c "Second Gecos" bob@example.com
	run vsetuserquota bob@example.com 7M
	wait "$TPID"
	is "$(cat "$SB/g1.rc")" 0 "vmoduser -c while vsetuserquota writes: exit 0"
	is "$(vpw_field "$DD" bob 5):$(vpw_field "$DD" bob 7)" "Second Gecos:7340032S" \
		"  both changes are kept"
	held p1 "$top_builddir/vpasswd" bob@example.com NewPass7
	run vmoduser -q 9M bob@example.com
	wait "$TPID"
	is "$(cat "$SB/p1.rc")" 0 "vpasswd while vmoduser -q writes: exit 0"
	is "$(vpw_field "$DD" bob 7)" 9437184S "  the quota set meanwhile is kept"
	crypt_ok NewPass7 "$(vpw_field "$DD" bob 2)" && pass "  and the new password stored" ||
		fail "  and the new password stored"
	# vpopmaild's mod_user, held the same way, while vsetuserquota writes.
	printf 'slogin postmaster@example.com Secret123\r\nmod_user bob@example.com\r\ncomment From Vpd\r\n.\r\nq\r\n' > "$SB/msg"
	held v1 "$top_builddir/vpopmaild" -t 10
	run vsetuserquota bob@example.com 3M
	wait "$TPID"
	is "$(tr -d '\r' < "$SB/v1.out" | tr '\n' '|')" "+OK |+OK |+OK |+OK |+OK |" \
		"vpopmaild mod_user while vsetuserquota writes: +OK"
	is "$(vpw_field "$DD" bob 5):$(vpw_field "$DD" bob 7)" "From Vpd:3145728S" \
		"  both changes are kept"
	ok_cmd "  vpasswd and vpasswd.cdb agree" vpw_cdb_ok "$DD"
else
	for _t in "q exit" "q both" "g exit" "g both" "p exit" "p quota kept" "p password" "v ok" "v both" "cdb agrees"; do
		skip "needs strace and the cdb module: concurrent field changes: $_t"
	done
fi

# 8. A vadduser that found the domain before a vdeldomain removed it goes
# on by path, into whatever directory has the name by then: here the one
# of a vadddomain of the name that failed (its users/assign cannot be
# written) and is removing its directory again.  The lock file that
# vadduser makes there must not keep that directory (without its
# .qmail-default, no command could remove it, and every vadddomain of the
# name failed: "Could not make domain dir"; found by a stress run).
if [ "$have_strace" = 1 ]; then
	fresh_domain
	# vadduser stopped when its checks are done, before its first mkdir
	# (its umask(077) comes just before)
	traced au -e trace=umask -e inject=umask:signal=SIGSTOP:when=1 \
		-- "$top_builddir/vadduser" late@example.com Passw0rd
	aup=$(pid_of au)
	stopped_or_gone "$aup"
	aut=$TPID
	run vdeldomain example.com
	is_rc 0 "vdeldomain while a vadduser waits: exit 0"
	# which rename of a vadddomain here is the one of users/assign
	VP_TEST_WRAPPER="$NOLSAN strace -f -o $SB/st.log -e trace=rename" run vadddomain example.com Secret123
	n=$(nth_call "$SB/st.log" rename ", \"$QH/users/assign\")")
	setup vdeldomain example.com
	# the failing vadddomain, held on entering its first rmdir (of its
	# directory; a signal would come only after it) while vadduser goes on
	DD=$SB traced ad -e trace=rename,rmdir -e inject=rename:error=EIO:when=${n:-1} \
		-e inject=rmdir:delay_enter=4000000:when=1 -- "$top_builddir/vadddomain" example.com Secret123
	adp=$(pid_of ad)
	stopped_or_gone "$adp"
	adt=$TPID
	kill -CONT "$aup" 2>/dev/null
	wait "$aut"
	isnt "$(cat "$SB/au.rc")" 0 "vadduser into a domain deleted meanwhile fails"
	wait "$adt"
	isnt "$(cat "$SB/ad.rc")" 0 "vadddomain whose users/assign cannot be written fails"
	file_absent "$DD" "  its directory is gone all the same"
	is "$(find "$D" -maxdepth 1 -name '.*deleted*')" "" "  nothing left of the removed tree"
	run vadddomain example.com Secret123
	is_rc 0 "  the domain can be added again"
else
	skip_no_strace "vadduser's late lock file in a new domain directory" "vdeldomain exit 0" "vadduser fails" "vadddomain fails" "directory gone" "nothing left" "added again"
fi

# 9. vadddomain of a name that a running vdeldomain has taken out of
# users/assign but whose directory it has not removed yet: the add waits
# for the removal and then succeeds (it failed with "Could not make domain
# dir" when it found the directory locked).
if [ "$have_strace" = 1 ]; then
	fresh_domain
	# vdeldomain held on entering the rename that puts the tree aside
	traced dd -P "$DD" -e trace=rename -e inject=rename:delay_enter=3000000:when=1 \
		-- "$top_builddir/vdeldomain" example.com
	ddp=$(pid_of dd)
	stopped_or_gone "$ddp"
	ddt=$TPID
	run vadddomain example.com Secret123
	is_rc 0 "vadddomain while vdeldomain removes the name: waits, then exit 0"
	wait "$ddt"
	is "$(cat "$SB/dd.rc")" 0 "  vdeldomain exit 0"
	file_exists "$DD/.qmail-default" "  the new domain directory is whole"
	is "$(assign_of example.com | wc -l)" 1 "  and the domain is in users/assign"
	run vverifypw postmaster@example.com Secret123
	is_rc 0 "  its postmaster logs in"
else
	skip_no_strace "vadddomain during vdeldomain" "vadddomain exit 0" "vdeldomain exit 0" "directory whole" "in users/assign" "postmaster"
fi

# 10. and 11. vaddaliasdomain holds users/assign from its line there to
# its last control file: a vdeldomain of the alias (10) or of its real
# domain (11) that comes in between waits, then removes the alias from
# every file.  (It took the name out of users/assign before the add wrote
# rcpthosts and virtualdomains, which then kept it for good: vdeldomain
# said the domain does not exist; found by a stress run.)
for _case in alias real; do
	if [ "$LOCKING" != 1 ]; then
		skip "vdeldomain $_case during vaddaliasdomain: $NOLOCK_WHY (5.6's race: the alias can stay in the control files)"
	elif [ "$have_strace" = 1 ]; then
		fresh_domain
		# the add stopped on its way to rcpthosts, its users/assign line written
		stop_at aa "$QH/control/rcpthosts.lock" "$top_builddir/vaddaliasdomain" alias.org example.com
		p=$SPID
		at=$TPID
		# (-f: a real domain that has aliases goes only with -f)
		if [ "$_case" = alias ]; then victim=alias.org; else victim="-f example.com"; fi
		# shellcheck disable=SC2086
		traced dl -e trace=none -- "$top_builddir/vdeldomain" $victim
		dlt=$TPID
		sleep 1
		kill -CONT "$p" 2>/dev/null
		wait "$at"
		wait "$dlt"
		is "$(cat "$SB/aa.rc")" 0 "vaddaliasdomain with vdeldomain $victim coming in: exit 0"
		is "$(cat "$SB/dl.rc")" 0 "  vdeldomain $victim: exit 0"
		is "$(assign_of alias.org)" "" "  the alias is out of users/assign"
		is "$(in_control alias.org)" 0 "  and out of rcpthosts and virtualdomains"
		if [ "$_case" = alias ]; then
			run vaddaliasdomain alias.org example.com
			is_rc 0 "  the alias can be added again"
			run vdeldomain alias.org
			is_rc 0 "  and removed"
		else
			file_absent "$DD" "  the real domain's directory is gone"
			run vadddomain example.com Secret123
			is_rc 0 "  the real domain can be added again"
		fi
		is "$(in_control alias.org)" 0 "  the alias is in no control file at the end"
	else
		skip_no_strace "vdeldomain $_case during vaddaliasdomain" "add exit 0" "del exit 0" "out of assign" "out of control files" "again" "again 2" "none at the end"
	fi
done

# 12. and 13. vdeluser has read the user's record when another vdeluser
# removes the user (12), and a vadduser makes the name anew (13, in
# another hash directory when the build hashes users: a slot freed just
# before is taken).  The record is read again under .userdir.lock: the
# first one says the user does not exist (it said "Illegal username"),
# or deletes the new user whole (it deleted the new record and left its
# directory, where no command could remove it).
for _case in gone readded; do
	if [ "$have_strace" = 1 ]; then
		fresh_domain
		if [ "$_case" = readded ] && has_define USERS_BIG_DIR; then
			# 200 users: the ones past the first hundred go to hash directories
			for i in $(seq 1 200); do printf 'u%s@example.com pw%s-Secret\n' "$i" "$i"; done > "$SB/list"
			setup vadduser -f "$SB/list"
		fi
		setup vadduser zed@example.com Passw0rd
		stop_at dz "$DD/.userdir.lock" "$top_builddir/vdeluser" zed@example.com
		p=$SPID
		# u150's slot (hash directory 0) freed first: the new zed takes it
		[ "$_case" = readded ] && has_define USERS_BIG_DIR && setup vdeluser u150@example.com
		run vdeluser zed@example.com
		is_rc 0 "vdeluser while another one has read the record ($_case): exit 0"
		if [ "$_case" = readded ]; then
			run vadduser zed@example.com Passw0rd
			is_rc 0 "  the name added again"
		fi
		kill -CONT "$p" 2>/dev/null
		wait "$TPID"
		if [ "$_case" = gone ]; then
			is "$(cat "$SB/dz.rc")" 246 "  the first vdeluser: exit 246"
			is "$(cat "$SB/dz.out")" "Error: User does not exist" "  the first vdeluser: User does not exist"
		else
			is "$(cat "$SB/dz.rc")" 0 "  the first vdeluser deletes the new user: exit 0"
			is "$(cat "$SB/dz.out")" "" "  silently"
		fi
		cdb_next
		is "$(grep -c '^zed:' "$DD/vpasswd")" 0 "  no record of zed"
		is "$(find "$DD" -name zed)" "" "  and no directory of zed"
		run vadduser zed@example.com Passw0rd
		is_rc 0 "  zed can be added again"
	else
		_ts=("exit 0" "first" "first 2" "no record" "no directory" "added again")
		[ "$_case" = readded ] && _ts+=("name added again")
		skip_no_strace "vdeluser during vdeluser ($_case)" "${_ts[@]}"
	fi
done

# 14. and 15. vmoduser of a whole domain walks a copy of the user list
# taken when it began: each user is changed from its record as it is
# when its turn comes.  A password set meanwhile stays (writing the copy
# back undid it, silently: 14), and a user deleted meanwhile is skipped
# (the run stopped there, "User does not exist", the users after it
# unchanged: 15).
for _case in vpasswd vdeluser; do
	if [ "$have_strace" = 1 ]; then
		fresh_domain
		for u in amy bob cal; do setup vadduser "$u@example.com" Passw0rd; done
		# held just after its first open of .vpasswd.lock (the walk has begun)
		stop_at vm "$DD/.vpasswd.lock" "$top_builddir/vmoduser" -c Staff example.com
		p=$SPID
		if [ "$_case" = vpasswd ]; then
			run vpasswd cal@example.com NewPass9x
			left="postmaster amy bob cal"
		else
			run vdeluser amy@example.com
			left="postmaster bob cal"
		fi
		is_rc 0 "$_case during vmoduser of the domain: exit 0"
		kill -CONT "$p" 2>/dev/null
		wait "$TPID"
		is "$(cat "$SB/vm.rc")" 0 "  vmoduser of the domain: exit 0"
		is "$(cat "$SB/vm.out")" "" "  silently"
		if [ "$_case" = vpasswd ]; then
			run vverifypw cal@example.com NewPass9x
			is_rc 0 "  the password set meanwhile stays"
		fi
		n=0
		for u in $left; do
			[ "$("$top_builddir/vuserinfo" -c "$u@example.com")" = Staff ] && n=$((n + 1))
		done
		is "$n" "$(echo $left | wc -w)" "  every user ($left) has the new comment"
		cdb_next
		ok_cmd "  vpasswd and vpasswd.cdb agree" vpw_cdb_ok "$DD"
	else
		_ts=("exit 0" "vmoduser exit 0" "silently" "comment" "cdb agrees")
		[ "$_case" = vpasswd ] && _ts+=("password stays")
		skip_no_strace "vmoduser of a domain during $_case" "${_ts[@]}"
	fi
done

# 16. vsetuserquota of a whole domain, a user deleted meanwhile: skipped
# (the run stopped there, as vmoduser's did).
if [ "$have_strace" = 1 ]; then
	fresh_domain
	for u in amy bob cal; do setup vadduser "$u@example.com" Passw0rd; done
	stop_at vq "$DD/.vpasswd.lock" "$top_builddir/vsetuserquota" example.com 5M
	p=$SPID
	run vdeluser amy@example.com
	is_rc 0 "vdeluser during vsetuserquota of the domain: exit 0"
	kill -CONT "$p" 2>/dev/null
	wait "$TPID"
	is "$(cat "$SB/vq.rc")" 0 "  vsetuserquota of the domain: exit 0"
	is "$(cat "$SB/vq.out")" "" "  silently"
	n=0
	for u in postmaster bob cal; do
		[ "$("$top_builddir/vuserinfo" -q "$u@example.com")" = 5242880S ] && n=$((n + 1))
	done
	is "$n" 3 "  every user still there has the new quota"
else
	skip_no_strace "vsetuserquota of a domain during vdeluser" "vdeluser exit 0" "vsetuserquota exit 0" "silently" "quota"
fi

# 17. Two vsetuserquota of one user at once: each stores the record, then
# writes maildirsize; the first, held between the two, wrote its quota
# over the second's, and the two files disagreed for good.
if [ "$have_strace" = 1 ]; then
	fresh_domain
	setup vadduser bob@example.com Passw0rd
	bd=$("$top_builddir/vuserinfo" -d bob@example.com)
	# held just after its first open of the Maildir (to lock it for
	# maildirsize): the record holds 5M by then
	stop_at q5 "$bd/Maildir" "$top_builddir/vsetuserquota" bob@example.com 5M
	p=$SPID
	run vsetuserquota bob@example.com 7M
	is_rc 0 "vsetuserquota 7M while one of 5M waits: exit 0"
	kill -CONT "$p" 2>/dev/null
	wait "$TPID"
	is "$(cat "$SB/q5.rc")" 0 "  the one of 5M: exit 0"
	is "$("$top_builddir/vuserinfo" -q bob@example.com)" 7340032S "  the record: the last quota set"
	is "$(head -n 1 "$bd/Maildir/maildirsize")" 7340032S "  maildirsize: the same quota"
else
	skip_no_strace "two vsetuserquota at once" "7M exit 0" "5M exit 0" "record" "maildirsize"
fi

# ------------------------------------------------------------ SQL records and vdeldomain
# With a database the records do not live in the domain directory that
# vdeldomain removes.  A record stored after vdeldomain deleted the
# domain's rows must not stay behind, for a vadddomain of the name to
# inherit (a user with no directory; a forward nobody there set up).
# The writer is stopped by strace as it sends the statement that stores
# the record (the same n-th sendto as in a probe run).
# held_at_sql NAME TEXT DESC PROG PROBE-ARGS -- ARGS: PROG ARGS traced as
# NAME and held as it sends the statement TEXT, the same n-th sendto as in
# a probe run of PROG PROBE-ARGS; one check (DESC) that it is held.
held_at_sql() {
	local name=$1 text=$2 desc=$3 prog=$4 probe=() n
	shift 4
	while [ "$1" != -- ]; do probe+=("$1"); shift; done
	shift
	strace -f -o "$SB/probe.st" -e trace=sendto "$prog" "${probe[@]}" >/dev/null 2>&1
	n=$(nth_call "$SB/probe.st" sendto "$text")
	traced "$name" -e trace=sendto -e inject=sendto:signal=SIGSTOP:when="${n:-1}" -- "$prog" "$@"
	held_ok "$name" "$desc"
}
if [ "$have_strace" = 1 ] && [ "$SQL" = 1 ]; then
	# 18. vadduser
	fresh_domain
	held_at_sql za "INSERT INTO" "vadduser held as it stores the record" \
		"$top_builddir/vadduser" probe@example.com Passw0rd -- zz@example.com Passw0rd
	run vdeldomain example.com
	is_rc 0 "vdeldomain meanwhile: exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	isnt "$(cat "$SB/za.rc")" 0 "  vadduser fails: the domain is gone"
	setup vadddomain example.com Secret123
	is "$(vpw_count "$DD" zz)" 0 "  the domain added again has no record of the user"
	setup vadduser zz@example.com Passw0rd && pass "  and the user can be added to it"
	# 18b. vadduser -f (one statement for all the file's users)
	fresh_domain
	printf 'p1@example.com Passw0rd1\np2@example.com Passw0rd2\n' > "$SB/probe.list"
	printf 'zz1@example.com Passw0rd1\nzz2@example.com Passw0rd2\n' > "$SB/add.list"
	held_at_sql zf "INSERT INTO" "vadduser -f held as it stores the records" \
		"$top_builddir/vadduser" -f "$SB/probe.list" -- -f "$SB/add.list"
	run vdeldomain example.com
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	isnt "$(cat "$SB/zf.rc")" 0 "  vadduser -f fails: the domain is gone"
	setup vadddomain example.com Secret123
	is "$(vpw_count "$DD" zz1)$(vpw_count "$DD" zz2)" 00 "  the domain added again has no record of the users"
	# 18c. vdeldomain and a vadddomain of the name, both while vadduser
	# is held: the same name and directory path, but not its domain.
	fresh_domain
	held_at_sql zb "INSERT INTO" "vadduser held while the domain is deleted and added again" \
		"$top_builddir/vadduser" probe@example.com Passw0rd -- zy@example.com Passw0rd
	run vdeldomain example.com
	setup vadddomain example.com Secret123
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	isnt "$(cat "$SB/zb.rc")" 0 "  vadduser fails: its domain is gone (a new one has the name)"
	is "$(vpw_count "$DD" zy)" 0 "  the new domain has no record of the user"
else
	for t in held exit rc record add held-f rc-f records-f held-aba rc-aba record-aba; do skip "no database or no usable strace: vadduser during vdeldomain (SQL): $t"; done
fi
if [ "$have_strace" = 1 ] && [ "$SQL" = 1 ] && has_define VALIAS && [ -x "$top_builddir/valias" ]; then
	# 19. valias -i
	fresh_domain
	held_at_sql va "INSERT INTO valias" "valias -i held as it stores the line" \
		"$top_builddir/valias" -i probe@elsewhere.org fwd@example.com -- -i someone@elsewhere.org sales@example.com
	run vdeldomain example.com
	is_rc 0 "vdeldomain meanwhile: exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	isnt "$(cat "$SB/va.rc")" 0 "  valias -i fails: the domain is gone"
	setup vadddomain example.com Secret123
	is "$(sql_db "$DD" "SELECT COUNT(*) FROM valias WHERE domain = 'example.com'")" 0 \
		"  the domain added again has no alias line"
else
	for t in held exit rc line; do skip "no database, valias table or strace: valias -i during vdeldomain (SQL): $t"; done
fi

# 20. A login (vchkpw) that found the user writes its lastauth row after a
# vdeluser deleted the user and its lastauth row: no row may stay for a
# user that is gone (a vadduser of the name would inherit it).  vchkpw is
# stopped as it sends the lastauth statement.
if [ "$have_strace" = 1 ] && [ "$SQL" = 1 ] && [ "$AUTHLOG" = 1 ] && [ -x "$top_builddir/vchkpw" ]; then
	fresh_domain
	setup vadduser nn@example.com Passw0rd
	printf 'nn@example.com\0Passw0rd\0' > "$SB/cred"
	TCPREMOTEIP=203.0.113.9 held_at_sql la "lastauth" "vchkpw held as it writes lastauth" \
		sh -c 'exec "$0" /bin/true 3<"$1"' "$top_builddir/vchkpw" "$SB/cred" -- \
		-c 'exec "$0" /bin/true 3<"$1"' "$top_builddir/vchkpw" "$SB/cred"
	run vdeluser nn@example.com
	is_rc 0 "vdeluser meanwhile: exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	is "$(sql_db "$DD" "SELECT COUNT(*) FROM lastauth WHERE user = 'nn' AND domain = 'example.com'")" 0 \
		"  no lastauth row is left for the deleted user"
else
	for t in held exit row; do skip "no database, auth logging or strace: a login during vdeluser (SQL): $t"; done
fi

# 21, 22. --enable-sql-aliasdomains: the aliasdomains table mirrors the
# alias lines of users/assign.  Each command writes the row to match what
# users/assign says, under its lock, after its own change there (5.6
# wrote what it had done itself, outside the lock: an add and a removal
# at once could leave the row of the one that lost the race).  Each is
# stopped by strace as it opens users/assign.lock for the second time
# (for the mirror), while the other one runs.
alias_rows() { sql_db "$DD" "SELECT COUNT(*) FROM aliasdomains WHERE alias = 'alias.org'"; }
if [ "$have_strace" = 1 ] && [ "$SQL" = 1 ] && has_define SQL_ALIASDOMAINS; then
	fresh_domain
	traced ad -P "$QH/users/assign.lock" -e trace=openat -e inject=openat:signal=SIGSTOP:when=2 -- \
		"$top_builddir/vaddaliasdomain" alias.org example.com
	held_ok ad "vaddaliasdomain held before it mirrors the alias"
	run vdeldomain -f example.com
	is_rc 0 "vdeldomain -f of the real domain meanwhile: exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	is "$(alias_rows)" 0 "  no aliasdomains row for the alias of a deleted domain"

	fresh_domain
	setup vaddaliasdomain alias.org example.com
	traced dd -P "$QH/users/assign.lock" -e trace=openat -e inject=openat:signal=SIGSTOP:when=2 -- \
		"$top_builddir/vdeldomain" alias.org
	held_ok dd "vdeldomain of an alias held before it mirrors the removal"
	run vaddaliasdomain alias.org example.com
	is_rc 0 "the alias added again meanwhile: exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	is "$(grep -c '^+alias.org-:' "$QH/users/assign")/$(alias_rows)" 1/1 \
		"  the alias in users/assign has its aliasdomains row"
else
	for t in held exit row held exit row; do skip "no database, sql-aliasdomains or strace: aliasdomains mirror: $t"; done
fi

# 23. vadduser racing a vdeldomain that wins: the add fails as
# "Domain does not exist" (the cause), not with what the missing
# directory broke on the way (it said "can't read domain limits" or
# "Creation of user's subdirectories failed").
# Held as it opens the domain's .userdir.lock, then as it makes the
# user's directory; vdeldomain runs to its end meanwhile.
if [ "$have_strace" = 1 ]; then
	# (vadduser -f holds the domain's .dir-control from its first mkdir
	# on: a vdeldomain waits for it there)
	for at in lock mkdir "lock (vadduser -f)"; do
		fresh_domain
		args=(late@example.com Passw0rd)
		case $at in *-f*)
			printf 'late@example.com Passw0rd\n' > "$SB/late.list"
			args=(-f "$SB/late.list")
		esac
		if [ "${at%% *}" = lock ]; then
			traced ag -P "$DD/.userdir.lock" -e trace=openat -e inject=openat:signal=SIGSTOP:when=1 -- \
				"$top_builddir/vadduser" "${args[@]}"
		else
			traced ag -P "$DD/late" -P "$DD/0/late" -e trace=mkdir,mkdirat \
				-e inject=mkdir,mkdirat:signal=SIGSTOP:when=1 -- \
				"$top_builddir/vadduser" "${args[@]}"
		fi
		held_ok ag "vadduser held at its $at"
		run vdeldomain example.com
		is_rc 0 "  vdeldomain meanwhile: exit 0"
		kill -CONT "$HELD_PID" 2>/dev/null
		wait "$TPID"
		like "$(cat "$SB/ag.rc") $(cat "$SB/ag.out")" '^245 Error: Domain does not exist($| \(line 1: late@example\.com\)$)' \
			"  vadduser fails: the domain does not exist (-11)"
		file_absent "$DD" "  no domain directory left"
	done
else
	for t in 1 2 3; do
		for c in held exit fails left; do skip "no strace: vadduser racing vdeldomain: $c"; done
	done
fi

# 24. qmail-newu runs under the users/assign lock of the command that
# started it.  That command killed (kill -9) frees the lock; the tool must
# not run on, or it would put a users/cdb built from the older
# users/assign over the one of the next command.  A stand-in qmail-newu
# waits for a file to go, then leaves a mark.
fresh_domain
printf '#!/bin/sh\necho $$ > "%s/newu.pid"\nwhile [ -e "%s/hold" ]; do sleep 0.05; done\n: > "%s/newu.ran"\n' \
	"$SB" "$SB" "$SB" > "$SB/newu-held"
chmod 755 "$SB/newu-held"
: > "$SB/hold"
rm -f "$SB/newu.pid" "$SB/newu.ran"
( exec env VPOPMAIL_QMAIL_NEWU="$SB/newu-held" "$top_builddir/vadddomain" killed.org Secret123 \
	< /dev/null > /dev/null 2>&1 ) &
kp=$!
for i in $(seq 1 200); do [ -s "$SB/newu.pid" ] && break; sleep 0.05; done
is "$(test -s "$SB/newu.pid" && echo started)" started "vadddomain started qmail-newu"
kill -9 "$kp"
wait "$kp" 2>/dev/null
rm -f "$SB/hold"
np=$(cat "$SB/newu.pid" 2>/dev/null)
for i in $(seq 1 100); do kill -0 "$np" 2>/dev/null || break; sleep 0.05; done
file_absent "$SB/newu.ran" "  killed meanwhile: its qmail-newu died with it"

done_testing
