#!/bin/bash
# t_vuserinfo.sh - vuserinfo: usage, full layout, bare fields, limits
# marks, usage percent, last-auth block, -D listing, errors
# (spec storage-and-admin.md §4.1, §4.3, §5.4, §8.10).
. "$(dirname "$0")/lib.sh"
require_bins vuserinfo vadduser vadddomain vaddaliasdomain
export TZ=UTC

USAGE_VUSERINFO='vuserinfo: usage: [options] email_address
options: -v (print version number)
         -a (display all fields, this is the default)
         -n (display name field)
         -p (display crypted password)
         -u (display uid field)
         -g (display gid field)
         -c (display comment field)
         -d (display directory)
         -q (display quota field)
         -Q (display quota usage)'
[ "$CLEAR" = 1 ] && USAGE_VUSERINFO="$USAGE_VUSERINFO
         -C (display clear text password)"
[ "$AUTHLOG" = 1 ] && USAGE_VUSERINFO="$USAGE_VUSERINFO
         -l (display last authentication time)"
USAGE_VUSERINFO="$USAGE_VUSERINFO
         -D domainname (show all users on this domain)"
SEP=------------------------------------------

# Set field 4 (the flag word) of USER in DOMDIR/vpasswd and rebuild the index.
set_gid() {
	awk -F: -v OFS=: -v u="$2" -v g="$3" '$1 == u { $4 = g } { print }' "$1/vpasswd" > "$1/vpasswd.new" &&
		mv "$1/vpasswd.new" "$1/vpasswd" && vph mkvpwcdb "$1/vpasswd" "$1/vpasswd.cdb"
}
# The last-auth block for a lastauth file with mtime T (epoch) and IP.
T1=1763776592; T1_TEXT='Sat Nov 22 01:56:32 2025'
T2=1700000000; T2_TEXT='Tue Nov 14 22:13:20 2023'
set_lastauth() { printf '%s' "$2" > "$1/lastauth"; touch -d "@$3" "$1/lastauth"; }

# ------------------------------------------------------------ usage / version
sandbox_new
run vuserinfo
is_rc 255 "no operand: exit 255"
is_out "$USAGE_VUSERINFO" "no operand: usage"
is_err "" "no operand: nothing on stderr"
run vuserinfo -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VUSERINFO" "-v alone: version then usage"
run vuserinfo -x bob@example.com
is_rc 255 "unknown option: exit 255"
is_out "$USAGE_VUSERINFO" "unknown option: usage"
is_err "$(bin_path vuserinfo): invalid option -- 'x'" "unknown option: getopt diagnostic"
run vuserinfo -D
is_rc 255 "-D without its argument: exit 255"
is_out "$USAGE_VUSERINFO" "-D without its argument: usage"

# ------------------------------------------------------------ full layout
sandbox_new
setup vadddomain example.com Secret123
setup vadduser -q 1000 -c 'Bob Smith' bob@example.com Passw0rd
DD=$D/example.com
BOBPW=$(vpw_field "$DD" bob 2)
BOBCLEAR=; [ "$CLEAR" = 1 ] && BOBCLEAR=Passw0rd
printf 'x%.0s' $(seq 427) > "$DD/bob/Maildir/new/1700000000.1.host,S=427"
rm -f "$DD/bob/Maildir/maildirsize"
[ "$AUTHLOG" = 1 ] && set_lastauth "$DD/bob" 0.0.0.0 "$T1"
LASTAUTH_NEW=; [ "$AUTHLOG" = 1 ] && LASTAUTH_NEW="
account created: $T1_TEXT
last auth: Never logged in"
BOB_FULL="name:   bob
passwd: $BOBPW
clear passwd: $BOBCLEAR
comment/gecos: Bob Smith
uid:    $VPW_UID
gid:    0
flags:  0
gecos: Bob Smith
limits: No user limits set.
dir:       $DD/bob
quota:     1000S
usage:     42%$LASTAUTH_NEW"
run vuserinfo bob@example.com
is_rc 0 "full layout: exit 0"
cdb_next
is_out "$BOB_FULL" "full layout: every line, 427 bytes of 1000S is 42%"
is_err "" "full layout: nothing on stderr"
file_is "$DD/bob/Maildir/maildirsize" "1000S
427 1
" "usage computed: maildirsize written"
file_mode "$DD/bob/Maildir/maildirsize" 0644 "maildirsize made by vuserinfo follows the umask (022: 0644)"
run vuserinfo -a BOB@Example.COM
cdb_next
is_out "$BOB_FULL" "-a, mixed-case address: same layout"
run vuserinfo -v bob@example.com
is_rc 0 "-v with an address: exit 0"
cdb_next
is_out "version: $VERSION
$BOB_FULL" "-v with an address: version, then the layout"

PM_FULL="name:   postmaster
passwd: $(vpw_field "$DD" postmaster 2)
clear passwd: $([ "$CLEAR" = 1 ] && echo Secret123)
comment/gecos: Postmaster
uid:    $VPW_UID
gid:    0
flags:  0
gecos: Postmaster
limits: No user limits set.
dir:       $DD/postmaster
quota:     NOQUOTA
usage:     NOQUOTA"
rm -f "$DD/postmaster/lastauth"
[ "$AUTHLOG" = 1 ] && PM_FULL="$PM_FULL
last auth: Never logged in"
run vuserinfo postmaster@example.com
cdb_next
is_out "$PM_FULL" "NOQUOTA user, no lastauth file: usage NOQUOTA, never logged in"

# ------------------------------------------------------------ bare fields
run vuserinfo -n bob@example.com
is_out "bob" "-n: the name"
run vuserinfo -p bob@example.com
is_out "$BOBPW" "-p: the hash"
run vuserinfo -u bob@example.com
is_out "$VPW_UID" "-u: the uid field (1 in vpasswd, 0 in a MySQL row, as 5.6)"
run vuserinfo -g bob@example.com
is_out "0" "-g: the flag word"
run vuserinfo -c bob@example.com
is_out "Bob Smith" "-c: the gecos"
run vuserinfo -d bob@example.com
is_out "$DD/bob" "-d: the directory"
run vuserinfo -q bob@example.com
is_out "1000S" "-q: the quota"
run vuserinfo -Q bob@example.com
is_out "42%" "-Q: usage percent"
run vuserinfo -Q postmaster@example.com
is_out "NOQUOTA" "-Q, NOQUOTA user: NOQUOTA"
# A maildirsize that is fresh and small is believed, whatever the Maildir
# holds (5.6: a stale "77 1" gave 7% until the file was deleted).
printf '1000S\n77 1\n' > "$DD/bob/Maildir/maildirsize"
run vuserinfo -Q bob@example.com
is_out "7%" "-Q: a fresh maildirsize is summed, not recounted (77 of 1000S)"
file_is "$DD/bob/Maildir/maildirsize" "1000S
77 1
" "-Q: a fresh maildirsize is left as it is"
rm -f "$DD/bob/Maildir/maildirsize"
run vuserinfo -Q bob@example.com
is_out "42%" "-Q: once it is deleted, the Maildir is counted again"
run vuserinfo -C bob@example.com
if [ "$CLEAR" = 1 ]; then is_out "Passw0rd" "-C: the clear password"; else is_out "" "-C in a build without clear passwords: nothing"; fi
run vuserinfo -l bob@example.com
if [ "$AUTHLOG" = 1 ]; then
	cdb_next
	is_out "account created: $T1_TEXT
last auth: Never logged in" "-l: the last-auth block"
else
	is_out "" "-l in a build without auth logging: nothing"
fi
BARE="bob
$BOBPW"
[ "$CLEAR" = 1 ] && BARE="$BARE
Passw0rd"
BARE="$BARE
1
0
Bob Smith
$DD/bob
1000S
42%$LASTAUTH_NEW"
run vuserinfo -l -Q -q -d -c -g -u -C -p -n bob@example.com
is_rc 0 "all bare options: exit 0"
cdb_next
is_out "$BARE" "all bare options, reversed: printed in the fixed order"
run vuserinfo -a -n bob@example.com
is_out "bob" "-a then -n: bare"
run vuserinfo -n -a bob@example.com
cdb_next
is_out "$BOB_FULL" "-n then -a: full layout again"

# ------------------------------------------------------------ last auth
if [ "$AUTHLOG" = 1 ]; then
	set_lastauth "$DD/bob" 192.0.2.7 "$T2"
	run vuserinfo -l bob@example.com
	cdb_next
	is_out "last auth: $T2_TEXT
last auth ip: 192.0.2.7" "logged in: time and IP"
	set_lastauth "$DD/bob" $'192.0.2.8\nrest' "$T2"
	run vuserinfo -l bob@example.com
	cdb_next
	is_out "last auth: $T2_TEXT
last auth ip: 192.0.2.8" "IP is the first line only"
	set_lastauth "$DD/bob" "" "$T2"
	run vuserinfo -l bob@example.com
	cdb_next
	is_out "account created: $T2_TEXT
last auth: Never logged in" "empty lastauth: never logged in"
	if [ "$(id -u)" != 0 ]; then
		set_lastauth "$DD/bob" 192.0.2.9 "$T2"
		chmod 000 "$DD/bob/lastauth"
		run vuserinfo -l bob@example.com
		cdb_next
		is_out "account created: $T2_TEXT
last auth: Never logged in" "unreadable lastauth: its time, no address (5.6 stats it)"
		chmod 600 "$DD/bob/lastauth"
	else
		skip "root reads any lastauth"
	fi
	set_lastauth "$DD/bob" 0.0.0.0 "$T1"
else
	for _ in 1 2 3 4; do skip "auth logging disabled"; done
fi

# ------------------------------------------------------------ limits and flags
setup vadduser carol@example.com Passw0rd
setup vadduser dave@example.com Passw0rd
rm -f "$DD/carol/lastauth" "$DD/dave/lastauth"
set_gid "$DD" carol $((4096 | 1 | 128))
set_gid "$DD" dave $((8192 | 16))
limits_put "$DD" example.com $'disable_pop\ndisable_imap\n' -g pi
run vuserinfo carol@example.com
is_rc 0 "flags: exit 0"
want="flags:  $((4096 | 1 | 128 | 2 | 8))
gecos: carol
limits:
        password can not be changed by user
        pop access closed (*)
        imap access closed (*)
        has qmailadmin administrator access
        user flag 0 is set
        * = set by domain-wide limits
dir:       $DD/carol"
cdb_next
is "$(printf '%s' "$OUT" | sed -n '/^flags:/,/^dir:/p')" "$want" "flags: own bits plain, domain bits (*), footnote, table order"
run vuserinfo -g carol@example.com
cdb_next
is_out "$((4096 | 1 | 128))" "-g shows the stored word, not the domain's bits"
run vuserinfo dave@example.com
want="flags:  $((8192 | 16))
gecos: dave
limits:
        mail will be bounced back to sender
        user is not subject to domain limits
dir:       $DD/dave"
cdb_next
is "$(printf '%s' "$OUT" | sed -n '/^flags:/,/^dir:/p')" "$want" "V_OVERRIDE: domain limits not applied, no footnote"
run vuserinfo postmaster@example.com
want="flags:  10
gecos: Postmaster
limits:
        pop access closed (*)
        imap access closed (*)
        * = set by domain-wide limits
dir:       $DD/postmaster"
is "$(printf '%s' "$OUT" | sed -n '/^flags:/,/^dir:/p')" "$want" "only domain bits: all marked, footnote"
limits_clear "$DD" example.com

# ------------------------------------------------------------ -D
run vuserinfo -n -D example.com
is_rc 0 "-D -n: exit 0"
is_out "$SEP
bob
$SEP
carol
$SEP
dave
$SEP
postmaster" "-D -n: separator before every user"
cdb_next
is "$(awk -F: '{ print "'"$SEP"'"; print $1 }' "$DD/vpasswd")" "${OUT%$'\n'}" "-D -n: in vpasswd order"
run vuserinfo -q -D EXAMPLE.COM ignored@nowhere.com
is_out "$SEP
1000S
$SEP
NOQUOTA
$SEP
NOQUOTA
$SEP
NOQUOTA" "-D (upper case) wins over an address operand"
run vuserinfo -D example.com
is_rc 0 "-D full: exit 0"
cdb_next
is "$(printf '%s' "$OUT" | sed -n '/^name:   bob$/,/^name:   carol$/p' | sed '$d')" "$BOB_FULL
$SEP" "-D full: bob's block as for a single user"
setup vaddaliasdomain example.com alias.net
run vuserinfo -n -D alias.net
is_out "$SEP
bob
$SEP
carol
$SEP
dave
$SEP
postmaster" "-D through an alias domain"
# A clear-text field left in vpasswd (from a build that kept one): a walk
# shows it only in a clear-password build, as 5.6's vgetent() read it.
if [ "$SQL" = 0 ]; then
	printf 'old:%s:1:0:Old:%s/old:NOQUOTA:Leftover\n' "$(vpw_field "$DD" bob 2)" "$DD" >> "$DD/vpasswd"
	setup vmkpasswd example.com
	run vuserinfo -D example.com
	want=" "; [ "$CLEAR" = 1 ] && want=" Leftover"
	is "$(printf '%s' "$OUT" | sed -n '/^name:   old$/,/^comment/p' | grep '^clear passwd:')" "clear passwd:$want" \
		"-D: a left-over clear field shown only with clear passwords"
	run vuserinfo old@example.com
	is "$(printf '%s' "$OUT" | grep '^clear passwd:')" "clear passwd: Leftover" \
		"one user: the stored clear field, as 5.6's lookup read it in every build"
	sed -i '/^old:/d' "$DD/vpasswd"
	setup vmkpasswd example.com
fi
run vuserinfo -D nowhere.com
is_rc 0 "-D unknown domain: exit 0"
is_out "" "-D unknown domain: no output"
run vuserinfo -D "$(printf 'd%.0s' $(seq 400)).com"
is_rc 0 "-D overlong domain: exit 0"
is_out "" "-D overlong domain: no output"
run vuserinfo -D "$(printf 'd%.0s' $(seq 400)).com" -v
is_rc 0 "-D overlong, then -v: exit 0"
is_out "version: 5.6.13" "-D overlong, then -v: the options after it are still read"
run vuserinfo -D "$(printf 'd%.0s' $(seq 400)).com" -x
is_rc 255 "-D overlong, then a bad option: exit 255"
like "$OUT" "vuserinfo: usage:" "-D overlong, then a bad option: usage"
run vuserinfo -D "$(printf 'd%.0s' $(seq 400)).com" -D example.com -n
like "$OUT" "postmaster" "-D overlong, then -D example.com: the last -D counts"

# ------------------------------------------------------------ errors
snap=$(snapshot)
run vuserinfo nobody@example.com
is_rc 255 "unknown user: exit 255"
is_out "no such user nobody@example.com" "unknown user: message"
run vuserinfo nobody@alias.net
is_out "no such user nobody@example.com" "unknown user via an alias: the real domain is named"
run vuserinfo bob@nowhere.com
is_rc 255 "unknown domain: exit 255"
is_out "no such user bob@nowhere.com" "unknown domain: message"
# no domain part and no default domain: the message names the user alone
run vuserinfo bob
is_rc 255 "no domain: exit 255"
is_out "no such user bob" "no domain: 'no such user <user>'"
run vuserinfo "$(printf 'a%.0s' $(seq 400))@example.com"
is_rc 231 "overlong user: exit 231"
is_out "Error: user name too long (max=64)" "overlong user: message"
run vuserinfo "bad user@example.com"
is_rc 255 "invalid address: exit 255"
is_out "Error: Illegal username" "invalid address: message"
unchanged "$snap" "errors and lookups change no file"
run vuserinfo -n -d -q bob@example.com
unchanged "$snap" "bare fields without -Q change no file"

# ------------------------------------------------------------ uid switch (root only)
if [ "$(id -u)" = 0 ]; then
	sandbox_new
	setup vadddomain example.com Secret123
	setup vadduser -q 1000 bob@example.com Passw0rd
	sed -i 's/^+example.com-:example.com:[0-9]*:[0-9]*:/+example.com-:example.com:0:4294967295:/' "$QH/users/assign"
	vph mknewu "$QH/users/assign" "$QH/users/$USERS_CDB_NAME"
	run vuserinfo -n bob@example.com
	is_rc 1 "root, gid that cannot be set: exit 1"
	is_out "Error: unable to setuid" "root, gid that cannot be set: message"
	run vuserinfo -n -D example.com
	is_rc 1 "-D, gid that cannot be set: exit 1"
	is_out "Error: unable to setuid" "-D, gid that cannot be set: message"

	sandbox_new
	chmod 0711 "$T0" "$SB" "$VH" "$D"
	setup vadddomain -i 65534 -g 65534 example.com Secret123
	setup vadduser -q 1000 bob@example.com Passw0rd
	DD=$D/example.com
	rm -f "$DD/bob/Maildir/maildirsize"
	run vuserinfo -Q bob@example.com
	is_rc 0 "root, domain owned by 65534: exit 0"
	is_out "0%" "root, domain owned by 65534: usage"
	is "$(owner_of "$DD/bob/Maildir/maildirsize")" "65534:65534" "maildirsize written as the domain's uid:gid"
	chmod 0700 "$D"
	run vuserinfo bob@example.com
	cdb_next
	# the user database cannot be read: said so (5.6: "no such user")
	is_out "Error: no authentication database connection" "after the switch root's 0700 domains dir is closed"
else
	for i in 1 2 3 4 5 6 7 8; do skip "not root: uid switch not tested"; done
fi

done_testing
