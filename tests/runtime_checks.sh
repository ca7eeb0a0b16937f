# runtime_checks.sh - sourced by the sweeps over the run-time programs
# (t_crash_runtime.sh kills each at each state-changing call,
# t_errinject_runtime.sh makes each call fail): the checks they share.
# A check prints its complaint and returns 1.

# wait_children: a child the program started (tcprules, a delivery
# program, qmail-inject) may run on; wait until it is done.
wait_children() {
	local _i
	for _i in $(seq 1 100); do
		pgrep -f -- "$SB" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	diag "children of a program still running"
}

# exact FILE: X is FILE's content, byte for byte.
exact() { X=$(slurp "$1"); X=${X%x}; }
# die_if CONDITION MESSAGE: print MESSAGE and fail when CONDITION holds.
die_if() { if eval "$1"; then echo "$2"; return 1; fi; return 0; }

# mds_ok MAILDIR [REAL]: maildirsize is a definition line then "<bytes>
# <count>" lines, each with a newline; with REAL, its sums are not below
# the real content of new/ and cur/.
mds_ok() {
	local m=$1/maildirsize bytes count rb rc
	[ -e "$m" ] || return 0
	die_if "! awk 'NR == 1 && !/^[0-9]+S(,[0-9]+C)?\$/ { exit 1 }
		NR > 1 && !/^-?[0-9]+ -?[0-9]+\$/ { exit 1 }' '$m' || [ -n \"\$(tail -c 1 '$m')\" ]" \
		"maildirsize does not parse: $(od -c "$m" | head -5)" || return 1
	[ -n "${2:-}" ] || return 0
	read -r bytes count < <(awk 'NR > 1 { b += $1; c += $2 } END { print b + 0, c + 0 }' "$m")
	rb=$(find "$1/new" "$1/cur" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	rc=$(find "$1/new" "$1/cur" -type f | wc -l)
	die_if '[ "$bytes" -lt "$rb" ] || [ "$count" -lt "$rc" ]' \
		"maildirsize counts $bytes bytes in $count messages, the Maildir holds $rb in $rc" || return 1
}

# cdb_has KEY VALUE: CDBOUT (a cdb_dump, wrapped in newlines) holds the pair.
cdb_has() { [[ $CDBOUT == *$'\n'"$1"$'\t'"$2"$'\n'* ]]; }
# relay_open IP: IP's rule is in tcp.smtp.cdb (as relay_ok last dumped
# it); in a build that never rebuilds it, in open-smtp.
relay_open() {
	if has_define REBUILD_TCPSERVER; then cdb_has "$1" "$CDBVAL"; else [ "${SQL:-0}" = 1 ] || grep -q "^$1:" "$OS"; fi
}

# relay_ok [IP...]: the relay list (open-smtp, unless it is in the
# database) parses; tcp.smtp.cdb parses (one dump of the whole cdb, into
# CDBOUT, checks its structure too) and keeps the static rules and every
# client IP given; lastauth's first line (what readers take) is an
# address, or empty with LASTAUTH_EMPTY_OK=1.
relay_ok() {
	local ip re='192\.168\.100\.200|10\.1\.2\.3'
	if [ "${SQL:-0}" != 1 ] && [ -e "$OS" ]; then
		die_if '! awk -F"\t" "NF != 2 || \$1 !~ /^[0-9.]+:allow,RELAYCLIENT=\"\",RBLSMTPD=\"\"\$/ || \$2 !~ /^[0-9]+\$/ { exit 1 }" "$OS" || [ -n "$(tail -c 1 "$OS")" ]' \
			"open-smtp does not parse: $(od -c "$OS" | head -4)" || return 1
	fi
	if ! has_define REBUILD_TCPSERVER; then
		# --disable-rebuild-tcpserver-file: no tcp.smtp.cdb, the clients in open-smtp
		die_if '[ -e "$CDB" ]' "tcp.smtp.cdb built by a build that never rebuilds it" || return 1
		for ip in "$@"; do
			die_if '[ "${SQL:-0}" != 1 ] && ! grep -q "^$ip:" "$OS"' "open-smtp lost the client $ip" || return 1
		done
	else
		CDBOUT=$(cdb_dump "$CDB" 2>&1) || { echo "tcp.smtp.cdb does not parse: $CDBOUT"; return 1; }
		CDBOUT=$'\n'$CDBOUT$'\n'
		die_if '! cdb_has 127. "+RELAYCLIENT=\0"' "tcp.smtp.cdb lost the static rule 127." || return 1
		die_if '! cdb_has 10.5. "D\0"' "tcp.smtp.cdb lost the static rule 10.5." || return 1
		for ip in "$@"; do
			die_if '! cdb_has "$ip" "$CDBVAL"' "tcp.smtp.cdb lost the client $ip" || return 1
		done
	fi
	[ "${LASTAUTH_EMPTY_OK:-0}" = 1 ] && re="$re|"
	if [ "$AUTHLOG" = 1 ] && [ "${SQL:-0}" != 1 ] && [ -e "$DD/joe/lastauth" ]; then
		die_if '! head -n 1 "$DD/joe/lastauth" | grep -qxE "$re"' \
			"lastauth holds '$(cat "$DD/joe/lastauth")'" || return 1
	fi
	return 0
}

# sb_restore TAR: the sandbox $SB as TAR holds it (a sweep's state before
# each run; permissions a run changed are undone first).
sb_restore() { chmod -R u+rwx "$SB"; rm -rf "$SB"; mkdir "$SB"; tar -C "$SB" -xf "$1"; }

# bulletin_sandbox: a new sandbox for the vpopbull sweeps, saved in
# $T0/pb.tar: example.com with bob and carol (a quota), $DD, and the
# bulletin $BULL in $SB/bulletin.
bulletin_sandbox() {
	sandbox_new
	VP_TEST_WRAPPER= setup vadddomain example.com Secret123
	VP_TEST_WRAPPER= setup vadduser bob@example.com Passw0rd
	VP_TEST_WRAPPER= setup vadduser -q 100000 carol@example.com Passw0rd
	DD=$D/example.com
	BULL=$'From: admin@example.com\nSubject: Notice\n\nBody text\n'
	printf '%s' "$BULL" > "$SB/bulletin"
	tar -C "$SB" -cf "$T0/pb.tar" .
}

# bulletin_ok USER FILE: FILE, in USER's new/, is the bulletin $BULL
# whole: with PB_MODE=-c a copy under its To: and Date: lines, otherwise
# a link (the file itself).
bulletin_ok() {
	local u=$1 t
	exact "$2"; t=$X
	if [ "$PB_MODE" = -c ]; then
		die_if '[[ "$t" != "To: $u@example.com"$'"'\n'"'"Date: "*$'"'\n'"'"$BULL" ]]' \
			"partial bulletin for $u: $(printf '%s' "$t" | head -c 100)" || return 1
	else
		die_if '[ "$t" != "$BULL" ]' "bad bulletin link for $u" || return 1
	fi
}
