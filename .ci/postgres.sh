#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the tests and print its URL.
# Usage: eval "$(.ci/postgres.sh)"  → exports FLECHE_TEST_POSTGRES_URL
set -euo pipefail
# A free loopback port unless one is given: another cluster (an earlier run's) may hold any fixed one.
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'; }
port="${FLECHE_PG_PORT:-$(free_port)}"
dir="${FLECHE_PG_DIR:-$(mktemp -d /tmp/fleche-ci-pg.XXXXXX)}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bin/initdb" ] || { echo "echo 'postgres: initdb not found' >&2"; exit 1; }
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" start >/dev/null
"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres fleche_test
echo "export FLECHE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/fleche_test"
