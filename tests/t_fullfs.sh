#!/bin/bash
# t_fullfs.sh - vadddomain on a real file system that runs out of room or
# inodes part way: a small tmpfs (root only; skipped otherwise), filled so
# that 0, 1, 2, ... pages or inodes are left.  Whatever step fails, the
# domain is either there whole or not routed at all (never a users/assign
# line whose directory was removed), users/cdb matches users/assign, no
# temporary file is left, and once room is freed the command works.
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vdeldomain

if has_define AUTH_MYSQL; then
	echo "1..0 # SKIP the postmaster goes to the database: this is about the files of the cdb module"
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v mount >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root to mount a tmpfs"
	exit 0
fi
FS=$T0/fs
mkdir "$FS"
if ! mount -t tmpfs -o size=1m,nr_inodes=300 tmpfs "$FS" 2>/dev/null; then
	echo "1..0 # SKIP cannot mount a tmpfs here"
	exit 0
fi
trap 'umount "$FS" 2>/dev/null; _cleanup' EXIT

VH=$FS/vpopmail QH=$FS/qmail D=$FS/vpopmail/$DOMAINS_DIRNAME SB=$FS
export VPOPMAIL_HOME=$VH VPOPMAIL_QMAILDIR=$QH
sandbox_ids
export VPOPMAIL_QMAIL_NEWU=$QH/bin/qmail-newu VPOPMAIL_QMAIL_NEWMRH=$QH/bin/qmail-newmrh
export VPOPMAIL_PS=/bin/false
unset VPOPMAIL_DOMAIN

fresh() {
	rm -rf "${FS:?}"/*
	mkdir -p "$VH/etc" "$D" "$QH/users" "$QH/control" "$QH/bin"
	cp "$top_srcdir/etc/vlimits.default" "$VH/etc/vlimits.default"
}
# fill_pages N / fill_inodes N: leave about N pages / N inodes free.
fill_pages() {
	dd if=/dev/zero of="$FS/filler" bs=4096 2>/dev/null
	truncate -s "-$(($1 * 4096))" "$FS/filler" 2>/dev/null
}
fill_inodes() {
	local i=0 j
	mkdir "$FS/fill.d" 2>/dev/null
	while : 2>/dev/null > "$FS/fill.d/$i"; do i=$((i + 1)); done 2>/dev/null
	for ((j = i - $1; j < i; j++)); do rm -f "$FS/fill.d/$j"; done
}
unfill() { rm -rf "$FS/filler" "$FS/fill.d"; }

sweep() {	# sweep pages|inodes MAX
	local kind=$1 max=$2 k bad=0 bad2=0 bad3=0 left
	for ((k = 0; k <= max; k++)); do
		fresh
		"fill_$kind" "$k"
		run vadddomain example.com Secret123
		unfill
		if grep -q '^+example.com-:' "$QH/users/assign" 2>/dev/null && [ ! -d "$D/example.com" ]; then
			bad=$((bad + 1)); diag "$kind $k: users/assign routes example.com to a removed directory (exit $RC)"
		fi
		if [ -e "$QH/users/assign" ] && ! users_cdb_ok >/dev/null 2>&1 &&
		   { [ -e "$QH/users/$USERS_CDB_NAME" ] || grep -q '^+' "$QH/users/assign"; }; then
			bad2=$((bad2 + 1)); diag "$kind $k: users/cdb does not match users/assign (exit $RC)"
		fi
		left=$(leftovers "$FS")
		[ -n "$left" ] && { bad3=$((bad3 + 1)); diag "$kind $k: left behind: $left"; }
		# Freed: the domain is there, or the command (after a vdeldomain
		# of a domain left without its postmaster) works.
		if [ ! -d "$D/example.com/postmaster" ]; then
			grep -q '^+example.com-:' "$QH/users/assign" 2>/dev/null && run vdeldomain example.com
			run vadddomain example.com Secret123
			if [ "$RC" != 0 ]; then
				bad=$((bad + 1)); diag "$kind $k: room freed, vadddomain still fails (exit $RC): $OUT"
			fi
		fi
	done
	is "$bad" 0 "$kind 0..$max left free: never routed to a removed directory, works once room is freed"
	is "$bad2" 0 "$kind 0..$max left free: users/cdb matches users/assign"
	is "$bad3" 0 "$kind 0..$max left free: no temporary file left"
}

sweep pages 12
sweep inodes 26

done_testing
