#!/usr/bin/env bash
# bench/bull.sh BUILDDIR [USERS] - vpopbull into one domain of USERS users
# (default 10,000): wall time of a copy run (each copy fsynced), of a
# symbolic-link run, and of a listing run with an exclude list of half the
# users (read once and binary-searched; vpopmail re-read it per user, so
# its cost grew as users x exclude lines).
set -eu
. "$(dirname "$0")/sandbox.sh"
n=${2:-10000}

now_ns() { date +%s%N; }
secs() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }

"$b/vadddomain" bull.test Secret123 >/dev/null
for ((i = 1; i <= n; i++)); do echo "u$i@bull.test pw$i-Secret"; done > "$sb/users"
"$b/vadduser" -f "$sb/users" >/dev/null
printf 'From: admin@bull.test\nSubject: notice\n\n%s\n' "$(head -c 3000 /dev/zero | tr '\0' x)" > "$sb/msg"
for ((i = 1; i <= n; i += 2)); do echo "u$i@bull.test"; done > "$sb/exclude"

t0=$(now_ns); "$b/vpopbull" -f "$sb/msg" bull.test; t1=$(now_ns)
echo "vpopbull copy to $n users: $(secs $((t1 - t0))) s"
t0=$(now_ns); "$b/vpopbull" -s -f "$sb/msg" bull.test; t1=$(now_ns)
echo "vpopbull -s to $n users: $(secs $((t1 - t0))) s"
t0=$(now_ns); "$b/vpopbull" -n -e "$sb/exclude" bull.test > /dev/null; t1=$(now_ns)
echo "vpopbull -n -e (exclude list of $((n / 2))) over $n users: $(secs $((t1 - t0))) s"
