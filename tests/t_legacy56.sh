#!/bin/bash
# t_legacy56.sh - a domain as vpopmail 5.4/5.6 left it on disk (hand-made
# here: vpasswd lines edited over the years, a vpasswd.cdb in 5.6's
# record format): the tools read it as 5.6 did and change only what they
# are asked to (spec storage-and-admin.md §3.3, §3.4).
. "$(dirname "$0")/lib.sh"
require_bins vadddomain vpasswd vuserinfo vpopmaild vmkpasswd
export TZ=UTC

if [ "$SQL" = 1 ]; then
	skip "mysql backend: these are the cdb module's files"
	done_testing
fi

# MD5 crypt of "secret" (salt "saltsalt"), as a 5.4 server stored it.
H_MD5='$1$saltsalt$9xy1btjgzLYfb7hivXtC//'

# legacy_domain: legacy.test whose vpasswd holds CR LF lines (an edit on
# Windows) of 7 and 8 fields among plain ones, and a vpasswd.cdb built as
# 5.6 builds it: value = the line after the first ':' up to the LF, so the
# CR is part of it.
legacy_domain() {
	sandbox_new
	setup vadddomain legacy.test Secret123
	DD=$D/legacy.test
	{
		printf 'alice:%s:1:0:Alice:%s/alice:NOQUOTA\n' "$H_MD5" "$DD"
		printf 'crlf:%s:1:0:Crlf:%s/crlf:NOQUOTA\r\n' "$H_MD5" "$DD"
		printf 'crlf8:%s:1:0:Crlf8:%s/crlf8:5242880S:secret\r\n' "$H_MD5" "$DD"
		grep '^postmaster:' "$DD/vpasswd"
		printf 'zed:%s:1:0:Zed:%s/zed:NOQUOTA\r\n' "$H_MD5" "$DD"
	} > "$DD/vpasswd.new"
	mv "$DD/vpasswd.new" "$DD/vpasswd"
	for u in alice crlf crlf8 zed; do mkdir -p "$DD/$u/Maildir/new" "$DD/$u/Maildir/cur" "$DD/$u/Maildir/tmp"; done
	vph mkvpwcdb "$DD/vpasswd" "$DD/vpasswd.cdb"
	touch -d '-1 hour' "$DD/vpasswd"
}

# ------------------------------------------------------------ reading CR LF lines
legacy_domain
is "$(cdb_get "$DD/vpasswd.cdb" crlf)" "$H_MD5:1:0:Crlf:$DD/crlf:NOQUOTA\\x0d" \
	"fixture: 5.6's index keeps the CR in the value"
run vuserinfo -q crlf@legacy.test
is_rc 0 "vuserinfo of a CR LF user: exit 0"
is_out "NOQUOTA" "the CR of the line end is not part of the quota"
run vuserinfo -Q crlf@legacy.test
is_out "NOQUOTA" "... so the usage reads NOQUOTA too"
if [ "$CLEAR" = 1 ]; then
	run vuserinfo -C crlf8@legacy.test
	is_out "secret" "nor of the clear-text password"
else
	run vuserinfo crlf8@legacy.test
	like "$OUT" $'\nclear passwd: secret\n' "nor of the clear-text password (full layout)"
fi
run vuserinfo -q crlf8@legacy.test
is_out "5242880S" "an 8-field CR LF line: the quota field as written"

run_in $'login postmaster@legacy.test Secret123\r\nuser_info crlf8@legacy.test\r\nquit\r\n' vpopmaild -t 5
like "$OUT" $'\r\nquota 5242880S\r\n' "vpopmaild user_info: the quota line ends in one CR LF"
unlike "$OUT" $'\r\r' "vpopmaild user_info: no line ends in CR CR LF"

run vuserinfo -n -D legacy.test
is_out "------------------------------------------
alice
------------------------------------------
crlf
------------------------------------------
crlf8
------------------------------------------
postmaster
------------------------------------------
zed" "vuserinfo -D lists the CR LF users"

# ------------------------------------------------------------ changing a CR LF user
legacy_domain
cp "$DD/vpasswd" "$T0/before"
run vpasswd crlf@legacy.test N3wpass99
is_rc 0 "vpasswd of a user whose line ends in CR LF: exit 0 (5.6 changed it too)"
is_err "" "... nothing on stderr"
is "$(grep -v '^crlf:' "$DD/vpasswd" | od -c)" "$(grep -v '^crlf:' "$T0/before" | od -c)" \
	"every other line, CR LF ones included, is kept byte for byte"
line=$(grep '^crlf:' "$DD/vpasswd")
want="crlf:$HASH_MASK:1:0:Crlf:$DD/crlf:NOQUOTA"
[ "$CLEAR" = 1 ] && want="$want:N3wpass99"
is "$(printf '%s\n' "$line" | mask_hashes)" "$want" "the changed line is written with LF and the quota NOQUOTA"
ok_cmd "vpasswd and vpasswd.cdb hold the same records" vpw_cdb_ok "$DD"
is "$(cdb_get "$DD/vpasswd.cdb" crlf8)" "$H_MD5:1:0:Crlf8:$DD/crlf8:5242880S:secret\\x0d" \
	"an untouched CR LF line is indexed as 5.6 indexed it"

done_testing
