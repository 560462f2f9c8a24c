# Sourced by scripts that test a running desk (tests/browser/run.sh, scripts/schemathesis.sh):
# `start_demo_server BIN DATA_DIR [ARGS…]` starts `BIN serve --demo` on a free loopback port
# with DATA_DIR as its data folder, its log in DATA_DIR/serve.log, and sets `server` (the PID,
# for the caller's clean-up to stop) and `url` once it says where it listens. Exits with the
# log when the server stops or does not start within two minutes.
start_demo_server() {
  local bin="$1" data="$2"
  shift 2
  local log="$data/serve.log"
  "$bin" serve --listen 127.0.0.1:0 --data-dir "$data" "$@" --demo >"$log" 2>&1 &
  server=$!
  url=""
  for _ in $(seq 1 600); do
    url="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //')" || true
    [[ -n "$url" ]] && return 0
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "frontline serve exited" >&2; exit 1; }
    sleep 0.2
  done
  cat "$log" >&2
  echo "frontline serve did not start" >&2
  exit 1
}
