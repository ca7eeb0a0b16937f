#!/bin/bash
# t_qmailfiles.sh - qmail's files: sorted inserts, locals, morercpthosts after
# 50 domains, users/cdb and morercpthosts.cdb in qmail's format, qmail-newu /
# qmail-newmrh runs, the qmail-send HUP (spec storage-and-admin.md §1.2, §2).
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vdeldomain vaddaliasdomain vadduser

# ------------------------------------------------------------ sorted inserts
sandbox_new
for d in zeta.org alpha.com mail.alpha.com b.co.uk x.y.alpha.com beta.net; do
	setup vadddomain "$d" Secret123
done
order="alpha.com mail.alpha.com x.y.alpha.com beta.net b.co.uk zeta.org"
want=(); for d in $order; do want+=("$(assign_line "$d" "$d" "$D/$d")"); done
file_lines "$QH/users/assign" "assign sorted by key (last two labels first), '.' last" "${want[@]}" "."
file_lines "$QH/control/rcpthosts" "rcpthosts sorted by the same key" $order
want=(); for d in $order; do want+=("$d:$d"); done
file_lines "$QH/control/virtualdomains" "virtualdomains sorted by the same key" "${want[@]}"
ok_cmd "users/cdb byte-identical to qmail-newu's output" users_cdb_ok
for d in $order; do
	is "$(cdb_get "$QH/users/$USERS_CDB_NAME" "!$d-")" "$(assign_value "$d" "$D/$d")" "users/cdb record for $d"
done
setup vaddaliasdomain beta.net alpha.org
like "$(sed -n 4p "$QH/users/assign")" '^\+alpha\.org-:beta\.net:' "alias inserted at its key position (alpha.org after alpha.com's subdomains)"
ok_cmd "users/cdb still byte-identical after an alias" users_cdb_ok
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# A writer killed half way leaves <file>.tmp.<pid>: the next writer of the
# file removes it.  An admin's dated copy (<file>.<digits>, the name 5.6
# gave its own temporary files) is not one, and stays.
sh -c 'exit 0' & dead=$!
wait "$dead"
printf 'half' > "$QH/users/assign.tmp.$dead"
printf 'half' > "$QH/control/rcpthosts.tmp.$dead"
cp "$QH/users/assign" "$QH/users/assign.20261203"
cp "$QH/control/rcpthosts" "$QH/control/rcpthosts.1"
setup vadddomain swept.org Secret123
file_absent "$QH/users/assign.tmp.$dead" "a killed writer's users/assign.tmp.<pid> is removed"
file_absent "$QH/control/rcpthosts.tmp.$dead" "a killed writer's rcpthosts.tmp.<pid> is removed"
file_exists "$QH/users/assign.20261203" "an admin's users/assign.20261203 stays"
file_exists "$QH/control/rcpthosts.1" "an admin's rcpthosts.1 stays"
rm -f "$QH/users/assign.20261203" "$QH/control/rcpthosts.1"

# ------------------------------------------------------------ out-of-order file, duplicates, locals
sandbox_new
printf 'zzz.com\naaa.com\n' > "$QH/control/rcpthosts"
run vadddomain mmm.com Secret123
is_rc 0 "out-of-order rcpthosts: exit 0"
is_out "" "out-of-order rcpthosts: stdout silent"
is_err "NOTICE: Out of order entries found in $QH/control/rcpthosts
   Sorting...
" "out-of-order rcpthosts: NOTICE on stderr"
file_lines "$QH/control/rcpthosts" "out-of-order rcpthosts re-sorted" aaa.com mmm.com zzz.com
file_mode "$QH/control/rcpthosts" 0644 "re-sorted rcpthosts 0644"

sandbox_new
printf 'dup.com\n' > "$QH/control/rcpthosts"
printf 'localhost\nexample.com\nexample.comx\nEXAMPLE.COM\n' > "$QH/control/locals"
chmod 0600 "$QH/control/locals"
run vadddomain dup.com Secret123
is_rc 0 "domain already in rcpthosts: exit 0"
# vpopmail-ng never writes a name twice (doc/COMPATIBILITY.md; 5.6 would)
file_lines "$QH/control/rcpthosts" "a name already in rcpthosts is not written twice" dup.com
run vadddomain example.com Secret123
file_lines "$QH/control/locals" "locals: only the exact line removed" localhost example.comx EXAMPLE.COM
file_mode "$QH/control/locals" 0644 "locals chmod 0644"

# foreign lines in users/assign survive and are compiled like qmail-newu does
sandbox_new
printf '=joe:joe:1000:1000:/home/joe:::\n.\n' > "$QH/users/assign"
run vadddomain example.com Secret123
is_rc 0 "assign with a foreign '=' line: exit 0"
like "$(cat "$QH/users/assign")" '(^|'$'\n'')=joe:joe:1000:1000:/home/joe:::'$'\n' "foreign line kept"
is "$(tail -n 1 "$QH/users/assign")" "." "still ends with '.'"
ok_cmd "users/cdb byte-identical to qmail-newu's output (with a '=' line)" users_cdb_ok
is "$(cdb_get "$QH/users/$USERS_CDB_NAME" '!joe\0')" 'joe\01000\01000\0/home/joe\0\0' "users/cdb: '=' line stored under !joe\\0"

# users/assign ends, for qmail-newu, at the first line starting with '.':
# that line and what follows stay after the table (5.6 sorted a ". " or
# ".\r" line to the top, which emptied users/cdb, and routed entries
# parked after the end).
for end in '. ' $'.\r'; do
	sandbox_new
	setup vadddomain b.com Secret123
	setup vadddomain d.com Secret123
	sed -i "s/^\.\$/$end/" "$QH/users/assign"
	run vadddomain c.com Secret123
	is_rc 0 "assign ending with $(printf '%q' "$end"): vadddomain exit 0"
	is "$(cut -c1-6 "$QH/users/assign" | tr '\n\r' '|^')" "+b.com|+c.com|+d.com|$(printf '%s' "$end" | tr '\r' '^')|" \
		"... the end line stays last, as it was"
	ok_cmd "... users/cdb is what qmail-newu makes of it" users_cdb_ok
	run vadduser xy@b.com Passw0rd
	is_rc 0 "... the other domains are still routed"
done
sandbox_new
setup vadddomain b.com Secret123
printf '%s\n\n' "$(assign_line parked.com parked.com "$D/parked.com")" >> "$QH/users/assign"
run vadddomain c.com Secret123
is_rc 0 "entries and a blank line after '.': vadddomain exit 0"
is "$(sed -n '/^\.$/,$p' "$QH/users/assign" | cut -c1-11 | tr '\n' '|')" ".|+parked.com||" \
	"... they stay after the end line"
ok_cmd "... users/cdb is what qmail-newu makes of it" users_cdb_ok
run vdominfo -n parked.com
is_out "Invalid domain name" "... a parked entry is not a domain (vdominfo)"
run vdominfo -n
is "$(printf '%s' "$OUT" | grep -c parked)" 0 "... nor listed among the domains"
run vaddaliasdomain b.com alias.com
is_rc 0 "... and the file stays one qmail-newu reads (vaddaliasdomain exit 0)"
ok_cmd "... users/cdb still what qmail-newu makes of it" users_cdb_ok
# a copy of a domain's line parked after the end survives vdeldomain
printf '%s\n' "$(grep '^+c\.com-' "$QH/users/assign")" >> "$QH/users/assign"
run vdeldomain c.com
is_rc 0 "a copy parked after '.': vdeldomain exit 0"
is "$(sed -n '/^\.$/,$p' "$QH/users/assign" | cut -c1-11 | tr '\n' '|')" ".|+parked.com||+c.com-:c.c|" \
	"... removes the table's line only, not the parked copy"

# ------------------------------------------------------------ path limits
sandbox_new
long=$SB/$(printf 'p%.0s' $(seq 150))
mkdir -p "$long"
snap=$(snapshot)
run vadddomain -d "$long" toolong.com Secret123
is_rc 226 "base dir + domain longer than 160: exit 226"
is_out "Error: dir too long (max=160)" "dir too long: message"
unchanged "$snap" "dir too long: no file changed"
file_absent "$long/$DOMAINS_DIRNAME" "dir too long: nothing created in the base dir"

# ------------------------------------------------------------ morercpthosts after 50 domains
sandbox_new
for i in $(seq -w 1 50); do setup vadddomain -O "d$i.com" Secret123 || break; done
is "$(wc -l < "$QH/control/rcpthosts")" 50 "50 domains in rcpthosts"
file_absent "$QH/control/morercpthosts" "no morercpthosts yet"
run vadddomain m51.com Secret123
is_rc 0 "51st domain: exit 0"
is "$(wc -l < "$QH/control/rcpthosts")" 50 "51st domain: rcpthosts still 50 lines"
file_lines "$QH/control/morercpthosts" "51st domain goes to morercpthosts" m51.com
file_mode "$QH/control/morercpthosts" 0644 "morercpthosts 0644"
ok_cmd "morercpthosts.cdb byte-identical to qmail-newmrh's output" mrh_cdb_ok
is "$(cdb_dump "$QH/control/morercpthosts.cdb")" "m51.com	" "morercpthosts.cdb: key m51.com with empty data"
run vadddomain aaa.com Secret123
file_lines "$QH/control/morercpthosts" "morercpthosts sorted insert" aaa.com m51.com
ok_cmd "morercpthosts.cdb rebuilt" mrh_cdb_ok
run vaddaliasdomain d01.com alias.org
is_rc 0 "alias after 50 domains: exit 0"
file_lines "$QH/control/morercpthosts" "alias goes to morercpthosts too" aaa.com alias.org m51.com
ok_cmd "morercpthosts.cdb rebuilt after the alias" mrh_cdb_ok

# -O: morercpthosts updated, its cdb not recompiled
run vadddomain -O o53.com Secret123
is_rc 0 "-O beyond 50: exit 0"
file_lines "$QH/control/morercpthosts" "-O: morercpthosts updated" aaa.com alias.org m51.com o53.com
is "$(cdb_dump "$QH/control/morercpthosts.cdb" | cut -f1 | tr '\n' ' ')" "aaa.com alias.org m51.com " "-O: morercpthosts.cdb not recompiled"
ok_cmd "-O: users/cdb still rebuilt" users_cdb_ok
run vadddomain p54.com Secret123
ok_cmd "next add without -O recompiles morercpthosts.cdb" mrh_cdb_ok

# deleting
run vdeldomain m51.com
is_rc 0 "vdeldomain of a morercpthosts domain: exit 0"
file_lines "$QH/control/morercpthosts" "removed from morercpthosts" aaa.com alias.org o53.com p54.com
ok_cmd "morercpthosts.cdb recompiled after the delete" mrh_cdb_ok
is "$(wc -l < "$QH/control/rcpthosts")" 50 "rcpthosts untouched"
run vdeldomain alias.org
is_rc 0 "vdeldomain of an alias in morercpthosts: exit 0"
for d in aaa.com o53.com p54.com; do setup vdeldomain "$d"; done
file_absent "$QH/control/morercpthosts" "morercpthosts deleted when it becomes empty"
file_absent "$QH/control/morercpthosts.cdb" "morercpthosts.cdb deleted with it"
run vdeldomain d25.com
is_rc 0 "vdeldomain of an rcpthosts domain: exit 0"
is "$(wc -l < "$QH/control/rcpthosts")" 49 "rcpthosts down to 49"
unlike "$(cat "$QH/control/rcpthosts")" '(^|'$'\n'')d25\.com'$'\n' "d25.com gone from rcpthosts"
run vadddomain back.com Secret123
like "$(cat "$QH/control/rcpthosts")" '(^|'$'\n'')back\.com'$'\n' "below 50 again: next domain goes to rcpthosts"
file_absent "$QH/control/morercpthosts" "below 50: morercpthosts not re-created"
ok_cmd "users/cdb byte-identical after all of this" users_cdb_ok
ok_cmd "assign sorted and duplicate-free" vph sorted_by_key assign "$QH/users/assign"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ configured qmail-newu / qmail-newmrh are run
sandbox_new
cat > "$QH/bin/qmail-newu" <<EOF
#!/bin/sh
echo "newu \$(umask)" >> "$SB/tools.log"
cd "$QH" && "$PYTHON" "$T0/vph.py" mknewu users/assign "users/$USERS_CDB_NAME"
EOF
cat > "$QH/bin/qmail-newmrh" <<EOF
#!/bin/sh
echo "newmrh \$(umask)" >> "$SB/tools.log"
cd "$QH" && "$PYTHON" "$T0/vph.py" mkmrh control/morercpthosts control/morercpthosts.cdb
EOF
chmod 0755 "$QH/bin/qmail-newu" "$QH/bin/qmail-newmrh"
run vadddomain example.com Secret123
is_rc 0 "with qmail-newu installed: exit 0"
file_lines "$SB/tools.log" "qmail-newu run once, with umask 022" "newu 0022"
run vadduser bob@example.com Passw0rd
is_rc 0 "users/cdb written by the configured qmail-newu is used for lookups"
file_lines "$SB/tools.log" "vadduser does not run qmail-newu" "newu 0022"
run vaddaliasdomain example.com alias.net
file_lines "$SB/tools.log" "vaddaliasdomain runs qmail-newu" "newu 0022" "newu 0022"
run vadddomain -O fast.com Secret123
file_lines "$SB/tools.log" "-O still runs qmail-newu" "newu 0022" "newu 0022" "newu 0022"
run vdeldomain fast.com
file_lines "$SB/tools.log" "vdeldomain runs qmail-newu" "newu 0022" "newu 0022" "newu 0022" "newu 0022"
: > "$SB/tools.log"
for i in $(seq -w 1 48); do printf 'x%s.net\n' "$i"; done >> "$QH/control/rcpthosts"
run vadddomain more.com Secret123
file_lines "$SB/tools.log" "beyond 50 lines: qmail-newu then qmail-newmrh" "newu 0022" "newmrh 0022"
ok_cmd "morercpthosts.cdb as written by the configured qmail-newmrh" mrh_cdb_ok
: > "$SB/tools.log"
run vadddomain -O more2.com Secret123
file_lines "$SB/tools.log" "-O beyond 50: qmail-newmrh not run" "newu 0022"

# A qmail-newu that fails: the domain is not added, and the message names
# the compiled file by its configured name.
cp "$QH/bin/qmail-newu" "$SB/newu.ok"
printf '#!/bin/sh\nexit 1\n' > "$QH/bin/qmail-newu"
cp "$QH/users/assign" "$SB/assign.before"
run vadddomain broken.com Secret123
is_rc 239 "qmail-newu fails: vadddomain exit 239"
is_out "Error: Could not update file" "... stdout: the error"
is_err "Failed while attempting to rebuild users/$USERS_CDB_NAME
Failed while attempting to update_file() the assign file
Error. Failed to add domain to assign file" "... stderr names users/$USERS_CDB_NAME"
ok_cmd "... users/assign as before" cmp -s "$QH/users/assign" "$SB/assign.before"
run vdeldomain more2.com
is_rc 239 "vdeldomain, qmail-newu fails: exit 239"
is_out "Error: Could not update file" "... stdout: the error"
is_err "Failed while attempting to rebuild users/$USERS_CDB_NAME
Failed while attempting to remove_lines() the assign file
Warning: Failed to delete domain from the assign file" "vdeldomain, qmail-newu fails: stderr names users/$USERS_CDB_NAME"
ok_cmd "... users/assign as before" cmp -s "$QH/users/assign" "$SB/assign.before"
cp "$SB/newu.ok" "$QH/bin/qmail-newu"

# ------------------------------------------------------------ SIGHUP to qmail-send
sandbox_new
dummy() {   # a process that counts the HUPs it gets in $SB/hup.<name>
	# python, not a shell trap: a shell cannot catch a signal that was
	# ignored when it started (as under nohup).
	"$PYTHON" -c 'import signal, sys, time
out = sys.argv[1]
def hup(signum, frame):
    with open(out, "a") as f: f.write("HUP\n")
signal.signal(signal.SIGHUP, hup)
open(out + ".ready", "w").close()
while True: time.sleep(0.05)' "$SB/hup.$1" &
	CLEANUP_PIDS="$CLEANUP_PIDS $!"
	eval "pid_$1=$!"
}
dummy send; dummy super; dummy other
cat > "$SB/ps" <<EOF
#!/bin/sh
echo "  PID TTY      STAT   TIME COMMAND"
echo "    1 ?        Ss     0:01 /sbin/init"
echo " $pid_super ?        S      0:00 supervise qmail-send"
echo " $pid_send ?        S      0:00 qmail-send"
echo " $pid_other ?        S      0:00 qmail-smtpd"
EOF
chmod 0755 "$SB/ps"
export VPOPMAIL_PS=$SB/ps
hups() {   # hups NAME: HUPs received so far (waits a little for the trap to run)
	local i
	for i in $(seq 1 30); do
		[ "$(cat "$SB/hup.$1" 2>/dev/null | wc -l)" -ge "${2:-0}" ] && break
		sleep 0.1
	done
	cat "$SB/hup.$1" 2>/dev/null | wc -l
}
# A HUP before the trap is set would kill the dummy: wait until each says it is ready.
for _d in send super other; do
	for _i in $(seq 1 200); do [ -e "$SB/hup.$_d.ready" ] && break; sleep 0.05; done
done
run vadddomain example.com Secret123
is_rc 0 "vadddomain with a qmail-send running: exit 0"
is "$(hups send 1)" 1 "vadddomain HUPs qmail-send"
run vadddomain -O fast.com Secret123
is "$(hups send 1)" 1 "vadddomain -O does not HUP"
run vadduser bob@example.com Passw0rd
is "$(hups send 1)" 1 "vadduser does not HUP"
run vaddaliasdomain example.com alias.net
is "$(hups send 2)" 2 "vaddaliasdomain HUPs qmail-send"
run vdeldomain alias.net
is "$(hups send 3)" 3 "vdeldomain HUPs qmail-send"
is "$(hups super)" 0 "'supervise qmail-send' is not signalled"
is "$(hups other)" 0 "other processes are not signalled"
export VPOPMAIL_PS=/bin/false
kill $pid_send $pid_super $pid_other 2>/dev/null

# rcpthosts gets its mode 0644 before it is renamed into place (5.6 and
# earlier versions chmodded it after the rename, so qmail-smtpd, as
# qmaild, could find it 0600 under vadddomain's umask 077).
sandbox_new
if strace_ok; then
	VP_TEST_WRAPPER="$NOLSAN strace -y -o $SB/st.log -e trace=fchmod,chmod,rename" run vadddomain example.com Secret123
	is_rc 0 "traced vadddomain: exit 0"
	order=$(awk -v f="$QH/control/rcpthosts" '
		index($0, "fchmod(") == 1 && index($0, f ".") && / 0644\)/ { if (!r) m = 1 }
		index($0, "rename(\"" f ".") == 1 { r = 1 }
		index($0, "chmod(\"" f "\"") == 1 { late = 1 }
		END { print (m && r && !late) ? "before" : "not before" }' "$SB/st.log")
	is "$order" "before" "rcpthosts: mode 0644 set on the temp, before the rename (none after)"
	file_mode "$QH/control/rcpthosts" 0644 "rcpthosts 0644"
else
	for _t in "exit 0" "mode before the rename" "0644"; do
		skip "no usable strace (or under a checker): rcpthosts mode: $_t"
	done
fi

done_testing
