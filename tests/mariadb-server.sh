#!/bin/bash
# tests/mariadb-server.sh - one private MariaDB server for a whole
# "make check" of a --enable-auth-module=mysql build (used by .ci/run).
#
#   tests/mariadb-server.sh start DIR   start it below DIR and print the
#                                       environment the tests need:
#                                       VP_TEST_MYSQL_SOCKET=...
#   tests/mariadb-server.sh stop DIR    shut it down
#
# With VP_TEST_MYSQL_SOCKET set, tests/lib.sh's sandbox_new writes a
# vpopmail.mysql giving each sandbox a database of its own on that server.
# t_mysql.sh still starts its own server (it stops and restarts it).
#
# Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
set -u
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir" || exit 1
T0=$(cd "$dir" && pwd)
PYTHON=${PYTHON:-python3}
CLEANUP_PIDS=
has_define() { [ "$1" = AUTH_MYSQL ]; }
. "$(dirname "$0")/mariadb.sh"
mariadb_usable || { echo "mariadb-server.sh: $MDB_WHY" >&2; exit 1; }
MDB_DIR=$T0/mariadb
MDB_SOCK=$MDB_DIR/mysqld.sock
case $cmd in
start)
	# The server must outlive this script: no job control ties.
	mariadb_start || { echo "mariadb-server.sh: $MDB_WHY" >&2; exit 1; }
	echo "VP_TEST_MYSQL_SOCKET=$MDB_SOCK"
	;;
stop)
	"$MDB_ADMIN" --no-defaults -S "$MDB_SOCK" -u root shutdown >/dev/null 2>&1
	;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
