#!/bin/bash
# t_roaming.sh - roaming users (spec runtime §5): vchkpw adds the POP/IMAP
# client to ~vpopmail/etc/open-smtp (the `relay` table with the mysql
# module) and rebuilds tcp.smtp.cdb with the real tcprules; clearopensmtp
# expires entries; IPv6 never yields a rule.  The cdb must come out the
# same on both backends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vchkpw_common.sh"
require_bins vchkpw clearopensmtp vadddomain vadduser vmoduser tests/relay_probe
PROBE=$top_builddir/tests/relay_probe

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
	TCPREMOTEIP=10.1.2.3 run "$PROBE" open
	is "$RC:$OUT" "0:0"$'\n' "open_smtp_relay() without roaming support: 0, nothing to do"
	file_absent "$OS" "open_smtp_relay() without roaming support writes no open-smtp"
	done_testing
fi

TCPRULES=$(sed -n 's/^#define TCPRULES_PROG "\(.*\)"$/\1/p' "$CONFIG_H")
if [ ! -x "$TCPRULES" ]; then
	echo "1..0 # SKIP tcprules ($TCPRULES) is not installed"
	exit 0
fi
MIN=$(sed -n 's/^#define RELAY_CLEAR_MINUTES \([0-9]*\)$/\1/p' "$CONFIG_H")
# --disable-rebuild-tcpserver-file: open-smtp is kept up to date, but
# tcp.smtp.cdb is never rebuilt (spec runtime.md, configure options).
REBUILD=0; has_define REBUILD_TCPSERVER && REBUILD=1
rebuild_only() {
	if [ "$REBUILD" = 1 ]; then "$@"; else skip "built with --disable-rebuild-tcpserver-file: tcp.smtp.cdb is never rebuilt"; fi
}
cdb_kept() { cmp -s "$CDB" "$T0/cdb.before" && pass "$1" || fail "$1"; }
RULE='allow,RELAYCLIENT="",RBLSMTPD=""'
CDBVAL='+RELAYCLIENT=\0+RBLSMTPD=\0'
printf '127.:allow,RELAYCLIENT=""\n10.5.:deny\n' > "$VPOPMAIL_TCP_FILE"

login() {	# login IP [PORT] [USER]
	creds "${3:-joe@example.com}" Passw0rd
	vchk TCPLOCALPORT="${2:-110}" TCPREMOTEIP="$1" -- /bin/true
}
# The relay list in open-smtp's format: the file, or the relay table's
# rows (oldest first, as the file keeps them).
sqldb() { sql_db "$VH/$DOMAINS_DIRNAME/-" "$1"; }
os_text() {
	if [ "$SQL" = 1 ]; then
		sqldb "SELECT CONCAT(ip_addr, ':$RULE', IF(timestamp IS NULL, '', CONCAT(CHAR(9), timestamp)))
			FROM relay ORDER BY timestamp, ip_addr"
	elif [ -e "$OS" ]; then cat "$OS"; fi
}
# os_set LINE...: replace the list (lines in open-smtp's format).
os_set() {
	local l ip t
	if [ "$SQL" = 0 ]; then setlines l "$@"; printf '%s' "$l" > "$OS"; return; fi
	sqldb "CREATE TABLE IF NOT EXISTS relay (ip_addr VARCHAR(39) NOT NULL, timestamp INT, PRIMARY KEY (ip_addr));
		DELETE FROM relay"
	for l in "$@"; do
		ip=${l%%:*}; t=NULL; [[ $l == *$'\t'* ]] && t=${l##*$'\t'}
		sqldb "INSERT INTO relay VALUES ('$ip', $t)"
	done
}
# Every entry's time set to T.
os_time_all() { if [ "$SQL" = 1 ]; then sqldb "UPDATE relay SET timestamp = $1"; else sed -i -E "s/\t[0-9]+\$/\t$1/" "$OS"; fi; }
# The list with the times masked as T.
os_masked() { if [ "$SQL" = 1 ] || [ -e "$OS" ]; then os_text | sed -E 's/\t[0-9]+$/\tT/'; printf x; else printf '<missing>x'; fi; }
os_is() { local got want; got=$(os_masked); got=${got%x}; setlines want "${@:2}"; is "$got" "$want" "$1"; }
os_count() { os_text | grep -c "$1"; }
age_of() { os_text | awk -F'\t' -v ip="$1" 'index($1, ip ":") == 1 { print systime() - $2 }'; }
# The whole rules cdb, one "key<TAB>value" line per record, sorted: the
# same text whichever backend keeps the list.
cdb_text() { cdb_dump "$CDB" | LC_ALL=C sort; }

# ------------------------------------------------------------ first login from an IP
login 10.1.2.3
is_rc 0 "POP login from 10.1.2.3: exit 0"
os_is "open-smtp has the client's rule and time" "10.1.2.3:$RULE"$'\t'T
a=$(age_of 10.1.2.3); [ -n "$a" ] && [ "$a" -ge 0 ] && [ "$a" -le 5 ] && pass "the time is now" || fail "the time is now (age '$a')"
rebuild_only is "$(cdb_get "$CDB" 10.1.2.3)" "$CDBVAL" "tcp.smtp.cdb: 10.1.2.3 may relay"
rebuild_only is "$(cdb_get "$CDB" 127.)" '+RELAYCLIENT=\0' "tcp.smtp.cdb: the static rules are kept"
rebuild_only is "$(cdb_get "$CDB" 10.5.)" 'D\0' "tcp.smtp.cdb: static deny kept"
rebuild_only is "$(owner_of "$CDB")" "$UIDGID" "tcp.smtp.cdb owned by vpopmail"
rebuild_only file_mode "$CDB" 0644 "tcp.smtp.cdb mode 0644"
[ "$REBUILD" = 1 ] || file_absent "$CDB" "no rebuild: a login builds no tcp.smtp.cdb"
if [ "$SQL" = 1 ]; then
	file_absent "$OS" "mysql: no open-smtp file, the row is in the relay table"
	is "$(sqldb "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'relay' ORDER BY ORDINAL_POSITION")" \
		"$(printf 'ip_addr\tvarchar(39)\tNO\tPRI\ntimestamp\tint(11)\tYES\t')" \
		"mysql: the relay table made on first use, 5.6's layout"
else
	file_mode "$OS" 0644 "open-smtp mode 0644"
fi
file_mode "$OS.lock" 0600 "open-smtp.lock mode 0600"
is "$(leftovers "$VH/etc")" "" "no temporary files left"

: > "$SB/syslog"

# ------------------------------------------------------------ same IP again: time only
os_time_all 1000
touch -d '2001-01-01' "$CDB"
ino=$(stat -c %i "$CDB")
login 10.1.2.3
os_is "same IP: still one line" "10.1.2.3:$RULE"$'\t'T
a=$(age_of 10.1.2.3); [ "$a" -le 5 ] && pass "same IP: time refreshed" || fail "same IP: time refreshed (age $a)"
is "$(stat -c %Y "$CDB")" "$(date -d 2001-01-01 +%s)" "same IP: tcp.smtp.cdb not rebuilt"
# Within the same second too (MariaDB counts a REPLACE by an equal row as
# one new row: the mysql module must not take that for a new client).
login 10.1.2.3
is "$(stat -c %Y.%i "$CDB")" "$(date -d 2001-01-01 +%s).$ino" "same IP within a second: not rebuilt"

# ------------------------------------------------------------ a second client, other classes
login 10.1.2.4 143
os_is "IMAP login adds a second client" "10.1.2.3:$RULE"$'\t'T "10.1.2.4:$RULE"$'\t'T
rebuild_only is "$(cdb_get "$CDB" 10.1.2.4)" "$CDBVAL" "new client: cdb rebuilt"
rebuild_only is "$(cdb_get "$CDB" 10.1.2.3)" "$CDBVAL" "new client: the first one still relays"
login 10.1.2.5 25
os_is "SMTP AUTH never opens the relay" "10.1.2.3:$RULE"$'\t'T "10.1.2.4:$RULE"$'\t'T
login 127.0.0.1 110
is "$(os_count '^127.0.0.1:')" 1 "webmail login from 127.0.0.1 is added (as the original)"
setup vadduser nor@example.com Passw0rd
setup vmoduser -r nor@example.com
login 10.1.2.6 110 nor@example.com
is_rc 0 "NO_RELAY user: login works"
is "$(os_count '^10.1.2.6:')" 0 "NO_RELAY user: no relay"
cdb_get "$CDB" 10.1.2.6 >/dev/null && fail "NO_RELAY user: not in the cdb" || pass "NO_RELAY user: not in the cdb"
creds joe@example.com Wrong
vchk TCPLOCALPORT=110 TCPREMOTEIP=10.1.2.7 -- /bin/true
is "$(os_count '^10.1.2.7:')" 0 "failed login: no relay"
creds joe@example.com Passw0rd
vchk TCPLOCALPORT=110 -- /bin/true
is "$(os_text | wc -l)" 3 "no remote IP: nothing added"
login ::ffff:10.9.8.7
is "$(os_count '^10.9.8.7:')" 1 "IPv4-mapped client stored as IPv4"
: > "$SB/syslog"

# ------------------------------------------------------------ IPv6 and junk: never a rule
before=$(os_text)
for ip in ::1 2001:db8::5 2001:0db8:0000:0000:0000:ff00:0042:8329 '10.0.0.9;x' '' 'fe80::1%eth0'; do
	login "$ip"
	is_rc 0 "client '$ip': login still works"
done
is "$(os_text)" "$before" "IPv6 and malformed addresses add no line"
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
rebuild_only is_err "Warning: update_rules() - tcprules failed" "tcprules fails: vchkpw prints 5.6's warning on stderr"
is "$(os_count '^10.2.0.1:')" 1 "tcprules fails: open-smtp updated"
cdb_kept "tcprules fails: the old cdb stays"
VPOPMAIL_TCPRULES=$T0/bin/none login 10.2.0.2
is_rc 0 "tcprules missing: the login still succeeds"
is "$(leftovers "$VH/etc")" "" "no temporary files left after failures"
[ -n "$SHIM" ] && rebuild_only is "$(grep -c 'relay update failed' "$SB/syslog")" 2 "rebuild failures are logged" || skip "no shim"

if [ "$SQL" = 0 ]; then
# ------------------------------------------------------------ unreadable open-smtp
# An open-smtp that exists but cannot be read (here a link to a directory,
# which even root cannot read as a file) is left alone, not replaced by a
# file holding only the new client.
mv "$OS" "$T0/os.saved"; mkdir "$T0/os.dir"; ln -s "$T0/os.dir" "$OS"
login 10.5.0.1
is_rc 0 "open-smtp unreadable: the login still succeeds"
[ -L "$OS" ] && pass "open-smtp unreadable: not replaced" || fail "open-smtp unreadable: not replaced"
cp "$CDB" "$T0/cdb.before"
run clearopensmtp
is_err "Warning: update_rules() - tcprules failed" "open-smtp unreadable: clearopensmtp does not rebuild"
cdb_kept "open-smtp unreadable: the old cdb stays"
rm -f "$OS"; mv "$T0/os.saved" "$OS"
else
# ------------------------------------------------------------ database trouble
# The relay table in a layout it cannot be used in (no ip_addr column):
# the login still succeeds, the failure is logged, the cdb is kept.
: > "$SB/syslog"
sqldb "RENAME TABLE relay TO relay_saved; CREATE TABLE relay (addr VARCHAR(39), timestamp INT)"
cp "$CDB" "$T0/cdb.before"
login 10.5.0.1
is_rc 0 "relay table unusable: the login still succeeds"
cdb_kept "relay table unusable: the old cdb stays"
[ -n "$SHIM" ] && like "$(cat "$SB/syslog")" "relay update failed joe@example.com:10.5.0.1" \
	"relay table unusable: logged" || skip "no shim"
# clearopensmtp: the DELETE works (timestamp exists), the SELECT of the
# rules fails: no rebuild from the static rules alone.
now=$(date +%s)
sqldb "INSERT INTO relay VALUES ('10.5.0.2', $((now - 99999))), ('10.5.0.3', $now)"
run clearopensmtp
is_rc 216 "relay rules unreadable: clearopensmtp exits with VA_QUERY_FAILED (-40)"
is_err "Error - Unknown error. Relay rules not rebuilt." "relay rules unreadable: said on stderr"
cdb_kept "relay rules unreadable: the old cdb stays"
is "$(sqldb "SELECT addr FROM relay")" "10.5.0.3" "clearopensmtp: the old row was deleted all the same"
sqldb "DROP TABLE relay; RENAME TABLE relay_saved TO relay"
# The server out of reach: the login fails as a temporary error (111),
# clearopensmtp cannot open the backend; nothing touches the cdb.
cp "$VH/etc/vpopmail.mysql" "$T0/vpopmail.mysql"
sed -i "s#|[^|]*sock|#|$T0/no.sock|#" "$VH/etc/vpopmail.mysql"
login 10.5.0.4
is_rc 111 "database down: the login is a temporary failure"
run clearopensmtp
is_rc 233 "database down: clearopensmtp exits with VA_NO_AUTH_CONNECTION"
like "$ERR" "^Error - .*\. Initial open\." "database down: clearopensmtp says so"
cdb_kept "database down: the old cdb stays"
cp "$T0/vpopmail.mysql" "$VH/etc/vpopmail.mysql"
: > "$SB/syslog"
fi

# ------------------------------------------------------------ concurrent logins
# Twelve clients at once: the lock keeps every line and the last rebuild has them all.
os_set
creds joe@example.com Passw0rd
for i in $(seq 1 12); do
	( exec env TCPLOCALPORT=110 TCPREMOTEIP=10.6.0.$i ${VP_TEST_WRAPPER:-} "$VCHKPW" /bin/true \
		< /dev/null > /dev/null 2>&1 3< "$T0/.cred" ) &
done
wait
is "$(os_count '^10\.6\.0\.')" 12 "12 concurrent logins: 12 lines in open-smtp"
n=0; for i in $(seq 1 12); do [ "$(cdb_get "$CDB" 10.6.0.$i)" = "$CDBVAL" ] && n=$((n + 1)); done
rebuild_only is "$n" 12 "12 concurrent logins: all 12 relay after the last rebuild"
is "$(leftovers "$VH/etc")" "" "concurrent logins: no temporary files left"
: > "$SB/syslog"

# A login killed while its tcprules runs takes the tcprules with it: an
# orphan would finish after a later login's rebuild and put its older cdb
# (without the later client) over it.  The first login's tcprules waits
# for a file to go; the login is killed, a second one logs in, then the
# file goes.
printf '#!/bin/sh\necho $$ > "%s/held.pid"\nwhile [ -e "%s/hold" ]; do sleep 0.05; done\nexec "%s" "$@"\n' \
	"$T0" "$T0" "$TCPRULES" > "$T0/tcprules-held"
chmod 755 "$T0/tcprules-held"
: > "$T0/hold"
creds joe@example.com Passw0rd
( exec env TCPLOCALPORT=110 TCPREMOTEIP=10.7.0.1 VPOPMAIL_TCPRULES="$T0/tcprules-held" \
	${VP_TEST_WRAPPER:-} "$VCHKPW" /bin/true < /dev/null > /dev/null 2>&1 3< "$T0/.cred" ) &
kp=$!
for i in $(seq 1 200); do [ -s "$T0/held.pid" ] && break; sleep 0.05; done
kill -9 "$kp"
wait "$kp" 2>/dev/null
login 10.7.0.2
is_rc 0 "a login after one killed during its rebuild: exit 0"
rm -f "$T0/hold"
hp=$(cat "$T0/held.pid")
for i in $(seq 1 100); do kill -0 "$hp" 2>/dev/null || break; sleep 0.05; done
rebuild_only is "$(cdb_get "$CDB" 10.7.0.2)" "$CDBVAL" "  its client still relays after the killed login's tcprules would have ended"
# The temp of a rebuild killed together with its tcprules (a process
# group killed at once) is removed by the next rebuild.
(exit 0) & dead=$!
wait "$dead"
: > "$VPOPMAIL_TCP_FILE.tmp.$dead"
login 10.7.0.3
rebuild_only file_absent "$VPOPMAIL_TCP_FILE.tmp.$dead" "  a dead rebuild's temp is removed by the next one"
rm -f "$VPOPMAIL_TCP_FILE.tmp.$dead"
: > "$SB/syslog"

# ------------------------------------------------------------ clearopensmtp
now=$(date +%s)
os_set "10.3.0.1:$RULE"$'\t'$((now - MIN * 60)) "10.3.0.2:$RULE"$'\t'$((now - MIN * 60 + 30)) \
	"10.3.0.3:$RULE" "10.3.0.4:$RULE"$'\t'$((now + 100))
run clearopensmtp
is_rc 0 "clearopensmtp: exit 0"
is_out "" "clearopensmtp: silent"
is_err "" "clearopensmtp: nothing on stderr"
got=$(os_text; printf x)
is "$got" "$(printf '10.3.0.2:%s\t%s\n10.3.0.4:%s\t%s\nx' "$RULE" $((now - MIN * 60 + 30)) "$RULE" $((now + 100)))" "open-smtp keeps only the young lines"
cdb_get "$CDB" 10.3.0.1 >/dev/null && fail "expired client no longer relays" || pass "expired client no longer relays"
rebuild_only is "$(cdb_get "$CDB" 10.3.0.2)" "$CDBVAL" "young client still relays"
rebuild_only is "$(cdb_get "$CDB" 127.)" '+RELAYCLIENT=\0' "static rules kept"
rebuild_only is "$(cdb_text)" "$(printf '%s\t%s\n' 10.3.0.2 '+RELAYCLIENT=\0+RBLSMTPD=\0' 10.3.0.4 '+RELAYCLIENT=\0+RBLSMTPD=\0' \
	10.5. 'D\0' 127. '+RELAYCLIENT=\0' | LC_ALL=C sort)" "the whole cdb: the static rules and the two young clients"
if [ "$SQL" = 1 ]; then
	file_absent "$OS" "mysql: no open-smtp file"
else
	is "$(owner_of "$OS")" "$UIDGID" "open-smtp owned by vpopmail"
fi
is "$(leftovers "$VH/etc")" "" "clearopensmtp: no temporary files left"

# open-smtp.lock held past the wait (a vchkpw rebuilding on and on): no
# expiry without the lock.  (It went on without it: a login that added
# its client meanwhile was lost when the expired list was renamed over.)
# strace makes the waits between tries instant.
if strace_ok; then
	os_set "10.3.0.7:$RULE"$'\t'$((now - MIN * 60)) "10.3.0.8:$RULE"$'\t'"$now"
	before=$(os_text)
	"$PYTHON" -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(60)' "$VH/etc/open-smtp.lock" "$T0/held" &
	holder=$!
	for i in $(seq 1 100); do [ -e "$T0/held" ] && break; sleep 0.1; done
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=nanosleep,clock_nanosleep -e inject=nanosleep,clock_nanosleep:retval=0" \
		run clearopensmtp
	kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
	is_rc 255 "clearopensmtp, open-smtp.lock busy: exit 255"
	is_out "File busy try again later!" "clearopensmtp, open-smtp.lock busy: the original's busy message"
	is "$(os_text)" "$before" "clearopensmtp, open-smtp.lock busy: nothing expired"
	is "$(leftovers "$VH/etc")" "" "clearopensmtp, open-smtp.lock busy: no temporary files"
else
	for _t in "exit 255" "busy message" "nothing expired" "no temporary files"; do
		skip "no usable strace (or under a checker): clearopensmtp, open-smtp.lock busy: $_t"
	done
fi

rm -f "$OS" "$CDB"
[ "$SQL" = 1 ] && sqldb "DROP TABLE relay"
run clearopensmtp
is_rc 0 "clearopensmtp without open-smtp: exit 0"
file_absent "$OS" "open-smtp is not created"
[ "$SQL" = 1 ] && is "$(sqldb "SELECT COUNT(*) FROM relay")" 0 "mysql: an empty relay table is made"
rebuild_only is "$(cdb_get "$CDB" 127.)" '+RELAYCLIENT=\0' "tcp.smtp.cdb rebuilt from the static rules anyway"

os_set "10.3.0.9:$RULE"$'\t'"$now"
VPOPMAIL_TCPRULES=/bin/false run clearopensmtp
is_rc 0 "clearopensmtp, tcprules fails: exit 0"
rebuild_only is_err "Warning: update_rules() - tcprules failed" "clearopensmtp, tcprules fails: warning"

# The static rules file there but unreadable (a link to a directory): no
# rebuild, which would drop the site's allow and deny rules.
mv "$VH/etc/tcp.smtp" "$T0/tcp.saved"; mkdir "$T0/tcp.dir"; ln -s "$T0/tcp.dir" "$VH/etc/tcp.smtp"
cp "$CDB" "$T0/cdb.before"
run clearopensmtp
rebuild_only is_err "Warning: update_rules() - tcprules failed" "tcp.smtp unreadable: clearopensmtp does not rebuild"
rebuild_only cdb_kept "tcp.smtp unreadable: the old cdb stays, static rules and all"
rm -f "$VH/etc/tcp.smtp"; mv "$T0/tcp.saved" "$VH/etc/tcp.smtp"

if [ "$SQL" = 0 ]; then
	mkdir "$OS.tmp"
	cp "$OS" "$T0/os.before"
	run clearopensmtp
	is_rc 255 "clearopensmtp, temp file cannot be created: exit 255"
	is_out "Error, could not create open-smtp.tmp" "clearopensmtp: the original's message"
	cmp -s "$OS" "$T0/os.before" && pass "open-smtp unchanged" || fail "open-smtp unchanged"
	rmdir "$OS.tmp"
fi

# ------------------------------------------------------------ open-smtp lines we did not write
# Only a line whose key is a dotted quad as vchkpw writes it becomes a
# rule: an empty key would let everyone relay.  A fake tcprules shows
# exactly what is compiled; clearopensmtp drops the other lines.
if [ "$SQL" = 0 ]; then
	printf '#!/bin/sh\ncat > "%s/rules.in"\n' "$T0" > "$T0/tcprules-capture"
	chmod 755 "$T0/tcprules-capture"
	now=$(date +%s)
	os_set "10.4.0.1:$RULE"$'\t'"$now" ":$RULE"$'\t'"$now" "::ffff:10.4.0.2:$RULE"$'\t'"$now" \
		"2001:db8::1:$RULE"$'\t'"$now" "10.4.:$RULE"$'\t'"$now" "010.4.0.3:$RULE"$'\t'"$now" \
		"10.4.0.4 :$RULE"$'\t'"$now" "10.4.0.5-9:$RULE"$'\t'"$now" "10.4.0.256:$RULE"$'\t'"$now" \
		"=:$RULE"$'\t'"$now" "$RULE"$'\t'"$now" "10.4.0.6:$RULE"
	static=$(cat "$VPOPMAIL_TCP_FILE"; printf x)
	rm -f "$T0/rules.in"
	VPOPMAIL_TCPRULES=$T0/tcprules-capture login 10.4.0.9
	is_rc 0 "bad open-smtp keys: the login works"
	rebuild_only is "$(cat "$T0/rules.in"; printf x)" "${static%x}10.4.0.1:$RULE
10.4.0.6:$RULE
10.4.0.9:$RULE
x" "bad open-smtp keys: tcprules gets only the dotted-quad clients"
	is "$(os_count "^10.4.0.9:")" 1 "bad open-smtp keys: the new client added"
	is "$(os_text | wc -l)" 13 "bad open-smtp keys: vchkpw keeps the other lines"
	rm -f "$T0/rules.in"
	VPOPMAIL_TCPRULES=$T0/tcprules-capture run clearopensmtp
	is_rc 0 "bad open-smtp keys: clearopensmtp exit 0"
	rebuild_only is "$(cat "$T0/rules.in"; printf x)" "${static%x}10.4.0.1:$RULE
10.4.0.9:$RULE
x" "bad open-smtp keys: clearopensmtp compiles only the young dotted-quad clients"
	os_is "bad open-smtp keys: clearopensmtp drops the lines with other keys" \
		"10.4.0.1:$RULE"$'\t'T "10.4.0.9:$RULE"$'\t'T
	rm -f "$CDB"
	run clearopensmtp
	rebuild_only is "$(cdb_text)" "$(printf '%s\t%s\n' 10.4.0.1 "$CDBVAL" 10.4.0.9 "$CDBVAL" \
		10.5. 'D\0' 127. '+RELAYCLIENT=\0' | LC_ALL=C sort)" \
		"bad open-smtp keys: the real tcprules builds the static rules and the two clients"
	os_set
fi

# ------------------------------------------------------------ static rules and roaming entries
# The static rules go to tcprules first, so a static rule for the very same
# IP wins (tcprules keeps the first of two equal keys); a roaming entry,
# being an exact IP, beats a static prefix rule when tcpserver looks it up
# (spec runtime.md §5.3, observed with tcprulescheck on 5.6.13).
printf '127.:allow,RELAYCLIENT=""\n10.5.:deny\n10.6.0.1:deny\n' > "$VPOPMAIL_TCP_FILE"
os_set
rm -f "$CDB"
login 10.5.0.7
is_rc 0 "client under a static deny prefix: login works"
login 10.6.0.1
is_rc 0 "client with a static deny rule of its own: login works"
os_is "both clients are in the relay list" "10.5.0.7:$RULE"$'\t'T "10.6.0.1:$RULE"$'\t'T
rebuild_only is "$(cdb_get "$CDB" 10.5.0.7)" "$CDBVAL" "roaming exact IP under a static prefix deny: relays"
rebuild_only is "$(cdb_get "$CDB" 10.6.0.1)" 'D\0' "static rule for the same IP comes first: still denied"
if [ "$REBUILD" = 1 ] && command -v tcprulescheck >/dev/null 2>&1; then
	is "$(TCPREMOTEIP=10.5.0.7 tcprulescheck "$CDB" | head -1)" "rule 10.5.0.7:" "tcprulescheck: 10.5.0.7 takes its own rule"
	is "$(TCPREMOTEIP=10.6.0.1 tcprulescheck "$CDB" | tail -1)" "deny connection" "tcprulescheck: 10.6.0.1 denied"
	is "$(TCPREMOTEIP=10.5.0.8 tcprulescheck "$CDB")" "rule 10.5.:"$'\n'"deny connection" "tcprulescheck: the rest of 10.5. denied"
else
	skip "no tcprulescheck or no rebuild"; skip "no tcprulescheck or no rebuild"; skip "no tcprulescheck or no rebuild"
fi
printf '127.:allow,RELAYCLIENT=""\n10.5.:deny\n' > "$VPOPMAIL_TCP_FILE"
os_set
# open-smtp is written with vchkpw's umask (0644 seen under 022); the
# compiled rules are made under umask 022 whatever vchkpw's.
if [ "$SQL" = 0 ]; then
	rm -f "$OS" "$CDB"
	umask 077
	login 10.6.0.2
	umask 022
	is_rc 0 "login under umask 077: exit 0"
	file_mode "$OS" 0600 "open-smtp follows vchkpw's umask (077: 0600)"
	rebuild_only file_mode "$CDB" 0644 "tcp.smtp.cdb is 0644 whatever vchkpw's umask"
	os_set
else
	skip "mysql: no open-smtp file"; skip "mysql: no open-smtp file"; skip "mysql: no open-smtp file"
fi
# Owners (a vpopmail user other than root): vchkpw, running as root, leaves
# open-smtp root's; the compiled rules, and open-smtp after clearopensmtp,
# belong to vpopmail (spec §5.2, §5.3, §5.4).
if [ "$SQL" = 0 ] && [ "$(id -u)" = 0 ]; then
	rm -f "$OS" "$CDB"
	VPOPMAIL_UID=12345 VPOPMAIL_GID=12346 login 10.6.0.3
	is "$(owner_of "$OS")" 0:0 "vchkpw as root: open-smtp stays root's"
	rebuild_only is "$(owner_of "$CDB")" 12345:12346 "vchkpw as root: tcp.smtp.cdb chowned to vpopmail"
	VPOPMAIL_UID=12345 VPOPMAIL_GID=12346 run clearopensmtp
	is "$(owner_of "$OS")" 12345:12346 "clearopensmtp: open-smtp chowned to vpopmail"
	os_set
else
	skip "mysql or not root: owners"; skip "mysql or not root: owners"; skip "mysql or not root: owners"
fi

# ------------------------------------------------------------ the 5.6 names
# What courier's authvchkpw and Dovecot's vpopmail passdb call after a
# login: get_remote_ip(), open_smtp_relay(), update_rules().
TCPREMOTEIP=::ffff:10.7.0.1 run "$PROBE" ip
is "$OUT" "10.7.0.1"$'\n' "get_remote_ip(): the ::ffff: prefix dropped"
TCPREMOTEIP='10.7.0.1;rm x' run "$PROBE" ip
is "$OUT" "10.7.0.1_rm_x"$'\n' "get_remote_ip(): characters outside [A-Za-z0-9_.@-] become _"
env -u TCPREMOTEIP "$PROBE" ip > "$T0/probe.out" 2>&1
is "$(cat "$T0/probe.out")" "NULL" "get_remote_ip(): NULL without TCPREMOTEIP"

os_set
rm -f "$CDB"
TCPREMOTEIP=::ffff:10.7.0.1 run "$PROBE" open
is "$RC:$OUT" "0:0"$'\n' "open_smtp_relay(): 0"
os_is "open_smtp_relay(): the client's rule in the relay list" "10.7.0.1:$RULE"$'\t'T
rebuild_only is "$(cdb_get "$CDB" 10.7.0.1)" "$CDBVAL" "open_smtp_relay(): tcp.smtp.cdb rebuilt, the client relays"
TCPREMOTEIP=2001:db8::1 run "$PROBE" open
is "$OUT" "-39"$'\n' "open_smtp_relay() from IPv6: VA_INVALID_IP_ADDRESS (-39)"
os_is "open_smtp_relay() from IPv6: the list unchanged" "10.7.0.1:$RULE"$'\t'T
env -u TCPREMOTEIP "$PROBE" open > "$T0/probe.out" 2>&1
is "$(cat "$T0/probe.out")" "0" "open_smtp_relay() without TCPREMOTEIP: 0, nothing to do"
os_is "open_smtp_relay() without TCPREMOTEIP: the list unchanged" "10.7.0.1:$RULE"$'\t'T

printf '127.:allow,RELAYCLIENT=""\n10.8.:deny\n' > "$VPOPMAIL_TCP_FILE"
run "$PROBE" rules
is "$RC:$OUT" "0:0"$'\n' "update_rules(): 0"
rebuild_only is "$(cdb_get "$CDB" 10.8.)" 'D\0' "update_rules(): the edited static rules compiled"
rebuild_only is "$(cdb_get "$CDB" 10.7.0.1)" "$CDBVAL" "update_rules(): the roaming client kept"
cp "$CDB" "$T0/cdb.before"
VPOPMAIL_TCPRULES=/bin/false run "$PROBE" rules
rebuild_only is "$OUT" "-3"$'\n' "update_rules(), tcprules fails: VA_BAD_DIR (-3)"
rebuild_only cdb_kept "update_rules(), tcprules fails: the old cdb kept"

done_testing
