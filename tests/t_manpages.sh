#!/bin/bash
# t_manpages.sh - the manual pages against the programs the build installs:
# every program in bin_PROGRAMS has a page doc/<name>.8 that is installed
# (dist_man_MANS); every page renders without groff warnings (skipped
# without groff); the option letters a program accepts (its getopt string
# in src/bin/<name>.c) are exactly the ones its page lists as items of its
# OPTIONS section; and every option letter of the usage text the built
# program prints is among them.
. "$(dirname "$0")/lib.sh"

MK=$top_srcdir/Makefile.am
DOC=$top_srcdir/doc

# The words of a variable of Makefile.am (continuation lines joined).
am_var() {
	sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$MK" |
		sed -n "s/^$1[[:space:]]*=//p" | tr -s ' \t' '\n' | sed '/^$/d'
}
PROGRAMS=$(am_var bin_PROGRAMS)
MANS=$(am_var dist_man_MANS)
[ -n "$PROGRAMS" ] || { echo "Bail out! no bin_PROGRAMS in $MK"; exit 1; }
# shellcheck disable=SC2086
require_bins $PROGRAMS

in_list() { printf '%s\n' "$2" | grep -qxF "$1"; }
# The letters of a list, sorted and without repeats, as one word.
letters() { fold -w1 | LC_ALL=C sort -u | tr -d '\n'; }

# ------------------------------------------------ every program has a page
for p in $PROGRAMS; do
	if [ -f "$DOC/$p.8" ] && in_list "doc/$p.8" "$MANS"; then
		pass "$p: doc/$p.8 exists and is installed"
	else
		fail "$p: doc/$p.8 exists and is installed"
		[ -f "$DOC/$p.8" ] || diag "missing: doc/$p.8"
		in_list "doc/$p.8" "$MANS" || diag "not in dist_man_MANS: doc/$p.8"
	fi
done
for f in "$DOC"/*.[1-8]; do
	is "$(in_list "doc/${f##*/}" "$MANS" && echo yes)" yes "doc/${f##*/} is in dist_man_MANS"
done

# ------------------------------------------------ every page renders cleanly
for m in $MANS; do
	f=$top_srcdir/$m
	name=${m##*/}
	# The title line names the page and its section.
	th=$(sed -n 's/^\.TH[[:space:]]\{1,\}\([^[:space:]]*\)[[:space:]]\{1,\}\([^[:space:]]*\).*/\1 \2/p' "$f" | head -n 1 | sed 's/\\-/-/g')
	want=$(printf '%s' "${name%.*}" | tr '[:lower:]' '[:upper:]')
	is "$th" "$want ${name##*.}" "$name: .TH names the page"
	# The version the page names (title line, "version: ..." of -v) is
	# the one the programs print.
	vers=$(grep -o -e '"vpopmail-ng [^"]*"' -e 'version: [0-9][0-9.]*' "$f" |
		sed -e 's/^"vpopmail-ng //' -e 's/"$//' -e 's/^version: //' | sort -u | tr '\n' ' ')
	is "$vers" "$VERSION " "$name: names version $VERSION"
	if command -v groff >/dev/null 2>&1; then
		w=$(groff -t -man -ww -z "$f" 2>&1)
		rc=$?
		is "$rc:$w" "0:" "$name: groff -man -ww renders it without warnings"
	else
		skip "groff is not installed: $name renders without warnings"
	fi
done

# ------------------------------------------------ options
# The option letters that item tags of the page's OPTIONS section name:
# the lines after .TP/.TQ holding "\-X" (X not followed by a letter or digit).
man_options() {
	awk '/^\.SH[[:space:]]+"?OPTIONS"?[[:space:]]*$/ { f = 1; next }
	     /^\.SH/ { f = 0 }
	     f && tag { print }
	     { tag = ($0 ~ /^\.T[PQ]/) }' "$DOC/$1.8" |
		grep -o '\\-[A-Za-z0-9]\([^A-Za-z0-9]\|$\)' | cut -c3 | letters
}
# The letters of the program's getopt string (cli_version_options: "v").
source_options() {
	local src=$top_srcdir/src/bin/$1.c
	{
		sed -n -e 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' \
		       -e 's/.*optstring\[\] = "\([^"]*\)".*/\1/p' "$src"
		grep -q 'cli_version_options(' "$src" && echo v
	} | tr -d ':\n' | letters
}
# The option letters of a usage text: "-X" after a space, "(", "[" or "|"
# (or at the start of a line), not followed by a letter or digit.
usage_options() {
	grep -o '\(^\|[[:space:]([|]\)-[A-Za-z0-9]\([^A-Za-z0-9]\|$\)' |
		sed 's/^[[:space:]([|]*-//' | cut -c1 | letters
}
# What makes the program print its usage text.
usage_args() {
	case $1 in
	vmoduser|vmoddomlimits|vverifypw|vmakedotqmail|vsavealiasdomains) echo -h;;
	vdominfo|vpopmaild|dotqmail2valias) echo -Z;;
	*) echo;;
	esac
}

sandbox_new
for p in $PROGRAMS; do
	[ -f "$DOC/$p.8" ] || continue
	have=$(man_options "$p")
	is "$have" "$(source_options "$p")" "$p: the OPTIONS items of its page are the letters it accepts"
	case $p in
	# No usage text: they read stdin, fd 3 or qmail-local's arguments,
	# or only run.
	vchangepw|vrcptcheck|vdelivermail|clearopensmtp) continue;;
	esac
	# shellcheck disable=SC2046
	run "$p" $(usage_args "$p")
	text=$OUT$ERR
	case $text in
	# (vsetuserquota's text, as 5.6's, has no "usage" in it)
	*[Uu]sage*|*options:*) ;;
	*)
		case $p in
		# Their usage exists only in some builds (--enable-defaultdelivery,
		# --enable-sql-aliasdomains, --enable-valias, auth logging).
		vmakedotqmail|vsavealiasdomains|dotqmail2valias|vdeloldusers)
			skip "$p prints no usage text in this build";;
		*)
			if has_define AUTH_MYSQL && [ "$SQL" = 0 ]; then
				skip "$p: mysql build without a test server"
			else
				fail "$p prints its usage text"
				diag "exit $RC" "${text%$'\n'}"
			fi;;
		esac
		continue;;
	esac
	used=$(printf '%s' "$text" | usage_options)
	missing=$(printf '%s' "$used" | tr -d "$have")
	is "$missing" "" "$p: every option of its usage text ($used) is an item of OPTIONS"
done

done_testing
