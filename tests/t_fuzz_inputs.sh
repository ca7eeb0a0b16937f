#!/bin/bash
# t_fuzz_inputs.sh - hostile input on the interfaces untrusted parties
# reach: vchkpw's credentials on fd 3, vpopmaild's protocol lines,
# vdelivermail's environment (EXT, HOST, RPLINE, DTLINE) and message.
# Fixed inputs plus seeded mutations (tests/fuzz_inputs.py): the same
# inputs on every run, one TAP line per interface and class of input,
# naming the inputs that failed.  Then vdelivermail's memory with a header
# of millions of Delivered-To lines, under an address-space limit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deliver_common.sh"
require_bins vchkpw vpopmaild vdelivermail vadddomain vadduser vaddaliasdomain

sandbox_new
VP_TEST_WRAPPER= setup vadddomain example.com Secret123 || exit 1
VP_TEST_WRAPPER= setup vadduser bob@example.com Passw0rd
VP_TEST_WRAPPER= setup vadduser -c Admin admin@example.com Adm1nPass
VP_TEST_WRAPPER= setup vaddaliasdomain example.com alias.net
VP_TEST_WRAPPER= setup vadddomain other.org Other123
VP_TEST_WRAPPER= setup vadduser carol@other.org Carol1
DD=$D/example.com
make_sa_admin "$DD" admin
printf 'disable_spamassassin\ndisable_maildrop\n' >> "$VH/etc/vlimits.default"
export VPOPMAIL_SPAMC=$SB/no-spamc VPOPMAIL_MAILDROP=$SB/no-maildrop
export VPOPMAIL_SYSLOG=$SB/syslog
: > "$SB/syslog"
chmod 0666 "$SB/syslog"

# qmail-inject stand-in for forwards; a file outside every area, and a
# link to it in bob's directory (as a program run from bob's .qmail,
# which runs with the domain's ids, could make).
printf '#!/bin/sh\ncat > /dev/null\nexit 0\n' > "$T0/inject"
chmod 0755 "$T0/inject"
export VPOPMAIL_QMAIL_INJECT=$T0/inject
mkdir "$T0/outside"
printf 'SECRET\n' > "$T0/outside/secret"
ln -s "$T0/outside" "$DD/bob/out"
[ -n "${UIDGID:-}" ] && chown -h "$UIDGID" "$DD/bob/out"
as_domain_setup
tar -C "$SB" -cf "$T0/sandbox.tar" .
# A mysql run: the sandbox's database is restored with its files, from a
# dump; example.com's users are read from it in vpasswd's line format.
SQLDB=
if [ "$SQL" = 1 ]; then
	SQLDB=$(sed -n '/^[^#]/{s/.*|//p;q}' "$VH/etc/vpopmail.mysql")
	mariadb-dump --no-defaults -S "$VP_TEST_MYSQL_SOCKET" -u root "$SQLDB" > "$T0/db.sql" ||
		{ fail "mariadb-dump of the sandbox's database"; done_testing; }
	_sql_users "$DD"
	SQLUSERS="SELECT CONCAT_WS(':', pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell)
		FROM \`$table\` WHERE $where ORDER BY BINARY pw_name"
fi

# VP_FUZZ_SEED and VP_FUZZ_SCALE (a factor on the mutation counts) explore
# further by hand; the suite always runs the same inputs.
SCALE=${VP_FUZZ_SCALE:-1}
[ -n "${VP_TEST_WRAPPER:-}" ] && SCALE=0.05
QEXT=0; has_define QMAIL_EXT && QEXT=1
"$PYTHON" - "$T0/spec.json" <<PY
import json, os, shlex, sys
uid, gid = os.environ.get('VPOPMAIL_UID'), os.environ.get('VPOPMAIL_GID')
json.dump({'sb': '$SB', 'tpl': '$T0/sandbox.tar', 'tmp': os.environ['TMPDIR'], 'domains': '$D',
           'vchkpw': '$(bin_path vchkpw)', 'vpopmaild': '$(bin_path vpopmaild)',
           'vdelivermail': '$(bin_path vdelivermail)',
           'wrapper': shlex.split(os.environ.get('VP_TEST_WRAPPER', '')),
           'as_domain': shlex.split('$DV_AS'), 'qext': $QEXT, 'seed': ${VP_FUZZ_SEED:-20261206}, 'scale': $SCALE,
           'uidgid': [int(uid), int(gid)] if '${UIDGID:-}' and uid and gid else None,
           'sql': {'client': ['mariadb', '--no-defaults', '-S', os.environ.get('VP_TEST_MYSQL_SOCKET', ''),
                              '-u', 'root', '-N', '-B', '--raw'],
                   'db': '$SQLDB', 'dump': '$T0/db.sql', 'users': '''${SQLUSERS:-}'''} if '$SQLDB' else None},
          open(sys.argv[1], 'w'))
PY
"$PYTHON" "$top_srcdir/tests/fuzz_inputs.py" "$T0/spec.json" > "$T0/fuzz.out" 2> "$T0/fuzz.err"
rc=$?
while IFS= read -r line; do
	case $line in
	'ok '*) pass "${line#ok }";;
	'not ok '*) fail "${line#not ok }";;
	'# '*) echo "#   ${line#\# }";;
	esac
done < "$T0/fuzz.out"
if [ "$rc" != 0 ]; then
	fail "fuzz_inputs.py ran to its end (exit $rc)"
	sed -n '1,20p' "$T0/fuzz.err" | sed 's/^/#   /'
fi

# A user can build a tree of any depth in its directory (mk_dir, then
# rename_file into the next one): deleting the user removes it all (the
# removal stopped at 64 levels: the record went, the directory stayed,
# "-ERR 0.405 Unable to chdir to vpopmail directory").
restore_sandbox() {
	chmod -R u+rwx "$SB"; rm -rf "$SB"; mkdir "$SB"; tar -C "$SB" -xf "$T0/sandbox.tar"
	[ -z "$SQLDB" ] || { echo "DROP DATABASE \`$SQLDB\`; CREATE DATABASE \`$SQLDB\`; USE \`$SQLDB\`;"; cat "$T0/db.sql"; } |
		mariadb --no-defaults -S "$VP_TEST_MYSQL_SOCKET" -u root
}
restore_sandbox
deep=("slogin bob@example.com Passw0rd" "mk_dir bob@example.com/d0" "write_file bob@example.com/d0/f" "deep" ".")
for i in $(seq 1 99); do
	deep+=("mk_dir bob@example.com/d$i" "rename_file bob@example.com/d$((i - 1)) bob@example.com/d$i/d")
done
deep+=(q)
printf '%s\r\n' "${deep[@]}" > "$T0/deep.in"
_run_with "$T0/deep.in" vpopmaild -t 5
is "$(printf '%s' "$OUT" | grep -c '^+OK')" 203 "vpopmaild: a user builds a tree 100 levels deep"
is "$(find "$DD/bob" -name f | tr -cd / | wc -c)" "$(( $(printf '%s' "$DD/bob" | tr -cd / | wc -c) + 101 ))" "... its file is 100 levels down"
run_in $'slogin admin@example.com Adm1nPass\r\ndel_user bob@example.com\r\nq\r\n' vpopmaild -t 5
is_out_raw $'+OK \r\n+OK \r\n+OK \r\n+OK \r\n' "vpopmaild: del_user of that user succeeds"
is "$(ls -A "$DD" | grep -c bob)" 0 "... and its directory is gone, nothing left aside"

# vpopmaild's read_file sends a line in pieces: stuffing holds across the
# pieces, and a file of one 64 MB line (write_file makes one without any
# limit) is sent whole within 48 MB of address space (it used to read each
# line whole into memory).
sandbox_new
VP_TEST_WRAPPER= setup vadddomain example.com Secret123
VP_TEST_WRAPPER= setup vadduser bob@example.com Passw0rd
BOBDIR=$D/example.com/bob
"$PYTHON" - "$BOBDIR/edges" "$T0/edges.want" <<'PY'
import sys
body = b'a' * 4095 + b'\n.\n' + b'b' * 4096 + b'\n.\r\n' + b'c' * 4097 + b'.\n' + b'.x\n' + b'.'
open(sys.argv[1], 'wb').write(body)
want = (b'+OK \r\n+OK \r\n+OK+\r\n' + b'a' * 4095 + b'\n..\n' + b'b' * 4096 + b'\n..\r\n' +
        b'c' * 4097 + b'.\n' + b'.x\n' + b'..' + b'\r\n.\r\n+OK \r\n')
open(sys.argv[2], 'wb').write(want)
PY
printf 'slogin bob@example.com Passw0rd\r\nread_file bob@example.com/edges\r\nq\r\n' > "$T0/edges.in"
_run_with "$T0/edges.in" vpopmaild -t 5
if [ "$RC" = 0 ] && cmp -s "$T0/.out" "$T0/edges.want"; then
	pass "vpopmaild: read_file stuffs only whole '.' lines, also next to lines longer than its buffer"
else
	fail "vpopmaild: read_file stuffs only whole '.' lines, also next to lines longer than its buffer"
	diag "exit $RC" "$(cmp "$T0/.out" "$T0/edges.want" 2>&1)"
fi
if [ -z "${VP_TEST_WRAPPER:-}" ] && ! grep -q -- '-fsanitize' "$top_builddir/config.log" 2>/dev/null; then
	printf 'slogin bob@example.com Passw0rd\r\nread_file bob@example.com/big\r\nq\r\n' > "$T0/big.in"
	# (not through run: the shell would hold the output in memory itself)
	vpd_limited() { ( ulimit -v 49152 && exec "$(bin_path vpopmaild)" -t 5 < "$T0/big.in" > "$T0/.out" 2>&1 ); }
	printf 'small\n' > "$BOBDIR/big"
	vpd_limited
	if [ "$?" != 0 ]; then
		skip "vpopmaild does not run within 48 MB of address space here: memory not measured"
	else
		head -c 67108864 /dev/zero | tr '\0' x > "$BOBDIR/big"
		vpd_limited
		is "$?" 0 "vpopmaild: read_file of a 64 MB line within 48 MB of address space: exit 0"
		{ printf '+OK \r\n+OK \r\n+OK+\r\n'; cat "$BOBDIR/big"; printf '\r\n.\r\n+OK \r\n'; } > "$T0/big.want"
		if cmp -s "$T0/.out" "$T0/big.want"; then
			pass "vpopmaild: the 64 MB line is sent whole"
		else
			fail "vpopmaild: the 64 MB line is sent whole"
			diag "$(cmp "$T0/.out" "$T0/big.want" 2>&1)" "sent $(wc -c < "$T0/.out") bytes"
		fi
		rm -f "$BOBDIR/big" "$T0/big.want" "$T0/.out"
	fi
else
	skip "vpopmaild's memory with a 64 MB line: not measured under a sanitizer or checker"
fi

# A user's .qmail is read whole for every message: at most 1 MiB of it
# (it was read however large, 100 MB of memory for a 100 MB file that
# write_file lets a user make).  A larger one defers the mail.
deliver_domain
export EXT=bob HOST=example.com RPLINE=$'Return-Path: <a@example.net>\n'
export DTLINE=$'Delivered-To: example.com-bob@example.com\n'
dotqmail_of() {	# dotqmail_of SIZE: comment lines, then ./Maildir/, SIZE bytes in all
	"$PYTHON" -c 'import sys; n = int(sys.argv[1]) - 11
sys.stdout.write("#" * (n - 1) + "\n" + "./Maildir/\n")' "$1" > "$DD/bob/.qmail"
	give_domain "$DD/bob/.qmail"
}
printf 'Subject: x\n\nbody\n' > "$T0/small"
dotqmail_of 1048576
( cd "$DD" && RUN_AS=$DV_AS _run_with "$T0/small" vdelivermail '' delete; echo "$RC" > "$T0/rc" )
is "$(cat "$T0/rc"):$(ls "$BOX/new" | wc -l)" "0:1" "vdelivermail: a .qmail of 1 MiB runs (exit 0, delivered)"
rm -f "$BOX"/new/*
dotqmail_of 1048577
( cd "$DD" && RUN_AS=$DV_AS _run_with "$T0/small" vdelivermail '' delete; echo "$RC" > "$T0/rc"; printf '%s' "$OUT" > "$T0/out" )
is "$(cat "$T0/rc"):$(ls "$BOX/new" | wc -l)" "111:0" "vdelivermail: a .qmail of 1 MiB and a byte defers the mail (exit 111)"
file_is "$T0/out" "vdelivermail: .qmail is larger than 1048576 bytes"$'\n' "vdelivermail: ... saying so"
rm -f "$DD/bob/.qmail"

# vdelivermail keeps no per-line state for the loop check: a header of
# 3,000,000 Delivered-To lines (54 MB) is delivered within a 48 MB
# address space (it used to keep every value: some 120 MB).  A limit
# works only for a plain program (no sanitizer, no checker).
if [ -z "${VP_TEST_WRAPPER:-}" ] && ! grep -q -- '-fsanitize' "$top_builddir/config.log" 2>/dev/null; then
	limited() { ( ulimit -v 49152 && cd "$DD" && RUN_AS=$DV_AS _run_with "$1" vdelivermail '' delete; exit "$RC" ); }
	limited "$T0/small"
	if [ "$?" != 0 ]; then
		skip "vdelivermail does not run within 48 MB of address space here: memory not measured"
	else
		"$PYTHON" -c 'import sys; sys.stdout.buffer.write(b"Delivered-To: someone@example.net\n" * 3000000 + b"\nbody\n")' > "$T0/big"
		rm -f "$BOX"/new/*
		limited "$T0/big"
		is "$?" 0 "vdelivermail: 3,000,000 Delivered-To lines within 48 MB of address space: exit 0"
		n=$(ls "$BOX/new" | wc -l)
		if [ "$n" = 1 ] && cmp -s <(tail -n +3 "$BOX"/new/*) "$T0/big"; then
			pass "vdelivermail: the message with 3,000,000 Delivered-To lines is delivered whole"
		else
			fail "vdelivermail: the message with 3,000,000 Delivered-To lines is delivered whole"
			diag "$n messages in new/"
		fi
		{ head -c 34000000 "$T0/big"; printf 'Delivered-To: BOB@example.com\n'; tail -c +34000001 "$T0/big"; } > "$T0/big.loop"
		rm -f "$BOX"/new/*
		limited "$T0/big.loop"
		is "$?" 100 "vdelivermail: our Delivered-To among 3,000,000 others is found within 48 MB: exit 100"
		rm -f "$T0/big" "$T0/big.loop"
	fi
else
	skip "vdelivermail's memory with millions of Delivered-To lines: not measured under a sanitizer or checker"
fi

done_testing
