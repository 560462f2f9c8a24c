#!/usr/bin/env bash
# The whole test suite: unit, storage (SQLite and PostgreSQL), HTTP, CLI and black-box tests.
#
# Needs only the Rust toolchain. PostgreSQL: FRONTLINE_TEST_PG when set, else the server on
# 127.0.0.1:5432 when it answers, else a throwaway server started here (Debian's postgresql
# package, installed if missing, initdb into a temporary folder, a free loopback port) and
# removed on exit. With CI=true (or FRONTLINE_LINT=1) it also checks formatting and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*" >&2; }

# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
ensure_postgres
export FRONTLINE_TEST_PG
log "PostgreSQL for the tests: ${FRONTLINE_TEST_PG}"

if [[ "${CI:-}" == "true" || "${FRONTLINE_LINT:-}" == "1" ]]; then
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy"
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi

log "cargo test"
cargo test --workspace --locked "$@"
