#!/bin/sh
# cluster.sh CMD [ARG...] - runs CMD against a throwaway PostgreSQL
# cluster and removes the cluster afterwards, also when CMD fails or the
# script is interrupted.
#
# The cluster comes from Debian's postgresql package: initdb into a
# temporary folder, no TCP listener (listen_addresses=''), the Unix
# socket in that folder, started with pg_ctl.  The server refuses to run
# as root, so as root (CI) it runs as the `postgres` user (runuser) in a
# folder that user owns.  CMD sees:
#   NEWSMD_PG_URI   postgresql:///newsmd?host=FOLDER&user=USER (a fresh database)
#   NEWSMD_PG_BIN   the server's bin folder;  NEWSMD_PG_DATA its data folder
#   NEWSMD_PG_AS    "runuser -u postgres --" when the server runs as postgres
# Exit status: CMD's; 77 (and one "skip:" line) without server binaries.
set -u
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ] || [ ! -x "$BIN/pg_ctl" ]; then
	echo "skip: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (make deps installs the postgresql package)"
	exit 77
fi
AS=""
USER_NAME=$(id -un)
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "skip: running as root and there is no postgres user to run the server"
		exit 77
	fi
	AS="runuser -u postgres --"
	USER_NAME=postgres
fi
DIR=$(mktemp -d /tmp/nm-pg-XXXXXX) || exit 1
chmod 755 "$DIR"
[ -n "$AS" ] && chown postgres:postgres "$DIR"

cleanup() {
	$AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! $AS "$BIN/initdb" -D "$DIR/data" -U "$USER_NAME" --auth=trust -E UTF8 --no-locale \
	>"$DIR/initdb.log" 2>&1; then
	echo "cluster: initdb failed:"; cat "$DIR/initdb.log"; exit 1
fi
# a test cluster: no TCP, socket here, no fsync (thrown away anyway)
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
CONF
if ! $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null 2>&1; then
	echo "cluster: the server did not start:"; cat "$DIR/server.log"; exit 1
fi
if ! $AS "$BIN/createdb" -h "$DIR" -U "$USER_NAME" newsmd; then
	echo "cluster: createdb failed"; exit 1
fi
export NEWSMD_PG_URI="postgresql:///newsmd?host=$DIR&user=$USER_NAME"
export NEWSMD_PG_BIN="$BIN" NEWSMD_PG_DATA="$DIR/data" NEWSMD_PG_AS="$AS"
"$@"
