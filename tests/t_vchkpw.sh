#!/bin/bash
# t_vchkpw.sh - vchkpw: every exit status, every login form, the service
# flags, the environment and ids of the next program, challenge/response,
# learn-passwords, lastauth, syslog lines, Dovecot mode and equal cost
# for unknown users (spec runtime §1.1-§1.4, §2.5, §3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vchkpw_common.sh"
require_bins vchkpw vadddomain vadduser vaddaliasdomain vmoduser vmkpasswd vipmap

sandbox_new
shim_here
# Roaming builds: the relay rules live in the sandbox (t_roaming.sh tests them).
export VPOPMAIL_TCP_FILE=$VH/etc/tcp.smtp
setup vadddomain example.com Secret123
setup vadduser joe@example.com Passw0rd
setup vadduser bob@example.com Bobs3cret
setup vaddaliasdomain example.com alias.org
DD=$D/example.com
JH=$DD/joe
IP=10.1.2.3
# --enable-passwd builds fall back to system accounts: none by default here.
SYSPW=0; has_define HAS_SYSTEM_PASSWD && SYSPW=1
UNK_RC=3
if [ "$SYSPW" = 1 ]; then
	: > "$T0/passwd.none"; : > "$T0/shadow.none"
	export VPOPMAIL_ETC_PASSWD=$T0/passwd.none VPOPMAIL_ETC_SHADOW=$T0/shadow.none
	UNK_RC=21
fi
unk_log() {	# unk_log USER DOMAIN IP: the line for an unknown user
	if [ "$SYSPW" = 1 ]; then echo "system user not found $1:$3"; else echo "vpopmail user not found $1@$2:$3"; fi
}
P110=(TCPLOCALPORT=110 TCPREMOTEIP=$IP)

# ------------------------------------------------------------ usage and input
creds joe@example.com Passw0rd
vchk "${P110[@]}" --
is_rc 2 "no program: usage error, exit 2"
is_err "vchkpw: usage: vchkpw program [arguments...]" "no program: usage on stderr"

( ( exec env TCPLOCALPORT=110 ${VP_TEST_WRAPPER:-} "$VCHKPW" "$DUMP" ) </dev/null >"$T0/.out" 2>"$T0/.err" 3<&- ) 2>/dev/null
RC=$?; ERR=$(cat "$T0/.err")
is "$RC" 11 "fd 3 closed: exit 11"
is "$ERR" "vchkpw-pop3: vchkpw is only for talking with qmail-popup and qmail-pop3d. It is not for runnning on the command line." "fd 3 closed: message"
syslog_is "" "fd 3 closed: nothing logged"

creds "" Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 12 "empty login: exit 12"
syslog_ev vchkpw-pop3 "null user name given :$IP" "empty login: logged"
creds
vchk "${P110[@]}" -- "$DUMP"
is_rc 12 "no input at all: exit 12"
: > "$SB/syslog"
creds joe@example.com ""
vchk "${P110[@]}" -- "$DUMP"
is_rc 13 "empty password: exit 13"
syslog_ev vchkpw-pop3 "$(log_pwclass "null password given joe@example.com:$IP")" "empty password: logged per level"
creds_raw 'joe@example.com'
vchk "${P110[@]}" -- "$DUMP"
is_rc 13 "login without NUL and no password: exit 13"
: > "$SB/syslog"
creds_raw 'joe@example.com\000Passw0rd'
vchk "${P110[@]}" -- "$DUMP"
is_rc 0 "missing final NUL tolerated"
creds_raw 'joe@example.com\000Passw0rd\000\000'
vchk "${P110[@]}" -- "$DUMP"
is_rc 0 "Dovecot's form (empty third field) accepted"
long=$(printf 'x%.0s' $(seq 600))
creds "$long" Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 13 "600-byte login: input cut at 512 bytes, no password left: exit 13"
: > "$SB/syslog"

# ------------------------------------------------------------ success: env, cwd, args
creds joe@example.com Passw0rd
vchk "${P110[@]}" -- "$DUMP" one 'two words'
is_rc 0 "correct password: exit 0 (the program's status)"
out_has "args:one two words" "arguments passed on"
out_has "fd3:closed" "the credentials pipe is closed for the program"
out_has "cwd:$JH" "cwd is the user directory"
out_has "USER=joe" "USER is the user part"
out_has "HOME=$JH" "HOME is the user directory"
out_has "SHELL=NOLOGIN" "SHELL=NOLOGIN"
out_has "VPOPUSER=joe@example.com" "VPOPUSER is the login"
out_has "EXTRA=<unset>" "no Dovecot fields outside Dovecot"
syslog_ev vchkpw-pop3 "$(log_success "(PLAIN) login success joe@example.com:$IP")" "success logged per level"
if [ "$AUTHLOG" = 1 ]; then
	cdb_next
	file_is "$JH/lastauth" "$IP" "lastauth holds the IP, no newline"
	age=$(( $(date +%s) - $(stat -c %Y "$JH/lastauth") ))
	[ "$age" -le 5 ] && pass "lastauth mtime is now" || fail "lastauth mtime is now (age $age)"
	file_mode "$JH/lastauth" 0600 "lastauth keeps mode 0600"
	# Whatever mode an existing lastauth has, it keeps it (spec §3.9).
	chmod 0640 "$JH/lastauth" 2>/dev/null
	vchk "${P110[@]}" -- "$DUMP"
	cdb_next
	file_mode "$JH/lastauth" 0640 "an existing lastauth keeps its mode (0640)"
	chmod 0600 "$JH/lastauth" 2>/dev/null
	: > "$SB/syslog"
else
	file_is "$JH/lastauth" "<missing>" "no lastauth without auth logging"
fi

vchk TCPLOCALPORT=110 TCPREMOTEIP=::ffff:10.9.8.7 -- "$DUMP"
is_rc 0 "IPv4-mapped client: exit 0"
cdb_next
[ "$AUTHLOG" = 1 ] && file_is "$JH/lastauth" "10.9.8.7" "IPv4-mapped address recorded as IPv4" || skip "no auth logging"
: > "$SB/syslog"
vchk TCPLOCALPORT=110 'TCPREMOTEIP=10.0.0.9;x' -- "$DUMP"
cdb_next
[ "$AUTHLOG" = 1 ] && file_is "$JH/lastauth" "10.0.0.9_x" "odd characters of the IP become _" || skip "no auth logging"
: > "$SB/syslog"
# IPv6 clients as 5.6 records them (spec §1.4): the ':' become '_', '::1'
# loses its first two characters and everything up to the next ':' (empty);
# a full-length address (over 30 characters) is cleaned too, where 5.6 kept
# it raw (doc/COMPATIBILITY.md).
for pair in '2001:db8::5|2001_db8__5' '::1|' \
	'2001:0db8:0000:0000:0000:ff00:0042:8329|2001_0db8_0000_0000_0000_ff00_0042_8329'; do
	vchk TCPLOCALPORT=110 "TCPREMOTEIP=${pair%%|*}" -- "$DUMP"
	is_rc 0 "client ${pair%%|*}: exit 0"
	cdb_next
	[ "$AUTHLOG" = 1 ] && file_is "$JH/lastauth" "${pair#*|}" "client ${pair%%|*}: lastauth holds '${pair#*|}'" || skip "no auth logging"
	relay=; [ "$ROAM" = 1 ] && relay="relay not opened for non-IPv4 address joe@example.com:${pair#*|}"
	syslog_seq vchkpw-pop3 "client ${pair%%|*}: logged as '${pair#*|}'" \
		"$(log_success "(PLAIN) login success joe@example.com:${pair#*|}")" "$relay"
done
vchk TCPLOCALPORT=110 -- "$DUMP"
is_rc 0 "no remote IP: exit 0"
cdb_next
[ "$AUTHLOG" = 1 ] && file_is "$JH/lastauth" "" "no remote IP: empty lastauth" || skip "no auth logging"
syslog_ev vchkpw-pop3 "$(log_success "(PLAIN) login success joe@example.com:")" "no remote IP: empty IP in the log"
vchk TCPLOCALPORT=110 REMOTE_HOST=10.4.4.4 -- "$DUMP"
cdb_next
[ "$AUTHLOG" = 1 ] && file_is "$JH/lastauth" "10.4.4.4" "REMOTE_HOST used without TCPREMOTEIP" || skip "no auth logging"
: > "$SB/syslog"
# A lastauth that cannot be written (its write fails, as on a full file
# system) keeps the address it had: it was truncated first and left empty.
if [ "$AUTHLOG" = 1 ] && [ "$SQL" != 1 ] && strace_ok; then
	VP_TEST_WRAPPER="strace -f -y -o $SB/st.log -e trace=writev" vchk TCPLOCALPORT=110 TCPREMOTEIP=10.44.44.44 -- /bin/true
	n=$(nth_call "$SB/st.log" writev "/lastauth>")
	VP_TEST_WRAPPER="strace -f -o /dev/null -e trace=writev -e inject=writev:error=ENOSPC:when=${n:-1}" \
		vchk TCPLOCALPORT=110 TCPREMOTEIP=10.5.5.55 -- /bin/true
	is_rc 0 "lastauth cannot be written: the login still works"
	file_is "$JH/lastauth" "10.44.44.44" "lastauth cannot be written: the old address stays"
	vchk TCPLOCALPORT=110 TCPREMOTEIP=10.6.6.6 -- /bin/true
	file_is "$JH/lastauth" "10.6.6.6" "lastauth writable again: a shorter address replaces a longer one"
else
	for _t in "login works" "old address stays" "shorter address"; do
		skip "no auth logging, a SQL run, or no usable strace: lastauth cannot be written: $_t"
	done
fi
: > "$SB/syslog"

# ------------------------------------------------------------ wrong password, unknown users
creds joe@example.com Wrong
vchk "${P110[@]}" -- "$DUMP"
is_rc 3 "wrong password: exit 3"
is_out "" "wrong password: program not run"
syslog_ev vchkpw-pop3 "$(log_pwfail "joe@example.com:$IP" Wrong)" "wrong password: logged per level"
creds Joe@Example.com passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 3 "password is case-sensitive: exit 3"
: > "$SB/syslog"

creds nobody@example.com Wrong
vchk "${P110[@]}" -- "$DUMP"
is_rc $UNK_RC "unknown user: exit $UNK_RC"
syslog_ev vchkpw-pop3 "$(unk_log nobody example.com $IP)" "unknown user: logged"
creds joe@nowhere.example Wrong
vchk "${P110[@]}" -- "$DUMP"
is_rc $UNK_RC "unknown domain: exit $UNK_RC"
syslog_ev vchkpw-pop3 "$(unk_log joe nowhere.example $IP)" "unknown domain: logged"
creds nobody@alias.org Wrong
vchk "${P110[@]}" -- "$DUMP"
is_rc $UNK_RC "unknown user at an alias domain: exit $UNK_RC"
syslog_ev vchkpw-pop3 "$(unk_log nobody example.com $IP)" "unknown user at an alias domain: the real domain is logged"

# A user database that is there but cannot be read is a temporary failure
# (111, also under Dovecot), never "no such user".
if [ "$SQL" = 1 ]; then
	for _t in "torn vpasswd.cdb: exit 111" "torn vpasswd.cdb: program not run" \
	          "torn vpasswd.cdb under Dovecot" "vpasswd.cdb restored"; do
		skip "mysql backend has no vpasswd.cdb: $_t"
	done
else
	cp "$DD/vpasswd.cdb" "$T0/vpasswd.cdb.good"
	printf 'torn' > "$DD/vpasswd.cdb"
	creds joe@example.com Passw0rd
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 111 "torn vpasswd.cdb: exit 111"
	is_out "" "torn vpasswd.cdb: program not run"
	vchk ORIG_UID=0 SERVICE=pop3 TCPLOCALPORT=10110 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 111 "torn vpasswd.cdb under Dovecot: still 111 (temporary)"
	cp "$T0/vpasswd.cdb.good" "$DD/vpasswd.cdb"
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 0 "vpasswd.cdb restored: login works again"
fi
# The same for users/cdb, qmail's domain table: there but unreadable (a
# directory in its place) is 111; missing (no virtual domain at all) is
# "no such user".
mv "$QH/users/$USERS_CDB_NAME" "$T0/users.cdb.good"; mkdir "$QH/users/$USERS_CDB_NAME"
creds joe@example.com Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 111 "users/cdb unreadable: exit 111, not a wrong password"
is_out "" "users/cdb unreadable: program not run"
rmdir "$QH/users/$USERS_CDB_NAME"
vchk "${P110[@]}" -- "$DUMP"
is_rc $UNK_RC "users/cdb missing: exit $UNK_RC (no such user)"
mv "$T0/users.cdb.good" "$QH/users/$USERS_CDB_NAME"
vchk "${P110[@]}" -- "$DUMP"
is_rc 0 "users/cdb back: login works again"
: > "$SB/syslog"
creds joe Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc $UNK_RC "no domain and no default domain: exit $UNK_RC"
syslog_ev vchkpw-pop3 "$(unk_log joe "" $IP)" "no domain: logged"
creds "../joe@example.com" Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 20 "'../joe' is refused: exit 20"
creds "@example.com" Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 20 "an empty user name is refused like other illegal names: exit 20"
: > "$SB/syslog"
creds "$(printf 'u%.0s' $(seq 70))@example.com" Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc $UNK_RC "70-character user name: not found, exit $UNK_RC"
: > "$SB/syslog"

# Equal cost: an unknown user or domain runs one crypt of the configured
# scheme, like a wrong password (callgrind counts the instructions in crypt_rn).
if [ -n "$CALLGRIND" ]; then
	creds joe@example.com Wrong; c_wrong=$(crypt_cost "${P110[@]}" -- "$DUMP")
	creds nobody@example.com Wrong; c_user=$(crypt_cost "${P110[@]}" -- "$DUMP")
	creds joe@nowhere.example Wrong; c_dom=$(crypt_cost "${P110[@]}" -- "$DUMP")
	creds joe@example.com Passw0rd; c_ok=$(crypt_cost "${P110[@]}" -- "$T0/bin/missing")
	diag "crypt_rn instructions: wrong password $c_wrong, unknown user $c_user, unknown domain $c_dom, success $c_ok"
	# (a DES crypt, --disable-sha512-passwords without MD5, costs far less)
	floor=1000000; has_define SHA512_PASSWORDS || has_define MD5_PASSWORDS || floor=20000
	close() { awk -v a="$1" -v b="$2" -v f="$floor" 'BEGIN { exit !(a > f && b > f && a / b > 0.97 && a / b < 1.03) }'; }
	close "$c_user" "$c_wrong" && pass "unknown user costs a crypt like a wrong password" || fail "unknown user costs a crypt like a wrong password ($c_user vs $c_wrong)"
	close "$c_dom" "$c_wrong" && pass "unknown domain costs a crypt like a wrong password" || fail "unknown domain costs a crypt like a wrong password ($c_dom vs $c_wrong)"
	close "$c_ok" "$c_wrong" && pass "a success costs one crypt too" || fail "a success costs one crypt too ($c_ok vs $c_wrong)"
	: > "$SB/syslog"
else
	skip "equal cost: no callgrind here"; skip "equal cost: no callgrind here"; skip "equal cost: no callgrind here"
fi

# ------------------------------------------------------------ invalid characters
for bad in 'jo:e@example.com' 'jo e@example.com' $'jo\ne@example.com' 'a%b@example.com' 'joe@exa_mple.com' 'joe@../etc' 'joe@ex:ample.com'; do
	creds "$bad" Passw0rd
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 20 "invalid login $(printf %q "$bad"): exit 20"
done
creds 'jo:e@example.com' Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_err "user invalid jo:e" "invalid user part: named on stderr"
: > "$SB/syslog"
creds 'joe@exa_mple.com' Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_err "domain invalid exa_mple.com" "invalid domain part: named on stderr"
syslog_ev vchkpw-pop3 "$(log_pwclass "invalid user/domain characters joe@exa_mple.com:$IP")" "invalid characters: logged per level"
creds $'jo\ne@example.com' Passw0rd
vchk "${P110[@]}" -- "$DUMP"
if [ -n "$SHIM" ]; then
	is "$(wc -l < "$SB/syslog")" "$([ "$LVL" = 0 ] && echo 0 || echo 1)" "a newline in the login cannot forge a second syslog line"
else skip "no shim"; fi
: > "$SB/syslog"

# ------------------------------------------------------------ login forms
form() {	# form LOGIN WANT-VPOPUSER DESC [ENV...]
	local login=$1 want=$2 d=$3; shift 3
	: > "$SB/syslog"
	creds "$login" Passw0rd
	vchk TCPLOCALPORT=110 "$@" -- "$DUMP"
	is_rc 0 "$d: exit 0"
	out_has "USER=joe" "$d: USER=joe"
	out_has "HOME=$JH" "$d: HOME"
	out_has "VPOPUSER=$want" "$d: VPOPUSER=$want"
}
form 'JOE@EXAMPLE.COM' joe@example.com "upper case"
form 'joe%example.com' 'joe%example.com' "user%domain"
form 'joe/example.com' 'joe/example.com' "user/domain"
form 'joe@alias.org' joe@alias.org "alias domain"
form 'Joe' joe "VPOPMAIL_DOMAIN" VPOPMAIL_DOMAIN=example.com
printf 'example.com\n' > "$VH/etc/defaultdomain"
form 'joe' joe "etc/defaultdomain"
syslog_ev vchkpw-pop3 "$(log_success "(PLAIN) login success joe@example.com:")" "default domain: the log names the real domain"
rm -f "$VH/etc/defaultdomain"
if [ "$IPALIAS" = 1 ]; then
	setup vipmap -a 192.0.2.7 example.com
	if [ "$SQL" = 1 ]; then
		is "$(sql_db "$VH/$DOMAINS_DIRNAME/-" "SELECT domain FROM ip_alias_map WHERE ip_addr = '192.0.2.7'")" \
			example.com "mysql: the mapping is a row of ip_alias_map"
		file_absent "$VH/etc/ip_alias_map" "mysql: no map file"
	fi
	form 'joe' joe "ip-alias domain (TCPLOCALIP)" TCPLOCALIP=192.0.2.7
	form 'joe' joe "ip-alias domain, IPv4-mapped TCPLOCALIP" TCPLOCALIP=::ffff:192.0.2.7
	creds joe Passw0rd
	vchk TCPLOCALPORT=110 TCPLOCALIP=192.0.2.8 -- "$DUMP"
	is_rc $UNK_RC "unmapped local IP: no domain, exit $UNK_RC"
else
	creds joe Passw0rd
	vchk TCPLOCALPORT=110 TCPLOCALIP=192.0.2.7 -- "$DUMP"
	is_rc $UNK_RC "no ip-alias domains in this build: exit $UNK_RC"
fi
: > "$SB/syslog"

# ------------------------------------------------------------ connection class and flags
cls() {	# cls WANT-RC LOGNAME DESC ENV... [-- PROG]
	local want=$1 name=$2 d=$3; shift 3
	creds bob@example.com Bobs3cret
	vchk "$@" -- "$DUMP"
	is_rc "$want" "$d: exit $want"
	if [ "$want" = 0 ]; then
		syslog_ev "$name" "$(log_success "(PLAIN) login success bob@example.com:$IP")" "$d: log name $name"
	else
		syslog_ev "$name" "${DENY}bob@example.com:$IP" "$d: denied under $name"
	fi
}
# only_flag FLAG SERVICE: bob's flags cleared, then vmoduser -FLAG; refusals
# are logged as "SERVICE access denied".
only_flag() {
	setup vmoduser -x bob@example.com
	setup vmoduser "-$1" bob@example.com
	DENY="$2 access denied "
}
# argv_rc WANT DESC VAR=value... -- PROG: bob's login where no port decides
# the class, so the program's name does.
argv_rc() {
	local want=$1 d=$2; shift 2
	creds bob@example.com Bobs3cret
	vchk "$@"
	is_rc "$want" "$d"
}
setup vmoduser -p bob@example.com
DENY="pop access denied "
cls 1 vchkpw-pop3 "NO_POP, port 110" TCPLOCALPORT=110 TCPREMOTEIP=$IP
cls 1 vchkpw-pop3s "NO_POP, port 995" TCPLOCALPORT=995 TCPREMOTEIP=$IP
cls 0 vchkpw-imap "NO_POP, port 143" TCPLOCALPORT=143 TCPREMOTEIP=$IP
cls 1 vchkpw-0 "NO_POP, no port, argv without imap/true" TCPREMOTEIP=$IP
# a TCPLOCALPORT that is not a plain number is no port (doc/COMPATIBILITY.md)
for p in ' 110' '+110' '110x' '70000' '-1'; do
	cls 1 vchkpw-0 "NO_POP, TCPLOCALPORT='$p' is no port" "TCPLOCALPORT=$p" TCPREMOTEIP=$IP
done
cls 0 vchkpw-imap "NO_POP, SERVICE=imap on port 110" TCPLOCALPORT=110 SERVICE=imap TCPREMOTEIP=$IP
cls 1 vchkpw-pop3 "NO_POP, SERVICE=pop3 on port 10110" TCPLOCALPORT=10110 SERVICE=pop3 TCPREMOTEIP=$IP
cls 0 vchkpw-smtp "NO_POP, SMTP port 25" TCPLOCALPORT=25 TCPREMOTEIP=$IP
IP=127.0.0.1 cls 0 vchkpw-webmail "NO_POP, POP from 127.0.0.1 is webmail" TCPLOCALPORT=110 TCPREMOTEIP=127.0.0.1
IP=127.0.0.1 cls 1 vchkpw-pop3 "NO_POP, SERVICE=pop3 from 127.0.0.1 stays POP" TCPLOCALPORT=110 SERVICE=pop3 TCPREMOTEIP=127.0.0.1
: > "$SB/syslog"
only_flag i imap
cls 1 vchkpw-imap "NO_IMAP, port 143" TCPLOCALPORT=143 TCPREMOTEIP=$IP
cls 1 vchkpw-imaps "NO_IMAP, port 993" TCPLOCALPORT=993 TCPREMOTEIP=$IP
cls 0 vchkpw-pop3 "NO_IMAP, port 110" TCPLOCALPORT=110 TCPREMOTEIP=$IP
cls 1 vchkpw-imap "NO_IMAP, SERVICE=imap on port 10143" TCPLOCALPORT=10143 SERVICE=imap TCPREMOTEIP=$IP
argv_rc 0 "NO_IMAP, port 12345, argv[1] without imap: POP, allowed" \
	TCPLOCALPORT=12345 TCPREMOTEIP=$IP -- "$T0/bin/../bin/dump" --imapish
: > "$SB/syslog"
ln -sf dump "$T0/bin/imapdump"
argv_rc 1 "NO_IMAP, port 12345, argv[1] containing imap: IMAP, refused" \
	TCPLOCALPORT=12345 TCPREMOTEIP=$IP -- "$T0/bin/imapdump"
syslog_ev vchkpw-12345 "imap access denied bob@example.com:$IP" "argv[1] imap: log name vchkpw-12345"
only_flag s smtp
cls 1 vchkpw-smtp "NO_SMTP, port 25" TCPLOCALPORT=25 TCPREMOTEIP=$IP
cls 1 vchkpw-smtps "NO_SMTP, port 465" TCPLOCALPORT=465 TCPREMOTEIP=$IP
cls 1 vchkpw-submission "NO_SMTP, port 587" TCPLOCALPORT=587 TCPREMOTEIP=$IP
cls 1 vchkpw-submission "NO_SMTP, SERVICE=submission" TCPLOCALPORT=10587 SERVICE=submission TCPREMOTEIP=$IP
cls 1 vchkpw-smtp "NO_SMTP, SERVICE=smtp" SERVICE=smtp TCPREMOTEIP=$IP
cls 0 vchkpw-pop3 "NO_SMTP, port 110" TCPLOCALPORT=110 TCPREMOTEIP=$IP
argv_rc 1 "NO_SMTP, no port, argv[1] /bin/true: SMTP, refused" TCPREMOTEIP=$IP -- /bin/true
syslog_ev vchkpw-0 "smtp access denied bob@example.com:$IP" "argv[1] true: logged under vchkpw-0"
only_flag w webmail
IP=127.0.0.1 cls 1 vchkpw-webmail "NO_WEBMAIL, IMAP from 127.0.0.1" TCPLOCALPORT=143 TCPREMOTEIP=127.0.0.1
cls 0 vchkpw-imap "NO_WEBMAIL, IMAP from elsewhere" TCPLOCALPORT=143 TCPREMOTEIP=$IP
IP=127.0.0.1 cls 0 vchkpw-smtp "NO_WEBMAIL, SMTP from 127.0.0.1 is never webmail" TCPLOCALPORT=25 TCPREMOTEIP=127.0.0.1
IP=127.0.0.1 cls 1 vchkpw-imap "NO_WEBMAIL, SERVICE=imap from 127.0.0.1" SERVICE=imap TCPLOCALPORT=143 TCPREMOTEIP=127.0.0.1
setup vmoduser -x bob@example.com
# Domain limits: disable_pop applies unless the user has V_OVERRIDE.
limits_put "$DD" example.com $'disable_pop 1\n' -g p
DENY="pop access denied "
cls 1 vchkpw-pop3 "domain disable_pop" TCPLOCALPORT=110 TCPREMOTEIP=$IP
setup vmoduser -o bob@example.com
cls 0 vchkpw-pop3 "domain disable_pop, user V_OVERRIDE" TCPLOCALPORT=110 TCPREMOTEIP=$IP
setup vmoduser -x bob@example.com
limits_clear "$DD" example.com
: > "$SB/syslog"

# ------------------------------------------------------------ exec failures
creds joe@example.com Passw0rd
vchk "${P110[@]}" -- "$T0/bin/missing"
is_rc 111 "missing program: exit 111, not 0"
like "$ERR" "^vchkpw: cannot run $T0/bin/missing: No such file or directory" "missing program: reason on stderr"
syslog_seq vchkpw-pop3 "missing program: logged" "$(log_success "(PLAIN) login success joe@example.com:$IP")" "exec $T0/bin/missing failed errno 2 joe@example.com:$IP"
vchk "${P110[@]}" -- "$T0/bin/noexec"
is_rc 111 "non-executable program: exit 111"
: > "$SB/syslog"

# ------------------------------------------------------------ empty password, dir allocation
# blank_bob FIELD...: empty bob's password hash (2) and/or clear copy (8).
blank_bob() {
	local f sets=
	for f in "$@"; do
		if [ "$SQL" = 1 ]; then
			case $f in 2) sets="${sets:+$sets, }pw_passwd = ''";; 8) sets="${sets:+$sets, }pw_clear_passwd = ''";; esac
		else
			awk -F: -v OFS=: -v n="$f" '$1 == "bob" { $n = "" } { print }' "$DD/vpasswd" > "$T0/vp" &&
				cat "$T0/vp" > "$DD/vpasswd"
		fi
	done
	if [ "$SQL" = 1 ]; then sql_user_set "$DD" bob "$sets"; else setup vmkpasswd example.com; fi
}
blank_bob 2
creds bob@example.com NewPass1
vchk "${P110[@]}" -- "$DUMP"
if [ "$LEARN" = 1 ]; then
	cdb_next 4
	is_rc 0 "learn-passwords: empty stored password learns the one given"
	crypt_ok NewPass1 "$(vpw_field "$DD" bob 2)" && pass "learned password stored hashed" || fail "learned password stored hashed"
	[ "$CLEAR" = 1 ] && is "$(vpw_field "$DD" bob 8)" NewPass1 "learned password stored in clear too" || skip "no clear passwords"
	vpw_cdb_ok "$DD" > /dev/null && pass "vpasswd.cdb updated" || fail "vpasswd.cdb updated"
	creds bob@example.com Other1
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 3 "after learning, another password fails"
	if [ "$CLEAR" = 1 ]; then
		# Neither a hash nor a clear copy: both are learned at once.
		blank_bob 2 8
		creds bob@example.com NewPass1
		vchk "${P110[@]}" -- "$DUMP"
		is_rc 0 "learn-passwords, no hash and no clear copy: the password given is learned"
		crypt_ok NewPass1 "$(vpw_field "$DD" bob 2)" && pass "  its hash is stored" || fail "  its hash is stored"
		is "$(vpw_field "$DD" bob 8)" NewPass1 "  and its clear copy"
		creds bob@example.com Intruder9
		vchk "${P110[@]}" -- "$DUMP"
		is_rc 3 "  then another password fails"
		is "$(vpw_field "$DD" bob 8)" NewPass1 "  and does not replace the learned one"
	fi
else
	cdb_next
	is_rc 15 "empty stored password: exit 15"
	cdb_next
	syslog_ev vchkpw-pop3 "user has no password bob@example.com:$IP" "empty stored password: logged"
fi
: > "$SB/syslog"
if [ "$LEARN" = 1 ] && [ "$CLEAR" = 1 ]; then
	setup vmoduser -C '' bob@example.com 2>/dev/null || true
	blank_bob 8
	creds bob@example.com NewPass1
	vchk "${P110[@]}" -- "$DUMP"
	cdb_next 2
	is_rc 0 "learn-passwords: login with an empty clear password"
	is "$(vpw_field "$DD" bob 8)" NewPass1 "empty clear password learned"
fi
: > "$SB/syslog"

setup vadduser dan@example.com Dans3cret
awk -F: -v OFS=: '$1=="dan"{$6=""}1' "$DD/vpasswd" > "$T0/vp" && cat "$T0/vp" > "$DD/vpasswd"
rm -rf "$DD/dan"
setup vmkpasswd example.com
creds dan@example.com Dans3cret
vchk "${P110[@]}" -- "$DUMP"
is_rc 0 "empty user directory: one is allocated, exit 0"
is "$(vpw_field "$DD" dan 6)" "$DD/dan" "allocated directory stored in vpasswd"
out_has "HOME=$DD/dan" "HOME is the new directory"
dir_exists "$DD/dan/Maildir/new" "new directory has a Maildir"
rm -rf "$JH"
creds joe@example.com Passw0rd
vchk "${P110[@]}" -- "$DUMP"
is_rc 0 "missing user directory: auto-created, exit 0"
dir_exists "$JH/Maildir/cur" "auto-created Maildir"
out_has "cwd:$JH" "cwd is the re-created directory"
: > "$SB/syslog"

# ------------------------------------------------------------ APOP and CRAM-MD5
md5hex() { "$PYTHON" -c 'import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())' "$1"; }
hmachex() { "$PYTHON" -c 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.md5).hexdigest())' "$1" "$2"; }
TS='<12345.1700000000@mail.example.com>'
APOP=$(md5hex "${TS}Passw0rd")
CRAM=$(hmachex Passw0rd "$TS")
creds joe@example.com "$APOP" "$TS"
vchk "${P110[@]}" -- "$DUMP"
if [ "$CLEAR" = 1 ]; then
	is_rc 0 "APOP digest accepted (clear password stored)"
	syslog_ev vchkpw-pop3 "$(log_success "(APOP) login success joe@example.com:$IP")" "APOP: auth type in the log"
	creds joe@example.com "$(printf '%s' "$APOP" | tr a-f A-F)" "$TS"
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 3 "upper-case APOP digest refused"
	creds joe@example.com "$CRAM" "$TS"
	vchk TCPLOCALPORT=25 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 0 "CRAM-MD5 response accepted on SMTP"
	: > "$SB/syslog"
	vchk TCPLOCALPORT=25 TCPREMOTEIP=$IP -- "$DUMP"
	syslog_ev vchkpw-smtp "$(log_success "(CRAM-MD5) login success joe@example.com:$IP")" "CRAM-MD5: auth type in the log"
	creds joe@example.com "$APOP" "$TS"
	vchk TCPLOCALPORT=143 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 3 "APOP digest on IMAP: refused"
	creds joe@example.com "$CRAM" "$TS"
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 3 "CRAM-MD5 response on POP: refused"
	creds joe@example.com Passw0rd "$TS"
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 0 "plain password with a timestamp still works"
else
	is_rc 3 "APOP digest refused without clear passwords"
	creds joe@example.com "$CRAM" "$TS"
	vchk TCPLOCALPORT=25 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 3 "CRAM-MD5 refused without clear passwords"
fi
: > "$SB/syslog"

# ------------------------------------------------------------ Dovecot mode
DV=(ORIG_UID=0 SERVICE=pop3 TCPLOCALPORT=10110 TCPREMOTEIP=$IP)
creds joe@alias.org Passw0rd
vchk "${DV[@]}" -- "$DUMP"
is_rc 0 "Dovecot: login works"
out_has "USER=joe@example.com" "Dovecot: USER is user@realdomain"
out_has "HOME=$JH" "Dovecot: HOME"
out_has "EXTRA=userdb_uid userdb_gid userdb_mail" "Dovecot: EXTRA names the userdb fields"
out_has "userdb_uid=$VPOPMAIL_UID" "Dovecot: userdb_uid is the domain uid"
out_has "userdb_gid=$VPOPMAIL_GID" "Dovecot: userdb_gid is the domain gid"
out_has "userdb_mail=maildir:$JH/Maildir" "Dovecot: userdb_mail"
out_has "VPOPUSER=joe@alias.org" "Dovecot: VPOPUSER as given"
for c in "joe@example.com:Wrong:wrong password" "nobody@example.com:Wrong:unknown user" "jo e@example.com:x:invalid characters" ":x:empty login" "joe@example.com::empty password"; do
	IFS=: read -r u p d <<<"$c"
	creds "$u" "$p"
	vchk "${DV[@]}" -- "$DUMP"
	is_rc 1 "Dovecot: $d is exit 1"
done
setup vmoduser -p joe@example.com
creds joe@example.com Passw0rd
vchk "${DV[@]}" -- "$DUMP"
is_rc 1 "Dovecot: NO_POP refuses SERVICE=pop3, exit 1"
vchk ORIG_UID=0 SERVICE=imap TCPLOCALPORT=10143 TCPREMOTEIP=$IP -- "$DUMP"
is_rc 0 "Dovecot: NO_POP allows SERVICE=imap"
setup vmoduser -x joe@example.com
vchk TCPLOCALPORT=110 -- /usr/lib/dovecot/checkpassword-reply-missing
is_rc 111 "Dovecot detected by argv[1] name: exec failure is still 111"
creds joe@example.com Wrong
vchk TCPLOCALPORT=110 -- /x/checkpassword-reply
is_rc 1 "argv[1] checkpassword-reply: wrong password is exit 1"
: > "$SB/syslog"

# ------------------------------------------------------------ system accounts (--enable-passwd)
if has_define HAS_SYSTEM_PASSWD; then
	if [ "$ROOT" = 1 ]; then SU=23456; SG=23457; else SU=$(id -u); SG=$(id -g); fi
	mkdir -p "$T0/home/sysu" "$T0/home/nos"
	chmod 0755 "$T0/home" "$T0/home/sysu"
	[ "$ROOT" = 1 ] && chown "$SU:$SG" "$T0/home/sysu"
	printf 'sysu:x:%s:%s:Sys:%s:/bin/sh\nnos:x:%s:%s::%s:/bin/sh\nlocked:x:%s:%s::%s:/bin/sh\ngone:x:%s:%s::%s:/bin/sh\n' \
		"$SU" "$SG" "$T0/home/sysu" "$SU" "$SG" "$T0/home/nos" "$SU" "$SG" "$T0/home/sysu" "$SU" "$SG" "$T0/home/gone" > "$T0/passwd"
	printf 'sysu:%s:19000:0:99999:7:::\nlocked:!:19000:0:99999:7:::\ngone:%s:19000:0:99999:7:::\n' \
		"$(vph mkhash Sysp4ss '$6$saltsalt$')" "$(vph mkhash Sysp4ss '$6$saltsalt$')" > "$T0/shadow"
	SYSENV=(VPOPMAIL_ETC_PASSWD=$T0/passwd VPOPMAIL_ETC_SHADOW=$T0/shadow TCPLOCALPORT=110 TCPREMOTEIP=10.7.7.7)
	: > "$SB/syslog"
	creds sysu Sysp4ss
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 0 "system account: login works"
	out_has "ids:$SU:$SG:$SG" "system account: its uid and gid"
	out_has "cwd:$T0/home/sysu" "system account: cwd is its home"
	out_has "USER=sysu" "system account: USER"
	out_has "HOME=$T0/home/sysu" "system account: HOME"
	out_has "VPOPUSER=sysu" "system account: VPOPUSER"
	relay=; [ "$ROAM" = 1 ] && relay="relay update failed sysu@:10.7.7.7"
	[ "$ROAM" = 1 ] && [ -x "$(sed -n 's/^#define TCPRULES_PROG "\(.*\)"$/\1/p' "$CONFIG_H")" ] && relay=
	syslog_seq vchkpw-pop3 "system account: logged per level" "$(log_success "system password login success sysu:10.7.7.7")" "$relay"
	if [ "$ROAM" = 1 ]; then
		is "$(grep -c '^10.7.7.7:' "$VH/etc/open-smtp")" 1 "system account: relay opened"
	fi
	creds sysu@example.com Sysp4ss
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 0 "system account: a virtual domain without that user falls back to it"
	: > "$SB/syslog"
	creds sysu Wrong
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 23 "system account, wrong password: exit 23"
	case $LVL in 0) w="";; 1|2) w="system password fail sysu:10.7.7.7";; *) w="system password fail (pass: 'Wrong') sysu:10.7.7.7";; esac
	syslog_ev vchkpw-pop3 "$w" "system account, wrong password: logged per level"
	creds nosuch Sysp4ss
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 21 "no such system account: exit 21"
	syslog_ev vchkpw-pop3 "system user not found nosuch:10.7.7.7" "no such system account: logged"
	creds nos Sysp4ss
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 22 "system account without shadow entry: exit 22"
	syslog_ev vchkpw-pop3 "system user shadow entry not found nos:10.7.7.7" "no shadow entry: logged"
	creds locked Sysp4ss
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 24 "locked system account (crypt cannot use '!'): exit 24"
	: > "$SB/syslog"
	creds gone Sysp4ss
	vchk "${SYSENV[@]}" -- "$DUMP"
	is_rc 6 "system account without a home: exit 6"
	syslog_seq vchkpw-pop3 "no home: logged" "$(log_success "system password login success gone:10.7.7.7")" \
		"$( [ "$ROAM" = 1 ] && echo "")" "chdir failed errno 2 $T0/home/gone gone@:10.7.7.7"
	for c in "sysu:Wrong" "nosuch:x" "nos:x"; do
		creds "${c%%:*}" "${c#*:}"
		vchk ORIG_UID=0 SERVICE=pop3 "${SYSENV[@]}" -- "$DUMP"
		is_rc 1 "Dovecot, system account ${c%%:*}: refusal is exit 1"
	done
	: > "$SB/syslog"
else
	creds root Whatever
	vchk "${P110[@]}" -- "$DUMP"
	is_rc 3 "no system accounts in this build: exit 3"
	: > "$SB/syslog"
fi

# ------------------------------------------------------------ ids (root only)
if [ "$ROOT" = 1 ]; then
	chmod 0755 "$SB" "$VH"
	setup vadddomain -i 12345 -g 12346 ids.test Secret123
	setup vadduser amy@ids.test Amys3cret
	chown 12345:12346 "$D"
	AH=$D/ids.test/amy
	creds amy@ids.test Amys3cret
	vchk TCPLOCALPORT=110 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 0 "root: POP login to a domain with uid 12345"
	out_has "ids:12345:12346:12346" "POP: uid, gid and only the domain group"
	out_has "cwd:$AH" "POP: cwd is the user directory"
	cdb_next
	[ "$AUTHLOG" = 1 ] && is "$(owner_of "$AH/lastauth")" 12345:12346 "lastauth owned by the domain" || skip "no auth logging"
	vchk TCPLOCALPORT=143 TCPREMOTEIP=$IP -- "$DUMP"
	out_has "ids:12345:12346:12346" "IMAP: domain ids"
	vchk TCPLOCALPORT=25 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 0 "SMTP login"
	out_has "ids:0:0:$(id -G)" "SMTP: stays root"
	out_has "cwd:$(pwd)" "SMTP: cwd unchanged"
	vchk ORIG_UID=0 SERVICE=pop3 TCPREMOTEIP=$IP -- "$DUMP"
	out_has "ids:0:0:$(id -G)" "Dovecot: no setuid (checkpassword-reply refuses it)"
	out_has "userdb_uid=12345" "Dovecot: uid 12345 as userdb field"
	out_has "userdb_gid=12346" "Dovecot: gid 12346 as userdb field"
	rm -rf "$AH"
	vchk TCPLOCALPORT=110 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 0 "root: missing directory auto-created as the domain"
	is "$(owner_of "$AH/Maildir")" 12345:12346 "auto-created Maildir owned by the domain"
	chown 0:0 "$D"; chmod 0700 "$D"
	rm -rf "$AH"
	: > "$SB/syslog"
	vchk TCPLOCALPORT=110 TCPREMOTEIP=$IP -- "$DUMP"
	is_rc 6 "directory cannot be created: exit 6"
	syslog_seq vchkpw-pop3 "exit 6 logged" "$(log_success "(PLAIN) login success amy@ids.test:$IP")" "autocreate dir errno 13 $AH amy@ids.test:$IP"
	chown 12345:12346 "$D"
	# Not root and not the domain: the user cannot be read.
	if command -v setpriv >/dev/null 2>&1; then
		creds joe@example.com Passw0rd
		( ( exec setpriv --reuid=54321 --regid=54321 --clear-groups env TCPLOCALPORT=110 "$top_builddir/vchkpw" "$DUMP" ) </dev/null >"$T0/.out" 2>"$T0/.err" 3<"$T0/.cred" ) 2>/dev/null
		rc=$?
		is "$rc" "$UNK_RC" "run by another uid: user not found, exit $UNK_RC"
		# Run as the domain's own uid (as vpopmail, not root), it works.
		creds amy@ids.test Amys3cret
		( ( exec setpriv --reuid=12345 --regid=12346 --clear-groups env TCPLOCALPORT=110 TCPREMOTEIP=$IP "$top_builddir/vchkpw" "$DUMP" ) </dev/null >"$T0/.out" 2>"$T0/.err" 3<"$T0/.cred" ) 2>/dev/null
		RC=$?; OUT=$(cat "$T0/.out")
		is_rc 0 "run by the domain's uid: login works"
		out_has "ids:12345:12346:12346" "run by the domain's uid: the program runs with the domain's ids"
		out_has "cwd:$AH" "run by the domain's uid: cwd is the user directory"
		: > "$SB/syslog"
	else
		skip "no setpriv"; skip "no setpriv"; skip "no setpriv"; skip "no setpriv"
	fi
else
	skip "ids: not root"
fi

done_testing
