#!/bin/bash
# t_errinject_runtime.sh - error paths of the run-time programs: each
# program is run once per system call of interest, with that one call
# made to FAIL (strace -e inject=NAME:error=ERRNO:when=N) instead of
# killing the program as t_crash_runtime.sh does.  Whatever the program
# then does, the state must be one its readers accept and its exit status
# must tell the truth:
#
#   vdelivermail  exit 0: the message is in the Maildir exactly once and
#                 whole (or forwarded / run exactly once); exit 111:
#                 nothing of it in new/ or cur/ (a file left in tmp/ is
#                 tolerated); exit 100 only where a clean run bounces too,
#                 or for EDQUOT (over quota, as 5.6); any other status is a
#                 failure.  maildirsize always parses.  After a 111 the
#                 delivery is run again (as qmail does) and must deliver
#                 exactly once.
#   vchkpw        a wrong password is never let in; a right one is let in
#                 unless the failing call was needed to check it; the
#                 relay list and tcp.smtp.cdb stay whole, no temp files.
#   clearopensmtp, vpopbull  no torn file, no temp file, an exit status
#                 that says what happened.
#
# Points: the calls of the program's own process (not of the programs it
# starts) among ERR_SET, listed by one traced run; "name:N" is the N-th
# call of that name, as strace counts for when=N.  Injection follows
# children (-f, so a child's own N-th call of that name fails as well:
# a second fault the program must survive) unless ERRINJ_FOLLOW=0.
# ERRINJ_MAX_POINTS (default 10; 0: all) samples the points of each sweep evenly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vchkpw_common.sh"
. "$(dirname "$0")/runtime_checks.sh"
require_bins vdelivermail vpopbull vchkpw clearopensmtp vadddomain vadduser vsetuserquota

require_strace

ERR_SET=openat,open,creat,write,writev,pwrite64,sendfile,copy_file_range,fsync,fdatasync,syncfs
ERR_SET=$ERR_SET,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat
ERR_SET=$ERR_SET,mkdir,mkdirat,ftruncate,read,pread64,lseek,fstat,newfstatat,close,pipe,pipe2
ERR_SET=$ERR_SET,fork,vfork,clone,clone3,execve,wait4,waitid,fchown,fchmod,chown,chmod,fchmodat
ERR_SET=$ERR_SET,fchownat,flock,fcntl,getdents64
MAXP=${ERRINJ_MAX_POINTS:-10}
ETIMEOUT=; command -v timeout >/dev/null 2>&1 && ETIMEOUT="timeout -k 1 ${ERRINJ_TIMEOUT:-10}"
FOLLOW=-f; [ "${ERRINJ_FOLLOW:-1}" = 0 ] && FOLLOW=

# err_points LOG: "name:N" for each call of the first process in the
# strace -f log, up to its exec of another program (vchkpw's last step).
# Writes to stdout/stderr are left out unless SWEEP_STDIO=1.
SWEEP_STDIO=0
err_points() {
	# (a dynamically linked program: the calls of the loader, up to the
	# close of the last shared library it opens, are not the program's)
	awk -v stdio="$SWEEP_STDIO" 'NR == FNR {
		if (f0 == "") f0 = $1
		if ($1 == f0 && $0 ~ / execve\(/) ex++
		if (ex > 1) next
		if ($1 == f0 && $0 ~ /open(at)?\(.*\.so[."]/) { lib = FNR; libclose = 0 }
		else if ($1 == f0 && lib && !libclose && $0 ~ / close\(/) libclose = FNR
		next
	}
	FNR <= libclose { if ($1 == f0) { l = $0; sub(/^[0-9]+ +/, "", l); i = index(l, "("); if (i > 1) n[substr(l, 1, i - 1)]++ }; next }
	{
		if ($1 !~ /^[0-9]+$/) next
		if (first == "") first = $1
		if ($1 != first) next
		l = $0; sub(/^[0-9]+ +/, "", l)
		i = index(l, "("); if (i < 2) next
		name = substr(l, 1, i - 1); if (name !~ /^[a-z0-9_]+$/) next
		n[name]++
		if (name == "execve") {
			# the command itself is not counted by when=N; a later
			# execve is the end of the program (vchkpw runs its program)
			if (n[name] == 1) next
			print name ":" n[name] - 1; exit
		}
		if ((name == "write" || name == "writev") && l ~ /^writev?\([12],/ && !stdio) next
		print name ":" n[name]
	}' "$1" "$1"
}
# errnos NAME: the errors injected into a call of that name.
errnos() {
	case $1 in
	write|writev|pwrite64|fsync|fdatasync|syncfs|sendfile|copy_file_range) echo EIO ENOSPC EDQUOT;;
	clone|clone3|fork|vfork) echo EAGAIN;;
	openat|open|creat|mkdir|mkdirat|link|linkat|rename|renameat|renameat2) echo EIO ENOSPC;;
	*) echo EIO;;
	esac
}
# sample WORDS...: at most MAXP of them, evenly spread.
sample() {
	local n=$# i=0 step k
	if [ "$MAXP" = 0 ] || [ "$n" -le "$MAXP" ]; then echo "$@"; return; fi
	awk -v m="$MAXP" 'BEGIN { n = ARGC - 1; for (i = 0; i < m; i++) printf "%s ", ARGV[1 + int(i * n / m)]; print "" }' "$@"
}

# (sb_restore: runtime_checks.sh)

# errsweep LABEL PREP CHECK RUNNER ARGS...: PREP restores the state; one
# traced run of RUNNER lists the points; for each point and errno the
# state is restored, the call fails, and CHECK "name:N" ERRNO judges the
# state and $RC (printing a complaint and returning 1).  One TAP line per
# sweep, with the bad points listed.
errsweep() {
	local label=$1 prep=$2 check=$3 p e pts all runs=0 bad=0 name n t=$SECONDS rcs= artifacts=0 todo= unknown=0 k
	shift 3
	"$prep"
	VP_TEST_WRAPPER="$NOLSAN strace -f -qq -o $T0/list.log -e trace=$ERR_SET" "$@"
	wait_children
	all=$(err_points "$T0/list.log")
	if [ -z "$all" ]; then fail "$label: no calls found"; return; fi
	# shellcheck disable=SC2086
	pts=$(sample $all)
	SWEEP_BAD=""
	for p in $pts; do
		name=${p%:*} n=${p#*:}
		for e in $(errnos "$name"); do
			"$prep"
			TIMEOUT="$ETIMEOUT" VP_TEST_WRAPPER="$NOLSAN strace $FOLLOW -qq -o /dev/null -e trace=$name -e inject=$name:error=$e:when=$n" "$@"
			wait_children
			runs=$((runs + 1))
			# strace skips an injected call: a close "failing" so leaves
			# the fd open (Linux always frees it), and a flock on it
			# then blocks the next flock of the same file in the same
			# process for ever.  Not a state a real close can make.
			if [ "$name" = close ] && { [ "$RC" = 124 ] || [ "$RC" = 137 ]; }; then
				artifacts=$((artifacts + 1)); continue
			fi
			# In a sanitizer build the failing call may be the sanitizer
			# runtime's own (it reads /proc at exit): not the program's.
			case "$OUT$ERR" in *"Sanitizer has encountered a fatal error"*)
				artifacts=$((artifacts + 1)); continue;;
			esac
			case " $rcs " in *" $RC "*) ;; *) rcs="$rcs $RC";; esac
			if ! SWEEP_WHY=$("$check" "$p" "$e" 2>&1); then
				bad=$((bad + 1)); SWEEP_BAD="$SWEEP_BAD $p/$e"
				diag "$label, $p fails with $e (exit $RC): $SWEEP_WHY"
				k=$(known_bug "$label" "$SWEEP_WHY")
				if [ -n "$k" ]; then
					case " $todo " in *" $k "*) ;; *) todo="$todo $k";; esac
				else
					unknown=$((unknown + 1))
				fi
			fi
		done
	done
	if [ "$bad" = 0 ]; then
		pass "$label: $(echo $all | wc -w) calls, $runs injected runs (exit statuses:$rcs), all consistent ($((SECONDS - t)) s)$([ "$artifacts" = 0 ] || echo ", $artifacts runs of a close strace keeps open or of a sanitizer's own call left out")"
	elif [ "$unknown" = 0 ]; then
		T_N=$((T_N + 1))
		echo "not ok $T_N - $label: $bad of $runs injected runs went wrong:$SWEEP_BAD # TODO known bugs:$todo"
	else
		fail "$label: $bad of $runs injected runs went wrong ($unknown not known):$SWEEP_BAD"
	fi
}
# Known bugs not fixed yet (a failure whose text matches is a TODO); none now:
#   label regex | complaint regex | tag
KNOWN_BUGS='
'
known_bug() {
	local l r t
	while IFS='|' read -r l r t; do
		[ -n "$l" ] || continue
		[[ $1 =~ $l ]] && [[ $2 =~ $r ]] && { echo "$t"; return; }
	done <<< "$KNOWN_BUGS"
}

no_leftovers() {
	local l
	l=$(leftovers "$@")
	die_if '[ -n "$l" ]' "temporary files left: $l"
}

# ================================================================ vdelivermail
MSG=$'Subject: errinject\n\n0123456789\n'
RP=$'Return-Path: <a@example.net>\n'

sandbox_new
VP_TEST_WRAPPER= setup vadddomain example.com Secret123
VP_TEST_WRAPPER= setup vadduser bob@example.com Passw0rd
VP_TEST_WRAPPER= setup vadduser carol@example.com Passw0rd
VP_TEST_WRAPPER= setup vsetuserquota bob@example.com 100000
VP_TEST_WRAPPER= setup vsetuserquota carol@example.com 100000
printf 'disable_spamassassin\ndisable_maildrop\n' >> "$VH/etc/vlimits.default"
export VPOPMAIL_SPAMC=$SB/no-spamc VPOPMAIL_MAILDROP=$SB/no-maildrop
export VPOPMAIL_QMAIL_INJECT=$SB/qmail-inject
# (each step checked: a failing cat must not become a whole copy)
cat > "$SB/qmail-inject" <<EOF
#!/bin/sh
cat > "$SB/inject.\$\$" && mv "$SB/inject.\$\$" "$SB/injected.\$\$"
EOF
chmod 755 "$SB/qmail-inject"
DD=$D/example.com
# One message already there in each Maildir.
printf '%s' "$MSG" > "$T0/msg"	# (a file: without make-seekable a pipe is refused)
for u in bob carol; do
	(cd "$DD" && EXT=$u HOST=example.com RPLINE=$RP DTLINE="Delivered-To: example.com-$u@example.com"$'\n' \
		"$top_builddir/vdelivermail" '' delete < "$T0/msg")
done
tar -C "$SB" -cf "$T0/dv.tar" .
dv_prep() { sb_restore "$T0/dv.tar"; }
DV_EXT=bob DV_INSTR=delete DV_PIPE=0
dv_run() {
	if [ "$DV_PIPE" = 1 ]; then
		# the message on a pipe: vdelivermail copies it to a temp file
		(cd "$DD" && printf '%s' "$MSG" | EXT=$DV_EXT HOST=example.com RPLINE=$RP \
			DTLINE="Delivered-To: example.com-$DV_EXT@example.com"$'\n' \
			$TIMEOUT ${VP_TEST_WRAPPER:-} "$top_builddir/vdelivermail" '' "$DV_INSTR" \
			> "$T0/.out" 2>&1; echo $? > "$T0/dv.rc")
		OUT=$(cat "$T0/.out")
	else
		(cd "$DD" && EXT=$DV_EXT HOST=example.com RPLINE=$RP \
			DTLINE="Delivered-To: example.com-$DV_EXT@example.com"$'\n' \
			run_in "$MSG" vdelivermail '' "$DV_INSTR"
		 echo "$RC" > "$T0/dv.rc"; printf '%s%s' "$OUT" "$ERR" > "$T0/.out")
		OUT=$(cat "$T0/.out")
	fi
	RC=$(cat "$T0/dv.rc")
}
# box_state MAILDIR WANT: prints "<count of copies of WANT> <count of other
# files>" over new/ and cur/ (the message there before is one of WANT).
box_count() {
	local f n=0 o=0 sz
	for f in "$1"/new/* "$1"/cur/*; do
		[ -e "$f" ] || continue
		case ${f##*/} in filler*) continue;; esac
		exact "$f"
		sz=$(stat -c %s "$f")
		if [ "$X" = "$2" ] && [ "${f##*,S=}" = "$sz" ]; then n=$((n + 1)); else o=$((o + 1)); fi
	done
	echo "$n $o"
}
# dv_judge MAILDIR WANT CLEANRC ERRNO: the state after an injected run.
# WARN=1: a quota warning may be there too (one at most).
WARN=0
dv_judge() {
	local box=$1 want=$2 clean=$3 e=$4 c n o
	c=$(box_count "$box" "$want"); n=${c% *}; o=${c#* }
	mds_ok "$box" || return 1
	if [ "$WARN" = 1 ]; then
		die_if '[ "$o" -gt 1 ]' "$o unexpected files in the Maildir" || return 1
		[ "$o" = 1 ] && { ls "$box"/new/* | xargs grep -l 'Subject: Mail quota warning' >/dev/null ||
			{ echo "a file in the Maildir is neither the message nor the warning"; return 1; }; }
	else
		die_if '[ "$o" != 0 ]' "a partial or foreign file in the Maildir: $(ls "$box/new")" || return 1
	fi
	case $RC in
	0)
		die_if '[ "$clean" = 100 ]' "exit 0 where a clean run bounces: $OUT" || return 1
		die_if '[ "$clean" = 0 ] && [ -n "$want" ] && [ "$n" != 2 ]' \
			"exit 0 with $((n - 1)) copies delivered: $OUT" || return 1
		mds_ok "$box" real || return 1;;
	111)
		die_if '[ "$n" != 1 ]' "exit 111 with $((n - 1)) copies in the Maildir: $OUT" || return 1;;
	100)
		die_if '[ "$clean" != 100 ] && [ "$e" != EDQUOT ]' "exit 100 (a bounce) for an injected $e: $OUT" || return 1
		die_if '[ "$n" != 1 ]' "exit 100 with $((n - 1)) copies in the Maildir" || return 1;;
	*)
		echo "exit $RC: $OUT"; return 1;;
	esac
	return 0
}
# dv_again MAILDIR WANT [FILES]: after a 111, qmail runs the delivery
# again; it must succeed and leave FILES messages (default 2: the one
# there before and this one).
dv_again() {
	local c want=${3:-2}
	[ "$RC" = 111 ] || return 0
	dv_run
	die_if '[ "$RC" != 0 ]' "the delivery run again exits $RC: $OUT" || return 1
	c=$(box_count "$1" "$2")
	die_if '[ "${c% *}" != "$want" ]' "run again: ${c% *} messages, not $want" || return 1
	mds_ok "$1" real
}

WANT_BOB="${RP}Delivered-To: bob@example.com"$'\n'"$MSG"
BOX=$DD/bob/Maildir
dv_check() {
	dv_judge "$BOX" "$WANT_BOB" 0 "$2" && dv_again "$BOX" "$WANT_BOB"
}
errsweep "vdelivermail: delivery with a quota" dv_prep dv_check dv_run
dv_prep_nomds() { dv_prep; rm -f "$BOX/maildirsize"; }
errsweep "vdelivermail: delivery with a quota, no maildirsize yet" dv_prep_nomds dv_check dv_run
DV_PIPE=1
if has_define MAKE_SEEKABLE; then
	errsweep "vdelivermail: the message on a pipe" dv_prep dv_check dv_run
else
	skip "vdelivermail: the message on a pipe: built with --disable-make-seekable, a pipe is refused (t_vdelivermail.sh)"
fi
DV_PIPE=0
dv_prep_nodir() { dv_prep; rm -rf "${DD:?}/bob"; }
nodir_judge() {
	local c n o e=$2
	[ "$RC" = 100 ] && [ "$e" = EDQUOT ] && [[ "$OUT" == *"over quota"* ]] && return 0
	[ -d "$BOX" ] || { [ "$RC" = 111 ] || { echo "exit $RC without a Maildir: $OUT"; return 1; }; }
	c=$( [ -d "$BOX" ] && box_count "$BOX" "$WANT_BOB" || echo "0 0"); n=${c% *}; o=${c#* }
	[ -d "$BOX" ] && { mds_ok "$BOX" || return 1; }
	die_if '[ "$o" != 0 ]' "a partial file in the Maildir" || return 1
	case $RC in
	0) die_if '[ "$n" != 1 ]' "exit 0 with $n copies" || return 1;;
	111) die_if '[ "$n" != 0 ]' "exit 111 with $n copies in the Maildir" || return 1
	     dv_again "$BOX" "$WANT_BOB" 1 || return 1;;
	*) echo "exit $RC (the directory is re-created; an I/O error must not bounce): $OUT"; return 1;;
	esac
}
errsweep "vdelivermail: delivery re-creating the user's directory" dv_prep_nodir nodir_judge dv_run

# Over quota warning: usage at 90 % of a quota the message still fits in.
dv_prep
# (a message is 90 bytes with its headers, the warning about 160; a
# filler of 2400 makes the use 2490 of 2750 bytes, 90 %, and both the
# warning and the message still fit, also when the delivery is retried)
VP_TEST_WRAPPER= setup vsetuserquota bob@example.com 2750S
head -c 2400 /dev/zero | tr '\0' x > "$BOX/cur/filler,S=2400"
rm -f "$BOX/maildirsize"
printf 'From: postmaster@example.com\nSubject: Mail quota warning\n\nYour mailbox is nearly full.\n' > "$DD/.quotawarn.msg"
tar -C "$SB" -cf "$T0/dvw.tar" .
dvw_prep() { sb_restore "$T0/dvw.tar"; }
dvw_prep; dv_run
if [ "$RC" = 0 ] && [ -e "$BOX/quotawarn" ]; then
	WARN=1
	errsweep "vdelivermail: delivery with an over-quota warning" dvw_prep dv_check dv_run
	WARN=0
else
	fail "vdelivermail: the quota warning set-up: exit $RC, $(ls "$BOX"): $OUT"
fi
# Over quota: a clean run bounces (100), with the warning.
dvo_prep() { dvw_prep; VP_TEST_WRAPPER= run vsetuserquota bob@example.com 2000S; rm -f "$BOX/maildirsize"; }
dvo_prep; dv_run
if [ "$RC" = 100 ]; then
	WARN=1
	dvo_check() { dv_judge "$BOX" "$WANT_BOB" 100 "$2"; }
	errsweep "vdelivermail: over quota (a bounce)" dvo_prep dvo_check dv_run
	WARN=0
else
	fail "vdelivermail: the over-quota set-up: exit $RC: $OUT"
fi

# bob's .qmail: a program, a forward, then his Maildir.
dv_prep
printf '| cat > %s/prog.$$ && mv %s/prog.$$ %s/prog.done.$$\n&elsewhere@example.net\n%s/\n' \
	"$SB" "$SB" "$SB" "$BOX" > "$DD/bob/.qmail"
tar -C "$SB" -cf "$T0/dvq.tar" .
dvq_prep() { sb_restore "$T0/dvq.tar"; }
# copies PATTERN WANT...: how many files match, after checking each is whole.
copies() {
	local f n=0 pat=$1 w ok; shift
	for f in $pat; do
		[ -e "$f" ] || continue
		exact "$f"; ok=0
		for w in "$@"; do [ "$X" = "$w" ] && ok=1; done
		[ "$ok" = 1 ] || { echo "partial copy ${f##*/}: $(head -c 60 "$f" | od -c | head -2)"; return 1; }
		n=$((n + 1))
	done
	echo "$n"
}
WANT_FWD="${RP}Delivered-To: bob@example.com"$'\n'"$MSG"
dvq_check() {
	local np nf c e=$2
	[ "$RC" = 100 ] && [ "$e" = EDQUOT ] && [[ "$OUT" == *"over quota"* ]] && return 0
	np=$(copies "$SB/prog.done.*" "$MSG") || { echo "$np"; return 1; }
	nf=$(copies "$SB/injected.*" "$WANT_FWD") || { echo "$nf"; return 1; }
	c=$(box_count "$BOX" "$WANT_BOB")
	mds_ok "$BOX" || return 1
	die_if '[ "${c#* }" != 0 ]' "a partial file in the Maildir" || return 1
	case $RC in
	0) die_if '[ "$np" != 1 ] || [ "$nf" != 1 ] || [ "${c% *}" != 2 ]' \
		"exit 0, but the program ran $np times, $nf forwards, $((${c% *} - 1)) copies: $OUT" || return 1;;
	# (2: the failing call was the fake qmail-inject's own, whose exit
	# status vdelivermail passes on, as 5.6 does; qmail-local retries it)
	2|111) [ "$RC" = 111 ] || [[ "$OUT" == *"system error calling qmail-inject"* ]] ||
		{ echo "exit $RC: $OUT"; return 1; }
	     die_if '[ "${c% *}" != 1 ]' "exit $RC with the copy in the Maildir: $OUT" || return 1
	     die_if '[ "$np" -gt 1 ] || [ "$nf" -gt 1 ]' "ran twice" || return 1
	     dv_again "$BOX" "$WANT_BOB" || return 1;;
	*) echo "exit $RC: $OUT"; return 1;;
	esac
}
errsweep "vdelivermail: .qmail with a program, a forward and a Maildir" dvq_prep dvq_check dv_run

# A catch-all to another user's directory: unknown recipients go to carol.
CBOX=$DD/carol/Maildir
WANT_CA="${RP}Delivered-To: nosuch@example.com"$'\n'"$MSG"
WANT_CAROL="${RP}Delivered-To: carol@example.com"$'\n'"$MSG"
dvc_check() {
	local c n o e=$2
	mds_ok "$CBOX" || return 1
	# carol's own first message is there before
	c=$(box_count "$CBOX" "$WANT_CA"); n=${c% *}; o=${c#* }
	o=$((o - 1))
	die_if '[ "$o" != 0 ]' "a partial file in carol's Maildir" || return 1
	case $RC in
	0) die_if '[ "$n" != 1 ]' "exit 0 with $n copies" || return 1;;
	100) die_if '[ "$e" != EDQUOT ] || [ "$n" != 0 ]' "exit 100 (a bounce) for an injected $e, $n copies: $OUT" || return 1;;
	111) die_if '[ "$n" != 0 ]' "exit 111 with $n copies: $OUT" || return 1
	     dv_run
	     c=$(box_count "$CBOX" "$WANT_CA")
	     die_if '[ "$RC" != 0 ] || [ "${c% *}" != 1 ]' "run again: exit $RC, ${c% *} copies: $OUT" || return 1
	     mds_ok "$CBOX" real || return 1;;
	*) echo "exit $RC: $OUT"; return 1;;
	esac
}
DV_EXT=nosuch DV_INSTR=$DD/carol
errsweep "vdelivermail: catch-all to another user's directory" dv_prep dvc_check dv_run

# The bounce: no such user, bounce-no-mailbox.
DV_INSTR=bounce-no-mailbox
dvb_check() {
	local c
	c=$(box_count "$BOX" "$WANT_BOB")
	die_if '[ "$c" != "1 0" ]' "bob's Maildir changed" || return 1
	die_if '[ "$RC" != 100 ] && [ "$RC" != 111 ]' "exit $RC: $OUT"
}
SWEEP_STDIO=1
errsweep "vdelivermail: bounce" dv_prep dvb_check dv_run
SWEEP_STDIO=0
DV_EXT=bob DV_INSTR=delete

# ================================================================ vpopbull
bulletin_sandbox
pb_prep() { sb_restore "$T0/pb.tar"; }
PB_MODE=-c
pb_run() { run vpopbull "$PB_MODE" -f "$SB/bulletin" example.com; }
# Every bulletin is whole; a user without one is named in an error
# message; maildirsize parses and counts what is there; no temp files.
pb_check() {
	local u f n point=$1
	# 0, the usage/file errors (255, 1), or a domain that could not be
	# read, said as such (its status: 233, 239, ...)
	# (or the user database not opened at all: a mysql build's settings file)
	die_if '[ "$RC" != 0 ] && [ "$RC" != 255 ] && [ "$RC" != 1 ] && [[ "$ERR" != *"Error: domain example.com: "* ]] &&
		[[ "$ERR" != *"Initial open."* ]]' "exit $RC: $OUT$ERR" || return 1
	for u in bob carol postmaster; do
		n=0
		for f in "$DD/$u/Maildir/new/"*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			n=$((n + 1))
			bulletin_ok "$u" "$f" || return 1
		done
		die_if '[ "$n" -gt 1 ]' "$n bulletins for $u" || return 1
		die_if '[ "$n" = 0 ] && [ "$RC" = 0 ] && [[ "$ERR" != *"$u@example.com"* ]] && [[ "$ERR" != *link* ]]' \
			"exit 0, no bulletin for $u and no error said so: $OUT$ERR" || return 1
		# (unless the injected failure is that file's own unlink: readers
		# clean tmp/ of old files, as the Maildir convention has it)
		die_if '[ -n "$(ls -A "$DD/$u/Maildir/tmp")" ] && [ "${point%%:*}" != unlink ]' \
			"left in $u's tmp/: $(ls -A "$DD/$u/Maildir/tmp")" || return 1
		mds_ok "$DD/$u/Maildir" real || return 1
	done
	no_leftovers "$SB"
}
for PB_MODE in -c -h -s; do
	errsweep "vpopbull $PB_MODE" pb_prep pb_check pb_run
done

# ================================================================ roaming users
# (a mysql build keeps the relay list in a table: the sweeps restore the
# sandbox's files, not the database)
if [ "$SQL" = 1 ]; then
	skip "vchkpw and clearopensmtp: the relay list is in the database, the sweep restores files"
	done_testing
fi
roaming_sandbox
now=$(date +%s)
printf '10.9.9.9:%s\t%s\n10.8.8.8:%s\t1000\n' "$RULE" "$now" "$RULE" > "$OS"
VP_TEST_WRAPPER= run clearopensmtp >/dev/null
printf '10.8.8.8:%s\t1000\n' "$RULE" >> "$OS"
[ "$AUTHLOG" = 1 ] && printf '192.168.100.200' > "$DD/joe/lastauth"
tar -C "$SB" -cf "$T0/vc.tar" .
vc_prep() { sb_restore "$T0/vc.tar"; }
# relay_ok (runtime_checks.sh), where a lastauth rewrite that failed may
# have left an empty line, and nothing left over.
LASTAUTH_EMPTY_OK=1
relay_whole() { relay_ok "$@" || return 1; no_leftovers "$VH"; }
vc_run() { vchk TCPLOCALPORT=110 TCPREMOTEIP=10.1.2.3 -- /bin/true; }
# A right password: let in (0), or a temporary/internal failure; never
# "wrong password" (3) for a failure of bookkeeping.  Listed: the
# points where a refusal is fine (the user's record could not be read).
vc_check() {
	die_if '[ "$RC" != 0 ] && [ "$RC" != 111 ] && { [ "$RC" -lt 4 ] || [ "$RC" -gt 11 ]; } && [ "$RC" != 14 ]' \
		"a right password gets exit $RC: $ERR" || return 1
	relay_whole 10.9.9.9 || return 1
	# the client is let in: the relay is open, or the failure said so
	if [ "$RC" = 0 ] && ! relay_open 10.1.2.3; then
		die_if '[ -z "$ERR" ] && [ ! -s "$SB/syslog" ]' "let in, relay not opened, nothing said" || return 1
	fi
	# the next login mends everything
	: > "$SB/syslog"
	vc_run
	die_if '[ "$RC" != 0 ]' "the next login exits $RC: $ERR" || return 1
	relay_whole 10.9.9.9 10.1.2.3
}
creds joe@example.com Passw0rd
errsweep "vchkpw: a roaming login, right password" vc_prep vc_check vc_run
creds joe@example.com WrongPass
vcw_check() {
	die_if '[ "$RC" = 0 ]' "a wrong password is let in" || return 1
	die_if '[ "$RC" = 111 ]' "a wrong password gets 111 (try again)" || true
	relay_whole 10.9.9.9 || return 1
	die_if 'CDBOUT=$(cdb_dump "$CDB"); [[ $CDBOUT == *10.1.2.3* ]] || grep -q 10.1.2.3 "$OS"' \
		"the relay was opened for a wrong password"
}
errsweep "vchkpw: a roaming login, wrong password" vc_prep vcw_check vc_run
creds joe@example.com Passw0rd

cl_run() { run clearopensmtp; }
cl_check() {
	relay_whole 10.9.9.9 || return 1
	case $RC in
	# (exit 0 with the warning that nothing was rebuilt: open-smtp could not be read)
	0) die_if 'grep -q "^10\.8\.8\.8:" "$OS" && [[ "$ERR" != *"update_rules() - tcprules failed"* ]]' \
		"exit 0, the expired client is still listed" || return 1;;
	*) die_if '[ -z "$OUT$ERR" ]' "exit $RC without a message" || return 1;;
	esac
	cl_run
	die_if '[ "$RC" != 0 ]' "run again: exit $RC: $OUT$ERR" || return 1
	relay_whole 10.9.9.9 || return 1
	CDBOUT=$(cdb_dump "$CDB")
	die_if '[[ $CDBOUT == *10.8.8.8* ]] || grep -q "^10\.8\.8\.8:" "$OS"' "run again: 10.8.8.8 not expired"
}
errsweep "clearopensmtp" vc_prep cl_check cl_run

done_testing
