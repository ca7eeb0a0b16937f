# tests/deliver_common.sh - the sandbox of the vdelivermail scenarios
# (sourced after lib.sh by t_vdelivermail.sh and t_vdelivermail_quota.sh).
#
# Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.

# deliver_domain: a fresh domain example.com with bob; spamc and maildrop
# are off unless a test turns them on.  The first call builds the sandbox
# with the real commands (not under VP_TEST_WRAPPER: they are tested
# elsewhere); later calls restore that tree in the same place, which is
# much faster.  Sets DD (the domain directory) and BOX (bob's Maildir).
deliver_domain() {
	# A mysql run keeps the users in the database, which a restored tree
	# would not reset: it builds a new sandbox (and database) every time.
	if [ -z "${TEMPLATE:-}" ] || [ "${SQL:-0}" = 1 ]; then
		sandbox_new
		VP_TEST_WRAPPER= setup vadddomain example.com Secret123
		VP_TEST_WRAPPER= setup vadduser bob@example.com Passw0rd
		printf 'disable_spamassassin\ndisable_maildrop\n' >> "$VH/etc/vlimits.default"
		if [ "${SQL:-0}" != 1 ]; then
			tar -C "$SB" -cf "$T0/template.tar" .
			TEMPLATE=$SB
		fi
	else
		chmod -R u+rwx "$SB"; rm -rf "$SB"; mkdir "$SB"
		tar -C "$SB" -xf "$T0/template.tar"
	fi
	DD=$D/example.com
	BOX=$DD/bob/Maildir
	as_domain_setup
	export VPOPMAIL_SPAMC=$SB/no-spamc VPOPMAIL_MAILDROP=$SB/no-maildrop
}

# as_domain_setup: as root, vdelivermail runs as qmail-local runs it, with
# the domain's ids (DV_AS, a RUN_AS prefix), so that a file an
# administration command left unreadable to the domain shows up.  The
# stand-ins for qmail-inject and for program lines write into $SB, which
# is then writable by all; directories a test makes for delivery must be
# given to the domain (give_domain).
as_domain_setup() {
	DV_AS=
	[ "$(id -u)" = 0 ] && [ "$VPOPMAIL_UID" != 0 ] || return 0
	if ! command -v setpriv >/dev/null 2>&1; then
		[ -n "${_DV_SAID:-}" ] || diag "no setpriv: vdelivermail runs as root"; _DV_SAID=1; return 0
	fi
	local as="setpriv --reuid=$VPOPMAIL_UID --regid=$VPOPMAIL_GID --clear-groups"
	# shellcheck disable=SC2086
	if ! $as test -x "$(bin_path vdelivermail)" -a -r "$DD/.qmail-default" ||
	   { [ -n "${VP_TEST_MYSQL_SOCKET:-}" ] && ! $as test -w "$VP_TEST_MYSQL_SOCKET"; }; then
		[ -n "${_DV_SAID:-}" ] || diag "uid $VPOPMAIL_UID cannot reach the build or the sandbox: vdelivermail runs as root"
		_DV_SAID=1; return 0
	fi
	DV_AS=$as
	chmod 1777 "$SB"
}
# give_domain PATH...: PATH (recursively) owned by the domain, as
# vadduser would leave it.
give_domain() { chown -R "$UIDGID" "$@"; }
