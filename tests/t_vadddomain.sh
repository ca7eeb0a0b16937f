#!/bin/bash
# t_vadddomain.sh - vadddomain: usage, options, errors and the files it writes
# (spec storage-and-admin.md §1-§3, §7.7, §8.1, Appendix A).
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vadduser

PROMPTS='Please enter password for postmaster: enter password again: '

# ------------------------------------------------------------ usage / version
sandbox_new
run vadddomain
is_rc 0 "no operand: exit 0"
is_out "$USAGE_VADDDOMAIN" "no operand: usage text"
is_err "" "no operand: nothing on stderr"

run vadddomain -v
is_rc 0 "-v alone: exit 0"
is_out "version: $VERSION
$USAGE_VADDDOMAIN" "-v alone: version line then usage"
file_absent "$QH/users/assign" "usage: no assign file created"

# ------------------------------------------------------------ a fresh domain
sandbox_new
run vadddomain example.com Secret123
is_rc 0 "vadddomain example.com Secret123: exit 0"
is_out "" "success: silent stdout"
is_err "" "success: silent stderr"
DD=$D/example.com

file_lines "$QH/users/assign" "users/assign holds the domain and the '.' line" \
	"$(assign_line example.com example.com "$DD")" "."
file_mode "$QH/users/assign" 0644 "users/assign mode 0644"
ok_cmd "users/cdb is exactly what qmail-newu makes of users/assign" users_cdb_ok
is "$(cdb_get "$QH/users/$USERS_CDB_NAME" '!example.com-')" "$(assign_value example.com "$DD")" \
	"users/cdb record !example.com- = real\\0uid\\0gid\\0dir\\0-\\0"
is "$(cdb_get "$QH/users/$USERS_CDB_NAME" '')" "-" "users/cdb empty key holds the wildcard chars '-'"
file_lines "$QH/control/rcpthosts" "rcpthosts holds the domain" example.com
file_mode "$QH/control/rcpthosts" 0644 "rcpthosts mode 0644"
file_lines "$QH/control/virtualdomains" "virtualdomains holds domain:domain" example.com:example.com
file_mode "$QH/control/virtualdomains" 0644 "virtualdomains mode 0644"
file_is "$QH/control/locals" "" "locals created empty"
file_mode "$QH/control/locals" 0644 "locals mode 0644"
for f in users/assign control/rcpthosts control/virtualdomains control/locals; do
	file_mode "$QH/$f.lock" 0600 "$f.lock mode 0600"
done
file_absent "$QH/control/morercpthosts" "no morercpthosts for the first domain"

file_mode "$DD" 0700 "domain dir 0700"
file_lines "$DD/.qmail-default" ".qmail-default delivers to vdelivermail with 'delete'" \
	"| $VH/bin/vdelivermail '' delete"
file_mode "$DD/.qmail-default" 0600 ".qmail-default 0600"
if [ "$BIGDIR" = 1 ]; then
	dirctl_is "$DD/.dir-control" "domain .dir-control after the postmaster" 1 "0 2 4" "0 0 0" ""
	file_mode "$DD/.dir-control" 0600 "domain .dir-control 0600"
else
	file_absent "$DD/.dir-control" "no big-dir: no .dir-control in the domain directory (as 5.6)"
fi
dirctl_is "$D/.dir-control" "domains/.dir-control after one domain (Appendix A)" 1 "0 2 4" "0 0 0" ""
file_mode "$D/.dir-control" 0600 "domains/.dir-control 0600"
file_is "$DD/.vpasswd.lock" "" ".vpasswd.lock exists and is empty"
file_mode "$DD/.vpasswd.lock" 0600 ".vpasswd.lock 0600"
vpasswd_is "$DD" "vpasswd holds the postmaster line" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)"
file_mode "$DD/vpasswd" 0600 "vpasswd 0600"
file_mode "$DD/vpasswd.cdb" 0600 "vpasswd.cdb 0600"
ok_cmd "vpasswd.cdb has exactly the vpasswd records" vpw_cdb_ok "$DD"
cdb_next
is "$(cdb_get "$DD/vpasswd.cdb" postmaster)" "$(sed -n 's/^postmaster://p' "$DD/vpasswd")" \
	"vpasswd.cdb value = the line after the name"
ok_cmd "postmaster hash is a SHA-512 crypt of Secret123" crypt_ok Secret123 "$(vpw_field "$DD" postmaster 2)"
has_define SHA512_PASSWORDS && like "$(vpw_field "$DD" postmaster 2)" '^\$6\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{86}$' "hash is \$6\$<8>\$<86>"
user_dir_ok "$DD" postmaster
cdb_next
is "$(cd "$DD" && ls -A | grep -v '\.lock$' | tr '\n' ' ')" "$([ "$BIGDIR" = 1 ] && printf '.dir-control ').qmail-default postmaster vpasswd vpasswd.cdb " \
	"domain dir holds exactly the expected files"
# (--enable-sqwebmail-pass: and the password file sqwebmail reads)
is "$(cd "$DD/postmaster/Maildir" && ls -A | tr '\n' ' ')" "cur new $(has_define SQWEBMAIL_PASS && printf 'sqwebmail-pass ')tmp " \
	"Maildir holds cur new tmp only"
is "$(find "$DD" \( ! -user "$VPOPMAIL_UID" -o ! -group "$VPOPMAIL_GID" \) ! -name '*.lock' | wc -l)" 0 "everything in the domain is owned by the domain uid:gid"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ duplicates, case
snap=$(snapshot)
run vadddomain example.com Other123
is_rc 243 "duplicate domain: exit 243"
is_out "Error: Domain already exists" "duplicate domain: message"
unchanged "$snap" "duplicate domain changes no file"
run vadddomain EXAMPLE.Com Other123
is_rc 243 "duplicate domain in other case: exit 243"
is_out "Error: Domain already exists" "duplicate domain in other case: message"
run vadddomain example.com
is_rc 243 "duplicate domain without password: refused before any prompt"
is_err "" "duplicate domain: no prompt on stderr"
unchanged "$snap" "duplicate attempts change no file"

run vadddomain Mixed.EXAMPLE.Org Secret123
is_rc 0 "mixed-case domain accepted"
dir_exists "$D/mixed.example.org" "mixed-case domain stored lower-case"
like "$(cat "$QH/users/assign")" '\+mixed\.example\.org-:mixed\.example\.org:' "assign line is lower-case"

# ------------------------------------------------------------ invalid names
sandbox_new
setup vadddomain keep.com Secret123
snap=$(snapshot)
bad_domain() {   # bad_domain NAME RC MESSAGE DESC
	run vadddomain "$1" Secret123
	is_rc "$2" "$4: exit $2"
	is_out "$3" "$4: message"
	unchanged "$snap" "$4: no file changed"
}
bad_domain ab 244 "Error: Invalid domain name" "2-character domain"
bad_domain abc 244 "Error: Invalid domain name" "domain without a dot"
run vadddomain -- -ab.com Secret123
is_rc 244 "leading hyphen: exit 244"
is_out "Error: Invalid domain name" "leading hyphen: message"
unchanged "$snap" "leading hyphen: no file changed"
bad_domain ab.com- 244 "Error: Invalid domain name" "trailing hyphen"
bad_domain a..b.com 244 "Error: Invalid domain name" "'..' in domain"
bad_domain ab.c 244 "Error: Invalid domain name" "1-character TLD"
bad_domain "ab.$(printf 'x%.0s' $(seq 64))" 244 "Error: Invalid domain name" "64-character TLD"
bad_domain ex_ample.com 244 "Error: Invalid domain name" "underscore in domain"
bad_domain "exa mple.com" 244 "Error: Invalid domain name" "space in domain"
bad_domain "ex:ample.com" 244 "Error: Invalid domain name" "colon in domain"
bad_domain "ex/ample.com" 244 "Error: Invalid domain name" "slash in domain"
bad_domain $'exa\x01mple.com' 244 "Error: Invalid domain name" "control character in domain"
bad_domain $'example2.com\nfoo.com' 244 "Error: Invalid domain name" "newline in domain"
bad_domain "$(printf 'a%.0s' $(seq 93)).com" 230 "Error: domain name too long (max=96)" "97-character domain"
bad_domain delete 244 "Error: Invalid domain name" "'delete' as a domain"

# "-b delete example.com": -b takes no argument, so 'delete' is the domain
run vadddomain -b delete example.com
is_rc 244 "-b delete example.com: 'delete' taken as the domain (exit 244)"
is_out "Error: Invalid domain name" "-b delete example.com: Invalid domain name"
unchanged "$snap" "-b delete example.com: no file changed"

run vadddomain ab-.com Secret123
is_rc 0 "ab-.com accepted (only the very last character is checked)"
run vadddomain "$(printf 'x%.0s' $(seq 63)).a-b.example.com" Secret123
if [ "$SQL" = 1 ] && ! has_define MANY_DOMAINS; then
	skip "mysql, a table per domain: table names stop at 64 characters: 79-character domain with a 63-character label accepted"
else
	is_rc 0 "79-character domain with a 63-character label accepted"
fi
run vadddomain xy.$(printf 'y%.0s' $(seq 63)) Secret123
if [ "$SQL" = 1 ] && ! has_define MANY_DOMAINS; then
	skip "mysql, a table per domain: table names stop at 64 characters: 63-character TLD accepted"
else
	is_rc 0 "63-character TLD accepted"
fi

# MySQL with a table per domain: '.' and '-' both become '_' in the table
# name, so a.b-c.com and a-b.c.com would share one table (5.6 let the
# second add adopt it, then its failed postmaster made vdeldomain drop
# the first domain's users), and ip.alias.map would be the table every
# domain shares.  Both are refused, nothing of theirs is left, the other
# domain keeps its users.
if [ "$SQL" = 1 ] && ! has_define MANY_DOMAINS; then
	setup vadddomain a.b-c.com Secret123
	setup vadduser alice@a.b-c.com Passw0rd
	snap=$(snapshot)
	run vadddomain a-b.c.com Secret123
	is_rc 243 "mysql, a table per domain: a-b.c.com beside a.b-c.com (same table): exit 243"
	is_out "Error: Domain already exists" "... 'Domain already exists'"
	unchanged "$snap" "... no file changed"
	run vuserinfo -n alice@a.b-c.com
	is_out "alice" "... a.b-c.com keeps its users"
	run vadddomain ip.alias.map Secret123
	is_rc 244 "mysql, a table per domain: ip.alias.map (a shared table's name): exit 244"
	is_out "Error: Invalid domain name" "... 'Invalid domain name'"
	unchanged "$snap" "... no file changed"
else
	for _t in "exit 243" "message" "no file changed" "users kept" "ip.alias.map: exit 244" \
	          "ip.alias.map: message" "ip.alias.map: no file changed"; do
		skip "not mysql with a table per domain: colliding table names: $_t"
	done
fi

# 96 characters: the assign line would exceed 299 bytes; vpopmail-ng refuses
# it before writing anything (doc/COMPATIBILITY.md; 5.6 truncates the line)
long96="$(printf 'l%.0s' $(seq 90)).abcde"
snap=$(snapshot)
run vadddomain "$long96" Secret123
is_rc 226 "96-character domain (assign line > 299 bytes): exit 226"
is_out "Error: dir too long (max=160)" "96-character domain: message"
unchanged "$snap" "96-character domain: no file changed"

# ------------------------------------------------------------ -q quota
sandbox_new
run vadddomain -q 5M quota.com Secret123
is_rc 0 "-q 5M: exit 0"
is_out "" "-q 5M: silent"
vpasswd_is "$D/quota.com" "-q 5M: postmaster quota 5242880S" \
	"$(vpw_line postmaster Postmaster "$D/quota.com/postmaster" 5242880S Secret123)"
file_is "$D/quota.com/postmaster/Maildir/maildirsize" "5242880S
0 0
" "-q 5M: maildirsize"
file_mode "$D/quota.com/postmaster/Maildir/maildirsize" 0600 "-q 5M: maildirsize 0600"
ok_cmd "-q 5M: vpasswd.cdb updated" vpw_cdb_ok "$D/quota.com"

run vadddomain -q 1048576S,1000C quota2.com Secret123
is_rc 0 "-q 1048576S,1000C: exit 0"
is "$(vpw_field "$D/quota2.com" postmaster 7)" "1048576S,1000C" "-q 1048576S,1000C stored as is"

run vadddomain -q 0 quota3.com Secret123
is_rc 0 "-q 0: exit 0"
is "$(vpw_field "$D/quota3.com" postmaster 7)" "" "-q 0: empty quota field"
file_absent "$D/quota3.com/postmaster/Maildir/maildirsize" "-q 0: no maildirsize"

run vadddomain -q 1000000000S,1000000000C quota4.com Secret123
is_rc 227 "-q too long: exit 227"
is_out "Error: quota too long (max=20)" "-q too long: message"
is "$(vpw_field "$D/quota4.com" postmaster 7)" "NOQUOTA" "-q too long: domain and postmaster kept with NOQUOTA"

# ------------------------------------------------------------ -e catch-all, -b
sandbox_new
run vadddomain -e bob@other.org catch1.com Secret123
is_rc 0 "-e bob@other.org: exit 0"
file_lines "$D/catch1.com/.qmail-default" "-e address: .qmail-default forwards to it" \
	"| $VH/bin/vdelivermail '' bob@other.org"
file_mode "$D/catch1.com/.qmail-default" 0600 "-e address: .qmail-default 0600"

run vadddomain -e postmaster catch2.com Secret123
is_rc 0 "-e postmaster: exit 0"
file_lines "$D/catch2.com/.qmail-default" "-e name: .qmail-default delivers to the user's directory" \
	"| $VH/bin/vdelivermail '' $D/catch2.com/postmaster"

run vadddomain -e nosuchuser catch3.com Secret123
is_rc 0 "-e name of a missing user: accepted"
file_lines "$D/catch3.com/.qmail-default" "-e missing user: path written anyway" \
	"| $VH/bin/vdelivermail '' $D/catch3.com/nosuchuser"

run vadddomain -b bounce.com Secret123
is_rc 0 "-b (no argument): exit 0"
file_lines "$D/bounce.com/.qmail-default" "-b: default .qmail-default" \
	"| $VH/bin/vdelivermail '' delete"

# ------------------------------------------------------------ -r random password
sandbox_new
run vadddomain -r rand.com
is_rc 0 "-r: exit 0"
like "$OUT" "^Random password: $RANDPW_RE{12}"$'\n$' "-r: 'Random password: ' + 12 characters"
pw=${OUT#Random password: }; pw=${pw%$'\n'}
ok_cmd "-r: postmaster hash matches the printed password" crypt_ok "$pw" "$(vpw_field "$D/rand.com" postmaster 2)"
is "$ERR" "" "-r: no prompt"
[ "$CLEAR" = 1 ] && is "$(vpw_field "$D/rand.com" postmaster 8)" "$pw" "-r: clear field holds the random password"

run vadddomain -r20 rand20.com
is_rc 0 "-r20: exit 0"
like "$OUT" "^Random password: $RANDPW_RE{20}"$'\n$' "-r20: 20 characters"
pw=${OUT#Random password: }; pw=${pw%$'\n'}
ok_cmd "-r20: hash matches" crypt_ok "$pw" "$(vpw_field "$D/rand20.com" postmaster 2)"

run vadddomain -r128 rand128.com
is_rc 0 "-r128: exit 0"
like "$OUT" "^Random password: $RANDPW_RE{128}"$'\n$' "-r128: 128 characters"

snap=$(snapshot)
run vadddomain -r129 rand129.com
is_rc 229 "-r129: exit 229"
is_out "Error: password too long (max=128)" "-r129: message"
unchanged "$snap" "-r129: no file changed"

run vadddomain -r randpw.com Secret123
is_rc 255 "-r with a password operand: exit 255"
is_out "Error: don't use -r option when giving password on command line" "-r with password: message"
unchanged "$snap" "-r with password: no file changed"

run vadddomain -q 5M -r randq.com
is_rc 0 "-q 5M -r: exit 0"
is "$(vpw_field "$D/randq.com" postmaster 7)" 5242880S "-q 5M -r: quota applied"
# A -q that fails after the domain is made: the domain stays, and so the
# admin must still learn its postmaster's password.
run vadddomain -q 123456789012345678901 -r randbad.com
is_rc 227 "-q too long after creation, -r: exit 227"
like "$OUT" "^Random password: $RANDPW_RE{12}"$'\n'"Error: quota too long \\(max=20\\)"$'\n$' \
	"-q failing after creation, -r: the password is printed before the error"

# ------------------------------------------------------------ rollback when the postmaster fails
sandbox_new
run vadddomain fail.com ""
is_rc 0 "empty password: exit 0 (status of the rollback)"
is_out "Error: (vadduser) password requires more characters " "empty password: vadduser error text"
# (the warning of 5.6's vdeldomain(), in big-dir builds only)
if [ "$BIGDIR" = 1 ]; then
	is_err "Warning: Failed to delete dir_control for fail.com" "empty password: rollback warning on stderr"
else
	is_err "" "empty password: no big-dir: no rollback warning"
fi
file_absent "$D/fail.com" "rollback: domain directory removed"
file_lines "$QH/users/assign" "rollback: assign back to the '.' line" "."
file_is "$QH/control/rcpthosts" "" "rollback: rcpthosts empty"
file_is "$QH/control/virtualdomains" "" "rollback: virtualdomains empty"
dirctl_is "$D/.dir-control" "rollback: domain counter back to 0" 0 "0 2 2" "0 0 0" ""
ok_cmd "rollback: users/cdb rebuilt from assign" users_cdb_ok
run vadduser bob@fail.com Passw0rd
is_rc 255 "rollback: the domain no longer resolves"
is_out "Error: Domain does not exist" "rollback: vadduser says Domain does not exist"

run vadddomain -r0 fail0.com
is_rc 0 "-r0 (empty random password): rolled back, exit 0"
is_out "Error: (vadduser) password requires more characters " "-r0: vadduser error, no Random password line"
file_absent "$D/fail0.com" "-r0: nothing left"

# custom policy
printf 'Policy = Passwords must be at least 8 characters long\nLength >= 8\n' > "$VH/etc/password_strength.conf"
run vadddomain short.com abc
is_rc 0 "policy failure: exit 0 after rollback"
is_out "Error: (vadduser) password requires more characters " "policy failure: message"
file_absent "$D/short.com" "policy failure: domain removed"
run vadddomain long.com abcdefgh
is_rc 0 "password meeting the custom policy accepted"

# ------------------------------------------------------------ a qmail file after users/assign cannot be written
# virtualdomains (then rcpthosts) is a directory: the command fails and
# takes back what it wrote, so the domain is not left routed by
# users/assign without a directory; fixed, the same command works.
sandbox_new
printf 'kept.com\n' > "$QH/control/rcpthosts"
rm -f "$QH/control/virtualdomains"
mkdir "$QH/control/virtualdomains"
run vadddomain half.com Secret123
isnt "$RC" 0 "virtualdomains unwritable: vadddomain fails"
like "$ERR" 'the virtualdomains file' "virtualdomains unwritable: says which file"
file_absent "$D/half.com" "virtualdomains unwritable: no domain directory"
file_lines "$QH/users/assign" "virtualdomains unwritable: users/assign as before" "."
file_is "$QH/control/rcpthosts" "kept.com"$'\n' "virtualdomains unwritable: rcpthosts as before"
ok_cmd "virtualdomains unwritable: users/cdb matches users/assign" users_cdb_ok
run vadduser bob@half.com Passw0rd
is_out "Error: Domain does not exist" "virtualdomains unwritable: the domain does not resolve"
# A name the admin had in rcpthosts already stays there.
printf 'half.com\nkept.com\n' > "$QH/control/rcpthosts"
run vadddomain half.com Secret123
isnt "$RC" 0 "virtualdomains unwritable, name already in rcpthosts: fails"
file_is "$QH/control/rcpthosts" "half.com"$'\n'"kept.com"$'\n' "name already in rcpthosts: the admin's line stays"
rmdir "$QH/control/virtualdomains"
run vadddomain half.com Secret123
is_rc 0 "virtualdomains writable again: vadddomain works"
dir_exists "$D/half.com/postmaster" "writable again: domain made"
file_is "$QH/control/virtualdomains" "half.com:half.com"$'\n' "writable again: virtualdomains line"

# The same for an alias domain, and for rcpthosts itself.
mv "$QH/control/virtualdomains" "$QH/control/vd.saved" && mkdir "$QH/control/virtualdomains"
before=$(snapshot)
run vaddaliasdomain alias.com half.com
isnt "$RC" 0 "alias, virtualdomains unwritable: vaddaliasdomain fails"
unchanged "$before" "alias, virtualdomains unwritable: qmail files and domains as before"
rmdir "$QH/control/virtualdomains" && mv "$QH/control/vd.saved" "$QH/control/virtualdomains"
mv "$QH/control/rcpthosts" "$QH/control/rcpthosts.saved" && mkdir "$QH/control/rcpthosts"
run vadddomain other.com Secret123
isnt "$RC" 0 "rcpthosts unwritable: vadddomain fails"
grep -q 'other\.com' "$QH/users/assign"
is $? 1 "rcpthosts unwritable: users/assign as before"
file_absent "$D/other.com" "rcpthosts unwritable: no domain directory"
rmdir "$QH/control/rcpthosts"
# rcpthosts full: the name went to morercpthosts, which goes again.
seq -f 'd%02g.com' 1 50 > "$QH/control/rcpthosts"
rm -rf "$QH/control/virtualdomains" && mkdir "$QH/control/virtualdomains"
run vadddomain more.com Secret123
isnt "$RC" 0 "rcpthosts full, virtualdomains unwritable: vadddomain fails"
file_absent "$QH/control/morercpthosts" "rcpthosts full: the morercpthosts it made is gone"
file_absent "$QH/control/morercpthosts.cdb" "rcpthosts full: and its cdb"
is "$(wc -l < "$QH/control/rcpthosts")" 50 "rcpthosts full: rcpthosts untouched"
# morercpthosts.cdb cannot be rebuilt (qmail-newmrh fails): qmail-smtpd
# would refuse the domain's mail, so the add fails and takes itself back.
rm -rf "$QH/control/virtualdomains" && : > "$QH/control/virtualdomains"
mkdir -p "$QH/bin" && printf '#!/bin/sh\nexit 1\n' > "$QH/bin/qmail-newmrh" && chmod 755 "$QH/bin/qmail-newmrh"
run vadddomain more.com Secret123
isnt "$RC" 0 "qmail-newmrh fails: vadddomain fails"
like "$ERR" 'rebuild morercpthosts.cdb' "qmail-newmrh fails: says so"
file_absent "$QH/control/morercpthosts" "qmail-newmrh fails: the name is taken out of morercpthosts again"
grep -q 'more\.com' "$QH/users/assign"
is $? 1 "qmail-newmrh fails: and out of users/assign"
file_absent "$D/more.com" "qmail-newmrh fails: no domain directory"
rm -f "$QH/bin/qmail-newmrh"
run vadddomain more.com Secret123
is_rc 0 "qmail-newmrh works again: vadddomain works"

# On a full file system the take-back itself may fail (users/assign is
# rewritten, which needs room): found with a small tmpfs, where the
# domain stayed routed to its removed directory and every later
# vadddomain said "Domain already exists".  Here rcpthosts' fsync fails,
# then the first rename of users/assign that takes the line back; the
# domain's directory is removed first, and the line goes on a second try.
sandbox_new
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -f -y -o $SB/st.log -e trace=fsync,rename" run vadddomain example.com Secret123
	setup vdeldomain example.com
	nf=$(nth_call "$SB/st.log" fsync /control/rcpthosts.)
	nr=$(nth_call "$SB/st.log" rename /control/rcpthosts.)
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=fsync,rename -e inject=fsync:error=ENOSPC:when=${nf:-1} -e inject=rename:error=ENOSPC:when=${nr:-1}" \
		run vadddomain example.com Secret123
	isnt "$RC" 0 "full disk, take-back fails once: vadddomain fails"
	file_lines "$QH/users/assign" "full disk, take-back fails once: users/assign as before" "."
	ok_cmd "full disk, take-back fails once: users/cdb matches users/assign" users_cdb_ok
	file_absent "$D/example.com" "full disk, take-back fails once: no domain directory"
	run vadddomain example.com Secret123
	is_rc 0 "full disk, take-back fails once: the same command works again"
else
	for _t in "fails" "assign as before" "cdb" "no directory" "works again"; do
		skip "no usable strace (or under a checker): full disk, take-back fails once: $_t"
	done
fi

# users/cdb cannot be rebuilt (its fsync fails, as on a full file system):
# qmail and every lookup would go on with the old users/cdb, which does
# not know the domain (found on a small ext4: the postmaster could not be
# added, the rollback said "Domain does not exist", and the directory left
# behind made every later vadddomain fail).  The add fails, users/assign
# is as before; run again, it works.  The same for vdeldomain: it fails
# and keeps the domain, which users/cdb still routes.
sandbox_new
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -f -y -o $SB/st.log -e trace=fsync" run vadddomain example.com Secret123
	nf=$(nth_call "$SB/st.log" fsync "/users/$USERS_CDB_NAME")
	VP_TEST_WRAPPER="$NOLSAN strace -f -y -o $SB/st2.log -e trace=fsync" run vdeldomain example.com
	nd=$(nth_call "$SB/st2.log" fsync "/users/$USERS_CDB_NAME")
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=ENOSPC:when=${nf:-1}" \
		run vadddomain example.com Secret123
	isnt "$RC" 0 "users/cdb cannot be rebuilt: vadddomain fails"
	file_lines "$QH/users/assign" "users/cdb cannot be rebuilt: users/assign as before" "."
	ok_cmd "users/cdb cannot be rebuilt: users/cdb matches users/assign" users_cdb_ok
	file_absent "$D/example.com" "users/cdb cannot be rebuilt: no domain directory"
	run vadddomain example.com Secret123
	is_rc 0 "users/cdb cannot be rebuilt: the same command works again"
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=ENOSPC:when=${nd:-1}" \
		run vdeldomain example.com
	isnt "$RC" 0 "users/cdb cannot be rebuilt: vdeldomain fails"
	dir_exists "$D/example.com/postmaster" "users/cdb cannot be rebuilt: the domain is kept"
	ok_cmd "users/cdb cannot be rebuilt: users/assign put back as users/cdb has it" users_cdb_ok
	run vdeldomain example.com
	is_rc 0 "users/cdb rebuilt again: vdeldomain works"
	file_absent "$D/example.com" "users/cdb rebuilt again: the domain is gone"
	ok_cmd "users/cdb rebuilt again: users/cdb matches users/assign" users_cdb_ok
else
	for _t in "vadddomain fails" "assign as before" "cdb" "no directory" "works again" \
	          "vdeldomain fails" "kept" "assign put back" "vdeldomain works" "gone" "cdb again"; do
		skip "no usable strace (or under a checker): users/cdb cannot be rebuilt: $_t"
	done
fi
# ... and a users/assign out of order, which the add sorted, is put back
# byte for byte (only the new line was taken out: it stayed sorted).
if strace_ok; then
	unsorted() {
		sandbox_new
		printf '%s\n%s\n.\n' "$(assign_line zzz.com zzz.com /z)" "$(assign_line aaa.com aaa.com /a)" \
			> "$QH/users/assign"
	}
	unsorted
	VP_TEST_WRAPPER="$NOLSAN strace -f -y -o $SB/st.log -e trace=fsync" run vadddomain example.com Secret123
	nf=$(nth_call "$SB/st.log" fsync "/users/$USERS_CDB_NAME")
	unsorted
	cp "$QH/users/assign" "$T0/assign.before"
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=ENOSPC:when=${nf:-1}" \
		run vadddomain example.com Secret123
	isnt "$RC" 0 "users/cdb cannot be rebuilt after a re-sort: vadddomain fails"
	ok_cmd "... users/assign byte for byte as before (not left sorted)" cmp -s "$T0/assign.before" "$QH/users/assign"
else
	skip "no usable strace (or under a checker): users/cdb cannot be rebuilt after a re-sort: fails"
	skip "no usable strace (or under a checker): users/cdb cannot be rebuilt after a re-sort: as before"
fi

# ------------------------------------------------------------ password prompt (no tty: stderr/stdin)
sandbox_new
run vadddomain prompt.com
is_rc 0 "no password, no input: rolled back, exit 0"
is_out "Error: (vadduser) password requires more characters " "no input: empty password refused by the policy"
if [ "$BIGDIR" = 1 ]; then
	is_err "${PROMPTS}Warning: Failed to delete dir_control for prompt.com" "no input: both prompts on stderr, then the rollback warning"
else
	is_err_raw "$PROMPTS" "no input: both prompts on stderr (no big-dir: no rollback warning)"
fi
file_absent "$D/prompt.com" "no input: domain removed"

run_in $'Secret123\nSecret123\n' vadddomain prompt.com
is_rc 0 "password typed twice: exit 0"
is_out "" "password typed twice: silent stdout"
is_err_raw "$PROMPTS" "password typed twice: prompts on stderr"
ok_cmd "prompted password stored" crypt_ok Secret123 "$(vpw_field "$D/prompt.com" postmaster 2)"

run_in $'one1\ntwo2\nSecret123\nSecret123\n' vadddomain prompt2.com
is_rc 0 "mismatch then match: exit 0"
is_out "Passwords do not match, try again" "mismatch: message on stdout"
is_err_raw "$PROMPTS$PROMPTS" "mismatch: prompts repeated"
ok_cmd "mismatch: second pair stored" crypt_ok Secret123 "$(vpw_field "$D/prompt2.com" postmaster 2)"

# ------------------------------------------------------------ -u, -d, -i/-g, -O
sandbox_new
snap=$(snapshot)
run vadddomain -u no_such_user_vpt uuu.com Secret123
is_rc 255 "-u unknown user: exit 255"
is_out "Error: user no_such_user_vpt not found in /etc/passwd" "-u unknown user: message"
unchanged "$snap" "-u unknown user: no file changed"
run vadddomain -u no_such_user_vpt
is_rc 255 "-u unknown user is checked before the missing domain"
is_out "Error: user no_such_user_vpt not found in /etc/passwd" "-u unknown user without domain: message"

me=$(id -un)
base=$SB/base
mkdir -p "$base" "$SB/base2"
run vadddomain -u "$me" -d "$base" udom.com Secret123
is_rc 0 "-u $me -d DIR: exit 0"
dir_exists "$base/$DOMAINS_DIRNAME/udom.com" "-d: domain created under DIR/domains"
file_mode "$base/$DOMAINS_DIRNAME" 0700 "-d: DIR/domains created 0700"
file_lines "$QH/users/assign" "-u/-d: assign line uses the user's ids and DIR" \
	"$(assign_line udom.com udom.com "$base/$DOMAINS_DIRNAME/udom.com" "$(id -u)" "$(id -g)")" "."
file_absent "$base/$DOMAINS_DIRNAME/.dir-control" "-d: domain counter not kept in DIR"
# The counter for domains owned by uid U lives in ~vpopmail/domains when U is
# vpopmail's uid, else in U's own home (storage-and-admin.md §1.2).
if [ "$(id -u)" = "$VPOPMAIL_UID" ]; then
	dirctl_is "$D/.dir-control" "-d: domain counter kept in ~vpopmail/domains" 1 "0 2 4" "0 0 0" ""
	ddom_n=2 ddom_mods="0 2 2"
else
	file_absent "$D/.dir-control" "-u $me (not vpopmail) -d: no domain counter in ~vpopmail/domains"
	ddom_n=1 ddom_mods="0 2 4"
fi
cdb_next
vpasswd_is "$base/$DOMAINS_DIRNAME/udom.com" "-d: postmaster under DIR" \
	"$(vpw_line postmaster Postmaster "$base/$DOMAINS_DIRNAME/udom.com/postmaster" NOQUOTA Secret123)"

run vadddomain -d "$SB/base2" ddom.com Secret123
is_rc 0 "-d alone: exit 0"
like "$(cat "$QH/users/assign")" "\\+ddom\\.com-:ddom\\.com:$VPOPMAIL_UID:$VPOPMAIL_GID:$SB/base2/$DOMAINS_DIRNAME/ddom\\.com:-::" "-d alone: default ids"
file_absent "$SB/base2/$DOMAINS_DIRNAME/.dir-control" "-d alone: domain counter not kept in DIR"
dirctl_is "$D/.dir-control" "-d alone: vpopmail's domain counter kept in ~vpopmail/domains" "$ddom_n" "$ddom_mods" "0 0 0" ""
is "$(owner_of "$D/.dir-control")" "$UIDGID" "-d alone: the domain counter owned by vpopmail"

# A relative base is made absolute from the current directory: qmail and
# every later program read the paths from elsewhere.
mkdir -p "$SB/base3"
here=$PWD; cd "$SB" || exit 1
run vadddomain -d base3 rdom.com Secret123
cd "$here" || exit 1
is_rc 0 "-d with a relative base: exit 0"
like "$(cat "$QH/users/assign")" "\\+rdom\\.com-:rdom\\.com:$VPOPMAIL_UID:$VPOPMAIL_GID:$SB/base3/$DOMAINS_DIRNAME/rdom\\.com:-::" \
	"-d with a relative base: the absolute path in users/assign"
run vuserinfo -d postmaster@rdom.com
is "$OUT" "$SB/base3/$DOMAINS_DIRNAME/rdom.com/postmaster"$'\n' \
	"-d with a relative base: the postmaster's absolute directory in the user database"

# An absolute base with "." or ".." parts is resolved: users/assign holds
# no such part (an entry with one is taken as damaged).
run vadddomain -d "$SB/./base3/../base2" dotdom.com Secret123
is_rc 0 "-d with '.' and '..' parts: exit 0"
like "$(cat "$QH/users/assign")" "\\+dotdom\\.com-:dotdom\\.com:$VPOPMAIL_UID:$VPOPMAIL_GID:$SB/base2/$DOMAINS_DIRNAME/dotdom\\.com:-::" \
	"-d with '.' and '..' parts: the resolved path in users/assign"
run vadduser bob@dotdom.com Passw0rd
is_rc 0 "-d with '.' and '..' parts: the domain is usable"

mkdir -p "$SB/base4"; : > "$SB/base4/$DOMAINS_DIRNAME"
snap=$(snapshot)
run vadddomain -d "$SB/base4" nx.com Secret123
is_rc 240 "-d with a plain file where domains/ belongs: exit 240"
is_out "Error: Can not make $DOMAINS_DIRNAME directory" "-d with a plain file where domains/ belongs: message"
unchanged "$snap" "-d with a plain file where domains/ belongs: no file changed"

snap=$(snapshot)
run vadddomain -d "$SB/no/such/base" nx.com Secret123
is_rc 250 "-d with a missing base directory: exit 250 (5.6 cannot change into it)"
is_out "Error: Unable to chdir to vpopmail/$DOMAINS_DIRNAME/domain directory" "-d missing base: message"
unchanged "$snap" "-d missing base: no file changed"
here=$PWD; cd "$SB" || exit 1
run vadddomain -d no/such/rel nx.com Secret123
cd "$here" || exit 1
is_rc 250 "-d with a missing relative base: exit 250"
is_out "Error: Unable to chdir to vpopmail/$DOMAINS_DIRNAME/domain directory" "-d missing relative base: message"
unchanged "$snap" "-d missing relative base: no file changed"
: > "$SB/plainfile"
snap=$(snapshot)
run vadddomain -d "$SB/plainfile" nx.com Secret123
is_rc 250 "-d naming a plain file: exit 250"
unchanged "$snap" "-d naming a plain file: no file changed"

if [ "$(id -u)" = 0 ]; then iu=54321; ig=54322; else iu=$(id -u); ig=$(id -g); fi
run vadddomain -i "$iu" -g "$ig" ids.com Secret123
is_rc 0 "-i $iu -g $ig: exit 0"
like "$(cat "$QH/users/assign")" "\\+ids\\.com-:ids\\.com:$iu:$ig:$D/ids\\.com:-::" "-i/-g: assign line carries the ids"
is "$(cdb_get "$QH/users/$USERS_CDB_NAME" '!ids.com-')" "$(assign_value ids.com "$D/ids.com" "$iu" "$ig")" "-i/-g: users/cdb record"
if [ "$(id -u)" = 0 ]; then
	is "$(owner_of "$D/ids.com")" "$iu:$ig" "-i/-g: domain dir chowned"
	cdb_next
	is "$(owner_of "$D/ids.com/vpasswd")" "$iu:$ig" "-i/-g: vpasswd chowned"
	is "$(owner_of "$D/ids.com/postmaster/Maildir/new")" "$iu:$ig" "-i/-g: Maildir chowned"
	is "$(owner_of "$D/ids.com/.qmail-default")" "$iu:$ig" "-i/-g: .qmail-default chowned"
	cdb_next
	is "$(owner_of "$D/ids.com/.vpasswd.lock")" "$iu:$ig" "-i/-g: .vpasswd.lock chowned"
	bigdir_only is "$(owner_of "$D/ids.com/.dir-control")" "$iu:$ig" "-i/-g: .dir-control chowned"
	if [ "$AUTHLOG" = 1 ] && [ "$SQL" = 0 ]; then
		is "$(owner_of "$D/ids.com/postmaster/lastauth")" "$iu:$ig" "-i/-g: lastauth chowned"
	else skip "no lastauth file in this build"; fi
	# limits written by root keep root's owner and the umask's mode until a
	# reader (here vadduser's vget_limits) forces 0600 and the domain's ids
	if has_define ENABLE_MYSQL_LIMITS; then
		skip "limits in the SQL table: no file"; skip "limits in the SQL table: no file"
	else
		setup vmoddomlimits -P 5 ids.com
		is "$(owner_of "$D/ids.com/.qmailadmin-limits") $(mode_of "$D/ids.com/.qmailadmin-limits")" "0:0 0644" \
			"-i/-g: .qmailadmin-limits written by root: root's, 0644 under umask 022"
		setup vadduser carl@ids.com Passw0rd
		is "$(owner_of "$D/ids.com/.qmailadmin-limits") $(mode_of "$D/ids.com/.qmailadmin-limits")" "$iu:$ig 0600" \
			"-i/-g: read by vadduser: .qmailadmin-limits made 0600 and the domain's"
	fi
fi

run vadddomain -O fast.com Secret123
is_rc 0 "-O: exit 0"
like "$(cat "$QH/control/rcpthosts")" '(^|'$'\n'')fast\.com'$'\n' "-O: domain still added to rcpthosts"
ok_cmd "-O: users/cdb still rebuilt" users_cdb_ok

# domains/ missing: created 0700
sandbox_new
rmdir "$D"
run vadddomain new.com Secret123
is_rc 0 "missing domains/: created"
file_mode "$D" 0700 "domains/ created 0700"

# ------------------------------------------------------------ unknown option
sandbox_new
run vadddomain -x opt.com Secret123
is_err "$top_builddir/vadddomain: invalid option -- 'x'" "unknown option: getopt diagnostic on stderr"
is_rc 0 "unknown option: parsing stops, the operands are still used"
is_out "" "unknown option: no usage printed"
dir_exists "$D/opt.com" "unknown option: domain created"

done_testing
