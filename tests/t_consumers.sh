#!/bin/bash
# t_consumers.sh - the programs written against vpopmail 5.6 (qmailadmin
# 1.2.x, vqadmin, Dovecot's vpopmail passdb/userdb, courier's authvchkpw,
# cvm-vchkpw, chkuser) build from the installed tree alone and get what they expect:
# tests/consumers.c names every function, constant and field they use, and
# replays their call sequences against a sandbox.
. "$(dirname "$0")/lib.sh"

require_installable
if ! make -C "$top_builddir" install DESTDIR="$DEST" > "$T0/install.log" 2>&1; then
	fail "make install DESTDIR=..."
	tail -n 15 "$T0/install.log" | sed 's/^/#   /'
	done_testing
fi
inc=$(sed "s|-I/|-I$DEST/|g" "$P/etc/inc_deps")
lib=$(sed "s|-L/|-L$DEST/|g" "$P/etc/lib_deps")
SRC=$top_srcdir/tests/consumers.c
C=$T0/consumers

# ------------------------------------------------------------ building
# shellcheck disable=SC2086
if $CC -std=c17 -Wall -Wextra -Werror $inc "$SRC" $lib ${VP_TEST_LDFLAGS:-} -o "$C" > "$T0/cc.log" 2>&1; then
	pass "every call, constant and field of the consumers builds with -Wall -Wextra -Werror, prototypes as they call them"
else
	fail "every call, constant and field of the consumers builds with -Wall -Wextra -Werror, prototypes as they call them"
	sed -n '1,20p' "$T0/cc.log" | sed 's/^/#   /'
	done_testing
fi
# shellcheck disable=SC2086
ok_cmd "... and as GNU C89, the dialect of the old consumers' builds" \
	$CC -std=gnu89 -Wall -Werror -fsyntax-only $inc "$SRC"

# The orders in which they include the headers: vauth.h alone or first
# (cvm-vchkpw, greylisting tools), vpopmail_config.h first (qmailadmin,
# courier), and qmailadmin's own config.h first with PACKAGE & co. undone.
printf '#define PACKAGE "qmailadmin"\n#define VERSION "1.2.16"\n#define QMAILDIR "/var/qmail"\n' > "$T0/config.h"
n=0
for order in "vauth.h" "vauth.h vpopmail.h" "vpopmail_config.h vauth.h vpopmail.h" \
	"vlimits.h" "storage.h" "config.h undef vpopmail.h vpopmail_config.h vauth.h vlimits.h"; do
	n=$((n + 1))
	{
		for h in $order; do
			case $h in
			undef) printf '#undef PACKAGE\n#undef VERSION\n#undef QMAILDIR\n';;
			config.h) printf '#include "config.h"\n';;
			*) printf '#include <%s>\n' "$h";;
			esac
		done
		printf 'int main(void) { return 0; }\n'
	} > "$T0/order$n.c"
	# shellcheck disable=SC2086
	ok_cmd "headers included in the order: $order" \
		$CC -std=c17 -Wall -Wextra -Werror -I"$T0" $inc -fsyntax-only "$T0/order$n.c"
done

# qmailadmin defines its own str_replace() and file_exists() (the names of
# vutil.h): linking the archive must not bring in a second definition.
cat > "$T0/own.c" <<'EOF'
void str_replace(char *s, char orig, char repl);
int file_exists(char *filename);
void str_replace(char *s, char orig, char repl) { for (; *s != '\0'; s++) if (*s == orig) *s = repl; }
int file_exists(char *filename) { return filename != 0; }
EOF
# shellcheck disable=SC2086
ok_cmd "a program with its own str_replace() and file_exists() links the archive" \
	$CC -std=c17 -Wall -Wextra -Werror $inc "$SRC" "$T0/own.c" $lib ${VP_TEST_LDFLAGS:-} -o "$T0/consumers-own"

run "$C" link
is "$RC:$OUT" "0:functions 54
vqpasswd 6 0 0
vlimits 0 0 0
vdir 0
flags 0x1 0x2 0x4 0x8 0x10 0x20 0x40 0x80 0x100 0x200 0x400 0x800 0x1000 0x2000 0x4000 0x8000 0x40000
codes 0 -10 -11 0 1
sizes 300 512 96 77
config 1 1 1
ids 1 1
null 0.0.0.0
default domain set
" "5.6's values of the flags, codes and sizes the consumers test"

# ------------------------------------------------------------ a sandbox
sandbox_new
require_bins vadddomain vadduser vaddaliasdomain vmkpasswd
setup vadddomain example.com Secret123
setup vaddaliasdomain alias.example example.com
setup vadduser -c "Bob Smith" -q 5M bob@example.com Passw0rd
setup vadduser -c Carol carol@example.com Carol123
setup vadduser -c Dave dave@example.com Dave1234
DD=$D/example.com
IDS="uid=$VPOPMAIL_UID gid=$VPOPMAIL_GID"

# ------------------------------------------------------------ Dovecot
run "$C" dovecot Bob@Alias.Example Passw0rd IMAP
is "$RC:$OUT" "0:user=bob domain=example.com $IDS home=$DD/bob quota=5242880S
hash intact
" "Dovecot: alias domain and capitals, uid/gid from vget_assign(), home, quota"
if [ "$SQL" = 1 ] || [ "$AUTHLOG" = 0 ]; then
	skip "no lastauth file (mysql backend, or no auth logging)"
else
	file_is "$DD/bob/lastauth" "IMAP" "Dovecot: vset_lastauth() records the service name it passes"
fi
run "$C" dovecot bob@example.com wrong IMAP
is "$RC:$OUT" "5:password mismatch
" "Dovecot: a wrong password does not match the hash handed out"
run "$C" dovecot nobody@example.com x IMAP
is "$RC:$OUT" "1:unknown user
" "Dovecot: vauth_getpw() of an unknown user is NULL"
run "$C" dovecot bob@nosuch.example x IMAP
is "$RC:$OUT" "1:unknown user
" "Dovecot: vauth_getpw() in an unknown domain is NULL"

# ------------------------------------------------------------ courier, cvm
run "$C" courier bob@alias.example Passw0rd imap
is "$RC:$OUT" "0:bob@example.com $IDS home=$DD/bob name=Bob Smith
" "courier: parse_email(), vget_assign() rewrites the alias, the record after vset_lastauth()"
run "$C" courier bob@nosuch.example Passw0rd imap
is "$RC:$OUT" "1:no such domain
" "courier: vget_assign() of an unknown domain is NULL"
run "$C" cvm bob example.com Passw0rd
is "$RC:$OUT" "0:bob Bob Smith $DD/bob 5242880S
" "cvm-vchkpw: the record stays valid across vauth_crypt() and vget_assign()"
run "$C" cvm bob example.com wrong
is "$RC:$OUT" "5:password mismatch
" "cvm-vchkpw: vauth_crypt() refuses a wrong password"
run "$C" chpass carol alias.example Carol123 NewPass99
is "$RC:$OUT" "0:vpasswd 0
old refused new accepted
" "courier's password change: vget_assign() with NULL uid/gid, vpasswd(), vauth_user()"

# ------------------------------------------------------------ qmailadmin
run "$C" qa-admin bob example.com
is "$OUT" "user admin
" "qmailadmin: an ordinary user"
run "$C" qa-admin postmaster alias.example
is "$OUT" "domain admin
" "qmailadmin: postmaster is a domain admin"
run "$C" qa-moduser bob example.com Robert 1010
is "$RC:$OUT" "0:vauth_setpw 0
gid 0x280 gecos Robert 1 0 1 0
" "qmailadmin: V_USER flags set in pw_gid and a gecos in the caller's buffer are stored"
cdb_next
is "$(grep '^bob:' "$DD/vpasswd" 2>/dev/null | cut -d: -f4,5)" "640:Robert" "... into the vpasswd record"
run "$C" qa-moduser bob example.com Robert x001
is "$OUT" "vauth_setpw 0
gid 0x480 gecos Robert 1 0 0 1
" "qmailadmin: a flag change alone is stored too"
cdb_next
is "$(grep '^bob:' "$DD/vpasswd" 2>/dev/null | cut -d: -f4)" "1152" "... into the vpasswd record"
run "$C" qa-users example.com c
is "$RC:$OUT" "0:count 4
search carol at 1
list bob:Robert carol:Carol dave:Dave postmaster:Postmaster
after end NULL
" "qmailadmin: vauth_getall() counts, stops half way, starts again from the first"
run "$C" qa-users alias.example c
is "$OUT" "count 4
search carol at 1
list bob:Robert carol:Carol dave:Dave postmaster:Postmaster
after end NULL
" "qmailadmin: vauth_getall() of the alias domain walks the real one"
run "$C" qa-users nosuch.example c
is "$OUT" "count 0
search (end) at 0
list
after end NULL
" "vauth_getall() of an unknown domain gives nothing"
run "$C" qa-alias example.com
is "$RC:$OUT" "0:insert 0 0 0 0
sales: [&bob@example.net] [&carol@example.org]
auto.reply: [|/usr/bin/autorespond 10000 5 /x/message /x]
nosuch:
all auto.reply: [|/usr/bin/autorespond 10000 5 /x/message /x]
all hole: [#]
all sales: [&bob@example.net] [&carol@example.org]
remove 0
sales: [&carol@example.org]
delete 0
sales:
" "qmailadmin: forwards, an autoresponder and a blackhole through valias_*()"
if has_define VALIAS; then
	skip "--enable-valias: the aliases are rows, not .qmail files"
else
	file_is "$DD/.qmail-auto:reply" "|/usr/bin/autorespond 10000 5 /x/message /x
" "... as .qmail-<alias> files, '.' spelled ':'"
	file_is "$DD/.qmail-hole" "#
" "... a blackhole's file holds its '#'"
	file_absent "$DD/.qmail-sales" "... and valias_delete() removes the file"
fi
mkdir -p "$DD/list/archive/0" "$DD/list/text"
: > "$DD/list/archive/0/1"
: > "$DD/list/config"
run "$C" delfiles "$DD/list"
is "$RC:$(ls -d "$DD/list" 2>/dev/null)" "0:" "qmailadmin: vdelfiles() removes a mailing list's directory tree"
run "$C" delfiles "$DD/nosuch"
is "$RC" 1 "vdelfiles() of a missing directory fails"

# ------------------------------------------------------------ vqadmin
run "$C" vq-limits example.com bob 7 1 "$VH/etc/vlimits.default"
is "$RC:$OUT" "0:builtin pop=-1 alias=-1 fwd=-1 ar=-1 ml=-1 dq=0 dmc=0 imap=0 webmail=0 relay=0
before pop=-1 alias=-1 fwd=-1 ar=-1 ml=-1 dq=0 dmc=0 imap=0 webmail=0 relay=0
vdel_limits 0
vset_limits 0
after pop=7 alias=-1 fwd=-1 ar=-1 ml=-1 dq=0 dmc=0 imap=1 webmail=0 relay=0
bob gid 0x480 flags 0x488
" "vqadmin: default limits, vdel_limits() + vset_limits(); the domain's NO_IMAP shows in pw_flags, not pw_gid"
run "$C" dovecot bob@example.com Passw0rd IMAP
is "$RC:$OUT" "4:IMAP disabled
" "Dovecot: IMAP refused through pw_flags when the domain disables it"
run "$C" courier bob@example.com Passw0rd imap
is "$RC:$OUT" "4:imap disabled
" "courier: the same"
run "$C" dovecot bob@example.com Passw0rd POP3
is "$RC" 0 "Dovecot: POP3 still allowed"
run "$C" vq-user eve@Alias.Example Eve12345 10M Eve99999
is "$RC:$OUT" "0:vauth_setpw 0
quota 10485760S gid 0x1002 old refused new accepted
maildirsize 10485760S
" "vqadmin: quota, flags and a mkpasswd3() hash set in place and stored; maildirsize written"
run "$C" qa-admin eve example.com
is "$OUT" "domain admin
" "qmailadmin: QA_ADMIN set by vqadmin makes a domain admin"
run "$C" vq-user eve@example.com x 1M y
is "$RC:$OUT" "1:exists
" "vqadmin: an existing account is found first"
run "$C" vq-domain alias.example
# (without big-dir hashing no .dir-control counts them: 0, as in 5.6)
is "$RC:$OUT" "0:example.com users $([ "$BIGDIR" = 1 ] && echo 5 || echo 0)
" "vqadmin: open_big_dir()/close_big_dir() and the global vdir count the users"
run "$C" vq-domain nosuch.example
is "$RC:$OUT" "1:Domain nosuch.example does not exist
" "vqadmin: vget_assign() of an unknown domain"
if [ "$AUTHLOG" = 1 ]; then
	run "$C" vq-lastauth bob example.com
	is "$OUT" "time set ip POP3
" "vqadmin: vget_lastauth() and vget_lastauthip() give what Dovecot recorded last"
	run "$C" vq-lastauth dave example.com
	is "$OUT" "time set ip never
" "vqadmin: a new account's lastauth holds NULL_REMOTE_IP"
else
	run "$C" vq-lastauth bob example.com
	is "$OUT" "time never ip never
" "vqadmin: no auth logging, no last login"
	skip "no auth logging"
fi

# ------------------------------------------------------------ chkuser
run "$C" chkuser Bob@Alias.Example 0
is "$RC:$OUT" "0:mailbox
" "chkuser: vauth_open_update(), then the mailbox found through the alias domain"
run "$C" chkuser auto.reply@example.com 0
is "$RC:$OUT" "0:alias
" "chkuser: an alias"
run "$C" chkuser nobody@example.com 0
is "$RC:$OUT" "1:550 no mailbox
" "chkuser: an unknown recipient"
run "$C" chkuser someone@elsewhere.example 0
is "$RC:$OUT" "0:not a local domain
" "chkuser: another domain is not checked"
setup vmoduser -b dave@example.com
run "$C" chkuser dave@example.com 0
is "$RC:$OUT" "1:550 no mailbox
" "chkuser: BOUNCE_MAIL in pw_gid"
VPOPMAIL_DOMAIN=example.com run "$C" chkuser carol 0
is "$RC:$OUT" "0:mailbox
" "chkuser: an address without a domain is looked up in DEFAULT_DOMAIN"
printf '5242880S\n2621440 10\n' > "$DD/bob/Maildir/maildirsize"
run "$C" chkuser bob@example.com 50
is "$RC:$OUT" "1:552 mailbox full (50%)
" "chkuser: vmaildir_readquota() of the quota format_maildirquota() gives"
run "$C" chkuser bob@example.com 51
is "$RC:$OUT" "0:mailbox
" "chkuser: under the limit"

# ------------------------------------------------------------ quota
rm -f "$DD/bob/Maildir/maildirsize"
head -c 1000 /dev/zero > "$DD/bob/Maildir/new/1.2.host,S=1000"
run "$C" quota bob example.com
is "$RC:$OUT" "0:readuserquota 0 1000 1
" "qmailadmin: readuserquota() of the Maildir counts the message"

# A record with no directory yet (inserted by hand): the userdb makes it.
if [ "$SQL" = 1 ]; then
	skip "mysql backend: a vpasswd line with no directory"
else
	hash=$(grep '^carol:' "$DD/vpasswd" | cut -d: -f2)
	printf 'frank:%s:1:0:Frank::NOQUOTA\n' "$hash" >> "$DD/vpasswd"
	setup vmkpasswd example.com
	run "$C" dovecot frank@example.com NewPass99 POP3
	is "$RC:$OUT:$(grep '^frank:' "$DD/vpasswd" | cut -d: -f6)" "0:user=frank domain=example.com $IDS home=$DD/frank
hash intact
:$DD/frank" "Dovecot: make_user_dir() gives a record without a directory one, and stores it"
fi

done_testing
