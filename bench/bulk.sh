#!/usr/bin/env bash
# bench/bulk.sh BUILDDIR [N] - vadduser -f: N users (default 100,000) into
# one domain in a single run, against the 60 s target.  Also prints what
# hashing the passwords one after another with crypt(3) would take on all
# cores, the bound before the hashes ran eight at a time in vector lanes.
set -eu
n=${2:-100000}
. "$(dirname "$0")/sandbox.sh"
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

"$b/vadddomain" bulk.test Secret123 >/dev/null
awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "u%d@bulk.test pw%d-Secret\n", i, i }' > "$sb/list"

t0=$(date +%s%N)
"$b/vadduser" -f "$sb/list" >/dev/null
t1=$(date +%s%N)
got=$(wc -l < "$sb/vh/$doms/bulk.test/vpasswd")
[ "$got" -eq $((n + 1)) ] || { echo "bulk: vpasswd holds $got lines, want $((n + 1))" >&2; exit 1; }

secs=$(awk -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", t / 1e9 }')
# For comparison, the cost of one SHA-512 crypt by crypt(3) (5000 rounds,
# libxcrypt via Python if it has the crypt module) while every core hashes
# at once: what hashing one password after another would take.  vadduser -f
# hashes eight at a time in vector lanes where the CPU has AVX2 or AVX-512
# (src/lib/sha512_lanes.c), so on such a CPU it can finish below this.
hash_ms=$(for ((c = 0; c < cores; c++)); do
	python3 -c '
import crypt, time
t = time.perf_counter()
for i in range(100): crypt.crypt("pw%d-Secret" % i, crypt.mksalt(crypt.METHOD_SHA512))
print("%.3f" % ((time.perf_counter() - t) / 100 * 1000))' 2>/dev/null &
done | awk '{ printf "%s%s", sep, $1; sep = " " }')
echo "vadduser -f, $n users into one domain: ${secs} s  (target 60 s, ratio $(awk -v a="$secs" 'BEGIN { printf "%.2f", a / 60 }'))"
if [ -n "$hash_ms" ]; then
	# Hashes per second of all cores together: the sum of each one's rate.
	echo "  crypt(3) one password after another: $n hashes at $(echo "$hash_ms" | sed 's/ / and /g') ms each on $cores cores hashing at once = $(echo "$hash_ms" |
		awk -v n="$n" '{ for (i = 1; i <= NF; i++) r += 1000 / $i } END { printf "%.1f", n / r }') s"
fi
