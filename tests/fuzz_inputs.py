#!/usr/bin/env python3
"""fuzz_inputs.py - hostile input on the three programs that read what
untrusted parties send (tests/t_fuzz_inputs.sh): vchkpw's credentials on
fd 3, vpopmaild's protocol lines, vdelivermail's environment and message.

usage: fuzz_inputs.py SPEC.json

SPEC (written by the shell test): "sb" the sandbox root, "tpl" a tar of
it to restore, "tmp" the programs' TMPDIR, "vchkpw" / "vpopmaild" /
"vdelivermail" the programs, "wrapper" (a checker such as valgrind, as a
list), "as_domain" (the prefix that runs vdelivermail with the domain's
ids), "domains" (the domains directory), "qext" (1 with qmail-ext),
"uidgid" (the domain's [uid, gid], for a .qmail the test writes), "seed",
"scale" (a factor on the mutation counts), "parts" (which interfaces;
all three when absent), "sql" (a mysql run: the client's argv, the
sandbox's database, a dump of it restored with the files, and the query
giving example.com's users as vpasswd lines; null otherwise).

Every input is fixed or drawn from random.Random(seed): the same inputs
on every run.  Each class of input gives one line, "ok DESC" or
"not ok DESC" followed by "# " lines naming the failing inputs; the
shell test turns them into TAP.

A run fails when the program dies of a signal, hangs, reports a memory
or undefined-behaviour error (sanitizer or valgrind text on stderr),
exits with a status the interface does not have, or decides wrongly: a
login accepted that must not be, a file written outside the session's
area or outside the domain, mail lost (exit 0 without the copy) or a
temporary file left behind.
"""
import hashlib, json, os, random, re, subprocess, sys

SPEC = json.load(open(sys.argv[1]))
SB, TMP, DOMS = SPEC['sb'], SPEC['tmp'], SPEC['domains']
WRAP = SPEC.get('wrapper') or []
SCALE = SPEC.get('scale', 1.0)
RND = random.Random(SPEC.get('seed', 20261206))
CHECKER = re.compile(rb'==[0-9]+==|Sanitizer|runtime error:')
DD = DOMS + '/example.com'
TIMEOUT = 60 if WRAP else 20


def thin(inputs):
    """Under a checker (slow to start) every third fixed input only."""
    return inputs[::3] if WRAP else inputs


SQL = SPEC.get('sql')
if SQL:
    SQL_RESET = ('DROP DATABASE `{0}`; CREATE DATABASE `{0}`; USE `{0}`;\n'.format(SQL['db']).encode() +
                 open(SQL['dump'], 'rb').read())


def restore():
    subprocess.run(['sh', '-c', 'chmod -R u+rwx "$1" 2>/dev/null; rm -rf "$1"/* "$1"/.[!.]* 2>/dev/null; '
                    'tar -C "$1" -xf "$2"', 'x', SB, SPEC['tpl']], check=True)
    if SQL:
        subprocess.run(SQL['client'], input=SQL_RESET, check=True)
    for n in os.listdir(TMP):
        os.unlink(os.path.join(TMP, n))


def vpasswd_lines():
    """example.com's users as vpasswd lines: the file, or (mysql) the table."""
    if SQL:
        return subprocess.run(SQL['client'] + [SQL['db'], '-e', SQL['users']], capture_output=True,
                              check=True).stdout.splitlines()
    return open(DD + '/vpasswd', 'rb').read().splitlines()


def show(b, n=80):
    """An input, short and printable."""
    if isinstance(b, str):
        b = b.encode('latin-1')
    s = repr(b[:n])[2:-1]
    return s + ('...(%d bytes)' % len(b) if len(b) > n else '')


def execute(argv, stdin=None, data=None, env=None, fds=(), cwd=None):
    """(status, stdout, stderr); status 'timeout' or -signal."""
    e = dict(os.environ)
    e.update(env or {})
    for k in [k for k, v in e.items() if v is None]:
        del e[k]
    try:
        p = subprocess.run(argv, input=data, stdin=stdin if data is None else None,
                           capture_output=True, env=e, pass_fds=fds, cwd=cwd, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 'timeout', b'', b''
    return p.returncode, p.stdout, p.stderr


def broken(res, allowed):
    """Why a run is wrong in itself (crash, hang, checker, status), or None."""
    rc, out, err = res
    if rc == 'timeout':
        return 'no answer in %d s' % TIMEOUT
    if rc < 0:
        return 'killed by signal %d' % -rc
    if CHECKER.search(err):
        return 'checker: ' + show(err[CHECKER.search(err).start():], 160)
    if rc not in allowed:
        return 'exit %d (out %s err %s)' % (rc, show(out, 60), show(err, 60))
    return None


def tree(root, skip=()):
    """Types, modes, owners and contents under root (paths in skip left out)."""
    out = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not any(os.path.join(d, x).startswith(s) for s in skip)]
        for n in dirs + files:
            p = os.path.join(d, n)
            if any(p.startswith(s) for s in skip) or n.endswith('.lock'):
                continue
            st = os.lstat(p)
            h = ''
            if os.path.isfile(p) and not os.path.islink(p):
                h = hashlib.sha1(open(p, 'rb').read()).hexdigest()
            elif os.path.islink(p):
                h = os.readlink(p)
            out[p] = (st.st_mode, st.st_uid, st.st_gid, h)
    return out


def changed(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class Check:
    """One TAP line: the failing inputs of one class."""
    def __init__(self, desc):
        self.desc, self.bad, self.runs = desc, [], 0

    def fail(self, what, why):
        self.bad.append('%s: %s' % (what, why))

    def done(self):
        print('%s %s (%d inputs)' % ('ok' if not self.bad else 'not ok', self.desc, self.runs))
        for b in self.bad[:12]:
            print('# ' + b.replace('\n', ' '))
        if len(self.bad) > 12:
            print('# ... and %d more' % (len(self.bad) - 12))
        sys.stdout.flush()


def mutate(s, extra):
    """A few random edits of s: bytes changed, inserted (runs included), cut."""
    s = bytearray(s)
    for _ in range(RND.randint(1, 4)):
        p = RND.randint(0, len(s))
        op = RND.randrange(5)
        if op == 0 and s:
            s[min(p, len(s) - 1)] = RND.randrange(256)
        elif op == 1:
            s[p:p] = RND.choice(extra)
        elif op == 2:
            del s[p:p + RND.randint(1, 6)]
        elif op == 3:
            s[p:p] = bytes([RND.randrange(256)]) * RND.choice([1, 20, 200, 600])
        else:
            s = bytearray(s.upper() if RND.random() < 0.5 else s.lower())
    return bytes(s)


# ------------------------------------------------------------------ vchkpw
GOOD_LOGINS = {b'bob@example.com', b'bob%example.com', b'bob/example.com',
               b'bob@alias.net', b'bob%alias.net', b'bob/alias.net'}
VCHKPW_REFUSALS = {1, 3, 12, 13, 20}


def vchkpw(data, env=None):
    path = os.path.join(TMP, '.cred')
    with open(path, 'wb') as f:
        f.write(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        if fd != 3:
            os.dup2(fd, 3)
        res = execute(WRAP + [SPEC['vchkpw'], '/bin/echo', 'ACCEPTED'], stdin=subprocess.DEVNULL,
                      env=env, fds=(3,))
    finally:
        os.close(3)
        if fd != 3:
            os.close(fd)
        os.unlink(path)
    return res


def should_accept(data):
    fields = data[:155].split(b'\0')
    return len(fields) >= 2 and fields[0].lower() in GOOD_LOGINS and fields[1] == b'Passw0rd'


def vchkpw_check(c, data, want=None, env=None):
    """want: the exact status, else any refusal (0 where the login is right)."""
    c.runs += 1
    res = vchkpw(data, env)
    ok_codes = {want} if want is not None else VCHKPW_REFUSALS | ({0} if should_accept(data) else set())
    why = broken(res, ok_codes)
    accepted = res[0] == 0 and res[1] == b'ACCEPTED\n'
    if why is None and accepted != (res[0] == 0):
        why = 'exit 0 without running the program'
    if why is None and accepted and not should_accept(data):
        why = 'ACCEPTED a wrong login'
    if why:
        c.fail(show(data) + (' env %s' % env if env else ''), why)


def vchkpw_classes():
    c = Check('vchkpw: fd 3 framing: no NUL, one field, fields of 0-64 KB, fd 3 closed')
    P = b'Passw0rd'
    for data, want in thin([
            (b'', 12), (b'\0', 12), (b'\0\0\0', 12), (b'\0' + P + b'\0', 12),
            (b'bob@example.com', 13), (b'bob@example.com\0', 13), (b'bob@example.com\0\0', 13),
            (b'bob@example.com\0' + P, 0), (b'bob@example.com\0' + P + b'\0', 0),
            (b'bob@example.com\0' + P + b'\0<1.2@h>\0' + b'z' * 65536, 0),
            (b'x' * 155, 13), (b'x' * 156, 13), (b'x' * 65536, 13),
            (b'a' * 511 + b'\0' + P + b'\0', 13), (b'a' * 512 + b'\0' + P + b'\0', 13),
            (b'a' * 513 + b'\0' + P + b'\0', 13),
            (b'bob@example.com\0' + b'P' * 511 + b'\0', 3), (b'bob@example.com\0' + b'P' * 512 + b'\0', 3),
            (b'bob@example.com\0' + b'P' * 513, 3), (b'bob@example.com\0' + b'P' * 65536, 3),
            (b'bob@example.com\0' + P + b'x' * 200, 3),
            (b'bob@example.com\0' + P[:-1] + b'\0', 3), (b'bob@example.com\0' + P + b'\n\0', 3)]):
        vchkpw_check(c, data, want)
    # fd 3 not open: 11
    c.runs += 1
    res = execute(WRAP + [SPEC['vchkpw'], '/bin/echo', 'ACCEPTED'], stdin=subprocess.DEVNULL)
    why = broken(res, {11})
    if why:
        c.fail('fd 3 closed', why)
    c.done()

    c = Check('vchkpw: 8-bit bytes, control characters and newlines in the login')
    for bad in [b'\x80', b'\xff', b'\xc3\xa9', b'\n', b'\r', b'\t', b' ', b'\x01', b'\x7f', b':', b'"']:
        for login in thin([bad + b'bob@example.com', b'bob' + bad + b'@example.com',
                           b'bob@' + bad + b'example.com', b'bob@example.com' + bad]):
            vchkpw_check(c, login + b'\0Passw0rd\0')
    vchkpw_check(c, bytes(range(1, 256)) + b'\0Passw0rd\0')
    vchkpw_check(c, bytes(range(255, 0, -1)) + b'\0Passw0rd\0')
    c.done()

    c = Check("vchkpw: '/', '..', '%', '@' in odd places, an empty and a 4 KB domain")
    for login in thin([b'../bob@example.com', b'bob/../bob@example.com', b'./bob@example.com',
                  b'/bob@example.com', b'bob@../example.com', b'bob@example.com/..',
                  b'bob@example.com/', b'..@example.com', b'.@example.com', b'..', b'/',
                  b'@example.com', b'bob@', b'bob%', b'bob/', b'@', b'%', b'/', b'@@',
                  b'bob@@example.com', b'bob@example.com@example.com', b'bob%example.com@example.com',
                  b'b%ob@example.com', b'bob@example.com%example.com', b'bob/example.com/x',
                  b'bob@ex%ample.com', b'bob@.example.com', b'bob@example.com.', b'bob@-',
                  b'bob', b'bob@' + b'a' * 4096, b'bob@' + b'a.' * 2048, b'b' * 4096 + b'@example.com',
                  b'postmaster@example.com/../bob', b'bob@example.com\0@example.com']):
        vchkpw_check(c, login + b'\0Passw0rd\0')
    vchkpw_check(c, b'bob\0Passw0rd\0', env={'VPOPMAIL_DOMAIN': '../example.com'})
    vchkpw_check(c, b'bob\0Passw0rd\0', env={'VPOPMAIL_DOMAIN': 'e' * 4096})
    vchkpw_check(c, b'bob@example.com\0Passw0rd\0', env={'TCPREMOTEIP': '%s%n' * 1000, 'TCPLOCALPORT': '9' * 100})
    c.done()

    c = Check('vchkpw: seeded mutations of good credentials (accepted only if still right)')
    seeds = [b'bob@example.com\0Passw0rd\0', b'bob@alias.net\0Passw0rd\0<1.2@h>\0',
             b'bob%example.com\0Passw0rd\0', b'BOB@EXAMPLE.COM\0Passw0rd\0']
    extra = [b'\0', b'@', b'%', b'/', b'..', b'.', b'\n', b'-', b'example.com', b'alias.net', b'Passw0rd']
    for _ in range(int(250 * SCALE)):
        vchkpw_check(c, mutate(RND.choice(seeds), extra))
    c.done()


# ------------------------------------------------------------------ vpopmaild
LOGIN = {'U': b'slogin bob@example.com Passw0rd', 'QA': b'slogin postmaster@example.com Secret123',
         'SA': b'slogin admin@example.com Adm1nPass', 'none': None}
# One plausible argument list per command (for the session's own domain).
COMMANDS = {
    b'user_info': [b'bob@example.com'], b'list_domains': [b'1', b'2'], b'find_domain': [b'other.org', b'1'],
    b'domain_count': [], b'add_alias_domain': [b'other.org', b'alias2.org'],
    b'add_domain': [b'new.org', b'Newpass1'], b'del_domain': [b'other.org'], b'dom_info': [b'example.com'],
    b'get_limits': [b'example.com'], b'set_limits': [b'example.com'], b'del_limits': [b'example.com'],
    b'get_domain_size': [b'example.com'], b'add_user': [b'new@example.com', b'Newpass1'],
    b'del_user': [b'carl@example.com'], b'user_count': [b'example.com'],
    b'list_users': [b'example.com', b'1', b'2'], b'list_lists': [b'example.com', b'1', b'2'],
    b'mod_user': [b'bob@example.com'], b'get_lastauth': [b'bob@example.com'],
    b'get_user_size': [b'bob@example.com'], b'add_alias': [b'al@example.com', b'bob@example.com'],
    b'remove_alias': [b'al@example.com', b'bob@example.com'], b'delete_alias': [b'al@example.com'],
    b'list_alias': [b'example.com'], b'mk_dir': [b'bob@example.com/d'], b'rm_dir': [b'bob@example.com/d'],
    b'list_dir': [b'bob@example.com/'], b'rm_file': [b'bob@example.com/f'],
    b'rename_file': [b'bob@example.com/f', b'bob@example.com/g'], b'write_file': [b'bob@example.com/f'],
    b'read_file': [b'bob@example.com/f'], b'stat_file': [b'bob@example.com/f'],
    b'get_ip_map': [b'1.2.3.4'], b'add_ip_map': [b'1.2.3.4', b'example.com'],
    b'del_ip_map': [b'1.2.3.4', b'example.com'], b'show_ip_map': [], b'add_list': [b'example.com', b'l'],
    b'del_list': [b'example.com', b'l'], b'mod_list': [b'example.com', b'l'], b'help': [],
    b'login': [b'bob@example.com', b'Passw0rd'], b'clogin': [b'bob@example.com', b'Passw0rd'],
}
DATA_COMMANDS = {b'set_limits', b'mod_user', b'write_file'}
REPLY = re.compile(rb'^(\+OK \r\n|\+OK\+\r\n|-ERR [0-9]+[.,][0-9]+ [^\r\n]*\r\n)')


def vpd(data):
    return execute(WRAP + [SPEC['vpopmaild'], '-t', '3'], data=data)


def area_skip(who):
    """What a session of who may change (left out of the comparison)."""
    if who == 'SA':
        return [SB]
    if who == 'QA':
        return [DD]
    return [DD + '/bob', DD + '/vpasswd', DD + '/vpasswd.cdb']


def help_of(who):
    lines = [LOGIN[who], b'help', b'q'] if LOGIN[who] else [b'help', b'q']
    return vpd(b''.join(l + b'\r\n' for l in lines))[1]


def vpd_session(c, who, cmds, what, probe=True):
    """Run cmds in one session of who, each followed by help (the probe);
    the session must answer every probe as a fresh session does, stay
    inside its area and end with q (exit 0)."""
    restore()
    helpblock = HELP[who].split(b'\r\n', 1 if who == 'none' else 2)[-1]
    helpblock = helpblock[:helpblock.rindex(b'+OK \r\n')]
    before = tree(SB, area_skip(who))
    lines = [LOGIN[who]] if LOGIN[who] else []
    for cmd in cmds:
        lines += cmd
        if probe:
            lines.append(b'help')
    lines.append(b'q')
    data = b''.join(l + b'\r\n' for l in lines)
    c.runs += len(cmds)
    res = vpd(data)
    why = broken(res, {0})
    out = res[1]
    # a help among the commands answers like a probe (a line that fits, NUL ends it)
    want = len(cmds) + sum(1 for cmd in cmds if len(cmd[0]) + 2 <= 1024 and
                           cmd[0].split(b'\0')[0].split()[:1] == [b'help'])
    if why is None and probe and out.count(helpblock) != want:
        why = 'a probe was not answered as in a fresh session (%d of %d)' % (out.count(helpblock), want)
    if why is None and not out.endswith(b'+OK \r\n'):
        why = 'q not answered: ' + show(out[-120:])
    if why is None and not REPLY.match(out):
        why = 'no greeting'
    diff = changed(before, tree(SB, area_skip(who)))
    if why is None and diff:
        why = 'changed outside the area: ' + ' '.join(diff[:4])
    if why:
        c.fail('%s %s' % (who, what), why)
    return res


def vpopmaild_classes():
    global HELP
    restore()
    HELP = {w: help_of(w) for w in LOGIN}

    c = Check('vpopmaild: lines of 1 byte to 1 MB, NUL bytes, CR, 8-bit bytes, before and after login')
    shapes = [b'x', b'q' * 1023, b'q' * 1024, b'q' * 1025, b'x' * 4096, b'x' * 65536, b'x' * (1 << 20),
              b'\0', b'help\0 rm_dir /', b'\0' * 5000, b'\r', b'\r\r\r', b'\xff\xfe\x80',
              b'help ' + b'\xff' * 3000, b' ' * 5000, b'\t\t\t']
    for s in thin(shapes):
        # before login: the shape, then q within the four lines allowed
        c.runs += 1
        res = vpd(s + b'\r\nq\r\n')
        why = broken(res, {0, 255})
        if why is None and not res[1].startswith(b'+OK \r\n'):
            why = 'no greeting'
        if why is None and res[0] == 0 and not res[1].endswith(b'+OK \r\n'):
            why = 'q not answered'
        if why:
            c.fail('before login: ' + show(s), why)
    for who in ('U', 'QA', 'SA'):
        vpd_session(c, who, [[s] for s in thin(shapes)], 'line shapes')
    # A command cut short by the end of input is never run.
    for who, cmd, gone in [('SA', b'del_user bob@example.com', DD + '/bob'),
                           ('SA', b'del_domain other.org', DOMS + '/other.org'),
                           ('U', b'rm_dir bob@example.com/Maildir', DD + '/bob/Maildir')]:
        restore()
        c.runs += 1
        res = vpd(LOGIN[who] + b'\r\n' + cmd)
        why = broken(res, {255})
        if why is None and not os.path.exists(gone):
            why = 'the unfinished command ran'
        if why:
            c.fail('%s %s without a newline, then EOF' % (who, show(cmd)), why)
    c.done()

    c = Check('vpopmaild: every command with zero, one, too many and oversized arguments, at every level')
    for who in ('none', 'U', 'QA', 'SA'):
        for shape in thin(['zero', 'one', 'many', 'huge', 'huge-email']):
            cmds = []
            for name, args in COMMANDS.items():
                if shape == 'zero':
                    a = []
                elif shape == 'one':
                    a = args[:1]
                elif shape == 'many':
                    a = args + [b'extra', b'-1', b'2147483648', b'x@y', b'/']
                elif shape == 'huge':
                    a = [b'a' * 3000 for _ in args] or [b'a' * 3000]
                else:
                    a = [b'u' * 300 + b'@' + b'd' * 300 for _ in args] or [b'u' * 300 + b'@x']
                line = b' '.join([name] + a)
                cmds.append([line, b'.'] if name in DATA_COMMANDS else [line])
            if who == 'none':
                # before login: four lines at most: three commands and q
                for k in range(0, len(cmds), 3):
                    lines = [cmd[0] for cmd in cmds[k:k + 3]]
                    c.runs += len(lines)
                    res = vpd(b''.join(l + b'\r\n' for l in lines + [b'q']))
                    why = broken(res, {0, 255})
                    if why:
                        c.fail('before login: ' + ' | '.join(show(l, 40) for l in lines), why)
                continue
            vpd_session(c, who, cmds, shape + ' arguments')
    c.done()

    c = Check('vpopmaild: file commands with ../, %, absolute paths, links and other areas')
    outside = os.path.join(os.path.dirname(SB), 'outside')
    paths = [b'../x', b'bob@example.com/../x', b'bob@example.com/../../../outside/secret',
             b'/etc/passwd', b'/etc/', b'/', outside.encode() + b'/secret', outside.encode() + b'/',
             DOMS.encode() + b'/other.org/carol/x', DOMS.encode() + b'2/x', DD.encode() + b'2/x',
             b'bob@example.com/out/secret', b'bob@example.com/out/', b'bob@example.com/out',
             b'bob@example.com/Maildir/../../x', b'bob@example.com/%2e%2e/x', b'carol@other.org/x',
             b'other.org/x', b'example.com/vpasswd', b'example.com/postmaster/x', b'bob@alias.net/x',
             b'bob@example.com//x', b'bob@example.com/./x', b'bob@example.com/x/', b'example.com/',
             b'bob@example.com/' + b'd' * 300, b'a' * 5000, b'bob@example.com', b'@/x', b'x@/y', b'/x@y']
    for who in ('U', 'QA'):
        cmds = []
        for p in thin(paths):
            cmds += [[b'mk_dir ' + p], [b'list_dir ' + p], [b'stat_file ' + p], [b'read_file ' + p],
                     [b'write_file ' + p, b'pwned', b'.'], [b'rename_file ' + p + b' ' + p + b'2'],
                     [b'rename_file bob@example.com/Maildir ' + p], [b'rm_file ' + p], [b'rm_dir ' + p]]
        res = vpd_session(c, who, cmds, 'paths')
        if b'SECRET' in res[1] or b'root:' in res[1]:
            c.fail(who + ' paths', 'a file outside the area was read')
        if open(outside + '/secret', 'rb').read() != b'SECRET\n':
            c.fail(who + ' paths', 'the file outside was changed')
    c.done()

    c = Check('vpopmaild: huge, negative and malformed counts in the list commands')
    nums = [b'0', b'-1', b'1', b'2147483647', b'2147483648', b'-2147483648', b'99999999999999999999',
            b'-99999999999999999999', b'1e9', b'0x10', b'abc', b'']
    cmds = []
    for a in thin(nums):
        for b in thin(nums):
            cmds += [[b'list_users example.com ' + a + b' ' + b], [b'list_domains ' + a + b' ' + b],
                     [b'list_lists example.com ' + a + b' ' + b]]
        cmds += [[b'find_domain other.org ' + a]]
    vpd_session(c, 'SA', cmds, 'counts')
    c.done()

    c = Check('vpopmaild: seeded mutation sessions (no escape, no crash, no rights gained)')
    args = [b'bob@example.com', b'postmaster@example.com', b'carol@other.org', b'new@example.com',
            b'example.com', b'other.org', b'alias.net', b'nosuch.dom', b'bob@example.com/x',
            b'bob@example.com/Maildir', b'example.com/x', b'/etc/passwd', DD.encode(), b'../x',
            b'0', b'-1', b'2147483648', b'\xff' * 300, b'a' * 1500, b'']
    data_lines = [b'.', b'x', b'comment c', b'quota 5M', b'system_admin_privileges 1',
                  b'domain_admin_privileges 1', b'override_domain_limits 1', b'clear_all_flags 1',
                  b'no_pop 1', b'max_popaccounts 5', b'|/bin/sh -c x', b'user_flag_2=1']
    names = list(COMMANDS)
    restore()
    START_FLAGS = {l.split(b':')[0]: int(l.split(b':')[3]) for l in vpasswd_lines()}
    for i in range(int(60 * SCALE)):
        who = RND.choice(['U', 'U', 'QA', 'SA', 'none'])
        lines = [LOGIN[who]] if LOGIN[who] else []
        for _ in range(RND.randint(1, 8)):
            a = [RND.choice(args) for _ in range(RND.choice([0, 1, 2, 3]))]
            line = mutate(b' '.join([RND.choice(names)] + a), [b' ', b'\t', b'/', b'..', b'@', b'\0'])
            lines.append(line)
            if RND.random() < 0.3:
                lines += [RND.choice(data_lines) for _ in range(RND.randint(0, 3))] + [b'.']
        lines.append(b'q')
        data = b''.join(l + b'\r\n' for l in lines)
        restore()
        before = tree(SB, area_skip(who))
        c.runs += 1
        res = vpd(data)
        why = broken(res, {0, 255})
        diff = changed(before, tree(SB, area_skip(who)))
        if why is None and diff:
            why = 'changed outside the area: ' + ' '.join(diff[:4])
        if why is None and who != 'SA':
            # SA_ADMIN, SA_EXPERT, V_OVERRIDE; QA_ADMIN too below a domain admin
            mask = 0x32000 | (0x1000 if who != 'QA' else 0)
            for l in vpasswd_lines():
                f = l.split(b':')
                if f[0] in (b'bob', b'postmaster', b'new') and int(f[3]) & mask & ~START_FLAGS.get(f[0], 0):
                    why = 'rights gained: ' + show(l)
        if why:
            c.fail('%s session %d %s' % (who, i, show(data, 200)), why)
    c.done()


# ------------------------------------------------------------------ vdelivermail
MSG = b'From: alice@example.net\nSubject: hi\n\nbody\n'
RP = 'Return-Path: <alice@example.net>\n'
BOX = DD + '/bob/Maildir'


def dv_env(ext='bob', host='example.com', **kw):
    e = {'EXT': ext, 'HOST': host, 'RPLINE': RP, 'SENDER': 'alice@example.net',
         'LOCAL': host + '-' + ext, 'DTLINE': 'Delivered-To: %s-%s@%s\n' % (host, ext, host)}
    e.update(kw)
    return e


def dv(instr, env, msg, mode='file'):
    argv = SPEC['as_domain'] + WRAP + [SPEC['vdelivermail'], '', instr]
    if mode == 'closed':
        return execute(['sh', '-c', 'exec "$@" <&-', 'sh'] + argv, stdin=subprocess.DEVNULL, env=env, cwd=DD)
    if mode == 'pipe':
        return execute(argv, data=msg, env=env, cwd=DD)
    path = os.path.join(os.path.dirname(SB), 'msg')
    with open(path, 'wb') as f:
        f.write(msg)
    with open(path, 'rb') as f:
        res = execute(argv, stdin=f, env=env, cwd=DD)
    os.unlink(path)
    return res


def new_mail():
    return sorted(os.listdir(BOX + '/new'))


def leftovers():
    """Files in any Maildir's tmp/ or in TMPDIR."""
    left = [os.path.join(TMP, n) for n in os.listdir(TMP)]
    for d, dirs, files in os.walk(DOMS):
        if os.path.basename(d) == 'tmp' and files:
            left += [os.path.join(d, f) for f in files]
    return left


DV_SKIP = [BOX + '/new', BOX + '/maildirsize', BOX + '/quotawarn']


def dv_verdict(c, what, why, diff):
    """Fail what with the first reason found: why (the run itself), the
    files that changed (diff), or temporary files left behind."""
    if why is None and diff:
        why = 'changed: ' + ' '.join(diff[:4])
    left = leftovers()
    if why is None and left:
        why = 'left behind: ' + ' '.join(left[:3])
    if why:
        c.fail(what, why)


def dv_check(c, what, instr, env, msg, want, mode='file', copy=None):
    """want: the set of allowed statuses; copy: the bytes bob's new mail
    must hold when the status is 0 (None: no new mail may appear)."""
    restore()
    before = tree(SB, DV_SKIP)
    c.runs += 1
    res = dv(instr, env, msg, mode)
    why = broken(res, want)
    got = new_mail()
    if why is None and res[0] == 0 and copy is not None:
        if len(got) != 1:
            why = 'exit 0 but %d messages delivered (mail lost)' % len(got)
        elif open(BOX + '/new/' + got[0], 'rb').read() != copy:
            why = 'the copy is not byte-exact: ' + show(open(BOX + '/new/' + got[0], 'rb').read(), 100)
    if why is None and (copy is None or res[0] != 0) and got:
        why = 'a message was delivered: ' + got[0]
    dv_verdict(c, what, why, changed(before, tree(SB, DV_SKIP)))


def vdelivermail_classes():
    qext = SPEC.get('qext', 0)
    to_bob = lambda m, rp=RP: rp.encode() + b'Delivered-To: bob@example.com\n' + m

    c = Check("vdelivermail: EXT and HOST of 0 and 5000 bytes, with '/', '..', newlines")
    unknown = ['', 'x' * 5000, 'bob' + 'x' * 5000, '..', '.', '../bob', 'bob/..', 'bob/../bob', '/bob',
               'bob/', './bob', '../../../../etc/passwd', '../other.org/carol', 'carol', 'bob%x', 'bob@x']
    for ext in thin(unknown):
        dv_check(c, 'EXT=' + show(ext), 'bounce-no-mailbox', dv_env(ext=ext), MSG, {100})
    for ext in thin(['bob\n', 'bob\nx', '\nbob', 'bob\r', 'b\x80b', 'bob ', 'bob:x']):
        dv_check(c, 'EXT=' + show(ext), 'bounce-no-mailbox', dv_env(ext=ext), MSG, {100})
    for host in thin(['', 'e' * 5000, 'example.com' + 'x' * 5000, '..', 'example.com/..', '../example.com',
                 '/example.com', 'example.com/', 'example.com\n', 'nosuch.dom', 'other.org/../example.com',
                 'example.com.', '.example.com']):
        dv_check(c, 'HOST=' + show(host), 'bounce-no-mailbox', dv_env(host=host), MSG, {100})
    for ext, host in [('BOB', 'EXAMPLE.COM'), ('bob', 'alias.net')]:
        dv_check(c, 'EXT=%s HOST=%s' % (ext, host), 'bounce-no-mailbox', dv_env(ext=ext, host=host), MSG,
                 {0}, copy=to_bob(MSG))
    for ext in ['bob-x', 'bob-../../x', 'bob-/etc/passwd', 'bob-' + 'x' * 5000]:
        if qext:
            dv_check(c, 'EXT=' + show(ext), 'bounce-no-mailbox', dv_env(ext=ext), MSG, {0},
                     copy=RP.encode() + b'Delivered-To: bob@example.com\n' + MSG)
        else:
            dv_check(c, 'EXT=' + show(ext), 'bounce-no-mailbox', dv_env(ext=ext), MSG, {100})
    for name, env in [('no EXT', dv_env(EXT=None)), ('no HOST', dv_env(HOST=None))]:
        dv_check(c, name, 'bounce-no-mailbox', env, MSG, {100})
    dv_check(c, 'RPLINE of 100 KB', 'delete', dv_env(RPLINE='Return-Path: <' + 'r' * 100000 + '>\n'), MSG,
             {0}, copy=to_bob(MSG, 'Return-Path: <' + 'r' * 100000 + '>\n'))
    dv_check(c, 'no RPLINE, no DTLINE', 'delete', dv_env(RPLINE=None, DTLINE=None), MSG, {0}, copy=to_bob(MSG, ''))
    dv_check(c, 'DTLINE of 100 KB', 'delete', dv_env(DTLINE='D' * 100000), MSG, {0}, copy=to_bob(MSG))
    dv_check(c, 'instruction of 5000 bytes', 'x' * 5000, dv_env(ext='nosuch'), MSG, {0, 100, 111})
    c.done()

    c = Check('vdelivermail: messages of 0 bytes, 1 MB header lines, 10,000 Delivered-To lines, stdin closed')
    dts = b'Delivered-To: someone@example.net\n' * 10000
    for what, msg, want, mode, copy in thin([
            ('0 bytes', b'', {0}, 'file', None),
            ('0 bytes through a pipe', b'', {0}, 'pipe', None),
            ('1 byte', b'x', {0}, 'file', to_bob(b'x')),
            ('a pipe', MSG, {0}, 'pipe', to_bob(MSG)),
            ('stdin closed', MSG, {111}, 'closed', None),
            ('no empty line, no newline', b'Subject: x', {0}, 'file', to_bob(b'Subject: x')),
            ('1 MB header line without newline', b'X: ' + b'y' * (1 << 20), {0}, 'file', to_bob(b'X: ' + b'y' * (1 << 20))),
            ('1 MB header line', b'X: ' + b'y' * (1 << 20) + b'\n\nbody\n', {0}, 'file', to_bob(b'X: ' + b'y' * (1 << 20) + b'\n\nbody\n')),
            ('10,000 Delivered-To lines', dts + b'\nbody\n', {0}, 'file', to_bob(dts + b'\nbody\n')),
            ('10,000 Delivered-To lines through a pipe', dts + b'\nbody\n', {0}, 'pipe', to_bob(dts + b'\nbody\n')),
            ('ours after 10,000 Delivered-To lines', dts + b'Delivered-To: BOB@example.com\n\nbody\n', {100}, 'file', None),
            ('ours after a 1 MB line', b'X: ' + b'y' * (1 << 20) + b'\nDelivered-To: bob@example.com\n\n', {100}, 'file', None),
            ('ours after a line of 8191 bytes', b'X: ' + b'y' * 8188 + b'\nDelivered-To: bob@example.com\n\n', {100}, 'file', None),
            ('ours in the body', MSG + b'Delivered-To: bob@example.com\n', {0}, 'file', to_bob(MSG + b'Delivered-To: bob@example.com\n')),
            ('ours with CRLF', b'Delivered-To: bob@example.com\r\n\r\n', {0}, 'file', to_bob(b'Delivered-To: bob@example.com\r\n\r\n')),
            ('ours with a NUL after it', b'Delivered-To: bob@example.com\0x\n\n', {0}, 'file', to_bob(b'Delivered-To: bob@example.com\0x\n\n')),
            ('NUL and 8-bit bytes', b'\0\xff\x80\n\n\0', {0}, 'file', to_bob(b'\0\xff\x80\n\n\0'))]):
        dv_check(c, what, 'delete', dv_env(), msg, want, mode, copy)
    c.done()

    c = Check('vdelivermail: seeded mutations of EXT, HOST, instruction, .qmail and message')
    exts = [b'bob', b'BOB', b'bob-foo', b'nosuch', b'postmaster', b'', b'..', b'../bob', b'bob/', b'-']
    hosts = [b'example.com', b'alias.net', b'other.org', b'nosuch.dom', b'', b'.']
    instrs = [b'delete', b'bounce-no-mailbox', DD.encode() + b'/postmaster', b'./postmaster/Maildir/',
              b'/etc/', b'#x', b'|cat >/dev/null', b'|exit 100', b'&' + b'x' * 300]
    dotq = [b'#\n', b'\n', b'./Maildir/\n', b'|cat >/dev/null\n', b'|exit 99\n', b'|exit 111\n',
            b'/etc/\n', b'../../other.org/carol/Maildir/\n', b'./Maildir\n', b'a' * 600 + b'\n',
            b'./Maildir/' + b'x' * 498 + b'\n', b'&bob@example.com\n', b'example.com-bob@example.com\n']
    hdrs = [b'From: a@b\n', b'Delivered-To: bob@example.com\n', b'Delivered-To: x@y\n', b'X: ' + b'y' * 9000 + b'\n']
    # (the Maildirs mail may legitimately reach, and bob's .qmail, set per run)
    skip = DV_SKIP + [DD + '/bob/.qmail', DOMS + '/other.org/carol/Maildir/new'] + \
        [DOMS + '/' + d + '/postmaster/Maildir/new' for d in ('example.com', 'other.org')]
    for i in range(int(120 * SCALE)):
        ext, host = mutate(RND.choice(exts), [b'/', b'..', b'-', b'.', b'\n']), RND.choice(hosts)
        if RND.random() < 0.3:
            host = mutate(host, [b'/', b'..', b'.', b'\n'])
        instr = mutate(RND.choice(instrs), [b'/', b'..', b'|', b'&', b'\n']) if RND.random() < 0.4 else RND.choice(instrs)
        msg = b''.join(RND.choice(hdrs) for _ in range(RND.randint(0, 4))) + RND.choice([b'\nbody\n', b'', b'\n'])
        if b'\0' in ext + host + instr:
            continue
        restore()
        qm = None
        if RND.random() < 0.4:
            qm = b''.join(RND.choice(dotq) for _ in range(RND.randint(1, 3)))
            with open(DD + '/bob/.qmail', 'wb') as f:
                f.write(qm)
            if SPEC.get('uidgid'):
                os.chown(DD + '/bob/.qmail', *SPEC['uidgid'])
        env = dv_env(ext=ext.decode('latin-1'), host=host.decode('latin-1'))
        what = 'EXT=%s HOST=%s instr=%s .qmail=%s msg=%s' % (show(ext, 40), show(host, 40), show(instr, 40),
                                                               show(qm, 60) if qm else '-', show(msg, 60))
        before = tree(DOMS, skip)
        c.runs += 1
        res = dv(instr.decode('latin-1'), env, msg, RND.choice(['file', 'file', 'pipe']))
        why = broken(res, {0, 99, 100, 111})
        diff = changed(before, tree(DOMS, skip))
        diff = [d for d in diff if not d.endswith('/maildirsize') and not d.endswith('/quotawarn')]
        dv_verdict(c, what, why, diff)
    c.done()


if __name__ == '__main__':
    for part in SPEC.get('parts', ['vchkpw', 'vpopmaild', 'vdelivermail']):
        globals()[part + '_classes']()
