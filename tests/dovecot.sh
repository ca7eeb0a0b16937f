# tests/dovecot.sh - a private Dovecot 2.3 for the scenario tests, and
# POP3/IMAP clients for it (sourced after tests/lib.sh).
#
# dovecot_start PASSDB_PROG starts Debian's Dovecot with its own base_dir,
# state_dir, config file and log below $T0/dovecot, listening on two free
# ports of 127.0.0.1 (never the system instance), with
#     passdb { driver = checkpassword; args = PASSDB_PROG }
#     userdb { driver = prefetch }
# and Maildir++ quota (quota = maildir, imap_quota), so the quota IMAP
# reports can be compared with maildirsize.  No wrapper script: Dovecot
# runs PASSDB_PROG /usr/lib/dovecot/checkpassword-reply itself.
#
# Facts about Dovecot 2.3.19 this relies on (checked by hand):
#  - Dovecot clears the environment of its children except the names in
#    import_environment, so the sandbox's VPOPMAIL_* overrides are listed there.
#  - The checkpassword program gets SERVICE (pop3/imap), TCPLOCALIP/PORT,
#    TCPREMOTEIP/PORT, ORIG_UID and AUTH_* variables; exit 1 is a normal
#    authentication failure, anything but 0/1 a temporary one.
#  - The auth process must run as root for the program to read vpasswd
#    and change to the domain's uid (service auth { user = root }).
#  - checkpassword-reply refuses with exit 111 ("couldn't be run securely")
#    when its uid differs from ORIG_UID unless INSECURE_SETUID is set; the
#    program must keep ORIG_UID in the environment it passes on.
#  - Failed logins are answered after auth_failure_delay (2 s by default;
#    0 here), and later logins from the same address are delayed by the
#    auth penalty (not configurable; the client varies its address).  Stopping takes a moment: the master pid file is the signal.
#  - The checkpassword program inherits the auth service's vsz_limit
#    (256M by default): AddressSanitizer builds need it lifted.
#  - With quota = maildir and no quota_rule, the limits come from the first
#    line of maildirsize; GETQUOTAROOT shows STORAGE in KiB rounded up.
#
# As non-root every Dovecot service runs as the current user (no chroot);
# dovecot_usable says why Dovecot cannot be used here, if it cannot.
#
# Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.

DOVECOT_BIN=${DOVECOT_BIN:-/usr/sbin/dovecot}
DOVECOT_REPLY=${DOVECOT_REPLY:-/usr/lib/dovecot/checkpassword-reply}
DV_DIR=
DV_POP3=
DV_IMAP=
DV_N=0
DV_LAST_SRC=

# dovecot_usable: 0 if this host can run a private Dovecot, else 1 with
# the reason in DV_WHY.
dovecot_usable() {
	DV_WHY=
	if [ ! -x "$DOVECOT_BIN" ]; then DV_WHY="no $DOVECOT_BIN (dovecot-core)"
	elif [ ! -x "$DOVECOT_REPLY" ]; then DV_WHY="no $DOVECOT_REPLY"
	elif [ ! -e /usr/lib/dovecot/pop3 ] || [ ! -e /usr/lib/dovecot/imap ]; then
		DV_WHY="dovecot-pop3d / dovecot-imapd not installed"
	elif ! "$PYTHON" -c 'import poplib, imaplib' 2>/dev/null; then DV_WHY="python3 poplib/imaplib missing"
	fi
	[ -z "$DV_WHY" ]
}

_dv_free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# dovecot_start PASSDB_PROG: start; sets DV_POP3, DV_IMAP; 1 on failure
# (DV_WHY and the tail of the log say why).  A port taken between choosing
# and binding it is retried with new ports.
dovecot_start() {
	local try
	for try in 1 2 3; do
		_dv_start_once "$1" && return 0
		grep -q 'Address already in use' "$DV_DIR/dovecot.log" "$DV_DIR/start.out" 2>/dev/null || return 1
		rm -rf "$DV_DIR"
	done
	return 1
}

_dv_start_once() {
	local prog=$1 me grp envs v n
	DV_DIR=$T0/dovecot
	mkdir -p "$DV_DIR/run" "$DV_DIR/state"
	DV_POP3=$(_dv_free_port) && DV_IMAP=$(_dv_free_port) || { DV_WHY="no free port"; return 1; }
	envs="TZ"
	for v in $(env | sed -n 's/^\(VPOPMAIL_[A-Z_]*\)=.*/\1/p'); do envs="$envs $v"; done
	if [ "$(id -u)" = 0 ]; then
		envs="$envs INSECURE_SETUID=1"
	fi
	{
		cat <<EOF
# private test instance; see tests/dovecot.sh
base_dir = $DV_DIR/run
state_dir = $DV_DIR/state
instance_name = vpt-$$
log_path = $DV_DIR/dovecot.log
auth_verbose = yes
auth_failure_delay = 0
listen = 127.0.0.1
protocols = pop3 imap
ssl = no
disable_plaintext_auth = no
# the default set plus '%' (vpopmail's user%domain) and '+'
auth_username_chars = abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@%+
first_valid_uid = 1
import_environment = $envs
mail_location = maildir:~/Maildir
mail_plugins = quota
plugin {
  quota = maildir:User quota
}
protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DV_POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
		# DV_AUTH_CONF replaces the checkpassword passdb (t_dovecot_sql.sh).
		if [ -n "${DV_AUTH_CONF:-}" ]; then printf '%s\n' "$DV_AUTH_CONF"; else
			printf 'passdb {\n  driver = checkpassword\n  args = %s\n}\nuserdb {\n  driver = prefetch\n}\n' "$prog"
		fi
		# vsz_limit: the checkpassword child inherits the auth process's
		# address-space limit (256M), too small for AddressSanitizer.
		if [ "$(id -u)" = 0 ]; then
			printf 'service auth {\n  user = root\n  vsz_limit = 0\n}\n'
		else
			printf 'service auth {\n  vsz_limit = 0\n}\n'
			me=$(id -un) grp=$(id -gn)
			printf 'default_login_user = %s\ndefault_internal_user = %s\ndefault_internal_group = %s\n' \
				"$me" "$me" "$grp"
			for n in anvil pop3-login imap-login; do
				printf 'service %s {\n  chroot =\n}\n' "$n"
			done
		fi
	} > "$DV_DIR/dovecot.conf"
	if ! "$DOVECOT_BIN" -c "$DV_DIR/dovecot.conf" > "$DV_DIR/start.out" 2>&1; then
		DV_WHY="dovecot did not start: $(tail -n 3 "$DV_DIR/start.out" "$DV_DIR/dovecot.log" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	CLEANUP_PIDS="$CLEANUP_PIDS $(cat "$DV_DIR/run/master.pid" 2>/dev/null)"
	# Ready when both listeners answer.
	if ! "$PYTHON" - "$DV_POP3" "$DV_IMAP" <<'EOF'
import socket, sys, time
end = time.time() + 10
for port in map(int, sys.argv[1:]):
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close(); break
        except OSError:
            if time.time() > end: sys.exit(1)
            time.sleep(0.05)
EOF
	then
		DV_WHY="dovecot did not listen: $(tail -n 3 "$DV_DIR/dovecot.log" 2>/dev/null | tr '\n' ' ')"
		dovecot_stop
		return 1
	fi
	return 0
}

# dovecot_stop: stop the instance and wait until its master has gone.
dovecot_stop() {
	local pid i
	[ -n "$DV_DIR" ] && [ -f "$DV_DIR/run/master.pid" ] || return 0
	pid=$(cat "$DV_DIR/run/master.pid")
	kill "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$DV_DIR/run/master.pid"
}

# dovecot_log: the instance's log (for diagnostics).
dovecot_log() { cat "$DV_DIR/dovecot.log" 2>/dev/null; }

# dv COMMAND ARGS...: the client.  Commands:
#   pop_login USER PASS      imap_login USER PASS
#   pop_list USER PASS       "<n> <size>" per message
#   pop_retr USER PASS N     message N, bytes as stored (lines end in LF)
#   pop_dele USER PASS N     delete message N (DELE, QUIT)
#   imap_list USER PASS      "<seq> <RFC822.SIZE>" per message of INBOX
#   imap_fetch USER PASS N   message N of INBOX, LF line ends; N not a number:
#                            the one message whose Subject contains N
#   imap_quota USER PASS     "<resource> <usage> <limit>" per GETQUOTAROOT INBOX entry
# Each call connects from its own 127.0.x.y (DV_LAST_SRC).
# Exit 0 ok; 1 login refused as a normal authentication failure; 2 login
# refused as a temporary failure; 3 anything else.  The server's answer to
# a refused login is printed.
cat > "$T0/dvclient.py" <<'PYEOF'
import imaplib, os, poplib, re, socket, sys
# Dovecot delays every login from an address after a failure there (the
# auth penalty, up to 15 s): each client call comes from its own 127.0.0.x.
_connect = socket.create_connection
def _from_own_address(address, timeout=None, source_address=None):
    return _connect(address, timeout, (os.environ['DV_SRC'], 0))
socket.create_connection = _from_own_address
poplib._MAXLINE = 1 << 20
imaplib._MAXLINE = 1 << 24

def refused(text):
    text = text.decode('latin-1') if isinstance(text, bytes) else str(text)
    print(text)
    temp = 'SYS/TEMP' in text or 'UNAVAILABLE' in text or 'Temporary' in text
    sys.exit(2 if temp else 1)

def pop(port, user, pw):
    p = poplib.POP3('127.0.0.1', port, timeout=20)
    p.user(user)
    try:
        p.pass_(pw)
    except poplib.error_proto as e:
        refused(e.args[0])
    return p

def imap(port, user, pw):
    c = imaplib.IMAP4('127.0.0.1', port, timeout=20)
    try:
        c.login(user, pw)
    except imaplib.IMAP4.error as e:
        refused(e.args[0])
    return c

def main():
    cmd, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    out = sys.stdout.buffer
    if cmd.startswith('pop_'):
        p = pop(port, user, pw)
        if cmd == 'pop_list':
            for l in p.list()[1]:
                out.write(l + b'\n')
        elif cmd == 'pop_retr':
            for l in p.retr(int(sys.argv[5]))[1]:
                out.write(l + b'\n')
        elif cmd == 'pop_dele':
            p.dele(int(sys.argv[5]))
        p.quit()
    else:
        c = imap(port, user, pw)
        if cmd == 'imap_list':
            c.select('INBOX', readonly=True)
            typ, data = c.fetch('1:*', '(RFC822.SIZE)')
            for d in data:
                if d is None:
                    continue
                m = re.match(rb'(\d+) \(RFC822\.SIZE (\d+)\)', d)
                out.write(m.group(1) + b' ' + m.group(2) + b'\n')
        elif cmd == 'imap_fetch':
            c.select('INBOX', readonly=True)
            which = sys.argv[5]
            if not which.isdigit():
                typ, found = c.search(None, 'SUBJECT', '"%s"' % which)
                nums = found[0].split()
                if len(nums) != 1:
                    print('subject %r matches messages %r' % (which, nums))
                    sys.exit(3)
                which = nums[0].decode()
            typ, data = c.fetch(which, '(BODY.PEEK[])')
            out.write(data[0][1].replace(b'\r\n', b'\n'))
        elif cmd == 'imap_quota':
            typ, data = c.getquotaroot('INBOX')
            for q in data[1]:
                if q is None:
                    continue
                body = re.search(rb'\((.*)\)', q).group(1).split()
                for i in range(0, len(body), 3):
                    out.write(b' '.join(body[i:i + 3]) + b'\n')
        c.logout()

try:
    main()
except SystemExit:
    raise
except Exception as e:
    print('client error: %r' % (e,))
    sys.exit(3)
PYEOF

dv() {
	local cmd=$1; shift
	local port=$DV_IMAP
	DV_N=$((DV_N + 1))
	case $cmd in pop_*) port=$DV_POP3;; esac
	# shellcheck disable=SC2086
	DV_LAST_SRC=127.0.$((DV_N / 250)).$((DV_N % 250 + 2))
	DVOUT=$(DV_SRC=$DV_LAST_SRC $TIMEOUT "$PYTHON" "$T0/dvclient.py" "$cmd" "$port" "$@" 2>&1; printf '\n%d' $?)
	DVRC=${DVOUT##*$'\n'}
	DVOUT=${DVOUT%$'\n'*}
}
