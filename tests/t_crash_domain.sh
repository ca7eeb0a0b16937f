#!/bin/bash
# t_crash_domain.sh - the domain-level writers killed (kill -9) at each of
# their state-changing system calls in turn.  A reference run under strace
# lists the calls of the command's own process that change something or
# cannot be taken back (openat for writing, write, rename, unlink, mkdir,
# rmdir, fsync, flock, fchmod, chown, fork of a child, ...); then, for each
# (call, n), a fresh sandbox gets the same command with SIGKILL injected on
# entry to the n-th such call (strace counts per system call and per
# process).  After each kill:
#   - every file other programs read parses completely (users/assign,
#     users/cdb, vpasswd(.cdb), morercpthosts.cdb, .dir-control) and
#     rcpthosts, morercpthosts and virtualdomains are sorted, duplicate-free;
#   - the domains the command does not touch are untouched;
#   - either the operation happened whole, or not at all, or the state is
#     one that rerunning the command (or, failing that, its inverse)
#     repairs: the rerun succeeds and leaves every index agreeing with its
#     file (users/cdb, morercpthosts.cdb, vpasswd.cdb), no temporary file,
#     and the domain whole or gone;
#   - and the same domain can then be removed and added again.
# A kill here models a process that dies, not a machine that stops: the
# commands' fsyncs need no disk (on tmpfs the sweep takes half the time).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; fi
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vdeldomain vaddaliasdomain vadduser vuserinfo vmoddomlimits vipmap

require_strace

# ------------------------------------------------------------ the checker
# crashcheck.py VH QH: prints one line per problem: "T <text>" for a torn
# or unsorted file (never allowed), "W <text>" for an index that disagrees
# with its file or a route to a missing directory (allowed just after a
# kill if the rerun repairs it).  Then "S <name> <flags>" per name given
# with -s NAME: a assign line, c users/cdb record, r rcpthosts or
# morercpthosts, v virtualdomains, d directory, p postmaster in vpasswd
# (each letter, or '-').
cat > "$T0/crashcheck.py" <<'PYEOF'
import os, re, sys
sys.path.insert(0, os.path.dirname(sys.argv[0]))
from vph import *  # noqa: F401,F403  (the tests' helpers: read_cdb, newu_records, ...)
# the build's names (configure's --enable-domains-dir, --enable-qmail-cdb-name)
DOMS, UCDB = os.environ['VP_DOMAINS_DIRNAME'], os.environ['VP_USERS_CDB_NAME']

def check(vh, qh, names):
    out = []
    def T(m): out.append('T ' + m)
    def W(m): out.append('W ' + m)
    def rd(p):
        try:
            return open(p, 'rb').read()
        except FileNotFoundError:
            return None

    assign = os.path.join(qh, 'users/assign')
    ucdb = os.path.join(qh, 'users', UCDB)
    arecs = None
    if rd(assign) is not None:
        try:
            arecs = newu_records(assign)
        except ValueError as e:
            T('users/assign: %s' % e)
    ckeys = {}
    if rd(ucdb) is not None:
        try:
            ckeys = dict((k, d) for k, d, p in read_cdb(ucdb))
        except ValueError as e:
            T('users/cdb: %s' % e)
        if arecs is not None and make_cdb(arecs) != rd(ucdb):
            W('users/cdb does not match users/assign')
    elif arecs is not None and len(arecs) > 1:
        W('users/assign without users/cdb')

    def sorted_ok(rel, vd):
        data = rd(os.path.join(qh, rel))
        if data is None:
            return []
        ls = [l for l in data.decode('latin-1').split('\n') if l != '']
        if data and not data.endswith(b'\n'):
            T('%s does not end with a newline' % rel)
        nm = [l.split(':', 1)[0] for l in ls] if vd else ls
        keys = [sort_key(n) for n in nm]
        if keys != sorted(keys):
            T('%s not sorted: %s' % (rel, nm))
        if len(set(nm)) != len(nm):
            T('%s has duplicates: %s' % (rel, nm))
        if vd:
            for l in ls:
                if not re.match(r'^[^:]+:[^:]+$', l):
                    T('virtualdomains line %r' % l)
        return nm

    rcpt = sorted_ok('control/rcpthosts', False)
    more = sorted_ok('control/morercpthosts', False)
    vdom = sorted_ok('control/virtualdomains', True)
    mrh = os.path.join(qh, 'control/morercpthosts')
    mcdb = mrh + '.cdb'
    if rd(mcdb) is not None:
        try:
            read_cdb(mcdb)
        except ValueError as e:
            T('morercpthosts.cdb: %s' % e)
        if rd(mrh) is None or make_cdb(newmrh_records(mrh)) != rd(mcdb):
            W('morercpthosts.cdb does not match morercpthosts')
    elif more:
        W('morercpthosts without morercpthosts.cdb')

    # every vpasswd against its vpasswd.cdb, every .dir-control
    dctl = re.compile(r'^\d+\n\d+\n\d+\n\d+ \d+ \d+\n\d+ \d+ \d+\n\d+ \d+ \d+\n\d+ \d+ \d+\n[0-9/]*\n$')
    for top, dirs, files in os.walk(os.path.join(vh, DOMS)):
        dirs[:] = [x for x in dirs if not re.match(r'^\..*\.deleted\.\d+$', x)]
        if '.dir-control' in files:
            t = (rd(os.path.join(top, '.dir-control')) or b'').decode('latin-1')
            if not dctl.match(t):
                T('%s/.dir-control: %r' % (top, t))
        if 'vpasswd' in files or 'vpasswd.cdb' in files:
            vp, vc = os.path.join(top, 'vpasswd'), os.path.join(top, 'vpasswd.cdb')
            lines = rd(vp) or b''
            if lines and not lines.endswith(b'\n'):
                T('%s does not end with a newline' % vp)
            vpd = {}
            for l in lines.split(b'\n')[:-1]:
                if l.count(b':') < 6:
                    T('torn line in %s: %r' % (vp, l))
                k, v = l.split(b':', 1)
                vpd[k] = v
            cd = {}
            if rd(vc) is not None:
                try:
                    cd = dict((k, v) for k, v, p in read_cdb(vc))
                except ValueError as e:
                    T('%s: %s' % (vc, e))
            if cd != vpd:
                W('%s does not match vpasswd' % vc)

    # the routes: every real domain in users/assign has its directory
    routes = {}
    if arecs is not None:
        for line in rd(assign).decode('latin-1').split('\n'):
            if line.startswith('+') and ':' in line:
                n, rest = line.split(':', 1)
                f = rest.split(':')
                routes[n[1:-1]] = f
                if not os.path.isdir(f[3]):
                    W('users/assign routes %s to missing %s' % (n[1:-1], f[3]))

    for n in names:
        if n.startswith('file:'):
            # a file's state: its sha256, or "missing"
            import hashlib
            b = rd(n[5:].replace('@VH', vh))
            out.append('S %s %s' % (n, 'missing' if b is None else hashlib.sha256(b).hexdigest()[:16]))
            continue
        f = ''
        f += 'a' if n in routes else '-'
        f += 'c' if ('!%s-' % n).encode() in ckeys else '-'
        f += 'r' if n in rcpt or n in more else '-'
        f += 'v' if n in vdom else '-'
        d = routes[n][3] if n in routes else os.path.join(vh, DOMS, n)
        f += 'd' if os.path.isdir(d) else '-'
        if os.environ.get('VP_CRASH_SQL') == '1':
            # the users are in the database: not looked at here
            f += 'p' if os.path.isdir(d) else '-'
        else:
            f += 'p' if re.search(rb'^postmaster:', rd(os.path.join(d, 'vpasswd')) or b'', re.M) else '-'
        out.append('S %s %s' % (n, f))
    return out

for req in sys.stdin:
    a = req.split()
    try:
        print('\n'.join(check(a[0], a[1], a[2:])))
    except Exception as e:
        print('T the checker failed: %r' % e)
    print('END', flush=True)
PYEOF
# One checker process answers every check (a python start costs more
# than a whole kill run here).
coproc CKP { VP_CRASH_SQL=$SQL VP_DOMAINS_DIRNAME=$DOMAINS_DIRNAME VP_USERS_CDB_NAME=$USERS_CDB_NAME exec "$PYTHON" -u "$T0/crashcheck.py" 2>&1; }
CLEANUP_PIDS="$CLEANUP_PIDS $CKP_PID"
# check [NAME...]: sets CK (all lines), CK_T (torn), CK_W (window), CK_S.
check() {
	local l got=0
	CK=
	echo "$VH $QH $*" >&"${CKP[1]}"
	while IFS= read -r l <&"${CKP[0]}"; do
		[ "$l" = END ] && { got=1; break; }
		CK+=$l$'\n'
	done
	[ "$got" = 1 ] || CK+=$'T the checker stopped\n'
	CK=${CK%$'\n'}
	CK_T=$(grep -v '^[WS] ' <<<"$CK")
	CK_W=$(grep '^W ' <<<"$CK")
	CK_S=$(sed -n 's/^S //p' <<<"$CK" | tr '\n' ' ')
}

# ------------------------------------------------------------ the sweep
# points LOG: "syscall n" for each state-changing call of the first process
# in LOG (n counts that process's calls of that name, as strace does).
# A call that follows one whose effect no other program sees (an fsync,
# a chown or chmod as root, an unlock, a write into a temporary file not
# renamed yet) is left out: a kill there leaves what a kill at the call
# before leaves.  So there is a kill after each change of a name, a
# directory or a lock, and before the first change.  In a SQL run a write
# (or sendto) may be a statement to the server: the call after each one
# is a kill point too.
points() {
	awk -v sql="$SQL" '
	NR == 1 { main = $1 }
	$1 != main { next }
	{
		if (!match($2, /^[a-z0-9_]+\(/)) next
		s = substr($2, 1, RLENGTH - 1); k[s]++
		if (s == "openat" || s == "open") {
			if ($0 !~ /O_CREAT|O_WRONLY|O_RDWR|O_TRUNC/) next
		} else if (s !~ /^(write|writev|pwrite64|rename|renameat|renameat2|link|linkat|unlink|unlinkat|mkdir|mkdirat|rmdir|fsync|fdatasync|ftruncate|flock|fchown|fchownat|lchown|chown|fchmod|chmod|fchmodat|symlink|symlinkat|clone|fork|vfork|utimensat|sync_file_range|sendto|sendmsg)$/) next
		if (!quiet) print s, k[s]
		quiet = s ~ /^(fsync|fdatasync|flock|fchown|fchownat|lchown|chown|fchmod|chmod|fchmodat|utimensat|sync_file_range)$/ || (sql != 1 && s ~ /^(write|writev|pwrite64)$/) || $0 ~ /= -1 E/
	}' "$1"
}

# sweep TAG PREP WANT_DONE WANT_UNDONE INVERSE WATCH BYSTANDER -- CMD ARGS...
#   PREP: function making the starting state in a fresh sandbox;
#   WANT_DONE / WANT_UNDONE: the flags (see check) of the names in WATCH
#   once the command ran / if it did not; INVERSE: command (words) that
#   undoes it; BYSTANDER: "name flags" of a domain that must stay as it is.
#   The checks after the last kill (a new add/remove of the same domain)
#   are done by AFTER, a function (may be empty).
SWEEP_MAX=${CRASH_SWEEP_MAX:-0}	# >0: only the first N points (debugging)
sweep() {
	local tag=$1 prep=$2 done_st=$3 undone_st=$4 inverse=$5 watch=$6 bystander=$7 after=$8
	shift 9
	local pts n=0 win torn=0 bystand=0 unrepaired=0 left=0 notkilled=0 afterbad=0 windows=0 name k st rc
	# The starting state is made once and copied back before each kill
	# (its paths are absolute: same place); in a SQL run it is made again
	# in a new sandbox (and database) each time.
	sandbox_new; $prep
	[ "$SQL" = 1 ] || cp -a "$SB" "$SB.tpl"
	# "auto": the states before and after the reference run
	check $watch
	[ "$undone_st" = auto ] && undone_st=${CK_S% }
	( cd "$SB" && $NOLSAN strace -f -o "$SB.log" "$(bin_path "$1")" "${@:2}" ) > /dev/null 2>&1
	check $watch
	[ "$done_st" = auto ] && done_st=${CK_S% }
	[ "$done_st" != "$undone_st" ] || fail "$tag: the reference run changes something"
	if [ "$CK_S" != "$done_st " ] || [ -n "$CK_T$CK_W" ]; then
		fail "$tag: the reference run leaves the wanted state"; diag "$CK"
	fi
	pts=$(points "$SB.log")
	while read -r name k; do
		[ -n "$name" ] || continue
		n=$((n + 1))
		[ "$SWEEP_MAX" -gt 0 ] && [ "$n" -gt "$SWEEP_MAX" ] && break
		if [ "$SQL" = 1 ]; then sandbox_new; $prep
		else rm -rf "$SB"; cp -a "$SB.tpl" "$SB"; fi
		# (the outer subshell reaps it: bash's "Killed" goes to /dev/null)
		( ( cd "$SB" && exec $NOLSAN strace -f -o /dev/null -e trace="$name" \
			-e inject="$name:signal=KILL:when=$k" "$(bin_path "$1")" "${@:2}" ) > "$SB.out" 2>&1; exit $? ) 2>/dev/null
		rc=$?
		if [ "$rc" != 137 ]; then
			notkilled=$((notkilled + 1)); diag "$tag: $name #$k: not killed (exit $rc)"
			continue
		fi
		check $watch ${bystander%% *}
		if [ -n "$CK_T" ]; then
			torn=$((torn + 1)); diag "$tag: killed at $name #$k:" "$CK_T"
		fi
		if [ -n "$bystander" ] && [[ " $CK_S" != *" $bystander "* ]]; then
			bystand=$((bystand + 1)); diag "$tag: killed at $name #$k: $bystander became: $CK_S"
		fi
		st=${CK_S% ${bystander%% *} *}; st=${st% }
		win=0
		if [ -n "$CK_W" ] || { [ "$st " != "$done_st " ] && [ "$st " != "$undone_st " ]; }; then
			# A window: the rerun must repair it (a rerun that fails, the
			# inverse; vdeldomain's inverse cannot bring its users back).
			win=1
			windows=$((windows + 1))
			local why="state $st ${CK_W:+/ $CK_W}" rr=rerun
			run "$@"
			check $watch
			st=${CK_S% }
			if [ -n "$CK_T$CK_W" ] || { [ "$st " != "$done_st " ] && [ "$st " != "$undone_st " ]; }; then
				rr="rerun exit $RC ($(head -c 120 <<<"$ERR$OUT" | tr '\n' ' ')), inverse"
				# shellcheck disable=SC2086
				run $inverse
				check $watch
				st=${CK_S% }
			fi
			if [ -n "$CK_T$CK_W" ] || { [ "$st " != "$done_st " ] && [ "$st " != "$undone_st " ]; }; then
				unrepaired=$((unrepaired + 1))
				diag "$tag: killed at $name #$k ($why): $rr exit $RC leaves $st" ${CK_T:+"$CK_T"} ${CK_W:+"$CK_W"}
			fi
		elif [ -n "$(left_behind)" ]; then
			# only temporary files: the next run of the command (or
			# of its inverse) removes them
			win=1
			run "$@"
			[ "$RC" = 0 ] || run $inverse
		fi
		# A kill that left the old or the new state and nothing else
		# needs no more proof; otherwise the domain must work again, and
		# the next writers of each file must have removed what the
		# killed one left.
		if [ "$win" = 1 ] && [ -n "$after" ] && ! $after; then
			afterbad=$((afterbad + 1)); diag "$tag: killed at $name #$k: afterwards: $AFTER_WHY"
		fi
		if [ -n "$(left_behind)" ]; then
			left=$((left + 1))
			[ "$left" -le 3 ] && diag "$tag: killed at $name #$k: still left after the next runs: $(left_behind | sed "s|$SB/||" | tr '\n' ' ')"
		fi
	done <<<"$pts"
	diag "$tag: $n kill points, $windows left a partial state"
	if [ "$n" -ge 1 ]; then pass "$tag: $n state-changing system calls to kill at"
	else fail "$tag: $n state-changing system calls to kill at"; fi
	is "$notkilled" 0 "$tag: killed at each of them"
	is "$torn" 0 "$tag: after each kill every file parses completely, sorted, no duplicates"
	[ -n "$bystander" ] && is "$bystand" 0 "$tag: after each kill the other domain is untouched"
	is "$unrepaired" 0 "$tag: after each kill the state is old, new, or repaired by a rerun (indexes agree)"
	is "$left" 0 "$tag: what a killed writer left is gone once the files are written again"
	[ -n "$after" ] && is "$afterbad" 0 "$tag: after each kill the domain can be removed and added again"
}

# Temporary files, and trees a removal had put aside.
left_behind() { leftovers "$VH" "$QH"; find "$D" -name '.*.deleted.*' 2>/dev/null; }

# readd NAME: vdeldomain (if it is there) and vadddomain of NAME work and
# leave it whole, then vdeldomain removes it completely.
readd() {
	local n=$1
	run vdeldomain -f "$n"
	run vadddomain "$n" Secret123
	if [ "$RC" != 0 ]; then AFTER_WHY="vadddomain $n: exit $RC: $ERR$OUT"; return 1; fi
	check "$n"
	if [ "$CK_S" != "$n acrvdp " ] || [ -n "$CK_T$CK_W" ]; then AFTER_WHY="vadddomain $n leaves $CK_S $CK_T $CK_W"; return 1; fi
	# a user of the removed domain (prep_example's bob) does not come back
	run vuserinfo "bob@$n"
	if [ "$RC" = 0 ]; then AFTER_WHY="vadddomain $n: bob@$n is back"; return 1; fi
	run vdeldomain "$n"
	check "$n"
	if [ "$RC" != 0 ] || [ "$CK_S" != "$n ------ " ] || [ -n "$CK_T$CK_W" ]; then
		AFTER_WHY="vdeldomain $n: exit $RC, leaves $CK_S $CK_T $CK_W"; return 1
	fi
	return 0
}
after_example() { readd example.com; }
after_alias() {
	run vdeldomain alias.org
	run vaddaliasdomain example.com alias.org
	check alias.org
	if [ "$RC" != 0 ] || [ "$CK_S" != "alias.org acrvdp " ]; then AFTER_WHY="vaddaliasdomain: exit $RC, alias.org $CK_S $ERR"; return 1; fi
	run vdeldomain alias.org
	check alias.org
	if [ "$RC" != 0 ] || [ "$CK_S" != "alias.org ------ " ]; then
		AFTER_WHY="vdeldomain alias.org: exit $RC, leaves $CK_S"; return 1
	fi
	readd example.com
}

# ------------------------------------------------------------ starting states
# other.org with a user and an alias domain: the files are not empty.
prep_base() {
	setup vadddomain other.org Secret123
	setup vadduser carol@other.org Passw0rd
	setup vaddaliasdomain other.org other.net
}
prep_mrh() {	# 50 names in rcpthosts: the next goes to morercpthosts
	prep_base
	local i l=()
	for i in $(seq -w 1 48); do l+=("h$i.example.net"); done
	printf '%s\n' other.net other.org "${l[@]}" | sort -t. -k2 > "$QH/control/rcpthosts.new"
	# sorted by vpopmail's key (last two labels first)
	( cd "$QH/control" && "$PYTHON" -c '
import sys
ls = open("rcpthosts.new").read().split()
def k(n):
    l = [x for x in n.split(".") if x][:10]
    if len(l) >= 2: l = l[-2:] + l[:-2]
    return ".".join(l)
open("rcpthosts", "w").write("".join(x + "\n" for x in sorted(ls, key=k)))' && rm rcpthosts.new )
	printf 'more1.example.org\n' > "$QH/control/morercpthosts"
	vph mkmrh "$QH/control/morercpthosts" "$QH/control/morercpthosts.cdb"
}
prep_example() {	# example.com with users and an alias domain
	prep_base
	setup vadddomain example.com Secret123
	setup vadduser bob@example.com Passw0rd
	setup vadduser dave@example.com Passw0rd
	setup vaddaliasdomain example.com alias.org
}
prep_example_alias() {
	prep_base
	setup vadddomain example.com Secret123
	setup vadduser bob@example.com Passw0rd
}

prep_limits() {
	prep_example_alias
	setup vmoddomlimits -P 5 -Q 100 example.com
}
prep_ipmap() {
	prep_base
	setup vipmap -a 10.0.0.2 other.net
	setup vipmap -a 10.0.0.1 other.org
}

# A real domain's flags are "acrvdp"; an alias domain's directory is the
# real one's, so its d and p follow the real domain.
sweep "vadddomain" prep_base "example.com acrvdp" "example.com ------" \
	"vdeldomain example.com" "example.com" "other.org acrvdp" after_example \
	-- vadddomain example.com Secret123

# (In a SQL run, where every kill starts from a new database, these two
# differ from the first only in the files: left to the cdb runs.)
if [ "$SQL" = 1 ]; then
	skip "mysql backend: vadddomain -q -e -r and into morercpthosts touch the database like vadddomain"
else
	sweep "vadddomain -q -e -r" prep_base "example.com acrvdp" "example.com ------" \
		"vdeldomain example.com" "example.com" "other.org acrvdp" after_example \
		-- vadddomain -q 5000000 -e bob@other.org -r example.com

	sweep "vadddomain into morercpthosts" prep_mrh "example.com acrvdp" "example.com ------" \
		"vdeldomain example.com" "example.com" "other.org acrvdp" after_example \
		-- vadddomain example.com Secret123
fi

sweep "vdeldomain with users and an alias" prep_example "example.com ------ alias.org ------" \
	"example.com acrvdp alias.org acrvdp" "vadddomain example.com Secret123" "example.com alias.org" \
	"other.org acrvdp" after_example \
	-- vdeldomain -f example.com

sweep "vdeldomain of an alias domain" prep_example "alias.org ------" "alias.org acrvdp" \
	"vaddaliasdomain example.com alias.org" "alias.org" "example.com acrvdp" after_alias \
	-- vdeldomain alias.org

sweep "vaddaliasdomain" prep_example_alias "alias.org acrvdp" "alias.org ------" \
	"vdeldomain alias.org" "alias.org" "example.com acrvdp" after_alias \
	-- vaddaliasdomain example.com alias.org

# vmoddomlimits: .qmailadmin-limits is old or new, never torn; the other
# domain and the routes stay.  (With --enable-mysql-limits the limits
# are a table row: nothing to kill in a file.)
if has_define ENABLE_MYSQL_LIMITS; then
	skip "limits in the database (--enable-mysql-limits): vmoddomlimits writes no file"
else
	sweep "vmoddomlimits" prep_limits auto auto "vmoddomlimits -P 5 -Q 100 example.com" \
		"file:@VH/$DOMAINS_DIRNAME/example.com/.qmailadmin-limits example.com" "other.org acrvdp" "" \
		-- vmoddomlimits -P 9 -Q 200 -g pd example.com
	sweep "vmoddomlimits -D" prep_limits auto auto "vmoddomlimits -P 7 example.com" \
		"file:@VH/$DOMAINS_DIRNAME/example.com/.qmailadmin-limits example.com" "other.org acrvdp" "" \
		-- vmoddomlimits -D example.com
fi

# vipmap -a / -d: etc/ip_alias_map is old or new.
if has_define AUTH_MYSQL; then
	skip "the IP map is a table of the mysql backend: vipmap writes no file"
elif has_define IP_ALIAS_DOMAINS; then
	sweep "vipmap -a" prep_base auto auto "vipmap -d 10.0.0.1 other.org" \
		"file:@VH/etc/ip_alias_map" "other.org acrvdp" "" \
		-- vipmap -a 10.0.0.1 other.org
	sweep "vipmap -d" prep_ipmap auto auto "vipmap -a 10.0.0.1 other.org" \
		"file:@VH/etc/ip_alias_map" "other.org acrvdp" "" \
		-- vipmap -d 10.0.0.1 other.org
else
	skip "built without --enable-ip-alias-domains: vipmap writes nothing"
fi

done_testing
