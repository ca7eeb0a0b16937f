#!/bin/bash
# t_configure.sh - choices configure makes from the machine it runs on
# (spec runtime.md §0): the tcp.smtp rules file roaming users rebuild is,
# unless --enable-tcpserver-file names one, the first that exists of
# ~vpopmail/etc/tcp.smtp, /etc/tcp.smtp and /etc/tcprules.d/qmail-smtpd.
# configure runs in a scratch directory; /etc is only ever replaced by a
# copy inside a private mount namespace.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$top_srcdir/configure" ] || ! command -v "${CC:-cc}" >/dev/null 2>&1; then
	echo "1..0 # SKIP no configure script or no C compiler"
	exit 0
fi
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# configure refuses to build elsewhere from a source tree configured in
# place (as CI's is): it runs from a copy of what it reads.
SRC=$T0/src
mkdir -p "$SRC/include" "$SRC/src/lib"
cp -R "$top_srcdir/configure" "$top_srcdir/build-aux" "$top_srcdir/Makefile.in" "$SRC/"
cp "$top_srcdir/include/vpopmail_config.h.in" "$SRC/include/"
cp "$top_srcdir/src/lib/config.c" "$SRC/src/lib/"

# tcp_file VPOPMAILDIR [CONFIGURE-OPTION]: TCP_FILE as configured.
tcp_file() {
	local b
	b=$(mktemp -d "$T0/b.XXXXXX")
	( cd "$b" && "$SRC/configure" --disable-dependency-tracking --enable-vpopmaildir="$1" \
		--enable-qmaildir="$T0/qm" --enable-non-root-build --enable-roaming-users ${2:+"$2"} \
		> config.out 2>&1 ) ||
		{ tail -n 5 "$b/config.out" | sed 's/^/#   /' >&2; return 1; }
	sed -n 's/^#define TCP_FILE "\(.*\)"$/\1/p' "$b/include/vpopmail_config.h"
}

# (These two hold with any search; the /etc cases below, which need root
# for the private mount namespace, are the ones that test it.)
mkdir -p "$T0/vp1/etc" "$T0/vp2/etc"
: > "$T0/vp1/etc/tcp.smtp"
is "$(tcp_file "$T0/vp1")" "$T0/vp1/etc/tcp.smtp" "~vpopmail/etc/tcp.smtp exists: it is the rules file"
is "$(tcp_file "$T0/vp2" --enable-tcpserver-file=/srv/rules)" /srv/rules "--enable-tcpserver-file names the rules file"

# The /etc files, in a private mount namespace over a copy of /etc.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	# in_etc SETUP VPOPMAILDIR: TCP_FILE as configured with /etc a copy
	# changed by the shell command SETUP (run in the copy).
	in_etc() {
		rm -rf "$T0/etc"
		cp -a /etc/. "$T0/etc" 2>/dev/null
		rm -rf "$T0/etc/tcp.smtp" "$T0/etc/tcprules.d"
		( cd "$T0/etc" && eval "$1" )
		export -f tcp_file
		T0=$T0 SRC=$SRC unshare -m --propagation private \
			bash -c 'mount --bind "$T0/etc" /etc && tcp_file "$1"' in_etc "$2"
	}
	is "$(in_etc 'mkdir tcprules.d && : > tcprules.d/qmail-smtpd' "$T0/vp2")" /etc/tcprules.d/qmail-smtpd \
		"only /etc/tcprules.d/qmail-smtpd exists: it is the rules file"
	is "$(in_etc 'mkdir tcprules.d && : > tcprules.d/qmail-smtpd && : > tcp.smtp' "$T0/vp2")" /etc/tcp.smtp \
		"/etc/tcp.smtp comes before /etc/tcprules.d/qmail-smtpd"
	is "$(in_etc ': > tcp.smtp' "$T0/vp1")" "$T0/vp1/etc/tcp.smtp" \
		"~vpopmail/etc/tcp.smtp comes before /etc/tcp.smtp"
	is "$(in_etc ':' "$T0/vp2")" "$T0/vp2/etc/tcp.smtp" \
		"none exists: ~vpopmail/etc/tcp.smtp (made by the admin later)"
else
	for i in 1 2 3 4; do skip "not root or no unshare: the /etc rules files"; done
fi

done_testing
