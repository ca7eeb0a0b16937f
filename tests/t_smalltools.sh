#!/bin/bash
# t_smalltools.sh - the small tools: vkill, vverifypw, vrcptcheck,
# vmakedotqmail, vsavealiasdomains, vdeloldusers, vipmap (spec
# storage-and-admin.md §8.14, §8.15, §8.19, §8.21-§8.24).  Branches that
# depend on configure options are checked for the options of this build.
. "$(dirname "$0")/lib.sh"
require_bins vkill vverifypw vrcptcheck vmakedotqmail vsavealiasdomains \
	vdeloldusers vipmap vadddomain vadduser vaddaliasdomain

USAGE_VKILL='vkill: usage: process
options: -v (print the version)'
USAGE_VVERIFYPW='vverifypw: usage: [options] [email_addr] [password] (or empty to read from terminal)
options: -h ( display usage )
options: -v ( display the vpopmail version number )
options: -e ( the password is already encrypted )'
USAGE_VDELOLDUSERS='vdeloldusers: usage: [options]
options: -a age_in_days (will delete accounts older than this date)
                        (default is 6 months or 180 days)
         -v (print version number and exit)
         -d [domain] (process only [domain])
         -e (process every domain)
         -D (actually delete users. no users are deleted without this option)
         -V (verbose -- print old users that will be deleted)'
USAGE_VIPMAP='vipmap: usage: [options] ip domain
options: -d delete mapping
         -a add mapping
         -p print mapping
         -v show version'
NO_IPMAP='IP aliases are not compiled into vpopmail
You will need to do the following steps
make distclean
./configure --enable-ip-alias-domains=y [your other options]
make
make install-strip'
RULE='=================================================================='

# ================================================================ vkill
sandbox_new
run vkill
is_rc 255 "vkill: no operand: exit 255"
is_out "$USAGE_VKILL" "vkill: no operand: usage"
run vkill -v
is_rc 255 "vkill -v alone: exit 255"
is_out "version: $VERSION
$USAGE_VKILL" "vkill -v alone: version then usage"
run vkill -x name
is_rc 255 "vkill bad option: exit 255"
is_out "$USAGE_VKILL" "vkill bad option: usage"
run vkill "$(printf 'x%.0s' $(seq 300))"
is_rc 255 "vkill with a 300-byte name: exit 255"
is_out "$USAGE_VKILL" "vkill with a 300-byte name: the usage (nothing cut, nothing killed)"
run vkill nothing-runs-this
is_rc 0 "vkill with no matching process: exit 0"
is_out "" "vkill: silent stdout"
is_err "" "vkill: silent stderr"

# A program named vpt-victim dies; a shell whose command line merely
# mentions the name survives (5.6 killed it too).
# Both are started by a throw-away shell, so this one reports no job status.
cp /bin/sleep "$SB/vpt-victim"
victim=$(sh -c '"$0" 300 </dev/null >/dev/null 2>&1 & echo $!' "$SB/vpt-victim")
decoy=$(sh -c 'sh -c "sleep 300; : vpt-victim" </dev/null >/dev/null 2>&1 & echo $!')
CLEANUP_PIDS="$victim $decoy"
# alive PID: running and not a zombie (the orphan is reaped by someone else).
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
for _ in $(seq 50); do
	[ "$(ps -o comm= -p "$victim" 2>/dev/null)" = vpt-victim ] && break
	sleep 0.1
done
VPOPMAIL_PS="ps axww" run vkill vpt-victim
is_rc 0 "vkill vpt-victim: exit 0"
is_out "" "vkill vpt-victim: silent"
gone=0
for _ in $(seq 50); do
	alive "$victim" || { gone=1; break; }
	sleep 0.1
done
is "$gone" 1 "vkill: the program is killed"
if alive "$decoy"; then pass "vkill: a command line mentioning the name is spared"
else fail "vkill: a command line mentioning the name is spared"; fi
kill "$victim" "$decoy" $(ps -o pid= --ppid "$decoy" 2>/dev/null) 2>/dev/null
CLEANUP_PIDS=

# ================================================================ vverifypw
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vaddaliasdomain example.com alias.net
DD=$D/example.com
run vverifypw -h
is_rc 0 "vverifypw -h: exit 0"
is_out "$USAGE_VVERIFYPW" "vverifypw -h: usage"
run vverifypw -x
is_rc 255 "vverifypw bad option: exit 255"
is_out "$USAGE_VVERIFYPW" "vverifypw bad option: usage"
snap=$(snapshot)
run vverifypw bob@example.com Passw0rd
is_rc 0 "right password: exit 0"
is_out "User authenticated." "right password: message"
is_err "" "right password: nothing on stderr"
run vverifypw BOB@Example.COM Passw0rd
is_rc 0 "mixed-case address: exit 0"
run vverifypw bob@alias.net Passw0rd
is_rc 0 "through an alias domain: exit 0"
run vverifypw -v bob@example.com Passw0rd
is_rc 0 "-v: exit 0"
is_out "version: $VERSION
User authenticated." "-v: version, then the check"
run vverifypw bob@example.com Wrong
is_rc 255 "wrong password: exit 255"
is_out "Error: authentication failed!" "wrong password: message"
run vverifypw nobody@example.com Passw0rd
is_rc 255 "unknown user: exit 255"
is_out "Error: authentication failed!" "unknown user: same message"
run vverifypw bob@nowhere.org Passw0rd
is_rc 255 "unknown domain: exit 255"
is_out "Error: authentication failed!" "unknown domain: same message"
hash=$(vpw_field "$DD" bob 2)
run vverifypw -e bob@example.com "$hash"
is_rc 0 "-e with the stored hash: exit 0"
is_out "User authenticated." "-e with the stored hash: message"
run vverifypw -e bob@example.com Passw0rd
is_rc 255 "-e with the clear password: exit 255"
is_out "Error: authentication failed!" "-e with the clear password: message"
run vverifypw -e bob@example.com "${hash}x"
is_rc 255 "-e with a longer string: exit 255"
run vverifypw -e bob@example.com "${hash%?}"
is_rc 255 "-e with a prefix of the hash: exit 255"
run vverifypw bob@example.com "$(printf 'x%.0s' $(seq 400))"
is_rc 255 "overlong password: exit 255"
is_out "Error: authentication failed!" "overlong password: failure message"
run_in $'Passw0rd\n' vverifypw bob@example.com
is_rc 0 "password from the prompt: exit 0"
is_out "User authenticated." "password from the prompt: message"
is_err_raw "Enter password: " "password prompt on stderr without a terminal"
run_in $'bob@example.com\nPassw0rd\n' vverifypw
is_rc 0 "address and password prompted: exit 0"
is_out_raw "Please enter the email address: User authenticated.
" "address prompt on stdout"
is_err_raw "Enter password: " "then the password prompt"
run_in $'bob@example.com\nWrong\n' vverifypw
is_rc 255 "prompted, wrong password: exit 255"
run_in '' vverifypw
is_rc 255 "no address at end of input: exit 255"
is_out_raw "Please enter the email address: 

" "no address: prompt and two newlines"
run_in 'bob@example.com' vverifypw
is_rc 255 "address without newline: exit 255"
is_out_raw "Please enter the email address: 
Error: email address too long
" "address without newline: 5.6 message"
unchanged "$snap" "vverifypw changes no file"

# ================================================================ vrcptcheck
sandbox_new
setup vadddomain example.com Secret123
setup vadduser bob@example.com Passw0rd
setup vaddaliasdomain example.com alias.net
DD=$D/example.com
printf '&someone@else.org\n' > "$DD/.qmail-fwd"
printf '&a@b.org\n' > "$DD/.qmail-first:last"
printf '&a@b.org\n' > "$DD/.qmail-default-x"
printf '|/usr/bin/ezmlm-reject %s/list\n|/usr/bin/ezmlm-send %s/list\n' "$DD" "$DD" > "$DD/.qmail-list"
printf '| /usr/bin/autorespond 10000 5 %s/AUTO/message %s/AUTO\n' "$DD" "$DD" > "$DD/.qmail-auto"
mkdir -p "$DD/HOLIDAY" && printf 'away\n' > "$DD/HOLIDAY/message"
mkdir -p "$QH/alias"
printf '&admin@example.com\n' > "$QH/alias/.qmail-root"
printf '&admin@example.com\n' > "$QH/alias/.qmail-owner-default"
snap=$(snapshot)
rcpt 'bob@example.com'
is_rc 0 "vrcptcheck: a user: exit 0"
is_out "" "vrcptcheck: silent stdout"
is_err "" "vrcptcheck: silent stderr"
rcpt 'Bob@EXAMPLE.com'
is_rc 0 "vrcptcheck: case does not matter"
rcpt 'postmaster@alias.net'
is_rc 0 "vrcptcheck: a user through an alias domain"
rcpt $'bob@example.com\n'
is_rc 0 "vrcptcheck: a trailing newline is ignored"
rcpt 'nobody@example.com'
is_rc 1 "vrcptcheck: unknown user: exit 1"
rcpt 'bob@nowhere.org'
is_rc 1 "vrcptcheck: unknown domain: exit 1"
rcpt 'fwd@example.com'
is_rc 0 "vrcptcheck: .qmail-fwd forward: exit 0"
rcpt 'default@example.com'
is_rc 1 "vrcptcheck: the domain's .qmail-default is not a forward"
rcpt 'default-x@example.com'
is_rc 0 "vrcptcheck: .qmail-default-x is an ordinary forward (qmail-local delivers default-x@ through it)"
rcpt 'default-y@example.com'
is_rc 1 "vrcptcheck: default-y@ without a .qmail-default-y: exit 1"
rcpt 'first.last@example.com'
is_rc 0 "vrcptcheck: dots map to ':' in .qmail names"
rcpt 'list@example.com'
is_rc 1 "vrcptcheck: an ezmlm list .qmail does not count"
rcpt 'auto@example.com'
is_rc 1 "vrcptcheck: an autorespond .qmail does not count"
rcpt 'holiday@example.com'
is_rc 0 "vrcptcheck: autoresponder directory HOLIDAY/message: exit 0"
rcpt 'root@example.com'
is_rc 0 "vrcptcheck: system alias .qmail-root: exit 0"
rcpt 'owner@example.com'
is_rc 0 "vrcptcheck: system alias .qmail-owner-default: exit 0"
printf '&admin@example.com\n' > "$QH/alias/.qmail-mail:admin"
rcpt 'mail.admin@example.com'
is_rc 0 "vrcptcheck: system alias with a '.': .qmail-mail:admin, exit 0"
rm -f "$QH/alias/.qmail-mail:admin"
rcpt 'bob'
is_rc 1 "vrcptcheck: no @: exit 1"
rcpt '@example.com'
is_rc 1 "vrcptcheck: empty user: exit 1"
rcpt 'bob@'
is_rc 1 "vrcptcheck: empty domain: exit 1"
rcpt '../example.com/fwd@example.com'
is_rc 1 "vrcptcheck: a path in the user part: exit 1"
rcpt ''
is_rc 111 "vrcptcheck: empty input: exit 111 (5.6 crashed)"
is_err "qmail-smtpd: Error while reading file descriptor in vrcptcheck" "vrcptcheck: empty input: message"
exec 3<&-
run vrcptcheck
is_rc 111 "vrcptcheck: fd 3 not open: exit 111"
is_err "qmail-smtpd: Error while reading file descriptor in vrcptcheck" "vrcptcheck: read error message"
unchanged "$snap" "vrcptcheck changes no file"
# A user database that cannot answer is a temporary failure: exit 1 would
# make qmail-smtpd refuse real recipients for good.
if [ "$SQL" = 1 ]; then
	cp "$VH/etc/vpopmail.mysql" "$T0/mysql.saved"
	printf 'localhost|%s/none.sock|root||vpt_none\n' "$T0" > "$VH/etc/vpopmail.mysql"
else
	cp "$D/example.com/vpasswd.cdb" "$T0/cdb.saved"
	printf 'torn' > "$D/example.com/vpasswd.cdb"    # not older than vpasswd: not rebuilt
fi
rcpt 'bob@example.com'
is_rc 111 "vrcptcheck: user database cannot answer: exit 111"
is_err "vrcptcheck: cannot read the user database" "vrcptcheck: user database cannot answer: message"
if [ "$SQL" = 1 ]; then
	cp "$T0/mysql.saved" "$VH/etc/vpopmail.mysql"
else
	cp "$T0/cdb.saved" "$D/example.com/vpasswd.cdb"; touch "$D/example.com/vpasswd.cdb"
fi
rcpt 'bob@example.com'
is_rc 0 "vrcptcheck: database back: exit 0"
# ... and so is a users/cdb that cannot be read (torn, or gone)
cp "$QH/users/$USERS_CDB_NAME" "$T0/users.cdb.saved"
printf 'torn' > "$QH/users/$USERS_CDB_NAME"
rcpt 'bob@example.com'
is_rc 111 "vrcptcheck: users/cdb torn: exit 111"
rm -f "$QH/users/$USERS_CDB_NAME"
rcpt 'bob@example.com'
is_rc 111 "vrcptcheck: users/cdb missing: exit 111"
cp "$T0/users.cdb.saved" "$QH/users/$USERS_CDB_NAME"
rcpt 'bob@example.com'
is_rc 0 "vrcptcheck: users/cdb back: exit 0"
rcpt 'bob@nowhere.org'
is_rc 1 "vrcptcheck: users/cdb back: an unknown domain is still exit 1"

# ================================================================ vsavealiasdomains
sandbox_new
# (With --enable-sql-aliasdomains the program works: see t_mysql.sh.)
has_define SQL_ALIASDOMAINS ||
for args in "" "-A" "example.com alias.net"; do
	# shellcheck disable=SC2086
	run vsavealiasdomains $args
	is_rc 255 "vsavealiasdomains $args: exit 255"
	is_out_raw "
Please use option --enable-sql-aliasdomains at configure time

" "vsavealiasdomains $args: cdb build message"
done

# ================================================================ vmakedotqmail
if ! has_define DEFAULT_DELIVERY; then
	sandbox_new
	for args in "" "-A" "-u bob@example.com"; do
		# shellcheck disable=SC2086
		run vmakedotqmail $args
		is_rc 255 "vmakedotqmail $args: exit 255"
		is_out_raw "
Please use option --enable-defaultdelivery at configure time

" "vmakedotqmail $args: not-enabled message"
	done
else
	sandbox_new
	setup vadddomain example.com Secret123
	setup vadduser bob@example.com Passw0rd
	setup vaddaliasdomain example.com alias.net
	DD=$D/example.com
	run vmakedotqmail
	is_rc 255 "vmakedotqmail no option: exit 255"
	like "$OUT" "^
Usage: vmakedotqmail \[option\] \[argument\]" "vmakedotqmail no option: usage"
	run vmakedotqmail -q default
	is_rc 255 "-q without -d/-A: exit 255"
	like "$OUT" "^If using -q, always pass argument -d <domain> or -A \(all\)
" "-q without -d/-A: message"
	run vmakedotqmail -u bob@example.com
	is_rc 255 "no control/defaultdelivery: exit 255"
	is_out_raw "
ERROR: Missing $QH/control/defaultdelivery file.
To create a $QH/control/defaultdelivery type:
echo \"| $VH/bin/vdelivermail '' delete\" > $QH/control/defaultdelivery

" "no control/defaultdelivery: how to create it"
	printf '| /usr/bin/maildrop\n' > "$QH/control/defaultdelivery"
	run vmakedotqmail -t -u bob@example.com
	is_rc 0 "-t -u: exit 0"
	is_out "**TESTING** bob@example.com DONE" "-t -u: testing line"
	file_absent "$DD/bob/.qmail" "-t writes nothing"
	run vmakedotqmail -u bob@example.com
	is_rc 0 "-u: exit 0"
	is_out "bob@example.com DONE" "-u: DONE"
	file_is "$DD/bob/.qmail" '| /usr/bin/maildrop
' "-u: .qmail is control/defaultdelivery"
	file_mode "$DD/bob/.qmail" 0600 "-u: .qmail 0600"
	run vmakedotqmail -u bob@example.com
	is_out "bob@example.com SKIP (.qmail already exists)" "existing .qmail skipped"
	run vmakedotqmail -o -u bob@example.com
	is_out "bob@example.com DONE (existing .qmail overwritten)" "-o overwrites"
	# The new .qmail is given to the owner of the user's directory before
	# it replaces the old one: if that fails, the old one stays (before,
	# the new one was in place, left to root, and the answer was DONE).
	if [ "$(id -u)" = 0 ] && strace_ok; then
		printf '| /usr/bin/other\n' > "$QH/control/defaultdelivery"
		VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=lchown -e inject=lchown:error=EPERM" \
			run vmakedotqmail -o -u bob@example.com
		is_rc 237 "-o, the chown fails: exit 237"
		is_out "Could not open $DD/bob/.qmail" "... could not open"
		file_is "$DD/bob/.qmail" '| /usr/bin/maildrop
' "... the old .qmail stays"
		is "$(leftovers "$VH" "$QH")" "" "... no temporary file left"
		printf '| /usr/bin/maildrop\n' > "$QH/control/defaultdelivery"
	else
		for i in 1 2 3 4; do skip "chown failure: needs root and strace"; done
	fi
	run vmakedotqmail -u nobody@example.com
	is_rc 255 "unknown user: exit 255"
	is_out "no such user nobody@example.com" "unknown user: message"
	run vmakedotqmail -d example.com
	is_rc 0 "-d: exit 0"
	is_out "$RULE
Domain: example.com

bob@example.com SKIP (.qmail already exists)
postmaster@example.com DONE
$RULE
" "-d: every user, framed"
	run vmakedotqmail -r -d example.com
	is_out "$RULE
Domain: example.com

bob@example.com REMOVED existing .qmail
postmaster@example.com REMOVED existing .qmail
$RULE
" "-r -d: removed"
	file_absent "$DD/bob/.qmail" "-r: bob's .qmail gone"
	run vmakedotqmail -d nowhere.org
	is_rc 255 "-d unknown domain: exit 255"
	is_out "$RULE
Domain: nowhere.org

Error: Domain nowhere.org does not exist
" "-d unknown domain: message"
	# -d with an alias: the lookups write its real domain's name, here
	# 40 bytes, over the argument; the argv string (5 bytes) and the
	# environment after it in memory must stay whole.
	long=$(printf 'r%.0s' $(seq 1 36)).com
	setup vadddomain "$long" Secret123
	setup vaddaliasdomain "$long" a.io
	# (VPOPMAIL_QMAILDIR first: its string follows the argument's)
	(env -i VPOPMAIL_QMAILDIR="$QH" VPOPMAIL_HOME="$VH" VPOPMAIL_UID="$VPOPMAIL_UID" \
		VPOPMAIL_GID="$VPOPMAIL_GID" VPOPMAIL_PS=/bin/false \
		"$top_builddir/vmakedotqmail" -t -d a.io > "$T0/mk.out" 2>&1) 2>/dev/null
	is "$?" 0 "-d an alias of a longer domain: exit 0"
	like "$(cat "$T0/mk.out")" "\*\*TESTING\*\* postmaster@$long " "  its users listed under the real domain"
	setup vdeldomain "$long"
	run vmakedotqmail -A -q default
	is_rc 0 "-A -q default: exit 0"
	like "$OUT" "SKIP domain: alias.net \(alias of example.com\)" "-A: alias domains skipped"
	like "$OUT" "example.com: rewriting .qmail-default: \"\| $VH/bin/vdelivermail '' delete\": DONE" "-A -q default: rewritten"
	file_is "$DD/.qmail-default" "| $VH/bin/vdelivermail '' delete
" "-q default: .qmail-default content"
	snap=$(snapshot)
	run vmakedotqmail -d example.com -q "|$(printf 'x%.0s' $(seq 300))"
	is_rc 255 "-q with a 301-byte instruction: exit 255"
	is_out "Error: -q instruction too long (max=299)" "-q too long: says so (not 'Domain does not exist')"
	unchanged "$snap" "-q too long: no file changed"
	if [ "$(id -u)" = 0 ]; then
		# qmail-local runs as the domain's uid and must still read it.
		setup vadddomain -i 4321 -g 4322 own.org Secret123
		for q in default '|/usr/bin/true'; do
			run vmakedotqmail -d own.org -q "$q"
			is "$(owner_of "$D/own.org/.qmail-default") $(mode_of "$D/own.org/.qmail-default")" "4321:4322 0600" \
				"-q $q: .qmail-default stays the domain's (uid 4321), mode 0600"
		done
		# so is a user's .qmail: vdelivermail reads it as the domain's uid
		setup vadduser ann@own.org Passw0rd
		run vmakedotqmail -d own.org
		is "$(owner_of "$D/own.org/ann/.qmail") $(mode_of "$D/own.org/ann/.qmail")" "4321:4322 0600" \
			"-d: a user's .qmail is the domain's (uid 4321), mode 0600"
	else
		skip "ownership needs root"; skip "ownership needs root"; skip "ownership needs root"
	fi
	printf '| %s/bin/vdelivermail %s delete\n' "$VH" "''" > "$QH/control/defaultdelivery"
	run vmakedotqmail -u bob@example.com
	is_out "bob@example.com SKIP (control/defaultdelivery already has vdelivermail)" "vdelivermail in defaultdelivery: skipped"
	file_absent "$DD/bob/.qmail" "vdelivermail loop avoided"
fi

# ================================================================ vdeloldusers
if [ "$AUTHLOG" = 0 ]; then
	sandbox_new
	for args in "" "-e" "-d example.com -D"; do
		# shellcheck disable=SC2086
		run vdeloldusers $args
		is_rc 255 "vdeloldusers $args: exit 255"
		is_out "auth logging was not enabled, reconfigure with --enable-auth-logging=y" \
			"vdeloldusers $args: auth logging message"
	done
else
	sandbox_new
	run vdeloldusers
	is_rc 255 "vdeloldusers: no arguments: exit 255"
	is_out "$USAGE_VDELOLDUSERS" "vdeloldusers: no arguments: usage"
	run vdeloldusers -v -e
	is_rc 255 "vdeloldusers -v: exit 255"
	is_out "version: $VERSION" "vdeloldusers -v: version only"
	run vdeloldusers -V
	is_rc 255 "neither -e nor -d: exit 255"
	is_out "error: you must supply either the -e or -d [domain] options" "neither -e nor -d: message"
	run vdeloldusers -e
	is_rc 255 "-e without users/assign: exit 255"
	is_out "Can't get domain entries - can't read users/assign file" "-e without users/assign: 5.6's message"
	: > "$QH/users/assign"
	run vdeloldusers -V -e
	is_rc 0 "-e with an empty users/assign: exit 0"
	is_out "What now - Success" "-e with an empty users/assign: 5.6's message, no summary"
	rm -f "$QH/users/assign"

	setup vadddomain example.com Secret123
	setup vadduser bob@example.com Passw0rd
	setup vadduser carol@example.com Passw0rd
	setup vadduser dave@example.com Passw0rd
	setup vadddomain other.org Secret123
	setup vadduser erin@other.org Passw0rd
	DD=$D/example.com
	touch -d '200 days ago' "$DD/bob/lastauth" "$DD/postmaster/lastauth" "$D/other.org/erin/lastauth"
	touch -d '100 days ago' "$DD/carol/lastauth"
	rm -f "$DD/dave/lastauth"
	snap=$(snapshot)
	run vdeloldusers -d example.com
	is_rc 0 "-d: exit 0"
	cdb_next
	is_out " ** no users were deleted  **
 ** use -D to delete users **" "-d without -D: nothing deleted, 5.6 notice"
	run vdeloldusers -V -d example.com
	cdb_next
	is_out "bob@example.com
skipping postmaster@example.com
 ** no users were deleted  **
 ** use -D to delete users **" "-V: postmaster skipped, old user listed"
	run vdeloldusers -V -a 90 -d example.com
	cdb_next
	is_out "bob@example.com
carol@example.com
skipping postmaster@example.com
 ** no users were deleted  **
 ** use -D to delete users **" "-a 90: carol is old too; dave never logged in"
	run vdeloldusers -a 300 -d example.com
	is_rc 0 "-a 300: exit 0"
	is_out "no old users found" "-a 300: no old users"
	run vdeloldusers -D -a 30000 -d example.com
	is_rc 0 "-a 30000 -D: exit 0"
	is_out "no old users found" "-a 30000 (past 5.6's int overflow): no old users, nobody deleted"
	run vdeloldusers -d nowhere.org
	is_rc 0 "unknown domain: exit 0"
	is_out "no old users found" "unknown domain: no old users"
	unchanged "$snap" "without -D nothing changes"
	run vdeloldusers -V -e
	cdb_next
	is_out "bob@example.com
skipping postmaster@example.com
erin@other.org
skipping postmaster@other.org
 ** no users were deleted  **
 ** use -D to delete users **" "-e: every domain"
	run vdeloldusers -V -d other.org -e
	cdb_next
	is_out "erin@other.org
skipping postmaster@other.org
 ** no users were deleted  **
 ** use -D to delete users **" "-d before -e: only that domain's entries"
	run vdeloldusers -V -d nowhere.org -e
	is_rc 0 "-d unknown -e: exit 0"
	is_out "What now - Success" "-d unknown -e: no entries, 5.6's message"
	onchange_logger
	run vdeloldusers -D -d example.com
	is_rc 0 "-D: exit 0"
	if has_define ONCHANGE_SCRIPT; then
		cdb_next
		file_is "$SB/onchange.log" "del_user|bob@example.com|-|
" "-D: one del_user event for the deleted user (through vdeluser())"
		rm -f "$VH/etc/onchange" "$SB/onchange.log"
	else
		skip "onchange not compiled in"
	fi
	cdb_next
	is_out "" "-D: silent"
	cdb_next
	is "$(vpw_count "$DD" bob)" 0 "-D: bob removed from vpasswd"
	cdb_next
	file_absent "$DD/bob" "-D: bob's directory removed"
	is "$(vpw_count "$DD" carol)$(vpw_count "$DD" dave)$(vpw_count "$DD" postmaster)" 111 "-D: carol, dave, postmaster kept"
	is "$(vpw_count "$D/other.org" erin)" 1 "-D -d: other domains untouched"
	setup vaddaliasdomain other.org alias.net
	run vdeloldusers -V -D -e
	is_rc 0 "-D -e: exit 0"
	cdb_next
	is_out "erin@other.org
skipping postmaster@other.org
skipping postmaster@example.com
skipping postmaster@other.org" "-D -e: every assign entry (sorted), an alias line walks its real domain"
	cdb_next
	is "$(vpw_count "$D/other.org" erin)" 0 "-D -e: erin removed"
	run vdeloldusers -V -d ALIAS.NET
	is_rc 0 "-d of an alias domain in capitals: exit 0"
	is_out "skipping postmaster@other.org
no old users found" "-d of an alias domain in capitals: the real domain's name, as in 5.6"

	# Each old user is looked at again just before its deletion: one who
	# logged in since the walk listed it (gina), or was deleted and added
	# anew (hank), is kept.  vdeloldusers is stopped by strace as it
	# starts to delete the first (frank).
	# last_login DAYS USER...: the users' last login DAYS days ago (in the
	# lastauth files, or the lastauth table of a SQL build).
	last_login() {
		local days=$1 u
		shift
		for u in "$@"; do
			if [ "$SQL" = 1 ]; then
				sql_db "$DD" "UPDATE lastauth SET timestamp = UNIX_TIMESTAMP() - $days * 86400
				              WHERE user = '$u' AND domain = 'example.com'"
			else
				touch -d "$days days ago" "$DD/$u/lastauth"
			fi
		done
	}
	if strace_ok; then
		for u in frank gina hank; do setup vadduser "$u@example.com" Passw0rd; done
		last_login 200 frank gina hank
		stop_at old "$DD/.userdir.lock" "$top_builddir/vdeloldusers" -D -d example.com
		last_login 0 gina
		setup vdeluser hank@example.com
		setup vadduser hank@example.com Passw0rd
		kill -CONT "$SPID" 2>/dev/null
		wait "$TPID"
		is "$(cat "$SB/old.rc")" 0 "users changed during vdeloldusers -D: exit 0"
		is "$(vpw_count "$DD" frank)" 0 "  the old user is deleted"
		is "$(vpw_count "$DD" gina)" 1 "  one who logged in meanwhile is kept"
		is "$(vpw_count "$DD" hank)" 1 "  one deleted and added anew meanwhile is kept"
	else
		skip_no_strace "users changed during vdeloldusers -D" "exit 0" "old deleted" "login kept" "re-added kept"
	fi
fi

# ================================================================ vipmap
sandbox_new
run vipmap
is_rc 255 "vipmap: no arguments: exit 255"
is_out "$USAGE_VIPMAP" "vipmap: no arguments: usage"
run vipmap -a 10.0.0.1
is_rc 255 "vipmap -a with one operand: exit 255"
is_out "$USAGE_VIPMAP" "vipmap -a with one operand: usage"
run vipmap -d
is_rc 255 "vipmap -d without operands: exit 255"
is_out "$USAGE_VIPMAP" "vipmap -d without operands: usage"
MAP=$VH/etc/ip_alias_map
if ! has_define IP_ALIAS_DOMAINS; then
	run vipmap -p
	is_rc 0 "vipmap -p without IP alias support: exit 0"
	is_out "$NO_IPMAP" "vipmap -p: not compiled in"
	run vipmap -a 10.0.0.1 example.com
	is_rc 0 "vipmap -a without IP alias support: exit 0"
	is_out "$NO_IPMAP" "vipmap -a: not compiled in"
	file_absent "$MAP" "vipmap -a: no map written"
else
	# The map in the file's format: the file, or (mysql) the
	# ip_alias_map table's rows in key order.
	map_text() {
		if [ "$SQL" = 1 ]; then sql_db "$VH/$DOMAINS_DIRNAME/-" "SELECT CONCAT(ip_addr, ' ', domain) FROM ip_alias_map ORDER BY ip_addr"
		elif [ -e "$MAP" ]; then cat "$MAP"; fi
	}
	# map_is WANT-FILE WANT-SQL DESC: the backends keep different orders.
	map_is() { local w=$1; [ "$SQL" = 1 ] && w=$2; is "$(map_text)" "${w%$'\n'}" "$3"; }
	run vipmap -p
	is_rc 0 "-p without a map: exit 0"
	is_out "" "-p without a map: nothing"
	run vipmap -a 10.0.0.1 example.com
	is_rc 0 "-a: exit 0"
	is_out "" "-a: silent"
	if [ "$SQL" = 1 ]; then
		file_absent "$MAP" "mysql: no map file"
		is "$(sql_db "$VH/$DOMAINS_DIRNAME/-" "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY
			FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
			AND TABLE_NAME = 'ip_alias_map' ORDER BY ORDINAL_POSITION")" \
			"$(printf 'ip_addr\tvarchar(39)\tNO\tPRI\ndomain\tvarchar(96)\tYES\t')" \
			"mysql: ip_alias_map made on first use, 5.6's layout"
		is "$(map_text)" "10.0.0.1 example.com" "-a: the row is in the table"
	else
		file_is "$MAP" '10.0.0.1 example.com
' "-a: pair written"
		file_mode "$MAP" 0644 "map 0644"
	fi
	setup vipmap -a 10.0.0.2 other.org
	setup vipmap -a 10.0.0.1 example.com
	map_is '10.0.0.2 other.org
10.0.0.1 example.com' '10.0.0.1 example.com
10.0.0.2 other.org' "-a of an existing pair: kept once (the file moves it to the end)"
	PAIRS='10.0.0.2 other.org
10.0.0.1 example.com'
	[ "$SQL" = 1 ] && PAIRS='10.0.0.1 example.com
10.0.0.2 other.org'
	run vipmap -p
	is_out "$PAIRS" "-p prints every pair"
	setup vadddomain example.com Secret123
	TCPLOCALIP=10.0.0.1 run vverifypw postmaster Secret123
	is_rc 0 "the map gives the default domain for the local IP"
	TCPLOCALIP=10.0.0.9 run vverifypw postmaster Secret123
	is_rc 255 "an unmapped local IP gives no default domain"
	run vipmap -v
	is_rc 0 "-v: exit 0"
	is_out "version: $VERSION
$PAIRS" "-v: version, then the map"
	# A second domain for one IP: the file keeps both lines and the first
	# wins; the table's key is the IP, so the new pair replaces the old one.
	setup vadddomain second.org Secret123
	setup vipmap -a 10.0.0.1 second.org
	map_is '10.0.0.2 other.org
10.0.0.1 example.com
10.0.0.1 second.org' '10.0.0.1 second.org
10.0.0.2 other.org' "-a of a second domain for an IP"
	TCPLOCALIP=10.0.0.1 run vverifypw postmaster Secret123
	is_rc 0 "the IP's domain after that: postmaster logs in"
	if [ "$SQL" = 1 ]; then
		TCPLOCALIP=10.0.0.1 run vverifypw postmaster@second.org Secret123
		is_rc 0 "mysql: the IP now maps to the second domain"
	fi
	setup vipmap -d 10.0.0.1 second.org
	[ "$SQL" = 1 ] && setup vipmap -a 10.0.0.1 example.com
	[ "$SQL" = 0 ] && printf 'junk\n' >> "$MAP"
	run vipmap -d 10.0.0.2 other.org
	is_rc 0 "-d: exit 0"
	map_is '10.0.0.1 example.com
junk' '10.0.0.1 example.com' "-d removes the pair, keeps other lines"
	snap=$(snapshot) before=$(map_text)
	run vipmap -d 10.9.9.9 nowhere.org
	is_rc 0 "-d of a missing pair: exit 0"
	unchanged "$snap" "-d of a missing pair: no file changed"
	is "$(map_text)" "$before" "-d of a missing pair: map untouched"
	run vipmap -d 10.0.0.1 other.org
	is "$(map_text)" "$before" "-d of the IP with another domain: map untouched"
	run vipmap -a '10.0.0.3 x' example.com
	is_rc 0 "-a with a blank in the IP: exit 0 (result ignored)"
	unchanged "$snap" "-a with a blank in the IP: no file changed"
	is "$(map_text)" "$before" "-a with a blank in the IP: map untouched"
	run vipmap -a 10.0.0.3 $'ex\nample.com'
	is "$(map_text)" "$before" "-a with a newline in the domain: map untouched"
	run vipmap -a "$(printf '1%.0s' $(seq 300))" example.com
	is_rc 217 "-a with a 300-byte IP: exit 217 (VA_INVALID_IP_ADDRESS)"
	is_out "Error: Unknown error" "-a with a 300-byte IP: 5.6's text for that code"
	unchanged "$snap" "-a with a 300-byte IP: no file changed"
	if [ "$SQL" = 1 ]; then
		# Refused rather than cut to fit the ip_addr VARCHAR(39) column.
		run vipmap -a 1111:2222:3333:4444:5555:6666:7777:8888:9 example.com
		is "$(map_text)" "$before" "mysql: an IP longer than the column is refused"
		setup vipmap -a "10.0.0.4" "o'neil.org"
		is "$(sql_db "$VH/$DOMAINS_DIRNAME/-" "SELECT domain FROM ip_alias_map WHERE ip_addr = '10.0.0.4'")" "o'neil.org" \
			"mysql: a quote in the domain is stored as it is"
		setup vipmap -d "10.0.0.4" "o'neil.org"
		is "$(map_text)" "$before" "mysql: and removed again"
	fi
	run vipmap
	is "$(leftovers "$VH")" "" "vipmap leaves no temporary files"
fi

done_testing
