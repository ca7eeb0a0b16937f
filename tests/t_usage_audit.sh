#!/bin/bash
# t_usage_audit.sh - option parsing shared by the admin tools, as audited
# against the 5.6 sources (doc/USAGE-AUDIT.md): most tools stop reading
# options at the first unknown one (getopt's complaint on stderr) and then
# carry on with the operands that follow; a few print their usage instead,
# and vmoduser/vmoddomlimits keep scanning.  Each program's own usage text
# is pinned in its own test; this file pins the cross-program rules.
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vaddaliasdomain vdeldomain vadduser vdeluser vpasswd \
	vsetuserquota vdominfo vuserinfo vmoduser vverifypw vdeloldusers vpopbull \
	vmkpasswd dotqmail2valias vconvert

# getopt's complaint for program $1 and option letter $2.
# (bin_path: under valgrind a static program runs as its dynamic twin.)
bad_opt() { printf '%s: invalid option -- '\''%s'\''' "$(bin_path "$1")" "$2"; }
# The first line of a program's output.
first_line() { printf '%s' "${OUT%%$'\n'*}"; }

sandbox_new
setup vadddomain example.com Secret123

# ------------------------------------------------ stop, then use the operands
run vaddaliasdomain -x a.org b.org
is_rc 255 "vaddaliasdomain -x a b: exit 255"
is_out "Error: Neither 'a.org' or 'b.org'  exist, unable to create alias." \
	"vaddaliasdomain -x a b: the operands are still used"
is_err "$(bad_opt vaddaliasdomain x)" "vaddaliasdomain -x: getopt's complaint"

run vdeldomain -x nosuch.org
is_rc 245 "vdeldomain -x domain: exit 245"
is_out "Error: Domain does not exist" "vdeldomain -x domain: the domain is still looked up"
is_err "$(bad_opt vdeldomain x)" "vdeldomain -x: getopt's complaint"

run vdeluser -x nobody@example.com
is_rc 246 "vdeluser -x address: exit 246"
is_out "Error: User does not exist" "vdeluser -x address: the address is still used"

run vsetuserquota -x nobody@nosuch.org 5M
is_rc 245 "vsetuserquota -x address quota: exit 245"
is_out "Error: Domain does not exist" "vsetuserquota -x: the operands are still used"

run vpasswd -x nobody@example.com Secret456
is_rc 255 "vpasswd -x unknown user: exit 255"
is_out "Error: Illegal username" "vpasswd -x: 5.6's text for an unknown user"

run vadddomain -x new.org Secret123
is_rc 0 "vadddomain -x domain password: exit 0"
is_out "" "vadddomain -x domain password: nothing on stdout"
is_err "$(bad_opt vadddomain x)" "vadddomain -x: getopt's complaint only"
run vdominfo -n new.org
is_out "new.org" "vadddomain -x: the domain was added all the same"

run vadddomain -x
is_rc 0 "vadddomain -x alone: exit 0 (usage, as without operands)"
is "$(first_line)" "vadddomain: usage: vadddomain [options] virtual_domain [postmaster password]" \
	"vadddomain -x alone: usage"

run vadduser -x bob@example.com Secret456
is_rc 0 "vadduser -x address password: exit 0"
run vuserinfo -n bob@example.com
is_out "bob" "vadduser -x: the user was added all the same"

# 5.6 lists -n in vadduser's option string but has no case for it: it
# ends the options like an unknown one (no getopt complaint).
run vadduser -n carol@example.com Secret456
is_rc 0 "vadduser -n address password: exit 0"
is_err "" "vadduser -n: no complaint"
run vuserinfo -n carol@example.com
is_out "carol" "vadduser -n: the user was added"

run vdeloldusers -x -e
if [ "$AUTHLOG" = 1 ]; then
	is_rc 255 "vdeloldusers -x -e: exit 255"
	is_out "error: you must supply either the -e or -d [domain] options" \
		"vdeloldusers -x -e: -e after the unknown option is not read"
else
	is_rc 255 "vdeloldusers without auth logging: exit 255"
	is_out "auth logging was not enabled, reconfigure with --enable-auth-logging=y" \
		"vdeloldusers without auth logging: 5.6's text"
fi

# ------------------------------------------------ stop, then print the usage
for cmd in "vdominfo -x example.com" "vuserinfo -x postmaster@example.com" \
	"vverifypw -x postmaster@example.com Secret123" "vpopbull -x -n example.com"; do
	# shellcheck disable=SC2086
	run $cmd
	is_rc 255 "$cmd: exit 255"
	case ${cmd%% *} in
	vdominfo)  want="vdominfo: usage: [options] [domain]" ;;
	vuserinfo) want="vuserinfo: usage: [options] email_address" ;;
	vverifypw) want="vverifypw: usage: [options] [email_addr] [password] (or empty to read from terminal)" ;;
	vpopbull)  want="usage: vpopbull [options] -f [email_file] [virtual_domain] [...]" ;;
	esac
	is "$(first_line)" "$want" "$cmd: usage"
	is_err "$(bad_opt "${cmd%% *}" x)" "$cmd: getopt's complaint"
done

run vconvert -x -c -m example.com
is_rc 255 "vconvert -x -c -m: exit 255"
is "$(first_line)" "vconvert: usage" "vconvert -x: usage, no conversion"

# ------------------------------------------------ keep scanning
run vmoduser -z -q 2M bob@example.com
is_rc 0 "vmoduser -z -q 2M address: exit 0"
is_err "$(bad_opt vmoduser z)" "vmoduser -z: getopt's complaint"
run vuserinfo -q bob@example.com
is_out "2097152S" "vmoduser: options after the unknown one still apply"

# ------------------------------------------------ no option parsing at all
run vmkpasswd -x
is_rc 253 "vmkpasswd -x: an operand, not an option (unknown domain, 253)"
is_out "" "vmkpasswd -x: silent"
is_err "" "vmkpasswd -x: no getopt complaint"

run dotqmail2valias -x
is_rc 255 "dotqmail2valias -x: exit 255"
if has_define VALIAS; then
	# With --enable-valias it parses -a -v -d; anything else is the usage.
	is_err "" "dotqmail2valias -x (valias build): nothing on stderr"
	like "$OUT" "^usage: dotqmail2valias \\[options\\] \\[domainlist\\]" "dotqmail2valias -x (valias build): the usage"
else
	is_err "You must enable valiases (./configure --enable-valias) to use this program." \
		"dotqmail2valias: the refusal comes before any option parsing"
	is_out "" "dotqmail2valias: nothing on stdout"
fi

done_testing
