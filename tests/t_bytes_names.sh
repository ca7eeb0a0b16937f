#!/bin/bash
# t_bytes_names.sh - names, gecos and passwords are byte strings on every
# backend: the mysql backend answers as the cdb one does.  5.6's tables
# compare case-insensitively, ignore trailing spaces and take accented
# letters for plain ones (latin1_swedish_ci), so 'café', 'cafe ' and
# 'xü' were found as the users cafe and xy; a byte no UTF-8 decoder takes
# made a lookup fail (111) and a gecos unstorable.  The test runs on the
# cdb backend too, where it holds the answers both must give.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deliver_common.sh"
if has_define AUTH_MYSQL && [ "$SQL" != 1 ]; then
	echo "1..0 # SKIP no MariaDB test server (tests/mariadb-server.sh)"; exit 0
fi
require_bins vadddomain vadduser vmoduser vuserinfo vrcptcheck vchkpw vdelivermail vpopmaild

deliver_domain
setup vadduser cafe@example.com Passw0rd
setup vadduser xy@example.com Passw0rd

# Lookups of names that are no user's: not found (exit 1), not deferred.
for a in $'caf\xc3\xa9' $'caf\xe9' 'cafe ' $'x\xc3\xbc' $'x\xfc' $'x\xff'; do
	rcpt "$a@example.com"
	is "$RC:$ERR" "1:" "vrcptcheck '$(printf %q "$a")@example.com': no such user (exit 1)"
done
rcpt "CAFE@example.com"
is "$RC" 0 "vrcptcheck CAFE@example.com: the user cafe (names fold to lower case)"

# Mail for café is not cafe's.
export HOST=example.com RPLINE=$'Return-Path: <a@example.net>\n' DTLINE=$'Delivered-To: x@example.com\n'
printf 'Subject: x\n\nbody\n' > "$T0/msg"
EXT=$'caf\xc3\xa9' RUN_AS=$DV_AS _run_with "$T0/msg" vdelivermail '' bounce-no-mailbox
is "$RC:$(ls "$DD/cafe/Maildir/new" | wc -l)" "100:0" "vdelivermail for café: bounced, nothing in cafe's mailbox"
EXT='cafe ' RUN_AS=$DV_AS _run_with "$T0/msg" vdelivermail '' bounce-no-mailbox
is "$RC:$(ls "$DD/cafe/Maildir/new" | wc -l)" "100:0" "vdelivermail for 'cafe ': bounced, nothing in cafe's mailbox"

# A gecos is stored and read back byte for byte; its limit is 64 bytes.
g_e64=$(printf '\xc3\xa9%.0s' $(seq 1 32))
for g in $'\xff\xfe\x80' $'\xe6\x97\xa5\xe6\x9c\xac' $'o\'x"y\\z%_' "$g_e64"; do
	run vmoduser -c "$g" cafe@example.com
	is "$RC:$OUT" "0:" "vmoduser -c '$(printf %q "$g")': exit 0"
	run vuserinfo -c cafe@example.com
	is "$OUT" "$g"$'\n' "... vuserinfo -c prints it back unchanged"
done
run vmoduser -c "${g_e64}x" cafe@example.com
is "$RC:$OUT" $'228:Error: gecos too long (max=64)\n' "vmoduser -c of 65 bytes: gecos too long"
run vadduser -c $'\xe6\x97\xa5\xe6\x9c\xac' nihon@example.com Passw0rd
is "$RC" 0 "vadduser -c with a gecos not in latin1: exit 0"
run vuserinfo -c nihon@example.com
is "$OUT" $'\xe6\x97\xa5\xe6\x9c\xac\n' "... stored unchanged"

# A password of any bytes logs in.
run vpasswd xy@example.com $'\xff\xfe\x80p\xc3\xa9'
is "$RC" 0 "vpasswd with 8-bit bytes: exit 0"
printf 'xy@example.com\0\xff\xfe\x80p\xc3\xa9\0' > "$T0/cred"
exec 3< "$T0/cred"; run vchkpw /bin/echo OK; exec 3<&-
is "$RC:$OUT" $'0:OK\n' "vchkpw with that password: accepted"
printf 'xy@example.com\0\xff\xfe\x80p\xc3\xa8\0' > "$T0/cred"
exec 3< "$T0/cred"; run vchkpw /bin/echo OK; exec 3<&-
is "$RC" 3 "vchkpw with one byte changed: refused (exit 3)"

# The address of a login is kept whole (cdb) or cut to lastauth's 39
# characters (mysql), never left at the previous login's.
if [ "$AUTHLOG" = 1 ]; then
	ip6=2001:0db8:1234:5678:9abc:def0:1234:5678:9abc
	printf 'cafe@example.com\0Passw0rd\0' > "$T0/cred"
	exec 3< "$T0/cred"; TCPREMOTEIP=1.2.3.4 run vchkpw /bin/echo OK; exec 3<&-
	exec 3< "$T0/cred"; TCPREMOTEIP=$ip6 run vchkpw /bin/echo OK; exec 3<&-
	is "$RC" 0 "vchkpw from an address of ${#ip6} characters: accepted"
	want=$(printf %s "$ip6" | tr : _)
	[ "$SQL" = 1 ] && want=${want:0:39}
	run vuserinfo -l cafe@example.com
	is "$(printf %s "$OUT" | grep '^last auth ip:')" "last auth ip: $want" \
		"... vuserinfo -l shows that address (the first 39 characters with mysql)"
else
	skip "built without auth logging: no last login address"
fi

# remove_alias takes away the line named, byte for byte.
printf 'slogin postmaster@example.com Secret123\r\nadd_alias al@example.com &Bob@example.net\r\nadd_alias al@example.com &bob@example.net\r\nremove_alias al@example.com &bob@example.net\r\nq\r\n' > "$T0/vpd.in"
_run_with "$T0/vpd.in" vpopmaild -t 5
run valias -s al@example.com
is "$OUT" $'al@example.com -> &Bob@example.net\n' "remove_alias of '&bob@...' keeps '&Bob@...'"

done_testing
