#!/bin/bash
# t_vmoddomlimits.sh - vmoddomlimits: usage, every option, -S layout, -D, -d,
# the failure messages and the files written (spec storage-and-admin.md §6,
# §8.16).
. "$(dirname "$0")/lib.sh"
require_bins vmoddomlimits vadddomain vaddaliasdomain vadduser
if has_define ENABLE_MYSQL_LIMITS; then
	# The limits live in the SQL table: t_mysql.sh covers vmoddomlimits there.
	echo "1..0 # SKIP built with --enable-mysql-limits (no .qmailadmin-limits files)"
	exit 0
fi

USAGE_VMODDOMLIMITS='vmoddomlimits: usage: [options] domain 
options: -v ( display the vpopmail version number )
         -d ( use the vlimits.default file, instead of domain )
         -S ( show current settings )
         -D ( delete limits for this domain, i.e. switch to default limits)
         -Q quota-in-megabytes ( set domain disk quota, '"'"'100'"'"' = 100 MB )
         -q quota-in-bytes ( set default user quota, '"'"'10M'"'"' = 10 MB )
         -M count ( set domain max msg count )
         -m count ( set default user max msg count )
         -P count ( set max amount of pop accounts )
         -A count ( set max amount of aliases )
         -F count ( set max amount of forwards )
         -R count ( set max amount of autoresponders )
         -L count ( set max amount of mailing lists )
the following options are bit flags in the gid int field
         -g "flags"  (set flags, see below)
         gid flags:
            u ( set no dialup flag )
            d ( set no password changing flag )
            p ( set no pop access flag )
            s ( set no smtp access flag )
            w ( set no web mail access flag )
            i ( set no imap access flag )
            r ( set no external relay flag )
            c ( set no spamassasssin flag )
            x ( set delete spam flag )
            m ( set no maildrop flag )
the following options are bit flags for non postmaster admins
         -p "flags"  (set pop account flags)
         -a "flags"  (set alias flags)
         -f "flags"  (set forward flags)
         -r "flags"  (set autoresponder flags)
         -l "flags"  (set mailinglist flags)
         -u "flags"  (set mailinglist users flags)
         -o "flags"  (set mailinglist moderators flags)
         -x "flags"  (set quota flags)
         -z "flags"  (set default quota flags)
         perm flags:
            a ( set deny all flag )
            c ( set deny create flag )
            m ( set deny modify flag )
            d ( set deny delete flag )'

# limits_file POP ALIAS FWD AR ML QUOTA MSGS DQUOTA DMSGS "flag keys" P A F R L Q DQ:
# the exact bytes vset_limits writes (§6.3); flag keys space separated, in file order.
limits_file() {
	local k
	printf 'maxpopaccounts: %s\nmaxaliases: %s\nmaxforwards: %s\nmaxautoresponders: %s\n' "$1" "$2" "$3" "$4"
	printf 'maxmailinglists: %s\nquota: %s\nmaxmsgcount: %s\ndefault_quota: %s\ndefault_maxmsgcount: %s\n' "$5" "$6" "$7" "$8" "$9"
	for k in ${10}; do printf '%s\n' "$k"; done
	printf 'perm_account: %s\nperm_alias: %s\nperm_forward: %s\nperm_autoresponder: %s\n' "${11}" "${12}" "${13}" "${14}"
	printf 'perm_maillist: %s\nperm_quota: %s\nperm_defaultquota: %s\n' "${15}" "${16}" "${17}"
}
# file_is_l PATH WANT DESC: WANT came from $(limits_file ...), which lost the final newline.
file_is_l() { file_is "$1" "$2"$'\n' "$3"; }
FRESH=$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "" 0 0 0 0 0 0 0)

# One -S permission row: perm_row LABEL BITS.
perm_row() {
	local r
	printf -v r '  %-24s' "$1:"
	if (( $2 & 1 )); then r+='DENY_CREATE  '; else r+='ALLOW_CREATE '; fi
	if (( $2 & 2 )); then r+='DENY_MODIFY  '; else r+='ALLOW_MODIFY '; fi
	if (( $2 & 4 )); then r+='DENY_DELETE  '; else r+='ALLOW_DELETE '; fi
	printf '%s\n' "$r"
}
# show_text TITLE POP ALIAS FWD AR ML LETTERS PERMS(9 digits) QUOTA DQUOTA MSGS DMSGS
# LETTERS are -g letters in -S order (i s p w d r u c x m).
show_text() {
	local i c labels='pop account|alias|forward|autoresponder|mailinglist|mailinglist users|mailinglist moderators|quota|default quota'
	local -A name=([i]=NO_IMAP [s]=NO_SMTP [p]=NO_POP [w]=NO_WEBMAIL [d]=NO_PASSWD_CHNG
		[r]=NO_RELAY [u]=NO_DIALUP [c]=NO_SPAMASSASSIN [x]=DEL_SPAM [m]=NO_MAILDROP)
	printf '%s\n--\nMax Pop Accounts: %s\nMax Aliases: %s\nMax Forwards: %s\n' "$1" "$2" "$3" "$4"
	printf 'Max Autoresponders: %s\nMax Mailinglists: %s\nGID Flags:\n' "$5" "$6"
	for ((i = 0; i < ${#7}; i++)); do c=${7:i:1}; printf '  %s\n' "${name[$c]}"; done
	printf 'Flags (for commandline): %s\nFlags for non postmaster accounts:\n' "$7"
	IFS='|' read -r -a lab <<< "$labels"
	for ((i = 0; i < 9; i++)); do perm_row "${lab[i]}" "${8:i:1}"; done
	printf 'Domain Quota: %s MB\nDefault User Quota: %s bytes\nMax Domain Messages: %s\n' "$9" "${10}" "${11}"
	printf 'Default Max Messages per User: %s\n' "${12}"
}

# ------------------------------------------------------------ usage / version
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
L=$DD/.qmailadmin-limits
snap=$(snapshot)
run vmoddomlimits
is_rc 255 "no operand: exit 255"
is_out "$USAGE_VMODDOMLIMITS" "no operand: usage (trailing space after 'domain')"
is_err "" "no operand: nothing on stderr"
run vmoddomlimits ""
is_rc 255 "empty operand: exit 255"
is_out "$USAGE_VMODDOMLIMITS" "empty operand: usage"
run vmoddomlimits -h
is_rc 0 "-h: exit 0"
is_out "$USAGE_VMODDOMLIMITS" "-h: usage"
run vmoddomlimits -v -h -P 5 example.com
is_rc 0 "-v -h with a domain: exit 0"
is_out "version: $VERSION
$USAGE_VMODDOMLIMITS" "-v -h: version then usage"
run vmoddomlimits -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VMODDOMLIMITS" "-v alone: version then usage"
run vmoddomlimits -S -P 5
is_rc 255 "options but no domain: exit 255"
is_out "$USAGE_VMODDOMLIMITS" "options but no domain: usage"
unchanged "$snap" "usage runs change nothing"

# ------------------------------------------------------------ -S on a fresh domain (literal layout)
run vmoddomlimits -S example.com
is_rc 0 "-S: exit 0"
is_out 'Domain: example.com
--
Max Pop Accounts: -1
Max Aliases: -1
Max Forwards: -1
Max Autoresponders: -1
Max Mailinglists: -1
GID Flags:
Flags (for commandline): 
Flags for non postmaster accounts:
  pop account:            ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  alias:                  ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  forward:                ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  autoresponder:          ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  mailinglist:            ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  mailinglist users:      ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  mailinglist moderators: ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  quota:                  ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
  default quota:          ALLOW_CREATE ALLOW_MODIFY ALLOW_DELETE 
Domain Quota: 0 MB
Default User Quota: 0 bytes
Max Domain Messages: 0
Default Max Messages per User: 0' "-S: built-in defaults + vlimits.default, exact layout"
is_err "" "-S: nothing on stderr"
file_absent "$L" "-S writes no file"
unchanged "$snap" "-S changes nothing"
run vmoddomlimits -S -P 9 -g p example.com
is_rc 0 "-S with changes: exit 0"
file_absent "$L" "-S with changes: nothing written"

# ------------------------------------------------------------ a file too big to be a limits file
# Over 1 MB it is not read at all: the defaults apply, as with no file.
{ printf 'maxpopaccounts 3\n'; head -c 1100000 /dev/zero | tr '\0' '#'; } > "$L"
run vmoddomlimits -S example.com
is_rc 0 "-S with a 1.1 MB limits file: exit 0"
is "$(printf '%s\n' "$OUT" | sed -n 3p)" "Max Pop Accounts: -1" "a 1.1 MB limits file is not read"
printf 'maxpopaccounts 3\n' > "$L"
run vmoddomlimits -S example.com
is "$(printf '%s\n' "$OUT" | sed -n 3p)" "Max Pop Accounts: 3" "the same line in a small file is read"
rm -f "$L"

# ------------------------------------------------------------ write even if unchanged
run vmoddomlimits example.com
is_rc 0 "no option: exit 0"
is_out "" "no option: silent stdout"
is_err "" "no option: silent stderr"
file_is_l "$L" "$FRESH" "no option: the current limits are written anyway"
file_mode "$L" 0644 "new file: created per umask (0644)"
run vmoddomlimits example.com
is_rc 0 "second run: exit 0"
file_is_l "$L" "$FRESH" "second run: same bytes"
file_mode "$L" 0600 "second run: vget_limits made it 0600 before the rewrite"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ counts, quotas, messages
run vmoddomlimits -P 10 -A 5 -F 3 -R 2 -L 1 -Q 100 -q 10M -M 1000 -m 100 example.com
is_rc 0 "all count options: exit 0"
is_out "" "all count options: silent"
file_is_l "$L" "$(limits_file 10 5 3 2 1 100 1000 10485760 100 "" 0 0 0 0 0 0 0)" \
	"-P -A -F -R -L -Q -q 10M -M -m written in order"
run vmoddomlimits -S example.com
is_out "$(show_text 'Domain: example.com' 10 5 3 2 1 '' 000000000 100 10485760 1000 100)" \
	"-S shows the new counts, 'MB' and 'bytes' units"
run vmoddomlimits -P '' -Q '' -q '' -A 7 example.com
is_rc 0 "empty arguments: exit 0"
file_is_l "$L" "$(limits_file 10 7 3 2 1 100 1000 10485760 100 "" 0 0 0 0 0 0 0)" \
	"empty arguments leave their values alone"
run vmoddomlimits -q 5000000 -P 12abc -F -1 -Q 2x example.com
file_is_l "$L" "$(limits_file 12 7 -1 2 1 2 1000 5000000 100 "" 0 0 0 0 0 0 0)" \
	"plain byte quota; numbers parsed like atoi/strtoll (trailing junk ignored)"
run vmoddomlimits -P 1 -P 4 example.com
file_is_l "$L" "$(limits_file 4 7 -1 2 1 2 1000 5000000 100 "" 0 0 0 0 0 0 0)" "repeated option: the last wins"

# effect on new users: the default quota and message count
setup vadduser bob@example.com Passw0rd
is "$(vpw_field "$DD" bob 7)" "5000000S,100C" "vadduser takes the default quota/message count"

# ------------------------------------------------------------ -g domain flags
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
L=$DD/.qmailadmin-limits
declare -A GKEY=([u]=disable_dialup [d]=disable_password_changing [p]=disable_pop [s]=disable_smtp
	[w]=disable_webmail [i]=disable_imap [r]=disable_external_relay [c]=disable_spamassassin
	[x]=delete_spam [m]=disable_maildrop)
for g in u d p s w i r c x m; do
	run vmoddomlimits -g "$g" example.com
	is_rc 0 "-g $g: exit 0"
	file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "${GKEY[$g]}" 0 0 0 0 0 0 0)" "-g $g: only ${GKEY[$g]} set"
	run vmoddomlimits -S example.com
	is_out "$(show_text 'Domain: example.com' -1 -1 -1 -1 -1 "$g" 000000000 0 0 0 0)" "-g $g: -S line and letter"
done
run vmoddomlimits -g mxcurdwpsi example.com
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 \
	"disable_pop disable_imap disable_dialup disable_password_changing disable_webmail disable_external_relay disable_smtp disable_spamassassin delete_spam disable_maildrop" \
	0 0 0 0 0 0 0)" "-g with all ten letters: all keys, in file order"
run vmoddomlimits -S example.com
is_out "$(show_text 'Domain: example.com' -1 -1 -1 -1 -1 ispwdrucxm 000000000 0 0 0 0)" \
	"-S lists all flags in the order i s p w d r u c x m"
run vmoddomlimits -g pzZ example.com
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "disable_pop" 0 0 0 0 0 0 0)" \
	"-g replaces the whole set; unknown letters ignored"
run vmoddomlimits -P 3 example.com
file_is_l "$L" "$(limits_file 3 -1 -1 -1 -1 0 0 0 0 "disable_pop" 0 0 0 0 0 0 0)" "without -g the flags are kept"
run vmoddomlimits -g '' example.com
file_is_l "$L" "$(limits_file 3 -1 -1 -1 -1 0 0 0 0 "" 0 0 0 0 0 0 0)" "-g '' clears every flag"
# effect on users: with -g p the domain file carries disable_pop, which
# vget_limits turns into NO_POP in every user's pw_flags (no V_OVERRIDE)
run vmoddomlimits -g p example.com
is "$(grep -c -x disable_pop "$L")" 1 "-g p: disable_pop line present for the users' pw_flags"

# ------------------------------------------------------------ permissions
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
L=$DD/.qmailadmin-limits
run vmoddomlimits -p a -a c -f m -r d -l cm -z md example.com
is_rc 0 "perm options: exit 0"
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "" 7 1 2 4 3 0 6)" \
	"-p a=7 -a c=1 -f m=2 -r d=4 -l cm=3 -z md=6"
run vmoddomlimits -S example.com
is_out "$(show_text 'Domain: example.com' -1 -1 -1 -1 -1 '' 712430006 0 0 0 0)" "-S permission rows"
run vmoddomlimits -S example.com
is "$(printf '%s' "$OUT" | sed -n '11,12p')" "  pop account:            DENY_CREATE  DENY_MODIFY  DENY_DELETE  
  alias:                  DENY_CREATE  ALLOW_MODIFY ALLOW_DELETE " "-S rows literally: DENY_X + 2 spaces, ALLOW_X + 1 space"
run vmoddomlimits -p '' -a xyz -f dd example.com
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "" 0 0 4 4 3 0 6)" \
	"perm option replaces the value: '' and unknown letters give 0"
# the quirk: list users/moderators go into perm_quota's high bits ...
run vmoddomlimits -x d -u c -o m example.com
is_rc 0 "-x d -u c -o m: exit 0"
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "" 0 0 4 4 3 140 6)" "-x d -u c -o m: perm_quota: 140"
# ... and are read back from perm_maillist's, so they are lost
run vmoddomlimits -S example.com
is_out "$(show_text 'Domain: example.com' -1 -1 -1 -1 -1 '' 004430046 0 0 0 0)" \
	"read back: quota DENY_DELETE, list users/moderators ALLOW"
run vmoddomlimits example.com
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "" 0 0 4 4 3 4 6)" "next rewrite: perm_quota: 4"
printf 'perm_maillist: 453\nperm_quota: 15\n' > "$L"
run vmoddomlimits -S example.com
is_out "$(show_text 'Domain: example.com' -1 -1 -1 -1 -1 '' 000050770 0 0 0 0)" \
	"perm_maillist 453 read as list 5 / users 0 / moderators 7; perm_quota masked to 7"
run vmoddomlimits example.com
file_is_l "$L" "$(limits_file -1 -1 -1 -1 -1 0 0 0 0 "" 0 0 0 0 5 455 0)" \
	"rewrite: list bits alone in perm_maillist, users/moderators in perm_quota"

# ------------------------------------------------------------ -D
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
L=$DD/.qmailadmin-limits
setup vmoddomlimits -P 4 example.com
run vmoddomlimits -D example.com
is_rc 0 "-D: exit 0"
is_out "Limits deleted" "-D: message"
file_absent "$L" "-D: file removed"
run vmoddomlimits -D example.com
is_rc 0 "-D without a file: exit 0 (5.6)"
is_out "Limits deleted" "-D without a file: message"
setup vmoddomlimits -P 4 example.com
run vmoddomlimits -S -D -P 8 example.com
is_rc 0 "-S -D -P: exit 0"
is_out "Limits deleted" "-D wins over -S and changes"
file_absent "$L" "-S -D: file removed"
mkdir -p "$L/sub"
run vmoddomlimits -D example.com
is_rc 255 "-D failure: exit 255"
is_out "Failed to delete limits" "-D failure: message"
is_err "vqadmin: Cannot remove '$L': Is a directory" "-D failure: the reason on stderr, as 5.6"
dir_exists "$L" "-D failure: still there"
rm -rf "$L"

# ------------------------------------------------------------ write / read failures
snap=$(snapshot)
mkdir "$L"
run vmoddomlimits -P 5 example.com
is_rc 255 "unwritable limits file: exit 255"
is_out "Failed to vset_limits" "unwritable limits file: message"
is_err "vlimits: failed to open limits file (21):  $L" "a directory where the limits file belongs: 5.6's stderr line (EISDIR)"
rmdir "$L"
is "$(leftovers "$VH" "$QH")" "" "failed write: no temporary file left"

# a write that fails for lack of space (file size limit 0; stdout is a pipe)
fsize0() {
	local exe o
	exe=$(bin_path "$1"); shift
	o=$( ( trap '' XFSZ; ulimit -f 0; exec "$exe" "$@" ) 2>/dev/null < /dev/null; printf 'x%s' "$?" )
	RC=${o##*x}; OUT=${o%x*}
}
setup vmoddomlimits -P 4 example.com
cp "$L" "$T0/before"
fsize0 vmoddomlimits -P 6 example.com
is_rc 255 "full disk: exit 255"
is_out "Failed to vset_limits" "full disk: message"
ok_cmd "full disk: old file intact" cmp "$T0/before" "$L"
rm -f "$L"

mv "$VH/etc/vlimits.default" "$VH/etc/vl.save"
run vmoddomlimits -P 5 example.com
is_rc 255 "no domain file, no vlimits.default: exit 255"
is_out "Failed to vget_limits" "no limits at all: message"
file_absent "$L" "no limits at all: nothing written"
run vmoddomlimits -S example.com
is_rc 255 "-S without any limits: exit 255"
is_out "Failed to vget_limits" "-S without any limits: message"
run vmoddomlimits -D example.com
is_rc 255 "-D without any limits: exit 255 (read comes first)"
is_out "Failed to vget_limits" "-D without any limits: message"
printf 'maxaliases 2\n' > "$L"
run vmoddomlimits -P 5 example.com
is_rc 0 "domain file without vlimits.default: exit 0"
file_is_l "$L" "$(limits_file 5 2 -1 -1 -1 0 0 0 0 "" 0 0 0 0 0 0 0)" "domain file read over the built-in defaults"
rm -f "$L"
mv "$VH/etc/vl.save" "$VH/etc/vlimits.default"

# ------------------------------------------------------------ unknown domain, alias, case, options
snap=$(snapshot)
run vmoddomlimits -P 5 nowhere.com
is_rc 0 "unknown domain: exit 0"
is_out "" "unknown domain: silent stdout"
is_err "" "unknown domain: silent stderr"
run vmoddomlimits -S nowhere.com
is_rc 0 "unknown domain -S: exit 0"
is_out "" "unknown domain -S: silent"
run vmoddomlimits -D nowhere.com
is_rc 0 "unknown domain -D: exit 0"
is_out "" "unknown domain -D: silent"
run vmoddomlimits -P 5 "$(printf 'a%.0s' {1..400}).com"
is_rc 0 "overlong domain: unknown, exit 0"
is_out "" "overlong domain: silent"
unchanged "$snap" "unknown domains change nothing"

setup vaddaliasdomain example.com alias.net
run vmoddomlimits -P 3 alias.net
is_rc 0 "alias domain: exit 0"
file_is_l "$L" "$(limits_file 3 -1 -1 -1 -1 0 0 0 0 "" 0 0 0 0 0 0 0)" "alias domain: the real domain's file"
file_absent "$D/alias.net" "alias domain: no directory of its own"
run vmoddomlimits -S ALIAS.NET
is "$(printf '%s' "$OUT" | head -n 1)" "Domain: example.com" "-S through a mixed-case alias names the real domain"
run vmoddomlimits -S EXAMPLE.COM
is "$(printf '%s' "$OUT" | sed -n '1p;3p')" "Domain: example.com
Max Pop Accounts: 3" "mixed-case domain: lower-cased"

run vmoddomlimits -k -P 6 example.com
is_rc 0 "unknown option: exit 0"
is_err "$top_builddir/vmoddomlimits: invalid option -- 'k'" "unknown option: getopt's message"
is_out "" "unknown option: nothing on stdout"
file_is_l "$L" "$(limits_file 6 -1 -1 -1 -1 0 0 0 0 "" 0 0 0 0 0 0 0)" "unknown option: parsing went on (-P 6 applied)"
run vmoddomlimits example.com -A
is_rc 0 "missing option argument: exit 0"
is_err "$top_builddir/vmoddomlimits: option requires an argument -- 'A'" "missing option argument: getopt's message"
file_is_l "$L" "$(limits_file 6 -1 -1 -1 -1 0 0 0 0 "" 0 0 0 0 0 0 0)" "missing option argument: limits rewritten unchanged"
run vmoddomlimits -v -L 2 example.com
is_rc 0 "-v with a change: exit 0"
is_out "version: $VERSION" "-v with a change: version only"
file_is_l "$L" "$(limits_file 6 -1 -1 -1 2 0 0 0 0 "" 0 0 0 0 0 0 0)" "-v with a change: applied"

# ------------------------------------------------------------ -d: vlimits.default
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
L=$DD/.qmailadmin-limits
V=$VH/etc/vlimits.default
run vmoddomlimits -d -S
is_rc 0 "-d -S: exit 0"
is_out "$(show_text "Default limits: $V" -1 0 -1 -1 -1 '' 000000000 0 0 0 0)" \
	"-d -S: file values only (Max Aliases: 0)"
run vmoddomlimits -d -S
is "$(printf '%s' "$OUT" | sed -n '1,4p')" "Default limits: $V
--
Max Pop Accounts: -1
Max Aliases: 0" "-d -S: header literally"
cp "$V" "$T0/orig"
run vmoddomlimits -d -D
is_rc 255 "-d -D: exit 255"
is_out "Default limits must not be deleted. If you really want to do this,
remove the vlimits.default file.
But be warned: this might stop vpopmail from working!!" "-d -D: 3-line refusal"
ok_cmd "-d -D: file kept" cmp "$T0/orig" "$V"
run vmoddomlimits -d -D -S -P 3 example.com
is_rc 255 "-d -D -S: refusal wins"
ok_cmd "-d -D -S: file kept" cmp "$T0/orig" "$V"

run vmoddomlimits -d -P 20 -g pi -x c example.com
is_rc 0 "-d with changes: exit 0"
is_out "" "-d with changes: silent"
file_is_l "$V" "$(limits_file 20 0 -1 -1 -1 0 0 0 0 "disable_pop disable_imap" 0 0 0 0 0 1 0)" \
	"-d: vlimits.default rewritten in the vset_limits layout"
file_absent "$L" "-d: the domain operand is ignored"
run vmoddomlimits -S example.com
is_out "$(show_text 'Domain: example.com' 20 0 -1 -1 -1 'ip' 000000010 0 0 0 0)" \
	"a domain without its own file now shows the new defaults (maxaliases 0 written)"
run vmoddomlimits -d
is_rc 0 "-d alone: exit 0"
file_is_l "$V" "$(limits_file 20 0 -1 -1 -1 0 0 0 0 "disable_pop disable_imap" 0 0 0 0 0 1 0)" "-d alone: rewritten, same bytes"

cp "$V" "$T0/before"
fsize0 vmoddomlimits -d -P 21
is_rc 255 "-d write failure: exit 255"
is_out_raw "Failed to write vlimits.default file" "-d write failure: message without newline"
ok_cmd "-d write failure: old file intact" cmp "$T0/before" "$V"
is "$(leftovers "$VH" "$QH")" "" "-d write failure: no temporary file left"

rm -f "$V"
run vmoddomlimits -d -S
is_rc 255 "-d without vlimits.default: exit 255"
is_out "Failed to read the vlimits.default file." "-d without vlimits.default: message"
run vmoddomlimits -d -D
is_rc 255 "-d -D without vlimits.default: exit 255"
is_out "Failed to read the vlimits.default file." "-d -D without the file: the read fails first"
run vmoddomlimits -d -P 3
is_rc 255 "-d -P without the file: exit 255"
file_absent "$V" "-d without the file: none created"


# ------------------------------------------------------------ symbolic links
# One limits file shared by several domains through links, as 5.6 allowed:
# read through, written through (the link stays), never chowned through.
sandbox_new
setup vadddomain example.com Secret123
setup vadddomain other.com Secret123
printf 'maxpopaccounts: 4\n' > "$SB/shared.limits"
chmod 0644 "$SB/shared.limits"
ln -s "$SB/shared.limits" "$D/example.com/.qmailadmin-limits"
ln -s "$SB/shared.limits" "$D/other.com/.qmailadmin-limits"
run vmoddomlimits -S example.com
is_rc 0 "linked limits file: -S exit 0"
is "$(printf '%s\n' "$OUT" | sed -n 3p)" "Max Pop Accounts: 4" "linked limits file: read through the link"
file_mode "$SB/shared.limits" 0644 "linked limits file: the target's mode is not changed by reading"
run vmoddomlimits -P 9 example.com
is_rc 0 "linked limits file: -P exit 0"
ok_cmd "linked limits file: the link stays a link" test -L "$D/example.com/.qmailadmin-limits"
is "$(sed -n 1p "$SB/shared.limits")" "maxpopaccounts: 9" "linked limits file: the target is rewritten"
run vmoddomlimits -S other.com
is "$(printf '%s\n' "$OUT" | sed -n 3p)" "Max Pop Accounts: 9" "linked limits file: the other domain sharing it sees the change"
is "$(leftovers "$SB")" "" "linked limits file: no temporary file left"

mv "$VH/etc/vlimits.default" "$SB/real.default"
ln -s "$SB/real.default" "$VH/etc/vlimits.default"
run vmoddomlimits -d -P 3
is_rc 0 "linked vlimits.default: exit 0"
ok_cmd "linked vlimits.default: stays a link" test -L "$VH/etc/vlimits.default"
is "$(sed -n 1p "$SB/real.default")" "maxpopaccounts: 3" "linked vlimits.default: the target is rewritten"

# A link to a file of another owner (planted by a domain with its own uid)
# is not written through: the link itself is replaced.
if [ "$(id -u)" = 0 ]; then
	printf 'maxpopaccounts: 5\n' > "$SB/foreign"
	chown 65534:65534 "$SB/foreign"
	rm -f "$D/other.com/.qmailadmin-limits"
	ln -s "$SB/foreign" "$D/other.com/.qmailadmin-limits"
	run vmoddomlimits -S other.com
	is "$(printf '%s\n' "$OUT" | sed -n 3p)" "Max Pop Accounts: 5" "a foreign target is still read"
	ok_cmd "a foreign target keeps its owner after reading" test "$(stat -c %u "$SB/foreign")" = 65534
	run vmoddomlimits -P 7 other.com
	is_rc 0 "a link to another owner's file: exit 0"
	ok_cmd "a link to another owner's file: replaced by a plain file" test -f "$D/other.com/.qmailadmin-limits" -a ! -L "$D/other.com/.qmailadmin-limits"
	is "$(cat "$SB/foreign")" "maxpopaccounts: 5" "a link to another owner's file: that file is not written"
else
	for i in 1 2 3 4 5; do skip "not root: cannot make a file of another owner"; done
fi

# Two editors at once keep both changes: each holds the limits lock from
# its read to its write (5.6 held none: the second to write put back what
# it had read, undoing the first's change).  The first is stopped by
# strace just after it opened the file to read it; the second must wait
# for it, then read its change.
# race_edit FILE DESC ARGS1 -- ARGS2 (the last argument of each: the domain or nothing)
race_edit() {
	local file=$1 desc=$2 a1=() a2=()
	shift 2
	while [ "$1" != -- ]; do a1+=("$1"); shift; done
	shift
	a2=("$@")
	rm -f "$SB"/l[12].*
	stop_at l1 "$file" "$top_builddir/vmoddomlimits" "${a1[@]}"
	started l2 "$top_builddir/vmoddomlimits" "${a2[@]}"
	waits_for_lock l2 "$desc: the second editor waits for the first"
	kill -CONT "$SPID" 2>/dev/null
	wait "$TPID" "$BPID"
	is "$(cat "$SB/l1.rc") $(cat "$SB/l2.rc")" "0 0" "$desc: both exit 0"
}
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
if strace_ok; then
	setup vmoddomlimits -P 1 -A 1 example.com
	race_edit "$DD/.qmailadmin-limits" "two vmoddomlimits of a domain" -P 11 example.com -- -A 12 example.com
	run vmoddomlimits -S example.com
	like "$OUT" $'\nMax Pop Accounts: 11\n' "  the first one's change is kept"
	like "$OUT" $'\nMax Aliases: 12\n' "  the second one's change is kept"
	is "$(leftovers "$SB")" "" "  no temporary file left"

	setup vmoddomlimits -d -P 1 -A 1
	race_edit "$VH/etc/vlimits.default" "two vmoddomlimits -d" -d -P 21 -- -d -A 22
	like "$(cat "$VH/etc/vlimits.default")" $'maxpopaccounts: 21\nmaxaliases: 22\n' "  vlimits.default holds both changes"
else
	skip_no_strace "two vmoddomlimits at once" "domain: waits" "domain: exit 0" "first kept" "second kept" "no temp" "-d: waits" "-d: exit 0" "-d: both"
fi

# The lock is on the directory at the domain's path when the edit is made.
# vmoddomlimits is held just before it locks the domain directory; the
# domain is deleted and added again meanwhile, and the new directory
# locked by another holder.  The edit must wait for that holder (on the
# old, removed directory it would have gone ahead under a lock nobody sees).
if strace_ok && command -v flock >/dev/null; then
	rm -f "$SB"/l3.*
	# (stopped as its open of the directory returns, before the flock)
	traced l3 -P "$DD" -e trace=openat -e inject=openat:signal=SIGSTOP:when=1 -- \
		"$top_builddir/vmoddomlimits" -P 31 example.com
	held_ok l3 "vmoddomlimits held before it locks the domain directory"
	run vdeldomain example.com
	is_rc 0 "  vdeldomain meanwhile: exit 0"
	setup vadddomain example.com Secret123
	flock -o "$DD" sleep 60 &
	holder=$!
	for i in $(seq 1 100); do grep -q " FLOCK .* $holder " /proc/locks && break; sleep 0.05; done
	kill -CONT "$HELD_PID" 2>/dev/null
	waits_for_lock l3 "  the domain deleted and added again: it waits for the new directory's lock"
	kill "$holder"
	wait "$holder" 2>/dev/null
	wait "$TPID"
	is "$(cat "$SB/l3.rc")" 0 "  then exit 0"
	like "$(cat "$DD/.qmailadmin-limits")" $'(^|\n)maxpopaccounts: 31\n' "  the new domain's limits hold its change"
else
	skip_no_strace "a domain deleted and added again (or no flock(1))" "held" "vdeldomain" "waits" "exit 0" "change"
fi

done_testing
