#!/bin/bash
# t_dovecot.sh - real clients: Debian's Dovecot 2.3 authenticating through
# our vchkpw (checkpassword passdb, prefetch userdb, no wrapper), reading
# mail that our vdelivermail delivered, over POP3 and IMAP, and reporting
# the Maildir++ quota of maildirsize (issues #4 and #5; spec runtime.md
# §2.4, §2.5, §3, §8/§9).
#
# Skips every check when vchkpw or vdelivermail is not built, or Dovecot
# cannot run here.  For manual runs against other builds:
#   VP_VCHKPW=/path/vchkpw VP_VDELIVERMAIL=/path/vdelivermail tests/t_dovecot.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dovecot.sh"
require_bins vadddomain vadduser vaddaliasdomain vmoduser vsetuserquota vpopbull

VCHKPW=${VP_VCHKPW:-$top_builddir/vchkpw}
VDELIVERMAIL=${VP_VDELIVERMAIL:-$top_builddir/vdelivermail}

PLAN=(
	"vdelivermail delivers bob's first message"
	"vdelivermail delivers through the alias domain"
	"POP3 login with the right password"
	"POP3 LIST shows both messages with their sizes"
	"POP3 RETR returns the stored bytes"
	"IMAP login with the right password"
	"IMAP lists both messages with their sizes"
	"IMAP FETCH returns the stored bytes"
	"POP3 wrong password: normal failure"
	"IMAP wrong password: normal failure"
	"unknown user and unknown domain: normal failure"
	"vmoduser -p: POP3 refused, IMAP allowed"
	"vmoduser -i: IMAP refused, POP3 allowed"
	"alias-domain login over POP3 and IMAP"
	"IMAP GETQUOTAROOT agrees with maildirsize"
	"login without a domain gets the default domain"
	"login as user%domain"
	"Dovecot's expunge and vdelivermail's deliveries share maildirsize"
	"vpopbull's bulletins read back over POP3 and IMAP"
)
skip_all() {
	local d
	for d in "${PLAN[@]}"; do skip "$d: $1"; done
	done_testing
}

[ -x "$VCHKPW" ] || skip_all "vchkpw is not built"
[ -x "$VDELIVERMAIL" ] || skip_all "vdelivermail is not built"
dovecot_usable || skip_all "$DV_WHY"

# ------------------------------------------------------------ the mail system
sandbox_new
if [ "$(id -u)" = 0 ]; then
	# Mailboxes belong to an unprivileged "vpopmail" uid, as in a real
	# install; Dovecot's mail processes run as it and must reach them.
	export VPOPMAIL_UID=${DV_TEST_UID:-4321} VPOPMAIL_GID=${DV_TEST_GID:-4321}
	UIDGID="$VPOPMAIL_UID:$VPOPMAIL_GID"
	chown "$UIDGID" "$D"
	chmod 0711 "$T0" "$SB" "$VH"
	as_domain() { setpriv --reuid="$VPOPMAIL_UID" --regid="$VPOPMAIL_GID" --clear-groups -- "$@"; }
else
	as_domain() { "$@"; }
fi
# Roaming-user builds: vchkpw keeps open-smtp and rebuilds tcp.smtp.cdb in
# the sandbox, never at the compiled-in path.
export VPOPMAIL_TCP_FILE=$VH/etc/tcp.smtp
VPOPMAIL_TCPRULES=$(command -v tcprules || echo /bin/false); export VPOPMAIL_TCPRULES
printf '10.:allow,RELAYCLIENT=""\n' > "$VPOPMAIL_TCP_FILE"
setup vadddomain example.com Secret123 || skip_all "vadddomain failed"
setup vadduser bob@example.com Passw0rd
# Builds with spamc/maildrop hooks: bob's mail goes straight to his Maildir.
setup vmoduser -f -m bob@example.com
setup vsetuserquota bob@example.com 1000000,50C
setup vadduser nopop@example.com Passw0rd
setup vmoduser -p nopop@example.com
setup vadduser noimap@example.com Passw0rd
setup vmoduser -i noimap@example.com
setup vaddaliasdomain example.com alias.org
DD=$D/example.com
BOB=$DD/bob/Maildir

# deliver HOST EXT MSGFILE: run vdelivermail as qmail-local would for
# EXT@HOST (domain uid, cwd the domain directory, umask 077, qmail-local's
# environment, the message on a seekable stdin).  Sets RC, OUT.
deliver() {
	local host=$1 ext=$2 msg=$3 real
	real=example.com
	OUT=$( cd "$DD" && umask 077 && as_domain env -i PATH="$PATH" \
		VPOPMAIL_HOME="$VPOPMAIL_HOME" VPOPMAIL_QMAILDIR="$VPOPMAIL_QMAILDIR" \
		VPOPMAIL_UID="$VPOPMAIL_UID" VPOPMAIL_GID="$VPOPMAIL_GID" \
		USER="$real" HOME="$DD" HOST="$host" EXT="$ext" DEFAULT="$ext" \
		LOCAL="$host-$ext" RECIPIENT="$host-$ext@$host" SENDER=alice@remote.test \
		NEWSENDER=alice@remote.test \
		DTLINE="Delivered-To: $host-$ext@$host"$'\n' \
		RPLINE="Return-Path: <alice@remote.test>"$'\n' \
		UFLINE="From alice@remote.test Thu Jan  1 00:00:00 1970"$'\n' \
		"$VDELIVERMAIL" '' bounce-no-mailbox < "$msg" 2>&1 )
	RC=$?
}

printf 'From: alice@remote.test\nTo: bob@example.com\nSubject: first\n\nHello Bob.\n..a line with a dot\n' > "$SB/m1"
printf 'From: alice@remote.test\nTo: bob@alias.org\nSubject: second\n\n%s\n' "$(printf 'x%.0s' {1..3000})" > "$SB/m2"
deliver example.com bob "$SB/m1"
if [ "$RC" = 0 ] && [ "$(ls "$BOB/new" | wc -l)" = 1 ]; then pass "${PLAN[0]}"; else fail "${PLAN[0]}"; diag "exit $RC: $OUT"; fi
M1=$(ls "$BOB/new")
deliver alias.org bob "$SB/m2"
if [ "$RC" = 0 ] && [ "$(ls "$BOB/new" | wc -l)" = 2 ]; then pass "${PLAN[1]}"; else fail "${PLAN[1]}"; diag "exit $RC: $OUT"; fi
M2=$(ls "$BOB/new" | grep -vxF "$M1")
cp "$BOB/new/$M1" "$SB/stored1"; cp "$BOB/new/$M2" "$SB/stored2"
# Sizes as POP3/IMAP count them: every LF becomes CRLF.
# bytes_of VAR FILE: the exact bytes of FILE (final newlines kept) into VAR.
bytes_of() { local _b; _b=$(slurp "$2"); printf -v "$1" '%s' "${_b%x}"; }
bytes_of B1 "$SB/stored1"; bytes_of B2 "$SB/stored2"
crlf_size() { echo $(( $(wc -c < "$1") + $(tr -cd '\n' < "$1" | wc -c) )); }
S1=$(crlf_size "$SB/stored1"); S2=$(crlf_size "$SB/stored2")
# The stored copies end with the messages we gave (vdelivermail's own
# tests check the lines it adds).
ok_cmd "first stored message ends with the message given" "$PYTHON" -c 'import sys; sys.exit(0 if open(sys.argv[1],"rb").read().endswith(open(sys.argv[2],"rb").read()) else 1)' "$SB/stored1" "$SB/m1"

# ------------------------------------------------------------ Dovecot
if ! dovecot_start "$VCHKPW"; then
	fail "Dovecot starts"; diag "$DV_WHY"
	done_testing
fi
pass "private Dovecot started on 127.0.0.1:$DV_POP3 (pop3) and :$DV_IMAP (imap)"

# read_back PROTO FETCH PLAN-INDEX LABEL: bob logs in over pop or imap,
# lists both messages and reads each back (PLAN[i], [i+1], [i+2]).
read_back() {
	local proto=$1 fetch=$2 i=$3
	dv "${proto}_login" bob@example.com Passw0rd
	is "$DVRC" 0 "${PLAN[i]}"; [ "$DVRC" = 0 ] || diag "$DVOUT" "$(dovecot_log | tail -n 8)"
	dv "${proto}_list" bob@example.com Passw0rd
	is "$DVOUT" "1 $S1
2 $S2
" "${PLAN[i+1]}"
	dv "${proto}_$fetch" bob@example.com Passw0rd 1
	is "$DVOUT" "$B1" "${PLAN[i+2]}"
	dv "${proto}_$fetch" bob@example.com Passw0rd 2
	is "$DVOUT" "$B2" "$4 of the alias-domain delivery"
}
read_back pop retr 2 "POP3 RETR"
read_back imap fetch 5 "IMAP FETCH"

# login_is PROTO USER PASS WANT DESC: a pop or imap login ends with status WANT.
login_is() {
	dv "${1}_login" "$2" "$3"
	is "$DVRC" "$4" "$5"; [ "$DVRC" = "$4" ] || diag "$DVOUT"
}
login_is pop bob@example.com WrongPass 1 "${PLAN[8]}"
login_is imap bob@example.com WrongPass 1 "${PLAN[9]}"
login_is pop nobody@example.com Passw0rd 1 "${PLAN[10]} (user)"
login_is imap bob@nowhere.test Passw0rd 1 "${PLAN[10]} (domain)"

login_is pop nopop@example.com Passw0rd 1 "${PLAN[11]} (POP3 refused)"
login_is imap nopop@example.com Passw0rd 0 "${PLAN[11]} (IMAP allowed)"
login_is imap noimap@example.com Passw0rd 1 "${PLAN[12]} (IMAP refused)"
login_is pop noimap@example.com Passw0rd 0 "${PLAN[12]} (POP3 allowed)"

dv pop_list bob@alias.org Passw0rd
is "$DVOUT" "1 $S1
2 $S2
" "${PLAN[13]} (POP3 sees bob's mail)"
login_is imap bob@alias.org Passw0rd 0 "${PLAN[13]} (IMAP)"

# A login without a domain gets vpopmail's default domain; user%domain
# reaches vchkpw only when auth_username_chars allows '%' (it does here).
printf 'example.com\n' > "$VH/etc/defaultdomain"
login_is pop bob Passw0rd 0 "login without a domain: the default domain (POP3)"
login_is imap bob Passw0rd 0 "login without a domain: the default domain (IMAP)"
rm -f "$VH/etc/defaultdomain"
login_is imap 'bob%alias.org' Passw0rd 0 "login as user%domain"

# Dovecot shows STORAGE in KiB rounded up; usage and limits both come
# from maildirsize (definition line, then "<bytes> <count>" lines, which
# may be negative).
quota_of_maildirsize() {
	awk 'NR == 1 { n = split($0, q, ","); for (i = 1; i <= n; i++) {
			if (q[i] ~ /C$/) c = q[i] + 0; else s = q[i] + 0 } next }
		{ b += $1; m += $2 }
		END { printf "STORAGE %d %d\nMESSAGE %d %d\n", int((b + 1023) / 1024), int((s + 1023) / 1024), m, c }' "$BOB/maildirsize"
}
want=$(quota_of_maildirsize)
like "$want" "^STORAGE [1-9][0-9]* 977
MESSAGE 2 50\$" "maildirsize counts both deliveries against 1000000S,50C"
dv imap_quota bob@example.com Passw0rd
is "$DVOUT" "$want
" "${PLAN[14]}"

# Both sides keep the one file up to date: Dovecot records a POP3 deletion
# in maildirsize, vdelivermail then adds to what Dovecot wrote.
dv pop_dele bob@example.com Passw0rd 1
is "$DVRC" 0 "POP3 DELE of the first message"
want=$(quota_of_maildirsize)
like "$want" "MESSAGE 1 50\$" "maildirsize after Dovecot's expunge: one message"
dv imap_quota bob@example.com Passw0rd
is "$DVOUT" "$want
" "GETQUOTAROOT agrees after the expunge"
deliver example.com bob "$SB/m1"
is "$RC" 0 "vdelivermail delivers after Dovecot wrote maildirsize"
want=$(quota_of_maildirsize)
like "$want" "MESSAGE 2 50\$" "maildirsize: vdelivermail counted on from Dovecot's figures"
dv imap_quota bob@example.com Passw0rd
is "$DVOUT" "$want
" "GETQUOTAROOT agrees after the next delivery"

# vpopbull's bulletins (a copy, a symbolic link) are mail Dovecot can read.
printf 'From: admin@example.com\nSubject: bulletin\n\nHello all.\n' > "$SB/bull1"
printf 'From: admin@example.com\nSubject: linked\n\nHello again.\n' > "$SB/bull2"
run vpopbull -f "$SB/bull1" example.com
is "$RC$ERR" 0 "vpopbull copies a bulletin"
f=$(ls "$DD/noimap/Maildir/new/"* 2>/dev/null | head -n 1)
bytes_of B3 "$f"
dv pop_retr noimap@example.com Passw0rd 1
is "$DVOUT" "$B3" "POP3 RETR of vpopbull's copy"
run vpopbull -s -f "$SB/bull2" example.com
is "$RC$ERR" 0 "vpopbull links a bulletin"
bytes_of B4 "$SB/bull2"
# By subject: both bulletins are named <time>.<pid>.<host>, and two runs in
# one second sort by pid as text (9999 after 10001), not in run order.
dv imap_fetch nopop@example.com Passw0rd linked
is "$DVOUT" "$B4" "IMAP FETCH of vpopbull's symbolic link"
want=$(quota_of_maildirsize)
like "$want" "MESSAGE 4 50\$" "maildirsize counts both bulletins"
dv imap_quota bob@example.com Passw0rd
is "$DVOUT" "$want
" "GETQUOTAROOT agrees after the bulletins"

# --enable-roaming-users: a POP3/IMAP login opens the relay for the
# client's address; a refused one does not.
if has_define POP_AUTH_OPEN_RELAY; then
	dv pop_login bob@example.com Passw0rd
	ok_ip=$DV_LAST_SRC
	dv imap_login bob@example.com WrongPass
	bad_ip=$DV_LAST_SRC
	tail='allow,RELAYCLIENT="",RBLSMTPD=""'
	rule="$ok_ip:$tail"
	# The relay list in open-smtp's format (mysql: the relay table).
	relay_text() {
		if [ "$SQL" = 1 ]; then
			sql_db "$VH/$DOMAINS_DIRNAME/-" "SELECT CONCAT(ip_addr, ':$tail', CHAR(9), timestamp) FROM relay"
		else cat "$VH/etc/open-smtp" 2>&1; fi
	}
	if relay_text | awk -F'\t' -v r="$rule" '$1 == r && $2 ~ /^[0-9]+$/ { f = 1 } END { exit !f }'; then
		pass "roaming: the POP3 client's address is in open-smtp"
	else
		fail "roaming: the POP3 client's address is in open-smtp"; diag "$(relay_text)"
	fi
	if relay_text | grep -q "^$bad_ip:"; then
		fail "roaming: a refused client's address is not in open-smtp"
	else
		pass "roaming: a refused client's address is not in open-smtp"
	fi
	if ! has_define REBUILD_TCPSERVER; then
		file_absent "$VH/etc/tcp.smtp.cdb" "roaming, --disable-rebuild-tcpserver-file: no tcp.smtp.cdb is built"
	elif command -v tcprules >/dev/null; then
		ok_cmd "roaming: tcp.smtp.cdb lets the client relay" cdb_get "$VH/etc/tcp.smtp.cdb" "$ok_ip"
	else
		skip "roaming: tcprules (ucspi-tcp) not installed"
	fi
fi

bad=$(dovecot_log | grep -E 'Error|Fatal|Panic' | grep -v 'Login failed')
is "$bad" "" "no errors in Dovecot's log"

dovecot_stop
done_testing
