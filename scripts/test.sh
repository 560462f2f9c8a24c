#!/usr/bin/env bash
# The whole test suite: unit, storage (SQLite and PostgreSQL), HTTP, CLI and black-box tests.
#
# Needs only the Rust toolchain; Dovecot for the IMAP tests is installed when missing.
# PostgreSQL: FRONTLINE_TEST_PG when set, else the server on 127.0.0.1:5432 when it answers,
# else a throwaway server started here (Debian's postgresql package, installed if missing,
# initdb into a temporary folder, a free loopback port) and removed on exit. With CI=true
# (or FRONTLINE_LINT=1) it also checks formatting, clippy and the layering (scripts/layers.py).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s %s\n' "$(date +%T)" "$*" >&2; }

# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
ensure_postgres
export FRONTLINE_TEST_PG
log "PostgreSQL for the tests: ${FRONTLINE_TEST_PG}"

# The IMAP tests start a throwaway Dovecot of their own (crates/cli/tests/cli/mail_imap.rs) from
# Debian's package; the package's own service is not used.
if [[ ! -x /usr/sbin/dovecot ]]; then
  log "installing Debian's dovecot-imapd for the IMAP tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends dovecot-imapd >&2
fi

# The outbound mail tests start a throwaway Postfix of their own (crates/cli/tests/cli/mail_out.rs)
# from Debian's package; the package's own service is not used.
if [[ ! -x /usr/sbin/postfix ]]; then
  log "installing Debian's postfix for the outbound mail tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postfix >&2
fi

# The HTTPS webhook test (crates/jobs/tests/rules_webhook_tls.rs) makes its certificates with openssl.
command -v openssl >/dev/null || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >&2; }

# scripts/layers.py (the lint block below) and the schemathesis virtualenv need Python 3.
command -v python3 >/dev/null || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >&2; }

if [[ "${CI:-}" == "true" || "${FRONTLINE_LINT:-}" == "1" ]]; then
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  log "scripts/layers.py"
  python3 scripts/layers.py
fi

# One build for everything below: the `ci` profile (Cargo.toml) is the dev profile optimized
# at level 1, fast enough for the three-node test's bound, so no second (release) build of every
# dependency is needed. FRONTLINE_PROFILE=dev runs the suite on the ordinary debug build.
profile="${FRONTLINE_PROFILE:-ci}"
bin_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")/$([[ "$profile" == dev ]] && echo debug || echo "$profile")"
# Extra arguments go to `cargo test`; without a package of their own (-p) it tests every crate.
scope=(--workspace)
for arg in "$@"; do
  case "$arg" in -p | -p?* | --package | --package=* | --workspace | --all) scope=() ;; esac
done
log "cargo test --profile $profile ${scope[*]} $*"
cargo test --locked --profile "$profile" "${scope[@]}" "$@"

# ---- The OpenAPI document against a running server (scripts/schemathesis.sh) ---------------
# schemathesis (pinned, from PyPI, into a virtualenv under target/) checks status codes,
# content types, response schemas and headers against the document, as the demo admin and
# the demo requester, bounded in examples and time. FRONTLINE_SCHEMATHESIS=0 skips this block.
if [[ "${FRONTLINE_SCHEMATHESIS:-1}" != "0" ]]; then
  log "schemathesis: the OpenAPI document against frontline serve --demo"
  FRONTLINE_BIN="$bin_dir/frontline" scripts/schemathesis.sh
fi

# ---- Three nodes on one PostgreSQL (crates/cli/tests/cli/sla_nodes.rs) --------------------------
# 10,000 tickets whose SLA timers fall due during the test, one node killed with SIGKILL:
# every warning and escalation exactly once and at most 5 s late. The bound is about the
# build a node runs, so it needs an optimized build (the `ci` profile above, or release).
# FRONTLINE_NODES=0 skips this block.
if [[ "${FRONTLINE_NODES:-1}" != "0" ]]; then
  log "three-node SLA test"
  # --workspace as above, so its features are unified the same way and nothing is rebuilt.
  FRONTLINE_BIN="$bin_dir/frontline" \
    cargo test --workspace --locked --profile "$profile" --test cli -- --ignored sla_nodes::
fi

# ---- Browser tests: the web UI in Debian's Chromium (tests/browser) -------------------------
# Installs chromium when /usr/bin/chromium is missing and the npm packages (npm ci), then runs
# Playwright against a `frontline serve --demo` on a free loopback port with a temporary data
# folder: on SQLite and on PostgreSQL (a database made with psql). FRONTLINE_BROWSER=0
# skips this block.
if [[ "${FRONTLINE_BROWSER:-1}" != "0" ]]; then
  as_root=(); [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  # Only what is missing: a machine may have Node.js and npm from elsewhere, and Debian's npm
  # package then conflicts with them.
  packages=()
  [[ -x /usr/bin/chromium ]] || packages+=(chromium)
  command -v npm >/dev/null || packages+=(nodejs npm)
  # run.sh makes the PostgreSQL run's database with psql, also when the server is not local.
  command -v psql >/dev/null || packages+=(postgresql-client)
  if (( ${#packages[@]} )); then
    log "installing ${packages[*]} (apt-get)"
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
  log "browser tests: npm ci"
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  # `cargo test --workspace` above built the frontline binary for the CLI tests; run.sh uses it.
  export FRONTLINE_BIN="$bin_dir/frontline"
  log "browser tests on SQLite"
  tests/browser/run.sh
  # Never skipped: psql (Debian's postgresql-client) is installed above when missing.
  log "browser tests on PostgreSQL"
  FRONTLINE_BROWSER_PG="$FRONTLINE_TEST_PG" tests/browser/run.sh
fi
# ---- end of browser tests -------------------------------------------------------------------
log "all tests passed"
