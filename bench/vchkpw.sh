#!/usr/bin/env bash
# bench/vchkpw.sh BUILDDIR - cost of one vchkpw login (issue #4): a
# successful POP login of a user with a SHA-512 hash, in instructions
# (valgrind --tool=callgrind), in total and beyond the crypt_rn() call,
# against the target of 150,000 instructions beyond crypt (the original:
# 24.67 M in all, 0.29 M beyond crypt); and peak RSS against 2 MB.
# The same for an unknown user, which must cost what a wrong password does.
set -eu
. "$(dirname "$0")/sandbox.sh"

"$b/vadddomain" bench.test Secret123 >/dev/null
for i in $(seq 1 200); do "$b/vadduser" "u$i@bench.test" "pw$i-Secret" >/dev/null; done
"$b/vadduser" joe@bench.test Passw0rd >/dev/null
export TCPLOCALPORT=110 TCPREMOTEIP=10.1.2.3
cred=$sb/cred
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ir LOGIN PASSWORD PROG [TOGGLE]: instructions of one run up to the exec
# of PROG (callgrind dumps just before execvp; a failed exec ends the run).
ir() {
	local out=$sb/cg.$RANDOM
	printf '%s\0%s\0\0' "$1" "$2" > "$cred"
	valgrind --tool=callgrind --callgrind-out-file="$out" --dump-before=execvp ${4:+--toggle-collect=$4} \
		"$b/vchkpw" "$3" 3< "$cred" >/dev/null 2>&1 || true
	sed -n 's/^summary: //p' "$out"* | head -1
	rm -f "$out"*
}

if command -v valgrind >/dev/null; then
	all=$(ir joe@bench.test Passw0rd /bin/true)
	cr=$(ir joe@bench.test Passw0rd /bin/true crypt_rn)
	beyond=$((all - cr))
	echo "vchkpw POP login, SHA-512: $all instructions, $cr in crypt_rn, $beyond beyond  (target 150,000 beyond, ratio $(ratio "$beyond" 150000))"
	w=$(ir joe@bench.test Wrong /bin/true)
	u=$(ir nobody@bench.test Wrong /bin/true)
	d=$(ir joe@nowhere.test Wrong /bin/true)
	echo "  wrong password: $w; unknown user: $u; unknown domain: $d  (equal cost: ratio unknown/wrong $(ratio "$u" "$w"))"
else
	echo "vchkpw: valgrind not installed, no instruction counts"
fi

# Peak RSS of the login including the exec'd /bin/true (GNU time's %M).
printf '%s\0%s\0\0' joe@bench.test Passw0rd > "$cred"
if [ -x /usr/bin/time ]; then
	rss=$(/usr/bin/time -f %M "$b/vchkpw" /bin/true 3< "$cred" 2>&1 >/dev/null | tail -1)
	echo "vchkpw peak RSS: ${rss} KiB  (target 2048 KiB, ratio $(ratio "$rss" 2048); /bin/true included)"
else
	echo "vchkpw peak RSS: /usr/bin/time (GNU time) not installed"
fi
