#!/bin/bash
# t_install.sh - make install DESTDIR=...: the ~vpopmail layout of §1.1, and a
# third-party program (as qmailadmin would be) built only from the installed
# headers, inc_deps and lib_deps.
. "$(dirname "$0")/lib.sh"

require_installable
if make -C "$top_builddir" install DESTDIR="$DEST" > "$T0/install.log" 2>&1; then
	pass "make install DESTDIR=... succeeds"
else
	fail "make install DESTDIR=... succeeds"
	tail -n 15 "$T0/install.log" | sed 's/^/#   /'
	done_testing
fi

PROGS="vadddomain vdeldomain vaddaliasdomain vadduser vdeluser vpasswd"
for p in $PROGS; do
	file_mode "$P/bin/$p" 0711 "bin/$p installed mode 0711"
done
file_exists "$P/lib/libvpopmail.a" "lib/libvpopmail.a installed"
file_mode "$P/lib/libvpopmail.a" 0644 "lib/libvpopmail.a mode 0644"
for h in vpopmail.h storage.h vauth.h vlimits.h vutil.h pwstr.h vpopmail_config.h; do
	file_mode "$P/include/$h" 0444 "include/$h installed mode 0444"
done
file_lines "$P/etc/inc_deps" "etc/inc_deps is one line -I<prefix>/include" "-I$prefix/include"
file_mode "$P/etc/inc_deps" 0644 "etc/inc_deps 0644"
lib_deps=$(slurp "$P/etc/lib_deps"); lib_deps=${lib_deps%x}
like "$lib_deps" "^-L$prefix/lib -lvpopmail( [^"$'\n'"]*)?"$'\n$' "etc/lib_deps is one line -L<prefix>/lib -lvpopmail ..."
file_mode "$P/etc/lib_deps" 0644 "etc/lib_deps 0644"
file_exists "$P/etc/vlimits.default" "etc/vlimits.default installed"
file_mode "$P/etc/vlimits.default" 0644 "etc/vlimits.default 0644"
cmp -s "$P/etc/vlimits.default" "$top_srcdir/etc/vlimits.default" && pass "etc/vlimits.default is the shipped file" || fail "etc/vlimits.default is the shipped file"
file_exists "$P/etc/password_strength.conf" "etc/password_strength.conf installed"
cmp -s "$P/etc/vusagec.conf" "$top_srcdir/etc/vusagec.conf" && pass "etc/vusagec.conf installed (spec 1.1)" || fail "etc/vusagec.conf installed (spec 1.1)"
file_mode "$P/etc/vusagec.conf" 0644 "etc/vusagec.conf 0644"
dir_exists "$P/$DOMAINS_DIRNAME" "domains/ created"
file_mode "$P/$DOMAINS_DIRNAME" 0700 "domains/ mode 0700"

# installing again keeps an edited vlimits.default / password_strength.conf
echo "# local edit" >> "$P/etc/vlimits.default"
echo "# local edit" >> "$P/etc/password_strength.conf"
if make -C "$top_builddir" install DESTDIR="$DEST" > "$T0/install2.log" 2>&1; then
	pass "second make install succeeds"
else
	fail "second make install succeeds"; tail -n 10 "$T0/install2.log" | sed 's/^/#   /'
fi
is "$(tail -n 1 "$P/etc/vlimits.default")" "# local edit" "existing vlimits.default not overwritten"
is "$(tail -n 1 "$P/etc/password_strength.conf")" "# local edit" "existing password_strength.conf not overwritten"

# ------------------------------------------------------------ a third-party program
cat > "$T0/qa.c" <<'EOF'
/* What qmailadmin does: parse an address, look the user up, print fields. */
#include <stdio.h>
#include <string.h>
#include "vpopmail.h"
#include "vauth.h"
#include "vlimits.h"

int main(int argc, char **argv)
{
	char email[MAX_BUFF], user[MAX_BUFF], domain[MAX_BUFF];
	struct vqpasswd *pw;
	struct vlimits limits;

	if (argc != 2)
		return 3;
	snprintf(email, sizeof(email), "%s", argv[1]);
	if (parse_email(email, user, domain, MAX_BUFF) != 0) {
		printf("parse_email failed\n");
		return 2;
	}
	if (vauth_open(0) != 0) {
		printf("vauth_open failed\n");
		return 2;
	}
	pw = vauth_getpw(user, domain);
	if (pw == NULL) {
		printf("%s@%s: %s\n", user, domain, verror(VA_USER_DOES_NOT_EXIST));
		return 1;
	}
	printf("name=%s gecos=%s dir=%s quota=%s uid=%d gid=%d\n", pw->pw_name,
	    pw->pw_gecos, pw->pw_dir, pw->pw_shell, (int)pw->pw_uid, (int)pw->pw_gid);
	if (vget_limits(domain, &limits) == 0)
		printf("maxpopaccounts=%d\n", limits.maxpopaccounts);
	return 0;
}
EOF
inc=$(sed "s|-I/|-I$DEST/|g" "$P/etc/inc_deps")
lib=$(sed "s|-L/|-L$DEST/|g" "$P/etc/lib_deps")
# shellcheck disable=SC2086
if (cd "$T0" && $CC $inc qa.c $lib ${VP_TEST_LDFLAGS:-} -o qa) > "$T0/cc.log" 2>&1; then
	pass "third-party program builds with \$(cat inc_deps) prog.c \$(cat lib_deps) alone"
	is "$(grep -c . "$T0/cc.log")" 0 "no compiler diagnostics"
	"$CC" -Wall -Wextra -Werror -fsyntax-only $inc "$T0/qa.c" > "$T0/cc2.log" 2>&1 &&
		pass "installed headers compile cleanly with -Wall -Wextra -Werror" ||
		{ fail "installed headers compile cleanly with -Wall -Wextra -Werror"; sed -n '1,8p' "$T0/cc2.log" | sed 's/^/#   /'; }

	sandbox_new
	require_bins vadddomain vadduser
	setup vadddomain example.com Secret123
	setup vadduser -c "Bob Smith" -q 5M bob@example.com Passw0rd
	run "$T0/qa" Bob@Example.COM
	is_rc 0 "third-party program finds the user"
	is_out "name=bob gecos=Bob Smith dir=$D/example.com/bob quota=5242880S uid=$VPW_UID gid=0
maxpopaccounts=-1" "third-party program reads the vpasswd record and limits"
	run "$T0/qa" nobody@example.com
	is_rc 1 "third-party program: unknown user"
	is_out "nobody@example.com: User does not exist" "third-party program: verror text"
else
	fail "third-party program builds with \$(cat inc_deps) prog.c \$(cat lib_deps) alone"
	sed -n '1,15p' "$T0/cc.log" | sed 's/^/#   /'
fi

# ------------------------------------------------------------ 5.6's names
# qmailadmin's sources include their own config.h (PACKAGE, VERSION) and
# then vpopmail.h and storage.h, and use 5.6's constants.
cat > "$T0/config.h" <<'EOF2'
#define PACKAGE "qmailadmin"
#define VERSION "1.2.16"
EOF2
cat > "$T0/qa56.c" <<'EOF2'
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "vpopmail.h"
#include "storage.h"
#include "vauth.h"

int main(void)
{
	storage_t size = 0, count = 0;
	char name[MAX_FILE_NAME], list[MAX_NAME];
	const char *ip;

	snprintf(name, sizeof name, "%s", BOUNCE_ALL);
	snprintf(list, sizeof list, "%s", EZMLMDIR);
	printf("%s %s %s %s %s %s\n", PACKAGE, VERSION, name, DELETE_ALL, ATCHARS, NULL_REMOTE_IP);
	printf("%o %o %o %o\n", VPOPMAIL_UMASK, VPOPMAIL_TCPRULES_UMASK, VPOPMAIL_DIR_MODE,
	    (unsigned)VPOPMAIL_QMAIL_MODE);
	printf("%d %d %d %d %d\n", SORT_TABLE_ENTRIES, POSTING_MPOM, REPLYTO_ADDRESS,
	    MAX_OPTIONS, (int)sizeof list);
	printf("%llu\n", (unsigned long long)ntohll(htonll((storage_t)0x0102030405060708ULL)));
	if (readuserquota("/nonexistent", &size, &count) != 0 || size != 0)
		printf("readuserquota: %llu\n", (unsigned long long)size);
	ip = get_remote_ip();
	printf("%s", ip != NULL ? ip : "NULL");
	unsetenv("TCPREMOTEIP");	/* no client: open_smtp_relay() has nothing to do */
	printf(" %d\n", open_smtp_relay());
	return 0;
}
EOF2
# shellcheck disable=SC2086
if (cd "$T0" && $CC -Wall -Wextra -Werror -I. $inc qa56.c $lib ${VP_TEST_LDFLAGS:-} -o qa56) > "$T0/cc56.log" 2>&1; then
	pass "a program using 5.6's names (storage.h, modes, list constants, open_smtp_relay) builds cleanly"
	TCPREMOTEIP=::ffff:10.9.8.7 run "$T0/qa56"
	is "$OUT" "qmailadmin 1.2.16 bounce-no-mailbox delete @%/ 0.0.0.0
77 22 750 644
1000 4 3 26 160
72623859790382856
10.9.8.7 0
" "5.6's values; the client's PACKAGE and VERSION are its own"
else
	fail "a program using 5.6's names (storage.h, modes, list constants, open_smtp_relay) builds cleanly"
	sed -n '1,15p' "$T0/cc56.log" | sed 's/^/#   /'
fi
# What 5.6's headers brought in on the side (PRIu64, strtoll, htonl,
# crypt), its allow_onchange global, 5.4's onchange_buf and
# call_onchange(cmd), and vutil.h (qmailadmin 1.2.x).
cat > "$T0/side.c" <<'EOF2'
#include <string.h>
#include "vpopmail.h"
#include "vutil.h"
#include "pwstr.h"

#if (defined(ONCHANGE_SCRIPT) || defined(ONCHANGE_SCRIPT_BEFORE_AND_AFTER)) && !defined(USE_ONCHANGE)
#error USE_ONCHANGE is not defined in a build with the onchange hook
#endif

extern int allow_onchange;

int main(void)
{
	storage_t n = (storage_t)strtoll("42", NULL, 10);
	char s[] = "a.b";
	int ok, bad;

#ifdef ONCHANGE_SCRIPT
	/* 5.4's form, as qmailadmin 1.2's mailing-list pages call it */
	snprintf(onchange_buf, MAX_BUFF, "%s@%s", "list", "example.com");
	if (call_onchange("add_mailinglist") != 0)
		return 2;
#endif
	allow_onchange = 0;
	str_replace(s, '.', ':');
	printf("%" PRIu64 " %u %s %d %d\n", n, (unsigned)htonl(1) != 0, s, allow_onchange,
	       crypt("x", "ab") != NULL);
	char ver[32];

	if (strcmp(vversion(ver), "5.6.13") != 0 || strcmp(ver, "5.6.13") != 0)
		return 1;
	ok = pw_strength("Passw0rd-long");
	bad = pw_strength("");
	printf("%d %d [%s] [%s]\n", ok, bad, pw_strength_error(),
	       pw_strength_policy() != NULL ? pw_strength_policy() : "(none)");
	return 0;
}
EOF2
# shellcheck disable=SC2086
if (cd "$T0" && $CC -std=c17 -Wall -Wextra -Werror $inc side.c $lib ${VP_TEST_LDFLAGS:-} -o side) > "$T0/side.log" 2>&1; then
	pass "5.6's side includes, allow_onchange as a variable, vutil.h and pwstr.h: a client builds cleanly"
	run "$T0/side"
	is "$OUT" "42 1 a:b 0 1
1 -70 [password requires more characters ] [Passwords must be at least one character long]
" "... and runs (pw_strength() gives 1 or the VA_PWSTR_* code, as 5.6)"
else
	fail "5.6's side includes, allow_onchange as a variable, vutil.h and pwstr.h: a client builds cleanly"
	sed -n '1,15p' "$T0/side.log" | sed 's/^/#   /'
	skip "client did not build"
fi
printf '#include "vpopmail.h"\n#ifdef PACKAGE\n#error PACKAGE leaked\n#endif\n#ifdef VERSION\n#error VERSION leaked\n#endif\nint main(void) { return 0; }\n' > "$T0/noleak.c"
# shellcheck disable=SC2086
(cd "$T0" && $CC -Wall -Wextra -Werror $inc -fsyntax-only noleak.c) > "$T0/noleak.log" 2>&1 &&
	pass "vpopmail.h leaves PACKAGE and VERSION undefined in a client without them" ||
	{ fail "vpopmail.h leaves PACKAGE and VERSION undefined in a client without them"; sed -n '1,6p' "$T0/noleak.log" | sed 's/^/#   /'; }

# vpopmail_config.h also carries 5.6's names for the build's settings.
CFG=$P/include/vpopmail_config.h
cfg() { sed -n "s/^#define $1 //p" "$CFG"; }
# (paths under the vpopmail home, which the prefix need not be: distcheck)
home=$(cfg VPOPMAILDIR); home=${home#\"}; home=${home%\"}
is "$(cfg VLIMITS_DEFAULT_FILE)" "\"$home/etc/vlimits.default\"" "vpopmail_config.h: VLIMITS_DEFAULT_FILE (vqadmin reads it)"
if [ -n "$(cfg AUTH_MYSQL)" ]; then
	is "$(cfg USE_SQL)/$(cfg USE_MYSQL)/$(cfg USE_CDB)" "1/1/" "vpopmail_config.h: USE_SQL and USE_MYSQL in a mysql build"
else
	is "$(cfg USE_SQL)/$(cfg USE_MYSQL)/$(cfg USE_CDB)" "//1" "vpopmail_config.h: USE_CDB in a cdb build"
fi
is "$(cfg ENABLE_LEARN_PASSWORDS)" "$(cfg LEARN_PASSWORDS)" "vpopmail_config.h: ENABLE_LEARN_PASSWORDS as LEARN_PASSWORDS (qmailadmin tests it)"
is "$(cfg ENABLE_PASSWD)" "$(cfg HAS_SYSTEM_PASSWD)" "vpopmail_config.h: ENABLE_PASSWD as HAS_SYSTEM_PASSWD"
if [ -n "$(cfg POP_AUTH_OPEN_RELAY)" ]; then
	is "$(cfg OPEN_SMTP_CUR_FILE) $(cfg OPEN_SMTP_LOK_FILE)" "\"$home/etc/open-smtp\" \"$home/etc/open-smtp.lock\"" \
		"vpopmail_config.h: OPEN_SMTP_*_FILE in a roaming build"
else
	is "$(cfg OPEN_SMTP_CUR_FILE)" "" "vpopmail_config.h: no OPEN_SMTP_*_FILE without roaming users"
fi

# A shared module (courier's authvchkpw, an auth plugin) links the archive
# into itself, and a host program loads it and looks a user up.
cat > "$T0/mod.c" <<'EOF2'
#include <stdio.h>
#include "vpopmail.h"
#include "vauth.h"

int mod_lookup(char *user, char *domain, char *out, int size)
{
	struct vqpasswd *pw = vauth_getpw(user, domain);

	if (pw == NULL)
		return verrori != 0 ? verrori : VA_USER_DOES_NOT_EXIST;
	snprintf(out, (size_t)size, "%s %s", pw->pw_name, pw->pw_dir);
	return 0;
}
EOF2
cat > "$T0/host.c" <<'EOF2'
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int (*lookup)(char *, char *, char *, int);
	char out[512];
	void *h;

	if (argc != 4 || (h = dlopen(argv[1], RTLD_NOW)) == NULL) {
		printf("dlopen: %s\n", dlerror());
		return 2;
	}
	*(void **)&lookup = dlsym(h, "mod_lookup");
	if (lookup == NULL)
		return 2;
	if (lookup(argv[2], argv[3], out, (int)sizeof out) != 0) {
		printf("not found\n");
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
EOF2
if nm "$P/lib/libvpopmail.a" 2>/dev/null | grep -q ' U __asan_\| U __ubsan_'; then
	# A sanitizer build's archive needs its runtime, which only the main
	# program can bring in.
	skip "a shared module links lib/libvpopmail.a: not with a sanitizer build"
	skip "the module, loaded with dlopen, finds the user: not with a sanitizer build"
# shellcheck disable=SC2086
elif (cd "$T0" && $CC -shared -fPIC -Wl,-z,defs $inc mod.c $lib -o mod.so && $CC host.c -ldl -o host) > "$T0/ccso.log" 2>&1; then
	pass "a shared module links lib/libvpopmail.a (position-independent code)"
	run "$T0/host" "$T0/mod.so" bob example.com
	is "$RC:$OUT" "0:bob $D/example.com/bob"$'\n' "the module, loaded with dlopen, finds the user"
else
	fail "a shared module links lib/libvpopmail.a (position-independent code)"
	sed -n '1,8p' "$T0/ccso.log" | sed 's/^/#   /'
fi

done_testing
