#!/bin/bash
# t_vdelivermail.sh - vdelivermail: arguments and environment, user lookup,
# the user's .qmail, unknown users, forwards, programs, loops, exit statuses,
# never losing mail (spec runtime.md §2.4, §4, §11).  Quota: t_vdelivermail_quota.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deliver_common.sh"
require_bins vdelivermail vadddomain vadduser vaddaliasdomain vmoduser

QEXT=0; has_define QMAIL_EXT && QEXT=1
DEFDEL=0; has_define DEFAULT_DELIVERY && DEFDEL=1
SPAM=0; has_define SPAMASSASSIN && SPAM=1
MDROP=0; has_define MAILDROP && MDROP=1

MSG=$'From: alice@example.net\nSubject: hello\n\nline one\nline two\n'
RP=$'Return-Path: <alice@example.net>\n'
NAME_RE='^[0-9]+\.M[0-9]+P[0-9]+\.[^/]+,S=[0-9]+$'

# A fresh example.com with bob (deliver_common.sh), a qmail-inject stand-in,
# and qmail-local's environment for bob.
new_domain() {
	deliver_domain
	export VPOPMAIL_QMAIL_INJECT=$SB/qmail-inject
	unset INJECT_RC
	# qmail-inject stand-in: records its arguments and input; exits $INJECT_RC.
	cat > "$SB/qmail-inject" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$SB/inject.args"
cat > "$SB/inject.in"
exit \${INJECT_RC:-0}
EOF
	chmod 755 "$SB/qmail-inject"
	to bob example.com
}
quiet_setup() { VP_TEST_WRAPPER= setup "$@"; }

# to USER HOST: qmail-local's environment for USER@HOST (HOST's .qmail-default).
to() {
	export EXT=$1 HOST=$2 RPLINE=$RP
	export DTLINE="Delivered-To: $2-$1@$2"$'\n'
	unset DELIVER_TO_STDOUT
}

# dv INSTRUCTION [MESSAGE]: run vdelivermail from the domain directory.
dv() {
	local here=$PWD
	cd "${DD:-/}" || return
	RUN_AS=$DV_AS run_in "${2-$MSG}" vdelivermail '' "$1"
	cd "$here" || return
}

# new_in MAILDIR: the names in new/ (one a line), and tmp/ must be empty.
new_in() { ls -1 "$1/new" 2>/dev/null; }
count_new() { new_in "$1" | grep -c . ; }
# the_msg MAILDIR: path of the only message in new/
the_msg() { local n; n=$(new_in "$1"); [ "$(printf '%s' "$n" | grep -c .)" = 1 ] && echo "$1/new/$n"; }

# delivered MAILDIR CONTENT DESC: exactly one message, byte-exact, named
# <time>.M<usec>P<pid>.<host>,S=<its size>, mode 0600, tmp/ empty.
delivered() {
	local f n sz
	f=$(the_msg "$1")
	if [ -z "$f" ]; then fail "$3"; diag "new/: $(new_in "$1" | tr '\n' ' ')"; return; fi
	file_is "$f" "$2" "$3"
	n=${f##*/}
	like "$n" "$NAME_RE" "$3: file name <time>.M<usec>P<pid>.<host>,S=<size>"
	sz=$(stat -c %s "$f")
	is "${n##*,S=}" "$sz" "$3: ,S= is the file size"
	file_mode "$f" 0600 "$3: mode 0600"
	is "$(ls -A "$1/tmp")" "" "$3: tmp/ left empty"
}
nothing_new() { is "$(ls -A "$1/new" "$1/tmp" 2>/dev/null | grep -v ':$' | grep .)" "" "$2"; }

# ------------------------------------------------------------ arguments, environment
new_domain
run vdelivermail
is_rc 111 "no arguments: exit 111"
is_out "vdelivermail: invalid syntax in .qmail-default file" "no arguments: message"
run vdelivermail ''
is_rc 111 "one argument: exit 111"
run vdelivermail '' delete extra
is_rc 111 "three arguments: exit 111"
is_out "vdelivermail: invalid syntax in .qmail-default file" "three arguments: message"

unset EXT
dv delete
is_rc 100 "no EXT: exit 100"
is_out "vdelivermail: no EXT environment varilable" "no EXT: message (sic)"
to bob example.com; unset HOST
dv delete
is_rc 100 "no HOST: exit 100"
is_out "vdelivermail: no HOST environment varilable" "no HOST: message (sic)"
for bad in 'bo b' 'bob:x' $'bob\nx' 'bob"'; do
	to "$bad" example.com
	dv delete
	is_rc 100 "EXT $(printf %q "$bad"): exit 100"
	is_out "invalid username" "EXT $(printf %q "$bad"): invalid username"
done
to bob 'exa mple.com'
dv delete
is_rc 100 "bad HOST: exit 100"
is_out "invalid domain name" "bad HOST: invalid domain name"
to bob 'example.com/../x'
dv delete
is_rc 100 "HOST with '/': exit 100"
nothing_new "$BOX" "bad input: nothing delivered"
to ../../etc example.com
dv bounce-no-mailbox
is_rc 100 "EXT ../../etc: exit 100"
is_out "Sorry, no mailbox here by that name. (#5.1.1)" "EXT ../../etc: no such user (only a lookup key), the catch-all bounces"
to .john example.com
dv delete
is_rc 0 "EXT .john: unknown, the catch-all 'delete' applies (5.6), no bounce"
is_out "" "EXT .john: nothing said"
for e in . ''; do
	to "$e" example.com
	dv bounce-no-mailbox
	is "$RC:$OUT" "100:Sorry, no mailbox here by that name. (#5.1.1)"$'\n' \
		"EXT '$e': an unknown user (not an invalid name, as in 5.6), the catch-all bounces"
done
to 'x/../../bob' example.com
dv bounce-no-mailbox
is_rc 100 "EXT x/../../bob: no such user, bounced"
is_out "Sorry, no mailbox here by that name. (#5.1.1)" "EXT with '/': not a path to anyone's mailbox"
long=$(printf 'b%.0s' $(seq 1 300))
to "$long" example.com
dv bounce-no-mailbox
is_rc 100 "300-character EXT: an unknown user"
to bob example.com
export DTLINE=
dv delete "Subject: $(printf 'y%.0s' $(seq 1 9000))
Delivered-To: bob@example.com

x
"
is_rc 100 "loop line after a 9000-byte header line is still found"
nothing_new "$BOX" "input checks: nothing delivered"

# ------------------------------------------------------------ delivery to a user
new_domain
dv delete
is_rc 0 "bob: exit 0"
is_out "" "bob: no output"
is_err "" "bob: nothing on stderr"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "bob: Return-Path, Delivered-To, message"
# As root vdelivermail runs with the domain's ids, as under qmail-local.
if [ "$(id -u)" != 0 ] || [ -n "$DV_AS" ]; then
	is "$(owner_of "$(the_msg "$BOX")")" "$UIDGID" "bob: the message written by the domain's uid"
else
	skip "vdelivermail runs as root here (see the diagnostic above)"
fi
is "$(ls -A "$BOX" | grep -vx sqwebmail-pass)" "$(printf 'cur\nnew\ntmp')" "NOQUOTA: no maildirsize written"

new_domain
unset RPLINE
dv delete
is_rc 0 "RPLINE unset: exit 0"
delivered "$BOX" "Delivered-To: bob@example.com
$MSG" "RPLINE unset: no (null) line, nothing in its place"

new_domain
LONGRP="Return-Path: <$(head -c 2000 /dev/zero | tr '\0' s)@srs.example.net>"$'\n'
export RPLINE=$LONGRP
dv delete
is_rc 0 "a 2 KB Return-Path (SRS chains): exit 0, not deferred"
delivered "$BOX" "${LONGRP}Delivered-To: bob@example.com
$MSG" "a 2 KB Return-Path: kept whole"

new_domain
to BoB EXAMPLE.Com
dv delete
is_rc 0 "upper-case EXT and HOST: exit 0"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "upper-case EXT and HOST: delivered to bob"

new_domain
quiet_setup vaddaliasdomain example.com alias.org
to bob alias.org
dv delete
is_rc 0 "alias domain: exit 0"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "alias domain: delivered to the real domain's bob"

new_domain
printf 'x' > "$SB/one"
dv delete ""
is_rc 0 "empty message: exit 0"
if has_define MAKE_SEEKABLE; then
	nothing_new "$BOX" "empty message: dropped"
else	# dropped only with make-seekable (spec runtime §4.3)
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
" "empty message, --disable-make-seekable: delivered, headers only"
fi
if has_define MAKE_SEEKABLE; then
	# ... at every delivery step: no program run, nothing forwarded.
	to nosuch example.com
	dv "|touch $SB/ran" ""
	is_rc 0 "empty message, program catch-all: exit 0"
	file_absent "$SB/ran" "empty message: the program is not run"
	dv other@example.net ""
	is_rc 0 "empty message, forward catch-all: exit 0"
	file_absent "$SB/inject.args" "empty message: qmail-inject is not run"
	to bob example.com
fi

new_domain
big=$(head -c 300000 /dev/zero | tr '\0' 'a'; echo)
dv delete "Subject: big

$big
"
is_rc 0 "300 KB message: exit 0"
f=$(the_msg "$BOX")
is "$(stat -c %s "$f" 2>/dev/null)" "$(( ${#RP} + 30 + 14 + ${#big} + 1 ))" "300 KB message: all bytes written"

# A pipe on stdin (not seekable) is copied first, then delivered.
new_domain
cd "$DD" && printf '%s' "$MSG" | "$top_builddir/vdelivermail" '' delete > "$T0/.out" 2>&1
RC=$?; cd - > /dev/null
if has_define MAKE_SEEKABLE; then
	is_rc 0 "message on a pipe: exit 0"
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "message on a pipe: delivered whole"
else	# doc/COMPATIBILITY.md: refused, for qmail to try again
	is_rc 111 "message on a pipe, --disable-make-seekable: exit 111"
	is "$(cat "$T0/.out")" "vdelivermail: the message must be a seekable file" "... says so"
	nothing_new "$BOX" "... nothing delivered"
fi

# DELIVER_TO_STDOUT: the copy goes to stdout, nothing to disk.
new_domain
export DELIVER_TO_STDOUT=1
dv delete
is_rc 0 "DELIVER_TO_STDOUT: exit 0"
is_out_raw "${RP}Delivered-To: bob@example.com
$MSG" "DELIVER_TO_STDOUT: header block and message on stdout"
nothing_new "$BOX" "DELIVER_TO_STDOUT: nothing in the Maildir"
quiet_setup vsetuserquota bob@example.com 10
export DELIVER_TO_STDOUT=1
dv delete
is_rc 100 "DELIVER_TO_STDOUT, over quota: exit 100"
is_out_raw $'user is over quota\n\n' "DELIVER_TO_STDOUT, over quota: the quota check still holds"
nothing_new "$BOX" "DELIVER_TO_STDOUT, over quota: nothing in the Maildir"
unset DELIVER_TO_STDOUT

# ------------------------------------------------------------ locked account, auto-creation
new_domain
quiet_setup vmoduser -b bob@example.com
dv delete
is_rc 100 "BOUNCE_MAIL: exit 100"
is_out "vdelivermail: account is locked email bounced bob@example.com" "BOUNCE_MAIL: message"
nothing_new "$BOX" "BOUNCE_MAIL: nothing delivered"

new_domain
rm -rf "$DD/bob"
dv delete
is_rc 0 "user directory missing: exit 0"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "user directory missing: re-created and delivered"
file_mode "$DD/bob/Maildir" 0700 "re-created Maildir is 0700"
# Re-creating it fails (a dangling link in its place: nothing there for
# stat, mkdir refused): the file system's trouble, deferred - 5.6 bounced.
new_domain
rm -rf "$DD/bob"
ln -s "$T0/nowhere" "$DD/bob"
dv bounce-no-mailbox
is_rc 111 "user directory cannot be re-created: exit 111, not a bounce"
is_out "Auto re-creation of maildir failed. (#5.9.9)
system error" "user directory cannot be re-created: message"
rm -f "$DD/bob"

# ------------------------------------------------------------ loops
new_domain
dv delete $'Delivered-To: BOB@EXAMPLE.COM\nSubject: x\n\nbody\n'
is_rc 100 "own Delivered-To in the header: exit 100"
is_out "mail is looping" "loop: message"
nothing_new "$BOX" "loop: nothing delivered"
dv delete $'Delivered-To: bob@example.com\r\nSubject: x\n\nbody\n'
is_rc 0 "Delivered-To with CR: not the same line, delivered"
new_domain
dv delete $'Subject: x\n\nDelivered-To: bob@example.com\n'
is_rc 0 "Delivered-To in the body: not a loop"
new_domain
quiet_setup vaddaliasdomain example.com alias.org
to bob alias.org
dv delete $'Received: x\nDelivered-To: Bob@Example.com\n\nbody\n'
is_rc 100 "alias domain: loop found for the real address"
new_domain
export DTLINE=$'Delivered-To: bob@example.com\n'
dv delete
is_rc 100 "DTLINE equal to our own line: loop"

# ------------------------------------------------------------ unknown users
new_domain
to nosuch example.com
dv delete
is_rc 0 "delete: exit 0"
is_out "" "delete: no output"
dv bounce-no-mailbox
is_rc 100 "bounce-no-mailbox: exit 100"
is_out "Sorry, no mailbox here by that name. (#5.1.1)" "bounce-no-mailbox: default text"
printf 'No such user here.\nTry again.\n' > "$D/.no-user.msg"
dv bounce-no-mailbox
is_out "No such user here.
Try again." "bounce-no-mailbox: the global .no-user.msg"
printf 'Domain text\n' > "$DD/.no-user.msg"
dv bounce-no-mailbox
is_out "Domain text" "bounce-no-mailbox: the domain's .no-user.msg first"
dv ''
is_rc 100 "empty instruction: bounced, not forwarded to an empty address"
is "$(cat "$SB/inject.args" 2>/dev/null)" "" "empty instruction: qmail-inject not run"
to nosuch unknown.org
dv delete
is_rc 0 "unknown domain + delete: exit 0"

# Catchall Maildir, relative to the domain directory (an absolute path is
# a user directory, below).
new_domain
to nosuch example.com
dv ./bob/Maildir/
is_rc 0 "catchall ./bob/Maildir/: exit 0"
delivered "$BOX" "${RP}Delivered-To: nosuch@example.com
$MSG" "catchall Maildir: Delivered-To is the original recipient"
dv ./bob/mbox
is_rc 111 "mbox line: exit 111"
is_out_raw "can't handle mbox delivery for ./bob/mbox" "mbox line: message without newline"
printf '/var/mail/bob\n' > "$DD/bob/.qmail"
to bob example.com
n=$(count_new "$BOX")
dv delete
is_rc 111 "absolute mbox line in .qmail: exit 111"
is_out_raw "can't handle mbox delivery for /var/mail/bob" "absolute mbox line: message without newline"
is "$(count_new "$BOX")" "$n" "absolute mbox line: nothing delivered"
rm -f "$DD/bob/.qmail"

# Catchall user directory.
new_domain
to nosuch example.com
dv "$DD/bob"
is_rc 0 "catchall user directory: exit 0"
is_out "user does not exist, but will deliver to $DD/bob/" "catchall directory: message"
delivered "$BOX" "${RP}Delivered-To: nosuch@example.com
$MSG" "catchall directory: into <dir>/Maildir/, Delivered-To is the original recipient"
new_domain
to nosuch example.com
dv "$BOX"
is_rc 111 "catchall given a Maildir path: exit 111"
like "$OUT" "^user does not exist, but will deliver to $BOX/
can not open new email file errno=2 .*
system error
\$" "catchall Maildir path: can not open + system error"
new_domain
to nosuch example.com
printf '|cat > %s/dir-qmail.out\n' "$SB" > "$DD/bob/.qmail"
dv "$DD/bob/"
is_rc 0 "catchall directory with .qmail: exit 0"
file_is "$SB/dir-qmail.out" "$MSG" "catchall directory: its .qmail ran"
nothing_new "$BOX" "catchall directory with .qmail: no Maildir delivery"
new_domain
printf '|| | cat > %s/pipes.out\n' "$SB" > "$DD/bob/.qmail"
dv delete
is_rc 0 "program line '|| | cmd': exit 0"
file_is "$SB/pipes.out" "$MSG" "program line '|| | cmd': the leading pipes and spaces are dropped"

# ------------------------------------------------------------ forwarding
new_domain
to nosuch example.com
dv elsewhere@example.net
is_rc 0 "forward: exit 0"
is_out "" "forward: no output"
file_lines "$SB/inject.args" "forward: qmail-inject -- address" -- elsewhere@example.net
file_is "$SB/inject.in" "${RP}Delivered-To: nosuch@example.com
$MSG" "forward: RPLINE, Delivered-To from DTLINE, message"
unset DTLINE
dv '&other@example.net'
is_rc 0 "forward with &: exit 0"
file_lines "$SB/inject.args" "forward with &: the & is removed" -- other@example.net
file_is "$SB/inject.in" "${RP}Delivered-To: other@example.net
$MSG" "forward without DTLINE: Delivered-To is the address"
export DTLINE=$'Delivered-To:\n'
dv '&other@example.net'
is_rc 0 "forward, DTLINE shorter than 15 characters: exit 0"
file_is "$SB/inject.in" "${RP}Delivered-To: other@example.net
$MSG" "forward, DTLINE shorter than 15 characters: Delivered-To is the address"
unset DTLINE
# Long names: the forwarded copy's Delivered-To line is whole (it was cut
# to 363 bytes: replaced by the target address, or left out altogether).
L=$(printf 'x%.0s' $(seq 340))
to "$L" example.com
dv elsewhere@example.net
is_rc 0 "forward, 340-character recipient: exit 0"
file_is "$SB/inject.in" "${RP}Delivered-To: $L@example.com
$MSG" "forward, 340-character recipient: Delivered-To from DTLINE, whole"
unset DTLINE
dv "$L@example.net"
is_rc 0 "forward to a 352-character address: exit 0"
file_is "$SB/inject.in" "${RP}Delivered-To: $L@example.net
$MSG" "forward to a 352-character address without DTLINE: Delivered-To is the address, whole"
to nosuch example.com
export INJECT_RC=100
dv elsewhere@example.net
is_rc 100 "qmail-inject exits 100: exit 100"
is_out "system error calling qmail-inject" "qmail-inject failure: message"
export INJECT_RC=111
dv elsewhere@example.net
is_rc 111 "qmail-inject exits 111: exit 111"
unset INJECT_RC
export VPOPMAIL_QMAIL_INJECT=$SB/missing-inject
dv elsewhere@example.net
is_rc 111 "qmail-inject missing: exit 111"
is_out "Unable to launch qmail-inject.system error calling qmail-inject" \
	"qmail-inject missing: the child's text without newline, then the parent's"
new_domain
to nosuch example.com
export DTLINE=$'Delivered-To: example.com-nosuch@example.com\n'
dv nosuch@example.com $'Delivered-To: nosuch@example.com\n\nx\n'
is_rc 100 "forward to an address already in Delivered-To: loop"
is_out "mail is looping" "forward loop: message"
rm -f "$SB/inject.args"
dv '&carol@example.net' $'Delivered-To: carol@example.net\n\nx\n'
is_rc 100 "forward with & to an address already in Delivered-To: loop"
is_out "mail is looping" "forward loop with &: message"
file_absent "$SB/inject.args" "forward loop with &: qmail-inject not run"

# ------------------------------------------------------------ programs
new_domain
to nosuch example.com
dv "|cat > $SB/prog.out; echo \"\$SHELL\" > $SB/prog.shell"
is_rc 0 "program: exit 0"
file_is "$SB/prog.out" "$MSG" "program: stdin is the message, no headers added"
file_is "$SB/prog.shell" "/bin/sh
" "program: SHELL=/bin/sh"
for pair in 99:99 100:100 64:100 65:100 70:100 76:100 77:100 78:100 112:100 111:111 1:111 2:111; do
	dv "| echo said; exit ${pair%%:*}"
	is_rc "${pair#*:}" "program exit ${pair%%:*}: vdelivermail exits ${pair#*:}"
done
is_out "said" "program output passes through"
dv '|kill -9 $$'
is_rc 111 "program killed by a signal: exit 111"

# ------------------------------------------------------------ the user's .qmail
new_domain
printf '# only a comment\n' > "$DD/bob/.qmail"
dv delete
is_rc 0 ".qmail with only comments: exit 0"
nothing_new "$BOX" ".qmail with only comments: message discarded"
: > "$DD/bob/.qmail"
dv delete
is_rc 0 "empty .qmail: exit 0"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "empty .qmail: normal delivery"
new_domain
printf '\n\n' > "$DD/bob/.qmail"
dv delete
is_rc 0 "blank-line .qmail: exit 0"
is "$(cat "$SB/inject.args" 2>/dev/null)" "" "blank line: no forward to an empty address"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "blank-line .qmail: normal delivery"
# A lone '&' forwards nowhere: the mail is never dropped for it.
new_domain
printf '&\n' > "$DD/bob/.qmail"
dv delete
is_rc 111 "a lone & in .qmail: deferred (111), not discarded"
is_out "a forward line holds no address (a lone &)" "a lone & in .qmail: the reason for qmail's log"
is "$(cat "$SB/inject.args" 2>/dev/null)" "" "a lone & in .qmail: qmail-inject not run"
nothing_new "$BOX" "a lone & in .qmail: nothing delivered"
rm -f "$DD/bob/.qmail"
to nosuch example.com
dv '&'
is_rc 100 "a lone & as the catch-all: bounced like an empty one"
is_out "Sorry, no mailbox here by that name. (#5.1.1)" "a lone & as the catch-all: the no-mailbox text"
# "&&x": 5.6 dropped a second '&' on the way to qmail-inject; "&&" alone is a lone '&'
new_domain
printf '&&carol@example.net\n' > "$DD/bob/.qmail"
rm -f "$SB/inject.args"
dv delete
is_rc 0 "&&address in .qmail: exit 0"
is "$(cat "$SB/inject.args" 2>/dev/null)" "--
carol@example.net" "&&address: qmail-inject gets the address without any '&'"
printf '&&\n' > "$DD/bob/.qmail"
dv delete
is_rc 111 "&& alone in .qmail: deferred like a lone &"
rm -f "$DD/bob/.qmail"
# A NUL byte in a line: neither a blank line (mail dropped) nor a line
# cut at the NUL (forwarded to what precedes it): the mail waits, and no
# line of the file runs, so no copy goes out twice when it is retried.
new_domain
for text in '\0\n' '&alice@example.com\0junk\n' './Maildir/\n|cat > x\0y\n' '# fine\n\0./Maildir/\n'; do
	printf "$text" > "$DD/bob/.qmail"
	rm -f "$SB/inject.args"
	dv delete
	is_rc 111 ".qmail line with a NUL ($text): deferred (111)"
	is_out "vdelivermail: a line of .qmail holds a NUL byte" ".qmail line with a NUL ($text): the reason"
	file_absent "$SB/inject.args" ".qmail line with a NUL ($text): nothing forwarded"
	nothing_new "$BOX" ".qmail line with a NUL ($text): nothing delivered, not even by an earlier line"
done
printf '#a\0b\n./Maildir/\n' > "$DD/bob/.qmail"
dv delete
is_rc 0 "a NUL in a .qmail comment: the comment is ignored as before"

# The .qmail is read whole before any line runs.  A read that fails (an
# I/O error, injected with strace) must defer the mail, not look like an
# empty file (that sent it to the default delivery, the forward lost, with
# exit 0) nor come after a line ran (the retry would run it again).
if strace_ok; then
	printf '&carol@example.net\n./Maildir/\n' > "$DD/bob/.qmail"
	# (LeakSanitizer cannot run under ptrace: off for these two runs)
	VP_TEST_WRAPPER="$NOLSAN strace -o $SB/st.log -e trace=openat,read" dv delete
	# the first read(<fd of .qmail>, ...) after its open: its number among the reads
	n=$(awk '/openat\(.*\/bob\/\.qmail"/ { split($0, a, "= "); fd = a[2] + 0 }
		/^read\(/ { k++; if (fd != "" && index($0, "read(" fd ", ") == 1) { print k; exit } }' "$SB/st.log")
	rm -f "$SB/inject.args" "$BOX"/new/*
	VP_TEST_WRAPPER="$NOLSAN strace -o /dev/null -e trace=read -e inject=read:error=EIO:when=${n:-1}" dv delete
	is_rc 111 "the .qmail cannot be read: deferred (111), not delivered as if it were empty"
	is_out "vdelivermail: cannot read .qmail" "the .qmail cannot be read: the reason"
	file_absent "$SB/inject.args" "the .qmail cannot be read: nothing forwarded"
	nothing_new "$BOX" "the .qmail cannot be read: nothing delivered"
	# Read whole once, it is never read again: every later read of it
	# failing changes nothing (a re-read after the first lines ran was a
	# 111 whose retry forwarded and delivered a second time).
	rm -f "$SB/inject.args" "$BOX"/new/*
	VP_TEST_WRAPPER="$NOLSAN strace -o /dev/null -P $DD/bob/.qmail -e trace=read -e inject=read:error=EIO:when=3+" dv delete
	is_rc 0 "later reads of the .qmail would fail: delivered (the file was read once)"
	[ -f "$SB/inject.args" ] && pass "later reads of the .qmail would fail: forwarded once" ||
		fail "later reads of the .qmail would fail: forwarded once"
	is "$(count_new "$BOX")" 1 "later reads of the .qmail would fail: one copy in the Maildir"
else
	for _t in "exit 111" "the reason" "nothing forwarded" "nothing delivered" "reads after: exit 0" \
		"reads after: forwarded once" "reads after: one copy"; do
		skip "no usable strace (or under a checker): the .qmail cannot be read: $_t"
	done
fi
rm -f "$DD/bob/.qmail"
rm -f "$DD/bob/.qmail"
to bob example.com
new_domain
printf '\n# copy\n./Maildir/\n&copy@example.net\n|cat > %s/q.out\n' "$SB" > "$DD/bob/.qmail"
dv delete
is_rc 0 ".qmail with three lines: exit 0"
delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" ".qmail ./Maildir/ (relative to the user directory)"
file_lines "$SB/inject.args" ".qmail forward line" -- copy@example.net
file_is "$SB/q.out" "$MSG" ".qmail program line"
new_domain
printf '|exit 100\n|cat > %s/never\n' "$SB" > "$DD/bob/.qmail"
dv delete
is_rc 100 ".qmail program failing: exit 100"
file_absent "$SB/never" ".qmail: later lines not run after a failure"
nothing_new "$BOX" ".qmail failing: no Maildir delivery"
printf '|exit 99\n|cat > %s/never\n' "$SB" > "$DD/bob/.qmail"
dv delete
is_rc 99 ".qmail program exit 99: exit 99"
file_absent "$SB/never" ".qmail: exit 99 stops"
new_domain
printf './Maildir/\n' > "$DD/bob/.qmail"
chmod 000 "$DD/bob/.qmail"
if [ "$(id -u)" != 0 ]; then
	dv delete
	is_rc 111 "unreadable .qmail: exit 111 (not delivered elsewhere)"
	nothing_new "$BOX" "unreadable .qmail: nothing delivered"
else
	skip "unreadable .qmail (root reads everything)"; skip "unreadable .qmail"
fi
chmod 600 "$DD/bob/.qmail"

# ------------------------------------------------------------ qmail extensions
new_domain
to bob-foo example.com
dv bounce-no-mailbox
if [ "$QEXT" = 1 ]; then
	is_rc 0 "qmail-ext: bob-foo goes to bob"
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "qmail-ext: delivered to bob's Maildir"
	printf '|cat > %s/ext.out\n' "$SB" > "$DD/bob/.qmail-zz-yy"
	printf '|echo zz-default > %s/which\n' "$SB" > "$DD/bob/.qmail-zz-default"
	printf '|echo default > %s/which\n' "$SB" > "$DD/bob/.qmail-default"
	to bob-zz-yy example.com
	dv bounce-no-mailbox
	is_rc 0 "qmail-ext bob-zz-yy: exit 0"
	file_is "$SB/ext.out" "$MSG" "qmail-ext: .qmail-zz-yy first"
	rm "$DD/bob/.qmail-zz-yy"
	dv bounce-no-mailbox
	file_is "$SB/which" "zz-default
" "qmail-ext: then .qmail-zz-default"
	rm "$DD/bob/.qmail-zz-default"
	dv bounce-no-mailbox
	file_is "$SB/which" "default
" "qmail-ext: then .qmail-default"
	mv "$DD/bob/.qmail-default" "$SB/qmail-default.saved"
	printf '|echo dotqmail > %s/which\n' "$SB" > "$DD/bob/.qmail"
	dv bounce-no-mailbox
	file_is "$SB/which" "dotqmail
" "qmail-ext: last .qmail"
	rm "$DD/bob/.qmail"
	mv "$SB/qmail-default.saved" "$DD/bob/.qmail-default"
	to bob-a.b example.com
	printf '|echo dots > %s/which\n' "$SB" > "$DD/bob/.qmail-a:b"
	dv bounce-no-mailbox
	file_is "$SB/which" "dots
" "qmail-ext: '.' in the extension becomes ':'"
	# A '/' in the extension: the candidates whose names would hold it
	# are skipped, the shorter ones still apply (spec 4.6).
	printf '|echo x-default > %s/which\n' "$SB" > "$DD/bob/.qmail-x-default"
	: > "$SB/which"
	to bob-x-a/b example.com
	dv bounce-no-mailbox
	file_is "$SB/which" "x-default
" "qmail-ext: bob-x-a/b: .qmail-x-default"
	rm "$DD/bob/.qmail-x-default"
	: > "$SB/which"
	to bob-a/b example.com
	dv bounce-no-mailbox
	file_is "$SB/which" "default
" "qmail-ext: bob-a/b: .qmail-default"
	to nosuch-foo example.com
	dv bounce-no-mailbox
	is_rc 100 "qmail-ext: unknown base user bounces"
	# A catch-all user directory: its .qmail-<ext> files count too (spec 4.13).
	printf '|echo foo > %s/which\n' "$SB" > "$DD/bob/.qmail-foo"
	dv "$DD/bob"
	is_rc 0 "qmail-ext, catch-all directory: exit 0"
	is_out "user does not exist, but will deliver to $DD/bob/" "qmail-ext, catch-all directory: message"
	file_is "$SB/which" "foo
" "qmail-ext, catch-all directory: its .qmail-foo ran for nosuch-foo"
	rm "$DD/bob/.qmail-foo"
	quiet_setup vmoduser -b bob@example.com
	to bob-foo example.com
	dv bounce-no-mailbox
	is_rc 100 "qmail-ext, locked account: exit 100"
	is_out "vdelivermail: account is locked email bounced bob-foo@example.com" \
		"qmail-ext, locked account: the whole address is named"
else
	is_rc 100 "no qmail-ext: bob-foo is an unknown user"
	is_out "Sorry, no mailbox here by that name. (#5.1.1)" "no qmail-ext: bounce text"
fi

# ------------------------------------------------------------ defaultdelivery
new_domain
printf '# site default\n|cat > %s/dd.out\n' "$SB" > "$QH/control/defaultdelivery"
dv delete
is_rc 0 "defaultdelivery present: exit 0"
if [ "$DEFDEL" = 1 ]; then
	file_is "$SB/dd.out" "$MSG" "defaultdelivery: its line ran"
	nothing_new "$BOX" "defaultdelivery: instead of the Maildir"
	printf '| %s/bin/vdelivermail '"''"' delete\n' "$VH" > "$QH/control/defaultdelivery"
	dv delete
	is_rc 0 "defaultdelivery naming vdelivermail: exit 0"
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "defaultdelivery naming vdelivermail: normal delivery"
	# There but unreadable (here: a symlink loop): wait, and say why.
	rm -f "$QH/control/defaultdelivery"
	ln -s defaultdelivery "$QH/control/defaultdelivery"
	n=$(count_new "$BOX")
	dv delete
	is_rc 111 "defaultdelivery unreadable: deferred"
	like "$OUT" "^vdelivermail: cannot open $QH/control/defaultdelivery: " "defaultdelivery unreadable: the reason"
	is "$(count_new "$BOX")" "$n" "defaultdelivery unreadable: nothing delivered"
	rm -f "$QH/control/defaultdelivery"
	printf '&alice@example.com\0junk\n' > "$QH/control/defaultdelivery"
	rm -f "$SB/inject.args"
	dv delete
	is_rc 111 "defaultdelivery line with a NUL: deferred"
	is_out "vdelivermail: a line of control/defaultdelivery holds a NUL byte" "defaultdelivery line with a NUL: the reason"
	file_absent "$SB/inject.args" "defaultdelivery line with a NUL: nothing forwarded"
	is "$(count_new "$BOX")" "$n" "defaultdelivery line with a NUL: nothing delivered"
	rm -f "$QH/control/defaultdelivery"
else
	file_absent "$SB/dd.out" "defaultdelivery ignored without --enable-defaultdelivery"
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "without defaultdelivery: normal delivery"
fi

# ------------------------------------------------------------ never lose mail
new_domain
big=$(head -c 8000 /dev/zero | tr '\0' 'z')
printf 'Subject: x\n\n%s\n' "$big" > "$SB/bigmsg"
( cd "$DD" && ulimit -f 4 && exec "$top_builddir/vdelivermail" '' delete ) < "$SB/bigmsg" > "$T0/.out" 2>&1
RC=$?; OUT=$(cat "$T0/.out")
is_rc 111 "write fails (file size limit): exit 111"
is "$OUT" "write failed errno = 27
system error" "write failure: message"
nothing_new "$BOX" "write failure: nothing in new/, tmp file removed"

new_domain
rmdir "$BOX/new"
dv delete
is_rc 111 "new/ missing: exit 111"
like "$OUT" "^link failed $BOX/new/ errno = 2
system error" "new/ missing: message"
is "$(ls -A "$BOX/tmp")" "" "new/ missing: tmp file removed"
new_domain
rmdir "$BOX/tmp"
dv delete
is_rc 111 "tmp/ missing: exit 111"
like "$OUT" "^can not open new email file errno=2 file=$BOX/tmp/
system error" "tmp/ missing: message"

new_domain
chmod 500 "$BOX/tmp"
if [ "$(id -u)" != 0 ]; then
	dv delete
	is_rc 111 "tmp/ not writable: exit 111"
else
	skip "tmp/ not writable (root)"
fi
chmod 700 "$BOX/tmp"

# A user database that cannot be read defers instead of bouncing.
new_domain
to bob example.com
rm -f "$DD/vpasswd.cdb"; chmod 000 "$DD/vpasswd"
if [ "$(id -u)" != 0 ]; then
	dv bounce-no-mailbox
	is_rc 111 "unreadable vpasswd: exit 111, not a bounce"
else
	skip "unreadable vpasswd (root)"
fi
chmod 600 "$DD/vpasswd"

# A torn vpasswd.cdb (root cannot be kept out by permissions): deferred too.
new_domain
to bob example.com
if [ "$SQL" = 1 ]; then
	skip "mysql backend has no vpasswd.cdb: torn vpasswd.cdb: exit 111"
	skip "mysql backend has no vpasswd.cdb: torn vpasswd.cdb: nothing delivered"
else
	printf 'torn' > "$DD/vpasswd.cdb"
	dv bounce-no-mailbox
	is_rc 111 "torn vpasswd.cdb: exit 111, not a bounce"
	is "$(new_in "$BOX")" "" "torn vpasswd.cdb: nothing delivered"
fi

# Torn after its table of contents: the lookup reads past the end.
new_domain
to bob example.com
if [ "$SQL" = 1 ]; then
	skip "mysql backend has no vpasswd.cdb: vpasswd.cdb cut short: exit 111"
	skip "mysql backend has no vpasswd.cdb: vpasswd.cdb cut short: nothing deleted"
else
	head -c 2060 "$DD/vpasswd.cdb" > "$SB/cut.cdb" && mv "$SB/cut.cdb" "$DD/vpasswd.cdb"
	dv delete
	is_rc 111 "vpasswd.cdb cut short: exit 111, not 'no such user'"
	is "$(ls "$BOX/new" | wc -l)" 0 "vpasswd.cdb cut short: nothing delivered"
fi

# A record that is in vpasswd.cdb but damaged (a hand edit cut it after
# the gecos, then the index was rebuilt): deferred, not "no such user"
# (the catch-all would delete, bounce or forward bob's mail).
new_domain
to bob example.com
if [ "$SQL" = 1 ]; then
	skip "mysql backend: damaged vpasswd record: exit 111"
	skip "mysql backend: damaged vpasswd record: nothing delivered"
	skip "mysql backend: damaged vpasswd record: message"
else
	sed -i 's/^\(bob:[^:]*:[^:]*:[^:]*:[^:]*\):.*$/\1/' "$DD/vpasswd"
	quiet_setup vmkpasswd example.com
	dv delete
	is_rc 111 "damaged vpasswd record: exit 111, not deleted as unknown"
	is "$(ls "$BOX/new" | wc -l)" 0 "damaged vpasswd record: nothing delivered"
	is_out "vdelivermail: cannot read the user database
system error" "damaged vpasswd record: the deferral says why"
fi

# The mysql backend: the domain's users table gone (a database restored
# without it, a wrong database name in vpopmail.mysql) is trouble to
# wait out, not "no such user" (the catch-all would bounce or delete).
new_domain
to bob example.com
if [ "$SQL" = 1 ]; then
	if has_define MANY_DOMAINS; then utable=vpopmail; else utable=example_com; fi
	sql_db "$DD" "DROP TABLE \`$utable\`"
	dv bounce-no-mailbox
	is_rc 111 "mysql, the users table gone: exit 111, not a bounce"
	nothing_new "$BOX" "mysql, the users table gone: nothing delivered"
else
	skip "the cdb backend has no users table: table gone: exit 111"
	skip "the cdb backend has no users table: table gone: nothing delivered"
fi

# users/cdb missing or torn: the domain cannot be resolved, which must not
# send mail for existing users to the catch-all (5.6 deleted or bounced it).
new_domain
to bob example.com
mv "$QH/users/$USERS_CDB_NAME" "$QH/users/$USERS_CDB_NAME.away"
dv delete
is_rc 111 "users/cdb missing, catch-all delete: exit 111, not deleted"
is_out "vdelivermail: cannot read the user database
system error" "users/cdb missing: the reason"
is "$(new_in "$BOX")" "" "users/cdb missing: nothing delivered"
printf 'torn' > "$QH/users/$USERS_CDB_NAME"
dv bounce-no-mailbox
is_rc 111 "torn users/cdb: exit 111, not a bounce"
mv "$QH/users/$USERS_CDB_NAME.away" "$QH/users/$USERS_CDB_NAME"
to bob unknown.org
dv delete
is_rc 0 "readable users/cdb without the domain: the catch-all applies"

# ------------------------------------------------------------ spamc and maildrop hooks
limits() { printf '%s\n' "$@" > "$DD/.qmailadmin-limits"; }
if [ "$SPAM" = 1 ]; then
	new_domain
	cat > "$SB/spamc" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$SB/spamc.args"
printf 'X-Spam-Flag: YES\n'
cat
exit \${SPAMC_RC:-0}
EOF
	chmod 755 "$SB/spamc"
	export VPOPMAIL_SPAMC=$SB/spamc
	limits disable_maildrop
	dv delete
	is_rc 0 "spamc, delete_spam off: exit 0"
	file_lines "$SB/spamc.args" "spamc -f -u <recipient>" -f -u bob@example.com
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
X-Spam-Flag: YES
$MSG" "spamc, delete_spam off: spam is delivered, not discarded"
	new_domain; export VPOPMAIL_SPAMC=$SB/spamc
	limits disable_maildrop delete_spam
	cat > "$SB/spamc" <<EOF
#!/bin/sh
printf 'X-Spam-Flag: YES\n'
cat
EOF
	chmod 755 "$SB/spamc"
	dv delete
	is_rc 0 "spamc, domain delete_spam: exit 0"
	nothing_new "$BOX" "spamc, delete_spam: flagged spam discarded"
	printf '#!/bin/sh\nprintf "X-Spam-Flag: NO\\n"; cat\n' > "$SB/spamc"
	dv delete
	is "$(count_new "$BOX")" 1 "spamc, delete_spam: clean mail delivered"
	new_domain; limits disable_maildrop
	printf '#!/bin/sh\nhead -c 5\nexit 74\n' > "$SB/spamc"; chmod 755 "$SB/spamc"
	export VPOPMAIL_SPAMC=$SB/spamc
	dv delete
	is_rc 111 "spamc failing: exit 111"
	nothing_new "$BOX" "spamc failing: no partial message in new/"
	new_domain; limits disable_maildrop
	dv delete
	is_rc 0 "spamc missing: exit 0"
	delivered "$BOX" "${RP}Delivered-To: bob@example.com
$MSG" "spamc missing: message passed on unchanged"
	new_domain; limits disable_maildrop
	printf '#!/bin/sh\necho X-Spam-Flag: YES; cat\n' > "$SB/spamc"; chmod 755 "$SB/spamc"
	export VPOPMAIL_SPAMC=$SB/spamc
	quiet_setup vmoduser -f bob@example.com
	dv delete
	is "$(head -c 20 "$(the_msg "$BOX")")" "Return-Path: <alice@" "user NO_SPAMASSASSIN: spamc not run"
	# A catchall Maildir: spamc is told the Maildir's owner.
	new_domain; limits disable_maildrop
	cat > "$SB/spamc" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$SB/spamc.args"
cat
EOF
	chmod 755 "$SB/spamc"
	export VPOPMAIL_SPAMC=$SB/spamc
	to nosuch example.com
	dv ./bob/Maildir/
	is_rc 0 "spamc, catchall Maildir: exit 0"
	file_lines "$SB/spamc.args" "spamc, catchall Maildir: -u <the Maildir's owner>" -f -u bob@example.com
	# A Maildir that belongs to no user: no spamc.
	mkdir -p "$DD/shared/Maildir/new" "$DD/shared/Maildir/cur" "$DD/shared/Maildir/tmp"
	give_domain "$DD/shared"
	rm -f "$SB/spamc.args"
	dv ./shared/Maildir/
	is_rc 0 "spamc, a Maildir of no user: exit 0"
	file_absent "$SB/spamc.args" "spamc, a Maildir of no user: spamc not run"
	is "$(count_new "$DD/shared/Maildir")" 1 "spamc, a Maildir of no user: delivered"
fi
if [ "$MDROP" = 1 ]; then
	# maildrop_stubs: preline (first on PATH) and maildrop stand-ins in $SB.
	maildrop_stubs() {
		mkdir -p "$SB/path"
		printf '#!/bin/sh\necho "$RPLINE$DTLINE" > %s/preline.env\nexec "$@"\n' "$SB" > "$SB/path/preline"
		printf '#!/bin/sh\ncat > %s/maildrop.in\nexit ${MAILDROP_RC:-0}\n' "$SB" > "$SB/maildrop"
		chmod 755 "$SB/path/preline" "$SB/maildrop"
		export VPOPMAIL_MAILDROP=$SB/maildrop PATH=$SB/path:$PATH
	}
	new_domain
	limits disable_spamassassin
	maildrop_stubs
	dv delete
	is_rc 0 "maildrop: exit 0"
	file_is "$SB/maildrop.in" "$MSG" "maildrop: gets the message through preline"
	nothing_new "$BOX" "maildrop: does the delivery itself"
	export MAILDROP_RC=75
	dv delete
	is_rc 111 "maildrop exit 75: exit 111"
	export MAILDROP_RC=77
	dv delete
	is_rc 100 "maildrop exit 77: exit 100"
	unset MAILDROP_RC
	quiet_setup vmoduser -m bob@example.com
	rm -f "$SB/maildrop.in"
	dv delete
	is_rc 0 "user NO_MAILDROP: exit 0"
	file_absent "$SB/maildrop.in" "user NO_MAILDROP: maildrop not run"
	is "$(count_new "$BOX")" 1 "user NO_MAILDROP: delivered to the Maildir"
	if [ "$SPAM" = 1 ]; then
		# Both hooks: maildrop reads what spamc made of the message.
		PATH=${PATH#"$SB/path:"}
		new_domain
		: > "$DD/.qmailadmin-limits"   # the domain disables neither
		maildrop_stubs
		printf '#!/bin/sh\nprintf "%%s\\n" "$@" > %s/spamc.args\nprintf "X-Spam-Flag: YES\\n"; cat\nexit ${SPAMC_RC:-0}\n' "$SB" > "$SB/spamc"
		chmod 755 "$SB/spamc"
		export VPOPMAIL_SPAMC=$SB/spamc
		rm -f "$SB/maildrop.in" "$SB/spamc.args"
		dv delete
		is_rc 0 "spamc and maildrop: exit 0"
		file_lines "$SB/spamc.args" "spamc and maildrop: spamc -f -u <recipient>" -f -u bob@example.com
		file_is "$SB/maildrop.in" "X-Spam-Flag: YES
$MSG" "spamc and maildrop: maildrop gets spamc's output"
		nothing_new "$BOX" "spamc and maildrop: maildrop does the delivery"
		rm -f "$SB/maildrop.in"
		export SPAMC_RC=74
		dv delete
		is_rc 111 "spamc fails before maildrop: exit 111"
		file_absent "$SB/maildrop.in" "spamc fails before maildrop: maildrop not run with a cut message"
		unset SPAMC_RC
		# The next line of a .qmail reads the original message again.
		printf './Maildir/\n&other@example.org\n' > "$DD/bob/.qmail"
		rm -f "$SB/maildrop.in" "$SB/inject.in"
		dv delete
		is_rc 0 "spamc and maildrop, then a forward: exit 0"
		file_is "$SB/maildrop.in" "X-Spam-Flag: YES
$MSG" "spamc and maildrop from a .qmail line: maildrop gets spamc's output"
		unlike "$(cat "$SB/inject.in" 2>/dev/null)" "X-Spam-Flag" "the forward after it gets the original message"
		like "$(cat "$SB/inject.in" 2>/dev/null)" "$(printf '%s' "$MSG" | tail -n 1)" "the forward gets the whole message"
		rm -f "$DD/bob/.qmail"
	fi
	PATH=${PATH#"$SB/path:"}
fi

done_testing
