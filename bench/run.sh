#!/usr/bin/env bash
# bench/run.sh BUILDDIR - speed targets of the foundation (issue #2).
#
#  1. one more vadduser into a domain of 5,000 users: wall time (median of
#     25 adds) against the 5 ms target, and instructions (callgrind) when
#     valgrind is installed;
#  2. adding 5,000 users one process at a time: total wall time against
#     the 15 s target;
#  3. how the cost of one add grows with the size of the domain;
#  4. vadduser -f of 100,000 users into one domain (bench/bulk.sh).
# Each line ends with the ratio figure/target (below 1.00 meets the target).
set -eu
. "$(dirname "$0")/sandbox.sh"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# The programs are started by bench/timeit.c, not by a shell loop: reading
# the clock with $(date) around each run would add a fork of bash and an
# exec of date (about a millisecond here) to every figure.
timeit=$sb/timeit
${CC:-cc} -O2 -o "$timeit" "$src/bench/timeit.c" || { echo "cannot compile bench/timeit.c" >&2; exit 1; }

# fill DOMAIN FROM TO: add users uFROM..uTO one process each; prints seconds.
# A failed add fails the function (timeit says which), and so the script.
fill() {
	local out
	out=$("$timeit" "$2" "$3" "$b/vadduser" "u%d@$1" "pw%d-Secret") || return 1
	echo "$out" | awk '{ printf "%.3f", $4 }'
}

# median_add DOMAIN N: median wall ms of N single adds into DOMAIN.
median_add() {
	local out
	out=$("$timeit" 1 "$2" "$b/vadduser" "extra%d@$1" "pw-Secret%d") || return 1
	echo "$out" | awk '{ printf "%.2f", $6 }'
}

"$b/vadddomain" bench.test Secret123 >/dev/null
secs=$(fill bench.test 2 5000)
echo "adding 5,000 users one process at a time: ${secs} s  (target 15 s, ratio $(ratio "$secs" 15))"

ms=$(median_add bench.test 25)
echo "one more vadduser into 5,000 users: ${ms} ms median of 25  (target 5 ms, ratio $(ratio "$ms" 5))"

# The floor of that add on this machine (bench/floor.c): starting a
# process, replacing files the size of this vpasswd and vpasswd.cdb
# atomically (temp, fsync, rename), and the SHA-512 crypt that vadduser
# runs on a second thread meanwhile.
dd=$sb/vh/$doms/bench.test
if ${CC:-cc} -O2 -o "$sb/floor" "$src/bench/floor.c" -lcrypt 2>/dev/null; then
	mkdir -p "$sb/floor.d"
	"$sb/floor" "$sb/floor.d" "$(stat -c %s "$dd/vpasswd")" "$(stat -c %s "$dd/vpasswd.cdb")" |
	awk '{ v[$1] = $2 }
	     END { printf "  floor here: process start %.2f ms + replacing both files %.2f ms = %.2f ms (crypt %.2f ms, overlapped)\n",
	                  v["spawn"], v["files"], v["spawn"] + v["files"], v["crypt"] }'
fi

# The same add with the domain on tmpfs: the program's own cost, without
# the disk (fsync, and this ext4's slow inode allocation after deletions).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	shm=$(mktemp -d /dev/shm/vpbench.XXXXXX)
	trap 'rm -rf "$sb" "$shm"' EXIT
	"$b/vadddomain" -d "$shm" shm.test Secret123 >/dev/null
	secs=$(fill shm.test 2 5000)
	ms=$(median_add shm.test 25)
	echo "  the same add on tmpfs: ${ms} ms median of 25; the 5,000 adds one at a time there: ${secs} s"
fi

if command -v valgrind >/dev/null; then
	out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b/vadduser" callgrind1@bench.test pw-Secret 2>&1 |
	      awk '/Collected/ { print $4 }')
	echo "instructions for that add (callgrind): $out  (the original: about 500,000,000)"
	crypt_ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='crypt_rn' \
	      "$b/vadduser" callgrind2@bench.test pw-Secret 2>&1 | awk '/Collected/ { print $4 }')
	echo "  of which inside crypt_rn (SHA-512, 5000 rounds): $crypt_ir"
fi

echo "growth of one add with domain size (median of 9 adds each; callgrind count of one):"
"$b/vadddomain" grow.test Secret123 >/dev/null
have=1
for size in 500 1000 2000 4000 8000; do
	fill grow.test $((have + 1)) "$size" >/dev/null
	have=$size
	ms=$(median_add grow.test 9)
	# keep the extra users out of the next step's numbering
	for ((i = 1; i <= 9; i++)); do "$b/vdeluser" "extra$i@grow.test" >/dev/null; done
	ir=""
	if command -v valgrind >/dev/null; then
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b/vadduser" "cg$size@grow.test" pw-Secret 2>&1 |
		     awk '/Collected/ { print $4 }')
		"$b/vdeluser" "cg$size@grow.test" >/dev/null
		ir=", $ir instructions"
	fi
	echo "  $size users: $ms ms$ir"
done

# 4. vadduser -f: 100,000 users into one domain in one run (bench/bulk.sh).
"$src/bench/bulk.sh" "$b"
