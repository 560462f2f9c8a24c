#!/usr/bin/env bash
# Black-box check of SLA escalation through the REST API, as issue 5 describes it: create a
# policy with a short business-time target, let it breach, and read the ticket's SLA state,
# audit trail and escalated group.
#
# Starts its own `frontline serve` on a fresh data folder (SQLite), or on PostgreSQL when
# DATABASE_URL is set (an empty database), on a free loopback port, and stops it at the end.
#
#   scripts/sla_check.sh [path/to/frontline]     (default: target/debug/frontline)
#
# Takes a little over a minute: the shortest target is one business minute.
set -euo pipefail

BIN=${1:-target/debug/frontline}
[[ -x $BIN ]] || { echo "no frontline binary at $BIN (cargo build -p frontline)" >&2; exit 2; }
for tool in curl jq; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

DATA=$(mktemp -d)
DB=()
[[ -n ${DATABASE_URL:-} ]] && DB=(--database-url "$DATABASE_URL")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER=""
cleanup() {
    [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$DATA"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "starting frontline serve on $BASE"
"$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA" "${DB[@]}" >"$DATA/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$BASE/readyz" >/dev/null || { cat "$DATA/serve.log" >&2; fail "the server did not get ready"; }

"$BIN" user add --email mgr@example.org --name "Mia Manager" --role admin \
    --data-dir "$DATA" "${DB[@]}" >/dev/null
"$BIN" user add --email agent@example.org --name "Abe Agent" --role agent \
    --data-dir "$DATA" "${DB[@]}" >/dev/null
TOKEN=$("$BIN" token create --email mgr@example.org --data-dir "$DATA" "${DB[@]}")

api() { # METHOD PATH [BODY] -> body on stdout; fails on a status >= 400
    local method=$1 path=$2 body=${3:-}
    local args=(-sS -X "$method" -H "Authorization: Bearer $TOKEN" -w '\n%{http_code}')
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
    local out status
    out=$(curl "${args[@]}" "$BASE$path")
    status=${out##*$'\n'}
    out=${out%$'\n'*}
    (( status < 400 )) || fail "$method $path answered $status: $out"
    printf '%s' "$out"
}

step "configuring: groups, a 24x7 calendar, a one-minute policy that escalates to Tier 2"
api POST /api/v1/groups '{"name": "Tier 1"}' >/dev/null
api POST /api/v1/groups '{"name": "Tier 2"}' >/dev/null
api PUT "/api/v1/groups/Tier%201/members" '{"members": ["agent@example.org"]}' >/dev/null
WEEK='{"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],"thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"],"sun":["00:00-24:00"]}'
api POST /api/v1/calendars "{\"name\": \"Always\", \"time_zone\": \"UTC\", \"week\": $WEEK}" >/dev/null
api POST /api/v1/sla-policies '{"calendar": "Always", "policy": {"name": "Quick",
    "targets": {"first_response": 1, "resolution": 60}, "warn_at_percent": 50,
    "escalation": {"notify": ["assignee", "group"], "move_to_group": "Tier 2", "raise_priority": true}}}' >/dev/null

step "opening a ticket in Tier 1"
TICKET=$(api POST /api/v1/tickets '{"subject": "Mail server down", "description": "Nobody can send.",
    "requester": "ria@example.org", "group": "Tier 1", "assignee": "agent@example.org",
    "impact": "medium", "urgency": "low"}')
ID=$(jq -r .id <<<"$TICKET")
PRIORITY=$(jq -r .priority <<<"$TICKET")
SLA=$(api GET "/api/v1/tickets/$ID/sla")
FIRST=$(jq -c '.items // . | map(select(.target == "first_response")) | .[0]' <<<"$SLA" 2>/dev/null || true)
[[ $(jq -r .state <<<"$FIRST") == running ]] || fail "first response is not running: $SLA"
echo "ticket $ID ($PRIORITY), first response due $(jq -r .due_at <<<"$FIRST")"

step "waiting for the breach (one business minute, plus the timer)"
DEADLINE=$((SECONDS + 90))
while :; do
    SLA=$(api GET "/api/v1/tickets/$ID/sla")
    FIRST=$(jq -c '.items // . | map(select(.target == "first_response")) | .[0]' <<<"$SLA")
    [[ $(jq -r .escalated_at <<<"$FIRST") != null ]] && break
    (( SECONDS < DEADLINE )) || fail "no escalation within 90 s: $SLA"
    sleep 2
done

step "reading the SLA state, the trail and the ticket"
[[ $(jq -r .state <<<"$FIRST") == breached ]] || fail "first response is not breached: $FIRST"
[[ $(jq -r .breached_at <<<"$FIRST") != null ]] || fail "no breach time: $FIRST"
echo "first response: $(jq -c '{state, due_at, breached_at, escalated_at}' <<<"$FIRST")"
TICKET=$(api GET "/api/v1/tickets/$ID")
[[ $(jq -r .group <<<"$TICKET") == "Tier 2" ]] || fail "not moved to Tier 2: $TICKET"
[[ $(jq -r .priority <<<"$TICKET") != "$PRIORITY" ]] || fail "priority not raised: $TICKET"
echo "ticket now: $(jq -c '{group, assignee, priority}' <<<"$TICKET")"
EVENTS=$(api GET "/api/v1/tickets/$ID/events?limit=200")
KINDS=$(jq -r '.items[].kind' <<<"$EVENTS" | sort | uniq -c)
echo "$KINDS"
for kind in sla_started sla_warning sla_breached sla_escalated; do
    grep -qw "$kind" <<<"$KINDS" || fail "no $kind event: $EVENTS"
done
ESCALATED=$(jq '[.items[] | select(.kind == "sla_escalated")] | length' <<<"$EVENTS")
(( ESCALATED == 1 )) || fail "escalated $ESCALATED times"
jq -e '.items[] | select(.kind == "field_changed" and .field == "group" and .new == "Tier 2" and .actor == null)' \
    <<<"$EVENTS" >/dev/null || fail "the move to Tier 2 is not in the trail"
echo "OK: breached, escalated once to Tier 2, every step in the trail"
