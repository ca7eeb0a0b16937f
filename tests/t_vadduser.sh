#!/bin/bash
# t_vadduser.sh - vadduser: usage, options, every error, the files of a user
# (spec storage-and-admin.md §3.3-§3.7, §5, §7, §8.4).
. "$(dirname "$0")/lib.sh"
require_bins vadduser vadddomain

# ------------------------------------------------------------ usage / version
sandbox_new
run vadduser
is_rc 255 "no operand: exit 255"
is_out "$USAGE_VADDUSER" "no operand: usage text"
is_err "" "no operand: nothing on stderr"
run vadduser -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VADDUSER" "-v alone: version then usage"

# ------------------------------------------------------------ a plain user
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
run vadduser bob@example.com Passw0rd
is_rc 0 "vadduser bob@example.com Passw0rd: exit 0"
is_out "" "success: silent stdout"
is_err "" "success: silent stderr"
vpasswd_is "$DD" "vpasswd sorted, bob before postmaster" \
	"$(vpw_line bob bob "$DD/bob" NOQUOTA Passw0rd)" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)"
file_mode "$DD/vpasswd" 0600 "vpasswd 0600 after an add"
file_mode "$DD/vpasswd.cdb" 0600 "vpasswd.cdb 0600"
ok_cmd "vpasswd.cdb holds exactly the vpasswd records" vpw_cdb_ok "$DD"
cdb_next
is "$(cdb_get "$DD/vpasswd.cdb" bob)" "$(sed -n 's/^bob://p' "$DD/vpasswd")" "vpasswd.cdb value for bob"
ok_cmd "bob's hash verifies Passw0rd" crypt_ok Passw0rd "$(vpw_field "$DD" bob 2)"
user_dir_ok "$DD" bob
cdb_next
is "$(cd "$DD/bob" && ls -A | tr '\n' ' ')" "$( [ "$AUTHLOG" = 1 ] && echo 'Maildir lastauth ' || echo 'Maildir ')" "user dir holds Maildir (and lastauth) only"
if [ "$BIGDIR" = 1 ]; then
	dirctl_is "$DD/.dir-control" ".dir-control after the second user (quirk: 0 2 2)" 2 "0 2 2" "0 0 0" ""
else
	file_absent "$DD/.dir-control" "no big-dir: no .dir-control (as 5.6)"
fi
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# sorted insertion
for u in zed adam mike; do setup vadduser "$u@example.com" Passw0rd; done
cdb_next
is "$(cut -d: -f1 "$DD/vpasswd" | tr '\n' ' ')" "adam bob mike postmaster zed " "vpasswd kept sorted by name"
ok_cmd "vpasswd.cdb matches after several adds" vpw_cdb_ok "$DD"

# case folding, -c, % separator, default domain
run vadduser Alice@Example.COM Passw0rd
is_rc 0 "mixed-case address: exit 0"
is "$(vpw_field "$DD" alice 6)" "$DD/alice" "mixed-case address stored lower-case"
run vadduser -c "Bob Smith" bsmith@example.com Passw0rd
is_rc 0 "-c comment: exit 0"
is "$(vpw_field "$DD" bsmith 5)" "Bob Smith" "-c: gecos field"
run vadduser 'carol%example.com' Passw0rd
is_rc 0 "user%domain accepted"
is "$(vpw_field "$DD" carol 6)" "$DD/carol" "user%domain: user added"
VPOPMAIL_DOMAIN=example.com run vadduser erin Passw0rd
is_rc 0 "no domain, VPOPMAIL_DOMAIN set: exit 0"
is "$(vpw_count "$DD" erin)" 1 "VPOPMAIL_DOMAIN supplies the domain"
echo example.com > "$VH/etc/defaultdomain"
run vadduser frank Passw0rd
is_rc 0 "no domain, etc/defaultdomain set: exit 0"
is "$(vpw_count "$DD" frank)" 1 "etc/defaultdomain supplies the domain"
rm -f "$VH/etc/defaultdomain"
run vadduser "$(printf 'g%.0s' $(seq 64))@example.com" Passw0rd
is_rc 0 "64-character user accepted"
run vadduser -c "$(printf 'c%.0s' $(seq 64))" gecos64@example.com Passw0rd
is_rc 0 "64-character gecos accepted"
is "$(vpw_field "$DD" gecos64 5)" "$(printf 'c%.0s' $(seq 64))" "64-character gecos stored"
run vadduser "o'neil+tag=x@example.com" Passw0rd
is_rc 0 "user with ' + = accepted"
dir_exists "$DD/o'neil+tag=x/Maildir" "user with ' + =: directory created"

# ------------------------------------------------------------ errors that change nothing
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
DD=$D/example.com
snap=$(snapshot)
nochange() { unchanged "$snap" "$1: no file changed"; }

run vadduser "bad user@example.com" Passw0rd
is_rc 255 "space in user: exit 255"
is_out "Error: Illegal username" "space in user: stdout"
is_err "user invalid bad user" "space in user: stderr"
nochange "space in user"

run vadduser "bob@exa_mple.com" Passw0rd
is_rc 255 "bad domain characters: exit 255"
is_out "Error: Illegal username" "bad domain characters: stdout"
is_err "domain invalid exa_mple.com" "bad domain characters: stderr"
nochange "bad domain characters"

run vadduser $'bo\x01b@example.com' Passw0rd
is_rc 255 "control character in user: exit 255"
is_out "Error: Illegal username" "control character in user: stdout"
is_err $'user invalid bo\x01b' "control character in user: stderr"
nochange "control character in user"

run vadduser $'bo\nb@example.com' Passw0rd
is_rc 255 "newline in user: exit 255"
is_out "Error: Illegal username" "newline in user: stdout"
nochange "newline in user"

run vadduser 'bo:b@example.com' Passw0rd
is_rc 255 "colon in user: exit 255"
is_out "Error: Illegal username" "colon in user: stdout"
is_err "user invalid bo:b" "colon in user: stderr"
nochange "colon in user"

run vadduser $'bob\xc3\xa9@example.com' Passw0rd
is_rc 255 "non-ASCII user: exit 255"
is_out "Error: Illegal username" "non-ASCII user: stdout"
nochange "non-ASCII user"

# 5.6 let the empty name through to vadduser(): the counter in .dir-control
# went up before "User's directory already exists" (the domain directory).
cp "$DD/.dir-control" "$T0/dirctl.before" 2>/dev/null; vpw_text "$DD" > "$T0/vpw.before"
run vadduser @example.com Passw0rd
is_rc 255 "empty user: exit 255"
is_out "Error: Illegal username" "empty user: stdout"
is_err "user invalid " "empty user: stderr"
if [ "$BIGDIR" = 1 ]; then
	ok_cmd "empty user: .dir-control byte-identical (no user counted)" cmp -s "$T0/dirctl.before" "$DD/.dir-control"
else
	file_absent "$DD/.dir-control" "empty user: still no .dir-control (no big-dir)"
fi
is "$(vpw_text "$DD")" "$(cat "$T0/vpw.before")" "empty user: vpasswd unchanged"
nochange "empty user"
for t in vdeluser vmoduser vpasswd vsetuserquota vuserinfo; do
	case $t in
	vmoduser) run vmoduser -c x @example.com ;;
	vpasswd) run vpasswd @example.com Passw0rd2 ;;
	vsetuserquota) run vsetuserquota @example.com 5M ;;
	*) run "$t" @example.com ;;
	esac
	is "$RC:$OUT:$ERR" $'255:Error: Illegal username
:user invalid 
' "$t @example.com: an illegal user name"
done
nochange "the empty user name in the other tools"

run vadduser bob
is_rc 255 "no domain: exit 255"
is_out "You did not use a full email address for the user name
Only full email addresses should be used" "no domain: message"
nochange "no domain"

run vadduser bob@nowhere.com Passw0rd
is_rc 255 "unknown domain: exit 255"
is_out "Error: Domain does not exist" "unknown domain: message"
nochange "unknown domain"

run vadduser bob@example.com Other123
is_rc 255 "existing user: exit 255"
is_out "Error: User already exists" "existing user: message"
nochange "existing user"
run vadduser BOB@Example.com Other123
is_rc 255 "existing user in other case: exit 255"
is_out "Error: User already exists" "existing user in other case: message"
run vadduser postmaster@example.com Other123
is_out "Error: User already exists" "postmaster already exists"
nochange "existing users"

run vadduser -c 'a:b' colon@example.com Passw0rd
is_rc 236 "':' in gecos: exit 236"
is_out "Error: bad character" "':' in gecos: message"
nochange "':' in gecos"

run vadduser -c $'two\nlines' nlgecos@example.com Passw0rd
is_rc 236 "newline in gecos: exit 236"
is_out "Error: bad character" "newline in gecos: message"
nochange "newline in gecos"

run vadduser -c $'tab\there' tabgecos@example.com Passw0rd
is_rc 236 "control character in gecos: exit 236"
is_out "Error: bad character" "control character in gecos: message"
nochange "control character in gecos"

run vadduser -c "$(printf 'c%.0s' $(seq 65))" longgecos@example.com Passw0rd
is_rc 228 "65-character gecos: exit 228"
is_out "Error: gecos too long (max=64)" "65-character gecos: message"
nochange "65-character gecos"

run vadduser "$(printf 'u%.0s' $(seq 65))@example.com" Passw0rd
is_rc 231 "65-character user: exit 231"
is_out "Error: user name too long (max=64)" "65-character user: message"
nochange "65-character user"

run vadduser a@example.com Passw0rd
if [ "$BIGDIR" = 1 ]; then
	is_rc 255 "1-character user: exit 255"
	is_out "Error: Illegal username" "1-character user: message"
	nochange "1-character user"
else
	# as 5.6: only big-dir builds refuse them (a name could be a hash directory's)
	is_rc 0 "no big-dir: 1-character user: exit 0"
	is_out "" "no big-dir: 1-character user: silent"
	dir_exists "$DD/a/Maildir/new" "no big-dir: 1-character user has a Maildir"
	setup vdeluser a@example.com
	nochange "1-character user added and deleted"
fi

run vadduser "bob@$(printf 'd%.0s' $(seq 93)).com" Passw0rd
is_rc 255 "97-character domain: exit 255"
like "$OUT" '^Error: ' "97-character domain: an Error line"
nochange "97-character domain"

run vadduser a/b@example.com Passw0rd
is_rc 249 "'/' in user: exit 249"
is_out "Error: User's directory already exists" "'/' in user: message"
nochange "'/' in user"

# a leading '.' is an illegal user name in vpopmail-ng (doc/COMPATIBILITY.md)
for u in .. ../../etc .hidden .qmail-default; do
	run vadduser "$u@example.com" Passw0rd
	is_rc 255 "user '$u': exit 255"
	is_out "Error: Illegal username" "user '$u': Illegal username"
	nochange "user '$u'"
done

run vadduser vpasswd@example.com Passw0rd
is_rc 249 "user named vpasswd: exit 249"
is_out "Error: User's directory already exists" "user named vpasswd: message"
is "$(vpw_count "$DD" vpasswd)" 0 "user named vpasswd: not in vpasswd"
ok_cmd "user named vpasswd: vpasswd file intact" vpw_cdb_ok "$DD"
snap=$(snapshot)

run vadduser -r129 r129@example.com
is_rc 229 "-r129: exit 229"
is_out "Error: password too long (max=128)" "-r129: message"
nochange "-r129"

run vadduser -r rpw@example.com Passw0rd
is_rc 255 "-r with a password operand: exit 255"
is_out "Error: don't use -r option when giving password on command line" "-r with password: message"
nochange "-r with password"

run vadduser longpw@example.com "$(printf 'p%.0s' $(seq 129))"
if [ "$CLEAR" = 1 ]; then
	is_rc 229 "129-character password (CLEAR_PASS build): exit 229"
	is_out "Error: password too long (max=128)" "129-character password: message"
	nochange "129-character password"
else
	# 5.6 checks the clear password length in vadduser() only in CLEAR_PASS builds
	is_rc 0 "129-character password (no CLEAR_PASS): accepted"
	ok_cmd "129-character password: hash verifies" crypt_ok "$(printf 'p%.0s' $(seq 129))" "$(vpw_field "$DD" longpw 2)"
	snap=$(snapshot)
fi

# operands longer than the original's 300-byte buffers are refused, not truncated
run vadduser over@example.com "$(printf 'p%.0s' $(seq 400))"
is_rc 229 "400-character password: exit 229"
is_out "Error: password too long (max=128)" "400-character password: message"
nochange "400-character password"
run vadduser "$(printf 'u%.0s' $(seq 400))@example.com" Passw0rd
is_rc 231 "400-character user: exit 231"
is_out "Error: user name too long (max=64)" "400-character user: message"
nochange "400-character user"

# no password: the prompt reads stdin when there is no tty
run vadduser nopw@example.com
is_rc 255 "no password, no input: exit 255"
is_out "Error: No password entered
$USAGE_VADDUSER" "no password: message then usage"
is_err_raw "Please enter password for nopw@example.com: enter password again: " "no password: prompts on stderr with the address"
nochange "no password"

run vadduser NoPw@Example.COM
is_err_raw "Please enter password for nopw@example.com: enter password again: " "prompt shows the lower-cased address"

# -n is accepted by getopt but unhandled: it stops option parsing, then prompts
run vadduser -n nopw@example.com
is_rc 255 "-n: exit 255"
is_out "Error: No password entered
$USAGE_VADDUSER" "-n: prompts like a missing password"
nochange "-n"

# the trailing unknown option leaves no operand
run vadduser nopw@example.com -x
is_rc 255 "'address -x': exit 255"
is_out "$USAGE_VADDUSER" "'address -x': usage"
is_err "$(bin_path vadduser): invalid option -- 'x'" "'address -x': getopt diagnostic"
nochange "'address -x'"

# limits unreadable
mv "$VH/etc/vlimits.default" "$VH/etc/vlimits.saved"
snap=$(snapshot)
run vadduser nolimits@example.com Passw0rd
is_rc 220 "no limits file: exit 220"
is_out "Error: can't read domain limits" "no limits file: message"
nochange "no limits file"
mv "$VH/etc/vlimits.saved" "$VH/etc/vlimits.default"

# ------------------------------------------------------------ password policy
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
policy() { printf '%s\n' "$@" > "$VH/etc/password_strength.conf"; }
policy_fail() {   # policy_fail PASSWORD RC TEXT DESC
	local s
	s=$(snapshot)
	run vadduser pol@example.com "$1"
	is_rc "$2" "$4: exit $2"
	is_out "Error: $3
A password policy is in place:
	Passwords must be strong" "$4: error and policy lines"
	unchanged "$s" "$4: no file changed"
}
policy "Policy = Passwords must be strong" "Length >= 8"
policy_fail abc 186 "password requires more characters " "Length >= 8"
policy "Policy = Passwords must be strong" "Length = 8"
policy_fail abc 186 "password must always be 8 characters long " "Length = 8"
policy "Policy = Passwords must be strong" "Length < 4"
policy_fail abcdefgh 186 "password should have less characters " "Length < 4"
policy "Policy = Passwords must be strong" "Alphabet <= 0.5"
policy_fail abcdefg1 185 "password should have less alphabetical characters " "Alphabet <= 0.5"
policy "Policy = Passwords must be strong" "Numeric > 0.3"
policy_fail abcdefgh 184 "password requires more numbers " "Numeric > 0.3"
policy "Policy = Passwords must be strong" "Other >= 0.1"
policy_fail abcdefgh 183 "password requires more punctuation, symbols, or other characters " "Other >= 0.1"
policy "Policy = Passwords must be strong" "UpperLower <= 0.5"
policy_fail abcdefgh 182 "password requires more uppercase and lowercase character diversity " "UpperLower <= 0.5"
policy "# comment" "Policy = Passwords must be strong" "Length >= 8   # trailing comment" "Numeric >= 0.1"
run vadduser pol@example.com abcdefg1
is_rc 0 "password meeting every rule accepted"
policy "Length >= 8"
run vadduser pol2@example.com abc
is_rc 186 "no Policy line: exit 186"
is_out "Error: password requires more characters " "no Policy line: no policy block"
rm -f "$VH/etc/password_strength.conf"
run vadduser pol3@example.com x1
is_rc 0 "no password_strength.conf: any password accepted"

# ------------------------------------------------------------ -q quota
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
run vadduser -q 5M q1@example.com Passw0rd
is_rc 0 "-q 5M: exit 0"
is "$(vpw_field "$DD" q1 7)" 5242880S "-q 5M: quota 5242880S"
file_is "$DD/q1/Maildir/maildirsize" "5242880S
0 0
" "-q 5M: maildirsize"
file_mode "$DD/q1/Maildir/maildirsize" 0600 "-q 5M: maildirsize 0600"
ok_cmd "-q: vpasswd.cdb updated" vpw_cdb_ok "$DD"
run vadduser -q NOQUOTA q2@example.com Passw0rd
is "$(vpw_field "$DD" q2 7)" NOQUOTA "-q NOQUOTA stored"
file_absent "$DD/q2/Maildir/maildirsize" "-q NOQUOTA: no maildirsize"
run vadduser -q 1000c q3@example.com Passw0rd
is "$(vpw_field "$DD" q3 7)" 1000S "-q 1000c: lower-case c not recognised (1000S)"
run vadduser -q 1048576S,1000C q4@example.com Passw0rd
is "$(vpw_field "$DD" q4 7)" 1048576S,1000C "-q 1048576S,1000C stored"
file_is "$DD/q4/Maildir/maildirsize" "1048576S,1000C
0 0
" "-q size and count: maildirsize"
run vadduser -q 5MB q5@example.com Passw0rd
is "$(vpw_field "$DD" q5 7)" 5242880S "-q 5MB: 5242880S"
run vadduser -q 10k q6@example.com Passw0rd
is "$(vpw_field "$DD" q6 7)" 10240S "-q 10k: 10240S"
run vadduser -q 1000000000S,1000000000C q7@example.com Passw0rd
is_rc 255 "-q too long: exit 255"
is_out "Error in vsetuserquota()" "-q too long: message"
is "$(vpw_field "$DD" q7 7)" NOQUOTA "-q too long: user stays with the default quota"

# default quota from the limits
printf 'default_quota\t10485760\ndefault_maxmsgcount\t100\n' >> "$VH/etc/vlimits.default"
run vadduser dq@example.com Passw0rd
is_rc 0 "default quota from vlimits.default: exit 0"
is "$(vpw_field "$DD" dq 7)" 10485760S,100C "default quota 10485760S,100C"
file_is "$DD/dq/Maildir/maildirsize" "10485760S,100C
0 0
" "default quota: maildirsize"
limits_put "$DD" example.com $'maxpopaccounts -1\ndefault_quota 2048\n' -P -1 -q 2048 -m 0
run vadduser dq2@example.com Passw0rd
is "$(vpw_field "$DD" dq2 7)" 2048S "domain .qmailadmin-limits overrides vlimits.default"

# ------------------------------------------------------------ -e pre-encrypted, -s, -r
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
hash=$(vph mkhash Hashed123 '$6$abcdefgh$')
run vadduser -e "$hash" hashed@example.com
is_rc 0 "-e HASH: exit 0"
is_out "" "-e HASH: silent"
is "$(vpw_field "$DD" hashed 2)" "$hash" "-e: hash stored verbatim"
[ "$CLEAR" = 1 ] && is "$(vpw_field "$DD" hashed 8)" "" "-e: clear field emptied"
ok_cmd "-e: vpasswd.cdb updated" vpw_cdb_ok "$DD"
run vadduser -e '$1$abcd$XYZ' -q 5M -c 'Hash user' hashed2@example.com
is_rc 0 "-e with -q and -c: exit 0"
is "$(vpw_field "$DD" hashed2 2):$(vpw_field "$DD" hashed2 5):$(vpw_field "$DD" hashed2 7)" '$1$abcd$XYZ:Hash user:5242880S' "-e with -q and -c: fields"

# a hash that cannot be stored: vauth_setpw() refuses it, vpasswd stays intact
for h in 'ab:cd' $'ab\ncd' "$(printf 'h%.0s' $(seq 129))"; do
	run vadduser -e "$h" badhash@example.com
	is_rc 255 "-e unstorable hash ($(_show "$h" | head -c 20)...): exit 255"
	is_out "Error in vauth_setpw()" "-e unstorable hash: message"
	is "$(awk -F: 'NF != 7 && NF != 8' "$DD/vpasswd")" "" "-e unstorable hash: every vpasswd line intact"
	ok_cmd "-e unstorable hash: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
	cdb_next
	[[ $h == *$'\n'* ]] || is "$(grep -c -F ":$h:" "$DD/vpasswd")" 0 "-e unstorable hash: hash not written"
	"$top_builddir/vdeluser" badhash@example.com > /dev/null 2>&1
done

run vadduser -s sopt@example.com Passw0rd
is_rc 0 "-s: exit 0"
is_err "Warning: The -s option has been disabled." "-s: warning on stderr"
is "$(vpw_count "$DD" sopt)" 1 "-s: user added anyway"

run vadduser -r rnd@example.com
is_rc 0 "-r: exit 0"
like "$OUT" "^Random password: $RANDPW_RE{12}"$'\n$' "-r: 12 random characters"
pw=${OUT#Random password: }; pw=${pw%$'\n'}
ok_cmd "-r: stored hash matches the printed password" crypt_ok "$pw" "$(vpw_field "$DD" rnd 2)"
run vadduser -r20 rnd20@example.com
like "$OUT" "^Random password: $RANDPW_RE{20}"$'\n$' "-r20: 20 random characters"
pw=${OUT#Random password: }; pw=${pw%$'\n'}
ok_cmd "-r20: stored hash matches" crypt_ok "$pw" "$(vpw_field "$DD" rnd20 2)"
run vadduser rnd21@example.com -r
is_rc 0 "option after the address (permutation): exit 0"
like "$OUT" "^Random password: $RANDPW_RE{12}"$'\n$' "address -r: random password"

# unknown option in front: parsing stops, operands still used
run vadduser -x opt@example.com Passw0rd
is_rc 0 "unknown option before the operands: exit 0"
is_err "$(bin_path vadduser): invalid option -- 'x'" "unknown option: getopt diagnostic"
is "$(vpw_count "$DD" opt)" 1 "unknown option: user added"

# password from the prompt
run_in $'Typed123\nTyped123\n' vadduser typed@example.com
is_rc 0 "password typed twice: exit 0"
is_err_raw "Please enter password for typed@example.com: enter password again: " "typed: prompts on stderr"
ok_cmd "typed: hash verifies" crypt_ok Typed123 "$(vpw_field "$DD" typed 2)"
run_in $'aaa1\nbbb2\nTyped123\nTyped123\n' vadduser typed2@example.com
is_rc 0 "mismatch then match: exit 0"
is_out "Passwords do not match, try again" "mismatch: message on stdout"

# a typed password too long for the 300-byte buffer is refused, not cut short
long=$(printf 'p%.0s' $(seq 1 400))
snap=$(snapshot)
run_in "$long"$'\n'"$long"$'\n' vadduser typedlong@example.com
is_rc 229 "typed 400-char password: exit 229"
is_out "Error: password too long (max=128)" "typed 400-char password: message"
unchanged "$snap" "typed 400-char password: nothing written"

# a user named 'delete' can be created
run vadduser delete@example.com Passw0rd
is_rc 0 "user named delete: exit 0"

if [ "$CLEAR" = 1 ]; then
	is "$(vpw_field "$DD" typed 8)" "Typed123" "CLEAR_PASS build: clear field written"
else
	cdb_next
	is "$(awk -F: '{ print NF }' "$DD/vpasswd" | sort -u | tr '\n' ' ')" "7 " "non-CLEAR_PASS build: 7 fields on every line"
fi
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# A domain still in users/assign whose directory is gone: 5.6 cannot
# change into it (VA_BAD_D_DIR) and adds nothing.
sandbox_new
setup vadddomain gone.com Secret123
mv "$D/gone.com" "$SB/gone.moved"
snap=$(snapshot)
run vadduser xx@gone.com Passw0rd
is_rc 251 "domain directory gone: exit 251"
is_out "Error: Unable to chdir to vpopmail/$DOMAINS_DIRNAME directory" "domain directory gone: 5.6's message"
unchanged "$snap" "domain directory gone: nothing written"
run_in $'yy@gone.com Passw0rd\n' vadduser -f -
is_rc 251 "domain directory gone, -f: exit 251"
unchanged "$snap" "domain directory gone, -f: nothing written"

done_testing
