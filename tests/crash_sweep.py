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


def mask(b):
    return HASH.sub(b'$HASH', b)


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


main()
