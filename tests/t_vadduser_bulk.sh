#!/bin/bash
# t_vadduser_bulk.sh - vadduser -f FILE (vpopmail-ng): the same end state as
# one vadduser per line (files byte for byte, hashes masked), per-line
# errors, stdin, several domains, onchange events.
. "$(dirname "$0")/lib.sh"
require_bins vadduser vadddomain vdeluser

OS=0; has_define ONCHANGE_SCRIPT && OS=1

# hook: log every plain onchange call (no "before"/"after" fourth
# argument: those of a build with both modes are t_onchange's), one line each.
hook() {
	LOG=$SB/onchange.log
	printf '#!/bin/sh\n[ -z "$4" ] && echo "$*" >> "%s"\nexit 0\n' "$LOG" > "$VH/etc/onchange"
	chmod 0755 "$VH/etc/onchange"
	: > "$LOG"
}

# state DOMDIR: everything in a domain directory, sandbox path and hashes
# masked: the tree (type, mode, name), every file's bytes, the cdb records.
state() {
	( cd "$1" || exit 1
	  find . ! -name '*.lock' -printf '%y %m %P\n' | LC_ALL=C sort
	  find . -type f ! -name '*.lock' ! -name vpasswd.cdb -print | LC_ALL=C sort |
	  while read -r f; do echo "== $f"; cat "$f"; echo; done
	  echo "== cdb"; cdb_dump vpasswd.cdb
	) | sed "s|$SB|SB|g" | mask_hashes
}

# prep: a domain with history (a deleted user) so the allocator has state.
prep() {
	sandbox_new
	setup vadddomain example.com Secret123
	setup vadddomain other.org Secret123
	for u in keep1 keep2 keep3; do setup vadduser "$u@example.com" Passw0rd; done
	setup vdeluser keep2@example.com
	hook
}

# The list: 260 users in a scrambled order (the merge must sort them), some
# with a comment, for two domains, with blank and comment lines between.
LIST=$T0/list
{
	echo "# users to add"
	for i in $(seq 1 260); do
		n=$(( (i * 97) % 263 ))
		d=example.com; [ $((i % 5)) = 0 ] && d=other.org
		if [ $((i % 7)) = 0 ]; then
			printf 'User%s@%s\tpw%s-Secret   Mr  %s \n' "$n" "$d" "$n" "$n"
		else
			printf 'user%s@%s pw%s-Secret\n' "$n" "$d" "$n"
		fi
		[ $((i % 50)) = 0 ] && printf '\n   \n# more\n'
	done
} > "$LIST"

# ------------------------------------------------------------ one by one
prep
while read -r addr pass gecos; do
	case $addr in ''|'#'*) continue;; esac
	if [ -n "$gecos" ]; then
		"$top_builddir/vadduser" -c "$gecos" "$addr" "$pass" || echo "failed: $addr"
	else
		"$top_builddir/vadduser" "$addr" "$pass" || echo "failed: $addr"
	fi
done < "$LIST"
WANT_EX=$(state "$D/example.com")
WANT_OT=$(state "$D/other.org")
WANT_LOG=$(cat "$LOG")
WANT_ASSIGN=$(sed "s|$SB|SB|g" "$QH/users/assign")

# ------------------------------------------------------------ -f FILE
prep
run vadduser -f "$LIST"
is_rc 0 "-f FILE: exit 0"
is_out "" "-f FILE: nothing on stdout when it is not a terminal"
is_err "" "-f FILE: nothing on stderr"
is "$(state "$D/example.com")" "$WANT_EX" "example.com: same files as one vadduser per line"
is "$(state "$D/other.org")" "$WANT_OT" "other.org: same files as one vadduser per line"
is "$(sed "s|$SB|SB|g" "$QH/users/assign")" "$WANT_ASSIGN" "users/assign untouched"
is "$(vpw_count "$D/example.com" user7)" 1 "a listed user is in vpasswd"
is "$(vpw_field "$D/example.com" user14 5)" "Mr  14" "gecos: the rest of the line, inner blanks kept, trailing ones dropped"
ok_cmd "example.com: vpasswd.cdb holds exactly the vpasswd records" vpw_cdb_ok "$D/example.com"
ok_cmd "other.org: vpasswd.cdb holds exactly the vpasswd records" vpw_cdb_ok "$D/other.org"
ok_cmd "user7's hash verifies its password" crypt_ok pw7-Secret "$(vpw_field "$D/example.com" user7 2)"
ok_cmd "user14's hash verifies its password" crypt_ok pw14-Secret "$(vpw_field "$D/example.com" user14 2)"
user_dir_ok "$(dirname "$(vpw_field "$D/example.com" user7 6)")" user7
is "$(cut -d: -f1 "$D/example.com/vpasswd" | LC_ALL=C sort -c 2>&1)" "" "vpasswd sorted by name"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"
if [ "$OS" = 1 ]; then
	# Grouped by domain: each domain's calls come in file order.
	for dom in example.com other.org; do
		is "$(grep "@$dom " "$LOG")" "$(printf '%s\n' "$WANT_LOG" | grep "@$dom ")" \
			"onchange: $dom gets the same add_user calls, in the same order"
	done
	is "$(LC_ALL=C sort "$LOG")" "$(printf '%s\n' "$WANT_LOG" | LC_ALL=C sort)" "onchange: nothing else"
	is "$(grep -c '^add_user ' "$LOG")" 260 "onchange: one add_user per user"
else
	skip "onchange not compiled in"; skip "onchange not compiled in"
	skip "onchange not compiled in"; skip "onchange not compiled in"
fi

# ------------------------------------------------------------ unsorted vpasswd
# A hand-edited file out of order: each new record still goes before the
# first greater name, exactly where one-by-one adds would put it.
unsorted() {
	prep
	tac "$D/example.com/vpasswd" > "$T0/rev" && cat "$T0/rev" > "$D/example.com/vpasswd"
	setup vmkpasswd example.com
}
printf '%s\n' 'mm@example.com Passw0rd' 'aa@example.com Passw0rd' 'zz@example.com Passw0rd' \
	'keep2@example.com Passw0rd' 'kz@example.com Passw0rd' 'pz@example.com Passw0rd' > "$T0/few"
unsorted
while read -r addr pass; do setup vadduser "$addr" "$pass"; done < "$T0/few"
WANT_EX=$(state "$D/example.com")
unsorted
run vadduser -f "$T0/few"
is_rc 0 "unsorted vpasswd: exit 0"
is "$(state "$D/example.com")" "$WANT_EX" "unsorted vpasswd: same files as one vadduser per line"
cdb_next
is "$(cut -d: -f1 "$D/example.com/vpasswd" | tr '\n' ' ')" "aa keep2 kz mm postmaster keep3 keep1 pz zz " \
	"unsorted vpasswd: each record before the first greater name"

# ------------------------------------------------------------ stdin
sandbox_new
setup vadddomain example.com Secret123
run_in $'zed@example.com Passw0rd\namy@example.com Passw0rd Amy B\n' vadduser -f -
is_rc 0 "-f -: exit 0"
is_err "" "-f -: silent"
vpasswd_is "$D/example.com" "-f -: users from stdin, sorted in" \
	"$(vpw_line amy "Amy B" "$D/example.com/amy" NOQUOTA Passw0rd)" \
	"$(vpw_line postmaster Postmaster "$D/example.com/postmaster" NOQUOTA Secret123)" \
	"$(vpw_line zed zed "$D/example.com/zed" NOQUOTA Passw0rd)"
user_dir_ok "$D/example.com" amy
ok_cmd "-f -: vpasswd.cdb consistent" vpw_cdb_ok "$D/example.com"

# CRLF line ends (a list edited on Windows), user%domain as vadduser
# takes it, and an address without a domain: the default domain
printf 'ex.com\n' > "$VH/etc/defaultdomain"
setup vadddomain ex.com Secret123
run_in $'crlf@example.com Passw0rd Carl F\r\npct%example.com Passw0rd\r\nbare Passw0rd\n' vadduser -f -
is_rc 0 "CRLF, user%domain, no domain: exit 0"
is_err "" "CRLF, user%domain, no domain: silent"
is "$(vpw_field "$D/example.com" crlf 5)" "Carl F" "CRLF: the comment ends before the CR"
ok_cmd "CRLF: the password ends before the CR" crypt_ok Passw0rd "$(vpw_field "$D/example.com" crlf 2)"
is "$(vpw_count "$D/example.com" pct)" 1 "user%domain: added to the domain"
is "$(vpw_count "$D/ex.com" bare)" 1 "no domain: added to the default domain"
rm -f "$VH/etc/defaultdomain"
run_in $'bare2 Passw0rd\n' vadduser -f -
is_rc 244 "no domain and no default domain: exit 244"
is_err "Error: Invalid domain name (line 1: bare2)" "no domain and no default domain: message"

# on a terminal: the progress line, ended by a newline
if command -v script >/dev/null 2>&1; then
	printf '%s\n' 'tty1@example.com Passw0rd' 'tty2@example.com Passw0rd' > "$T0/tty"
	got=$(script -qc "$top_builddir/vadduser -f $T0/tty" /dev/null | od -An -c -v | tr -s ' \n' ' ')
	is "$got" ' \r 2 / 2 u s e r s a d d e d \r 2 / 2 u s e r s a d d e d \r \n ' \
		"terminal: progress line, then the final count and a newline"
else
	skip "script(1) not installed"
fi

# an empty list does nothing
S=$(snapshot)
run_in $'# nothing\n\n' vadduser -f -
is_rc 0 "-f - with only comments: exit 0"
is_out "" "only comments: silent"
unchanged "$S" "only comments: nothing changed"

# ------------------------------------------------------------ per-line errors
sandbox_new
setup vadddomain example.com Secret123
setup vadduser old@example.com Passw0rd
hook
long=$(printf 'u%.0s' $(seq 1 65))
printf '%s\n' \
	'ok1@example.com Passw0rd' \
	'old@example.com Passw0rd' \
	'ok1@example.com Other0rd' \
	'nobody@nowhere.test Passw0rd' \
	'pwless@example.com' \
	'col:on@example.com Passw0rd' \
	'gecos@example.com Passw0rd Bad:Comment' \
	"$long@example.com Passw0rd" \
	'bad/name@example.com Passw0rd' \
	'vpasswd@example.com Passw0rd' \
	'ok2@example.com Passw0rd' > "$T0/bad"
printf 'nul\0x@example.com Passw0rd\n' >> "$T0/bad"
run vadduser -f "$T0/bad"
is_rc 254 "errors: exit = first failure (VA_USERNAME_EXISTS -2) & 0xff"
is_out "" "errors: nothing on stdout"
is_err "Error: Username exists (line 2: old@example.com)
Error: Username exists (line 3: ok1@example.com)
Error: Domain does not exist (line 4: nobody@nowhere.test)
Error: missing password (line 5: pwless@example.com)
Error: Illegal username (line 6: col:on@example.com)
Error: bad character (line 7: gecos@example.com)
Error: user name too long (max=64) (line 8: $long@example.com)
Error: User's directory already exists (line 9: bad/name@example.com)
Error: User's directory already exists (line 10: vpasswd@example.com)
Error: bad character (line 12: )" "errors: one line each, in file order"
cdb_next
is "$(cut -d: -f1 "$D/example.com/vpasswd" | tr '\n' ' ')" "ok1 ok2 old postmaster " "errors: only the good lines added, no partial record"
is "$(vpw_field "$D/example.com" ok1 2 | mask_hashes)" "$HASH_MASK" "a name given twice: the first line wins"
ok_cmd "ok1 keeps the first line's password" crypt_ok Passw0rd "$(vpw_field "$D/example.com" ok1 2)"
ok_cmd "errors: vpasswd.cdb consistent" vpw_cdb_ok "$D/example.com"
is "$(cd "$D/example.com" && ls -d */ | tr '\n' ' ')" "ok1/ ok2/ old/ postmaster/ " "errors: no directory for a refused line"
is "$(leftovers "$VH" "$QH")" "" "errors: no temporary files left"
if [ "$OS" = 1 ]; then
	is "$(cat "$LOG")" "add_user ok1@example.com - 
add_user ok2@example.com - " "onchange: only the users added"
else
	skip "onchange not compiled in"
fi

# Through an alias domain: the user lands in the real domain and the event
# names it, as a vadduser of that line would.
setup vaddaliasdomain example.com alias.test
[ "$OS" = 1 ] && : > "$LOG"
run_in $'viaalias@ALIAS.test Passw0rd\n' vadduser -f -
is_rc 0 "through an alias domain: exit 0"
cdb_next
is "$(vpw_field "$D/example.com" viaalias 1)" "viaalias" "through an alias domain: the user is in the real domain"
if [ "$OS" = 1 ]; then
	is "$(cat "$LOG")" "add_user viaalias@example.com - " "through an alias domain: add_user names the real domain"
else
	skip "onchange not compiled in"
fi

# the first failure sets the status: an unknown domain first
run_in $'xy@nowhere.test Passw0rd\nold@example.com Passw0rd\n' vadduser -f -
is_rc 245 "exit = VA_DOMAIN_DOES_NOT_EXIST (-11) & 0xff when that comes first"
is_err "Error: Domain does not exist (line 1: xy@nowhere.test)
Error: Username exists (line 2: old@example.com)" "both lines reported"

# ------------------------------------------------------------ a batch refused
# The backend cannot store the batch (the new vpasswd cannot be made):
# no user is added, their directories are removed and their places in the
# big-dir layout given back, as vdeluser would (the count is what it was).
# refused_batch PRESET: a sandbox whose .dir-control is PRESET (none: as
# made), the three users of $T0/three added with vpasswd's temp refused.
refused_batch() {
	sandbox_new
	setup vadddomain example.com Secret123
	[ -n "$1" ] && printf '%b' "$1" > "$D/example.com/.dir-control"
	S=$(snapshot | grep -v '/\.dir-control$')
	C=$(head -1 "$D/example.com/.dir-control" 2>/dev/null)
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=openat -e inject=openat:error=ENOSPC:when=$n" \
		run vadduser -f "$T0/three"
}
if strace_ok && [ "$SQL" != 1 ]; then
	printf 'b1@example.com Passw0rd\nb2@example.com Passw0rd\nb3@example.com Passw0rd\n' > "$T0/three"
	# the openat to refuse, counted on a run that succeeds
	sandbox_new
	setup vadddomain example.com Secret123
	VP_TEST_WRAPPER="$NOLSAN strace -f -o $SB/st.log -e trace=openat" run vadduser -f "$T0/three"
	n=$(nth_call "$SB/st.log" openat "vpasswd.bak.")
	refused_batch ''
	is_rc 233 "refused batch: exit VA_NO_AUTH_CONNECTION (-23) & 0xff"
	is_err "Failed while attempting to add user to auth backend
Error: no authentication database connection (line 1: b1@example.com)
Error: no authentication database connection (line 2: b2@example.com)
Error: no authentication database connection (line 3: b3@example.com)" "refused batch: the backend's failure, then each line"
	is "$(snapshot | grep -v '/\.dir-control$')" "$S" "refused batch: no directory left, vpasswd and its index as before"
	bigdir_only is "$(head -1 "$D/example.com/.dir-control")" "$C" "refused batch: the .dir-control count given back"
	if [ "$BIGDIR" = 1 ]; then
		# the next users (#200 on) open hash directory 1
		refused_batch '199\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n'
		is_rc 233 "refused batch in a hash directory: exit 233"
		is "$(head -1 "$D/example.com/.dir-control")" 199 "refused batch in a hash directory: the count given back"
		file_absent "$D/example.com/1/b1" "refused batch in a hash directory: the directory removed"
		file_lines "$D/example.com/.dir_control_free" "refused batch in a hash directory: its places offered again" 1 1 1
	else
		skip "built with --disable-users-big-dir: no hash directories"
	fi
else
	skip "strace cannot inject here, or a MySQL build: refused batch"
fi

# ------------------------------------------------------------ usage
S=$(snapshot)
run vadduser -f "$T0/bad" bob@example.com Passw0rd
is_rc 255 "-f with an address: exit 255"
is_out "$USAGE_VADDUSER" "-f with an address: usage"
run vadduser -q 1000 -f "$T0/bad"
is_rc 255 "-f with -q: exit 255"
is_out "$USAGE_VADDUSER" "-f with -q: usage"
run vadduser -f "$T0/does-not-exist"
is_rc 221 "-f missing file: exit VA_PARSE_ERROR (-35) & 0xff"
is_err "vadduser: cannot open $T0/does-not-exist: No such file or directory" "-f missing file: message"
unchanged "$S" "usage errors change nothing"

done_testing
