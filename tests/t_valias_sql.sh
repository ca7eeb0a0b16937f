#!/bin/bash
# t_valias_sql.sh - aliases in the SQL valias table (--enable-valias on the
# mysql backend): valias, vdelivermail's lookups (spec runtime §4.18),
# vrcptcheck, vdeldomain and dotqmail2valias (storage-and-admin §8.17,
# §8.18).  The cdb build's .qmail files are t_valias.sh's.
. "$(dirname "$0")/lib.sh"
if ! has_define VALIAS; then echo "1..0 # SKIP built without --enable-valias"; exit 0; fi
if [ "$SQL" != 1 ]; then echo "1..0 # SKIP no MariaDB test server (tests/mariadb-server.sh)"; exit 0; fi
require_bins valias dotqmail2valias vadddomain vaddaliasdomain vdeldomain vadduser vdelivermail vrcptcheck vpopmaild
OS=0; has_define ONCHANGE_SCRIPT && OS=1
BA=0; has_define ONCHANGE_SCRIPT_BEFORE_AND_AFTER && BA=1
NODOM='invalid domain, not in qmail assign file'
MSG=$'From: alice@example.net\nSubject: hello\n\nline one\n'
RP=$'Return-Path: <alice@example.net>\n'

# rows ALIAS DOMAIN: the lines of one alias, in insertion order.
rows() { sql_db "$D/$2" "SELECT valias_line FROM valias WHERE alias = '$1' AND domain = '$2' ORDER BY id"; }
nrows() { sql_db "$D/example.com" "SELECT COUNT(*) FROM valias"; }

new_sandbox() {
	sandbox_new
	setup vadddomain example.com Secret123
	DD=$D/example.com
}

# ------------------------------------------------------------ valias -i / show / -d
new_sandbox
run valias -i fred@example.org bob@example.com
is_rc 0 "-i: exit 0"
is_out "" "-i: silent"
is "$(rows bob example.com)" "fred@example.org" "-i: one row in the valias table"
file_absent "$DD/.qmail-bob" "-i: no .qmail file"
run valias -i '|/usr/bin/true' BOB@Example.COM
is_rc 0 "-i second line, mixed case: exit 0"
is "$(rows bob example.com)" $'fred@example.org\n|/usr/bin/true' "-i: rows kept in order, lower-case alias"
if has_define DEFAULT_DELIVERY; then
	is "$(sql_db "$DD" "SELECT valias_type FROM valias WHERE alias = 'bob' ORDER BY id" | tr '\n' ' ')" "1 0 " \
		"defaultdelivery build: valias_type 1 for a forward, 0 for a program (as 5.6)"
else
	skip "built without --enable-defaultdelivery (no valias_type column)"
fi
run valias -i '  spaced@example.org' bob@example.com
is "$(rows bob example.com | tail -1)" "spaced@example.org" "-i: leading blanks dropped (as 5.6's table)"
run valias -i ./Maildir/ first.last@example.com
is "$(rows first.last example.com)" "./Maildir/" "-i dotted alias: stored with its dot"
n=$(nrows)
run valias -i fred@example.org bob@example.com
is_rc 255 "duplicate line: exit 255"
is_err "Error: alias bob@example.com -> fred@example.org already exists." "duplicate line: message"
L160=$(printf 'a%.0s' $(seq 1 148))@example.org
run valias -i "$L160" long@example.com
is_rc 224 "160-byte line: exit 224"
# valias.alias is VARCHAR(32): a longer name is refused, not cut into
# another alias (or failed by the server as "Unknown error").
A32=$(printf 'a%.0s' $(seq 1 32))
run valias -i fred@example.org "$A32@example.com"
is_rc 0 "-i alias of 32 characters (the column's width): exit 0"
is "$(rows "$A32" example.com)" "fred@example.org" "... stored"
run valias -i fred@example.org "${A32}b@example.com"
is "$RC:$ERR" $'231:Error: user name too long (max=64)\n' "-i alias of 33 characters: user name too long (exit 231)"
is "$(rows "$A32" example.com)" "fred@example.org" "... nothing stored under its first 32 characters"
run valias -d "$A32@example.com"
run valias -i $'a@b.org\nc@d.org' nl@example.com
is_rc 236 "line with a newline: exit 236"
run valias -i a@b.org "bad user@example.com"
is_rc 255 "-i blank in the alias: refused"
run valias -i "x'); DROP TABLE valias; --" q@example.com
is_rc 0 "-i a line with SQL in it: stored as data"
is "$(rows q example.com)" "x'); DROP TABLE valias; --" "the line is kept byte for byte"
run valias -d q@example.com
run valias -i a@b.org bob@nowhere.com
is_rc 255 "-i unknown domain: exit 255"
is_out "$NODOM" "-i unknown domain: message"
is "$(nrows)" "$n" "failed inserts: no row added"

run valias bob@example.com
is_rc 0 "show: exit 0"
is_out "bob@example.com -> fred@example.org
bob@example.com -> |/usr/bin/true
bob@example.com -> spaced@example.org" "show: one line per row"
run valias nobody@example.com
is_rc 255 "unknown alias: exit 255"
is_out "No aliases nobody@example.com found" "unknown alias: message"
run valias -i z@example.org Zed@example.com
run valias -i b@example.org beta@example.com
run valias example.com
is_rc 0 "domain listing: exit 0"
is_out "beta@example.com -> b@example.org
bob@example.com -> fred@example.org
bob@example.com -> |/usr/bin/true
bob@example.com -> spaced@example.org
first.last@example.com -> ./Maildir/
zed@example.com -> z@example.org" "domain listing: by alias, rows in order"
run valias -n example.com
is_out "beta
bob
first.last
zed" "-n: the names"
run valias -n bob@example.com
is_rc 255 "-n with an address: exit 255"

setup vaddaliasdomain example.com alias.net
run valias -i c@example.org carol@alias.net
is_rc 0 "-i through an alias domain: exit 0"
is "$(rows carol example.com)" "c@example.org" "alias domain: row under the real domain"
run valias carol@alias.net
is_out "carol@example.com -> c@example.org" "alias domain: shown with the real domain"

run valias -d bob@example.com
is_rc 0 "-d: exit 0"
is "$(rows bob example.com)" "" "-d: every row of the alias gone"
is "$(rows zed example.com)" "z@example.org" "-d: other aliases kept"
run valias -d bob@example.com
is_rc 0 "-d missing alias: exit 0"
run valias -d bob@nowhere.com
is_out "$NODOM" "-d unknown domain: message"

# ------------------------------------------------------------ onchange
if [ "$OS" = 1 ]; then
	LOG=$SB/onchange.log
	printf '#!/bin/sh\necho "$1 $2 [$3] [$4]" >> %s\n' "$LOG" > "$VH/etc/onchange"
	chmod 0755 "$VH/etc/onchange"
	run valias -i f@example.org on@example.com
	run valias -d on@example.com
	# 5.6's SQL module: insert announces "before" alone, then plain and
	# "after"; delete fires plain and "before", then plain and "after".
	if [ "$BA" = 1 ]; then
		want="valias_insert on@example.com [f@example.org] [before]
valias_insert on@example.com [f@example.org] []
valias_insert on@example.com [f@example.org] [after]
valias_delete on@example.com [-] []
valias_delete on@example.com [-] [before]
valias_delete on@example.com [-] []
valias_delete on@example.com [-] [after]"
	else
		want="valias_insert on@example.com [f@example.org] []
valias_delete on@example.com [-] []
valias_delete on@example.com [-] []"
	fi
	is "$(cat "$LOG")" "$want" "onchange: the events of 5.6's SQL module (valias_delete with '-')"
	# valias_remove has no command of its own: vpopmaild's remove_alias.
	run valias -i f@example.org on@example.com
	: > "$LOG"
	run_in $'slogin postmaster@example.com Secret123\r\nremove_alias on@example.com f@example.org\r\nq\r\n' \
		vpopmaild -t 5
	is "$(rows on example.com)" "" "vpopmaild remove_alias: the row is gone"
	# plain and "before" ahead of the delete, "after" alone behind it
	if [ "$BA" = 1 ]; then
		want="valias_remove on@example.com [f@example.org] []
valias_remove on@example.com [f@example.org] [before]
valias_remove on@example.com [f@example.org] [after]"
	else
		want="valias_remove on@example.com [f@example.org] []"
	fi
	is "$(cat "$LOG")" "$want" "onchange: valias_remove's events as 5.6's SQL module"
	rm -f "$VH/etc/onchange"
else
	skip "onchange not compiled in"; skip "onchange not compiled in"; skip "onchange not compiled in"
fi

# ------------------------------------------------------------ vdelivermail
new_sandbox
setup vadduser bob@example.com Passw0rd
BOX=$DD/bob/Maildir
export VPOPMAIL_QMAIL_INJECT=$SB/qmail-inject
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >> %s/inject.args\ncat >> %s/inject.in\n' "$SB" "$SB" > "$SB/qmail-inject"
chmod 755 "$SB/qmail-inject"
to() { export EXT=$1 HOST=$2 RPLINE=$RP DTLINE="Delivered-To: $2-$1@$2"$'\n'; }
dv() { local here=$PWD; cd "$DD" || return; run_in "$MSG" vdelivermail '' bounce-no-mailbox; cd "$here" || return; }

setup valias -i '&out@example.net' info@example.com
setup valias -i "$BOX/" info@example.com
to info example.com
dv
is "$RC" 0 "alias: exit 0"
is_out "vdelivermail: valiases processed" "alias: 5.6's message"
is "$(cat "$SB/inject.args")" $'--\nout@example.net' "alias: forwarded through qmail-inject"
is "$(ls "$BOX/new" | wc -l)" 1 "alias: the Maildir line delivered too"
file_is "$(ls -d "$BOX"/new/* | head -1)" "${RP}Delivered-To: bob@example.com
$MSG" "alias: the Maildir copy, byte for byte"

# An alias shadows a user of the same name.
rm -f "$BOX"/new/* "$SB/inject.args"
setup valias -i '&shadow@example.net' bob@example.com
to bob example.com
dv
is "$RC" 0 "alias over a user: exit 0"
is "$(cat "$SB/inject.args")" $'--\nshadow@example.net' "alias over a user: the alias wins"
is "$(ls "$BOX/new" | wc -l)" 0 "alias over a user: nothing in the user's Maildir"
setup valias -d bob@example.com

# Wildcards: list-default catches list-foo-bar with DEFAULT=foo-bar; the
# longest prefix wins.
setup valias -i "|echo \"\$DEFAULT\" > $SB/default.txt" list-default@example.com
setup valias -i "|echo deeper \"\$DEFAULT\" > $SB/default.txt" list-foo-default@example.com
to list-bar-baz example.com
dv
is "$RC" 0 "wildcard: exit 0"
is "$(cat "$SB/default.txt")" "bar-baz" "wildcard list-default: DEFAULT is the rest"
to list-foo-x example.com
dv
is "$(cat "$SB/default.txt")" "deeper x" "wildcard: the longest prefix first"
to nolist example.com
dv
is "$RC" 100 "no alias, no user: the catchall (bounce-no-mailbox)"

# A failing instruction is the delivery's result, not "processed".
setup valias -i '|exit 111' tempfail@example.com
to tempfail example.com
dv
is "$RC" 111 "alias program exits 111: vdelivermail exits 111"
unlike "$OUT" "valiases processed" "... and does not claim success"

# An alias line longer than the module reads (1023 bytes): the delivery
# waits (111) and nothing runs; cut, it would run another command.
long=$(printf ' %.0s' $(seq 1100))
sql_db "$DD" "INSERT INTO valias (alias, domain, valias_line) VALUES ('prog', 'example.com', '|true;${long}touch $SB/ran')"
to prog example.com
dv
is "$RC" 111 "alias line past 1023 bytes: vdelivermail defers (111)"
file_absent "$SB/ran" "... and nothing of it runs"
sql_db "$DD" "DELETE FROM valias WHERE alias = 'prog'"

# vrcptcheck knows the alias.
rcpt info@example.com
is_rc 0 "vrcptcheck: an alias in the table is deliverable"
rcpt noone@example.com
is_rc 1 "vrcptcheck: an unknown name is not"
# The valias table cannot be read (a view whose table is gone: every
# SELECT fails): a temporary failure, not "no such recipient".
sql_db "$DD" "RENAME TABLE valias TO valias_hold"
sql_db "$DD" "CREATE TABLE vgone (valias_line TEXT, alias VARCHAR(32), domain VARCHAR(96), id INT)"
sql_db "$DD" "CREATE VIEW valias AS SELECT * FROM vgone"
sql_db "$DD" "DROP TABLE vgone"
rcpt info@example.com
is_rc 111 "vrcptcheck: the valias table cannot be read: exit 111"
sql_db "$DD" "DROP VIEW valias"
sql_db "$DD" "RENAME TABLE valias_hold TO valias"
rcpt info@example.com
is_rc 0 "vrcptcheck: the table back: exit 0"

# Database down: deferred, nothing delivered, nothing forwarded.
rm -f "$BOX"/new/* "$SB/inject.args"
cp "$VH/etc/vpopmail.mysql" "$SB/vpopmail.mysql.ok"
sed -i "s#|$VP_TEST_MYSQL_SOCKET|#|$SB/no-such.sock|#" "$VH/etc/vpopmail.mysql"
to info example.com
dv
is "$RC" 111 "database down: exit 111"
is_out "vdelivermail: deferred, database down" "database down: 5.6's message"
is "$(ls "$BOX/new" | wc -l)$(cat "$SB/inject.args" 2>/dev/null)" 0 "database down: nothing delivered or forwarded"
cp "$SB/vpopmail.mysql.ok" "$VH/etc/vpopmail.mysql"

# vdeldomain takes the domain's rows with it.
setup vadddomain other.org Secret123
setup valias -i x@y.org keep@other.org
setup vdeldomain example.com
is "$(sql_db "$D/other.org" "SELECT COUNT(*) FROM valias WHERE domain = 'example.com'")" 0 \
	"vdeldomain: the domain's aliases are gone"
is "$(rows keep other.org)" "x@y.org" "vdeldomain: other domains' aliases kept"

# ------------------------------------------------------------ dotqmail2valias
new_sandbox
printf '&a@b.org\n\n./Maildir/\n' > "$DD/.qmail-fwd"
printf '&x@y.org\n' > "$DD/.qmail-first:last"
printf '|/usr/bin/ezmlm-reject %s/list\n|/usr/bin/ezmlm-send %s/list\n' "$DD" "$DD" > "$DD/.qmail-list"
printf 'old@y.org\n' > "$DD/.qmail-dup"
setup valias -i kept@y.org dup@example.com
run dotqmail2valias example.com
is_rc 0 "dotqmail2valias: exit 0"
is_out "converting example.com
  checking dup@example.com...valias already exists, skipping.
  checking first.last@example.com... converted 1 entries.
  checking fwd@example.com... converted 2 entries.
  checking list@example.com...mailing list, skipping." "dotqmail2valias: progress lines"
is "$(rows fwd example.com)" $'&a@b.org\n./Maildir/' "fwd: rows in order, blank line dropped"
is "$(rows first.last example.com)" "&x@y.org" "first:last: alias name with its dot"
is "$(rows dup example.com)" "kept@y.org" "existing alias: rows untouched"
is "$(rows list example.com)" "" "mailing list: no rows"
file_absent "$DD/.qmail-fwd" "converted file removed"
file_exists "$DD/.qmail-list" "mailing list file kept"
file_exists "$DD/.qmail-dup" "skipped file kept"
file_exists "$DD/.qmail-default" ".qmail-default untouched"
# A file that cannot be read, and one whose rows cannot all be stored
# (the second line is too long): both stay, and no row is left behind.
mkdir "$DD/.qmail-adir"
printf '&ok@y.org\n%s\n' "$(printf 'x%.0s' $(seq 1 170))" > "$DD/.qmail-part"
run dotqmail2valias example.com
is_rc 0 "failures: exit 0"
like "$OUT" "  checking adir@example.com\.\.\.Error opening $DD/\.qmail-adir, skipping\." \
	"an unreadable file: 5.6's message"
like "$OUT" "  checking part@example.com\.\.\. failed: [^,]*, file kept\." "a failed insert: reported"
is "$(rows part example.com)" "" "a failed insert: the rows already stored are taken back"
file_exists "$DD/.qmail-part" "a failed insert: the file is kept"
rmdir "$DD/.qmail-adir"; rm -f "$DD/.qmail-part"
setup vaddaliasdomain example.com alias.net
run dotqmail2valias alias.net nowhere.org
is_rc 0 "alias and unknown domains: exit 0"
is_err "Skipping alias.net (alias of example.com).
conversion of alias.net failed
Error, domain nowhere.org not found in users/$USERS_CDB_NAME.
conversion of nowhere.org failed" "alias and unknown domains: messages"
printf '&z@y.org\n' > "$DD/.qmail-zz"
run dotqmail2valias -a
is_rc 0 "-a: exit 0"
like "$OUT" "checking zz@example.com... converted 1 entries." "-a: every real domain converted"
like "$OUT" "conversion of alias.net failed" "-a: alias domains reported on stdout"
mv "$QH/users/assign" "$T0/assign.saved"
run dotqmail2valias -a
is_rc 255 "-a without users/assign: exit 255"
is_err "could not open qmail assign file at $QH/users/assign
: No such file or directory" "-a without users/assign: 5.6's perror() text"
is_out "" "-a without users/assign: nothing converted"
mv "$T0/assign.saved" "$QH/users/assign"
run dotqmail2valias
is_rc 255 "no operand: exit 255"
is_out "usage: dotqmail2valias [options] [domainlist]
  Converts .qmail-alias files for listed domains to valias format.
  Options:
    -a = convert all domains
    -v = version
    -d = debug info" "no operand: usage"
run dotqmail2valias -x example.com
is_rc 255 "bad option: exit 255"

done_testing
