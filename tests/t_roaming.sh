#!/bin/bash
# t_roaming.sh - roaming users (spec runtime §5): vchkpw adds the POP/IMAP
# client to ~vpopmail/etc/open-smtp and rebuilds tcp.smtp.cdb with the
# real tcprules; clearopensmtp expires entries; IPv6 never yields a rule.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vchkpw_common.sh"
require_bins vchkpw clearopensmtp vadddomain vadduser vmoduser

sandbox_new
shim_here
export VPOPMAIL_TCP_FILE=$VH/etc/tcp.smtp
setup vadddomain example.com Secret123
setup vadduser joe@example.com Passw0rd
OS=$VH/etc/open-smtp
CDB=$VH/etc/tcp.smtp.cdb

if [ "$ROAM" = 0 ]; then
	run clearopensmtp
	is_rc 0 "clearopensmtp without roaming support: exit 0"
	is_out "vpopmail not configure with --enable-roaming-users" "clearopensmtp: the original's message"
	creds joe@example.com Passw0rd
	vchk TCPLOCALPORT=110 TCPREMOTEIP=10.1.2.3 -- /bin/true
	is_rc 0 "POP login"
	file_absent "$OS" "no open-smtp without roaming support"
	file_absent "$CDB" "no tcp.smtp.cdb without roaming support"
	done_testing
fi

TCPRULES=$(sed -n 's/^#define TCPRULES_PROG "\(.*\)"$/\1/p' "$CONFIG_H")
if [ ! -x "$TCPRULES" ]; then
	echo "1..0 # SKIP tcprules ($TCPRULES) is not installed"
	exit 0
fi
MIN=$(sed -n 's/^#define RELAY_CLEAR_MINUTES \([0-9]*\)$/\1/p' "$CONFIG_H")
RULE='allow,RELAYCLIENT="",RBLSMTPD=""'
CDBVAL='+RELAYCLIENT=\0+RBLSMTPD=\0'
printf '127.:allow,RELAYCLIENT=""\n10.5.:deny\n' > "$VPOPMAIL_TCP_FILE"

login() {	# login IP [PORT] [USER]
	creds "${3:-joe@example.com}" Passw0rd
	vchk TCPLOCALPORT="${2:-110}" TCPREMOTEIP="$1" -- /bin/true
}
# open-smtp with the times masked as T.
os_masked() { if [ -e "$OS" ]; then sed -E 's/\t[0-9]+$/\tT/' "$OS"; printf x; else printf '<missing>x'; fi; }
os_is() { local got want; got=$(os_masked); got=${got%x}; setlines want "${@:2}"; is "$got" "$want" "$1"; }
age_of() { awk -F'\t' -v ip="$1" 'index($1, ip ":") == 1 { print systime() - $2 }' "$OS"; }

# ------------------------------------------------------------ first login from an IP
login 10.1.2.3
is_rc 0 "POP login from 10.1.2.3: exit 0"
os_is "open-smtp has the client's rule and time" "10.1.2.3:$RULE"$'\t'T
a=$(age_of 10.1.2.3); [ -n "$a" ] && [ "$a" -ge 0 ] && [ "$a" -le 5 ] && pass "the time is now" || fail "the time is now (age '$a')"
is "$(cdb_get "$CDB" 10.1.2.3)" "$CDBVAL" "tcp.smtp.cdb: 10.1.2.3 may relay"
is "$(cdb_get "$CDB" 127.)" '+RELAYCLIENT=\0' "tcp.smtp.cdb: the static rules are kept"
is "$(cdb_get "$CDB" 10.5.)" 'D\0' "tcp.smtp.cdb: static deny kept"
is "$(owner_of "$CDB")" "$UIDGID" "tcp.smtp.cdb owned by vpopmail"
file_mode "$CDB" 0644 "tcp.smtp.cdb mode 0644"
file_mode "$OS" 0644 "open-smtp mode 0644"
file_mode "$OS.lock" 0600 "open-smtp.lock mode 0600"
is "$(leftovers "$VH/etc")" "" "no temporary files left"

: > "$SB/syslog"

# ------------------------------------------------------------ same IP again: time only
sed -i -E 's/\t[0-9]+$/\t1000/' "$OS"
touch -d '2001-01-01' "$CDB"
login 10.1.2.3
os_is "same IP: still one line" "10.1.2.3:$RULE"$'\t'T
a=$(age_of 10.1.2.3); [ "$a" -le 5 ] && pass "same IP: time refreshed" || fail "same IP: time refreshed (age $a)"
is "$(stat -c %Y "$CDB")" "$(date -d 2001-01-01 +%s)" "same IP: tcp.smtp.cdb not rebuilt"

# ------------------------------------------------------------ a second client, other classes
login 10.1.2.4 143
os_is "IMAP login adds a second client" "10.1.2.3:$RULE"$'\t'T "10.1.2.4:$RULE"$'\t'T
is "$(cdb_get "$CDB" 10.1.2.4)" "$CDBVAL" "new client: cdb rebuilt"
is "$(cdb_get "$CDB" 10.1.2.3)" "$CDBVAL" "new client: the first one still relays"
login 10.1.2.5 25
os_is "SMTP AUTH never opens the relay" "10.1.2.3:$RULE"$'\t'T "10.1.2.4:$RULE"$'\t'T
login 127.0.0.1 110
is "$(grep -c '^127.0.0.1:' "$OS")" 1 "webmail login from 127.0.0.1 is added (as the original)"
setup vadduser nor@example.com Passw0rd
setup vmoduser -r nor@example.com
login 10.1.2.6 110 nor@example.com
is_rc 0 "NO_RELAY user: login works"
is "$(grep -c '^10.1.2.6:' "$OS")" 0 "NO_RELAY user: no relay"
creds joe@example.com Wrong
vchk TCPLOCALPORT=110 TCPREMOTEIP=10.1.2.7 -- /bin/true
is "$(grep -c '^10.1.2.7:' "$OS")" 0 "failed login: no relay"
creds joe@example.com Passw0rd
vchk TCPLOCALPORT=110 -- /bin/true
is "$(wc -l < "$OS")" 3 "no remote IP: nothing added"
login ::ffff:10.9.8.7
is "$(grep -c '^10.9.8.7:' "$OS")" 1 "IPv4-mapped client stored as IPv4"
: > "$SB/syslog"

# ------------------------------------------------------------ IPv6 and junk: never a rule
before=$(cat "$OS")
for ip in ::1 2001:db8::5 2001:0db8:0000:0000:0000:ff00:0042:8329 '10.0.0.9;x' '' 'fe80::1%eth0'; do
	login "$ip"
	is_rc 0 "client '$ip': login still works"
done
is "$(cat "$OS")" "$before" "IPv6 and malformed addresses add no line"
cdb_get "$CDB" '' >/dev/null && fail "no empty key in tcp.smtp.cdb" || pass "no empty key in tcp.smtp.cdb"
if [ -n "$SHIM" ]; then
	is "$(grep -c 'relay not opened for non-IPv4 address' "$SB/syslog")" 6 "each skipped address is logged"
	like "$(grep -m1 'relay not' "$SB/syslog")" "^vpopmail\|16\|5\|vchkpw-pop3: relay not opened for non-IPv4 address joe@example.com:" "skip line format"
else
	skip "no syslog shim"; skip "no syslog shim"
fi
: > "$SB/syslog"

# ------------------------------------------------------------ tcprules failing
cp "$CDB" "$T0/cdb.before"
VPOPMAIL_TCPRULES=/bin/false login 10.2.0.1
is_rc 0 "tcprules fails: the login still succeeds"
is "$(grep -c '^10.2.0.1:' "$OS")" 1 "tcprules fails: open-smtp updated"
cmp -s "$CDB" "$T0/cdb.before" && pass "tcprules fails: the old cdb stays" || fail "tcprules fails: the old cdb stays"
VPOPMAIL_TCPRULES=$T0/bin/none login 10.2.0.2
is_rc 0 "tcprules missing: the login still succeeds"
is "$(leftovers "$VH/etc")" "" "no temporary files left after failures"
[ -n "$SHIM" ] && is "$(grep -c 'relay update failed' "$SB/syslog")" 2 "rebuild failures are logged" || skip "no shim"

# ------------------------------------------------------------ unreadable open-smtp
# An open-smtp that exists but cannot be read (here a link to a directory,
# which even root cannot read as a file) is left alone, not replaced by a
# file holding only the new client.
mv "$OS" "$T0/os.saved"; mkdir "$T0/os.dir"; ln -s "$T0/os.dir" "$OS"
login 10.5.0.1
is_rc 0 "open-smtp unreadable: the login still succeeds"
[ -L "$OS" ] && pass "open-smtp unreadable: not replaced" || fail "open-smtp unreadable: not replaced"
rm -f "$OS"; mv "$T0/os.saved" "$OS"

# ------------------------------------------------------------ concurrent logins
# Twelve clients at once: the lock keeps every line and the last rebuild has them all.
: > "$OS"
creds joe@example.com Passw0rd
for i in $(seq 1 12); do
	( exec env TCPLOCALPORT=110 TCPREMOTEIP=10.6.0.$i ${VP_TEST_WRAPPER:-} "$VCHKPW" /bin/true \
		< /dev/null > /dev/null 2>&1 3< "$T0/.cred" ) &
done
wait
is "$(grep -c '^10\.6\.0\.' "$OS")" 12 "12 concurrent logins: 12 lines in open-smtp"
n=0; for i in $(seq 1 12); do [ "$(cdb_get "$CDB" 10.6.0.$i)" = "$CDBVAL" ] && n=$((n + 1)); done
is "$n" 12 "12 concurrent logins: all 12 relay after the last rebuild"
is "$(leftovers "$VH/etc")" "" "concurrent logins: no temporary files left"
: > "$SB/syslog"

# ------------------------------------------------------------ clearopensmtp
now=$(date +%s)
printf '10.3.0.1:%s\t%s\n10.3.0.2:%s\t%s\n10.3.0.3:%s\n10.3.0.4:%s\t%s\n' \
	"$RULE" $((now - MIN * 60)) "$RULE" $((now - MIN * 60 + 30)) "$RULE" "$RULE" $((now + 100)) > "$OS"
run clearopensmtp
is_rc 0 "clearopensmtp: exit 0"
is_out "" "clearopensmtp: silent"
is_err "" "clearopensmtp: nothing on stderr"
got=$(cat "$OS"; printf x)
is "$got" "$(printf '10.3.0.2:%s\t%s\n10.3.0.4:%s\t%s\nx' "$RULE" $((now - MIN * 60 + 30)) "$RULE" $((now + 100)))" "open-smtp keeps only the young lines"
cdb_get "$CDB" 10.3.0.1 >/dev/null && fail "expired client no longer relays" || pass "expired client no longer relays"
is "$(cdb_get "$CDB" 10.3.0.2)" "$CDBVAL" "young client still relays"
is "$(cdb_get "$CDB" 127.)" '+RELAYCLIENT=\0' "static rules kept"
is "$(owner_of "$OS")" "$UIDGID" "open-smtp owned by vpopmail"
is "$(leftovers "$VH/etc")" "" "clearopensmtp: no temporary files left"

rm -f "$OS" "$CDB"
run clearopensmtp
is_rc 0 "clearopensmtp without open-smtp: exit 0"
file_absent "$OS" "open-smtp is not created"
is "$(cdb_get "$CDB" 127.)" '+RELAYCLIENT=\0' "tcp.smtp.cdb rebuilt from the static rules anyway"

printf '10.3.0.9:%s\t%s\n' "$RULE" "$now" > "$OS"
VPOPMAIL_TCPRULES=/bin/false run clearopensmtp
is_rc 0 "clearopensmtp, tcprules fails: exit 0"
is_err "Warning: update_rules() - tcprules failed" "clearopensmtp, tcprules fails: warning"

mkdir "$OS.tmp"
cp "$OS" "$T0/os.before"
run clearopensmtp
is_rc 255 "clearopensmtp, temp file cannot be created: exit 255"
is_out "Error, could not create open-smtp.tmp" "clearopensmtp: the original's message"
cmp -s "$OS" "$T0/os.before" && pass "open-smtp unchanged" || fail "open-smtp unchanged"
rmdir "$OS.tmp"

done_testing
