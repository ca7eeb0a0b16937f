#!/bin/bash
# t_vdeluser.sh - vdeluser: usage, errors, catch-all refusal, files removed
# (spec storage-and-admin.md §3.3-§3.6, §8.5).
. "$(dirname "$0")/lib.sh"
require_bins vdeluser vadduser vadddomain vaddaliasdomain vmkpasswd

# ------------------------------------------------------------ usage / version
sandbox_new
run vdeluser
is_rc 255 "no operand: exit 255"
is_out "$USAGE_VDELUSER" "no operand: usage"
is_err "" "no operand: nothing on stderr"
run vdeluser -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VDELUSER" "-v alone: version then usage"

# ------------------------------------------------------------ delete a user
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vadduser -q 5M carol@example.com Passw0rd
DD=$D/example.com
run vdeluser bob@example.com
is_rc 0 "vdeluser bob@example.com: exit 0"
is_out "" "success: silent stdout"
is_err "" "success: silent stderr"
vpasswd_is "$DD" "bob's line removed, others kept" \
	"$(vpw_line carol carol "$DD/carol" 5242880S Passw0rd)" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)"
file_mode "$DD/vpasswd" 0600 "vpasswd 0600 after a delete"
ok_cmd "vpasswd.cdb rebuilt without bob" vpw_cdb_ok "$DD"
if cdb_get "$DD/vpasswd.cdb" bob >/dev/null; then fail "bob not in vpasswd.cdb"; else pass "bob not in vpasswd.cdb"; fi
file_absent "$DD/bob" "bob's directory removed"
bigdir_only dirctl_is "$DD/.dir-control" ".dir-control decremented to 2" 2 "0 2 2" "0 0 0" ""
file_absent "$DD/.dir_control_free" "user in the domain root: no backfill entry"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

run vadduser bob@example.com NewPass1
is_rc 0 "a deleted user can be added again"
ok_cmd "re-added user has the new password" crypt_ok NewPass1 "$(vpw_field "$DD" bob 2)"

run vdeluser CAROL@Example.COM
is_rc 0 "mixed-case address: exit 0"
is "$(vpw_count "$DD" carol)" 0 "mixed-case address: carol removed"
file_absent "$DD/carol" "mixed-case address: directory removed"

setup vaddaliasdomain example.com alias.net
run vdeluser bob@alias.net
is_rc 0 "delete through an alias domain: exit 0"
is "$(vpw_count "$DD" bob)" 0 "delete through an alias: bob removed from the real domain"

# ------------------------------------------------------------ errors
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
DD=$D/example.com
snap=$(snapshot)
run vdeluser nobody@example.com
is_rc 246 "unknown user: exit 246"
is_out "Error: User does not exist" "unknown user: message"
unchanged "$snap" "unknown user: no file changed"

# A directory of a user without a record is removed only when it holds the
# mark vdeluser leaves there before it removes the record (a vdeluser
# killed half way); without it, it is not ours, and the add of the name
# still fails as in 5.6.
mkdir -p "$DD/olga/Maildir/new" "$DD/olga/Maildir/cur" "$DD/olga/Maildir/tmp"
printf 'mail\n' > "$DD/olga/Maildir/new/1.x"
snap=$(snapshot)
run vdeluser olga@example.com
is_rc 246 "unrecorded directory without the mark: exit 246"
unchanged "$snap" "unrecorded directory without the mark: kept, mail and all"
run vadduser olga@example.com Passw0rd
is_rc 249 "unrecorded directory without the mark: vadduser of the name fails (249)"
: > "$DD/olga/.vdeluser-running"
run vdeluser olga@example.com
is_rc 0 "unrecorded directory with the mark (a killed vdeluser's): exit 0"
is_err "Warning: removing $DD/olga, left by an interrupted vdeluser" "... the warning"
file_absent "$DD/olga" "... the directory is removed"
mkdir -p "$DD/pia/Maildir/new" "$DD/pia/Maildir/cur" "$DD/pia/Maildir/tmp"
printf 'mail\n' > "$DD/pia/Maildir/new/1.x"
: > "$DD/pia/.vdeluser-running"
run vadduser pia@example.com Passw0rd
if [ "$LOCKING" = 1 ]; then
	is_rc 0 "vadduser over a marked directory of a user without a record: exit 0"
	file_absent "$DD/pia/Maildir/new/1.x" "... the deleted user's mail is not the new user's"
	file_absent "$DD/pia/.vdeluser-running" "... nor the mark"
else	# the directory is replaced only under .userdir.lock: without it, as 5.6
	is_rc 249 "vadduser over a marked directory, no file locking: fails as in 5.6 (249)"
	file_exists "$DD/pia/Maildir/new/1.x" "... the deleted user's mail is kept"
	file_exists "$DD/pia/.vdeluser-running" "... and the mark, for vdeluser"
fi
setup vdeluser pia@example.com
snap=$(snapshot)

run vdeluser bob@nowhere.com
is_rc 245 "unknown domain: exit 245"
is_out "Error: Domain does not exist" "unknown domain: message"
unchanged "$snap" "unknown domain: no file changed"

run vdeluser "bad user@example.com"
is_rc 255 "invalid user: exit 255"
is_out "Error: Illegal username" "invalid user: stdout"
is_err "user invalid bad user" "invalid user: stderr"
unchanged "$snap" "invalid user: no file changed"

run vdeluser "bob@bad_domain.com"
is_rc 255 "invalid domain: exit 255"
is_out "Error: Illegal username" "invalid domain: stdout"
is_err "domain invalid bad_domain.com" "invalid domain: stderr"

run vdeluser $'bo\nb@example.com'
is_rc 255 "newline in user: exit 255"
is_out "Error: Illegal username" "newline in user: stdout"
unchanged "$snap" "newline in user: no file changed"

run vdeluser bob
like "$RC" '^(245|246|255)$' "no domain and no default domain: refused"
unchanged "$snap" "no domain: no file changed"

run vdeluser @example.com
is_rc 255 "empty user: exit 255"
is_out "Error: Illegal username" "empty user: message"
unchanged "$snap" "empty user: no file changed"

run vdeluser ../postmaster@example.com
like "$RC" '^(246|255)$' "'../postmaster': refused"
unchanged "$snap" "'../postmaster': no file changed"

run vdeluser "$(printf 'u%.0s' $(seq 65))@example.com"
is_rc 246 "65-character user: not found, exit 246 (5.6 checks no length here)"
is_out "Error: User does not exist" "65-character user: message"
unchanged "$snap" "65-character user: no file changed"

run vdeluser "bob@$(printf 'd%.0s' $(seq 95)).com"
is_rc 245 "99-character domain: not found, exit 245"
is_out "Error: Domain does not exist" "99-character domain: message"
unchanged "$snap" "99-character domain: no file changed"

run vdeluser vpasswd@example.com
is_rc 246 "user named vpasswd: exit 246"
is_out "Error: User does not exist" "user named vpasswd: message"
unchanged "$snap" "user named vpasswd: vpasswd file kept"

# ------------------------------------------------------------ umask, a missing directory
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vadduser carol@example.com Passw0rd
DD=$D/example.com
bigdir_only file_mode "$DD/.dir-control" 0600 ".dir-control 0600 after vadduser"
old_umask=$(umask)
umask 022
run vdeluser carol@example.com
umask "$old_umask"
is_rc 0 "vdeluser under umask 022: exit 0"
bigdir_only file_mode "$DD/.dir-control" 0600 ".dir-control still 0600 after vdeluser under umask 022 (umask 077, as 5.6)"

rm -rf "$DD/bob"
run vdeluser bob@example.com
is_rc 253 "user directory already gone: exit 253, as 5.6"
is_out "Error: Unable to chdir to vpopmail directory" "directory gone: stdout"
is_err "could not remove $DD/bob" "directory gone: stderr names it"
is "$(vpw_count "$DD" bob)" 0 "directory gone: the record is removed all the same"
ok_cmd "directory gone: vpasswd.cdb consistent" vpw_cdb_ok "$DD"

# A tree that cannot be removed whole (a file in it that cannot be
# unlinked: immutable for root, in a read-only directory otherwise) is
# put back under its own name, where the message says it is, not left
# under the name it was moved to for the removal.
setup vadduser dave@example.com Passw0rd
: > "$DD/dave/Maildir/cur/stuck"
if [ "$(id -u)" = 0 ]; then
	chattr +i "$DD/dave/Maildir/cur/stuck" 2>/dev/null && stuck=1 || stuck=0
else
	chmod 0500 "$DD/dave/Maildir/cur" && stuck=1
fi
if [ "$stuck" = 1 ]; then
	run vdeluser dave@example.com
	is_rc 253 "a tree that cannot be removed: exit 253"
	is_err "could not remove $DD/dave" "a tree that cannot be removed: stderr names it"
	file_exists "$DD/dave/Maildir/cur/stuck" "what could not be removed is back under the user's name"
	is "$(find "$DD" -maxdepth 1 -name '.*deleted*')" "" "no renamed tree left behind"
	file_exists "$DD/dave/.vdeluser-running" "... marked again: the next vdeluser of the name finishes it"
	# wherever it is: the sandbox must stay removable
	find "$DD" -name stuck -exec chattr -i {} + 2>/dev/null
	find "$DD" -path '*/Maildir/cur' -exec chmod 0700 {} + 2>/dev/null
	run vdeluser dave@example.com
	is_rc 0 "once it can be removed: vdeluser of the name: exit 0"
	file_absent "$DD/dave" "... the tree is gone"
	rm -rf "$DD/dave" "$DD"/.dave.deleted.*
else
	for _t in "exit 253" "stderr" "back under its name" "nothing renamed left" "marked again" \
	          "then exit 0" "then gone"; do
		skip "no way to make a file undeletable here (chattr): $_t"
	done
fi

# ------------------------------------------------------------ what a killed vdeluser left
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
# Killed while removing the tree: what it had set aside in the domain
# directory (".<user>.deleted.<pid>", its process gone) goes with the next
# vdeluser, of the name or of another; a live process's stays.
deadpid=$(sh -c 'echo $$')
mkdir -p "$DD/.quinn.deleted.$deadpid/Maildir/new" "$DD/.quinny.deleted.$deadpid" "$DD/.quinn.deleted.$$"
printf 'mail\n' > "$DD/.quinn.deleted.$deadpid/Maildir/new/1.x"
run vdeluser quinn@example.com
is_rc 246 "set-aside tree of a killed removal, no record: exit 246"
is_out "Error: User does not exist" "... User does not exist"
file_absent "$DD/.quinn.deleted.$deadpid" "... the tree set aside by a dead process is removed"
file_absent "$DD/.quinny.deleted.$deadpid" "... and another name's"
dir_exists "$DD/.quinn.deleted.$$" "... a live process's is left alone"
rm -rf "$DD/.quinn.deleted.$$"
mkdir -p "$DD/.zed.deleted.$deadpid/Maildir/cur"
setup vadduser ann@example.com Passw0rd
run vdeluser ann@example.com
is_rc 0 "vdeluser of a user: exit 0"
file_absent "$DD/.zed.deleted.$deadpid" "... and another name's dead set-aside tree went with it"
if has_define USERS_BIG_DIR; then
	# big-dir: the next user (#200) goes to hash directory 1.  Killed
	# after the record went, vdeluser leaves the marked directory there.
	printf '199\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n' > "$DD/.dir-control"
	setup vadduser rita@example.com Passw0rd
	dir_exists "$DD/1/rita/Maildir/new" "big-dir: rita is in hash directory 1"
	mv "$DD/1/rita" "$SB/rita.kept"
	run vdeluser rita@example.com          # the record goes, the directory is not there
	mv "$SB/rita.kept" "$DD/1/rita"
	: > "$DD/1/rita/.vdeluser-running"
	mkdir -p "$DD/1/sven/Maildir/new"
	run vdeluser rita@example.com
	is_rc 0 "big-dir: marked directory in a hash directory, no record: exit 0"
	is_err "Warning: removing $DD/1/rita, left by an interrupted vdeluser" "... the warning names it"
	file_absent "$DD/1/rita" "... the directory is removed"
	is "$(find "$DD" -name '.*deleted*')" "" "... nothing set aside is left"
	run vdeluser sven@example.com
	is_rc 246 "big-dir: unmarked directory in a hash directory, no record: exit 246"
	dir_exists "$DD/1/sven/Maildir/new" "... it is not ours: kept"
	rm -rf "$DD/1/sven"
else
	for _t in "exit 0" "warning" "removed" "nothing left" "unmarked: exit 246" "unmarked: kept"; do
		skip "built with --disable-users-big-dir: hashed leftover: $_t"
	done
fi
# A user database that cannot be read is not "no such user": the marked
# directory of a user whose vdeluser was killed before the record went
# stays while the lookup fails (it is still that user's mailbox).
if [ "$SQL" != 1 ]; then
	setup vadduser tess@example.com Passw0rd
	tdir=$(vpw_field "$DD" tess 6)
	: > "$tdir/.vdeluser-running"
	cp "$DD/vpasswd.cdb" "$T0/cdb.saved"
	printf 'torn' > "$DD/vpasswd.cdb"       # not older than vpasswd: not rebuilt
	run vdeluser tess@example.com
	dir_exists "$tdir/Maildir/new" "unreadable user database: tess's marked directory is kept"
	cp "$T0/cdb.saved" "$DD/vpasswd.cdb"; touch "$DD/vpasswd.cdb"
	run vdeluser tess@example.com
	is_rc 0 "database readable again: vdeluser of tess: exit 0"
	file_absent "$tdir" "... and her directory goes"
else
	skip "mysql: the cdb file is not the user database: unreadable database keeps the directory"
	skip "mysql: database readable again: exit 0"
	skip "mysql: database readable again: directory goes"
fi

# A record without a directory (a hand-edited line, a backend call): the
# record goes and that is success (5.6 then failed removing "": 253).
if [ "$SQL" != 1 ]; then
	setup vadduser nodir@example.com Passw0rd
	ndir=$(vpw_field "$DD" nodir 6)
	rm -rf "$ndir"
	sed -i 's#^\(nodir:[^:]*:[^:]*:[^:]*:[^:]*:\)[^:]*:#\1:#' "$DD/vpasswd"
	setup vmkpasswd example.com
	is "$(vpw_field "$DD" nodir 6)" "" "a record without a directory"
	run vdeluser nodir@example.com
	is_rc 0 "vdeluser of a record without a directory: exit 0"
	is_err "" "... nothing on stderr"
	is "$(vpw_count "$DD" nodir)" 0 "... the record is gone"
	# A record whose directory is the domain's own, or its parent through
	# "..": the record goes, no tree (".." once took every domain with it).
	setup vadddomain other.test Secret123
	for forged in "$DD/.." "$DD" "$DD/x/../.."; do
		setup vadduser forged@example.com Passw0rd
		fdir=$(vpw_field "$DD" forged 6)
		rm -rf "$fdir"
		sed -i "s#^\(forged:[^:]*:[^:]*:[^:]*:[^:]*:\)[^:]*:#\1$forged:#" "$DD/vpasswd"
		setup vmkpasswd example.com
		run vdeluser forged@example.com
		is "$(vpw_count "$DD" forged)" 0 "record with directory $forged: the record is gone"
		dir_exists "$D/other.test/postmaster" "record with directory $forged: the other domains are left"
		dir_exists "$DD/postmaster" "record with directory $forged: the domain's other users are left"
	done
else
	for _t in "record without directory" "exit 0" "stderr" "record gone"; do
		skip "mysql: vpasswd is not the user database: $_t"
	done
	for _t in 1 2 3 4 5 6 7 8 9; do
		skip "mysql: vpasswd is not the user database: a record naming the domain or its parent ($_t)"
	done
fi

# ------------------------------------------------------------ catch-all refusal
sandbox_new
setup vadddomain -e catch@example.com example.com Secret123
setup vadduser catch@example.com Passw0rd
setup vadduser catch2@example.com Passw0rd
snap=$(snapshot)
run vdeluser catch@example.com
is_rc 201 "catch-all (address form): exit 201"
is_out "Error: can't delete catchall account" "catch-all: message"
unchanged "$snap" "catch-all: no file changed"
run vdeluser catch2@example.com
is_rc 0 "user whose name extends the catch-all name: deleted"

setup vadddomain -e postmaster pm.com Secret123
setup vadduser post@pm.com Passw0rd
snap=$(snapshot)
run vdeluser postmaster@pm.com
is_rc 201 "catch-all (path form -e postmaster): exit 201"
is_out "Error: can't delete catchall account" "catch-all path form: message"
unchanged "$snap" "catch-all path form: no file changed"
run vdeluser post@pm.com
is_rc 0 "prefix of the catch-all user: deleted"

setup vadddomain -e catch@other.org fw.com Secret123
setup vadduser catch@fw.com Passw0rd
run vdeluser catch@fw.com
is_rc 0 "same local part, catch-all in another domain: deleted"

# A catch-all that is neither a path nor user@domain: said on stderr (as
# 5.6), and the user is deleted.
setup vadduser odd@fw.com Passw0rd
printf "| %s/bin/vdelivermail '' @fw.com\n" "$VH" > "$D/fw.com/.qmail-default"
run vdeluser odd@fw.com
is_rc 0 "catch-all '@fw.com': the user is deleted"
is_err "unknown .qmail-default contents @fw.com" "catch-all '@fw.com': 5.6's remark on stderr"

# ------------------------------------------------------------ a user named 'delete'
sandbox_new
setup vadddomain example.com Secret123
setup vadduser delete@example.com Passw0rd
DD=$D/example.com
run vdeluser delete@example.com
is_rc 0 "user named delete: exit 0 (no crash)"
is_out "" "user named delete: silent"
is "$(vpw_count "$DD" delete)" 0 "user named delete: removed"
file_absent "$DD/delete" "user named delete: directory removed"
run vdeluser delete@example.com
is_rc 246 "user named delete, gone: exit 246 (no crash)"
is_out "Error: User does not exist" "user named delete, gone: message"
printf "| %s/bin/vdelivermail '' bounce-no-mailbox\n" "$VH" > "$DD/.qmail-default"
setup vadduser bounce-no-mailbox@example.com Passw0rd
run vdeluser bounce-no-mailbox@example.com
is_rc 0 "bounce-no-mailbox action is not a catch-all"

# ------------------------------------------------------------ the postmaster can be deleted
sandbox_new
setup vadddomain example.com Secret123
run vdeluser postmaster@example.com
is_rc 0 "postmaster (not a catch-all) can be deleted"
is "$(cat "$D/example.com/vpasswd")" "" "vpasswd empty after deleting the only user"
ok_cmd "vpasswd.cdb consistent when empty" vpw_cdb_ok "$D/example.com"
bigdir_only dirctl_is "$D/example.com/.dir-control" ".dir-control back to 0" 0 "0 2 2" "0 0 0" ""

# A domain still in users/assign whose directory is gone: 5.6 cannot
# change into it, before it looks the user up.
sandbox_new
setup vadddomain gone.com Secret123
setup vadduser bob@gone.com Passw0rd
mv "$D/gone.com" "$SB/gone.moved"
run vdeluser bob@gone.com
is_rc 251 "domain directory gone: exit 251"
is_out "Error: Unable to chdir to vpopmail/$DOMAINS_DIRNAME directory" "domain directory gone: 5.6's message (not 'User does not exist')"
run vdeluser nobody@gone.com
is_rc 251 "domain directory gone, unknown user: the directory is checked first"

# A .userdir.lock left by a holder that died mid-way (its lines written by
# hand here, so this also runs under valgrind): the next add or delete of
# any name settles them first.  Only what a dead add or delete left goes:
# not a directory holding mail, nor the directory of a user with a record,
# nor anything named by a line that is not one of ours.
if has_define FILE_LOCKING; then
	sandbox_new
	setup vadddomain example.com Secret123
	DD=$D/example.com
	setup vadduser keep@example.com Passw0rd
	mkdir -p "$DD/ghost/Maildir/new" "$DD/ghost/Maildir/cur" "$DD/ghost/Maildir/tmp"
	mkdir -p "$DD/mailer/Maildir/new"
	printf 'Subject: x\n\nmail\n' > "$DD/mailer/Maildir/new/1.2.host"
	mkdir -p "$DD/gone/Maildir/new"
	: > "$DD/gone/.vdeluser-running"
	mkdir -p "$SB/outside"
	printf '%s\n' 'a 999999999 - - /ghost' 'a 999999999 - - /mailer' 'a 999999999 - - /keep' \
		'd 999999999 - - /keep' 'd 999999999 - - /gone' 'a 999999999 - - ../../outside' \
		'a 999999999 - - /..' 'x garbage' 'd 0 - - /mailer' > "$DD/.userdir.lock"
	printf 'a 999999999 - - /cut' >> "$DD/.userdir.lock"
	run vadduser newu@example.com Passw0rd
	is_rc 0 "an add after a dead holder's lines: exit 0"
	file_absent "$DD/ghost" "... removes the skeleton a dead add left"
	file_absent "$DD/gone" "... finishes the dead delete"
	file_exists "$DD/mailer/Maildir/new/1.2.host" "... leaves a directory holding mail"
	dir_exists "$DD/keep/Maildir/new" "... leaves the directory of a user with a record"
	dir_exists "$SB/outside" "... touches nothing a line names outside the domain"
	is "$(wc -c < "$DD/.userdir.lock")" 0 "... and leaves the lock file empty"
	run vverifypw keep@example.com Passw0rd
	is_rc 0 "... keep still logs in"
	# A dead add that had .dir_control_free give it hash directory 5
	# (the list, "5 6" before, is now "6"): 5 is offered again; lines
	# that cannot be ours (a '?' place in a 'b' line, a bad hash path,
	# a list that did not shrink) change nothing.
	if [ "$BIGDIR" = 1 ]; then
		printf '6\n' > "$DD/.dir_control_free"
		printf '%s\n' 'r 999999999 - 4 ?5/zed' 'b 999999999 - 4 ?7/zed' \
			'a 999999999 - 4 ?../x/zed' 'r 999999999 - 2 ?8/zed' > "$DD/.userdir.lock"
		run vadduser newv@example.com Passw0rd
		is "$(vpw_field "$DD" newv 6)" "$DD/6/newv" "the next add takes the free list's first place"
		file_is "$DD/.dir_control_free" "5
" "... after the dead add's place was offered again (only that one)"
	else
		skip "built with --disable-users-big-dir: no .dir_control_free"
		skip "built with --disable-users-big-dir: no .dir_control_free"
	fi
else
	for i in 1 2 3 4 5 6 7 8 9 10; do skip "built with --disable-file-locking: no .userdir.lock"; done
fi

done_testing
