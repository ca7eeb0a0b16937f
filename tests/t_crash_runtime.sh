#!/bin/bash
# t_crash_runtime.sh - crash consistency of the runtime writers: each
# program is killed (SIGKILL, as kill -9 or the OOM killer would) at each
# of its state-changing system calls in turn, then the files others read
# are checked, the same command is run again, and everything must be
# consistent with no temporary file left behind.  Commands: vdelivermail
# (a delivery with a quota, a program line, a forward, a bounce),
# vpopbull (copy, hard and symbolic links), and with
# --enable-roaming-users vchkpw (open-smtp, tcp.smtp.cdb, lastauth) and
# clearopensmtp; a vpopmaild session (mod_user, write_file).
#
# Method: one run under strace lists the calls of the program itself
# (no -f: only the command is killed, a child it started runs on, as
# after kill -9); each point is (syscall, ordinal among that syscall's
# calls), injected with -e inject=NAME:signal=KILL:when=N, which strace
# counts per syscall and per tracee.  The kill lands at the call's entry,
# so the point "before call N" is also "after everything before it".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vchkpw_common.sh"
. "$(dirname "$0")/runtime_checks.sh"
require_bins vdelivermail vpopbull vchkpw clearopensmtp vpopmaild vadddomain vadduser vsetuserquota vmoduser vuserinfo

require_strace

# Calls that change state or are points of no return.
CRASH_SET=openat,open,creat,write,pwrite64,writev,rename,renameat,renameat2,link,linkat
CRASH_SET=$CRASH_SET,unlink,unlinkat,mkdir,mkdirat,rmdir,fsync,fdatasync,syncfs,ftruncate
CRASH_SET=$CRASH_SET,flock,fchown,fchmod,chown,lchown,chmod,fchmodat,fchownat,symlink
CRASH_SET=$CRASH_SET,symlinkat,utimensat,clone,clone3,fork,vfork,wait4,execve

# crash_points LOG: "name:N" for each state-changing call of the strace
# log (an open for reading and, unless SWEEP_STDIO=1, writes to stdout and
# stderr are left out).
SWEEP_STDIO=0
crash_points() {
	awk -v stdio="$SWEEP_STDIO" '{
		l = $0; sub(/^[0-9]+ +/, "", l)
		i = index(l, "("); if (i < 2) next
		name = substr(l, 1, i - 1); if (name !~ /^[a-z0-9_]+$/) next
		n[name]++
		# strace does not count the command'"'"'s own first execve for
		# when=N: the next one (vchkpw running its program) is number 1
		if (name == "execve") { if (n[name] == 1) next; print name ":" n[name] - 1; next }
		if ((name == "openat" || name == "open") && l !~ /O_WRONLY|O_RDWR|O_CREAT/) next
		if ((name == "write" || name == "writev") && l ~ /^writev?\([12],/ && !stdio) next
		print name ":" n[name]
	}' "$1"
}


# sweep LABEL PREP CHECK REPAIR RUNNER ARGS...: for each point of one
# traced run of "RUNNER ARGS..." (a function that runs the command with
# $VP_TEST_WRAPPER, e.g. run or vchk): PREP restores the state, the
# command is killed at the point, CHECK (given the point) tests the state
# the kill left, REPAIR runs the command (or its inverse) again and tests
# that everything is consistent.  One TAP line per sweep, failures listed.
SWEEP_BAD=
sweep() {
	local label=$1 prep=$2 check=$3 repair=$4 p pts killed=0 bad=0 name n t=$SECONDS
	shift 4
	SWEEP_BAD="" SWEEP_MISSED=""
	"$prep"
	VP_TEST_WRAPPER="$NOLSAN strace -qq -o $T0/list.log -e trace=$CRASH_SET" "$@"
	wait_children
	pts=$(crash_points "$T0/list.log")
	if [ -z "$pts" ]; then fail "$label: no crash points found"; return; fi
	for p in $pts; do
		name=${p%:*} n=${p#*:}
		"$prep"
		# (bash's "Killed" notice goes to /dev/null)
		VP_TEST_WRAPPER="$NOLSAN strace -qq -o /dev/null -e trace=$name -e inject=$name:signal=KILL:when=$n" "$@" 2>/dev/null
		if [ "$RC" = 137 ]; then killed=$((killed + 1)); else SWEEP_MISSED="$SWEEP_MISSED $p"; fi
		wait_children
		if ! SWEEP_WHY=$("$check" "$p" 2>&1); then
			bad=$((bad + 1)); SWEEP_BAD="$SWEEP_BAD $p"
			diag "$label, killed before $p: $SWEEP_WHY"
			continue
		fi
		if ! SWEEP_WHY=$("$repair" 2>&1); then
			bad=$((bad + 1)); SWEEP_BAD="$SWEEP_BAD $p"
			diag "$label, killed before $p, then run again: $SWEEP_WHY"
		fi
	done
	[ -n "$SWEEP_MISSED" ] && diag "$label: not killed (exit status not 137) at:$SWEEP_MISSED"
	if [ "$bad" = 0 ]; then
		pass "$label: $(echo $pts | wc -w) crash points ($killed killed), all consistent ($((SECONDS - t)) s)"
	else
		fail "$label: $bad of $(echo $pts | wc -w) crash points left a bad state:$SWEEP_BAD"
	fi
}
# no_leftovers DIR...: no temporary file of ours under DIR or in $TMPDIR.
no_leftovers() {
	local l
	# (and no skeleton of a user directory being made again)
	# (and no copy of the message in $TMPDIR, lib.sh's own directory)
	l=$(leftovers "$@"; find "$@" -name '.*.vmake' 2>/dev/null; find "$TMPDIR" -mindepth 1)
	[ -z "$l" ] && return 0
	find "$TMPDIR" -mindepth 1 -delete	# (reported once, not at every later point)
	echo "temporary files left: $l"; return 1
}

# ================================================================ vdelivermail
MSG=$'Subject: crash\n\n0123456789\n'
RP=$'Return-Path: <a@example.net>\n'
WANT="${RP}Delivered-To: bob@example.com"$'\n'"$MSG"

sandbox_new
VP_TEST_WRAPPER= setup vadddomain example.com Secret123
VP_TEST_WRAPPER= setup vadduser bob@example.com Passw0rd
VP_TEST_WRAPPER= setup vsetuserquota bob@example.com 100000
printf 'disable_spamassassin\ndisable_maildrop\n' >> "$VH/etc/vlimits.default"
export VPOPMAIL_SPAMC=$SB/no-spamc VPOPMAIL_MAILDROP=$SB/no-maildrop
export VPOPMAIL_QMAIL_INJECT=$SB/qmail-inject
cat > "$SB/qmail-inject" <<EOF
#!/bin/sh
cat > "$SB/inject.\$\$"
mv "$SB/inject.\$\$" "$SB/injected.\$\$"
EOF
chmod 755 "$SB/qmail-inject"
DD=$D/example.com
BOX=$DD/bob/Maildir
# One message already there: the real content is never empty.
(cd "$DD" && EXT=bob HOST=example.com RPLINE=$RP DTLINE=$'Delivered-To: example.com-bob@example.com\n' \
	"$top_builddir/vdelivermail" '' delete < <(printf '%s' "$MSG"))
tar -C "$SB" -cf "$T0/dv.tar" .
dv_prep() { sb_restore "$T0/dv.tar"; }
DV_INSTR=delete
dv_run() {
	(cd "$DD" && EXT=${DV_EXT:-bob} HOST=example.com RPLINE=$RP \
		DTLINE="Delivered-To: example.com-${DV_EXT:-bob}@example.com"$'\n' \
		run_in "$MSG" vdelivermail '' "$DV_INSTR"
	 echo "$RC" > "$T0/dv.rc")
	RC=$(cat "$T0/dv.rc")
}

# maildir_ok: every message in new/ and cur/ is whole; maildirsize parses.
maildir_ok() {
	local f sz
	for f in "$BOX"/new/* "$BOX"/cur/*; do
		[ -e "$f" ] || continue
		sz=$(stat -c %s "$f")
		exact "$f"
		die_if '[ "$X" != "$WANT" ]' "partial or wrong message ${f##*/} ($sz bytes)" || return 1
		die_if '[ "${f##*,S=}" != "$sz" ]' "${f##*/}: S= is not its size $sz" || return 1
	done
	mds_ok "$BOX"
}
dv_check() { maildir_ok; }
# Run again (as qmail does after a crash): delivered, and the quota file
# is not below the real content.
dv_repair() {
	dv_run
	die_if '[ "$RC" != 0 ]' "the delivery after the crash exits $RC: $OUT" || return 1
	maildir_ok && mds_ok "$BOX" real && no_leftovers "$D"
}
sweep "vdelivermail: delivery with a quota" dv_prep dv_check dv_repair dv_run
# The same with maildirsize gone: the delivery recounts the Maildir.
dv_prep_nomds() { dv_prep; rm -f "$BOX/maildirsize"; }
sweep "vdelivermail: delivery with a quota, no maildirsize yet" dv_prep_nomds dv_check dv_repair dv_run

# A maildirsize past 2048 bytes: the delivery compacts it to one line.
dv_prep_big() { dv_prep; yes '0 0' | head -n 600 >> "$BOX/maildirsize"; }
sweep "vdelivermail: delivery compacting maildirsize" dv_prep_big dv_check dv_repair dv_run

# bob's directory gone (removed by hand): vdelivermail makes it again.
dv_prep_nodir() { dv_prep; rm -rf "${DD:?}/bob"; }
sweep "vdelivermail: delivery re-creating the user's directory" dv_prep_nodir dv_check dv_repair dv_run

# A program line and a forward in bob's .qmail, then the Maildir.
dv_prep
printf '| cat > %s/prog.$$; mv %s/prog.$$ %s/prog.done.$$\n&elsewhere@example.net\n%s/\n' \
	"$SB" "$SB" "$SB" "$BOX" > "$DD/bob/.qmail"
tar -C "$SB" -cf "$T0/dv.tar" .
dvq_check() {
	local f
	for f in "$SB"/prog.done.* "$SB"/injected.*; do
		[ -e "$f" ] || continue
		exact "$f"
		die_if '[ "$X" != "$WANT" ] && [ "$X" != "$MSG" ]' \
			"partial copy in ${f##*/}: $(head -c 80 "$f")" || return 1
	done
	maildir_ok
}
dvq_repair() {
	dv_run
	die_if '[ "$RC" != 0 ]' "the delivery after the crash exits $RC: $OUT" || return 1
	die_if '! ls "$SB"/prog.done.* >/dev/null 2>&1' "the program did not run" || return 1
	die_if '! ls "$SB"/injected.* >/dev/null 2>&1' "nothing forwarded" || return 1
	dvq_check && mds_ok "$BOX" real && no_leftovers "$D"
}
sweep "vdelivermail: .qmail with a program, a forward and a Maildir" dv_prep dvq_check dvq_repair dv_run

# The bounce path: no such user, bounce-no-mailbox (its only writes are
# the bounce text on stdout).
dv_prep
rm -f "$DD/bob/.qmail"
tar -C "$SB" -cf "$T0/dv.tar" .
DV_EXT=nosuch DV_INSTR=bounce-no-mailbox
dvb_repair() {
	dv_run
	die_if '[ "$RC" != 100 ]' "the bounce after the crash exits $RC: $OUT" || return 1
	maildir_ok && no_leftovers "$D"
}
SWEEP_STDIO=1
sweep "vdelivermail: bounce" dv_prep dv_check dvb_repair dv_run
SWEEP_STDIO=0
unset DV_EXT; DV_INSTR=delete

# ================================================================ vpopbull
bulletin_sandbox
pb_prep() { sb_restore "$T0/pb.tar"; }
PB_MODE=-c
pb_run() { run vpopbull "$PB_MODE" -f "$SB/bulletin" example.com; }
# Every bulletin in new/ is whole: a copy is "To:" and "Date:" then the
# file; a link is the file itself.
pb_check() {
	local u f
	for u in bob carol postmaster; do
		for f in "$DD/$u/Maildir/new/"*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			bulletin_ok "$u" "$f" || return 1
		done
		mds_ok "$DD/$u/Maildir" || return 1
	done
}
pb_repair() {
	local u
	pb_run
	die_if '[ "$RC" != 0 ]' "vpopbull after the crash exits $RC: $OUT" || return 1
	for u in bob carol postmaster; do
		die_if '[ -z "$(ls -A "$DD/$u/Maildir/new")" ]' "no bulletin for $u" || return 1
	done
	pb_check && mds_ok "$DD/carol/Maildir" real && no_leftovers "$SB"
}
for PB_MODE in -c -h -s; do
	sweep "vpopbull $PB_MODE" pb_prep pb_check pb_repair pb_run
done

# ================================================================ vpopmaild
# A session of a system admin changing a user (comment, quota: vpasswd,
# its cdb, maildirsize) and writing a file, run again after the kill.
sandbox_new
VP_TEST_WRAPPER= setup vadddomain example.com Secret123
VP_TEST_WRAPPER= setup vadduser -c Admin admin@example.com Adm1nPass
VP_TEST_WRAPPER= setup vadduser -c Bob bob@example.com Bobpass1
DD=$D/example.com
make_sa_admin "$DD" admin
OLDW=$'old\r\n' NEWW=$'new one\r\nnew two\r\n'
printf '%s' "$OLDW" > "$DD/w.txt"
tar -C "$SB" -cf "$T0/pd.tar" .
pd_prep() {
	sb_restore "$T0/pd.tar"
	[ "$SQL" = 1 ] && VP_TEST_WRAPPER= run vmoduser -c Bob -q NOQUOTA bob@example.com
	return 0
}
pd_run() {
	local in
	printf -v in '%s\r\n' "slogin admin@example.com Adm1nPass" \
		"mod_user bob@example.com" "comment Bob Crash" "quota 5M" "." \
		"write_file example.com/w.txt" "new one" "new two" "." q
	run_in "$in" vpopmaild -t 5
}
pd_check() {
	local g
	# vpasswd is renamed into place before its index: killed between the
	# two, the index is older than vpasswd, and the next lookup rebuilds it.
	if [ "$SQL" != 1 ] && ! vpw_cdb_ok "$DD" >/dev/null; then
		die_if '[ ! "$DD/vpasswd" -nt "$DD/vpasswd.cdb" ]' \
			"vpasswd and vpasswd.cdb differ, and the index is not older" || return 1
		VP_TEST_WRAPPER= run vuserinfo bob@example.com
		g=$(vpw_cdb_ok "$DD") || { echo "after a lookup, vpasswd and vpasswd.cdb: $g"; return 1; }
	fi
	g=$(vpw_field "$DD" bob 5)
	die_if '[ "$g" != Bob ] && [ "$g" != "Bob Crash" ]' "bob's comment is '$g'" || return 1
	exact "$DD/w.txt"
	die_if '[ "$X" != "$OLDW" ] && [ "$X" != "$NEWW" ]' \
		"w.txt is partial: $(od -c "$DD/w.txt" | head -3)" || return 1
	mds_ok "$DD/bob/Maildir"
}
pd_repair() {
	pd_run
	die_if '[ "$RC" != 0 ] || [[ "$OUT" == *-ERR* ]]' "the session after the crash: $OUT" || return 1
	pd_check || return 1
	die_if '[ "$(vpw_field "$DD" bob 5)" != "Bob Crash" ]' "the comment was not changed" || return 1
	exact "$DD/w.txt"
	die_if '[ "$X" != "$NEWW" ]' "w.txt was not written" || return 1
	no_leftovers "$SB"
}
sweep "vpopmaild: mod_user and write_file" pd_prep pd_check pd_repair pd_run

# ================================================================ roaming users
roaming_sandbox
creds joe@example.com Passw0rd
# An earlier client, still fresh, and one from long ago.
now=$(date +%s)
if [ "$SQL" = 1 ]; then
	sql_db "$DD" "CREATE TABLE IF NOT EXISTS relay (ip_addr VARCHAR(39) NOT NULL, timestamp INT, PRIMARY KEY (ip_addr));
		INSERT INTO relay VALUES ('10.9.9.9', $now), ('10.8.8.8', 1000)"
else
	printf '10.9.9.9:%s\t%s\n10.8.8.8:%s\t1000\n' "$RULE" "$now" "$RULE" > "$OS"
fi
VP_TEST_WRAPPER= run clearopensmtp >/dev/null
[ "$SQL" = 1 ] || printf '10.8.8.8:%s\t1000\n' "$RULE" >> "$OS"
# A longer address in lastauth than the next login's.
[ "$AUTHLOG" = 1 ] && [ "$SQL" != 1 ] && printf '192.168.100.200' > "$DD/joe/lastauth"
tar -C "$SB" -cf "$T0/vc.tar" .
vc_prep() {
	sb_restore "$T0/vc.tar"
	# (the relay table is not in the tar: back to the same rows)
	[ "$SQL" = 1 ] && sql_db "$DD" "DELETE FROM relay WHERE ip_addr = '10.1.2.3';
		REPLACE INTO relay VALUES ('10.8.8.8', 1000)"
	return 0
}
vc_run() { vchk TCPLOCALPORT=110 TCPREMOTEIP=10.1.2.3 -- /bin/true; }
# (relay_ok: runtime_checks.sh)
vc_check() { relay_ok 10.9.9.9; }
# The next login from the same address must open the relay.
vc_repair() {
	vc_run
	die_if '[ "$RC" != 0 ]' "the login after the crash exits $RC: $ERR" || return 1
	relay_ok 10.9.9.9 10.1.2.3 || return 1
	if [ "$AUTHLOG" = 1 ] && [ "$SQL" != 1 ]; then
		die_if '[ "$(fcontent "$DD/joe/lastauth")" != 10.1.2.3 ]' "lastauth not repaired" || return 1
	fi
	no_leftovers "$VH"
}
sweep "vchkpw: a roaming login" vc_prep vc_check vc_repair vc_run

cl_run() { run clearopensmtp; }
cl_check() { relay_ok 10.9.9.9; }
cl_repair() {
	cl_run
	die_if '[ "$RC" != 0 ]' "clearopensmtp after the crash exits $RC: $OUT" || return 1
	relay_ok 10.9.9.9 || return 1
	die_if 'cdb_get "$CDB" 10.8.8.8 >/dev/null' "the expired client still relays" || return 1
	if [ "$SQL" != 1 ]; then
		die_if 'grep -q "^10\.8\.8\.8:" "$OS"' "the expired client is still listed" || return 1
	fi
	no_leftovers "$VH"
}
sweep "clearopensmtp" vc_prep cl_check cl_repair cl_run

done_testing
