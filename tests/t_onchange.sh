#!/bin/bash
# t_onchange.sh - the ~vpopmail/etc/onchange hook: the exact invocations of
# the six commands (spec storage-and-admin.md §9), in every build flavour:
#   --enable-onchange-script                   (ONCHANGE_SCRIPT: arg3 "")
#   --enable-onchange-script-before-and-after  (arg3 "before"/"after")
#   both options together (one event may produce both kinds of call).
# The expected sequences are built from the §9.1 table ("Fired" and
# "BEFORE_AND_AFTER calls" columns) and the §9.2 masking rules.
. "$(dirname "$0")/lib.sh"
OS=0; has_define ONCHANGE_SCRIPT && OS=1
BA=0; has_define ONCHANGE_SCRIPT_BEFORE_AND_AFTER && BA=1
VA=0; has_define VALIAS && VA=1
if [ "$OS" = 0 ] && [ "$BA" = 0 ]; then
	echo "1..0 # SKIP onchange not compiled in"
	exit 0
fi
require_bins vadddomain vdeldomain vaddaliasdomain vadduser vdeluser vpasswd vconvert
case $OS$BA in
10) diag "mode: ONCHANGE_SCRIPT";;
01) diag "mode: ONCHANGE_SCRIPT_BEFORE_AND_AFTER";;
11) diag "mode: ONCHANGE_SCRIPT and ONCHANGE_SCRIPT_BEFORE_AND_AFTER";;
esac

sandbox_new
LOG=$SB/onchange.log
HOOK=$VH/etc/onchange
# One line per invocation: the argument count, then every argument quoted.
# With ONCHANGE_PROBE set, also whether that path existed at the time.
cat > "$HOOK" <<EOF
#!/bin/sh
out="\$#:"
for a in "\$@"; do out="\$out \"\$a\""; done
if [ -n "\${ONCHANGE_PROBE:-}" ]; then
	if [ -e "\$ONCHANGE_PROBE" ]; then out="\$out probe=yes"; else out="\$out probe=no"; fi
fi
printf '%s\n' "\$out" >> "$LOG"
EOF
chmod 0755 "$HOOK"

# events CMD ARGS...: run the command with an empty log; the log lines are in EV.
events() {
	: > "$LOG"
	run "$@"
	EV=$(cat "$LOG")
}

# ------------------------------------------------------------ expectations
# W collects the expected log lines (newline-separated, no final newline).
# expect: start a new expectation.
expect() { W=; }
_want() {	# CMD ARG1 ARG2 ARG3 [PROBE]
	local l="4: \"$1\" \"$2\" \"$3\" \"$4\""
	[ -n "${5:-}" ] && l="$l probe=$5"
	W=${W:+$W$'\n'}$l
}
# One invocation of each kind, if that kind is compiled in.
_plain()  { if [ "$OS" = 1 ]; then _want "$1" "$2" "$3" "" "${4:-}"; fi; }
_before() { if [ "$BA" = 1 ]; then _want "$1" "$2" "$3" before "${4:-}"; fi; }
_after()  { if [ "$BA" = 1 ]; then _want "$1" "$2" "$3" after "${4:-}"; fi; }

# One event each, per §9.1.  When both modes are compiled in, an event
# announced "before" calls the plain script first, then "before"; one
# announced after the change calls it first, then "after" (the spec does
# not fix the order; this is the library's, and that of 5.6).
# add_domain D [PROBE]: "before" only without ONCHANGE_SCRIPT (it is masked
# then), fired once the domain's directory and assign line are made.
x_add_domain() {
	if [ "$OS" = 0 ]; then _before add_domain "$1" - "${2:-}"; fi
	_plain add_domain "$1" - "${2:-}"
	_after add_domain "$1" - "${2:-}"
}
# del_domain TEXT AFTER_TEXT [PROBE_BEFORE PROBE_AFTER]: fired before the
# delete; the "after" call names AFTER_TEXT ("<d> alias of <d>" for a real
# domain, the same alias text for an alias).
# With the SQL valias table a real domain's aliases go through
# valias_delete_domain() in between, with its own events (as 5.6).
x_del_domain() {
	_plain del_domain "$1" - "${3:-}"
	_before del_domain "$1" - "${3:-}"
	if [ "$VA" = 1 ] && [ "${1% alias of *}" = "$1" ]; then	# a real domain
		_plain valias_delete_domain "$1" - "${3:-}"
		_before valias_delete_domain "$1" - "${3:-}"
		_after valias_delete_domain "$1" - "${3:-}"
	fi
	_after del_domain "$2" - "${4:-}"
}
# add_user A [PROBE]: after only (its "before" is always masked).
x_add_user() {
	_plain add_user "$1" - "${2:-}"
	_after add_user "$1" - "${2:-}"
}
# del_user A [PROBE_BEFORE PROBE_AFTER]
x_del_user() {
	_plain del_user "$1" - "${2:-}"
	_before del_user "$1" - "${2:-}"
	_after del_user "$1" - "${3:-}"
}
# mod_user A: "before" precedes the validation, the rest follows success.
x_mod_user() {
	_before mod_user "$1" -
	_plain mod_user "$1" -
	_after mod_user "$1" -
}
# mod_user A whose validation fails: only the "before" call.
x_mod_user_failed() { _before mod_user "$1" -; }
# add_alias_domain ALIAS REAL
x_add_alias_domain() {
	_before add_alias_domain "$1" "$2"
	_plain add_alias_domain "$1" "$2"
	_after add_alias_domain "$1" "$2"
}
# How many times the script runs for one event of each kind.
_calls() { expect; "$@"; printf '%s\n' "$W" | wc -l; }
n_add_domain=$(_calls x_add_domain d)
n_add_user=$(_calls x_add_user a)

# ------------------------------------------------------------ the commands
expect; x_add_domain example.com
events vadddomain example.com Secret123
is_rc 0 "vadddomain: exit 0"
is "$EV" "$W" "vadddomain d pw: add_domain only (postmaster add_user masked, §9.2)"
is "$OUT$ERR" "" "vadddomain: hook is silent"
DD=$D/example.com

expect; x_add_domain ex2.com; x_mod_user postmaster@ex2.com
events vadddomain -q 5000000 -r ex2.com
is "$EV" "$W" "vadddomain -q -r: add_domain, then mod_user for the quota (flag back on, §9.2)"

expect; x_add_user bob@example.com yes
ONCHANGE_PROBE=$DD/bob events vadduser bob@example.com Passw0rd
is "$EV" "$W" "vadduser: add_user, fired after the user exists"

expect; x_add_user carl@example.com; x_mod_user carl@example.com
events vadduser -q 5M carl@example.com Passw0rd
is "$EV" "$W" "vadduser -q: add_user then mod_user"

expect; x_add_user dan@example.com; x_mod_user dan@example.com
events vadduser -e '$1$abcd$XYZ' dan@example.com
is "$EV" "$W" "vadduser -e: add_user then mod_user"

# vconvert -p writes an imported user's record once, with the hash; the
# events stay those of 5.6's add and then hash update.
printf 'ivy:%s\n' '$1$abcd$XYZ' > "$SB/conv.list"
expect; x_add_user ivy@example.com; x_mod_user ivy@example.com
events vconvert -p "$SB/conv.list" -c example.com
is "$EV" "$W" "vconvert -p: add_user, then mod_user for the hash (as 5.6)"

# A hash vauth_setpw() refuses (':'): mod_user is announced "before" the
# validation, and nothing follows (§9.1, mod_user row).
expect; x_add_user fay@example.com; x_mod_user_failed fay@example.com
events vadduser -e 'ab:cd' fay@example.com
is_rc 255 "vadduser -e with a ':' in the hash: exit 255"
is_out "Error in vauth_setpw()" "vadduser -e with a ':': 'Error in vauth_setpw()'"
is "$EV" "$W" "vadduser -e refused by vauth_setpw: add_user, then only mod_user 'before'"

expect; x_add_user erin@example.com
events vadduser Erin@Example.COM Passw0rd
is "$EV" "$W" "vadduser: lower-cased address"

expect; x_mod_user bob@example.com
events vpasswd bob@example.com NewPass1
is "$EV" "$W" "vpasswd: mod_user"

expect; x_mod_user carl@example.com
events vpasswd -r carl@example.com
is "$EV" "$W" "vpasswd -r: mod_user"

expect; x_add_alias_domain alias.net example.com
events vaddaliasdomain example.com alias.net
is "$EV" "$W" "vaddaliasdomain: add_alias_domain alias real"

expect; x_mod_user bob@example.com
events vpasswd bob@alias.net Alias123
is "$EV" "$W" "vpasswd through an alias: mod_user names the real domain"

expect; x_del_user bob@example.com yes no
ONCHANGE_PROBE=$DD/bob events vdeluser bob@example.com
is "$EV" "$W" "vdeluser: del_user before the delete (and 'after' once it is gone)"

expect; x_del_domain "alias.net alias of example.com" "alias.net alias of example.com"
events vdeldomain alias.net
is "$EV" "$W" "vdeldomain alias: one argument 'alias alias of real'"

# failures fire nothing
events vadduser carl@example.com Passw0rd
is "$EV" "" "vadduser of an existing user: no event"
events vdeluser nobody@example.com
is "$EV" "" "vdeluser of an unknown user: no event"
events vpasswd nobody@example.com Passw0rd
is "$EV" "" "vpasswd of an unknown user: no event"
events vadddomain example.com Secret123
is "$EV" "" "vadddomain of an existing domain: no event"
events vaddaliasdomain example.com example.com
is "$EV" "" "vaddaliasdomain refused: no event"
events vadduser "bad user@example.com" Passw0rd
is "$EV" "" "vadduser with a bad name: no event"

# every call, "before" too, comes once the domain directory exists (5.6)
expect; x_add_domain probe.org yes
ONCHANGE_PROBE=$D/probe.org events vadddomain probe.org Secret123
is "$EV" "$W" "vadddomain: the domain directory exists at every call"

# postmaster creation fails: the domain is rolled back silently, because
# vadddomain() leaves the flag off (§9.2, in every mode).
expect; x_add_domain fail.com
events vadddomain fail.com ""
is "$EV" "$W" "vadddomain d '': only add_domain (the rollback fires nothing)"

# vdeldomain -f of a domain with aliases: one del_domain only; its "after"
# call names the domain as "<d> alias of <d>" (§9.1 quirk).
setup vaddaliasdomain example.com alias2.net
expect; x_del_domain example.com "example.com alias of example.com" yes no
ONCHANGE_PROBE=$DD events vdeldomain -f example.com
is "$EV" "$W" "vdeldomain -f real: one del_domain, before the delete"

expect; x_del_domain ex2.com "ex2.com alias of ex2.com"
events vdeldomain ex2.com
is "$EV" "$W" "vdeldomain real without aliases: del_domain"

# the hook's output is the tool's output
cat > "$HOOK" <<'EOF'
#!/bin/sh
echo "hook says $1${4:+ $4}"
EOF
chmod 0755 "$HOOK"
run vadddomain out.com Secret123
is_rc 0 "talking hook: exit 0"
want=
[ "$OS" = 0 ] && want="hook says add_domain before"
[ "$OS" = 1 ] && want=${want:+$want$'\n'}"hook says add_domain"
[ "$BA" = 1 ] && want=${want:+$want$'\n'}"hook says add_domain after"
is_out "$want" "hook stdout shows up in the tool's stdout"

# n_lines N LINE: LINE N times, one per line (no newline after the last).
n_lines() { local i; for ((i = 0; i < $1; i++)); do [ "$i" = 0 ] || printf '\n'; printf '%s' "$2"; done; }

# a hook that fails: one message per invocation
cat > "$HOOK" <<'EOF'
#!/bin/sh
exit 1
EOF
chmod 0755 "$HOOK"
run vadduser fail1@out.com Passw0rd
is_rc 0 "failing hook: the operation still succeeds"
want=$(n_lines "$n_add_user" "ONCHANGE script $HOOK did not exit gracefully.")
is_err "$want" "failing hook: stderr message (once per invocation)"
is "$(vpw_count "$D/out.com" fail1)" 1 "failing hook: user added"

# a hook that cannot be started (its interpreter is missing): 5.6's words
printf '#!/nonexistent/interpreter\n' > "$HOOK"
chmod 0755 "$HOOK"
run vadduser badinterp@out.com Passw0rd
is_rc 0 "hook that cannot start: the operation still succeeds"
want=$(n_lines "$n_add_user" "ONCHANGE script $HOOK unable to exec.")
is_err "$want" "hook that cannot start: 'unable to exec.' (once per invocation)"

# a hook that is not executable
chmod 0644 "$HOOK"
run vadduser noexec@out.com Passw0rd
is_rc 0 "non-executable hook: the operation still succeeds"
want=$(n_lines "$n_add_user" "ONCHANGE script $HOOK not executable.")
is_err "$want" "non-executable hook: stderr message (once per invocation)"
is "$(vpw_count "$D/out.com" noexec)" 1 "non-executable hook: user added"

run vadddomain out2.com Secret123
is_rc 0 "non-executable hook, vadddomain: exit 0"
want=$(n_lines "$n_add_domain" "ONCHANGE script $HOOK not executable.")
is_err "$want" "non-executable hook, vadddomain: one message per add_domain call"

# no hook: nothing printed
rm -f "$HOOK"
run vadduser nohook@out.com Passw0rd
is_rc 0 "no hook: exit 0"
is "$OUT$ERR" "" "no hook: silent"

done_testing
