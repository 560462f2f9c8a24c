#!/usr/bin/env bash
# Runs the browser tests against a real `frontline serve --demo` on a free loopback port with
# a temporary data folder (SQLite), or on PostgreSQL when FRONTLINE_BROWSER_PG names a server
# URL (a fresh database is created on it and dropped afterwards).
#
# Needs Debian's chromium (/usr/bin/chromium) and `npm ci` done in this folder; scripts/test.sh
# does both. FRONTLINE_BIN names the binary (default: debug/frontline in cargo's target folder,
# CARGO_TARGET_DIR when set, built here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${FRONTLINE_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/frontline}"
[[ -x "$bin" ]] || (cd "$root" && cargo build --locked -p frontline)

# shellcheck source=scripts/demo_server.sh
source "$root/scripts/demo_server.sh"
data="$(mktemp -d)"
server=""
db_args=()
pg_db=""
if [[ -n "${FRONTLINE_BROWSER_PG:-}" ]]; then
  pg_db="frontline_browser_$$"
  psql "$FRONTLINE_BROWSER_PG" -qc "CREATE DATABASE $pg_db" >/dev/null
  db_args=(--database-url "${FRONTLINE_BROWSER_PG%/*}/$pg_db")
fi
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [[ -n "$pg_db" ]]; then psql "$FRONTLINE_BROWSER_PG" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

start_demo_server "$bin" "$data" "${db_args[@]}"
echo "browser tests against $url" >&2
cd "$here"
FRONTLINE_URL="$url" npx playwright test "$@"
