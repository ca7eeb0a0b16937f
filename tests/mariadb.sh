# tests/mariadb.sh - a private MariaDB server for the scenario tests
# (sourced after tests/lib.sh).
#
# mariadb_start installs a fresh data directory below $T0/mariadb and starts
# Debian's mariadbd on its own Unix socket and a free TCP port of 127.0.0.1
# (never the system service, no my.cnf: --no-defaults everywhere).  It
# creates the account vpopmail/vp'sec|ret\ with every privilege and writes
# $VH/etc/vpopmail.mysql for the current sandbox (mariadb_conf).  As root
# the server runs with --user=root.
#
# mariadb_usable says why not, in MDB_WHY: a build without the mysql auth
# module, or the server packages missing.
#
# Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.

MDB_DIR=
MDB_SOCK=
MDB_PORT=
MDB_PID=
MDB_DB=vpopmail
MDB_USER=vpopmail
MDB_PASS=vp.secret
MDB_SERVER=
MDB_INSTALL=
MDB_CLIENT=
MDB_ADMIN=

_mdb_find() { local p; for p in "$@"; do command -v "$p" 2>/dev/null && return 0; [ -x "/usr/sbin/$p" ] && { echo "/usr/sbin/$p"; return 0; }; done; return 1; }

# mariadb_usable: 0 if the build uses MySQL and a private server can run.
mariadb_usable() {
	MDB_WHY=
	if ! has_define AUTH_MYSQL; then MDB_WHY="not a --enable-auth-module=mysql build"; return 1; fi
	MDB_SERVER=$(_mdb_find mariadbd mysqld) || { MDB_WHY="no mariadbd (apt-get install mariadb-server)"; return 1; }
	MDB_INSTALL=$(_mdb_find mariadb-install-db mysql_install_db) || { MDB_WHY="no mariadb-install-db"; return 1; }
	MDB_CLIENT=$(_mdb_find mariadb mysql) || { MDB_WHY="no mariadb client (apt-get install mariadb-client)"; return 1; }
	MDB_ADMIN=$(_mdb_find mariadb-admin mysqladmin) || { MDB_WHY="no mariadb-admin"; return 1; }
	return 0
}

_mdb_user_opt() { [ "$(id -u)" = 0 ] && echo "--user=root" || echo "--user=$(id -un)"; }

# sql STATEMENTS: run as the server's root on $MDB_DB, tab-separated output
# without headers into stdout.
sql() { "$MDB_CLIENT" --no-defaults -S "$MDB_SOCK" -u root -N -B "$MDB_DB" -e "$1"; }
sql_root() { "$MDB_CLIENT" --no-defaults -S "$MDB_SOCK" -u root -N -B -e "$1"; }

# MDB_BINLOG: the server's binary log options (default: none kept).
_mdb_run() {
	"$MDB_SERVER" --no-defaults $(_mdb_user_opt) --datadir="$MDB_DIR/data" \
		--socket="$MDB_SOCK" --port="$MDB_PORT" --bind-address=127.0.0.1 \
		--pid-file="$MDB_DIR/mariadb.pid" --log-error="$MDB_DIR/error.log" \
		--skip-name-resolve --innodb-buffer-pool-size=16M --innodb-log-file-size=8M \
		--innodb-flush-log-at-trx-commit=2 --innodb-use-native-aio=0 \
		--max-connections=400 ${MDB_BINLOG:---skip-log-bin} > "$MDB_DIR/stdout.log" 2>&1 &
	MDB_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $MDB_PID"
	local i
	for i in $(seq 1 150); do
		"$MDB_ADMIN" --no-defaults -S "$MDB_SOCK" -u root ping >/dev/null 2>&1 && return 0
		kill -0 "$MDB_PID" 2>/dev/null || break
		sleep 0.2
	done
	MDB_WHY="mariadbd did not start: $(tail -5 "$MDB_DIR/error.log" 2>/dev/null | tr '\n' ' ')"
	return 1
}

# mariadb_start: install and start; 1 with MDB_WHY on failure.
mariadb_start() {
	MDB_DIR=$T0/mariadb
	MDB_SOCK=$MDB_DIR/mysqld.sock
	mkdir -p "$MDB_DIR/data"
	MDB_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
		{ MDB_WHY="no free port"; return 1; }
	if ! "$MDB_INSTALL" --no-defaults $(_mdb_user_opt) --datadir="$MDB_DIR/data" \
		--auth-root-authentication-method=normal --skip-test-db > "$MDB_DIR/install.log" 2>&1; then
		MDB_WHY="mariadb-install-db failed: $(tail -3 "$MDB_DIR/install.log" | tr '\n' ' ')"
		return 1
	fi
	_mdb_run || return 1
	sql_root "CREATE USER '$MDB_USER'@'localhost' IDENTIFIED BY '$MDB_PASS';
		CREATE USER '$MDB_USER'@'127.0.0.1' IDENTIFIED BY '$MDB_PASS';
		GRANT ALL ON *.* TO '$MDB_USER'@'localhost'; GRANT ALL ON *.* TO '$MDB_USER'@'127.0.0.1';" ||
		{ MDB_WHY="cannot create the test account"; return 1; }
	return 0
}

# mariadb_stop: shut the server down and wait for it.
mariadb_stop() {
	[ -n "$MDB_PID" ] || return 0
	"$MDB_ADMIN" --no-defaults -S "$MDB_SOCK" -u root shutdown >/dev/null 2>&1 || kill "$MDB_PID" 2>/dev/null
	wait "$MDB_PID" 2>/dev/null
	MDB_PID=
}

# mariadb_restart: the same data directory, socket and port.
mariadb_restart() { mariadb_stop; _mdb_run; }

# mariadb_conf [tcp|socket] [DB]: $VH/etc/vpopmail.mysql for this sandbox.
mariadb_conf() {
	local how=${1:-socket} db=${2:-$MDB_DB}
	if [ "$how" = tcp ]; then
		printf '# private test server\n127.0.0.1|%s|%s|%s|%s\n' "$MDB_PORT" "$MDB_USER" "$MDB_PASS" "$db"
	else
		printf '# private test server\nlocalhost|%s|%s|%s|%s\n' "$MDB_SOCK" "$MDB_USER" "$MDB_PASS" "$db"
	fi > "$VH/etc/vpopmail.mysql"
}
