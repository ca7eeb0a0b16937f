#!/bin/bash
# t_vconvert.sh - vconvert (cdb build): usage, FROM/TO rules, per-domain and
# all-domains output, -e -c, -p file -c, -S (spec storage-and-admin.md §8.13).
. "$(dirname "$0")/lib.sh"
require_bins vconvert vadddomain vadduser vaddaliasdomain vdeluser

USAGE_VCONVERT='vconvert: usage
 The first option sets which format to convert FROM,
 the second option sets which format to convert TO.
 -e = etc format
 -c = cdb format
 -m = sql format
 -S = set sqwebmail passwords
 -v = version
 -d = debug info'

H1='$6$abcdefgh$'$(printf 'A%.0s' {1..86})
H2='$1$saltsalt$'$(printf 'b%.0s' {1..22})

# ------------------------------------------------------------ usage / version
sandbox_new
setup vadddomain example.com Secret123
snap=$(snapshot)
for args in "" "-c" "-m" "-e" "-d" "-p $SB/list" "-d -c example.com" "-x -c -m" "-c -x -m" "-c -m -p"; do
	# shellcheck disable=SC2086
	run vconvert $args
	is_rc 255 "'$args': exit 255"
	is_out "$USAGE_VCONVERT" "'$args': usage on stdout"
done
run vconvert -x -c -m
is_err "$top_builddir/vconvert: invalid option -- 'x'" "unknown option: getopt's message on stderr"
run vconvert -c -m -p
is_err "$top_builddir/vconvert: option requires an argument -- 'p'" "-p without a file: getopt's message"
run vconvert -v
is_rc 255 "-v alone: exit 255"
is_out "version: $VERSION
$USAGE_VCONVERT" "-v alone: version, then usage"
run vconvert -v -c -m example.com
is_rc 0 "-v -c -m: exit 0"
is_out "version: $VERSION
converting example.com done" "-v carries on"
unchanged "$snap" "usage and no-op runs change no file"

# ------------------------------------------------------------ SQL no-ops and unknown pairs
run vconvert -c -m EXAMPLE.com other.org
is_rc 0 "-c -m: exit 0"
cdb_next 1 "copies users (an unknown domain fails)"
is_out "converting EXAMPLE.com done
converting other.org done" "-c -m: name as given, done (no-op in a cdb build)"
run vconvert -m -c example.com
if [ "${SQL:-0}" = 1 ]; then
	# 5.6's sql_to_cdb() printed its own "<domain> done" before main's "done".
	is_out "converting example.com example.com done
done" "-m -c (SQL build): 5.6's two done lines"
else
	is_out "converting example.com done" "-m -c: done"
fi
run vconvert -m -c nosuch.org
if [ "${SQL:-0}" = 1 ]; then
	is_out "converting nosuch.org Error. Domain not found
domain conversion failed" "-m -c (SQL build), unknown domain: 5.6's text"
else
	is_out "converting nosuch.org done" "-m -c, unknown domain: a no-op in a cdb build"
fi
run vconvert -c -e example.com
is_out "converting example.com done" "-c -e: a cdb source is always a no-op"
run vconvert -c -p "$SB/nofile" example.com
is_out "converting example.com done" "-c -p file: no-op, the file is not read"
is_err "" "-c -p file: nothing on stderr"
run vconvert -c -c -m example.com
is_out "converting example.com done" "a third format option only replaces TO"
for args in "-m -e" "-m -m" "-e -e" "-e -p $SB/nofile" "-m -p $SB/nofile"; do
	# shellcheck disable=SC2086
	run vconvert $args example.com
	is_rc 0 "'$args': exit 0"
	is_out "converting example.com unknown conversion
domain conversion failed" "'$args': unknown conversion"
done
cdb_next 1 "-c -m and -m -c copy users"
unchanged "$snap" "no-ops and unknown conversions change no file"

# ------------------------------------------------------------ all domains
sandbox_new
run vconvert -c -m
is_rc 0 "no assign file: exit 0"
is_out "" "no assign file: nothing printed"
setup vadddomain example.com Secret123
setup vaddaliasdomain example.com alias.net
setup vadddomain other.org Secret123
run vconvert -c -m
is_rc 0 "all domains: exit 0"
is_out "alias.net is an alias of example.com.
converting example.com...    done
converting other.org...    done" "all domains: real ones converted, aliases named (assign order)"
run vconvert -m -e
is_out "alias.net is an alias of example.com.
converting example.com...    unknown conversion
domain conversion failed
converting other.org...    unknown conversion
domain conversion failed" "all domains: failures reported per domain"

# ------------------------------------------------------------ -p file
sandbox_new
setup vadddomain example.com Secret123
setup vadddomain other.org Secret123
DD=$D/example.com
printf 'alice:%s\nbob %s  extra:fields\n\nlonely\n   \n' "$H1" "$H2" > "$SB/list"
run vconvert -p "$SB/list" -c example.com
is_rc 0 "-p: exit 0"
is_out "converting example.com done" "-p: done"
is_err "" "-p: nothing on stderr"
is "$(vpw_field "$DD" alice 2)" "$H1" "-p: alice has the hash from the file"
is "$(vpw_field "$DD" bob 2)" "$H2" "-p: bob (space separated, extra fields ignored)"
is "$(vpw_field "$DD" alice 5)" "alice" "-p: gecos is the user name"
is "$(vpw_count "$DD" lonely)" 0 "-p: a line with one field is skipped"
file_is "$DD/alice/Maildir/sqwebmail-pass" $'\t'"$H1" "-p: sqwebmail-pass = TAB + hash, no newline"
file_is "$DD/bob/Maildir/sqwebmail-pass" $'\t'"$H2" "-p: bob's sqwebmail-pass"
file_mode "$DD/alice/Maildir/sqwebmail-pass" 0600 "-p: sqwebmail-pass 0600"
is "$(owner_of "$DD/alice/Maildir/sqwebmail-pass")" "$UIDGID" "-p: sqwebmail-pass owned by vpopmail"
user_dir_ok "$DD" alice
ok_cmd "-p: vpasswd.cdb matches vpasswd" vpw_cdb_ok "$DD"
is "$(leftovers "$VH" "$QH")" "" "-p: no temporary files left"

snap=$(snapshot)
run vconvert -p "$SB/list" -c example.com
is_rc 0 "-p again: exit 0"
is_out "converting example.com Error: Username exists
domain conversion failed" "-p again: the first existing user ends the domain"
unchanged "$snap" "-p again: no file changed"

# An alias domain operand shorter than its real domain: the real name is
# written into a private copy, not over the next argument.
setup vaddaliasdomain other.org o.io
printf 'zed:%s\n' "$H1" > "$SB/list3"
run vconvert -p "$SB/list3" -c o.io nosuch.net
is_out "converting o.io done
converting nosuch.net Error: Domain does not exist
domain conversion failed" "-p through a short alias domain: the next operand is intact"
is "$(vpw_field "$D/other.org" zed 2)" "$H1" "-p through an alias domain: the user is in the real domain"
snap=$(snapshot)

run vconvert -p "$SB/list" -c nosuch.com
is_out "converting nosuch.com Error: Domain does not exist
domain conversion failed" "-p: unknown domain"
unchanged "$snap" "-p unknown domain: no file changed"

run vconvert -p "$SB/nofile" -c example.com
is_rc 0 "-p missing file: exit 0"
is_out "converting example.com Could not open passwd file $SB/nofile
domain conversion failed" "-p missing file: stdout"
is_err "fopen: No such file or directory" "-p missing file: perror on stderr"
unchanged "$snap" "-p missing file: no file changed"

# A hash the library refuses (a CR from a DOS line end): the account is
# not left behind with the placeholder password.
printf 'jack:%s\r\nkate:%s\n' "$H1" "$H1" > "$SB/list4"
snap=$(snapshot)
run vconvert -p "$SB/list4" -c other.org
is_out "converting other.org Error: bad character
domain conversion failed" "-p: a hash with a CR is refused"
is "$(vpw_count "$D/other.org" jack)" 0 "-p: the refused user is taken back (no account with the placeholder password)"
file_absent "$D/other.org/jack" "-p: and its directory removed"
ok_cmd "-p refused hash: vpasswd.cdb matches vpasswd" vpw_cdb_ok "$D/other.org"
unchanged "$snap" "-p refused hash: no file changed (no directory made, .dir-control not counted)"

# sqwebmail-pass cannot be written (its temp file's open fails): the user
# is not added, and the message says why (5.6 added her without the file).
if strace_ok && [ "$SQL" != 1 ]; then
	printf 'lena:%s\n' "$H1" > "$SB/list5"
	VP_TEST_WRAPPER="$NOLSAN strace -f -y -o $SB/st.log -e trace=openat" run vconvert -p "$SB/list5" -c other.org
	n=$(nth_call "$SB/st.log" openat "sqwebmail-pass.tmp.")
	setup vdeluser lena@other.org
	snap=$(snapshot)
	VP_TEST_WRAPPER="$NOLSAN strace -f -o /dev/null -e trace=openat -e inject=openat:error=ENOSPC:when=${n:-1}" \
		run vconvert -p "$SB/list5" -c other.org
	is_out "converting other.org Error: could not write the sqwebmail-pass file of lena@other.org
domain conversion failed" "-p: sqwebmail-pass cannot be written: the reason, the domain fails"
	is "$(vpw_count "$D/other.org" lena)" 0 "... and the user is not added"
	unchanged "$snap" "... no file changed"
else
	for _t in "message" "not added" "no file changed"; do
		skip "no usable strace, or a SQL run: sqwebmail-pass cannot be written: $_t"
	done
fi

printf 'carol:%s\n.bad:%s\ndave:%s\n' "$H1" "$H1" "$H1" > "$SB/list2"
run vconvert -p "$SB/list2" -m other.org
is_out "converting other.org Error: Illegal username
domain conversion failed" "-p: an invalid name stops the domain (TO ignored)"
is "$(vpw_field "$D/other.org" carol 2)" "$H1" "-p: users before the failure are kept"
is "$(vpw_count "$D/other.org" dave)" 0 "-p: users after the failure are not added"

# vadduser succeeds but the user is gone before its hash is replaced.
if has_define ONCHANGE_SCRIPT; then
	printf '#!/bin/sh\n[ "$1" = add_user ] && "%s/vdeluser" "$2" >/dev/null\nexit 0\n' "$top_builddir" > "$VH/etc/onchange"
	chmod 0755 "$VH/etc/onchange"
	printf 'erin:%s\n' "$H1" > "$SB/list3"
	run vconvert -p "$SB/list3" -c example.com
	is_out "converting example.com no such user erin@example.com
done" "-p: user vanished after the add: 'no such user', domain still done"
	rm -f "$VH/etc/onchange"
else
	skip "onchange not compiled in: cannot remove a user behind vconvert's back"
fi

sandbox_new
setup vadddomain example.com Secret123
setup vaddaliasdomain example.com alias.net
setup vadddomain other.org Secret123
printf 'alice:%s\n' "$H1" > "$SB/list"
run vconvert -p "$SB/list" -c
is_out "alias.net is an alias of example.com.
converting example.com...    done
converting other.org...    done" "-p on all domains"
is "$(vpw_field "$D/example.com" alice 2)$(vpw_field "$D/other.org" alice 2)" "$H1$H1" "-p on all domains: both real domains get the user"

# ------------------------------------------------------------ -e -c
sandbox_new
setup vadddomain example.com Secret123
setup vadddomain other.org Secret123
DD=$D/example.com
cat > "$SB/passwd" <<PW
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice Smith:/home/alice:/bin/bash
bob:x:1001:1001:Bob:/home/bob:/bin/bash
carol:x:1002:1002:Carol:/home/carol:/bin/bash
postmaster:x:1003:1003:PM:/home/pm:/bin/sh
frank:x:1004:1004:Frank:/home/frank:/bin/sh
PW
cat > "$SB/shadow" <<SH
root:!:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
alice:$H1:19000:0:99999:7:::
bob:!!:19000:0:99999:7:::
postmaster:$H2:19000:0:99999:7:::
frank:$H2:19000:0:99999:7:::
SH
export VPOPMAIL_ETC_PASSWD=$SB/passwd VPOPMAIL_ETC_SHADOW=$SB/shadow
run vconvert -e -c example.com
is_rc 0 "-e -c: exit 0"
is_out "converting example.com skipping root
skipping daemon
skipping bob
user postmaster domain example.com did not add
done" "-e -c: short hashes skipped, no shadow entry silent, existing user did not add"
is_err "" "-e -c: nothing on stderr"
is "$(vpw_field "$DD" alice 2)" "$H1" "-e -c: alice has her system hash"
is "$(vpw_field "$DD" alice 5)" "Alice Smith" "-e -c: gecos from passwd"
is "$(vpw_field "$DD" frank 2)" "$H2" "-e -c: frank has his system hash"
is "$(vpw_count "$DD" carol)" 0 "-e -c: carol (no shadow entry) not added"
is "$(vpw_count "$DD" root)$(vpw_count "$DD" bob)" "00" "-e -c: skipped accounts not added"
isnt "$(vpw_field "$DD" postmaster 2)" "$H2" "-e -c: the existing postmaster keeps its hash"
user_dir_ok "$DD" alice
ok_cmd "-e -c: vpasswd.cdb matches vpasswd" vpw_cdb_ok "$DD"

run vconvert -e -m other.org nosuch.com
is_out "converting other.org skipping root
skipping daemon
skipping bob
user postmaster domain other.org did not add
done
converting nosuch.com skipping root
skipping daemon
user alice domain nosuch.com did not add
skipping bob
user postmaster domain nosuch.com did not add
user frank domain nosuch.com did not add
done" "-e -m: same as -e -c; the accounts are read again for every domain"
is "$(vpw_field "$D/other.org" alice 2)" "$H1" "-e -m: second domain operand got alice too"

# A system name with capitals is added lower-cased, and named so when it
# does not add (5.6 printed vadduser()'s lower-cased buffer).
printf 'Gina:x:1005:1005:Gina:/home/gina:/bin/sh\n' > "$SB/passwd2"
printf 'Gina:%s:19000:0:99999:7:::\n' "$H1" > "$SB/shadow2"
VPOPMAIL_ETC_PASSWD=$SB/passwd2 VPOPMAIL_ETC_SHADOW=$SB/shadow2 run vconvert -e -c example.com
is "$(vpw_field "$DD" gina 2)" "$H1" "-e -c: Gina is added as gina"
VPOPMAIL_ETC_PASSWD=$SB/passwd2 VPOPMAIL_ETC_SHADOW=$SB/shadow2 run vconvert -e -c example.com
is_out "converting example.com user gina domain example.com did not add
done" "-e -c again: the lower-cased name did not add"

export VPOPMAIL_ETC_SHADOW=$SB/noshadow
snap=$(snapshot)
run vconvert -e -c example.com
is_out "converting example.com done" "-e -c without readable shadow: nothing added, done"
unchanged "$snap" "-e -c without readable shadow: no file changed"
unset VPOPMAIL_ETC_PASSWD VPOPMAIL_ETC_SHADOW

# The real system databases (getpwent/getspent): an unknown domain takes no
# account, whatever the host has; every line is one of the two messages.
snap=$(snapshot)
run vconvert -e -c nosuch.com
is_rc 0 "-e -c on the system databases: exit 0"
like "$OUT" $'^converting nosuch\\.com ((skipping [^\n]+|user [^\n]+ domain nosuch\\.com did not add)\n)*done\n$' \
	"-e -c on the system databases: only skipping / did not add lines, then done"
unchanged "$snap" "-e -c on the system databases, unknown domain: no file changed"

# ------------------------------------------------------------ -S
sandbox_new
setup vadddomain example.com Secret123
setup vaddaliasdomain example.com alias.net
setup vadduser bob@example.com Passw0rd
setup vadddomain other.org Secret123
DD=$D/example.com
rm -f "$DD/bob/Maildir/sqwebmail-pass" "$DD/postmaster/Maildir/sqwebmail-pass"
run vconvert -S example.com
is_rc 0 "-S: exit 0"
is_out "converting example.com done" "-S: done, silent without -d"
file_is "$DD/bob/Maildir/sqwebmail-pass" $'\t'"$(vpw_field "$DD" bob 2)"$'\n' "-S: bob's sqwebmail-pass holds his hash"
file_is "$DD/postmaster/Maildir/sqwebmail-pass" $'\t'"$(vpw_field "$DD" postmaster 2)"$'\n' "-S: postmaster's too"
file_mode "$DD/bob/Maildir/sqwebmail-pass" 0600 "-S: sqwebmail-pass 0600"
run vconvert -d -S example.com
is_out "converting example.com Setting sqwebmail passwords for example.com
bob
postmaster
done" "-S -d: domain and users listed (vpasswd order)"
run vconvert -S -d
is_out "alias.net is an alias of example.com.
converting example.com...    Setting sqwebmail passwords for example.com
bob
postmaster
done
converting other.org...    Setting sqwebmail passwords for other.org
postmaster
done" "-S -d on all domains"
run vconvert -c -S nosuch.com
is_out "converting nosuch.com done" "-S after -c: both formats sqwebmail; unknown domain has no users"
run vconvert -S -m example.com
is_out "converting example.com done" "-S then -m: the source stays sqwebmail"

done_testing
