#!/usr/bin/env python3
"""crash_sweep.py - kill a command at each of its state-changing system
calls in turn and check what the kill leaves behind (tests/t_crash_*.sh).

usage: crash_sweep.py SPEC.json

SPEC: {"sb": sandbox root (restored from "tpl" before every run),
       "tpl": the sandbox as it is before the command,
       "cmd": [argv], "stdin": text,
       "rerun": [[argv, [allowed exit codes] or null, stdin], ...]
                (run after the kill: they must bring the sandbox to the
                state of a clean run),
       "verify": [[argv, stdin], ...] (after a kill, at least one must
                exit 0 on the killed state when there are two or more:
                the old and the new state; the last one must on the rerun
                state), "lookup": [argv] (run before the final check: a
                lookup rebuilds an index older than vpasswd),
       "refuse": [[argv, stdin], ...] (each must fail on the killed
                state and after the rerun: e.g. a login with a placeholder
                password), "sql": 0|1, "label": text, "strace": [prefix argv],
       "max_points": N (0 = every point)}

Known problems not fixed yet (KNOWN below) turn a failing point into
"not ok ... # TODO <why>": an expected failure for the TAP driver.

Output: one line per kill point, "ok DESC" or "not ok DESC" followed by
"# " diagnostic lines; the shell test turns them into TAP.
"""
import json, os, re, shutil, subprocess, sys

# System calls that change state or are points of no return.
WRITES = ['openat', 'open', 'creat', 'write', 'writev', 'pwrite64', 'pwritev',
          'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink',
          'symlinkat', 'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'rmdir',
          'fsync', 'fdatasync', 'ftruncate', 'truncate', 'flock', 'fchown',
          'lchown', 'chown', 'fchownat', 'fchmod', 'chmod', 'fchmodat',
          'utimensat', 'execve', 'clone', 'clone3', 'fork', 'vfork']
# openat/open count only when they may create or write.
OPEN_WRITE = re.compile(r'O_(WRONLY|RDWR|CREAT|TRUNC|APPEND)')
# Temporary files a writer may leave when killed (the next writer sweeps
# them); the same patterns as leftovers() in lib.sh.
TEMP = re.compile(r'(^vpasswd\.bak|^cdb\.tmp$|\.tmp$|\.tmp\.|^\.dir-control\.[0-9]|'
                  r'^\.dir_control_free\.bak$|^(assign|rcpthosts|morercpthosts|'
                  r'virtualdomains|locals)\.[0-9]+$)')
# Files a kill may leave in a Maildir's tmp/ (maildirsize is written
# through Maildir/tmp, as 5.6 and courier do): mail readers delete tmp/
# files older than 36 hours, so they are not checked.
MAILDIR_TMP = re.compile(r'(^|/)Maildir/tmp/.')
# A user's lastauth (auth logging) is written in place, as in 5.6, after
# the record: a kill can leave it missing or empty, which reads as "never
# logged in" (vdeloldusers skips such a user) until the next login writes
# it.  Accepted: not checked beyond that.
LASTAUTH = re.compile(r'(^|/)lastauth$')
# vdeluser marks the directory before it removes the record (a rerun, or
# an add of the name, then finishes a killed removal): after a kill before
# the record went, a user still there has the mark, which means nothing
# while there is a record.  Not checked after a kill; a rerun leaves none.
DEL_MARK = re.compile(r'(^|/)\.vdeluser-running$')
# A removed user's or domain's tree is renamed to ".<name>.deleted.<pid>"
# before it is removed: a kill during the removal leaves it, with what it
# still holds, until the next removal of the name (the rerun) sweeps it.
ASIDE = re.compile(r'(^|/)(\.[^/]+\.deleted\.[0-9]+)(/|$)')
# .dir_control_free gets a line appended (one write(2)): a kill can leave
# the file made but empty, which lists no directory, as no file does.
FREELIST = re.compile(r'(^|/)\.dir_control_free$')
# Known problems: (commands, trigger, explained, reason): when an error or
# a window of a point of those commands matches trigger, its errors that
# match explained are put down to that problem; a point whose every error
# is explained so is reported as TODO.
KNOWN = [
    (re.compile(''), re.compile(r'/sqwebmail-pass'),
     re.compile(r'/sqwebmail-pass(\.tmp\.[0-9]+)?$'),
     '(--enable-sqwebmail-pass) a writer killed after storing the record and '
     'before writing Maildir/sqwebmail-pass leaves it missing or stale (sqwebmail '
     'logins fail until the next password change) and may leave '
     'sqwebmail-pass.tmp.<pid> until the next write of the file'),
]
HASH = re.compile(rb'\$(6)\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}|\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}')
# A DES hash (a build with neither SHA-512 nor MD5; VP_DES_HASHES set by
# sweep_common.sh) has no marker: the 13 characters before ":uid:gid:" of
# a vpasswd line or a vpasswd.cdb record.
DES = re.compile(rb'[./0-9A-Za-z]{13}(?=:[0-9]+:[0-9]+:)') if os.environ.get('VP_DES_HASHES') else None


def mask(b):
    b = HASH.sub(b'$HASH', b)
    return DES.sub(b'$HASH', b) if DES else b


# The build's domains directory (configure's --enable-domains-dir).
DOMS = os.environ['VP_DOMAINS_DIRNAME']

# ------------------------------------------------------------------ cdb
# The cdb reader of the tests' helper (vph.py, written by lib.sh into
# the directory given as VPH_DIR): records in order, hash tables checked.
sys.path.insert(0, os.environ['VPH_DIR'])
import vph  # noqa: E402


def read_cdb(path):
    return [(k, d) for k, d, p in vph.read_cdb(path)]


# ------------------------------------------------------------------ trees
def tree(root):
    """{relative path: ('d', None) | ('f', bytes) | ('l', target)}, lock files left out."""
    out = {}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            r = os.path.relpath(p, root)
            if n.endswith('.lock'):
                continue
            if os.path.islink(p):
                out[r] = ('l', os.readlink(p))
            elif os.path.isdir(p):
                out[r] = ('d', None)
            else:
                out[r] = ('f', open(p, 'rb').read())
    return out


def vpw_parse(text, where, errs):
    """vpasswd text -> [(name, rest)]; problems go to errs."""
    recs = []
    if text and not text.endswith(b'\n'):
        errs.append('%s: does not end with a newline' % where)
    for l in text.split(b'\n')[:-1] if text.endswith(b'\n') else text.split(b'\n'):
        if l.count(b':') < 6:
            errs.append('%s: torn line %r' % (where, l[:60]))
            continue
        k, v = l.split(b':', 1)
        recs.append((k, v))
    names = [k for k, v in recs]
    if len(set(names)) != len(names):
        errs.append('%s: a name appears twice' % where)
    if names != sorted(names):
        errs.append('%s: not sorted by name' % where)
    return recs


def dirctl_ok(b):
    l = b.decode('latin-1').split('\n')
    if len(l) != 9 or l[8] != '':
        return False
    try:
        for i in (0, 1, 2):
            int(l[i])
        for i in (3, 4, 5, 6):
            if len([int(x) for x in l[i].split(' ')]) != 3:
                return False
    except ValueError:
        return False
    return int(l[0]) >= 0


def domain_dirs(*trees):
    ds = set()
    for t in trees:
        for r, (ty, _) in t.items():
            if os.path.basename(r) == 'vpasswd' and ty == 'f':
                ds.add(os.path.dirname(r))
    return sorted(ds)


def known(label, errs, windows):
    """The reasons of KNOWN problems of the command label that explain
    every error in errs (none if one is left unexplained)."""
    why, left = set(), list(errs)
    for lrx, trig, expl, reason in KNOWN:
        if lrx.search(label) and any(trig.search(m) for m in errs + windows):
            why.add(reason)
            left = [m for m in left if not expl.search(m)]
    return sorted(why) if not left else []


def check(state, pre, post, sb, sql, final):
    """Problems of the sandbox state STATE (a tree) after a kill (final=False)
    or after the rerun (final=True); windows: states a rerun must repair."""
    errs, windows = [], []
    state = dict((r, v) for r, v in state.items()
                 if not MAILDIR_TMP.search(r) and (final or not DEL_MARK.search(r)))
    if not final:
        for r in sorted(r for r in state if ASIDE.search(r)):
            if not ASIDE.search(r).group(3):
                windows.append('set aside, being removed: %s' % r)
            del state[r]
    for r, v in list(state.items()):
        if (LASTAUTH.search(r) or FREELIST.search(r)) and v[0] == 'f' and v[1] == b'':
            del state[r]
    post = dict((r, v) for r, v in post.items() if not (LASTAUTH.search(r) and r not in state))
    # lastauth is written with a newline, then cut to length: readers take
    # its first line, which is all that is compared.
    def first_line(t):
        return dict((r, (v[0], v[1].split(b'\n')[0]) if LASTAUTH.search(r) and v[0] == 'f' else v)
                    for r, v in t.items())
    state, pre, post = first_line(state), first_line(pre), first_line(post)
    for r, (ty, b) in sorted(state.items()):
        name = os.path.basename(r)
        if TEMP.search(name):
            if final:
                errs.append('left behind after the rerun: %s' % r)
            continue
        if ty != 'f':
            continue
        alts = [t[r][1] for t in (pre, post) if r in t and t[r][0] == 'f']
        if name == 'vpasswd.cdb':
            continue        # checked with its vpasswd below
        if name == '.dir-control':
            if not dirctl_ok(b):
                errs.append('%s: not a well-formed .dir-control: %r' % (r, b[:80]))
            continue
        if name == 'vpasswd':
            if sql:
                continue
            vpw_parse(b, r, errs)
        if final:
            if not alts or mask(b) != mask(alts[-1]):
                errs.append('%s: differs from a clean run: %r' % (r, mask(b)[:200]))
        elif not any(mask(b) == mask(a) for a in alts):
            errs.append('%s: neither the old nor the new content: %r' % (r, mask(b)[:200]))
    for r, (ty, b) in sorted(post.items()):
        if r not in state and not TEMP.search(os.path.basename(r)) and final:
            errs.append('missing after the rerun: %s' % r)
    for r, (ty, b) in sorted(state.items()):
        if TEMP.search(os.path.basename(r)):
            continue
        if r not in pre and r not in post:
            (errs if final else windows).append('not there before or after a clean run: %s %s' % (ty, r))
        elif final and post.get(r, ('?',))[0] != ty:
            errs.append('%s: type %s, a clean run leaves %s' % (r, ty, post.get(r, ('none',))[0]))
    # vpasswd against vpasswd.cdb, records against directories
    for dd in domain_dirs(state, pre, post):
        vp = state.get(os.path.join(dd, 'vpasswd'))
        if vp is None:
            errs.append('%s: no vpasswd' % dd)
            continue
        if not sql:
            e2 = []
            recs = vpw_parse(vp[1], dd + '/vpasswd', e2)
            cp = os.path.join(sb, dd, 'vpasswd.cdb')
            try:
                crecs = read_cdb(cp)
            except (OSError, ValueError) as e:
                errs.append('%s/vpasswd.cdb: %s' % (dd, e))
                crecs = None
            if crecs is not None and sorted(crecs) != sorted(recs):
                older = os.stat(cp).st_mtime_ns < os.stat(os.path.join(sb, dd, 'vpasswd')).st_mtime_ns
                if final or not older:
                    errs.append('%s: vpasswd.cdb does not hold the vpasswd records%s' %
                                (dd, '' if older else ' (and is not older, so no lookup rebuilds it)'))
                else:
                    windows.append('%s: vpasswd.cdb older than vpasswd' % dd)
            users = {}
            for k, v in recs:
                f = v.split(b':')
                if len(f) >= 5:
                    users[k.decode('latin-1')] = f[4].decode('latin-1')
            absdd = os.path.join(sb, dd)
            for u, d in users.items():
                if not os.path.isdir(os.path.join(d, 'Maildir', 'new')):
                    (errs if final else windows).append('%s: user %s without %s/Maildir/new' % (dd, u, d))
            dirs = set(users.values())
            for r, (ty, b) in state.items():
                if ty != 'd' or os.path.dirname(r) == dd or not r.startswith(dd + '/'):
                    pass
                if ty == 'd' and r.startswith(dd + '/') and os.path.basename(r) == 'Maildir':
                    ud = os.path.join(sb, os.path.dirname(r))
                    if ud not in dirs:
                        (errs if final else windows).append('%s: directory %s belongs to no user' %
                                                            (dd, os.path.dirname(r)))
            del absdd
    return errs, windows


# ------------------------------------------------------------------ runs
def restore(spec):
    sb = spec['sb']
    if os.path.exists(sb):
        subprocess.run(['chmod', '-R', 'u+rwx', sb])
        shutil.rmtree(sb)
    if spec.get('mode') == 'errno':
        # owners too (copytree keeps modes, not owners): the errno mode
        # compares them
        subprocess.run(['cp', '-a', spec['tpl'], sb], check=True)
    else:
        shutil.copytree(spec['tpl'], sb, symlinks=True)


def run(argv, stdin, timeout=60):
    p = subprocess.run(argv, input=(stdin or '').encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout,
                       cwd=spec['sb'])
    return p.returncode, p.stdout.decode('latin-1')


def points(spec, log):
    """(name, n, line) for every state-changing call of the command's own
    process (its threads included), counted per tracee like strace's when=N."""
    restore(spec)
    st = spec['strace'] + ['-f', '-qq', '-o', log]
    rc, out = run(st + spec['cmd'], spec.get('stdin'))
    pts, count, first = [], {}, None
    for line in open(log, encoding='latin-1'):
        m = re.match(r'(\d+) +([a-z0-9_]+)\((.*)', line)
        if not m:
            continue
        pid, name, rest = m.group(1), m.group(2), m.group(3)
        if first is None:
            first = pid
        count[(pid, name)] = count.get((pid, name), 0) + 1
        if name not in WRITES:
            continue
        if name in ('openat', 'open') and not OPEN_WRITE.search(rest):
            continue
        if name == 'execve' and count[(pid, name)] == 1 and pid == first:
            continue        # the command itself
        pts.append((name, count[(pid, name)], pid, rest[:90]))
    return rc, out, pts


spec = json.load(open(sys.argv[1]))


def main():
    sb = spec['sb']
    sql = spec.get('sql', 0)
    label = spec['label']
    pre = tree(sb + '/vpopmail'), tree(sb + '/qmail')
    restore(spec)
    pre = tree(sb + '/vpopmail'), tree(sb + '/qmail')
    rc, out, pts = points(spec, sb + '.trace')
    if rc != 0 and not spec.get('rc_any'):
        print('not ok %s: the clean run under strace exits %d' % (label, rc))
        print('# ' + out.replace('\n', '\n# '))
        return
    post = tree(sb + '/vpopmail'), tree(sb + '/qmail')
    for v, vin in spec.get('verify', [])[-1:]:
        vrc, vout = run(v, vin)
        if vrc != 0:
            print('not ok %s: verify fails after a clean run: %s' % (label, vout.strip()))
    # same (name, n) from two tracees: one run covers both
    seen, todo = set(), []
    for name, n, pid, rest in pts:
        if (name, n) not in seen:
            seen.add((name, n))
            todo.append((name, n, rest))
    mp = spec.get('max_points', 0)
    if mp and len(todo) > mp:
        step = len(todo) / mp
        todo = [todo[int(i * step)] for i in range(mp)]
    print('# %s: %d kill points' % (label, len(todo)))
    for name, n, rest in todo:
        desc = '%s: killed at %s #%d (%s)' % (label, name, n, rest.split(', ')[0][:70])
        restore(spec)
        krc, kout = run(spec['strace'] + ['-f', '-qq', '-o', '/dev/null', '-e',
                        'inject=%s:signal=KILL:when=%d' % (name, n)] + spec['cmd'],
                        spec.get('stdin'))
        errs, notes = [], []
        if krc != 128 + 9 and krc != -9:
            notes.append('not killed (exit %d): %s' % (krc, kout.strip()[:200]))
        st = tree(sb + '/vpopmail'), tree(sb + '/qmail')
        e1, w1 = check(st[0], pre[0], post[0], sb + '/vpopmail', sql, False)
        e1b, _ = check(st[1], pre[1], post[1], sb + '/qmail', sql, False)
        errs += ['after the kill: ' + e for e in e1 + e1b]
        ver = spec.get('verify', [])
        if len(ver) > 1 and not any(run(v, vin)[0] == 0 for v, vin in ver):
            errs.append('after the kill: no verify command succeeds')
        for v, vin in spec.get('refuse', []):
            vrc, vout = run(v, vin)
            if vrc == 0:
                errs.append('after the kill: %s %s succeeds' % (os.path.basename(v[0]), ' '.join(v[1:])))
        for argv, allowed, rin in spec['rerun']:
            rrc, rout = run(argv, rin)
            if allowed is not None and rrc not in allowed:
                errs.append('rerun %s: exit %d (want %s): %s' % (' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv)), rrc, allowed, rout.strip()[:300]))
        if ver:
            vrc, vout = run(ver[-1][0], ver[-1][1])
            if vrc != 0:
                errs.append('after the rerun: %s fails: %s' % (ver[-1][0][0], vout.strip()[:200]))
        for v, vin in spec.get('refuse', []):
            if run(v, vin)[0] == 0:
                errs.append('after the rerun: %s %s succeeds' % (os.path.basename(v[0]), ' '.join(v[1:])))
        if spec.get('lookup'):
            run(spec['lookup'], '')
        st = tree(sb + '/vpopmail'), tree(sb + '/qmail')
        e2, _ = check(st[0], pre[0], post[0], sb + '/vpopmail', sql, True)
        e2b, _ = check(st[1], pre[1], post[1], sb + '/qmail', sql, True)
        errs += ['after the rerun: ' + e for e in e2 + e2b]
        kw = known(label, errs, w1)
        if errs and kw:
            print('not ok %s # TODO %s' % (desc, '; '.join(kw)))
        else:
            print(('not ok ' if errs else 'ok ') + desc)
        for e in errs + ['(window) ' + w for w in w1] + notes:
            print('# ' + e)
        sys.stdout.flush()


# ------------------------------------------------------------------ errno mode
# "mode": "errno" in SPEC: instead of a kill, the n-th call fails with an
# error (strace -e inject=SC:error=E:when=N): EIO for every call, ENOSPC
# too for the calls that a full disk fails.  The command lives on, so it
# must clean up: exit 0 only with the clean run's state; otherwise a
# message that says what failed, and the old state or (a failure after
# the commit point) the new one, never a mix; no temporary file; then the
# reruns bring the clean run's state as in the kill mode.
ERRNO_CALLS = ['openat', 'open', 'creat', 'write', 'writev', 'pwrite64', 'fsync',
               'fdatasync', 'rename', 'renameat', 'renameat2', 'link', 'linkat',
               'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'rmdir', 'ftruncate',
               'fchown', 'lchown', 'fchownat', 'close']
ENOSPC_CALLS = ('openat', 'open', 'creat', 'write', 'writev', 'pwrite64', 'fsync',
                'fdatasync', 'mkdir', 'mkdirat')
SUCCESS = re.compile(r'(?i)\bsuccess')
# Known problems of the errno mode, as KNOWN (the exit line counts as a
# trigger): a point whose every error they explain is a TODO.
ERRNO_KNOWN = [
    (re.compile(r'^vadduser'), re.compile(r'^exit 233: Failed to create create lastauth'),
     re.compile(r"owned otherwise than by a clean run: [^ ]*/lastauth \([^)]*\)$"),
     'vadduser (5.6): lastauth that cannot be written is an error (233) after the user is '
     'added; a lastauth whose fchown failed stays, owned by root'),
    (re.compile(r'^vadddomain'), re.compile(r'^exit 0: .*Error: \(vadduser\)'),
     re.compile(r"^exit 0, but the state is not a clean run's"),
     'spec 8.1 [obs]: when the postmaster cannot be added, vadddomain removes the '
     'domain again and exits 0 (the removal\'s status)'),
    (re.compile(r'^vdeldomain'), re.compile(r"Failed to delete domain from qmail's control files"),
     re.compile(r"neither the old nor the new one"),
     'vdeldomain that cannot rewrite rcpthosts or virtualdomains stops before users/assign: '
     'the names already taken out of the other control file stay out (the domain is whole, '
     'and still in users/assign) until the rerun finishes it'),
    (re.compile(r'^vdeldomain'), re.compile(r'Failed to delete directory tree'),
     re.compile(r"vdeldomain-running|exit 0, but the state|: no vpasswd$|: user [^ ]+ without "),
     'spec 8.2: vdeldomain exits 0 (a warning) when the domain tree cannot be removed; '
     'what is left is marked, and the next vdeldomain of the name removes it'),
    (re.compile(r'^vdeldomain'), re.compile(r'Failed to delete domain from the assign file'),
     re.compile(r"neither the old nor the new one|morercpthosts"),
     'vdeldomain that cannot rewrite users/assign stops after removing the names from '
     'rcpthosts and virtualdomains (the domain is whole, but not in them) until the rerun'),
    (re.compile(r'^(vdeluser|vdeldomain|vadduser -f)'), re.compile(r"^exit 0, but the state is not a clean run's: ~" + re.escape(DOMS) + r"/(example\.com/)?\.dir-control$"),
     re.compile(r"\.dir-control( \(.*\))?$"),
     'vdeluser, vdeldomain and vadduser -f exit 0 without a word when .dir-control '
     'cannot be rewritten (its user or domain count stays off)'),
]


def norm(t, fault=False):
    """A tree as others see it: hashes masked, mail readers' tmp/ left
    out, lastauth's first line only (see check()), an empty
    .dir_control_free (it lists nothing) left out, and in .dir-control
    the third number of line 6 (every rewrite copies the second one
    there, 5.6's quirk).  With fault=True, for a state a failed command
    leaves: no lastauth (accepted missing: "never logged in"), no
    .dir_control_free and no empty hash directory (a failed add gives
    its place back: the next add takes it)."""
    out = {}
    for r, (ty, b) in t.items():
        if MAILDIR_TMP.search(r):
            continue
        if ty == 'f':
            b = mask(b)
            if LASTAUTH.search(r):
                if fault:
                    continue
                b = b.split(b'\n')[0]
            if FREELIST.search(r) and (fault or b == b''):
                continue
            if r == 'control/morercpthosts' and b == b'':
                continue
            if os.path.basename(r) == '.dir-control' and fault:
                # a failed add gives its place back (the count; the hash
                # position taken stays, offered again through
                # .dir_control_free): the count is compared; the
                # rerun's result shows whether a position was lost
                b = b.split(b'\n')[0]
            elif os.path.basename(r) == '.dir-control':
                l = b.split(b'\n')
                if len(l) > 5:
                    x = l[5].split(b' ')
                    if len(x) == 3:
                        l[5] = b' '.join(x[:2] + x[1:2])
                b = b'\n'.join(l)
        out[r] = (ty, b)
    if fault:
        for r, (ty, b) in list(out.items()):
            if ty == 'd' and len(os.path.basename(r)) == 1 and \
                    not any(x.startswith(r + '/') for x in out):
                del out[r]
    return out


def diff_trees(a, b):
    d = []
    for r in sorted(set(a) | set(b)):
        if a.get(r) != b.get(r):
            if r not in a:
                d.append('+' + r)
            elif r not in b:
                d.append('-' + r)
            else:
                d.append('~' + r)
    return d


def owners(root):
    """{relative path: uid:gid} of a tree (lock files left out)."""
    out = {}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            if n.endswith('.lock'):
                continue
            p = os.path.join(dp, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = '%d:%d' % (st.st_uid, st.st_gid)
    return out


def owner_errs(now, pre, post, frc):
    """Paths of a state owned otherwise than in a clean run (or, after a
    failure, than before it for what was there before)."""
    bad = []
    for r, o in sorted(now.items()):
        want = post.get(r) if frc == 0 or r not in pre else pre.get(r)
        if frc != 0 and r in post and post[r] == o:
            continue
        if want is not None and want != o:
            bad.append('%s (%s, want %s)' % (r, o, want))
    return bad


def errno_known(label, errs, notes):
    why, left = set(), list(errs)
    for lrx, trig, expl, reason in ERRNO_KNOWN:
        if lrx.search(label) and any(trig.search(m) for m in errs + notes):
            why.add(reason)
            left = [m for m in left if not expl.search(m)]
    return sorted(why) if not left else []


def errno_points(spec, log):
    top = os.path.dirname(spec['sb'])
    restore(spec)
    rc, out = run(spec['strace'] + ['-f', '-qq', '-y', '-o', log] + spec['cmd'], spec.get('stdin'))
    pts, count = [], {}
    for line in open(log, encoding='latin-1'):
        m = re.match(r'(\d+) +([a-z0-9_]+)\((.*)', line)
        if not m:
            continue
        pid, name, rest = m.group(1), m.group(2), m.group(3)
        count[(pid, name)] = count.get((pid, name), 0) + 1
        if name not in ERRNO_CALLS:
            continue
        if name in ('openat', 'open') and not OPEN_WRITE.search(rest):
            continue
        if name == 'close' and ' = -1' in rest:
            continue
        # calls on the sandbox's files only (not the loader's, not stdout)
        paths = re.findall(r'[<"](/[^">]*)', rest)
        if not any(x.startswith(top) for x in paths):
            continue
        pts.append((name, count[(pid, name)], pid, rest[:110]))
    return rc, out, pts


def main_errno():
    sb = spec['sb']
    sql = spec.get('sql', 0)
    label = spec['label']
    restore(spec)
    pre = tree(sb + '/vpopmail'), tree(sb + '/qmail')
    rc, out, pts = errno_points(spec, sb + '.trace')
    if rc != 0:
        print('not ok %s: the clean run under strace exits %d' % (label, rc))
        print('# ' + out.replace('\n', '\n# '))
        return
    post = tree(sb + '/vpopmail'), tree(sb + '/qmail')
    opost = owners(sb + '/vpopmail')
    restore(spec)
    opre = owners(sb + '/vpopmail')
    npre, npost0 = norm(pre[0]), norm(post[0])
    npreq, npostq0 = norm(pre[1]), norm(post[1])
    seen, todo = set(), []
    for name, n, pid, rest in pts:
        for e in ('EIO', 'ENOSPC') if name in ENOSPC_CALLS else ('EIO',):
            if (name, n, e) not in seen:
                seen.add((name, n, e))
                todo.append((name, n, e, rest))
    mp = spec.get('max_points', 0)
    if mp and len(todo) > mp:
        step = len(todo) / mp
        todo = [todo[int(i * step)] for i in range(mp)]
    print('# %s: %d fault points' % (label, len(todo)))
    skips = [(re.compile(rx), why) for rx, why in spec.get('skip', [])]
    for name, n, err, rest in todo:
        desc = '%s: %s #%d fails with %s (%s)' % (label, name, n, err, rest[:80])
        sk = [why for rx, why in skips if rx.search(name + '(' + rest)]
        if sk:
            print('ok %s # SKIP %s' % (desc, sk[0]))
            continue
        restore(spec)
        frc, fout = run(spec['strace'] + ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=' + name,
                        '-e', 'inject=%s:error=%s:when=%d' % (name, err, n)] + spec['cmd'],
                        spec.get('stdin'))
        errs, notes = [], ['exit %d: %s' % (frc, fout.strip().replace('\n', ' | ')[:600])]
        st = tree(sb + '/vpopmail'), tree(sb + '/qmail')
        ob = owner_errs(owners(sb + '/vpopmail'), opre, opost, frc)
        ob = [x for x in ob if not any(re.search(rx, x) for rx in spec.get('owner_ok', []))]
        if ob:
            errs.append('%s, but owned otherwise than by a clean run: %s' %
                        ('exit 0' if frc == 0 else 'failed', ' '.join(ob[:4])))
        ns, nsq = norm(st[0]), norm(st[1])
        fs, fsq = norm(st[0], True), norm(st[1], True)
        fpre, fpreq = norm(pre[0], True), norm(pre[1], True)
        fpost, fpostq = norm(post[0], True), norm(post[1], True)
        # a temp whose removal was the failing call: the next writer of
        # the file sweeps it (nothing else can be done)
        def nopid(n):
            return re.sub(r'[0-9]+$', '', n)
        stuck = set()
        if name in ('unlink', 'unlinkat'):
            for r in list(st[0]) + list(st[1]):
                b = os.path.basename(r)
                if TEMP.search(b) and nopid(b) in rest:
                    stuck.add(b)
                    notes.append('(accepted) the failed unlink leaves %s' % r)
        # an index older than its vpasswd (or none) is rebuilt by the next
        # lookup: vpasswd.cdb is then not compared
        stale = set()
        for dd in domain_dirs(st[0]):
            cp = os.path.join(sb, 'vpopmail', dd, 'vpasswd.cdb')
            vp = os.path.join(sb, 'vpopmail', dd, 'vpasswd')
            if os.path.exists(vp) and (not os.path.exists(cp) or
                                       os.stat(cp).st_mtime_ns < os.stat(vp).st_mtime_ns):
                stale.add(os.path.join(dd, 'vpasswd.cdb'))
                notes.append('(accepted) %s/vpasswd.cdb is older than vpasswd (or missing)' % dd)
        # a user directory marked by vdeluser whose record is gone: the
        # removal of the record is the commit point; the next removal (the
        # rerun) or add of the name finishes it
        marked = set()
        if frc != 0:
            for r in st[0]:
                if DEL_MARK.search(r):
                    ud = os.path.dirname(r)
                    marked.add(ud)
                    notes.append('(accepted) %s is marked for removal' % ud)
        def drop(t, q=False):
            for r in list(t):
                if os.path.basename(r) in stuck or (not q and (r in stale or any(
                        r == m or r.startswith(m + '/') for m in marked))):
                    del t[r]
        npost, npostq = dict(npost0), dict(npostq0)
        for t in (ns, fs, fpre, fpost, npost):
            drop(t)
        for t in (nsq, fsq):
            drop(t, True)
        if frc == 0:
            # maildirsize is a cache of the quota and the usage: a missing
            # one is made again by the next delivery
            for r in list(npost):
                if r.endswith('/Maildir/maildirsize') and r not in ns:
                    notes.append('(accepted) %s is missing' % r)
                    ns[r] = npost[r]
        is_new = not (diff_trees(fpost, fs) + diff_trees(fpostq, fsq))
        if frc == 0:
            d = diff_trees(npost, ns) + diff_trees(npostq, nsq)
            if d:
                errs.append('exit 0, but the state is not a clean run\'s: %s' % ' '.join(d[:8]))
        else:
            if not fout.strip() and not spec.get('silent'):
                errs.append('exit %d without a message' % frc)
            elif SUCCESS.search(fout):
                errs.append('exit %d with a message of success: %s' % (frc, fout.strip()[:200]))
            if frc < 0:
                errs.append('died (signal %d)' % -frc)
            dold = diff_trees(fpre, fs) + diff_trees(fpreq, fsq)
            dnew = diff_trees(fpost, fs) + diff_trees(fpostq, fsq)
            if dold and dnew and not spec.get('partial'):
                # a stale vpasswd.cdb (older than vpasswd) is rebuilt by the next lookup
                older = []
                for dd in domain_dirs(st[0]):
                    cp = os.path.join(sb, 'vpopmail', dd, 'vpasswd.cdb')
                    vp = os.path.join(sb, 'vpopmail', dd, 'vpasswd')
                    if os.path.exists(cp) and os.path.exists(vp) and \
                            os.stat(cp).st_mtime_ns < os.stat(vp).st_mtime_ns:
                        older.append('~' + dd + '/vpasswd.cdb')
                dn = [x for x in dnew if x not in older]
                if dn:
                    errs.append('failed, and the state is neither the old nor the new one: '
                                'vs old: %s; vs new: %s' % (' '.join(dold[:8]), ' '.join(dnew[:8])))
        e1, w1 = check(st[0], pre[0], post[0], sb + '/vpopmail', sql, False)
        e1b, _ = check(st[1], pre[1], post[1], sb + '/qmail', sql, False)
        if spec.get('partial'):
            # a bulk add stops at the failing line: the users before it are
            # added (whole files, users and directories in step)
            e1 = [e for e in e1 if 'neither the old nor the new content' not in e]
        e1 = [e for e in e1 if os.path.basename(e.split(':')[0]) not in stuck and
              not FREELIST.search(e.split(':')[0]) and not FREELIST.search(e) and
              not ('vpasswd.cdb' in e and any(x[:-len('/vpasswd.cdb')] + ':' in e or x in e for x in stale)) and
              not any(e.endswith('directory %s belongs to no user' % m) for m in marked)]
        # a domain that is not there (the old state of an add, the new of
        # a removal) has no vpasswd
        e1 = [e for e in e1 if not (e.endswith(': no vpasswd') and
                                    e[:-len(': no vpasswd')] not in st[0])]
        errs += ['after the fault: ' + e for e in e1 + e1b]
        left = [r for r in list(st[0]) if (TEMP.search(os.path.basename(r)) or
                (ASIDE.search(r) and not ASIDE.search(r).group(3))) and
                os.path.basename(r) not in stuck]
        left += ['qmail/' + r for r in st[1] if TEMP.search(os.path.basename(r)) and
                 os.path.basename(r) not in stuck]
        if left:
            errs.append('left behind: %s' % ' '.join(sorted(left)[:6]))
        for w in w1:
            if FREELIST.search(w) or (name.startswith('unlink') and stuck and any(x in w for x in stuck)):
                continue
            if 'vpasswd.cdb older than vpasswd' not in w and 'set aside' not in w and \
                    not any(w.endswith('directory %s belongs to no user' % m) for m in marked):
                errs.append('after the fault: ' + w)
        for rr in spec['rerun']:
            argv, allowed, rin = rr[:3]
            # "already exists" (rr[3]) is the right answer when the faulted
            # run made the change
            if allowed is not None and is_new and len(rr) > 3:
                allowed = allowed + rr[3]
            rrc, rout = run(argv, rin)
            if allowed is not None and rrc not in allowed:
                errs.append('rerun %s: exit %d (want %s): %s' % (' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv)), rrc, allowed, rout.strip()[:300]))
        ver = spec.get('verify', [])
        if ver:
            vrc, vout = run(ver[-1][0], ver[-1][1])
            if vrc != 0:
                errs.append('after the rerun: %s fails: %s' % (ver[-1][0][0], vout.strip()[:200]))
        if spec.get('lookup'):
            run(spec['lookup'], '')
        st = tree(sb + '/vpopmail'), tree(sb + '/qmail')
        e2, _ = check(st[0], pre[0], post[0], sb + '/vpopmail', sql, True)
        e2b, _ = check(st[1], pre[1], post[1], sb + '/qmail', sql, True)
        # (spec 2.5: a removal that finds nothing in rcpthosts makes an
        # empty morercpthosts: the same as none)
        if st[1].get('control/morercpthosts') == ('f', b''):
            e2b = [e for e in e2b if 'control/morercpthosts' not in e]
        e2 = [e for e in e2 if not (e.endswith(': no vpasswd') and
                                    e[:-len(': no vpasswd')] not in st[0])]
        e2 = [e for e in e2 + e2b if not any(x in e for x in stuck)]
        e2b = []
        errs += ['after the rerun: ' + e for e in e2 + e2b]
        d = diff_trees(npost0, norm(st[0])) + diff_trees(npostq0, norm(st[1]))
        d = [x for x in d if os.path.basename(x[1:]) not in stuck]
        # a lastauth missing or empty reads as "never logged in": an add
        # that failed writing it (after its record, as 5.6) leaves it so
        d = [x for x in d if not (LASTAUTH.search(x) and
                                  st[0].get(x[1:], ('f', b''))[1] in (b'', None))]
        if d:
            errs.append('after the rerun: not a clean run\'s state: %s' % ' '.join(d[:8]))
            if os.environ.get('ERRINJ_DEBUG'):
                for x in d[:2]:
                    notes.append('  clean: %r now: %r' % (npost0.get(x[1:]), norm(st[0]).get(x[1:])))
        kw = errno_known(label, errs, notes)
        if errs and kw:
            print('not ok %s # TODO %s' % (desc, '; '.join(kw)))
        else:
            print(('not ok ' if errs else 'ok ') + desc)
        for e in errs + notes:
            print('# ' + e)
        sys.stdout.flush()


if spec.get('mode') == 'errno':
    main_errno()
else:
    main()
