#!/bin/bash
# t_valias.sh - valias and dotqmail2valias in the cdb build: .qmail-<alias>
# files, listing order and selection, every message and exit status, the
# onchange events (spec storage-and-admin.md §8.17, §8.18, §9.1).
. "$(dirname "$0")/lib.sh"
if has_define VALIAS; then echo "1..0 # SKIP aliases live in the SQL table: t_valias_sql.sh"; exit 0; fi
require_bins valias dotqmail2valias vadddomain vaddaliasdomain
OS=0; has_define ONCHANGE_SCRIPT && OS=1
BA=0; has_define ONCHANGE_SCRIPT_BEFORE_AND_AFTER && BA=1

USAGE_VALIAS='valias: usage: [options] email_address 
options: -v ( display the vpopmail version number )
         -n ( show alias names, use just domain )
         -s ( show aliases, can use just domain )
         -d ( delete alias )
         -i alias_line (insert alias line)

Example: valias -i fred@inter7.com bob@inter7.com
         (adds alias from bob@inter7.com to fred@inter7.com'
NODOM='invalid domain, not in qmail assign file'

# ------------------------------------------------------------ usage / version
sandbox_new
run valias
is_rc 255 "no operand: exit 255"
is_err "must supply alias email address" "no operand: message on stderr"
is_out "$USAGE_VALIAS" "no operand: usage on stdout"
run valias ""
is_rc 255 "empty operand: exit 255"
is_err "must supply alias email address" "empty operand: message"
run valias -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VALIAS" "-v alone: version then usage"
run valias -x a@example.com
is_rc 254 "unknown option: exit 254"
is_out "$USAGE_VALIAS" "unknown option: usage"
is_err "$top_builddir/valias: invalid option -- 'x'" "unknown option: getopt diagnostic"
run valias -i
is_rc 254 "-i without its argument: exit 254"
is_out "$USAGE_VALIAS" "-i without its argument: usage"

# ------------------------------------------------------------ insert
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
run valias -i fred@example.org bob@example.com
is_rc 0 "-i: exit 0"
is_out "" "-i: silent stdout"
is_err "" "-i: silent stderr"
file_is "$DD/.qmail-bob" $'fred@example.org\n' "-i: .qmail-bob holds the line"
file_mode "$DD/.qmail-bob" 0600 "-i: mode 0600"
is "$(owner_of "$DD/.qmail-bob")" "$UIDGID" "-i: domain owner"
run valias -i '|/usr/bin/true' bob@example.com
is_rc 0 "-i second line: exit 0"
file_is "$DD/.qmail-bob" $'fred@example.org\n|/usr/bin/true\n' "-i: second line appended"
run valias -v -i x@y.org BOB@Example.COM
is_rc 0 "-v -i with a mixed-case address: exit 0"
is_out "version: $VERSION" "-v -i: version printed"
file_is "$DD/.qmail-bob" $'fred@example.org\n|/usr/bin/true\nx@y.org\n' "mixed case: same (lower-case) alias"
run valias -i ./Maildir/ first.last@example.com
is_rc 0 "-i dotted alias: exit 0"
file_is "$DD/.qmail-first:last" $'./Maildir/\n' "dotted alias stored as .qmail-first:last"
file_absent "$DD/.qmail-first.last" "no .qmail-first.last"

snap=$(snapshot)
run valias -i fred@example.org bob@example.com
is_rc 255 "duplicate line: exit 255"
is_err "Error: alias bob@example.com -> fred@example.org already exists." "duplicate line: message"
is_out "" "duplicate line: nothing on stdout"
unchanged "$snap" "duplicate line: no file changed"

L159=$(printf 'a%.0s' $(seq 1 147))@example.org
L160=${L159}x
is "${#L159}" 159 "159-byte line built"
run valias -i "$L160" long@example.com
is_rc 224 "160-byte line: exit 224"
is_err "Error: alias line too long (max=160)" "160-byte line: message"
unchanged "$snap" "160-byte line: no file changed"
run valias -i $'a@b.org\nc@d.org' nl@example.com
is_rc 236 "line with a newline: exit 236"
is_err "Error: bad character" "line with a newline: message"
run valias -i $'a@b.org\r' nl@example.com
is_rc 236 "line with a carriage return: exit 236"
unchanged "$snap" "bad lines: no file changed"
run valias -i "$L159" long@example.com
is_rc 0 "159-byte line: accepted"
file_is "$DD/.qmail-long" "$L159"$'\n' "159-byte line stored"

printf 'old@example.org' > "$DD/.qmail-nonl"
run valias -i new@example.org nonl@example.com
is_rc 0 "append to a file without final newline: exit 0"
file_is "$DD/.qmail-nonl" $'old@example.org\nnew@example.org\n' "a newline is added before the new line"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"
file_absent "$DD/.qmail-bob.new" "no .new file"

snap=$(snapshot)
run valias -i a@b.org bob@nowhere.com
is_rc 255 "-i unknown domain: exit 255"
is_out "$NODOM" "-i unknown domain: message"
unchanged "$snap" "-i unknown domain: no file changed"
run valias -i a@b.org "bad user@example.com"
is_rc 255 "-i invalid alias: exit 255"
is_err "user invalid bad user
Error: Illegal username" "-i invalid alias: messages"
run valias -i a@b.org ".hidden@example.com"
is_rc 255 "-i alias with a leading dot: exit 255"
is_err "user invalid .hidden
Error: Illegal username" "-i leading dot: messages"
run valias -i a@b.org "x/../../y@example.com"
like "$RC" '^(245|255)$' "-i alias with '/': refused"
run valias -i a@b.org "$(printf 'u%.0s' $(seq 1 300))@example.com"
is_rc 231 "300-byte address: exit 231"
is_err "Error: user name too long (max=64)" "300-byte address: message"
unchanged "$snap" "invalid aliases: no file changed"

# ------------------------------------------------------------ show
run valias bob@example.com
is_rc 0 "show an alias: exit 0"
is_out "bob@example.com -> fred@example.org
bob@example.com -> |/usr/bin/true
bob@example.com -> x@y.org" "show an alias: one line per delivery line"
run valias -s first.last@example.com
is_rc 0 "-s dotted alias: exit 0"
is_out "first.last@example.com -> ./Maildir/" "-s dotted alias: shown with its dot"
run valias nobody@example.com
is_rc 255 "unknown alias: exit 255"
is_out "No aliases nobody@example.com found" "unknown alias: message"
run valias bob@nowhere.com
is_rc 255 "unknown domain: exit 255"
is_out "$NODOM
No aliases bob@nowhere.com found" "unknown domain: two lines"
run valias nowhere.com
is_rc 255 "unknown domain listing: exit 255"
is_out "$NODOM
No aliases found for domain nowhere.com" "unknown domain listing: two lines"

# Domain listing: sorted ignoring case, .qmail-default and ezmlm symlinks skipped.
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
printf 'z@example.org\n' > "$DD/.qmail-Zed"
printf 'a1@example.org\na2@example.org\n' > "$DD/.qmail-alpha"
: > "$DD/.qmail-empty"
printf 'b@example.org\n' > "$DD/.qmail-Beta"
printf 'o@example.org\n' > "$DD/.qmail-x-owner"
mkdir "$DD/list"
printf '|ezmlm-send\n' > "$DD/list/editor"
printf '|ezmlm-return\n' > "$DD/list/owner"
ln -s "$DD/list/editor" "$DD/.qmail-list"
ln -s "$DD/list/owner" "$DD/.qmail-list-owner"
ln -s "$DD/list/owner" "$DD/.qmail-list-default"
printf 'm@example.org\n' > "$DD/.qmail-m:n"
run valias example.com
is_rc 0 "domain listing: exit 0"
is_out "alpha@example.com -> a1@example.org
alpha@example.com -> a2@example.org
Beta@example.com -> b@example.org
list@example.com -> |ezmlm-send
m.n@example.com -> m@example.org
x-owner@example.com -> o@example.org
Zed@example.com -> z@example.org" "domain listing: order, selection, ':' shown as '.'"
run valias -s EXAMPLE.COM
is_rc 0 "domain listing, upper-case domain: exit 0"
is "$(printf '%s' "$OUT" | head -1)" "alpha@example.com -> a1@example.org" "upper-case domain: lower-cased"
run valias -n example.com
is_rc 0 "-n: exit 0"
is_out "alpha
Beta
empty
list
m.n
x-owner
Zed" "-n: names in order, empty alias included, ezmlm parts skipped"
run valias -n bob@example.com
is_rc 255 "-n with an address: exit 255"
is_err "Please enter domain name only." "-n with an address: message"
is_out "" "-n with an address: nothing on stdout"
run valias -n nowhere.com
is_rc 255 "-n unknown domain: exit 255"
is_out "$NODOM" "-n unknown domain: message"
run valias empty@example.com
is_rc 255 "empty alias: exit 255"
is_out "No aliases empty@example.com found" "empty alias: not found"

# Alias domains resolve to the real domain.
setup vaddaliasdomain example.com alias.net
run valias -i c@example.org carol@alias.net
is_rc 0 "-i through an alias domain: exit 0"
file_is "$DD/.qmail-carol" $'c@example.org\n' "alias domain: file in the real domain"
run valias carol@alias.net
is_out "carol@example.com -> c@example.org" "alias domain: the real domain is shown"
run valias -i c@example.org carol@alias.net
is_err "Error: alias carol@alias.net -> c@example.org already exists." "alias domain: duplicate names the operand"

# A domain without aliases.
sandbox_new
setup vadddomain empty.org Secret123
run valias empty.org
is_rc 255 "no aliases: exit 255"
is_out "No aliases found for domain empty.org" "no aliases: message"
run valias -n empty.org
is_rc 255 "-n no aliases: exit 255"
is_out "" "-n no aliases: silent"
is_err "" "-n no aliases: silent stderr"

# ------------------------------------------------------------ delete
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
setup valias -i a@b.org bob@example.com
setup valias -i a@b.org first.last@example.com
run valias -d bob@example.com
is_rc 0 "-d: exit 0"
is_out "" "-d: silent"
file_absent "$DD/.qmail-bob" "-d: file removed"
file_exists "$DD/.qmail-first:last" "-d: other alias kept"
file_exists "$DD/.qmail-default" "-d: .qmail-default kept"
run valias -d first.last@example.com
is_rc 0 "-d dotted alias: exit 0"
file_absent "$DD/.qmail-first:last" "-d dotted alias: file removed"
snap=$(snapshot)
run valias -d bob@example.com
is_rc 0 "-d missing alias: exit 0"
is_out "" "-d missing alias: silent"
run valias -d bob@nowhere.com
is_rc 0 "-d unknown domain: exit 0"
is_out "$NODOM" "-d unknown domain: message"
run valias -d "bad user@example.com"
is_rc 255 "-d invalid alias: exit 255"
is_err "user invalid bad user
Error: Illegal username" "-d invalid alias: messages"
unchanged "$snap" "failed deletes: no file changed"
is "$(leftovers "$VH" "$QH")" "" "no temporary files left"

# ------------------------------------------------------------ onchange
if [ "$OS" = 1 ] || [ "$BA" = 1 ]; then
	sandbox_new
	setup vadddomain example.com Secret123
	LOG=$SB/onchange.log
	cat > "$VH/etc/onchange" <<HOOK
#!/bin/sh
out="\$#:"
for a in "\$@"; do out="\$out \"\$a\""; done
printf '%s\n' "\$out" >> "$LOG"
HOOK
	chmod 0755 "$VH/etc/onchange"
	W=
	w() { W=${W:+$W$'\n'}"4: \"$1\" \"$2\" \"$3\" \"$4\""; }
	: > "$LOG"
	run valias -i 'fred@example.org' bob@example.com
	is_rc 0 "onchange -i: exit 0"
	W=
	[ "$BA" = 1 ] && w valias_insert bob@example.com fred@example.org before
	[ "$OS" = 1 ] && w valias_insert bob@example.com fred@example.org ""
	[ "$BA" = 1 ] && w valias_insert bob@example.com fred@example.org after
	is "$(cat "$LOG")" "$W" "onchange -i: valias_insert events"
	: > "$LOG"
	run valias -d bob@example.com
	is_rc 0 "onchange -d: exit 0"
	W=
	[ "$OS" = 1 ] && w valias_delete bob@example.com "" ""
	[ "$BA" = 1 ] && w valias_delete bob@example.com "" before
	[ "$OS" = 1 ] && w valias_delete bob@example.com "" ""
	[ "$BA" = 1 ] && w valias_delete bob@example.com "" after
	is "$(cat "$LOG")" "$W" "onchange -d: valias_delete events (twice in plain mode)"
	: > "$LOG"
	run valias -i 'fred@example.org' bob@nowhere.com
	run valias -i "$L160" bob@example.com
	run valias bob@example.com
	is "$(cat "$LOG")" "" "onchange: no event for failures and reads"
else
	skip "onchange not compiled in"
fi

# ------------------------------------------------------------ dotqmail2valias
sandbox_new
setup vadddomain example.com Secret123
snap=$(snapshot)
for args in "" "-a" "example.com"; do
	# shellcheck disable=SC2086
	run dotqmail2valias $args
	is_rc 255 "dotqmail2valias $args: exit 255"
	is_err "You must enable valiases (./configure --enable-valias) to use this program." \
		"dotqmail2valias $args: message on stderr"
	is_out "" "dotqmail2valias $args: nothing on stdout"
done
unchanged "$snap" "dotqmail2valias: no file changed"


# ------------------------------------------------------------ linked alias files
# An ezmlm list's .qmail-list is a link to its editor file: valias changes
# the file it points to, as 5.6 did, and the link stays.
sandbox_new
setup vadddomain example.com Secret123
DD=$D/example.com
mkdir -p "$DD/list"
printf '|ezmlm-send %s/list\n' "$DD" > "$DD/list/editor"
ln -s "$DD/list/editor" "$DD/.qmail-list"
run valias -i fred@other.org list@example.com
is_rc 0 "linked alias file: -i exit 0"
ok_cmd "linked alias file: the link stays a link" test -L "$DD/.qmail-list"
file_is "$DD/list/editor" "|ezmlm-send $DD/list
fred@other.org
" "linked alias file: the line is added to the file it points to"
file_mode "$DD/list/editor" 0600 "linked alias file: the target is 0600, as 5.6 left it"
is "$(leftovers "$SB"; find "$DD" -name '*.tmp*')" "" "linked alias file: no temporary file left"
# A link to a file of another owner is not written through.
if [ "$(id -u)" = 0 ]; then
	printf 'keep\n' > "$SB/foreign"
	chown 65534:65534 "$SB/foreign"
	ln -s "$SB/foreign" "$DD/.qmail-other"
	run valias -i x@other.org other@example.com
	is_rc 0 "link to another owner's file: exit 0"
	is "$(cat "$SB/foreign")" "keep" "link to another owner's file: that file is not written"
	ok_cmd "link to another owner's file: replaced by the domain's own file" test -f "$DD/.qmail-other" -a ! -L "$DD/.qmail-other"
else
	for i in 1 2 3; do skip "not root: cannot make a file of another owner"; done
fi

done_testing
