#!/bin/bash
# t_mysql.sh - the MariaDB/MySQL auth backend against a private server:
# vpopmail 5.6's schema, users added/changed/removed through the commands,
# listing order, lastauth, values stored verbatim (prepared statements),
# reconnect after a server restart, an outage as a temporary failure, and
# two vpopmail homes sharing one database.  Skips in a cdb build.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mariadb.sh"
# This test runs a server of its own (it stops and restarts it).
unset VP_TEST_MYSQL_SOCKET
export TZ=UTC

if ! mariadb_usable; then
	echo "1..0 # SKIP $MDB_WHY"
	exit 0
fi
require_bins vadddomain vadduser vdeluser vpasswd vsetuserquota vuserinfo vdeldomain vmoduser
# This server logs statements, as a replication master may
# (binlog_format=STATEMENT): a statement unsafe for that shows in its log.
MDB_BINLOG="--log-bin=$T0/binlog --binlog-format=STATEMENT --server-id=1"
mariadb_start || { echo "Bail out! $MDB_WHY"; exit 1; }
MANY=0; has_define MANY_DOMAINS && MANY=1

# cols TABLE: name|type|nullable|key|default for each column, in order.
cols() {
	sql "SELECT CONCAT_WS('|', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, IFNULL(COLUMN_DEFAULT, 'NULL'))
	     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MDB_DB' AND TABLE_NAME = '$1'
	     ORDER BY ORDINAL_POSITION"
}
# row USER DOMAIN: the user's row, tab-separated, hash masked.
row() {
	if [ "$MANY" = 1 ]; then
		sql "SELECT * FROM vpopmail WHERE pw_name = '$1' AND pw_domain = '$2'"
	else
		sql "SELECT * FROM \`$(printf '%s' "$2" | tr .- __)\` WHERE pw_name = '$1'"
	fi | sed 's/\$6\$[^	]*/<hash>/'
}
vchk() {
	printf '%s\0%s\0' "$1" "$2" > "$T0/.cred"
	( ( exec $TIMEOUT env TCPREMOTEIP=${3:-192.0.2.7} ${VP_TEST_WRAPPER:-} "$top_builddir/vchkpw" /bin/true ) \
		< /dev/null > "$T0/.out" 2> "$T0/.err" 3< "$T0/.cred" ) 2>/dev/null
	RC=$?
}

# ------------------------------------------------------------ configuration
sandbox_new
run vadddomain first.com pmpass
isnt "$RC" 0 "no vpopmail.mysql: vadddomain fails"
like "$ERR" "can't read settings from $VH/etc/vpopmail.mysql" "no vpopmail.mysql: the file is named on stderr"
printf '# only a comment\n\n' > "$VH/etc/vpopmail.mysql"
run vadddomain example.com pmpass
is "$RC" "$(( (-23) & 255 ))" "a vpopmail.mysql without settings: vadddomain fails with VA_NO_AUTH_CONNECTION, as 5.6"
like "$ERR" "no valid settings in $VH/etc/vpopmail.mysql" "... and says why"

# ------------------------------------------------------------ schema
mariadb_conf socket
run vadddomain example.com pmpass
is_rc 0 "vadddomain creates the database and the users table"
if [ "$MANY" = 1 ]; then T=vpopmail; DOMCOL='pw_domain|varchar(96)|NO|PRI|NULL
'; else T=example_com; DOMCOL=; fi
CLEARCOL=; [ "$CLEAR" = 1 ] && CLEARCOL='
pw_clear_passwd|varchar(128)|YES||NULL'
is "$(cols "$T")" "pw_name|varchar(64)|NO|PRI|NULL
${DOMCOL}pw_passwd|varchar(128)|YES||NULL
pw_uid|int(11)|YES||NULL
pw_gid|int(11)|YES||NULL
pw_gecos|varchar(64)|YES||NULL
pw_dir|varchar(160)|YES||NULL
pw_shell|varchar(20)|YES||NULL$CLEARCOL" "users table $T: vpopmail 5.6's columns"
if [ "$AUTHLOG" = 1 ]; then
	is "$(cols lastauth)" "user|varchar(32)|NO|PRI|NULL
domain|varchar(96)|NO|PRI|NULL
remote_ip|varchar(39)|NO||NULL
timestamp|int(11)|NO||0" "lastauth table: vpopmail 5.6's columns (created on first use)"
else
	skip "lastauth: built without auth logging"
fi
is "$(row postmaster example.com | cut -f1-2)" "postmaster	$([ "$MANY" = 1 ] && echo example.com || echo '<hash>')" \
	"postmaster is a row of the domain"
file_absent "$D/example.com/vpasswd" "no vpasswd file is written"
# dir_control: 5.6's table, a copy of each .dir-control as it is written.
dirctl_row() {
	sql "SELECT CONCAT_WS('|', cur_users, level_cur, level_max, level_start0, level_start1, level_start2,
	     level_end0, level_end1, level_end2, level_mod0, level_mod1, level_mod2,
	     level_index0, level_index1, level_index2, the_dir) FROM dir_control WHERE domain = '$1'"
}
# dirctl_file FILE: the same fields from a .dir-control file.
dirctl_file() { tr ' \n' '||' < "$1" | sed 's/|$//'; }
is "$(cols dir_control | head -2)" "domain|varchar(96)|NO|PRI|NULL
cur_users|int(11)|YES||NULL" "dir_control table: 5.6's columns (created on first use)"
is "$(dirctl_row example.com)" "$(dirctl_file "$D/example.com/.dir-control")" \
	"dir_control row of example.com = its .dir-control"
is "$(dirctl_row "dom_$VPOPMAIL_UID")" "$(dirctl_file "$D/.dir-control")" \
	"dir_control row dom_<uid> = the domains directory's .dir-control"

# ------------------------------------------------------------ users
run vadduser -c "Joe User" joe@example.com 'pw one'
is_rc 0 "vadduser joe"
want="joe	"; [ "$MANY" = 1 ] && want="${want}example.com	"
want="$want<hash>	$(vpw_uid_default=0; echo 0)	0	Joe User	$D/example.com/joe	NOQUOTA"
[ "$CLEAR" = 1 ] && want="$want	pw one"
got=$(row joe example.com)
# pw_uid is whatever vadduser sets in the cdb build as well; compare the rest.
is "$(printf '%s' "$got" | cut -f1-$((MANY + 2)),$((MANY + 4))-)" \
	"$(printf '%s' "$want" | cut -f1-$((MANY + 2)),$((MANY + 4))-)" "joe's row holds the record"
dir_exists "$D/example.com/joe/Maildir/new" "joe's Maildir exists"
run vadduser joe@example.com other
isnt "$RC" 0 "adding joe again fails"
run vuserinfo -n joe@example.com
is_out "joe" "vuserinfo -n joe"
run vuserinfo -c joe@example.com
is_out "Joe User" "vuserinfo -c joe"

old=$(sql "SELECT pw_passwd FROM $T WHERE pw_name = 'joe'")
run vpasswd joe@example.com 'pw two'
is_rc 0 "vpasswd joe"
new=$(sql "SELECT pw_passwd FROM $T WHERE pw_name = 'joe'")
isnt "$new" "$old" "the stored hash changed"
is "$(printf '%s' "$new" | cut -c1-3)" '$6$' "a SHA-512 crypt hash"
vchk joe@example.com 'pw two'
is "$RC" 0 "vchkpw accepts the new password"
vchk joe@example.com 'pw one'
is "$RC" 3 "vchkpw refuses the old one (exit 3)"
if has_define ENABLE_SQL_LOGGING; then
	is "$(sql "SELECT CONCAT_WS('|', user, domain, logon, remoteip, passwd, error) FROM vlog ORDER BY id DESC LIMIT 1")" \
		"joe|example.com|joe@example.com|192.0.2.7||1" "sql logging: the failure is a vlog row (no password stored)"
	like "$(sql "SELECT message FROM vlog ORDER BY id DESC LIMIT 1")" "password fail .*joe@example.com:192.0.2.7" \
		"sql logging: the syslog text is the message"
fi
if [ "$AUTHLOG" = 1 ]; then
	is "$(sql "SELECT remote_ip FROM lastauth WHERE user = 'joe' AND domain = 'example.com'")" "192.0.2.7" \
		"the login wrote lastauth.remote_ip"
	run vuserinfo joe@example.com
	like "$OUT" "last auth ip: 192.0.2.7" "vuserinfo reads lastauth from the table"
	vchk joe@example.com 'pw two' 192.0.2.8
	is "$(sql "SELECT remote_ip FROM lastauth WHERE user = 'joe' AND domain = 'example.com'")" "192.0.2.8" \
		"the next login updates the row"
	is "$(grep -c 'Unsafe statement' "$MDB_DIR/error.log")" 0 \
		"  writing lastauth is safe for statement-based replication (no warning in the server's log)"
else
	for t in 1 2 3 4; do skip "no auth logging"; done
fi

run vsetuserquota joe@example.com 5M
is_rc 0 "vsetuserquota joe 5M"
is "$(sql "SELECT pw_shell FROM $T WHERE pw_name = 'joe'")" "5242880S" "pw_shell holds the quota"
run vmoduser -p joe@example.com
is_rc 0 "vmoduser -p joe"
is "$(sql "SELECT pw_gid FROM $T WHERE pw_name = 'joe'")" "2" "pw_gid holds NO_POP"

# Values that would break hand-built SQL are stored as given.
NASTY="O'Brien \\\"x\\\" \\\\ y\`; DROP TABLE $T;--"
NASTY=$(printf '%s' "O'Brien \"x\" \\ y\`; DROP TABLE $T;--" | cut -c1-64)
run vadduser -c "$NASTY" quote@example.com pw
is_rc 0 "vadduser with quotes, backslash, backtick in the gecos"
is "$(sql "SELECT HEX(pw_gecos) FROM $T WHERE pw_name = 'quote'")" \
	"$(printf '%s' "$NASTY" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "the gecos is stored byte for byte"
run vuserinfo -c quote@example.com
is_out "$NASTY" "and read back by vuserinfo"
run vuserinfo "o'x@example.com"
isnt "$RC" 0 "a quote in a user name is just an unknown user"

# Listing order: bytewise by name, as the sorted vpasswd of the cdb backend.
for u in zed a.b a-b abc; do run vadduser "$u@example.com" pw; done
run vuserinfo -n -D example.com
OUT=$(printf '%s' "$OUT" | grep -v '^-*$'; printf x); OUT=${OUT%x}
is_out "a-b
a.b
abc
joe
postmaster
quote
zed" "vuserinfo -D lists every user in name order"

run vdeluser zed@example.com
is_rc 0 "vdeluser zed"
is "$(sql "SELECT COUNT(*) FROM $T WHERE pw_name = 'zed'")" "0" "zed's row is gone"
if [ "$AUTHLOG" = 1 ]; then
	is "$(sql "SELECT COUNT(*) FROM lastauth WHERE user = 'zed'")" "0" "and so is zed's lastauth row"
else skip "no auth logging"; fi
run vdeluser zed@example.com
isnt "$RC" 0 "vdeluser of a missing user fails"

# ------------------------------------------------------------ limits (--enable-mysql-limits)
if has_define ENABLE_MYSQL_LIMITS; then
	limrow() { sql "SELECT CONCAT_WS('|', maxpopaccounts, maxaliases, diskquota, defaultquota, maxmsgcount,
		disable_pop, disable_imap, perm_account, perm_quota) FROM limits WHERE domain = '$1'"; }
	run vmoddomlimits -S example.com
	is_rc 0 "limits: -S without a row: exit 0"
	like "$OUT" "Max Pop Accounts: -1" "limits: no row: the built-in defaults"
	is "$(limrow example.com)" "" "limits: -S writes no row"
	cp -p "$VH/etc/vlimits.default" "$T0/vlimits.default.orig"
	printf 'maxaliases: 7\n' > "$VH/etc/vlimits.default"
	run vmoddomlimits -S example.com
	like "$OUT" "Max Aliases: 7" "limits: no row: etc/vlimits.default applies"
	cp -p "$T0/vlimits.default.orig" "$VH/etc/vlimits.default"
	run vmoddomlimits -P 12 -A 3 -Q 100 -q 5M -M 42 -g ip -p cd -x a example.com
	is_rc 0 "limits: vmoddomlimits sets limits"
	is "$(limrow example.com)" "12|3|100|5242880|42|1|1|5|7" "limits: they are one row of the limits table"
	file_absent "$D/example.com/.qmailadmin-limits" "limits: no .qmailadmin-limits file is written"
	run vmoddomlimits -S example.com
	like "$OUT" "Max Pop Accounts: 12" "limits: -S reads the row back (pop accounts)"
	like "$OUT" "Domain Quota: 100 MB" "... (domain quota)"
	like "$OUT" "Flags \(for commandline\): ip" "... (gid flags)"
	like "$OUT" "pop account: +DENY_CREATE  ALLOW_MODIFY DENY_DELETE" "... (permissions)"
	sql "UPDATE limits SET maxforwards = 9 WHERE domain = 'example.com'"
	run vmoddomlimits -S example.com
	like "$OUT" "Max Forwards: 9" "limits: a row changed in SQL is what -S shows"
	run vuserinfo joe@example.com
	like "$OUT" "imap access closed \(\*\)" "limits: the domain's flags reach the user (vuserinfo)"
	printf 'maxpopaccounts: 1\n' > "$D/example.com/.qmailadmin-limits"
	run vmoddomlimits -S example.com
	like "$OUT" "Max Pop Accounts: 12" "limits: a stray .qmailadmin-limits file is ignored"
	rm -f "$D/example.com/.qmailadmin-limits"
	run vmoddomlimits -D example.com
	is_rc 0 "limits: vmoddomlimits -D"
	is "$(limrow example.com)" "" "limits: -D deletes the row"
	run vmoddomlimits -S example.com
	like "$OUT" "Max Pop Accounts: -1" "limits: ... and the defaults apply again"
	run vmoddomlimits -P 5 example.com
	is "$(limrow example.com | cut -d'|' -f1)" "5" "limits: a row again for the vdeldomain check"
fi

# ------------------------------------------------------------ reconnect
exec 5> >(exec "$top_builddir/tests/auth_probe" > "$T0/probe.out" 2> "$T0/probe.err")
PROBE=$!
probe() { echo "$1" >&5; local n=$(wc -l < "$T0/probe.out") i; for i in $(seq 1 100); do
	[ "$(wc -l < "$T0/probe.out")" -ge "$2" ] && break; sleep 0.1; done; tail -1 "$T0/probe.out"; }
is "$(probe 'joe example.com' 1)" "joe|Joe User|5242880S" "a long-lived process reads joe"
mariadb_restart || { echo "Bail out! $MDB_WHY"; exit 1; }
is "$(probe 'joe example.com' 2)" "joe|Joe User|5242880S" "after a server restart it reconnects and reads joe again"

# ------------------------------------------------------------ outage
mariadb_stop
is "$(probe 'joe example.com' 3)" "none -23" "server down: lookups fail with VA_NO_AUTH_CONNECTION, not 'no such user'"
vchk joe@example.com 'pw two'
is "$RC" 111 "server down: vchkpw exits 111 (temporary failure)"
run vuserinfo joe@example.com
isnt "$RC" 0 "server down: vuserinfo fails"
if has_define ENABLE_MYSQL_LIMITS; then
	run vmoddomlimits -S example.com
	isnt "$RC" 0 "server down: vmoddomlimits -S fails rather than showing defaults"
	run vmoddomlimits -P 3 example.com
	isnt "$RC" 0 "server down: vmoddomlimits -P fails"
	file_absent "$D/example.com/.qmailadmin-limits" "... and writes no file instead"
fi
like "$ERR" "Initial open" "... at its initial open"
if [ -x "$top_builddir/vdelivermail" ]; then
	( cd "$D/example.com" && EXT=joe HOST=example.com RPLINE='Return-Path: <a@b.c>'$'\n' \
		DTLINE='Delivered-To: example.com-joe@example.com'$'\n' \
		"$top_builddir/vdelivermail" '' delete < /dev/null > "$T0/.dvout" 2>&1 )
	is "$?" 111 "server down: vdelivermail defers (exit 111)"
	is "$(ls "$D/example.com/joe/Maildir/new" | wc -l)" 0 "... and delivers nothing"
else
	skip "vdelivermail not built"; skip "vdelivermail not built"
fi
run vadduser new@example.com pw
isnt "$RC" 0 "server down: vadduser fails"
# the same "no authentication database connection" as for a missing
# table (below): stderr says which, with the client library's reason
like "$ERR" "Initial open.*vmysql: can't connect to the server: .*sock" "... and says on stderr that it could not connect, and why"
dir_absent() { if [ -e "$1" ]; then fail "$2"; else pass "$2"; fi; }
dir_absent "$D/example.com/new" "... and leaves no directory behind"
mariadb_restart || { echo "Bail out! $MDB_WHY"; exit 1; }
is "$(probe 'joe example.com' 4)" "joe|Joe User|5242880S" "server back: the same process reads joe"
exec 5>&-

# A vpopmail.mysql that does not parse is no "unknown user" either.
cp "$VH/etc/vpopmail.mysql" "$T0/vpopmail.mysql.good"
printf 'localhost|0|root|\n' > "$VH/etc/vpopmail.mysql"
vchk joe@example.com 'pw two'
is "$RC" 111 "a vpopmail.mysql that does not parse: vchkpw exits 111, not 3 (user not found)"
cp "$T0/vpopmail.mysql.good" "$VH/etc/vpopmail.mysql"
vchk joe@example.com 'pw two'
is "$RC" 0 "settings restored: the login works again"

# The users table gone (renamed while a backup is restored): an add fails
# and does not make a new, empty one, which would turn every other user
# into "no such user" (bounces, refused logins) once it existed.
sql_root "RENAME TABLE \`$MDB_DB\`.\`$T\` TO \`$MDB_DB\`.\`${T}_hold\`"
run vadduser new2@example.com pw
isnt "$RC" 0 "users table gone: vadduser fails"
is "$(grep -c vmysql <<<"$ERR")" 1 "... says so once on stderr"
like "$ERR" "vmysql: table .$T. does not exist" "... naming the missing table, not a connection"
is "$(sql_root "SHOW TABLES FROM \`$MDB_DB\` LIKE '$T'")" "" "... and does not create the table again"
vchk joe@example.com 'pw two'
is "$RC" 111 "... joe's login is still a temporary failure"
# the administration tools say the database cannot answer (5.6: "no such user")
for c in "vpasswd joe@example.com pwx" "vsetuserquota joe@example.com 5M" "vmoduser -c x joe@example.com" \
         "vuserinfo joe@example.com" "vdeluser joe@example.com"; do
	# shellcheck disable=SC2086
	run $c
	is "$RC $OUT" "233 Error: no authentication database connection
" "users table gone: ${c%% *} says the database cannot answer"
done
sql_root "RENAME TABLE \`$MDB_DB\`.\`${T}_hold\` TO \`$MDB_DB\`.\`$T\`"
vchk joe@example.com 'pw two'
is "$RC" 0 "table back: joe logs in"

# A row as 5.6 leaves it: an 8-bit comment in a latin1 table (5.6's
# tables are latin1) and a NULL pw_uid.  It can be changed (the check that
# nobody changed it meanwhile compared its bytes with the value read
# through the connection's character set, and a NULL with '=').
sql_root "ALTER TABLE \`$MDB_DB\`.\`$T\` CONVERT TO CHARACTER SET latin1"
setup vadduser jose@example.com 'pw jose'
sql_root "UPDATE \`$MDB_DB\`.\`$T\` SET pw_gecos = CONCAT('Jos', UNHEX('E9')), pw_uid = NULL WHERE pw_name = 'jose'"
run vpasswd jose@example.com 'pw jose2'
is_rc 0 "8-bit comment, NULL pw_uid: vpasswd exit 0"
vchk jose@example.com 'pw jose2'
is "$RC" 0 "... the new password works"
is "$(sql_root "SELECT HEX(pw_gecos) FROM \`$MDB_DB\`.\`$T\` WHERE pw_name = 'jose'")" "4A6F73E9" "... the comment's bytes kept"
run vmoduser -q 5M jose@example.com
is_rc 0 "... vmoduser exit 0"

# ------------------------------------------------------------ two homes, one database
QH1=$QH; D1=$D
sandbox_new
mariadb_conf tcp
cp -p "$QH1/users/assign" "$QH1/users/$USERS_CDB_NAME" "$QH/users/"
run vuserinfo -d joe@example.com
is_out "$D1/example.com/joe" "a second vpopmail home (TCP settings) sees joe"
vchk joe@example.com 'pw two' 198.51.100.9
is "$RC" 0 "and vchkpw on the second home accepts joe's password"
run vpasswd joe@example.com 'pw three'
is_rc 0 "a password change on the second home"
QH2=$QH; VH2=$VH
export VPOPMAIL_HOME=$(dirname "$D1") VPOPMAIL_QMAILDIR=$QH1
vchk joe@example.com 'pw three'
is "$RC" 0 "is seen at once by the first home"

# ------------------------------------------------------------ deldomain
run vdeldomain example.com
is_rc 0 "vdeldomain example.com"
if [ "$MANY" = 1 ]; then
	is "$(sql "SELECT COUNT(*) FROM vpopmail WHERE pw_domain = 'example.com'")" "0" "its rows are gone"
else
	is "$(sql "SHOW TABLES LIKE 'example_com'")" "" "its table is dropped"
fi
if [ "$AUTHLOG" = 1 ]; then
	is "$(sql "SELECT COUNT(*) FROM lastauth WHERE domain = 'example.com'")" "0" "and its lastauth rows"
else skip "no auth logging"; fi
if has_define ENABLE_MYSQL_LIMITS; then
	is "$(sql "SELECT COUNT(*) FROM limits WHERE domain = 'example.com'")" "0" "and its limits row"
fi
is "$(sql "SELECT COUNT(*) FROM dir_control WHERE domain = 'example.com'")" "0" "and its dir_control row"

# ------------------------------------------------------------ vconvert
sandbox_new
mariadb_conf socket conv
setup vadddomain conv.org pmpass
CD=$D/conv.org
CT=conv.vpopmail; [ "$MANY" = 1 ] || CT=conv.conv_org
CL=; [ "$CLEAR" = 1 ] && CL=":"
printf 'amy:$1$abcdefgh$ABCDEFGHIJKLMNOPQRSTUV:1:2:Amy A:%s/amy:NOQUOTA%s\nbob:x:0:0:Bob:%s/bob:5000S%s\n' \
	"$CD" "$CL" "$CD" "$CL" > "$CD/vpasswd"
run vconvert -c -m conv.org
is_rc 0 "vconvert -c -m: exit 0"
is_out "converting conv.org done" "vconvert -c -m: 5.6's line"
is_err "vconvert: conv.org: 2 users copied" "vconvert -c -m: a progress line on stderr"
is "$(sql_root "SELECT CONCAT_WS('|', pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell) FROM $CT WHERE pw_name IN ('amy', 'bob') ORDER BY pw_name")" \
"\$1\$abcdefgh\$ABCDEFGHIJKLMNOPQRSTUV|1|2|Amy A|$CD/amy|NOQUOTA
x|0|0|Bob|$CD/bob|5000S" "the vpasswd records are rows now, field for field"
PMC=; [ "$CLEAR" = 1 ] && PMC=", pw_clear_passwd"
pm=$(sql_root "SELECT CONCAT_WS(':', pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell$PMC) FROM $CT WHERE pw_name = 'postmaster'")
rm -f "$CD/vpasswd"
run vconvert -m -c conv.org
is_rc 0 "vconvert -m -c: exit 0"
is_out "converting conv.org conv.org done
done" "vconvert -m -c: 5.6's \"<domain> done\" line, then \"done\""
is_err "vconvert: conv.org: 3 users copied" "vconvert -m -c: progress line"
file_is "$CD/vpasswd" "amy:\$1\$abcdefgh\$ABCDEFGHIJKLMNOPQRSTUV:1:2:Amy A:$CD/amy:NOQUOTA$CL
bob:x:0:0:Bob:$CD/bob:5000S$CL
$pm
" "vconvert -m -c: the rows become a sorted vpasswd again"
file_exists "$CD/vpasswd.cdb" "... with its index"
sql_root "UPDATE $CT SET pw_shell = '1S' WHERE pw_name = 'bob'"
run vconvert -m -c conv.org
is "$(grep '^bob:' "$CD/vpasswd" | cut -d: -f7)" "1S" "a second -m -c overwrites a user already in vpasswd"

# ------------------------------------------------------------ bulk add on a MyISAM table
# Tables made by older MySQL servers for 5.6 are often MyISAM, where a
# ROLLBACK does nothing: a failed batch must still leave no rows behind.
sql_root "ALTER TABLE $CT ENGINE=MyISAM"
# (a trigger body holds ';': sent with a DELIMITER on stdin, not with -e)
printf "DELIMITER //\nCREATE TRIGGER conv.no_u3 BEFORE INSERT ON %s FOR EACH ROW BEGIN IF NEW.pw_name = 'u3' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF; END//\n" "$CT" |
	"$MDB_CLIENT" --no-defaults -S "$MDB_SOCK" -u root
is "$(sql_root "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_NAME = 'no_u3'")" "1" "MyISAM: a trigger refuses u3"
is "$(sql_root "SELECT ENGINE FROM information_schema.TABLES WHERE CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) = '$CT'")" "MyISAM" \
	"MyISAM: the users table is MyISAM now"
printf 'u1@conv.org Passw0rd1\nu2@conv.org Passw0rd2\nu3@conv.org Passw0rd3\nu4@conv.org Passw0rd4\n' > "$T0/batch"
run vadduser -f "$T0/batch"
isnt "$RC" 0 "MyISAM: a batch whose third insert fails fails"
is "$(sql_root "SELECT COUNT(*) FROM $CT WHERE pw_name IN ('u1', 'u2', 'u3', 'u4')")" "0" \
	"MyISAM: no row of the failed batch is left (the rows before the failure are removed)"
is "$(find "$CD" -name 'u[1-4]' | wc -l)" "0" "MyISAM: nor any directory"
sql_root "DROP TRIGGER conv.no_u3"
run vadduser -f "$T0/batch"
is_rc 0 "MyISAM: the same batch without the trigger: exit 0"
is "$(sql_root "SELECT COUNT(*) FROM $CT WHERE pw_name IN ('u1', 'u2', 'u3', 'u4')")" "4" "MyISAM: all four rows"

# ------------------------------------------------------------ aliasdomains
if has_define SQL_ALIASDOMAINS; then
	setup vaddaliasdomain conv.org alias.net
	is "$(sql_root "SELECT CONCAT(alias, '>', domain) FROM conv.aliasdomains")" "alias.net>conv.org" \
		"vaddaliasdomain mirrors the alias into aliasdomains"
	run vdeldomain alias.net
	is "$(sql_root "SELECT COUNT(*) FROM conv.aliasdomains")" "0" "vdeldomain of the alias removes its row"
	setup vaddaliasdomain conv.org alias.net
	sql_root "DELETE FROM conv.aliasdomains"
	run vsavealiasdomains -A
	is_rc 0 "vsavealiasdomains -A: exit 0"
	is_out "Alias: alias.net Real domain: conv.org saved" "vsavealiasdomains -A: one line per alias"
	is "$(sql_root "SELECT CONCAT(alias, '>', domain) FROM conv.aliasdomains")" "alias.net>conv.org" "... and the row is back"
	run vsavealiasdomains conv.org other.net
	is_out "No alias other.net found for domain conv.org" "vsavealiasdomains with an unknown alias"
	run vsavealiasdomains
	like "$OUT" "Usage: vsavealiasdomains" "vsavealiasdomains without operands: usage"
	run vsavealiasdomains ''
	like "$OUT" "Usage: vsavealiasdomains" "vsavealiasdomains '': usage, not every domain"
	run vsavealiasdomains '' ''
	is_rc 0 "vsavealiasdomains '' '': exit 0, as 5.6 (two empty names are no names)"
	like "$OUT" "Usage: vsavealiasdomains" "vsavealiasdomains '' '': usage"
	sql_root "DELETE FROM conv.aliasdomains"
	run vsavealiasdomains conv.org ''
	is_out "Alias: alias.net  Real domain: conv.org     saved" "vsavealiasdomains DOMAIN '': every alias of DOMAIN, as without the empty name"
else
	run vsavealiasdomains -A
	is_rc 255 "without --enable-sql-aliasdomains: vsavealiasdomains fails"
	is_out "
Please use option --enable-sql-aliasdomains at configure time
" "... and says which option is needed"
fi

# ------------------------------------------------------------ a database user without CREATE
# vadddomain cannot make the domain's table: it takes the domain out of
# qmail's files again (as 5.6), so that a second run after the grant works.
sandbox_new
sql_root "CREATE DATABASE IF NOT EXISTS limdb"
sql_root "CREATE USER IF NOT EXISTS 'lim'@'localhost' IDENTIFIED BY 'limpw'"
sql_root "GRANT SELECT, INSERT, UPDATE, DELETE ON limdb.* TO 'lim'@'localhost'"
printf 'localhost|%s|lim|limpw|limdb\n' "$MDB_SOCK" > "$VH/etc/vpopmail.mysql"
if [ "$MANY" = 1 ]; then
	sql_root "DROP TABLE IF EXISTS limdb.vpopmail"
fi
run vadddomain lim.org pmpass
is_rc 233 "no CREATE right: vadddomain fails with VA_NO_AUTH_CONNECTION"
like "$ERR" "Failed while attempting to add domain to auth backend" "... and says so"
ok_cmd "... and removes the domain directory again" test ! -e "$D/lim.org"
is "$(cat "$QH/users/assign" "$QH/control/rcpthosts" "$QH/control/virtualdomains" 2>/dev/null | grep -c lim.org)" 0 \
	"... and its users/assign line, rcpthosts and virtualdomains entries"
sql_root "GRANT ALL ON limdb.* TO 'lim'@'localhost'"
run vadddomain lim.org pmpass
is_rc 0 "after the grant the same vadddomain works"
is "$(grep -c '^+lim.org-:' "$QH/users/assign")" 1 "... and the domain is assigned once"

is "$(grep 'Unsafe statement' "$MDB_DIR/error.log" | head -3)" "" \
	"no statement of this script's commands is unsafe for statement-based replication"

mariadb_stop
done_testing
