#!/bin/bash
# t_vsetuserquota.sh - vsetuserquota: usage, quota formats, the domain form,
# errors, maildirsize and the onchange events
# (spec storage-and-admin.md §5.2-§5.4, §8.8, §9.1).
. "$(dirname "$0")/lib.sh"
require_bins vsetuserquota vadduser vadddomain vaddaliasdomain

USAGE='vsetuserquota: [options] email_address|domain_name quota
options:
-v (print version number)

If you specify a domain name rather than an email address,
the quota will be applied to all users in that domain'

# ------------------------------------------------------------ usage / version
sandbox_new
run vsetuserquota
is_rc 255 "no operand: exit 255"
is_out "$USAGE" "no operand: usage"
is_err "" "no operand: nothing on stderr"
run vsetuserquota bob@example.com
is_rc 255 "no quota: exit 255"
is_out "$USAGE" "no quota: usage"
run vsetuserquota bob@example.com ""
is_rc 255 "empty quota: exit 255"
is_out "$USAGE" "empty quota: usage"
run vsetuserquota -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE" "-v alone: version then usage"

# ------------------------------------------------------------ one user
sandbox_new
setup vadddomain example.com Secret123
setup vadduser -c "Bob Smith" bob@example.com Passw0rd
setup vadduser zed@example.com Passw0rd
DD=$D/example.com
before=$(grep -v '^bob:' "$DD/vpasswd")
run vsetuserquota bob@example.com 10mb
is_rc 0 "10mb: exit 0"
is_out "" "success: silent stdout"
is_err "" "success: silent stderr"
is "$(vpw_field "$DD" bob 7)" 10485760S "10mb upper-cased and stored as 10485760S"
vpasswd_is "$DD" "whole vpasswd: only bob's quota changed" \
	"$(vpw_line bob "Bob Smith" "$DD/bob" 10485760S Passw0rd)" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)" \
	"$(vpw_line zed zed "$DD/zed" NOQUOTA Passw0rd)"
is "$(grep -v '^bob:' "$DD/vpasswd")" "$before" "other lines byte-identical"
ok_cmd "vpasswd.cdb rebuilt" vpw_cdb_ok "$DD"
file_is "$DD/bob/Maildir/maildirsize" "10485760S
0 0
" "maildirsize written"
file_mode "$DD/bob/Maildir/maildirsize" 0600 "maildirsize 0600"
is "$(owner_of "$DD/bob/Maildir/maildirsize")" "$UIDGID" "maildirsize owned by the domain user"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

q() {	# q INPUT STORED MAILDIRSIZE-FIRST-LINE-or-"-"
	run vsetuserquota bob@example.com "$1"
	is_rc 0 "quota '$1': exit 0"
	is "$(vpw_field "$DD" bob 7)" "$2" "quota '$1' stored as '$2'"
	if [ "$3" = - ]; then
		file_absent "$DD/bob/Maildir/maildirsize" "quota '$1': no maildirsize"
	else
		file_is "$DD/bob/Maildir/maildirsize" "$3
0 0
" "quota '$1': maildirsize"
	fi
	ok_cmd "quota '$1': vpasswd.cdb consistent" vpw_cdb_ok "$DD"
}
q 1G 1073741824S 1073741824S
q 1g 1073741824S 1073741824S
q 5M 5242880S 5242880S
q 5mbs 5242880S 5242880S
q 2k 2048S 2048S
q 1000 1000S 1000S
q 1000S 1000S 1000S
q 5m,1000c 5242880S,1000C 5242880S,1000C
q 1000c,1mb 1048576S,1000C 1048576S,1000C
q 500C 500C 500C
q noquota NOQUOTA -
q 1M 1048576S 1048576S
q NOQUOTA NOQUOTA -
q 0 "" -
q abc "" -
q 4K 4096S 4096S

# through an alias domain, a mixed-case address and user%domain
setup vaddaliasdomain example.com alias.net
run vsetuserquota BOB@Alias.NET 3m
is_rc 0 "through an alias, mixed case: exit 0"
is "$(vpw_field "$DD" bob 7)" 3145728S "through an alias: the real domain's user changed"
snap=$(snapshot)
nochange() { unchanged "$snap" "$1: no file changed"; }
# Only an operand with '@' is an address: user%domain names a domain.
run vsetuserquota 'bob%example.com' 6M
is_rc 245 "'bob%example.com' is taken as a domain name: exit 245"
is_out "Error: Domain does not exist" "'bob%example.com': Domain does not exist"
nochange "'bob%example.com'"

# ------------------------------------------------------------ errors
run vsetuserquota bob@example.com 123456789012345678901
is_rc 227 "21-character quota: exit 227"
is_out "Error: quota too long (max=20)" "21-character quota: message"
is_err "" "21-character quota: nothing on stderr"
nochange "21-character quota"
run vsetuserquota bob@example.com 5M,1000000000000C
is_rc 227 "5M,1000000000000C: formatted to 23 characters: exit 227"
is_out "Error: quota too long (max=20)" "formatted quota too long: message"
nochange "formatted quota too long"
run vsetuserquota bob@example.com "$(printf '9%.0s' $(seq 300))"
is_rc 227 "300-character quota: exit 227"
is_out "Error: quota too long (max=20)" "300-character quota: message"
nochange "300-character quota"

# A number that would wrap (K, M, G included) is no quota: refused, not
# stored as another one (17179869184G was 0, that is unlimited).
for big in 17179869184G 17179869185G 8589934592G 9223372036854775808; do
	run vsetuserquota bob@example.com "$big"
	is_rc 227 "quota $big: exit 227"
	is_out "Error: quota too long (max=20)" "quota $big: message"
	nochange "quota $big"
done
run vsetuserquota bob@example.com 8589934591G
is_rc 0 "8589934591G (the largest G below 2^63): exit 0"
is "$(vpw_field "$DD" bob 7)" 9223372035781033984S "8589934591G stored as its bytes"
run vsetuserquota bob@example.com 3m
snap=$(snapshot)

run vsetuserquota nobody@example.com 1M
is_rc 246 "unknown user: exit 246"
is_out "Error: User does not exist" "unknown user: message"
nochange "unknown user"
run vsetuserquota bob@nowhere.com 1M
is_rc 245 "unknown domain in address: exit 245"
is_out "Error: Domain does not exist" "unknown domain in address: message"
nochange "unknown domain in address"
run vsetuserquota nowhere.com 1M
is_rc 245 "unknown domain: exit 245"
is_out "Error: Domain does not exist" "unknown domain: message"
nochange "unknown domain"
run vsetuserquota "$(printf 'd%.0s' $(seq 300)).com" 1M
is_rc 245 "300-character domain operand: exit 245"
is_out "Error: Domain does not exist" "300-character domain operand: message"
run vsetuserquota "bad user@example.com" 1M
is_rc 255 "invalid user: exit 255"
is_out "Error: Illegal username" "invalid user: stdout"
is_err "user invalid bad user" "invalid user: stderr"
nochange "invalid user"
run vsetuserquota "$(printf 'u%.0s' $(seq 65))@example.com" 1M
is_rc 231 "65-character user: exit 231"
is_out "Error: user name too long (max=64)" "65-character user: message"
nochange "65-character user"
run vsetuserquota "$(printf 'u%.0s' $(seq 300))@example.com" 1M
is_rc 231 "300-character address: exit 231"
is_out "Error: user name too long (max=64)" "300-character address: message"
nochange "300-character address"
run vsetuserquota "bob@$(printf 'd%.0s' $(seq 97)).com" 1M
is_rc 245 "101-character domain: the existence check comes first: exit 245"
is_out "Error: Domain does not exist" "long domain: message"
nochange "long domain"

# An unknown option stops the option scan; the operands still count.
run vsetuserquota -x bob@example.com 7M
is_rc 0 "unknown option: exit 0"
is_err "$top_builddir/vsetuserquota: invalid option -- 'x'" "unknown option: getopt diagnostic"
is_out "" "unknown option: nothing on stdout"
is "$(vpw_field "$DD" bob 7)" 7340032S "unknown option: quota still set"
run vsetuserquota -x -v bob@example.com 8M
is_rc 245 "-v after an unknown option is an operand: exit 245"
is_out "Error: Domain does not exist" "-v after an unknown option names the domain"
run vsetuserquota bob@example.com 9M -v
is_out "version: $VERSION" "-v after the operands (permutation)"
is "$(vpw_field "$DD" bob 7)" 9437184S "-v after the operands: quota set"

# ------------------------------------------------------------ domain form
sandbox_new
setup vadddomain example.com Secret123
setup vadduser zed@example.com Passw0rd
setup vadduser amy@example.com Passw0rd
setup vadduser -q 5M bob@example.com Passw0rd
DD=$D/example.com
order=$(cut -d: -f1 "$DD/vpasswd" | tr '\n' ' ')
onchange_logger
saved_umask=$(umask); umask 022
run vsetuserquota EXAMPLE.COM 20m
umask "$saved_umask"
is_rc 0 "domain form: exit 0"
is_out "" "domain form: silent"
file_mode "$DD/vpasswd" 0600 "domain form, umask 022: vpasswd 0600 (the first quota refresh leaves umask 077, as 5.6's update_maildirsize())"
for u in postmaster zed amy bob; do
	is "$(vpw_field "$DD" $u 7)" 20971520S "domain form: $u has 20971520S"
	file_is "$DD/$u/Maildir/maildirsize" "20971520S
0 0
" "domain form: $u's maildirsize"
done
is "$(cut -d: -f1 "$DD/vpasswd" | tr '\n' ' ')" "$order" "domain form: vpasswd order kept"
cdb_next
is "$(wc -l < "$DD/vpasswd")" 4 "domain form: still 4 lines"
ok_cmd "domain form: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
if has_define ONCHANGE_SCRIPT; then
	want=
	for u in $order; do want="${want}mod_user|$u@example.com|-|"$'\n'; done
	cdb_next
	file_is "$SB/onchange.log" "$want" "domain form: one mod_user per user, in vpasswd order"
	: > "$SB/onchange.log"
	run vsetuserquota bob@example.com 1M
	file_is "$SB/onchange.log" "mod_user|bob@example.com|-|
" "one user: one mod_user event"
	rm -f "$VH/etc/onchange" "$SB/onchange.log"
else
	skip "onchange not compiled in"
	skip "onchange not compiled in"
fi
saved_umask=$(umask); umask 022
run vsetuserquota bob@example.com 30m
umask "$saved_umask"
cdb_next
file_mode "$DD/vpasswd" 0644 "one user, umask 022: vpasswd rewritten 0644, before the quota refresh sets umask 077"
saved_umask=$(umask); umask 022
run vsetuserquota example.com NOQUOTA
umask "$saved_umask"
is_rc 0 "domain form NOQUOTA: exit 0"
cdb_next 2
file_mode "$DD/vpasswd" 0644 "domain form NOQUOTA, umask 022: vpasswd stays 0644 (5.6 sets umask 077 only for a quota)"
is "$(vpw_field "$DD" bob 7)" NOQUOTA "domain form NOQUOTA: stored"
file_absent "$DD/bob/Maildir/maildirsize" "domain form NOQUOTA: maildirsize removed"
setup vaddaliasdomain example.com alias.net
run vsetuserquota alias.net NOQUOTA
is_rc 0 "domain form through an alias: exit 0"
cdb_next
is "$(cut -d: -f7 "$DD/vpasswd" | sort -u)" NOQUOTA "alias: every user NOQUOTA"
file_absent "$DD/bob/Maildir/maildirsize" "NOQUOTA removes maildirsize"

snap=$(snapshot)
run vsetuserquota example.com 123456789012345678901
is_rc 227 "domain form, quota too long: exit 227"
is_out "Error: quota too long (max=20)" "domain form, quota too long: message once"
nochange "domain form, quota too long"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# The new maildirsize cannot be written (its temp's creation fails,
# injected with strace): the old one stays, not removed first.
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -o $SB/st.log -e trace=openat" run vsetuserquota bob@example.com 6M
	old=$(cat "$DD/bob/Maildir/maildirsize")
	n=$(nth_call "$SB/st.log" openat _NeWmAiLdIrSiZe.)
	VP_TEST_WRAPPER="$NOLSAN strace -o /dev/null -e trace=openat -e inject=openat:error=ENOSPC:when=${n:-1}" \
		run vsetuserquota bob@example.com 7M
	is "$(cat "$DD/bob/Maildir/maildirsize" 2>&1)" "$old" \
		"maildirsize cannot be rewritten: the old one stays (not removed first)"
else
	skip "no usable strace (or under a checker): maildirsize cannot be rewritten: the old one stays"
fi

done_testing
