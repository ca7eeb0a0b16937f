#!/bin/bash
# t_vaddaliasdomain.sh - vaddaliasdomain: usage, errors, files written
# (spec storage-and-admin.md §2, §7.7, §8.3, Appendix A).
. "$(dirname "$0")/lib.sh"
require_bins vaddaliasdomain vadddomain vadduser

sandbox_new
# ------------------------------------------------------------ usage / version
run vaddaliasdomain
is_rc 255 "no operand: exit 255"
is_out "$USAGE_VADDALIASDOMAIN" "no operand: usage"
is_err "" "no operand: nothing on stderr"
run vaddaliasdomain example.com
is_rc 255 "one operand: exit 255"
is_out "$USAGE_VADDALIASDOMAIN" "one operand: usage"
run vaddaliasdomain -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VADDALIASDOMAIN" "-v alone: version then usage"

# ------------------------------------------------------------ errors
setup vadddomain example.com Secret123
setup vadddomain example.org Secret123
snap=$(snapshot)
run vaddaliasdomain example.com example.com
is_rc 255 "same operands: exit 255"
is_out "Error: real domain and alias domain are the same!
$USAGE_VADDALIASDOMAIN" "same operands: message then usage"
unchanged "$snap" "same operands: no file changed"

run vaddaliasdomain example.com example.org
is_rc 255 "both exist: exit 255"
is_out "Error: Both domains already exist, unable to create alias." "both exist: message"
unchanged "$snap" "both exist: no file changed"

run vaddaliasdomain Foo.COM bar.com
is_rc 255 "neither exists: exit 255"
is_out "Error: Neither 'foo.com' or 'bar.com'  exist, unable to create alias." "neither exists: message (lower-cased, two spaces)"
unchanged "$snap" "neither exists: no file changed"

run vaddaliasdomain example.com "bad_name.net"
is_rc 244 "invalid alias name: exit 244"
is_out "Error: Invalid domain name" "invalid alias name: message"
unchanged "$snap" "invalid alias name: no file changed"

run vaddaliasdomain example.com "sp ace.net"
is_rc 244 "space in alias name: exit 244"
is_out "Error: Invalid domain name" "space in alias: message"
unchanged "$snap" "space in alias: no file changed"

run vaddaliasdomain example.com $'new\nline.net'
is_rc 244 "newline in alias name: exit 244"
is_out "Error: Invalid domain name" "newline in alias: message"
unchanged "$snap" "newline in alias: no file changed"

run vaddaliasdomain example.com "col:on.net"
is_rc 244 "colon in alias name: exit 244"
unchanged "$snap" "colon in alias: no file changed"

run vaddaliasdomain example.com "$(printf 'a%.0s' $(seq 93)).net"
is_rc 230 "97-character alias: exit 230"
is_out "Error: domain name too long (max=96)" "97-character alias: message"
unchanged "$snap" "97-character alias: no file changed"

# ------------------------------------------------------------ success (Appendix A)
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
run vaddaliasdomain example.com alias.net
is_rc 0 "vaddaliasdomain example.com alias.net: exit 0"
is_out "" "success: silent stdout"
is_err "" "success: silent stderr"
DD=$D/example.com
file_lines "$QH/users/assign" "assign: alias line first (sorted), same uid/gid/dir" \
	"$(assign_line alias.net example.com "$DD")" \
	"$(assign_line example.com example.com "$DD")" "."
file_lines "$QH/control/rcpthosts" "rcpthosts (Appendix A)" alias.net example.com
file_lines "$QH/control/virtualdomains" "virtualdomains (Appendix A)" alias.net:alias.net example.com:example.com
file_mode "$QH/control/virtualdomains" 0644 "virtualdomains 0644"
ok_cmd "users/cdb matches assign" users_cdb_ok
is "$(cdb_get "$QH/users/$USERS_CDB_NAME" '!alias.net-')" "$(assign_value example.com "$DD")" "users/cdb: alias record points at the real domain"
vpasswd_is "$DD" "vpasswd (Appendix A)" \
	"$(vpw_line bob bob "$DD/bob" NOQUOTA Passw0rd)" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)"
dirctl_is "$D/.dir-control" "domains/.dir-control (Appendix A)" 1 "0 2 4" "0 0 0" ""
file_absent "$D/alias.net" "no directory for the alias"

# the alias works for user commands
run vadduser carol@alias.net Passw0rd
is_rc 0 "user added through the alias"
is "$(vpw_field "$DD" carol 6)" "$DD/carol" "user added through the alias lives in the real domain"

# ------------------------------------------------------------ swapped operands, alias of alias, case
run vaddaliasdomain alias2.net example.com
is_rc 0 "swapped operands: exit 0"
like "$(cat "$QH/users/assign")" "\\+alias2\\.net-:example\\.com:" "swapped operands: the existing one is the real domain"

run vaddaliasdomain alias.net alias3.net
is_rc 0 "alias of an alias: exit 0"
like "$(cat "$QH/users/assign")" "\\+alias3\\.net-:example\\.com:[0-9]+:[0-9]+:$DD:-::" "alias of an alias attaches to the real domain"

run vaddaliasdomain EXAMPLE.com Alias4.NET
is_rc 0 "mixed case: exit 0"
like "$(cat "$QH/users/assign")" "\\+alias4\\.net-:example\\.com:" "mixed case: stored lower-case"
like "$(cat "$QH/control/virtualdomains")" "(^|"$'\n'")alias4\\.net:alias4\\.net"$'\n' "mixed case: virtualdomains lower-case"

run vaddaliasdomain example.com nodot
is_rc 0 "alias without a dot: accepted (charset and length only)"
like "$(cat "$QH/users/assign")" "\\+nodot-:example\\.com:" "alias without a dot: assign line"

run vaddaliasdomain example.com alias.net
is_rc 255 "existing alias again: both exist"
is_out "Error: Both domains already exist, unable to create alias." "existing alias again: message"

ok_cmd "assign is sorted by key and duplicate-free" vph sorted_by_key assign "$QH/users/assign"
ok_cmd "rcpthosts is sorted and duplicate-free" vph sorted_by_key plain "$QH/control/rcpthosts"
ok_cmd "virtualdomains is sorted and duplicate-free" vph sorted_by_key vd "$QH/control/virtualdomains"
ok_cmd "users/cdb matches assign after several aliases" users_cdb_ok
is "$(tail -n 1 "$QH/users/assign")" "." "assign still ends with '.'"

# ------------------------------------------------------------ locals cleanup
sandbox_new
setup vadddomain example.com Secret123
printf 'localhost\nalias.net\nalias.netx\n' > "$QH/control/locals"
run vaddaliasdomain example.com alias.net
is_rc 0 "alias listed in locals: exit 0"
file_lines "$QH/control/locals" "alias removed from locals, other lines kept" localhost alias.netx
file_mode "$QH/control/locals" 0644 "locals 0644"

done_testing
