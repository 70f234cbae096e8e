#!/usr/bin/env bash
# Run a command with a throwaway Redis server: installs the OS package when missing (as root), starts a
# private server on a free port with nothing written to disk, exports LANTERN_TEST_REDIS_URL, and stops
# it after. If Redis cannot be started this fails loudly; the tests that need it never skip quietly here.
set -euo pipefail
if [ -n "${LANTERN_TEST_REDIS_URL:-}" ]; then exec "$@"; fi

if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Redis from the OS packages..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
fi
if ! command -v redis-server >/dev/null; then
  echo "Redis is not installed and could not be installed: install the 'redis-server' package." >&2
  exit 1
fi

dir=$(mktemp -d /tmp/lantern-redis-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null || { cat "$dir/log" >&2; echo "Redis did not start" >&2; exit 1; }
echo "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on port $port for this run"
LANTERN_TEST_REDIS_URL="redis://127.0.0.1:$port/0" "$@"
