# Sourced by the test and benchmark scripts: `ensure_postgres` sets FRONTLINE_TEST_PG to the
# URL of a PostgreSQL server where tests may create databases, starting a throwaway one when
# none answers. FRONTLINE_THROWAWAY_PG=1 forces the throwaway server (to test this path).

pg_answers() {
  local host=$1 port=$2
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port" -t 3
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_throwaway_postgres() {
  if [[ -z "$(pg_bindir)" || ! -x "$(pg_bindir)/initdb" ]]; then
    echo "installing Debian's postgresql for a throwaway test server" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
  local bin dir port
  bin=$(pg_bindir)
  dir=$(mktemp -d /tmp/frontline-pg.XXXXXX)
  port=$(free_port)
  # initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
  local as=()
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off" start >/dev/null
  THROWAWAY_PG_DIR=$dir
  THROWAWAY_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  trap stop_throwaway_postgres EXIT
  FRONTLINE_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
  echo "started a throwaway PostgreSQL on 127.0.0.1:$port ($dir)" >&2
}

stop_throwaway_postgres() {
  if [[ -n "${THROWAWAY_PG_DIR:-}" ]]; then
    "${THROWAWAY_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_DIR"
  fi
}

ensure_postgres() {
  if [[ -n "${FRONTLINE_TEST_PG:-}" ]]; then
    return
  fi
  if [[ "${FRONTLINE_THROWAWAY_PG:-}" != "1" ]] && pg_answers 127.0.0.1 5432; then
    FRONTLINE_TEST_PG="postgres://postgres@127.0.0.1:5432/postgres"
    return
  fi
  start_throwaway_postgres
}
