#!/usr/bin/env bash
# Checks that the OpenAPI document tells the truth: schemathesis generates requests from
# /api/v1/openapi.json and checks every answer against it (status codes, content types,
# response schemas and headers declared, no 5xx) against a real `frontline serve --demo` on a
# free loopback port with a temporary data folder, once as the demo admin and once as the demo
# requester. Mutating operations run too: the desk is thrown away afterwards.
#
# schemathesis comes from PyPI, pinned, into a virtualenv under the target folder (Debian's
# python3-venv is installed when `python3 -m venv` cannot make one). FRONTLINE_BIN names the
# binary (default: ci/frontline in cargo's target folder). Bounded: SCHEMATHESIS_EXAMPLES
# cases per operation (default 20) and SCHEMATHESIS_MAX_TIME seconds per run (default 70).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
bin="${FRONTLINE_BIN:-$target/ci/frontline}"
[[ -x "$bin" ]] || { echo "no frontline binary at $bin; build it first" >&2; exit 1; }
version="4.32.5"
venv="$target/schemathesis-$version"
examples="${SCHEMATHESIS_EXAMPLES:-20}"
max_time="${SCHEMATHESIS_MAX_TIME:-70}"

# A virtualenv's scripts name its folder, so it is made where it stays; the stamp says the
# install finished.
if [[ ! -e "$venv/installed" ]]; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    as_root=(); [[ $(id -u) -eq 0 ]] || as_root=(sudo)
    echo "installing Debian's python3-venv" >&2
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
  touch "$venv/installed"
fi

# shellcheck source=scripts/demo_server.sh
source "$root/scripts/demo_server.sh"
data="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

start_demo_server "$bin" "$data"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance
status=0
for who in admin requester; do
  token="$("$bin" --data-dir "$data" token create --email "$who@demo.example" --name schemathesis)"
  echo "schemathesis against $url as the demo $who" >&2
  # One worker: with two, Hypothesis's lambda descriptions on Python 3.11 failed with
  # "AST constructor recursion depth mismatch" (a runtime error, not a finding).
  # Run in the data folder, so schemathesis's cache (.schemathesis/) goes with it.
  (cd "$data" && "$venv/bin/schemathesis" --no-color run "$url/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks "$checks" \
    --max-examples "$examples" --max-time "$max_time" --seed 1 \
    --workers 1 --request-timeout 10 --generation-database none \
    --report-dir "$data/report") || status=1
done
exit "$status"
