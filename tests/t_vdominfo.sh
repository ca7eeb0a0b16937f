#!/bin/bash
# t_vdominfo.sh - vdominfo: usage, per-domain blocks, aliases, bare
# fields, user count from .dir-control, errors (spec storage-and-admin.md
# §3.6, §8.11).
. "$(dirname "$0")/lib.sh"
require_bins vdominfo vadddomain vaddaliasdomain vadduser vdeldomain

USAGE_VDOMINFO='vdominfo: usage: [options] [domain]
options: -v (print version number)
         -a (display all fields, this is the default)
         -n (display domain name)
         -u (display uid field)
         -g (display gid field)
         -d (display domain directory)
         -t (display total users)
         -r (display real domain)'

# A hand-written users/assign (and its cdb): two real domains with their
# own ids, one alias of each, a non-domain line that is skipped.
write_assign() {
	{
		assign_line alias.net example.com "$D/example.com" 1001 1002; echo
		assign_line example.com example.com "$D/example.com" 1001 1002; echo
		echo '=postmaster:vpopmail:89:89:/home/vpopmail:::'
		assign_line other.org other.org "$D/0/other.org" 1003 1004; echo
		assign_line zz.example.com example.com "$D/example.com" 1001 1002; echo
		assign_line alias.org other.org "$D/0/other.org" 1003 1004; echo
		echo .
	} > "$QH/users/assign"
	vph mknewu "$QH/users/assign" "$QH/users/$USERS_CDB_NAME"
	mkdir -p "$D/example.com" "$D/0/other.org"
	printf '7\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n' > "$D/example.com/.dir-control"
}

# ------------------------------------------------------------ usage / version
sandbox_new
run vdominfo -x
is_rc 255 "unknown option: exit 255"
is_out "$USAGE_VDOMINFO" "unknown option: usage"
is_err "$top_builddir/vdominfo: invalid option -- 'x'" "unknown option: getopt diagnostic"

run vdominfo
is_rc 255 "no users/assign: exit 255"
is_out "Can't get domain entries - can't read users/assign file" "no users/assign: message"
run vdominfo -v
is_rc 255 "-v, no users/assign: exit 255"
is_out "version: $VERSION
Can't get domain entries - can't read users/assign file" "-v: version first, then the listing"

printf '.\n' > "$QH/users/assign"
run vdominfo
is_rc 0 "empty users/assign: exit 0"
is_out "What now - Success" "empty users/assign: message"

# ------------------------------------------------------------ every domain
sandbox_new
write_assign
EX="uid:    1001
gid:    1002
dir:    $D/example.com
users:  7"
OT="uid:    1003
gid:    1004
dir:    $D/0/other.org
users:  0"
snap=$(snapshot)
run vdominfo
is_rc 0 "listing: exit 0"
is_out "domain: alias.net (alias of example.com)
$EX

domain: example.com
$EX

domain: other.org
$OT

domain: zz.example.com (alias of example.com)
$EX

domain: alias.org (alias of other.org)
$OT
" "listing: one block per entry in file order, each followed by an empty line"
is_err "" "listing: nothing on stderr"
unchanged "$snap" "listing changes no file (no .dir-control written or created)"
file_absent "$D/0/other.org/.dir-control" "missing .dir-control is not created"

run vdominfo -n
is_out "alias.net (alias of example.com)

example.com

other.org

zz.example.com (alias of example.com)

alias.org (alias of other.org)
" "-n for every domain"
run vdominfo -t -r
is_out "7
example.com

7
example.com

0
other.org

7
example.com

0
other.org
" "-t -r for every domain: the real domain's count"

# ------------------------------------------------------------ one domain
run vdominfo example.com
is_rc 0 "real domain: exit 0"
is_out "domain: example.com
$EX
alias: alias.net
alias: zz.example.com" "real domain: its block, then its aliases in file order"
run vdominfo ZZ.Example.COM
is_rc 0 "alias (mixed case): exit 0"
is_out "domain: example.com
$EX
alias: alias.net
alias: zz.example.com" "alias: the real domain's block and all aliases"
run vdominfo other.org
is_out "domain: other.org
$OT
alias: alias.org" "second domain"
run vdominfo -r -t -d -g -u -n alias.org
is_rc 0 "all bare options: exit 0"
is_out "other.org
1003
1004
$D/0/other.org
0
other.org
alias: alias.org" "bare options, reversed: fixed order, then the alias lines"
run vdominfo -n example.com
is_out "example.com
alias: alias.net
alias: zz.example.com" "-n"
run vdominfo -u example.com
is_out "1001
alias: alias.net
alias: zz.example.com" "-u"
run vdominfo -g example.com
is_out "1002
alias: alias.net
alias: zz.example.com" "-g"
run vdominfo -d example.com
is_out "$D/example.com
alias: alias.net
alias: zz.example.com" "-d"
run vdominfo -t example.com
is_out "7
alias: alias.net
alias: zz.example.com" "-t"
run vdominfo -r example.com
is_out "example.com
alias: alias.net
alias: zz.example.com" "-r"
run vdominfo -n -a other.org
is_out "domain: other.org
$OT
alias: alias.org" "-n then -a: full block again"
run vdominfo -a -n other.org
is_out "other.org
alias: alias.org" "-a then -n: bare"
run vdominfo -v other.org
is_out "version: $VERSION
domain: other.org
$OT
alias: alias.org" "-v with a domain: version, then the block"

# ------------------------------------------------------------ errors
run vdominfo nowhere.com
is_rc 245 "unknown domain: exit 245"
is_out "Invalid domain name" "unknown domain: message"
run vdominfo "$(printf 'd%.0s' $(seq 400)).com"
is_rc 245 "overlong domain: exit 245"
is_out "Invalid domain name" "overlong domain: message"
rm "$QH/users/assign"
run vdominfo example.com
is_rc 219 "known domain, users/assign gone: exit 219"
is_out "Can't get domain entries - can't read users/assign file" "users/assign gone: message"
unchanged "$(snapshot)" "errors change no file"

# ------------------------------------------------------------ with the real commands
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vadduser carol@example.com Passw0rd
setup vaddaliasdomain example.com alias.net
run vdominfo alias.net
is_out "domain: example.com
uid:    $VPOPMAIL_UID
gid:    $VPOPMAIL_GID
dir:    $D/example.com
users:  $([ "$BIGDIR" = 1 ] && echo 3 || echo 0)
alias: alias.net" "after vadddomain/vadduser: postmaster + 2 users (.dir-control's count: 0 without big-dir, as 5.6)"
setup vdeldomain -f example.com
run vdominfo
is_rc 0 "every domain deleted: exit 0"
is_out "What now - Success" "every domain deleted: message"

done_testing
