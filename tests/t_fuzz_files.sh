#!/bin/bash
# t_fuzz_files.sh - damaged, odd and hostile files read by the commands:
# a few exact checks first (files that are not regular files, a damaged
# vpasswd.cdb, sizes in Maildir file names and quotas past 64 bits), then
# a seeded, bounded mutation run: for each kind of file, every input is put in a fresh
# sandbox and the commands that read it are run.  No command may crash,
# hang, report a sanitizer error or exit with a status outside its set;
# vdelivermail must not report a message delivered that is nowhere.
# One TAP line per kind of file lists its failing inputs.
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vadduser vaddaliasdomain vdeldomain vdeluser vuserinfo vdominfo \
	vchkpw vdelivermail vpasswd vmoduser vsetuserquota vmkpasswd vdeloldusers clearopensmtp \
	vconvert vmoddomlimits vipmap

ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1
sandbox_new
VP_TEST_WRAPPER= setup vadddomain example.com Secret123
VP_TEST_WRAPPER= setup vadddomain other.org Secret123
VP_TEST_WRAPPER= setup vadduser -q 100000 bob@example.com Passw0rd
VP_TEST_WRAPPER= setup vadduser alice@example.com Passw0rd
VP_TEST_WRAPPER= setup vadduser carol@example.com Passw0rd
VP_TEST_WRAPPER= setup vaddaliasdomain example.com alias.net
printf 'disable_spamassassin\ndisable_maildrop\n' >> "$VH/etc/vlimits.default"
DD=$D/example.com
run vuserinfo -d bob@example.com
BOB=${OUT%$'\n'}
MD=$BOB/Maildir
# vdelivermail runs with the domain's ids, as qmail-local runs it.
DV_AS=
if [ "$ROOT" = 1 ] && [ "$VPOPMAIL_UID" != 0 ] && command -v setpriv >/dev/null 2>&1; then
	DV_AS="setpriv --reuid=$VPOPMAIL_UID --regid=$VPOPMAIL_GID --clear-groups"
	chmod 1777 "$SB"
fi
export VPOPMAIL_SPAMC=$SB/no-spamc VPOPMAIL_MAILDROP=$SB/no-maildrop
export VPOPMAIL_QMAIL_INJECT=$SB/qmail-inject VPOPMAIL_TCP_FILE=$VH/etc/tcp.smtp
printf '#!/bin/sh\ncat >> "%s/inject.out"\nexit 0\n' "$SB" > "$SB/qmail-inject"
chmod 755 "$SB/qmail-inject"
printf '127.:allow,RELAYCLIENT=""\n' > "$VH/etc/tcp.smtp"
tar -C "$SB" -cf "$T0/clean.tar" .
restore() { chmod -R u+rwx "$SB"; rm -rf "$SB"; mkdir "$SB"; tar -C "$SB" -xf "$T0/clean.tar"; }

MSG=$'From: a@example.net\nSubject: x\n\nbody\n'
dv() {
	local here=$PWD
	cd "$DD" || return
	EXT=$1 HOST=example.com RPLINE=$'Return-Path: <a@example.net>\n' \
		DTLINE=$'Delivered-To: example.com-'"$1"$'@example.com\n' RUN_AS=$DV_AS \
		run_in "$MSG" vdelivermail '' bounce-no-mailbox
	cd "$here" || return
}

# ------------------------------------------------------------ not regular files
# A FIFO where a file is read blocked the open (for ever: nobody writes
# to it); now every reader takes only regular files and fails safe.
# (timeout: a blocked program is killed instead of blocking the test)
VP_TIMEOUT=${VP_FIFO_TIMEOUT:-15}
TIMEOUT=; command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout -k 2 $VP_TIMEOUT"
fifo_at() { rm -rf "$1"; mkfifo "$1"; [ "$ROOT" = 1 ] && chown -h "$UIDGID" "$1"; return 0; }
if [ "${SQL:-0}" != 1 ]; then
	restore; fifo_at "$DD/vpasswd.cdb"
	dv bob
	is_rc 111 "vpasswd.cdb is a FIFO: vdelivermail defers (111)"
	run vuserinfo bob@example.com
	isnt "$RC" 124 "vpasswd.cdb is a FIFO: vuserinfo does not block"
	creds() { printf '%s\0' "$@" > "$T0/.cred"; }
	creds bob@example.com Passw0rd
	( ( exec $TIMEOUT env TCPLOCALPORT=110 "$(bin_path vchkpw)" /bin/true ) < /dev/null > /dev/null 2>&1 3< "$T0/.cred" ) 2>/dev/null
	is "$?" 111 "vpasswd.cdb is a FIFO: vchkpw answers 'try again later' (111)"
	restore; fifo_at "$DD/vpasswd"
	run vadduser zed@example.com Passw0rd
	isnt "$RC" 124 "vpasswd is a FIFO: vadduser does not block"
	isnt "$RC" 0 "vpasswd is a FIFO: vadduser fails"
	run vuserinfo -D example.com
	isnt "$RC" 124 "vpasswd is a FIFO: vuserinfo -D does not block"
	restore; fifo_at "$BOB/lastauth"
	run vuserinfo bob@example.com
	is_rc 0 "lastauth is a FIFO: vuserinfo does not block"
	creds bob@example.com Passw0rd
	( ( exec $TIMEOUT env TCPLOCALPORT=110 "$(bin_path vchkpw)" /bin/true ) < /dev/null > /dev/null 2>&1 3< "$T0/.cred" ) 2>/dev/null
	is "$?" 0 "lastauth is a FIFO: the login still works"
	restore; rm -f "$DD/vpasswd"; ln -s /dev/zero "$DD/vpasswd"
	run vuserinfo -D example.com
	isnt "$RC" 124 "vpasswd is /dev/zero: vuserinfo -D ends"
	run vmkpasswd example.com
	isnt "$RC" 124 "vpasswd is /dev/zero: vmkpasswd ends"
	isnt "$RC" 0 "vpasswd is /dev/zero: vmkpasswd fails"
fi
restore; fifo_at "$BOB/.qmail"
dv bob
is_rc 111 "a user's .qmail is a FIFO: vdelivermail defers (111)"
restore; fifo_at "$MD/maildirsize"
dv bob
is_rc 111 "maildirsize is a FIFO: vdelivermail defers (111)"
restore; fifo_at "$QH/users/assign"
run vdominfo
isnt "$RC" 124 "users/assign is a FIFO: vdominfo does not block"
restore; fifo_at "$QH/control/rcpthosts"
run vadddomain new.com Secret123
isnt "$RC" 124 "rcpthosts is a FIFO: vadddomain does not block"
isnt "$RC" 0 "rcpthosts is a FIFO: vadddomain fails"
restore; fifo_at "$DD/.qmailadmin-limits"
run vuserinfo bob@example.com
isnt "$RC" 124 ".qmailadmin-limits is a FIFO: vuserinfo does not block"
restore; fifo_at "$DD/.dir-control"
run vadduser zed@example.com Passw0rd
isnt "$RC" 124 ".dir-control is a FIFO: vadduser does not block"
VP_TIMEOUT=120
TIMEOUT=; command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout -k 5 $VP_TIMEOUT"

# ------------------------------------------------------------ a damaged index
# One byte of a key in vpasswd.cdb, or of the hash in its slot, changed:
# the lookup missed and bob's mail bounced for good while vpasswd holds
# him.  A miss whose probed slots do not match their records is now an
# unreadable index (111); a clean miss still bounces.
damage_cdb() {
	"$PYTHON" - "$DD/vpasswd.cdb" "$1" <<'PYEOF'
import struct, sys
p, what = sys.argv[1], sys.argv[2]
d = bytearray(open(p, 'rb').read())
pos = 2048
while d[pos + 8:pos + 8 + struct.unpack_from('<I', d, pos)[0]] != b'bob':
    pos += 8 + sum(struct.unpack_from('<II', d, pos))
if what == 'key':
    d[pos + 9] = ord('x')
else:
    for off in range(len(d) - 8, 2047, -8):
        h, sp = struct.unpack_from('<II', d, off)
        if sp == pos:
            struct.pack_into('<II', d, off, h ^ 0x100, sp)
            break
open(p, 'wb').write(d)
PYEOF
	touch -d '-1 min' "$DD/vpasswd"
}
if [ "${SQL:-0}" != 1 ]; then
	for what in key hash; do
		restore; damage_cdb $what
		dv bob
		is_rc 111 "vpasswd.cdb, one byte of bob's $what changed: his mail waits (111)"
		dv nosuch
		is_rc 100 "vpasswd.cdb, one byte of bob's $what changed: an unknown user still bounces"
		dv alice
		is_rc 0 "vpasswd.cdb, one byte of bob's $what changed: alice still gets mail"
	done
fi

# The same in qmail's users/cdb: example.com's key damaged made every
# delivery and login of the domain "no such domain" (a bounce).
restore
"$PYTHON" - "$QH/users/$USERS_CDB_NAME" <<'PYEOF'
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
i = d.index(b'!example.com-', 2048)
d[i + 3] = ord('z')
open(p, 'wb').write(d)
PYEOF
dv bob
is_rc 111 "users/cdb, one byte of example.com's key changed: bob's mail waits (111)"
vchk_rc() {
	printf '%s\0%s\0\0' "$1" "$2" > "$T0/.cred"
	( ( exec $TIMEOUT env TCPLOCALPORT=110 "$(bin_path vchkpw)" /bin/true ) < /dev/null > /dev/null 2>&1 3< "$T0/.cred" ) 2>/dev/null
	echo $?
}
is "$(vchk_rc bob@example.com Passw0rd)" 111 "users/cdb, one byte of example.com's key changed: bob's login is 'try again later' (111)"
is "$(vchk_rc postmaster@other.org Secret123)" 0 "users/cdb, one byte of example.com's key changed: other.org's logins work"
is "$(vchk_rc joe@nosuch.org Secret123)" 3 "users/cdb, one byte of example.com's key changed: an unknown domain is still refused (3)"

# ------------------------------------------------------------ sizes past 64 bits
# ",S=" sizes are summed in 64 bits: a name claiming 2^64-1 bytes wrapped
# the sum to a few bytes (0% used, the quota lifted).  It now stops at
# the largest size maildirsize holds.
restore
rm -f "$MD/maildirsize"
printf 'x\n' > "$MD/cur/1.M1P1.h,S=18446744073709551615:2,S"
printf 'x\n' > "$MD/cur/2.M1P1.h,S=5:2,S"
[ "$ROOT" = 1 ] && chown -R "$UIDGID" "$MD"
run vuserinfo -Q bob@example.com
is_out "100%" ",S= of 2^64-1 plus 5: 100% used, not 0%"
file_is "$MD/maildirsize" $'100000S\n9223372036854775807 2\n' ",S= past 2^63: maildirsize holds the largest size it can"
dv bob
is_rc 100 ",S= past 2^63: the user is over quota"
# A usage past 2^64/100 against a bigger quota: the percentage is not
# computed through a product that wraps.
restore
rm -f "$MD/maildirsize"
printf 'x\n' > "$MD/cur/1.M1P1.h,S=500000000000000000:2,S"
[ "$ROOT" = 1 ] && chown -R "$UIDGID" "$MD"
VP_TEST_WRAPPER= setup vmoduser -q 1000000000000000000 bob@example.com
run vuserinfo -Q bob@example.com
is_out "50%" "5e17 bytes of a 1e18 quota: 50%"

# ------------------------------------------------------------ the mutation run
FUZZ_SEED=${FUZZ_SEED:-20261206}
FUZZ_N=${FUZZ_N:-8}
restore
cat > "$T0/fuzz.py" <<'PYEOF'
import os, random, re, struct, subprocess, sys, time

E = os.environ
SB, VH, QH, D, DD, BOB = E['SB'], E['VH'], E['QH'], E['D'], E['DD'], E['BOB']
MD = BOB + '/Maildir'
BIN = E['top_builddir']
WRAP = E.get('VP_TEST_WRAPPER', '').split()
DV_AS = E.get('DV_AS', '').split()
ROOT = os.getuid() == 0
UID, GID = (int(x) for x in E['UIDGID'].split(':'))
SQL = E.get('SQL', '0') == '1'
ROAM = E.get('ROAM', '0') == '1'
TMO = 60 if WRAP else 10
VALGRIND = any('valgrind' in w for w in WRAP)
rng = random.Random(int(E['FUZZ_SEED']))
N = int(E['FUZZ_N'])

def bin_path(p):
    if any('valgrind' in w for w in WRAP) and os.access(BIN + '/tests/' + p + '-dynamic', os.X_OK):
        return BIN + '/tests/' + p + '-dynamic'
    return BIN + '/' + p

def restore():
    subprocess.run('chmod -R u+rwx "$SB"; rm -rf "$SB"; mkdir "$SB"; tar -C "$SB" -xf "$T0/clean.tar"',
                   shell=True, check=True)

SAN = (b'ERROR: AddressSanitizer', b'ERROR: LeakSanitizer', b'runtime error:', b'==ERROR')

def run(argv, stdin=b'', env=None, cwd=None, asdom=False, fd3=None):
    e = dict(E)
    if env:
        e.update(env)
    cmd = (DV_AS if asdom else []) + WRAP + [bin_path(argv[0])] + argv[1:]
    fds = ()
    if fd3 is not None:
        r, w = os.pipe()
        os.write(w, fd3); os.close(w)
        if r != 3:
            os.dup2(r, 3); os.close(r)
        os.set_inheritable(3, True)
        fds = (3,)
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=e, cwd=cwd, timeout=TMO, pass_fds=fds, start_new_session=True)
        return p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return 'hang', b''
    finally:
        if fd3 is not None:
            os.close(3)

NMSG = [0]
class Op:
    def __init__(self, name, fn, rcs=None, deliver=False):
        self.name, self.fn, self.rcs, self.deliver = name, fn, rcs, deliver

def cmd(*argv, env=None):
    return Op(' '.join(argv), lambda: run(list(argv), env=env))

def deliver(user):
    def fn():
        NMSG[0] += 1
        mark = b'FUZZ-MARK-%d' % NMSG[0]
        env = {'EXT': user, 'HOST': 'example.com', 'RPLINE': 'Return-Path: <a@example.net>\n',
               'DTLINE': 'Delivered-To: example.com-%s@example.com\n' % user}
        rc, err = run(['vdelivermail', '', 'bounce-no-mailbox'], stdin=b'Subject: x\n\n' + mark + b'\n',
                      env=env, cwd=DD, asdom=True)
        if rc in (0, 99) and not found(mark):
            rc = 'lost (exit %d)' % rc
        return rc, err
    return Op('vdelivermail ' + user, fn, rcs=(0, 99, 100, 111), deliver=True)

def chkpw(user, env=None):
    e = {'TCPLOCALPORT': '110', 'TCPREMOTEIP': '10.2.2.2'}
    e.update(env or {})
    return Op('vchkpw ' + user, lambda: run(['vchkpw', '/bin/true'], env=e,
                                             fd3=user.encode() + b'\0Passw0rd\0\0'))

def found(mark):
    for root, dirs, files in os.walk(SB):
        for f in files:
            p = os.path.join(root, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            try:
                with open(p, 'rb') as fh:
                    if mark in fh.read(1 << 20):
                        return True
            except OSError:
                pass
    return False

# ---------------------------------------------------------------- inputs
HUGE = b'x' * 70000
ODD = [b'', b'-1', b'99999999999999999999999', b'-99999999999999999999', b'abc', b' 5', b'5x',
       b'4294967295', b'2147483648', HUGE, b':::', b'\0', b'\r', b'NOQUOTA', b'5S,3C',
       b'18446744073709551616S', b'%s%n']

def lines(d): return d.split(b'\n')
def join(L): return b'\n'.join(L)
def trunc(d): return d[:rng.randrange(len(d) + 1)]
def no_newline(d): return d.rstrip(b'\n')
def crlf(d): return d.replace(b'\n', b'\r\n')
def nul(d):
    i = rng.randrange(len(d) + 1); return d[:i] + b'\0' + d[i:]
def flip(d):
    b = bytearray(d)
    for _ in range(rng.randint(1, 4)):
        if b: b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)
def huge_line(d):
    L = lines(d); L.insert(rng.randrange(len(L) + 1), rng.choice([HUGE, HUGE + b':' + HUGE])); return join(L)
def huge_field(d):
    L = lines(d); i = rng.randrange(len(L)); L[i] += HUGE; return join(L)
def dup_line(d):
    L = lines(d); i = rng.randrange(len(L)); L.insert(i, L[i]); return join(L)
def drop_line(d):
    L = lines(d)
    if len(L) > 1: del L[rng.randrange(len(L))]
    return join(L)
def blank(d):
    L = lines(d); L.insert(rng.randrange(len(L) + 1), rng.choice([b'', b' ', b'\t', b'#', b'.'])); return join(L)
def odd_field(d, sep=b':'):
    L = lines(d); i = rng.randrange(len(L))
    F = L[i].split(sep); F[rng.randrange(len(F))] = rng.choice(ODD); L[i] = sep.join(F); return join(L)
def odd_word(d): return odd_field(d, rng.choice([b' ', b'\t']))
def extra_fields(d):
    L = lines(d); i = rng.randrange(len(L)); L[i] += b':x:y:z' * rng.randint(1, 3); return join(L)
def cut_fields(d):
    L = lines(d); i = rng.randrange(len(L)); F = L[i].split(b':')
    L[i] = b':'.join(F[:rng.randrange(len(F) + 1)]); return join(L)
def empty(d): return b''
def garbage(d): return bytes(rng.randrange(256) for _ in range(rng.choice([1, 7, 100, 3000])))
def repeated(d): return d * rng.choice([50, 500])
TEXT = [trunc, no_newline, crlf, nul, flip, huge_line, huge_field, dup_line, drop_line, blank,
        odd_field, extra_fields, cut_fields, empty, garbage, repeated]
WORDS = TEXT + [odd_word, odd_word]

def cdb_hash(k):
    h = 5381
    for c in k: h = ((h << 5) + h ^ c) & 0xffffffff
    return h
def make_cdb(recs):
    body, hp, pos = [], [], 2048
    for k, v in recs:
        body.append(struct.pack('<II', len(k), len(v)) + k + v); hp.append((cdb_hash(k), pos))
        pos += 8 + len(k) + len(v)
    head, tabs = [], []
    for i in range(256):
        ents = [e for e in hp if e[0] & 255 == i]; n = 2 * len(ents)
        head.append(struct.pack('<II', pos, n)); slots = [(0, 0)] * n
        for h, p in ents:
            j = (h >> 8) % n
            while slots[j][1]: j = (j + 1) % n
            slots[j] = (h, p)
        tabs.append(b''.join(struct.pack('<II', *s) for s in slots)); pos += 8 * n
    return b''.join(head) + b''.join(body) + b''.join(tabs)
def cdb_recs(d):
    end = min(struct.unpack_from('<II', d, 8 * i)[0] for i in range(256)); pos, out = 2048, []
    while pos < end:
        kl, vl = struct.unpack_from('<II', d, pos)
        out.append((d[pos + 8:pos + 8 + kl], d[pos + 8 + kl:pos + 8 + kl + vl])); pos += 8 + kl + vl
    return out
def c_trunc(d):
    return d[:max(0, rng.choice([0, 1, 100, 2047, 2048, 2049, len(d) - 1, len(d) - 8, rng.randrange(len(d) + 1)]))]
def c_header(d):
    b = bytearray(d); used = [i for i in range(256) if struct.unpack_from('<II', b, 8 * i)[1]] or [0]
    i = rng.choice(used); pos, n = struct.unpack_from('<II', b, 8 * i)
    struct.pack_into('<II', b, 8 * i, rng.choice([pos, 0, len(d), 0xffffffff, 0xfffffff8]),
                     rng.choice([n, 1, 0xffffffff, 0x20000000]))
    return bytes(b)
def c_slot(d):
    b = bytearray(d); used = [struct.unpack_from('<II', b, 8 * i) for i in range(256)]
    pos, n = rng.choice([u for u in used if u[1]]); s = pos + 8 * rng.randrange(n)
    h, p = struct.unpack_from('<II', b, s)
    struct.pack_into('<II', b, s, h, rng.choice([1, 2047, len(d), 0xffffffff, 2048 + rng.randrange(64)]))
    return bytes(b)
def c_record(d):
    b = bytearray(d); kl, vl = struct.unpack_from('<II', b, 2048)
    struct.pack_into('<II', b, 2048, rng.choice([kl, 0, 0xffffffff, kl + 1]),
                     rng.choice([vl, 0, 0xffffffff, vl + 100000, 0x80000000]))
    return bytes(b)
def c_shape(d):
    recs = cdb_recs(d); i = rng.randrange(len(recs)); k, v = recs[i]; sep = b'\0' if b'\0' in v else b':'
    c = rng.randrange(6)
    if c == 0: v = b''
    elif c == 1: v = v.split(sep)[0]
    elif c == 2: v += b'\0x'
    elif c == 3: v += HUGE
    elif c == 4: recs.append((k, rng.choice(ODD)))
    else:
        F = v.split(sep); F[rng.randrange(len(F))] = rng.choice(ODD); v = sep.join(F)
    recs[i] = (k, v)
    return make_cdb(recs)
CDB = [c_trunc, c_header, c_slot, c_record, flip, c_shape, c_shape, garbage, empty]

# ---------------------------------------------------------------- kinds
def rd(p):
    with open(p, 'rb') as f: return f.read()
CDBN = E['USERS_CDB_NAME']
KINDS = []
def kind(name, path, seed, muts, ops, dom_owned=True, older_than=None, newer_than=None, special=True):
    KINDS.append((name, path, seed, muts, ops, dom_owned, older_than, newer_than, special))

user_ops = [cmd('vuserinfo', 'bob@example.com'), cmd('vuserinfo', '-D', 'example.com'),
            chkpw('bob@example.com'), deliver('bob'), deliver('nosuch'),
            cmd('vadduser', 'zed@example.com', 'Passw0rd'), cmd('vdeluser', 'alice@example.com'),
            cmd('vpasswd', 'bob@example.com', 'NewPassw0rd1'), cmd('vmoduser', '-q', '5000', 'bob@example.com'),
            cmd('vdeloldusers', '-d', 'example.com', '-a', '1'), cmd('vmkpasswd', 'example.com')]
dom_ops = [cmd('vdominfo'), cmd('vdominfo', 'alias.net'), cmd('vuserinfo', 'bob@example.com'),
           chkpw('bob@alias.net'), deliver('bob'), cmd('vadddomain', 'new.com', 'Secret123'),
           cmd('vdeldomain', 'other.org'), cmd('vaddaliasdomain', 'example.com', 'al2.net')]
ctl_ops = [cmd('vadddomain', 'new.com', 'Secret123'), cmd('vdeldomain', 'other.org'),
           cmd('vaddaliasdomain', 'example.com', 'al2.net'), cmd('vdominfo')]
lim_ops = [cmd('vadduser', 'zed@example.com', 'Passw0rd'), cmd('vuserinfo', 'bob@example.com'),
           cmd('vdominfo', 'example.com'), deliver('bob'), cmd('vmoddomlimits', '-S', 'example.com'),
           chkpw('bob@example.com')]
LIM = b'maxpopaccounts 10\nmaxforwards 5\ndefault_quota 100000\ndefault_maxmsgcount 20\ndisable_pop\nperm_account 3\n'
if not SQL:
    kind('vpasswd', DD + '/vpasswd', rd(DD + '/vpasswd'), TEXT + [odd_field, cut_fields, extra_fields],
         user_ops, newer_than=DD + '/vpasswd.cdb')
    kind('vpasswd.cdb', DD + '/vpasswd.cdb', rd(DD + '/vpasswd.cdb'), CDB,
         [cmd('vuserinfo', 'bob@example.com'), chkpw('bob@example.com'), deliver('bob'), deliver('nosuch'),
          cmd('vpasswd', 'bob@example.com', 'NewPassw0rd1')], older_than=DD + '/vpasswd')
    kind('lastauth', BOB + '/lastauth', b'10.1.2.3', TEXT,
         [cmd('vuserinfo', 'bob@example.com'), cmd('vdeloldusers', '-d', 'example.com', '-a', '1', '-V'),
          chkpw('bob@example.com')])
kind('users/assign', QH + '/users/assign', rd(QH + '/users/assign'), TEXT + [odd_field, cut_fields],
     dom_ops, dom_owned=False)
kind('users/' + CDBN, QH + '/users/' + CDBN, rd(QH + '/users/' + CDBN), CDB, dom_ops, dom_owned=False)
for f in ('rcpthosts', 'morercpthosts', 'virtualdomains'):
    kind('control/' + f, QH + '/control/' + f, rd(QH + '/control/' + ('virtualdomains' if f == 'virtualdomains' else 'rcpthosts')),
         TEXT, ctl_ops + ([deliver('bob')] if f == 'virtualdomains' else []), dom_owned=False)
kind('.dir-control', DD + '/.dir-control', rd(DD + '/.dir-control'), WORDS,
     [cmd('vadduser', 'zed@example.com', 'Passw0rd'), cmd('vdeluser', 'alice@example.com'),
      cmd('vdominfo', 'example.com')])
kind('.qmail-default', DD + '/.qmail-default', rd(DD + '/.qmail-default'), TEXT,
     [deliver('bob'), deliver('nosuch'), cmd('vdominfo', 'example.com'), cmd('vdeldomain', 'example.com')])
kind("a user's .qmail", BOB + '/.qmail', b'&fwd@example.net\n./Maildir/\n|cat > /dev/null\n# note\n', TEXT,
     [deliver('bob'), cmd('vuserinfo', 'bob@example.com'), cmd('vdeluser', 'bob@example.com')])
kind('maildirsize', MD + '/maildirsize', b'100000S,50C\n1234 3\n-200 -1\n5000 1\n', WORDS,
     [deliver('bob'), cmd('vuserinfo', '-Q', 'bob@example.com'), cmd('vsetuserquota', 'bob@example.com', '1M')])
kind('.qmailadmin-limits', DD + '/.qmailadmin-limits', LIM, WORDS, lim_ops)
kind('vlimits.default', VH + '/etc/vlimits.default', rd(VH + '/etc/vlimits.default') + LIM, WORDS,
     lim_ops, dom_owned=False)
kind('open-smtp', VH + '/etc/open-smtp',
     b'10.1.1.1:allow,RELAYCLIENT="",RBLSMTPD=""\t1700000000\n10.2.2.2:allow,RELAYCLIENT="",RBLSMTPD=""\t%d\n'
     % int(time.time()), WORDS, [chkpw('bob@example.com'), cmd('clearopensmtp')], dom_owned=False)
kind('ip_alias_map', VH + '/etc/ip_alias_map', b'10.0.0.1 example.com\n10.0.0.2 other.org\n', WORDS,
     [chkpw('bob', {'TCPLOCALIP': '10.0.0.1'}), cmd('vipmap', '-p'),
      cmd('vipmap', '-d', '10.0.0.1', 'example.com')], dom_owned=False)
kind('vconvert -p list', SB + '/list', b'dan:$1$abcdefgh$0123456789012345678901\neve $6$salt$hash extra\n',
     WORDS, [cmd('vconvert', '-p', SB + '/list', '-c', 'example.com')], dom_owned=False,
     special=False)    # named on the command line: a FIFO there is the admin's choice
SPECIAL = ['fifo', 'directory', 'symlink to /dev/zero']

def put(path, data, dom_owned):
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            subprocess.run(['rm', '-rf', path])
        else:
            os.unlink(path)
    if data == 'fifo':
        os.mkfifo(path)
    elif data == 'directory':
        os.mkdir(path)
    elif data == 'symlink to /dev/zero':
        os.symlink('/dev/zero', path)
    else:
        with open(path, 'wb') as f: f.write(data)
    if ROOT and dom_owned:
        os.lchown(path, UID, GID)

t_start = time.time()
for name, path, seed, muts, ops, dom_owned, older, newer, special in KINDS:
    inputs = []
    while len(inputs) < N:
        m = rng.choice(muts)
        try:
            inputs.append((m.__name__, m(seed)))
        except (IndexError, ValueError, struct.error):
            pass
    if special:
        inputs += [(s, s) for s in SPECIAL]
    bad = []
    for i, (mname, data) in enumerate(inputs):
        for op in ops:
            restore()
            put(path, data, dom_owned)
            if isinstance(data, bytes):
                ref = older or newer
                if ref:
                    t = os.stat(ref).st_mtime + (10 if newer else -10)
                    os.utime(path, (t, t))
            rc, err = op.fn()
            why = None
            if rc == 'hang':
                why = 'no end within %d s' % TMO
            elif isinstance(rc, str):
                why = rc
            elif rc < 0:
                why = 'killed by signal %d' % -rc
            elif any(s in err for s in SAN) or (VALGRIND and re.search(rb'^==[0-9]+== ', err, re.M)):
                why = 'sanitizer: ' + err[err.find(b'ERROR') if b'ERROR' in err else 0:][:120].decode('latin-1')
            elif op.rcs and rc not in op.rcs:
                why = 'exit %d' % rc
            if why:
                desc = mname if not isinstance(data, bytes) else '%s, %d bytes' % (mname, len(data))
                bad.append('input %d (%s): %s: %s' % (i, desc, op.name, why))
    desc = '%s: %d inputs x %d commands: no crash, hang, sanitizer report or lost mail' % (name, len(inputs), len(ops))
    print(('not ok - ' if bad else 'ok - ') + desc)
    for b in bad[:20]:
        print('#   ' + b)
    sys.stdout.flush()
print('# mutation run: %.1f s' % (time.time() - t_start))
PYEOF
export DD BOB MD ROAM=0 FUZZ_SEED FUZZ_N DV_AS UIDGID USERS_CDB_NAME T0 SB VH QH D SQL
has_define POP_AUTH_OPEN_RELAY && ROAM=1
while IFS= read -r line; do
	case $line in
	'ok - '*) pass "${line#ok - }";;
	'not ok - '*) fail "${line#not ok - }";;
	*) echo "$line";;
	esac
done < <("$PYTHON" "$T0/fuzz.py" 2>&1)

done_testing
