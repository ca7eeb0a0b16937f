#!/bin/bash
# t_dovecot_sql.sh - Dovecot 2.3 authenticating vpopmail users straight from
# the MySQL backend's tables with the queries of doc/dovecot-sql.conf.ext
# (SQL passdb, prefetch userdb): passwords, the NO_POP / NO_IMAP flags of
# pw_gid, alias domains through the aliasdomains table, the quota of
# pw_shell as Dovecot's quota rule.  Skips unless this is a mysql build with
# mariadb-server, Dovecot and dovecot-mysql at hand.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mariadb.sh"
. "$(dirname "$0")/dovecot.sh"
unset VP_TEST_MYSQL_SOCKET
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

mariadb_usable || skip_all "$MDB_WHY"
dovecot_usable || skip_all "$DV_WHY"
[ -e /usr/lib/dovecot/modules/auth/libdriver_mysql.so ] || [ -e /usr/lib/dovecot/modules/libdriver_mysql.so ] ||
	skip_all "Dovecot's MySQL driver is not installed (apt-get install dovecot-mysql)"
has_define MANY_DOMAINS || skip_all "the queries are for the one-table layout (--disable-many-domains is on)"
require_bins vadddomain vadduser vmoduser vsetuserquota vaddaliasdomain
mariadb_start || { echo "Bail out! $MDB_WHY"; exit 1; }

sandbox_new
if [ "$(id -u)" = 0 ]; then
	# Dovecot's mail processes run as the domain's unprivileged uid.
	export VPOPMAIL_UID=${DV_TEST_UID:-4321} VPOPMAIL_GID=${DV_TEST_GID:-4321}
	chown "$VPOPMAIL_UID:$VPOPMAIL_GID" "$D"
	chmod 0711 "$T0" "$SB" "$VH"
fi
mariadb_conf socket
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vsetuserquota bob@example.com 1000000
setup vadduser nopop@example.com Passw0rd
setup vmoduser -p nopop@example.com
setup vadduser noimap@example.com Passw0rd
setup vmoduser -i noimap@example.com
setup vaddaliasdomain example.com alias.org
if ! has_define SQL_ALIASDOMAINS; then
	# Without --enable-sql-aliasdomains the table is filled by hand.
	sql "CREATE TABLE IF NOT EXISTS aliasdomains (alias VARCHAR(100) NOT NULL, domain VARCHAR(100) NOT NULL, PRIMARY KEY (alias));
	     REPLACE INTO aliasdomains VALUES ('alias.org', 'example.com')"
fi

# The documented file, pointed at the private server and the sandbox's ids.
sed -e "s|^connect = .*|connect = host=$MDB_SOCK dbname=$MDB_DB user=$MDB_USER password=$MDB_PASS|" \
    -e "s/\\b89 AS/$VPOPMAIL_UID AS/g" "$top_srcdir/doc/dovecot-sql.conf.ext" > "$SB/dovecot-sql.conf.ext"
is "$(grep -o "$VPOPMAIL_UID AS" "$SB/dovecot-sql.conf.ext" | wc -l)" 4 "the documented queries, with this sandbox's uid and gid"
DV_AUTH_CONF="passdb {
  driver = sql
  args = $SB/dovecot-sql.conf.ext
}
userdb {
  driver = prefetch
}"
export DV_AUTH_CONF
if ! dovecot_start -; then
	fail "Dovecot starts"; diag "$DV_WHY"
	mariadb_stop; done_testing
fi
pass "private Dovecot with the SQL passdb started"

dv pop_login bob@example.com Passw0rd
is "$DVRC" 0 "POP3 login with the stored SHA-512 hash"; [ "$DVRC" = 0 ] || diag "$DVOUT" "$(dovecot_log | tail -n 8)"
dv imap_login bob@example.com Passw0rd
is "$DVRC" 0 "IMAP login"
dv pop_login bob@example.com WrongPass
is "$DVRC" 1 "wrong password refused"
dv imap_login nobody@example.com Passw0rd
is "$DVRC" 1 "unknown user refused"
dv pop_login nopop@example.com Passw0rd
is "$DVRC" 1 "NO_POP: POP3 refused"
dv imap_login nopop@example.com Passw0rd
is "$DVRC" 0 "NO_POP: IMAP allowed"
dv imap_login noimap@example.com Passw0rd
is "$DVRC" 1 "NO_IMAP: IMAP refused"
dv pop_login noimap@example.com Passw0rd
is "$DVRC" 0 "NO_IMAP: POP3 allowed"
dv imap_login bob@alias.org Passw0rd
is "$DVRC" 0 "alias domain: bob@alias.org logs in as bob@example.com"
dv imap_quota bob@example.com Passw0rd
like "$DVOUT" "STORAGE [0-9]+ 977" "pw_shell 1000000S is the IMAP quota limit (KiB, rounded up)"
# The limit comes from the row, not from maildirsize: change only the row.
sql "UPDATE vpopmail SET pw_shell = '2000000S' WHERE pw_name = 'bob' AND pw_domain = 'example.com'"
dv imap_quota bob@example.com Passw0rd
like "$DVOUT" "STORAGE [0-9]+ 1954" "a new pw_shell in the table is the new limit at the next login"

bad=$(dovecot_log | grep -E 'Error|Fatal|Panic' | grep -v 'Login failed\|Password mismatch\|unknown user')
is "$bad" "" "no errors in Dovecot's log"
dovecot_stop
mariadb_stop
done_testing
