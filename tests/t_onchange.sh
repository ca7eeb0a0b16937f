#!/bin/bash
# t_onchange.sh - the ~vpopmail/etc/onchange hook: the exact invocations of
# the six commands (spec storage-and-admin.md §9, "Observed 5.6 sequences").
. "$(dirname "$0")/lib.sh"
if ! has_define ONCHANGE_SCRIPT; then
	echo "1..0 # SKIP onchange not compiled in"
	exit 0
fi
if has_define ONCHANGE_SCRIPT_BEFORE_AND_AFTER; then
	echo "1..0 # SKIP the before-and-after variant fires other sequences"
	exit 0
fi
require_bins vadddomain vdeldomain vaddaliasdomain vadduser vdeluser vpasswd

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

events vadddomain example.com Secret123
is_rc 0 "vadddomain: exit 0"
is "$EV" '4: "add_domain" "example.com" "-" ""' "vadddomain d pw: add_domain only (postmaster add masked)"
is "$OUT$ERR" "" "vadddomain: hook is silent"
DD=$D/example.com

events vadddomain -q 5000000 -r ex2.com
is "$EV" '4: "add_domain" "ex2.com" "-" ""
4: "mod_user" "postmaster@ex2.com" "-" ""' "vadddomain -q -r: add_domain then mod_user for the quota"

ONCHANGE_PROBE=$DD/bob events vadduser bob@example.com Passw0rd
is "$EV" '4: "add_user" "bob@example.com" "-" "" probe=yes' "vadduser: add_user, fired after the user exists"

events vadduser -q 5M carl@example.com Passw0rd
is "$EV" '4: "add_user" "carl@example.com" "-" ""
4: "mod_user" "carl@example.com" "-" ""' "vadduser -q: add_user then mod_user"

events vadduser -e '$1$abcd$XYZ' dan@example.com
is "$EV" '4: "add_user" "dan@example.com" "-" ""
4: "mod_user" "dan@example.com" "-" ""' "vadduser -e: add_user then mod_user"

events vadduser Erin@Example.COM Passw0rd
is "$EV" '4: "add_user" "erin@example.com" "-" ""' "vadduser: lower-cased address"

events vpasswd bob@example.com NewPass1
is "$EV" '4: "mod_user" "bob@example.com" "-" ""' "vpasswd: mod_user"

events vpasswd -r carl@example.com
is "$EV" '4: "mod_user" "carl@example.com" "-" ""' "vpasswd -r: mod_user"

events vaddaliasdomain example.com alias.net
is "$EV" '4: "add_alias_domain" "alias.net" "example.com" ""' "vaddaliasdomain: add_alias_domain alias real"

events vpasswd bob@alias.net Alias123
is "$EV" '4: "mod_user" "bob@example.com" "-" ""' "vpasswd through an alias: mod_user names the real domain"

ONCHANGE_PROBE=$DD/bob events vdeluser bob@example.com
is "$EV" '4: "del_user" "bob@example.com" "-" "" probe=yes' "vdeluser: del_user, fired before the delete"

events vdeldomain alias.net
is "$EV" '4: "del_domain" "alias.net alias of example.com" "-" ""' "vdeldomain alias: one argument 'alias alias of real'"

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

# postmaster creation fails: the domain is rolled back silently
events vadddomain fail.com ""
is "$EV" '4: "add_domain" "fail.com" "-" ""' "vadddomain d '': only add_domain (rollback fires nothing)"

# vdeldomain -f of a domain with aliases: one del_domain only
setup vaddaliasdomain example.com alias2.net
ONCHANGE_PROBE=$DD events vdeldomain -f example.com
is "$EV" '4: "del_domain" "example.com" "-" "" probe=yes' "vdeldomain -f real: one del_domain, before the delete"

events vdeldomain ex2.com
is "$EV" '4: "del_domain" "ex2.com" "-" ""' "vdeldomain real without aliases: del_domain"

# the hook's output is the tool's output
cat > "$HOOK" <<'EOF'
#!/bin/sh
echo "hook says $1"
EOF
chmod 0755 "$HOOK"
run vadddomain out.com Secret123
is_rc 0 "talking hook: exit 0"
is_out "hook says add_domain" "hook stdout shows up in the tool's stdout"

# a hook that fails
cat > "$HOOK" <<'EOF'
#!/bin/sh
exit 1
EOF
chmod 0755 "$HOOK"
run vadduser fail1@out.com Passw0rd
is_rc 0 "failing hook: the operation still succeeds"
is_err "ONCHANGE script $HOOK did not exit gracefully." "failing hook: stderr message"
is "$(vpw_count "$D/out.com" fail1)" 1 "failing hook: user added"

# a hook that is not executable
chmod 0644 "$HOOK"
run vadduser noexec@out.com Passw0rd
is_rc 0 "non-executable hook: the operation still succeeds"
is_err "ONCHANGE script $HOOK not executable." "non-executable hook: stderr message"
is "$(vpw_count "$D/out.com" noexec)" 1 "non-executable hook: user added"

# no hook: nothing printed
rm -f "$HOOK"
run vadduser nohook@out.com Passw0rd
is_rc 0 "no hook: exit 0"
is "$OUT$ERR" "" "no hook: silent"

done_testing
