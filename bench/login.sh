#!/usr/bin/env bash
# bench/login.sh CDB_BUILDDIR MYSQL_BUILDDIR [USERS] [DOMAINS] [LOGINS]
#
# A POP login through vchkpw against USERS users (default 100,000) spread
# over DOMAINS domains (default 1,000), with the cdb module and with the
# MySQL module on the same data: the domains are made with vadddomain, the
# users written straight into each vpasswd (one precomputed SHA-512 hash,
# so the set-up does not spend minutes hashing) and indexed with vmkpasswd;
# the MySQL build then loads them with vconvert -c -m into a private
# MariaDB server (tests/mariadb-server.sh).  LOGINS (default 500) random
# users log in one after the other; the mean wall time per login is shown.
set -eu
cdbb=$(cd "$1" && pwd); myb=$(cd "$2" && pwd)
users=${3:-100000}; domains=${4:-1000}; logins=${5:-500}
src=$(cd "$(dirname "$0")/.." && pwd)
sb=$(mktemp -d /tmp/vpbench.XXXXXX)
mdb=$sb/mariadb
cleanup() { "$src/tests/mariadb-server.sh" stop "$mdb" >/dev/null 2>&1 || true; rm -rf "$sb"; }
trap cleanup EXIT
mkdir -p "$sb/vh/etc" "$sb/vh/domains" "$sb/qh/users" "$sb/qh/control" "$sb/qh/bin"
cp "$src/etc/vlimits.default" "$sb/vh/etc/"
export VPOPMAIL_HOME=$sb/vh VPOPMAIL_QMAILDIR=$sb/qh VPOPMAIL_UID=$(id -u) VPOPMAIL_GID=$(id -g)
export VPOPMAIL_QMAIL_NEWU=$sb/qh/bin/none VPOPMAIL_QMAIL_NEWMRH=$sb/qh/bin/none VPOPMAIL_PS=/bin/false

now() { date +%s%N; }
secs() { awk -v t=$(($2 - $1)) 'BEGIN { printf "%.1f", t / 1e9 }'; }

hash=$(python3 -c 'import crypt; print(crypt.crypt("Bench-Pass1", crypt.mksalt(crypt.METHOD_SHA512)))' 2>/dev/null)
[ -n "$hash" ] || { echo "bench/login.sh: python3's crypt module is needed" >&2; exit 1; }

t0=$(now)
per=$(( (users + domains - 1) / domains ))
for d in $(seq 1 "$domains"); do
	"$cdbb/vadddomain" -O "d$d.bench" Bench-Pass1 >/dev/null
	dd=$("$cdbb/vdominfo" -d "d$d.bench")       # domains/<n>/ after the first 100
	pm=$(cat "$dd/vpasswd")    # read before the pipeline truncates it
	awk -v n="$per" -v d="$d" -v h="$hash" -v dir="$dd" -v pm="$pm" 'BEGIN {
		for (i = 1; i <= n; i++) printf "u%d:%s:1:0:u%d:%s/u%d:NOQUOTA\n", i, h, i, dir, i
		print pm }' | sort -t: -k1,1 > "$dd/vpasswd"
	"$cdbb/vmkpasswd" "d$d.bench" >/dev/null
done
t1=$(now)
echo "set-up: $domains domains, $((per * domains)) users in vpasswd files: $(secs "$t0" "$t1") s"

# The same random sample for both modules, with their directories.
awk -v n="$logins" -v u="$per" -v d="$domains" 'BEGIN { srand(7); for (i = 0; i < n; i++)
	printf "u%d d%d.bench\n", 1 + int(rand() * u), 1 + int(rand() * d) }' > "$sb/sample"
while read -r u d; do mkdir -p "$("$cdbb/vdominfo" -d "$d")/$u/Maildir/"{cur,new,tmp}; done < "$sb/sample"

# login BUILD: mean milliseconds per vchkpw login over the sample.
login() {
	local b=$1 u d t0 t1 bad=0
	t0=$(now)
	while read -r u d; do
		printf '%s@%s\0Bench-Pass1\0' "$u" "$d" |
			TCPREMOTEIP=192.0.2.1 TCPLOCALPORT=110 "$b/vchkpw" /bin/true 3<&0 </dev/null >/dev/null 2>&1 ||
			bad=$((bad + 1))
	done < "$sb/sample"
	t1=$(now)
	[ "$bad" = 0 ] || echo "  $bad of $logins logins failed" >&2
	awk -v t=$((t1 - t0)) -v n="$logins" 'BEGIN { printf "%.2f", t / 1e6 / n }'
}

echo "cdb:   vchkpw POP login, mean of $logins: $(login "$cdbb") ms"

env=$("$src/tests/mariadb-server.sh" start "$mdb")
sock=${env#VP_TEST_MYSQL_SOCKET=}
printf 'localhost|%s|root||vpopmail\n' "$sock" > "$sb/vh/etc/vpopmail.mysql"
t0=$(now)
for d in $(seq 1 "$domains"); do "$myb/vconvert" -c -m "d$d.bench" >/dev/null 2>&1; done
t1=$(now)
echo "mysql: vconvert -c -m of every domain: $(secs "$t0" "$t1") s"
echo "mysql: vchkpw POP login, mean of $logins: $(login "$myb") ms"
