#!/bin/bash
# t_vpopbull.sh - vpopbull: usage and errors, copy / hard link / symlink
# delivery, domain arguments and all domains, exclude list, -n/-V listing,
# missing user directories and big-dir users (spec runtime.md §6).
. "$(dirname "$0")/lib.sh"
require_bins vpopbull vadddomain vadduser vaddaliasdomain vdeluser vmkpasswd

USAGE_VPOPBULL='usage: vpopbull [options] -f [email_file] [virtual_domain] [...]
       -v (print version number)
       -V (verbose)
       -f email_file (file with message contents)
       -e exclude_email_addr_file (list of addresses to exclude)
       -n (don'"'"'t mail. Use with -V to list accounts)
       -c (default, copy file)
       -h (use hard links)
       -s (use symbolic links)'
DATE_RE='Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] \+0000'
HOST=$(hostname 2>/dev/null || uname -n)
HOST=${HOST//\//\\057}; HOST=${HOST//:/\\072}

# new_files USERDIR: the names in Maildir/new, one per line.
new_files() { ls -A "$1/Maildir/new" 2>/dev/null; }
# the_new USERDIR: path of the single message in Maildir/new (empty if not exactly one).
the_new() { local f; f=$(new_files "$1"); [ -n "$f" ] && [ "$(printf '%s\n' "$f" | wc -l)" = 1 ] && echo "$1/Maildir/new/$f"; }
# count_new DOMDIR: messages in every user's Maildir/new below DOMDIR.
count_new() { find "$1" -path '*/Maildir/new/*' \( -type f -o -type l \) | wc -l; }

two_domains() {
	sandbox_new
	setup vadddomain example.com Secret123
	setup vadduser bob@example.com Passw0rd
	setup vadduser carol@example.com Passw0rd
	setup vadddomain other.net Secret123
	setup vadduser dave@other.net Passw0rd
	setup vaddaliasdomain example.com alias.org
	DD=$D/example.com
	OD=$D/other.net
	MSG=$SB/msg
	printf 'From: admin@example.com\nSubject: Notice\n\nBody text\nDate: in the body\n' > "$MSG"
}

# ------------------------------------------------------------ no domains at all
sandbox_new
run vpopbull -n
is_rc 255 "-n, no users/assign: exit 255"
is_out "Can't get domain entries - can't read users/assign file" "-n, no users/assign: 5.6's message"
: > "$QH/users/assign"
run vpopbull -n
is_rc 0 "-n, empty users/assign: exit 0"
is_out "What now - Success" "-n, empty users/assign: 5.6's message"

# ------------------------------------------------------------ usage and bad input
two_domains
run vpopbull
is_rc 255 "no arguments: exit 255"
is_out "$USAGE_VPOPBULL" "no arguments: usage on stdout"
is_err "" "no arguments: nothing on stderr"

run vpopbull -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VPOPBULL" "-v alone: version, then usage"
is_err "Error: email_file not specified" "-v alone: email_file not specified"

run vpopbull example.com
is_rc 255 "no -f and no -n: exit 255"
is_err "Error: email_file not specified" "no -f: message on stderr"
is_out "$USAGE_VPOPBULL" "no -f: usage on stdout"

run vpopbull -x -f "$MSG"
is_rc 255 "unknown option: exit 255"
is_out "$USAGE_VPOPBULL" "unknown option: usage"

run vpopbull -f
is_rc 255 "-f without its argument: exit 255"
is_out "$USAGE_VPOPBULL" "-f without its argument: usage"

snap=$(snapshot)
run vpopbull -f "$SB/nothere" example.com
is_rc 255 "missing message file: exit 255"
is_err "Could not open file $SB/nothere" "missing message file: message"
is_out "" "missing message file: nothing on stdout"
: > "$SB/empty"
run vpopbull -f "$SB/empty" example.com
is_rc 255 "empty message file: exit 255"
is_err "Error: $SB/empty is empty" "empty message file: message"
run vpopbull -f "$SB" example.com
is_rc 255 "a directory as message file: exit 255"
is_err "Could not open file $SB" "a directory as message file: could not open"
mkfifo "$SB/fifo"
run vpopbull -f "$SB/fifo" example.com
is_rc 255 "a FIFO as message file: exit 255 at once"
is_err "Error: $SB/fifo is empty" "a FIFO as message file: empty, as in vpopmail"
rm -f "$SB/fifo"
run vpopbull -f "$MSG" -e "$SB/noexcl" example.com
is_rc 255 "missing exclude file: exit 255"
is_err "Could not open file $SB/noexcl" "missing exclude file: message"
unchanged "$snap" "bad input: nothing delivered, nothing changed"

run vpopbull -f "$MSG" NoPe.com ../example.com "$(printf 'a%.0s' {1..300}).com" 'ex:ample.com'
is_rc 0 "unknown domains: exit 0"
is_err "Error: domain nope.com does not exist
Error: domain ../example.com does not exist
Error: domain $(printf 'a%.0s' {1..300}).com does not exist
Error: domain ex:ample.com does not exist" "unknown (named lower-cased), '../', overlong and ':' domains: one error each"
unchanged "$snap" "unknown domains: nothing delivered"

# users/cdb that cannot be read is not "no such domain", nor success
cp "$QH/users/$USERS_CDB_NAME" "$SB/users.cdb.saved"
printf 'torn' > "$QH/users/$USERS_CDB_NAME"
run vpopbull -f "$MSG" example.com
is_rc 233 "users/cdb unreadable: exit 233"
is_err "Error: domain example.com: no authentication database connection" "users/cdb unreadable: said so"
cp "$SB/users.cdb.saved" "$QH/users/$USERS_CDB_NAME"
# nor is a user list that cannot be read (vpasswd a directory)
if [ "$SQL" != 1 ]; then
	mv "$DD/vpasswd" "$SB/vpasswd.saved"; mkdir "$DD/vpasswd"
	run vpopbull -f "$MSG" example.com
	is_rc 239 "user list unreadable: exit 239"
	is_err "Error: domain example.com: Could not update file" "user list unreadable: said so"
	rmdir "$DD/vpasswd"; mv "$SB/vpasswd.saved" "$DD/vpasswd"
else
	skip "mysql: vpasswd is not the user list: exit"
	skip "mysql: vpasswd is not the user list: message"
fi
unchanged "$snap" "unreadable users/cdb or user list: nothing delivered"

# ------------------------------------------------------------ copy mode
setup vsetuserquota carol@example.com 5M
run vpopbull -f "$MSG" example.com
is_rc 0 "copy to example.com: exit 0"
is_out "" "copy without -V: silent stdout"
is_err "" "copy: silent stderr"
f=$(the_new "$DD/bob")
name=${f##*/}
is "${name#*.*.}" "$HOST" "file name ends in the host name"
like "$name" '^[0-9]{10}\.[0-9]+\.' "file name starts <time>.<pid>."
unlike "$name" ',S=' "no ,S= in the name"
got=$(fcontent "$f")
like "${got%%$'\n'*}" '^To: bob@example.com$' "first line To: bob@example.com"
second=${got#*$'\n'}; second=${second%%$'\n'*}
like "$second" "^$DATE_RE\$" "second line: a Date header in UTC (a Date in the body does not count)"
is "${got#*$'\n'*$'\n'}" "$(fcontent "$MSG")" "then the message verbatim"
file_mode "$f" 0600 "copy is 0600"
is "$(owner_of "$f")" "$UIDGID" "copy owned by the domain's ids"
is "$(new_files "$DD/carol")" "$name" "carol got the same file name"
is "$(sed -n 1p "$DD/carol/Maildir/new/$name")" "To: carol@example.com" "carol's copy is addressed to her"
file_is "$DD/carol/Maildir/maildirsize" "5242880S
0 0
$(stat -c %s "$DD/carol/Maildir/new/$name") 1
" "carol has a quota: the copy is counted in her maildirsize"
file_absent "$DD/bob/Maildir/maildirsize" "bob has none: no maildirsize made"
is "$(new_files "$DD/postmaster")" "$name" "postmaster got it too"
is "$(count_new "$OD")" 0 "other.net untouched"
is "$(ls -A "$DD/bob/Maildir/tmp")" "" "nothing left in tmp/"

# A Date: header (any case) stops the added one; a Date only in the body does not.
printf 'dAtE: Sun, 22 Nov 2026 02:04:00 +0000\nSubject: x\n\nbody\n' > "$SB/dated"
run vpopbull -f "$SB/dated" other.net
f=$(the_new "$OD/dave")
file_is "$f" "To: dave@other.net
$(cat "$SB/dated")
" "message with its own Date header: only To: added"

# A bigger message, several copy buffers long, arrives byte for byte.
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(b"Subject: big\n\n" + bytes(range(256)) * 1000)' > "$SB/big"
rm -f "$OD"/dave/Maildir/new/*
run vpopbull -f "$SB/big" other.net
f=$(the_new "$OD/dave")
ok_cmd "256000-byte body copied exactly" "$PYTHON" -c '
import sys
got = open(sys.argv[1], "rb").read(); want = open(sys.argv[2], "rb").read()
head = got.split(b"\n", 2)
sys.exit(0 if head[0] == b"To: dave@other.net" and got.endswith(want) and len(got) == len(head[0]) + len(head[1]) + 2 + len(want) else 1)' "$f" "$SB/big"

# ------------------------------------------------------------ -V, aliases, argument order
two_domains
run vpopbull -V -f "$MSG" alias.org OTHER.NET
is_rc 0 "alias and upper-case arguments: exit 0"
is_out "bob@example.com
carol@example.com
postmaster@example.com
dave@other.net
postmaster@other.net" "-V lists each user, sorted, under the real domain"
is_err "" "an alias argument does not spoil the next one"
is "$(sed -n 1p "$(the_new "$DD/bob")")" "To: bob@example.com" "alias argument: To: the real domain"
is "$(count_new "$OD")" 2 "second argument delivered too"

# A domain reached twice in one run (an alias and its domain, or named
# twice) gets the bulletin once, without error lines.
for m in "" -h -s; do
	two_domains
	run vpopbull -V $m -f "$MSG" example.com alias.org EXAMPLE.COM
	is_rc 0 "domain named three ways${m:+ ($m)}: exit 0"
	is_out "bob@example.com
carol@example.com
postmaster@example.com" "domain named three ways${m:+ ($m)}: its users listed once"
	is_err "" "domain named three ways${m:+ ($m)}: no error lines"
	is "$(count_new "$DD")" 3 "domain named three ways${m:+ ($m)}: one message per user"
done

# ------------------------------------------------------------ all domains
two_domains
run vpopbull -V -f "$MSG"
is_rc 0 "all domains: exit 0"
is_out "bob@example.com
carol@example.com
postmaster@example.com
dave@other.net
postmaster@other.net" "all domains: every user once, in assign order"
is_err "skipping alias.org (alias of example.com)" "all domains -V: the alias is skipped"
run vpopbull -f "$MSG"
is_err "" "all domains without -V: no skipping line"
is "$(new_files "$DD/bob" | wc -l)" 2 "a second run adds a second message"

# ------------------------------------------------------------ -n and exclude
two_domains
snap=$(snapshot)
run vpopbull -n
is_rc 0 "-n: exit 0"
is_out "bob@example.com
carol@example.com
postmaster@example.com
dave@other.net
postmaster@other.net" "-n lists every user without -V"
run vpopbull -n -V example.com
is_out "bob@example.com
carol@example.com
postmaster@example.com" "-n -V: each user once"
printf 'carol@example.com\nBOB@example.com\npostmaster@other.net\r\n\n' > "$SB/excl"
run vpopbull -n -e "$SB/excl"
is_out "bob@example.com
postmaster@example.com
dave@other.net
postmaster@other.net" "exclude: exact lines only (case and a CR count)"
run vpopbull -n -f "$SB/empty"
is_rc 255 "-n with an empty -f: the file is still checked"
unchanged "$snap" "-n delivers nothing"
run vpopbull -V -e "$SB/excl" -f "$MSG" example.com
is_out "bob@example.com
postmaster@example.com" "exclude: the excluded user is not delivered to"
is "$(new_files "$DD/carol")" "" "carol (excluded) got nothing"
is "$(new_files "$DD/bob" | wc -l)" 1 "bob got it"

# ------------------------------------------------------------ hard and symbolic links
two_domains
cd "$SB" || exit 1
run vpopbull -h -f msg example.com
is_rc 0 "hard link: exit 0"
f=$(the_new "$DD/bob")
is "$(stat -c %i "$f")" "$(stat -c %i "$MSG")" "hard link: same inode as the message file"
is "$(stat -c %h "$MSG")" 4 "hard link: one link per user plus the file"
file_is "$f" "$(cat "$MSG")
" "hard link: no headers added"
file_mode "$MSG" 0600 "hard link: message file made 0600"
run vpopbull -s -f msg other.net
f=$(the_new "$OD/dave")
if [ -L "$f" ]; then pass "symlink: new/ holds a symbolic link"; else fail "symlink: new/ holds a symbolic link"; fi
is "$(readlink "$f")" "$SB/msg" "symlink: relative -f made absolute"
setup vsetuserquota dave@other.net 1M
run vpopbull -h -f msg other.net
# (vsetuserquota counted the symbolic link already there by its target.)
file_is "$OD/dave/Maildir/maildirsize" "1048576S
$(stat -c %s "$MSG") 1
$(stat -c %s "$MSG") 1
" "link modes count the message file's size in maildirsize"
cd "$top_builddir" || exit 1

# Failures: a Maildir without new/ is reported, the others still get it.
two_domains
rm -rf "$DD/carol/Maildir/new"
run vpopbull -V -h -f "$MSG" example.com
is_rc 0 "failed link: still exit 0"
is_err "link: No such file or directory
carol@example.com: ERROR COPYING TO $DD/carol" "failed link: the call's error and ERROR COPYING"
is_out "bob@example.com
postmaster@example.com" "failed link: not listed as delivered"
run vpopbull -f "$MSG" example.com
is_err "carol@example.com: ERROR COPYING TO $DD/carol" "failed copy: ERROR COPYING"
is "$(new_files "$DD/bob" | wc -l)" 2 "failed copy: others delivered"
is "$(ls -A "$DD/carol/Maildir/tmp")" "" "failed copy: no temporary file left"

# A missing user directory is made again.
rm -rf "$DD/bob"
run vpopbull -f "$MSG" example.com
is_rc 0 "missing user directory: exit 0"
is "$ERR" "carol@example.com: ERROR COPYING TO $DD/carol
" "missing user directory: no error for bob"
dir_exists "$DD/bob/Maildir/cur" "missing user directory: Maildir re-created"
is "$(new_files "$DD/bob" | wc -l)" 1 "missing user directory: bulletin delivered"

# A record without a directory gets one allocated and stored.
rm -rf "$DD/postmaster"
awk -F: -v OFS=: '$1 == "postmaster" { $6 = "" } { print }' "$DD/vpasswd" > "$SB/vpw" && cat "$SB/vpw" > "$DD/vpasswd"
setup vmkpasswd example.com
if has_define ONCHANGE_SCRIPT; then
	cat > "$VH/etc/onchange" <<HOOK
#!/bin/sh
# plain calls only: the "before"/"after" ones of a build with both modes are t_onchange's
[ -z "\$4" ] && printf '%s|%s|%s\n' "\$1" "\$2" "\$3" >> "$SB/onchange.log"
exit 0
HOOK
	chmod 0755 "$VH/etc/onchange"
fi
run vpopbull -f "$MSG" example.com
is "$ERR" "carol@example.com: ERROR COPYING TO $DD/carol
" "record without a directory: no error"
if has_define ONCHANGE_SCRIPT; then
	cdb_next 1 "the record is emptied in vpasswd"
	file_is "$SB/onchange.log" "mod_user|postmaster@example.com|-
" "record without a directory: storing the new one is a mod_user event, as in 5.6"
	rm -f "$VH/etc/onchange" "$SB/onchange.log"
else
	skip "onchange not compiled in"
fi
like "$(vpw_field "$DD" postmaster 6)" "^$DD/(./)?postmaster\$" "record without a directory: a new one is stored"
pd=$(vpw_field "$DD" postmaster 6)
is "$(new_files "$pd" | wc -l)" 1 "record without a directory: bulletin delivered there"
ok_cmd "record without a directory: vpasswd.cdb matches" vpw_cdb_ok "$DD"

# ------------------------------------------------------------ a user deleted meanwhile
# The interleaving is forced with strace (lib.sh: traced, stopped_or_gone):
# it holds vpopbull at a chosen system call while vdeluser runs.
# vpopbull has read x0's record when vdeluser removes the record and then
# the directory: finding no directory, vpopbull must not leave a new one
# for a user that is gone (vadduser of the name would then fail for good).
# x0 is reported as not delivered; the exit status stays 0.
if strace_ok; then
	sandbox_new
	setup vadddomain b.test Secret123
	setup vadduser x0@b.test Passw0rd
	DD=$D/b.test
	x0=$("$top_builddir/vuserinfo" -d x0@b.test)
	printf 'Subject: race\n\nbody\n' > "$SB/m"
	# Held (3 s) on entering its first look at x0's directory: the record
	# has been read by then.  (A SIGSTOP injected there would stop it only
	# after the look.)
	traced vb -P "$x0" -e trace=%stat,%fstat -e inject=%stat,%fstat:delay_enter=3000000:when=1 \
		-- "$top_builddir/vpopbull" -f "$SB/m" b.test
	held_ok vb "user deleted during vpopbull: vpopbull held after reading x0's record"
	run vdeluser x0@b.test
	is_rc 0 "user deleted during vpopbull: vdeluser exit 0"
	wait "$TPID"
	is "$(cat "$SB/vb.rc")" 0 "user deleted during vpopbull: vpopbull exit 0"
	is "$(cat "$SB/vb.out")" "Failed to vauth_getpw() for x0@b.test
x0@b.test: ERROR COPYING TO $x0" "user deleted during vpopbull: x0 reported as not delivered"
	file_absent "$x0" "user deleted during vpopbull: no directory made for x0"
	is "$(find "$DD" -name '.x0.vmake*')" "" "user deleted during vpopbull: no skeleton left"
	is "$(new_files "$DD/postmaster" | wc -l)" 1 "user deleted during vpopbull: postmaster got the bulletin"
	setup vadduser x0@b.test Passw0rd && pass "user deleted during vpopbull: x0 can be added again"
else
	skip_no_strace "user deleted during vpopbull" "vpopbull held" "vdeluser exit 0" "vpopbull exit 0" "x0 reported" "no directory" "no skeleton" \
	          "postmaster got the bulletin" "x0 added again"
fi

# x1's record has no directory: vpopbull has made one for it when vdeluser
# removes the record; storing the directory then fails, and the one made
# must not stay behind.  (The record is emptied in vpasswd: cdb module.)
if strace_ok && [ "$SQL" != 1 ]; then
	setup vadduser x1@b.test Passw0rd
	rm -rf "$DD/x1"
	awk -F: -v OFS=: '$1 == "x1" { $6 = "" } { print }' "$DD/vpasswd" > "$SB/vpw" && cat "$SB/vpw" > "$DD/vpasswd"
	setup vmkpasswd b.test
	# stopped (SIGSTOP) just after it has made x1's directory
	traced vb1 -P "$DD/x1" -e trace=mkdir,mkdirat -e inject=mkdir,mkdirat:signal=SIGSTOP:when=1 \
		-- "$top_builddir/vpopbull" -f "$SB/m" b.test
	held_ok vb1 "user without a directory deleted during vpopbull: vpopbull held after making one"
	run vdeluser x1@b.test
	is_rc 0 "user without a directory deleted during vpopbull: vdeluser exit 0"
	kill -CONT "$HELD_PID" 2>/dev/null
	wait "$TPID"
	is "$(cat "$SB/vb1.rc")" 0 "user without a directory deleted during vpopbull: vpopbull exit 0"
	is "$(cat "$SB/vb1.out")" "Failed to vauth_getpw() for x1@b.test
x1@b.test: ERROR COPYING TO " "user without a directory deleted during vpopbull: x1 reported as not delivered"
	file_absent "$DD/x1" "user without a directory deleted during vpopbull: the directory made is gone"
else
	for _t in "vpopbull held" "vdeluser exit 0" "vpopbull exit 0" "x1 reported" "directory gone"; do
		skip "no usable strace (or under a checker), or mysql: user without a directory deleted during vpopbull: $_t"
	done
fi

# ------------------------------------------------------------ big-dir users
sandbox_new
setup vadddomain big.org Secret123
: > "$SB/list"
for i in $(seq 1 140); do echo "u$i@big.org Passw0rd" >> "$SB/list"; done
setup vadduser -f "$SB/list"
printf 'Subject: all\n\nhello\n' > "$SB/m"
run vpopbull -n big.org
all=$OUT
# Copies are synced and linked in batches: a failure in the middle of the
# second batch (u9 is the 131st name) is still reported in its place, and
# the rest delivered.
u9=$("$top_builddir/vuserinfo" -d u9@big.org)
rm -rf "$u9/Maildir/new"
run vpopbull -V -f "$SB/m" big.org
is_rc 0 "141 users: exit 0"
is "$OUT" "$(printf '%s' "$all" | grep -vx 'u9@big.org')
" "141 users: -V lists the delivered users in database order"
is_err "u9@big.org: ERROR COPYING TO $u9" "141 users: the one failure reported"
is "$(count_new "$D/big.org")" 140 "141 users: every other user got one"
is "$(find "$D/big.org" -path '*/Maildir/tmp/*' | wc -l)" 0 "141 users: no temporary files left"
hd=$("$top_builddir/vuserinfo" -d u104@big.org)
cdb_next
bigdir_only like "$hd" "^$D/big.org/./u104\$" "u104 lives in a hashed directory"
cdb_next
is "$(sed -n 1p "$(the_new "$hd")")" "To: u104@big.org" "hashed-directory user got the bulletin"

# ------------------------------------------------------------ ownership (root only)
if [ "$(id -u)" = 0 ]; then
	sandbox_new
	setup vadddomain -i 4321 -g 4322 own.org Secret123
	printf 'Subject: x\n\ny\n' > "$SB/m"
	run vpopbull -f "$SB/m" own.org
	is "$(owner_of "$(the_new "$D/own.org/postmaster")")" "4321:4322" "copy owned by the domain's uid/gid"
	# Links to one file from domains of different owners: the file stays
	# the vpopmail user's and is made readable by all (it was handed to
	# each domain in turn, readable by the last one only).
	setup vadddomain example.com Secret123
	for mode in -h -s; do
		printf 'Subject: x\n\ny\n' > "$SB/l$mode"
		run vpopbull "$mode" -f "$SB/l$mode" own.org example.com
		is "$(owner_of "$SB/l$mode") $(mode_of "$SB/l$mode")" "$UIDGID 0644" \
			"vpopbull $mode, a domain with its own uid among others: the file is the vpopmail user's, mode 0644"
		printf 'Subject: x\n\ny\n' > "$SB/m$mode"
		run vpopbull "$mode" -f "$SB/m$mode" example.com
		is "$(owner_of "$SB/m$mode") $(mode_of "$SB/m$mode")" "$UIDGID 0600" \
			"vpopbull $mode, ordinary domains only: the vpopmail user's, mode 0600 (as 5.6)"
	done
else
	skip "ownership needs root"
	for i in 1 2 3 4; do skip "ownership needs root"; done
fi

done_testing
