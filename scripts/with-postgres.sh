#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: installs the OS package when missing (as root),
# starts a private cluster on a free port, exports LANTERN_TEST_DATABASE_URL, and removes it all after.
# If PostgreSQL cannot be started this fails loudly; the suite never skips it quietly.
set -euo pipefail
if [ -n "${LANTERN_TEST_DATABASE_URL:-}" ]; then exec "$@"; fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(find_bin)
if [ -z "$bin" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL from the OS packages..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(find_bin)
  fi
fi
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed and could not be installed: install the 'postgresql' package." >&2
  exit 1
fi

dir=$(mktemp -d /tmp/lantern-pg-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# initdb refuses to run as root, so root hands the cluster to the postgres user.
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = "0" ] && chown postgres "$dir"
cleanup() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
as_owner "$bin/initdb" -D "$dir/data" -U lantern --auth=trust -E UTF8 >/dev/null
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"$bin/createdb" -h 127.0.0.1 -p "$port" -U lantern lantern_test
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port for this run"
LANTERN_TEST_DATABASE_URL="postgresql://lantern@127.0.0.1:$port/lantern_test" "$@"
