#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster on a free local port, then removes it.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
workdir=$(mktemp -d /tmp/homeward-pg.XXXXXX)
chmod 755 "$workdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$workdir"
  as_postgres=(runuser -u postgres --)
fi

cleanup() {
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

"${as_postgres[@]}" "$pg_bin/initdb" -D "$workdir/data" -U homeward --auth=trust -E UTF8 >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null

export DATABASE_URL="postgres://homeward@127.0.0.1:$port/postgres"
echo "PostgreSQL test cluster on port $port"
"$@"
