#!/bin/bash
# t_vpasswd.sh - vpasswd: usage, options, errors, the rewritten vpasswd line
# (spec storage-and-admin.md §1.3, §3.3, §4.3, §7, §8.6).
. "$(dirname "$0")/lib.sh"
require_bins vpasswd vadduser vadddomain vaddaliasdomain

# ------------------------------------------------------------ usage / version
sandbox_new
run vpasswd
is_rc 255 "no operand: exit 255"
is_out "$USAGE_VPASSWD" "no operand: usage"
is_err "" "no operand: nothing on stderr"
run vpasswd -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VPASSWD" "-v alone: version then usage"

# ------------------------------------------------------------ change a password
sandbox_new
setup vadddomain example.com Secret123
setup vadduser -c "Bob Smith" -q 5M bob@example.com Passw0rd
setup vadduser zed@example.com Passw0rd
DD=$D/example.com
old=$(vpw_field "$DD" bob 2)
before=$(grep -v '^bob:' "$DD/vpasswd")
run vpasswd bob@example.com NewPass1
is_rc 0 "vpasswd bob@example.com NewPass1: exit 0"
is_out "" "success: silent stdout"
is_err "" "success: silent stderr"
new=$(vpw_field "$DD" bob 2)
isnt "$new" "$old" "hash changed"
has_define SHA512_PASSWORDS && like "$new" '^\$6\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{86}$' "new hash is \$6\$<8>\$<86>"
isnt "${new:3:8}" "${old:3:8}" "new salt"
ok_cmd "new hash verifies NewPass1" crypt_ok NewPass1 "$new"
if crypt_ok Passw0rd "$new"; then fail "old password no longer verifies"; else pass "old password no longer verifies"; fi
is "$(vpw_count "$DD" bob)" 1 "still exactly one bob line"
vpasswd_is "$DD" "whole vpasswd: only the hash (and clear field) changed" \
	"$(vpw_line bob "Bob Smith" "$DD/bob" 5242880S NewPass1)" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)" \
	"$(vpw_line zed zed "$DD/zed" NOQUOTA Passw0rd)"
is "$(grep -v '^bob:' "$DD/vpasswd")" "$before" "other lines byte-identical"
ok_cmd "vpasswd.cdb rebuilt" vpw_cdb_ok "$DD"
cdb_next
is "$(cdb_get "$DD/vpasswd.cdb" bob)" "$(sed -n 's/^bob://p' "$DD/vpasswd")" "vpasswd.cdb value for bob is the new line"
file_mode "$DD/vpasswd" 0644 "vpasswd rewritten by vpasswd: 0666 & ~umask (0644 under umask 022)"
file_mode "$DD/vpasswd.cdb" 0600 "vpasswd.cdb 0600"
file_is "$DD/bob/Maildir/maildirsize" "5242880S
0 0
" "maildirsize untouched"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

run vpasswd BOB@EXAMPLE.COM Upper123
is_rc 0 "mixed-case address: exit 0"
ok_cmd "mixed-case address: password changed" crypt_ok Upper123 "$(vpw_field "$DD" bob 2)"
setup vaddaliasdomain example.com alias.net
run vpasswd bob@alias.net Alias123
is_rc 0 "through an alias domain: exit 0"
ok_cmd "through an alias: real domain's user changed" crypt_ok Alias123 "$(vpw_field "$DD" bob 2)"
run vpasswd 'bob%example.com' Perc1234
is_rc 0 "user%domain: exit 0"
ok_cmd "user%domain: password changed" crypt_ok Perc1234 "$(vpw_field "$DD" bob 2)"

# ------------------------------------------------------------ -r
run vpasswd -r bob@example.com
is_rc 0 "-r: exit 0"
like "$OUT" "^Random password: $RANDPW_RE{12}"$'\n$' "-r: 12 random characters"
pw=${OUT#Random password: }; pw=${pw%$'\n'}
ok_cmd "-r: hash matches the printed password" crypt_ok "$pw" "$(vpw_field "$DD" bob 2)"
[ "$CLEAR" = 1 ] && is "$(vpw_field "$DD" bob 8)" "$pw" "-r: clear field"
run vpasswd -r20 bob@example.com
is_rc 0 "-r20: exit 0"
like "$OUT" "^Random password: $RANDPW_RE{20}"$'\n$' "-r20: 20 random characters"
pw=${OUT#Random password: }; pw=${pw%$'\n'}
ok_cmd "-r20: hash matches" crypt_ok "$pw" "$(vpw_field "$DD" bob 2)"
run vpasswd bob@example.com -r16
like "$OUT" "^Random password: $RANDPW_RE{16}"$'\n$' "option after the address: -r16 honoured"
is "$(vpw_count "$DD" bob)" 1 "after several changes: one bob line"

# ------------------------------------------------------------ errors
snap=$(snapshot)
nochange() { unchanged "$snap" "$1: no file changed"; }
run vpasswd -r129 bob@example.com
is_rc 229 "-r129: exit 229"
is_out "Error: password too long (max=128)" "-r129: message"
nochange "-r129"

run vpasswd -r bob@example.com Other123
is_rc 255 "-r with a password operand: exit 255"
is_out "Error: don't use -r option when giving password on command line" "-r with password: message"
nochange "-r with password"

run vpasswd nobody@example.com Other123
is_rc 255 "unknown user: exit 255"
is_out "Error: Illegal username" "unknown user: Illegal username"
nochange "unknown user"

run vpasswd bob@nowhere.com Other123
is_rc 255 "unknown domain: exit 255"
is_out "Error: Illegal username" "unknown domain: Illegal username"
nochange "unknown domain"

run vpasswd bob@ab Other123
is_rc 255 "two-character domain: looked up like any other, exit 255 (5.6 has no minimum here)"
is_out "Error: Illegal username" "two-character domain: Illegal username"
nochange "two-character domain"

run vpasswd "bad user@example.com" Other123
is_rc 255 "invalid user: exit 255"
is_out "Error: Illegal username" "invalid user: stdout"
is_err "user invalid bad user" "invalid user: stderr"
nochange "invalid user"

run vpasswd $'bo\x01b@example.com' Other123
is_rc 255 "control character in user: exit 255"
is_out "Error: Illegal username" "control character: stdout"
nochange "control character in user"

run vpasswd "$(printf 'u%.0s' $(seq 65))@example.com" Other123
is_rc 231 "65-character user: exit 231"
is_out "Error: user name too long (max=64)" "65-character user: message"
nochange "65-character user"

run vpasswd bob@example.com "$(printf 'p%.0s' $(seq 129))"
is_rc 229 "129-character password: exit 229"
is_out "Error: password too long (max=128)" "129-character password: message"
nochange "129-character password"

run vpasswd $'bob@example.com' $'new\nline'
if [ "$RC" = 0 ]; then
	cdb_next
	is "$(wc -l < "$DD/vpasswd")" 3 "newline in password: vpasswd still has 3 lines"
	ok_cmd "newline in password: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
	snap=$(snapshot)
else
	like "$OUT" '^Error: ' "newline in password: refused with an Error line"
	nochange "newline in password"
fi

if [ "$CLEAR" = 1 ]; then
	run vpasswd bob@example.com 'co:lon12'
	if [ "$RC" = 0 ]; then
		is "$(awk -F: '$1 == "bob" { print NF }' "$DD/vpasswd")" 8 "':' in password (CLEAR_PASS): the line keeps 8 fields"
		ok_cmd "':' in password: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
		snap=$(snapshot)
	else
		like "$OUT" '^Error: ' "':' in password (CLEAR_PASS): refused with an Error line"
		nochange "':' in password"
	fi
fi

# empty password through the prompt: refused by the default policy
run vpasswd bob@example.com
is_rc 186 "no password, no input: exit 186"
is_out "Error: password requires more characters 
A password policy is in place:
	Passwords must be at least one character long" "no input: policy error and block"
is_err_raw "Please enter password for bob@example.com: enter password again: " "no input: prompts on stderr"
nochange "empty password"

run_in $'Typed123\nTyped123\n' vpasswd bob@example.com
is_rc 0 "password typed twice: exit 0"
ok_cmd "typed password stored" crypt_ok Typed123 "$(vpw_field "$DD" bob 2)"
run_in $'aaa1\nbbb2\nTyped456\nTyped456\n' vpasswd bob@example.com
is_rc 0 "mismatch then match: exit 0"
is_out "Passwords do not match, try again" "mismatch: message on stdout"
ok_cmd "mismatch: second pair stored" crypt_ok Typed456 "$(vpw_field "$DD" bob 2)"
snap=$(snapshot)

# custom policy
printf 'Policy = Passwords need 8 characters\nLength >= 8\n' > "$VH/etc/password_strength.conf"
snap=$(snapshot)
run vpasswd bob@example.com short1
is_rc 186 "policy failure: exit 186"
is_out "Error: password requires more characters 
A password policy is in place:
	Passwords need 8 characters" "policy failure: error and policy lines"
nochange "policy failure"
run vpasswd bob@example.com longer123
is_rc 0 "password meeting the policy: exit 0"
snap=$(snapshot)
run vpasswd nobody@example.com short1
is_rc 186 "weak password for an unknown user: the policy is checked first (5.6's order), exit 186"
is_out "Error: password requires more characters 
A password policy is in place:
	Passwords need 8 characters" "weak password, unknown user: the policy's message"
nochange "weak password, unknown user"

# no rules at all: the empty password is accepted
rm -f "$VH/etc/password_strength.conf"
run vpasswd bob@example.com
is_rc 0 "no password_strength.conf: empty password accepted"
ok_cmd "empty password hashed" crypt_ok "" "$(vpw_field "$DD" bob 2)"

# password changes disabled by the domain limits (NO_PASSWD_CHNG)
limits_put "$DD" example.com $'disable_password_changing\n' -g d
has_define ENABLE_MYSQL_LIMITS || chmod 0644 "$DD/.qmailadmin-limits"
run vpasswd zed@example.com Other123
is_rc 255 "domain disables password changing: exit 255"
if has_define ENABLE_MYSQL_LIMITS; then skip "limits in the SQL table: no file mode to fix"
else file_mode "$DD/.qmailadmin-limits" 0600 "reading .qmailadmin-limits forces it to 0600"; fi
snap=$(snapshot)
run vpasswd zed@example.com Other123
is_rc 255 "domain disables password changing: exit 255"
is_out "Error: Illegal username" "NO_PASSWD_CHNG: Illegal username"
nochange "NO_PASSWD_CHNG"
limits_clear "$DD" example.com

# per-user NO_PASSWD_CHNG flag (pw_gid bit 0), set by hand as vmoduser -d would
awk -F: -v OFS=: '$1 == "zed" { $4 = 1 } { print }' "$DD/vpasswd" > "$SB/vpw" && cat "$SB/vpw" > "$DD/vpasswd"
vph mkvpwcdb "$DD/vpasswd" "$DD/vpasswd.cdb"
snap=$(snapshot)
run vpasswd zed@example.com Other123
cdb_next
is_rc 255 "user with NO_PASSWD_CHNG: exit 255"
cdb_next
is_out "Error: Illegal username" "user with NO_PASSWD_CHNG: Illegal username"
nochange "user with NO_PASSWD_CHNG"
awk -F: -v OFS=: '$1 == "zed" { $4 = 0 } { print }' "$DD/vpasswd" > "$SB/vpw" && cat "$SB/vpw" > "$DD/vpasswd"
vph mkvpwcdb "$DD/vpasswd" "$DD/vpasswd.cdb"
# other flags do not block the change, and survive it
awk -F: -v OFS=: '$1 == "zed" { $4 = 2050 } { print }' "$DD/vpasswd" > "$SB/vpw" && cat "$SB/vpw" > "$DD/vpasswd"
vph mkvpwcdb "$DD/vpasswd" "$DD/vpasswd.cdb"
run vpasswd zed@example.com Flags123
is_rc 0 "user with NO_POP|NO_SMTP flags: password changed"
cdb_next
is "$(vpw_field "$DD" zed 4)" 2050 "flag word kept by vpasswd"

# unknown option in front: parsing stops, operands still used
run vpasswd -x zed@example.com Other123
is_err "$top_builddir/vpasswd: invalid option -- 'x'" "unknown option: getopt diagnostic"
is_rc 0 "unknown option: operands still used"
ok_cmd "unknown option: password changed" crypt_ok Other123 "$(vpw_field "$DD" zed 2)"

if [ "$CLEAR" = 1 ]; then
	is "$(vpw_field "$DD" zed 8)" Other123 "CLEAR_PASS build: clear field updated"
else
	cdb_next
	is "$(awk -F: '{ print NF }' "$DD/vpasswd" | sort -u | tr '\n' ' ')" "7 " "non-CLEAR_PASS build: 7 fields on every line"
fi

done_testing
