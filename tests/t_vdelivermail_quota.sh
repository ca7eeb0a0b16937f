#!/bin/bash
# t_vdelivermail_quota.sh - vdelivermail and Maildir++ quota: the check
# before delivery, the maildirsize line appended after it, recounts of a
# missing or stale file, compaction of a big one, over-quota bounces,
# the quota warning (spec runtime.md §4.8-§4.10, §9; storage-and-admin.md §5).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deliver_common.sh"
require_bins vdelivermail vadddomain vadduser vsetuserquota

MSG=$'Subject: q\n\n0123456789\n'        # 22 bytes
RP=$'Return-Path: <a@example.net>\n'    # 29 bytes
HDR="${RP}Delivered-To: bob@example.com"$'\n'
SIZE=$(( ${#HDR} + ${#MSG} ))            # bytes of each delivered file

# example.com with bob (deliver_common.sh), and qmail-local's environment.
new_domain() {
	deliver_domain
	export EXT=bob HOST=example.com RPLINE=$RP DTLINE=$'Delivered-To: example.com-bob@example.com\n'
}
quota() { VP_TEST_WRAPPER= setup vsetuserquota bob@example.com "$1"; }
dv() {
	local here=$PWD
	cd "$DD" || return
	RUN_AS=$DV_AS run_in "${2-$MSG}" vdelivermail '' "${1:-delete}"
	cd "$here" || return
}
count_new() { ls -1 "$1/new" | grep -c . ; }

# ------------------------------------------------------------ incremental maildirsize
new_domain
quota 1000
file_is "$BOX/maildirsize" "1000S
0 0
" "vsetuserquota wrote the maildirsize"
dv
is_rc 0 "first delivery under quota: exit 0"
is_out "" "first delivery: no output"
file_is "$BOX/maildirsize" "1000S
0 0
$SIZE 1
" "first delivery: '<size> 1' appended"
dv
file_is "$BOX/maildirsize" "1000S
0 0
$SIZE 1
$SIZE 1
" "second delivery appended too"
f=$(ls "$BOX/new" | head -1)
is "${f##*,S=}" "$SIZE" "the appended size equals the ,S= size"

# A header block longer than the copy buffer (a 70 KB envelope sender)
# counts like the rest of the message: in ",S=", in maildirsize, against
# the quota.
new_domain
quota 100000
RPLINE="Return-Path: <$(head -c 70000 /dev/zero | tr '\0' s)@example.net>"$'\n'
dv
is_rc 0 "a 70 KB Return-Path: delivered"
f=$(ls "$BOX/new" | head -1)
big=$(wc -c < "$BOX/new/$f")
is "${f##*,S=}" "$big" "a 70 KB Return-Path: ',S=' is the file's size"
is "$(tail -1 "$BOX/maildirsize")" "$big 1" "a 70 KB Return-Path: maildirsize counts it all"
dv; dv
is_rc 100 "a third such message is over the 100,000-byte quota: exit 100"
is "$(count_new "$BOX")" 2 "only two of them delivered"

# ------------------------------------------------------------ over quota (bytes)
new_domain
quota $(( 2 * SIZE + 10 ))
dv; dv
is "$(count_new "$BOX")" 2 "two messages fit"
dv
is_rc 100 "third message over the byte limit: exit 100"
is_out_raw "user is over quota

" "over quota: 'user is over quota' and an empty line"
is "$(count_new "$BOX")" 2 "over quota: not delivered"
file_is "$BOX/maildirsize" "$(( 2 * SIZE + 10 ))S
$(( 2 * SIZE )) 2
" "over quota by a multi-line file: verified by a recount"
file_exists "$BOX/quotawarn" "over quota: warning time stamp set"
printf 'Your box is full.\n' > "$DD/.over-quota.msg"
dv
is_rc 100 "over quota with .over-quota.msg: exit 100"
is_out_raw "Your box is full.

" "over quota: the domain's .over-quota.msg"
# The quota warning is due (none for a day) and there is a text for it: it
# is delivered into the mailbox although the message itself bounces (5.6,
# kept on purpose: doc/COMPATIBILITY.md).
printf 'Subject: Mail quota warning\n\nNearly full.\n' > "$D/.quotawarn.msg"
touch -d '25 hours ago' "$BOX/quotawarn"
dv
is_rc 100 "over quota, warning due: the message bounces"
is "$(count_new "$BOX")" 3 "over quota, warning due: the warning is delivered all the same"
w=$(grep -l 'Mail quota warning' "$BOX"/new/* | head -1)
like "$(cat "$w" 2>/dev/null)" "^Delivered-To: bob@example.com
Date: [^
]*
Subject: Mail quota warning

Nearly full.\$" "over quota, warning due: the warning's text"
rm -f "$D/.quotawarn.msg"

# ------------------------------------------------------------ over quota (count)
new_domain
quota 2C
file_is "$BOX/maildirsize" "2C
0 0
" "count quota maildirsize"
dv; dv
dv
is_rc 100 "third message with 2C: exit 100"
is "$(count_new "$BOX")" 2 "2C: two messages kept"

# ------------------------------------------------------------ recounts
new_domain
quota 100000
dv
rm "$BOX/maildirsize"
dv
is_rc 0 "maildirsize missing: exit 0"
file_is "$BOX/maildirsize" "100000S
$SIZE 1
$SIZE 1
" "missing maildirsize: recounted (the earlier message), then appended"

# A recount that cannot read part of the Maildir (an I/O error on a
# folder's cur/, injected with strace) is not saved: kept, its low figures
# would be believed while fresh.  Within quota by what it could count, the
# message waits (the rest might be over); the next try counts again.  A
# folder that is broken for good (a link loop) counts as empty, as in 5.6.
new_domain
quota 100000
dv
mkdir -p "$BOX/.Lost/cur" "$BOX/.Lost/new"
rm "$BOX/maildirsize"
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -P $BOX/.Lost/cur -e trace=openat -e inject=openat:error=EIO" dv
	is_rc 111 "part of the Maildir unreadable: deferred"
	is_out "vdelivermail: cannot count $BOX/ for its quota
system error" "part of the Maildir unreadable: said so"
	file_absent "$BOX/maildirsize" "part of the Maildir unreadable: no maildirsize from the partial count"
	is "$(count_new "$BOX")" 1 "part of the Maildir unreadable: nothing delivered"
else
	skip_no_strace "part of the Maildir unreadable" "deferred" "said so" "no maildirsize" "nothing delivered"
fi
dv
is_rc 0 "readable again: delivered"
file_is "$BOX/maildirsize" "100000S
$SIZE 1
$SIZE 1
" "readable again: the recount is saved, then the message appended"
rm -rf "$BOX/.Lost/cur"; ln -s cur "$BOX/.Lost/cur"; rm "$BOX/maildirsize"
dv
is_rc 0 "a folder broken for good (cur/ a link loop): delivered"
file_is "$BOX/maildirsize" "100000S
$(( SIZE * 2 )) 2
$SIZE 1
" "a folder broken for good: counted as empty, the recount saved"

new_domain
quota 100000
dv
printf '100000S\n99999 50\n' > "$BOX/maildirsize"
touch -d '20 minutes ago' "$BOX/maildirsize"
dv
is_rc 0 "stale maildirsize: exit 0"
file_is "$BOX/maildirsize" "100000S
$SIZE 1
$SIZE 1
" "stale maildirsize: rebuilt from the Maildir"

# Sums beyond 64 bits (two lines of INT64_MAX wrapped to "empty" before):
# the file is not believed, the Maildir is recounted.
for junk in '9223372036854775807 1\n9223372036854775807 1' '99999999999999999999 1' \
            '-9223372036854775808 1'; do
	new_domain
	quota 1000
	dv
	printf "1000S\n$junk\n" > "$BOX/maildirsize"
	dv
	is_rc 0 "maildirsize with '$junk': recounted, delivered"
	file_is "$BOX/maildirsize" "1000S
$SIZE 1
$SIZE 1
" "maildirsize with '$junk': rebuilt from the Maildir"
done

# A last line without its LF (a hand edit, an append cut short): a line
# appended to it would be glued on ("0 0" + "<size> 1" reads as
# "0 0<size> 1", thousands of messages: every later delivery bounced).
# Such a file is recounted; so is an empty one (no definition line, and
# the line appended would have been taken for it).
for text in '2C\n0 0' ''; do
	new_domain
	quota 2C
	dv
	printf "$text" > "$BOX/maildirsize"
	dv
	is_rc 0 "maildirsize '$text': delivered"
	file_is "$BOX/maildirsize" "2C
$SIZE 1
$SIZE 1
" "maildirsize '$text': recounted, then appended"
done

new_domain
quota 1000
printf '1000S\n0 0\n900 1\n900 1\n' > "$BOX/maildirsize"
dv
is_rc 0 "over by a multi-line file, but not really: recount, delivered"
file_is "$BOX/maildirsize" "1000S
0 0
$SIZE 1
" "the recount replaced the wrong figures"

new_domain
quota 1000
printf '1000S\n2000 1\n' > "$BOX/maildirsize"
dv
is_rc 100 "a fresh one-line file saying 'over' is believed"

new_domain
quota 10000000
{ echo 10000000S; for i in $(seq 1 1400); do echo "7 1"; done; } > "$BOX/maildirsize"
dv
is_rc 0 "big maildirsize: exit 0"
file_is "$BOX/maildirsize" "10000000S
$((1400 * 7 + SIZE)) 1401
" "a fresh file past 5120 bytes is compacted to one line (not recounted)"

new_domain
quota 1000
rm "$BOX/maildirsize"; mkdir "$BOX/maildirsize"
dv
is_rc 111 "maildirsize unreadable (a directory): exit 111"
like "$OUT" "system error" "unreadable maildirsize: system error"
is "$(count_new "$BOX")" 0 "unreadable maildirsize: nothing delivered"
rmdir "$BOX/maildirsize"

new_domain
quota 1000
rm "$BOX/maildirsize"; ln -s /etc/passwd "$BOX/maildirsize"
dv
is_rc 0 "maildirsize a symlink: not followed, rebuilt"
is "$(stat -c %F "$BOX/maildirsize")" "regular file" "symlink replaced by a real file"

new_domain
dv
file_absent "$BOX/maildirsize" "NOQUOTA: no maildirsize"

# ------------------------------------------------------------ concurrent recounts
# A recount (or vsetuserquota) replaces maildirsize by rename while other
# deliveries append to it: no appended line may be lost with the old file,
# and a message counted but not yet linked into new/ must not be missed
# (found by a stress run: the sum stayed a message or two below the
# Maildir, kept fresh by every later append).  The interleavings are
# forced with strace (lib.sh: traced, stopped_or_gone): one program is
# held on entering a chosen system call while another one runs.

# held NAME STRACE-OPTIONS -- PROG ARGS...: PROG run in the background from
# $DD under strace (lib.sh's traced: log in $SB/NAME.st, exit status in
# $SB/NAME.rc), $MSG on its stdin, until strace holds it.  HPID: the
# background job.
held() {
	local name=$1
	shift
	printf '%s' "$MSG" > "$SB/msg"
	traced "$name" "$@"
	HPID=$TPID
	stopped_or_gone "$(pid_of "$name")"
}
# was_held NAME: the strace log of NAME shows the held call.
was_held() { grep -q ' = 0 (DELAYED)$' "$SB/$1.st"; }
# rename_at NAME PROG ARGS...: PROG (as NAME) held 3 s on entering the
# rename that replaces maildirsize.  strace's -P misses a rename(2) call,
# so the call is told by its number, from a dry run of PROG under strace;
# then $SETUP_AGAIN sets up the state of the dry run again.
rename_at() {
	local name=$1 n
	shift
	printf '%s' "$MSG" > "$SB/dry.in"
	( cd "$DD" && strace -f -o "$SB/dry.st" -e trace=/^rename "$@" < "$SB/dry.in" > /dev/null 2>&1 )
	n=$(awk '/^[0-9]+ +rename/ { k++; if (index($0, "/maildirsize\"")) { print k; exit } }' "$SB/dry.st")
	"$SETUP_AGAIN"
	held "$name" -e trace=/^rename -e inject=/^rename:delay_enter=3000000:when="${n:-1}" -- "$@"
}
# link_at NAME PROG ARGS...: PROG held 3 s on entering its link of the
# message into new/ (its line is in maildirsize by then).
link_at() {
	local name=$1
	shift
	held "$name" -e trace=/^link -e inject=/^link:delay_enter=3000000:when=1 -- "$@"
}
# "<bytes> <count>": the sums of maildirsize, and of bob's messages.
mds_sum() {
	if [ -f "$BOX/maildirsize" ]; then
		awk 'NR > 1 { b += $1; c += $2 } END { print b + 0, c + 0 }' "$BOX/maildirsize"
	else
		echo missing
	fi
}
real_sum() { find "$BOX/new" "$BOX/cur" -type f -printf '%s\n' | awk '{ b += $1; c++ } END { print b + 0, c + 0 }'; }

if strace_ok; then
	# Two deliveries find maildirsize missing; the first is held before
	# the rename of its recount while the second recounts, renames,
	# appends and links (the first's recount, saved late, lacked that).
	two_missing() { new_domain; quota 100000; dv; dv; rm "$BOX/maildirsize"; }
	SETUP_AGAIN=two_missing
	two_missing
	rename_at r1 "$top_builddir/vdelivermail" '' delete
	dv
	is_rc 0 "two recounts of a missing maildirsize at once: the second delivery exits 0"
	wait "$HPID"
	was_held r1 && pass "two recounts at once: the first held before its rename" ||
		fail "two recounts at once: the first held before its rename"
	is "$(cat "$SB/r1.rc")" 0 "two recounts at once: the first delivery exits 0"
	is "$(count_new "$BOX")" 4 "two recounts at once: both messages delivered"
	is "$(mds_sum)" "$(real_sum)" "two recounts at once: maildirsize sums the Maildir (no line lost)"

	# vsetuserquota held before the rename of its recount while a
	# delivery appends to the old file.
	two_in() { new_domain; quota 100000; dv; dv; }
	SETUP_AGAIN=two_in
	two_in
	rename_at q1 "$top_builddir/vsetuserquota" bob@example.com 200000
	dv
	is_rc 0 "vsetuserquota's recount during a delivery: the delivery exits 0"
	wait "$HPID"
	was_held q1 && pass "vsetuserquota's recount during a delivery: held before its rename" ||
		fail "vsetuserquota's recount during a delivery: held before its rename"
	is "$(cat "$SB/q1.rc")" 0 "vsetuserquota's recount during a delivery: vsetuserquota exits 0"
	is "$(head -1 "$BOX/maildirsize")" 200000S "vsetuserquota's recount during a delivery: the new quota"
	is "$(mds_sum)" "$(real_sum)" "vsetuserquota's recount during a delivery: maildirsize sums the Maildir"

	# A delivery held between its appended line and its link while the
	# file is removed and another delivery recounts: the recount must
	# count the held message (it waits until the link is made).
	new_domain
	quota 100000
	dv
	link_at l1 "$top_builddir/vdelivermail" '' delete
	rm "$BOX/maildirsize"
	dv
	is_rc 0 "a recount while a message is counted but not linked: the recounting delivery exits 0"
	wait "$HPID"
	was_held l1 && pass "counted but not linked: held before its link" ||
		fail "counted but not linked: held before its link"
	is "$(cat "$SB/l1.rc")" 0 "counted but not linked: the held delivery exits 0"
	is "$(mds_sum)" "$(real_sum)" "counted but not linked: the recount counts it (maildirsize sums the Maildir)"

	# The same with vsetuserquota's recount.
	new_domain
	quota 100000
	dv
	link_at l2 "$top_builddir/vdelivermail" '' delete
	quota 200000
	wait "$HPID"
	is "$(cat "$SB/l2.rc")" 0 "vsetuserquota while a message is counted but not linked: the delivery exits 0"
	is "$(mds_sum)" "$(real_sum)" "vsetuserquota while a message is counted but not linked: maildirsize sums the Maildir"
else
	skip_no_strace "concurrent recounts" "two recounts: second exit 0" "two recounts: first held" "two recounts: first exit 0" \
	          "two recounts: both delivered" "two recounts: sums" "vsetuserquota: delivery exit 0" \
	          "vsetuserquota: held" "vsetuserquota: exit 0" "vsetuserquota: new quota" "vsetuserquota: sums" \
	          "not linked: recounting exit 0" "not linked: held" "not linked: held exit 0" "not linked: sums" \
	          "not linked, vsetuserquota: exit 0" \
	          "not linked, vsetuserquota: sums"
fi

# ------------------------------------------------------------ the quota warning
new_domain
quota 100000
printf 'From: postmaster\nSubject: Mail quota warning\n\nYour mailbox is nearly full.\n' > "$D/.quotawarn.msg"
printf '100000S\n89000 1\n' > "$BOX/maildirsize"
dv
is "$(count_new "$BOX")" 1 "below 90%: no warning"
file_absent "$BOX/quotawarn" "below 90%: no time stamp"
printf '100000S\n90000 1\n' > "$BOX/maildirsize"
dv
is_rc 0 "at 90%: message delivered"
is "$(count_new "$BOX")" 3 "at 90%: the warning and the message"
w=$(grep -l 'Mail quota warning' "$BOX"/new/* | head -1)
like "$(cat "$w")" "^Delivered-To: bob@example.com
Date: [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] [0-9]{4} [0-9][0-9]:[0-9][0-9]:[0-9][0-9] \+0000
From: postmaster
Subject: Mail quota warning

Your mailbox is nearly full.\$" "warning: Delivered-To, Date, the .quotawarn.msg text"
file_exists "$BOX/quotawarn" "warning: time stamp file"
wsize=$(stat -c %s "$w")
file_is "$BOX/maildirsize" "100000S
90000 1
$wsize 1
$SIZE 1
" "warning and message both counted in maildirsize"
dv
is "$(count_new "$BOX")" 4 "second time within a day: no new warning"
# DELIVER_TO_STDOUT: the warning is printed before the message, and its
# time stamp set; nothing is written to the Maildir or maildirsize.
rm -f "$BOX/quotawarn"
cp "$BOX/maildirsize" "$T0/mds.before"
DELIVER_TO_STDOUT=1 dv
is_rc 0 "DELIVER_TO_STDOUT at 90%: exit 0"
like "$OUT" "^Delivered-To: bob@example.com
Date: [^
]*
From: postmaster
Subject: Mail quota warning

Your mailbox is nearly full.
" "DELIVER_TO_STDOUT at 90%: the warning first on stdout"
is "$(printf '%s' "$OUT" | grep -c '^Subject: ')" 2 "DELIVER_TO_STDOUT at 90%: then the message"
file_exists "$BOX/quotawarn" "DELIVER_TO_STDOUT at 90%: time stamp set"
is "$(count_new "$BOX")" 4 "DELIVER_TO_STDOUT at 90%: nothing in the Maildir"
cmp -s "$BOX/maildirsize" "$T0/mds.before" && pass "DELIVER_TO_STDOUT at 90%: maildirsize untouched" ||
	fail "DELIVER_TO_STDOUT at 90%: maildirsize untouched"
touch -d '25 hours ago' "$BOX/quotawarn"
dv
is "$(count_new "$BOX")" 6 "a day later: warned again"
printf 'Domain warning\n' > "$DD/.quotawarn.msg"
touch -d '25 hours ago' "$BOX/quotawarn"
dv
is "$(grep -l 'Domain warning' "$BOX"/new/* | grep -c .)" 1 "the domain's .quotawarn.msg comes first"

# A catch-all's warning carries DTLINE however long, then the Date line
# (a 1,000-character DTLINE was cut in the middle, without newline or Date).
new_domain
quota 100000
printf 'Subject: Mail quota warning\n\nNearly full.\n' > "$D/.quotawarn.msg"
printf '100000S\n95000 1\n' > "$BOX/maildirsize"
L=$(printf 'y%.0s' $(seq 1000))
EXT=$L DTLINE="Delivered-To: example.com-$L@example.com"$'\n' dv ./bob/Maildir/
is_rc 0 "catch-all at 90%, 1,000-character recipient: delivered"
w=$(grep -l 'Mail quota warning' "$BOX"/new/* | head -1)
like "$(cat "$w" 2>/dev/null)" "^Delivered-To: example.com-$L@example.com
Date: [A-Z][a-z][a-z], [^
]*
Subject: Mail quota warning
" "catch-all warning: the whole DTLINE, then Date"

# ------------------------------------------------------------ other Maildirs
new_domain
mkdir -p "$DD/catch/Maildir/new" "$DD/catch/Maildir/cur" "$DD/catch/Maildir/tmp"
printf '20S\n0 0\n' > "$DD/catch/Maildir/maildirsize"
give_domain "$DD/catch"
export EXT=nosuch
dv ./catch/Maildir/
is_rc 100 "catchall Maildir: quota from its maildirsize's first line"
printf '100000S\n0 0\n' > "$DD/catch/Maildir/maildirsize"
dv ./catch/Maildir/
is_rc 0 "catchall Maildir within its quota: exit 0"
file_is "$DD/catch/Maildir/maildirsize" "100000S
0 0
$(( ${#RP} + 33 + ${#MSG} )) 1
" "catchall Maildir: its maildirsize appended"
# The file's definition is normalised as a user's quota is (spec 4.9, 9.2).
printf '5MB\n0 0\n' > "$DD/catch/Maildir/maildirsize"
dv ./catch/Maildir/
is_rc 0 "catchall Maildir, definition 5MB: 5 MB, not 5 bytes: delivered"
printf '0S\n0 0\n' > "$DD/catch/Maildir/maildirsize"
dv ./catch/Maildir/
is_rc 0 "catchall Maildir, definition 0S: no quota: delivered"
# A file too big to parse (80 KB) is rebuilt with its definition; the
# quota still holds.
{ printf '20S\n'; for i in $(seq 2000); do printf '0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n'; done; } > "$DD/catch/Maildir/maildirsize"
dv ./catch/Maildir/
is_rc 100 "catchall Maildir, an 80 KB maildirsize of 20S: the quota holds (exit 100)"
is "$(head -1 "$DD/catch/Maildir/maildirsize")" 20S "... and the file is rebuilt with its definition"
is "$(wc -l < "$DD/catch/Maildir/maildirsize")" 2 "... to one line of sums"

new_domain
quota 1000
mkdir -p "$BOX/.Sub/new" "$BOX/.Sub/cur" "$BOX/.Sub/tmp"
: > "$BOX/.Sub/maildirfolder"
give_domain "$BOX/.Sub"
export EXT=nosuch
dv ./bob/Maildir/.Sub/
is_rc 0 "delivery into a folder: exit 0"
file_is "$BOX/maildirsize" "1000S
0 0
$(( ${#RP} + 33 + ${#MSG} )) 1
" "a folder is accounted in its parent's maildirsize"

# ------------------------------------------------------------ domain quota
new_domain
printf 'disable_spamassassin\ndisable_maildrop\nmaxmsgcount 2\n' > "$DD/.qmailadmin-limits"
dv; dv; dv
if has_define DOMAIN_QUOTAS; then
	is_rc 100 "domain maxmsgcount 2: the third message bounces"
	is_out_raw "domain is over quota

" "domain over quota: text and an empty line"
	is "$(count_new "$BOX")" 2 "domain maxmsgcount: two kept"
	file_exists "$BOX/quotawarn" "domain over quota: the warning step ran (its time stamp)"
	rm -f "$BOX/quotawarn"
	printf 'From: postmaster\nSubject: Mail quota warning\n\nThe domain is full.\n' > "$DD/.quotawarn.msg"
	dv
	is_rc 100 "domain over quota: bounces"
	is "$(grep -l 'The domain is full' "$BOX"/new/* | grep -c .)" 1 \
		"domain over quota: the quota warning is delivered, as for a user over quota"
	rm -f "$DD/.quotawarn.msg"
	new_domain
	printf 'disable_spamassassin\ndisable_maildrop\nquota 1\n' > "$DD/.qmailadmin-limits"
	quota 100M
	printf '104857600S\n1048570 1\n' > "$BOX/maildirsize"
	dv
	is_rc 100 "domain quota 1 MB: a message past it bounces"
	printf '104857600S\n1000 1\n' > "$BOX/maildirsize"
	dv
	is_rc 0 "domain quota 1 MB: a message within it is delivered"
	if has_define MAILDROP; then
		# maildrop does the delivery, but the domain's quota is checked
		# before it is started, as in 5.6
		new_domain
		printf 'disable_spamassassin\ndisable_maildrop\nmaxmsgcount 2\n' > "$DD/.qmailadmin-limits"
		dv; dv
		printf 'disable_spamassassin\nmaxmsgcount 2\n' > "$DD/.qmailadmin-limits"
		mkdir -p "$SB/path"
		printf '#!/bin/sh\nexec "$@"\n' > "$SB/path/preline"
		printf '#!/bin/sh\n: > %s/maildrop.ran\ncat > /dev/null\n' "$SB" > "$SB/maildrop"
		chmod 755 "$SB/path/preline" "$SB/maildrop"
		rm -f "$SB/maildrop.ran"
		VPOPMAIL_MAILDROP=$SB/maildrop PATH=$SB/path:$PATH dv
		is_rc 100 "maildrop build, domain over quota: bounces before maildrop"
		file_absent "$SB/maildrop.ran" "maildrop build, domain over quota: maildrop not started"
	else
		skip "built without --enable-maildrop"; skip "built without --enable-maildrop"
	fi
else
	is_rc 0 "without --enable-domainquotas the domain limits are not enforced"
	is "$(count_new "$BOX")" 3 "without domain quotas: three delivered"
fi

# ------------------------------------------------------------ EDQUOT / full disk is not a loss
new_domain
quota 100000
big=$(head -c 8000 /dev/zero | tr '\0' 'z')
printf 'Subject: x\n\n%s\n' "$big" > "$SB/bigmsg"
( cd "$DD" && ulimit -f 4 && exec "$top_builddir/vdelivermail" '' delete ) < "$SB/bigmsg" > "$T0/.out" 2>&1
RC=$?
is_rc 111 "write failure with a quota: exit 111"
file_is "$BOX/maildirsize" "100000S
0 0
" "write failure: maildirsize not appended"
is "$(ls -A "$BOX/new" "$BOX/tmp" | grep -v ':$' | grep .)" "" "write failure: no file left"

# EDQUOT from fsync (as NFS reports it): temporary, not "over quota".  A
# preloaded fsync() fails that way in the dynamically linked twin.
if [ -z "${VP_TEST_WRAPPER:-}" ] && [ -x "$top_builddir/tests/vdelivermail-dynamic" ] &&
   printf '%s\n' '#include <errno.h>' 'int fsync(int fd) { (void)fd; errno = EDQUOT; return -1; }' > "$T0/edquot.c" &&
   "${CC:-cc}" -shared -fPIC -o "$T0/edquot.so" "$T0/edquot.c" 2>/dev/null; then
	new_domain
	quota 100000
	printf 'Subject: x\n\nbody\n' > "$T0/edquot.msg"
	( cd "$DD" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	  LD_PRELOAD=$T0/edquot.so exec "$top_builddir/tests/vdelivermail-dynamic" '' delete ) \
		< "$T0/edquot.msg" > "$T0/.out" 2>&1
	RC=$?
	is_rc 111 "EDQUOT from fsync: exit 111, not a bounce"
	unlike "$(cat "$T0/.out")" "over quota" "EDQUOT from fsync: not reported as over quota"
	is "$(ls -A "$BOX/new" "$BOX/tmp" | grep -v ':$' | grep .)" "" "EDQUOT from fsync: no file left"
else
	for _ in 1 2 3; do skip "no compiler for the fsync shim, or under a checker"; done
fi

done_testing
