#!/bin/bash
# t_vmoduser.sh - vmoduser: usage, every flag letter, -x ordering, fields,
# passwords, quota, -n, the domain form, errors, onchange
# (spec storage-and-admin.md §4.1, §4.2, §5.3, §7.2, §7.3, §8.9, §9.1).
. "$(dirname "$0")/lib.sh"
require_bins vmoduser vmkpasswd vadduser vadddomain vaddaliasdomain

USAGE='vmoduser: usage: [options] email_addr or domain (for each user in domain)
options: -v ( display the vpopmail version number )
         -n ( don'"'"'t rebuild the vpasswd.cdb file )
         -q quota ( set quota )
         -c comment (set the comment/gecos field )
         -e encrypted_passwd (set the password field )
         -C clear_text_passwd (set the password field )
the following options are bit flags in the gid int field
         -x ( clear all flags )
         -d ( don'"'"'t allow user to change password )
         -p ( disable POP access )
         -s ( disable SMTP AUTH access )
         -w ( disable webmail [IMAP from localhost*] access )
            ( * full list of webmail server IPs in vchkpw.c )
         -i ( disable non-webmail IMAP access )
         -b ( bounce all mail )
         -o ( user is not subject to domain limits )
         -r ( disable roaming user/pop-before-smtp )
         -a ( grant qmailadmin administrator privileges )
         -S ( grant system administrator privileges - access all domains )
         -E ( grant expert privileges - edit .qmail files )
         -f ( disable spamassassin)
         -F ( delete spam)
         -m ( disable maildrop)
  [The following flags aren'"'"'t used directly by vpopmail but are]
  [included for other programs that share the user database.]
         -u ( set no dialup flag )
         -0 ( set V_USER0 flag )
         -1 ( set V_USER1 flag )
         -2 ( set V_USER2 flag )
         -3 ( set V_USER3 flag )'
ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1

# ------------------------------------------------------------ usage / version
sandbox_new
run vmoduser
is_rc 255 "no operand: exit 255"
is_out "$USAGE" "no operand: usage"
is_err "" "no operand: nothing on stderr"
run vmoduser ""
is_rc 255 "empty operand: exit 255"
is_out "$USAGE" "empty operand: usage"
run vmoduser -h
is_rc 0 "-h: exit 0"
is_out "$USAGE" "-h: usage"
run vmoduser -v -h bob@example.com
is_rc 0 "-v -h: exit 0"
is_out "version: $VERSION
$USAGE" "-v -h: version then usage"
run vmoduser -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE" "-v alone: version then usage"

# ------------------------------------------------------------ flags
sandbox_new
setup vadddomain example.com Secret123
setup vadduser -c "Bob Smith" bob@example.com Passw0rd
setup vadduser zed@example.com Passw0rd
DD=$D/example.com
flags() { vpw_field "$DD" bob 4; }
for pair in d:1 p:2 w:4 i:8 b:16 r:32 u:64 0:128 1:256 2:512 3:1024 s:2048 a:4096 \
            o:8192 f:16384 F:32768 m:262144; do
	l=${pair%%:*} v=${pair#*:}
	run vmoduser -x -$l bob@example.com
	is "$RC:$OUT$ERR" "0:" "-$l: exit 0, silent"
	is "$(flags)" "$v" "-$l sets $v"
done
for pair in S:65536 E:131072; do
	l=${pair%%:*} v=${pair#*:}
	run vmoduser -x -$l bob@example.com
	is_rc 0 "-$l: exit 0"
	if [ "$ROOT" = 1 ]; then
		is "$(flags)" "$v" "-$l as root sets $v"
	else
		is "$(flags)" 0 "-$l ignored when the real uid is not 0"
	fi
done
run vmoduser -x -dpwibru0123saofFSEm bob@example.com
if [ "$ROOT" = 1 ]; then all=524287; else all=327679; fi
is "$(flags)" "$all" "every flag letter at once: $all"
ok_cmd "flags: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
run vmoduser -x bob@example.com
is "$(flags)" 0 "-x alone clears the word"
run vmoduser -p bob@example.com
run vmoduser -d bob@example.com
is "$(flags)" 3 "flag options OR into the existing word"
run vmoduser -d -x bob@example.com
is "$(flags)" 1 "'-d -x': -x clears first, whatever the order"
run vmoduser -p bob@example.com
run vmoduser -x -i bob@example.com
is "$(flags)" 8 "'-x -i': only -i left"
is "$(vpw_field "$DD" zed 4)" 0 "the other user untouched"

# unknown options are reported and skipped, the scan goes on
run vmoduser -x -z -w bob@example.com
is_rc 0 "unknown option: exit 0"
is_err "$top_builddir/vmoduser: invalid option -- 'z'" "unknown option: getopt diagnostic"
is "$(flags)" 4 "unknown option: later options still applied"
run vmoduser bob@example.com -x -b
is_rc 0 "options after the operand: exit 0"
is "$(flags)" 16 "options after the operand (permutation)"

# ------------------------------------------------------------ fields
run vmoduser -x -c 'New: Name' bob@example.com
is_rc 0 "-c: exit 0"
cdb_next
is "$(vpw_field "$DD" bob 5)" "New Name" "-c: ':' dropped on write"
ok_cmd "-c: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
file_mode "$DD/vpasswd" 0644 "vpasswd rewritten under umask 022: 0644"
run vmoduser -D "$DD/elsewhere" bob@example.com
is_rc 0 "-D: exit 0"
cdb_next
is "$(vpw_field "$DD" bob 6)" "$DD/elsewhere" "-D sets the directory field"
file_exists "$DD/bob/Maildir" "-D moves nothing"
run vmoduser -D "$DD/bob" bob@example.com
cdb_next
vpasswd_is "$DD" "whole vpasswd after -c/-D" \
	"$(vpw_line bob "New Name" "$DD/bob" NOQUOTA Passw0rd)" \
	"$(vpw_line postmaster Postmaster "$DD/postmaster" NOQUOTA Secret123)" \
	"$(vpw_line zed zed "$DD/zed" NOQUOTA Passw0rd)"

# ------------------------------------------------------------ passwords
old=$(vpw_field "$DD" bob 2)
run vmoduser -C NewPass1 bob@example.com
is_rc 0 "-C: exit 0"
new=$(vpw_field "$DD" bob 2)
ok_cmd "-C: new hash verifies" crypt_ok NewPass1 "$new"
isnt "${new:3:8}" "${old:3:8}" "-C: new salt"
[ "$CLEAR" = 1 ] && is "$(vpw_field "$DD" bob 8)" NewPass1 "-C: clear field set"
run vmoduser -C x bob@example.com
is_rc 0 "-C: no strength rule (1 character)"
ok_cmd "-C x: stored" crypt_ok x "$(vpw_field "$DD" bob 2)"
run vmoduser -e '$1$abcdefgh$ABCDEFGHIJKLMNOPQRSTUV' bob@example.com
is_rc 0 "-e: exit 0"
is "$(vpw_field "$DD" bob 2)" '$1$abcdefgh$ABCDEFGHIJKLMNOPQRSTUV' "-e: stored verbatim"
[ "$CLEAR" = 1 ] && is "$(vpw_field "$DD" bob 8)" x "-e: clear field left stale"
run vmoduser -e 'not-a-hash' bob@example.com
is "$(vpw_field "$DD" bob 2)" not-a-hash "-e: no validation"
run vmoduser -e 'ignored' -C Both1234 bob@example.com
ok_cmd "-C wins over -e" crypt_ok Both1234 "$(vpw_field "$DD" bob 2)"
ok_cmd "passwords: vpasswd.cdb consistent" vpw_cdb_ok "$DD"

# ------------------------------------------------------------ quota
run vmoduser -q 5m bob@example.com
is_rc 0 "-q 5m: exit 0"
cdb_next
is "$(vpw_field "$DD" bob 7)" 5242880S "-q: formatted quota stored"
file_is "$DD/bob/Maildir/maildirsize" "5242880S
0 0
" "-q: maildirsize written"
file_mode "$DD/bob/Maildir/maildirsize" 0600 "-q: maildirsize 0600"
file_mode "$DD/vpasswd" 0600 "-q: maildirsize refresh sets umask 077 before vpasswd is written"
run vmoduser -q 1000c bob@example.com
cdb_next
is "$(vpw_field "$DD" bob 7)" 1000S "-q 1000c: not upper-cased, lowercase c not a count"
cdb_next
run vmoduser -q 1G,10C bob@example.com
is "$(vpw_field "$DD" bob 7)" 1073741824S,10C "-q 1G,10C"
cdb_next
[ -f "$DD/vpasswd" ] && chmod 0644 "$DD/vpasswd"
run vmoduser -q NOQUOTA bob@example.com
is "$(vpw_field "$DD" bob 7)" NOQUOTA "-q NOQUOTA"
file_absent "$DD/bob/Maildir/maildirsize" "-q NOQUOTA: maildirsize removed"
cdb_next
file_mode "$DD/vpasswd" 0644 "-q NOQUOTA: the umask stays 022 (5.6 sets 077 only for a quota), vpasswd 0644"
ok_cmd "quota: vpasswd.cdb consistent" vpw_cdb_ok "$DD"

# ------------------------------------------------------------ -n
cdb_before=$(sha256sum < "$DD/vpasswd.cdb")
run vmoduser -n -c "No Index" bob@example.com
is_rc 0 "-n: exit 0"
is "$(vpw_field "$DD" bob 5)" "No Index" "-n: vpasswd rewritten"
is "$(sha256sum < "$DD/vpasswd.cdb")" "$cdb_before" "-n: vpasswd.cdb untouched"
cdb_next
like "$(cdb_get "$DD/vpasswd.cdb" bob)" ':New Name:' "-n: the index still has the old comment"
setup vmkpasswd example.com
ok_cmd "-n then vmkpasswd: consistent" vpw_cdb_ok "$DD"

# ------------------------------------------------------------ errors
snap=$(snapshot)
nochange() { unchanged "$snap" "$1: no file changed"; }
run vmoduser -d nobody@example.com
is_rc 255 "unknown user: exit 255"
is_out "no such user nobody@example.com" "unknown user: message"
nochange "unknown user"
run vmoduser -d BOB@Nowhere.COM
is_rc 255 "unknown domain in address: exit 255"
is_out "no such user bob@nowhere.com" "unknown domain: message, lower-cased"
nochange "unknown domain in address"
setup vaddaliasdomain example.com alias-m.net
snap=$(snapshot)
run vmoduser -d nobody@Alias-M.NET
is_rc 255 "unknown user in an alias domain: exit 255"
is_out "no such user nobody@example.com" "unknown user in an alias domain: the real domain is named, as in 5.6"
nochange "unknown user in an alias domain"
run vmoduser -d "bad user@example.com"
is_rc 255 "invalid user: exit 255"
is_out "Error: Illegal username" "invalid user: stdout"
is_err "user invalid bad user" "invalid user: stderr"
nochange "invalid user"
run vmoduser -c "$(printf 'g%.0s' $(seq 65))" bob@example.com
is_rc 228 "65-character comment: exit 228"
is_out "Error: gecos too long (max=64)" "long comment: message"
nochange "long comment"
run vmoduser -c "$(printf 'g%.0s' $(seq 300))" bob@example.com
is_rc 228 "300-character comment: exit 228"
nochange "300-character comment"
run vmoduser -D "/$(printf 'd%.0s' $(seq 160))" bob@example.com
is_rc 226 "161-character dir: exit 226"
is_out "Error: dir too long (max=160)" "long dir: message"
nochange "long dir"
run vmoduser -q 5M,1000000000000C bob@example.com
is_rc 227 "quota formatted to 23 characters: exit 227"
is_out "Error: quota too long (max=20)" "long quota: message"
nochange "long quota (maildirsize not touched either)"
for big in 17179869184G 17179869185G 99999999999999999999; do
	run vmoduser -q "$big" bob@example.com
	is_rc 227 "quota $big (wraps past 2^63-1): exit 227"
	is_out "Error: quota too long (max=20)" "quota $big: message"
	nochange "quota $big (not stored as no quota or as another one)"
done
run vmoduser -q "$(printf '0%.0s' $(seq 300))1M" bob@example.com
is_rc 227 "302-character quota: exit 227"
is_out "Error: quota too long (max=20)" "302-character quota: message, not stored cut"
nochange "302-character quota"
run vmoduser -e 'a:b' bob@example.com
is_rc 236 "':' in the hash: exit 236"
is_out "Error: bad character" "':' in the hash: message"
nochange "':' in the hash"
run vmoduser -c $'a\nb' bob@example.com
is_rc 236 "newline in the comment: exit 236"
nochange "newline in the comment"
run vmoduser -d "$(printf 'u%.0s' $(seq 65))@example.com"
is_rc 255 "65-character user: not found, exit 255"
is_out "no such user $(printf 'u%.0s' $(seq 65))@example.com" "long user: no such user"
nochange "long user"
if [ "$CLEAR" = 1 ]; then
	run vmoduser -C "$(printf 'p%.0s' $(seq 129))" bob@example.com
	is_rc 225 "129-character clear password: exit 225"
	is_out "Error: clear password too long (max=128)" "long clear password: message"
	nochange "long clear password"
fi
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ -S/-E without root
# -S and -E look at the real uid: run as nobody on a sandbox owned by nobody.
as_nobody() {
	"$(command -v setpriv)" --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"
}
NOBODY_OK=0
if [ "$ROOT" = 1 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	chmod o+x "$T0"
	# nobody must be able to reach the built program at all
	as_nobody "$top_builddir/vmoduser" -h >/dev/null 2>&1 && NOBODY_OK=1
	chmod o-x "$T0"
fi
if [ "$NOBODY_OK" = 1 ]; then
	sandbox_new
	NB=$(id -u nobody); NG=$(id -g nobody)
	export VPOPMAIL_UID=$NB VPOPMAIL_GID=$NG
	setup vadddomain example.com Secret123
	setup vadduser bob@example.com Passw0rd
	chown -R "$NB:$NG" "$SB"
	chmod o+x "$T0"
	run "$(command -v setpriv)" --reuid="$NB" --regid="$NG" --clear-groups \
		"$top_builddir/vmoduser" -x -S -E -d bob@example.com
	is_rc 0 "as nobody: exit 0"
	is "$(vpw_field "$D/example.com" bob 4)" 1 "as nobody: -S and -E ignored, -d applied"
	chmod o-x "$T0"
else
	skip "needs root, setpriv and a nobody user"
	skip "needs root, setpriv and a nobody user"
fi

# ------------------------------------------------------------ domain form
sandbox_new
setup vadddomain example.com Secret123
setup vadduser zed@example.com Passw0rd
setup vadduser amy@example.com Passw0rd
DD=$D/example.com
order=$(cut -d: -f1 "$DD/vpasswd" | tr '\n' ' ')
onchange_logger
run vmoduser -C Common12 -c Everyone -p -q 2M Example.COM
is_rc 0 "domain form: exit 0"
is_out "" "domain form: silent"
for u in $order; do
	ok_cmd "domain form: $u has the new password" crypt_ok Common12 "$(vpw_field "$DD" "$u" 2)"
	is "$(vpw_field "$DD" "$u" 4):$(vpw_field "$DD" "$u" 5):$(vpw_field "$DD" "$u" 7)" "2:Everyone:2097152S" \
		"domain form: $u flags, comment, quota"
	file_is "$DD/$u/Maildir/maildirsize" "2097152S
0 0
" "domain form: $u's maildirsize"
done
cdb_next
is "$(cut -d: -f2 "$DD/vpasswd" | cut -c1-11 | sort -u | wc -l)" 3 "domain form: a new salt for every user"
is "$(cut -d: -f1 "$DD/vpasswd" | tr '\n' ' ')" "$order" "domain form: order kept"
ok_cmd "domain form: vpasswd.cdb consistent" vpw_cdb_ok "$DD"
if has_define ONCHANGE_SCRIPT; then
	want=
	for u in $order; do want="${want}mod_user|$u@example.com|-|"$'\n'; done
	cdb_next
	file_is "$SB/onchange.log" "$want" "domain form: one mod_user per user, in vpasswd order"
	: > "$SB/onchange.log"
	run vmoduser -d amy@example.com
	file_is "$SB/onchange.log" "mod_user|amy@example.com|-|
" "one user: one mod_user event"
	rm -f "$VH/etc/onchange" "$SB/onchange.log"
else
	skip "onchange not compiled in"
	skip "onchange not compiled in"
fi
setup vaddaliasdomain example.com alias.net
run vmoduser -x alias.net
is_rc 0 "domain form through an alias: exit 0"
cdb_next
is "$(cut -d: -f4 "$DD/vpasswd" | sort -u)" 0 "alias: every user's flags cleared"

snap=$(snapshot)
run vmoduser -d nowhere.com
is_rc 0 "unknown domain: exit 0 (no users)"
is_out "" "unknown domain: silent"
unchanged "$snap" "unknown domain: no file changed"
run vmoduser -c "$(printf 'g%.0s' $(seq 65))" example.com
is_rc 228 "domain form, long comment: exit 228"
is_out "Error: gecos too long (max=64)" "domain form, long comment: message once"
unchanged "$snap" "domain form, long comment: no file changed"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

done_testing
