#!/usr/bin/env bash
# Bad input at scale: schemathesis against the served /api/v1/openapi.json, authenticated as a
# township admin of a small seeded township, on a fresh embedded database. Checks: no 5xx,
# and every response conforms to the documented status codes and schemas.
#
#   scripts/schemathesis.sh [path/to/lianxin]          (default: cargo build, target/debug)
#   SCHEMATHESIS_EXAMPLES=30 SCHEMATHESIS_MAX_TIME=240 scripts/schemathesis.sh
#
# Needs `schemathesis` (pip install schemathesis, 4.x) and the PostgreSQL server binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-}
if [[ -z "$BIN" ]]; then
    cargo build --quiet --bin lianxin
    BIN=target/debug/lianxin
fi
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-25}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-240}
PASSWORD='Fuzz-Passw0rd-2026'

WORK=$(mktemp -d /tmp/lianxin-schemathesis-XXXXXX)
chmod 755 "$WORK" # as root the embedded cluster runs as `postgres`, which must reach it
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export LIANXIN_DATA_DIR="$WORK/data" LIANXIN_BIND="127.0.0.1:$PORT" RUST_LOG=${RUST_LOG:-warn}
unset DATABASE_URL LIANXIN_JWT_SECRET
# The fuzzer sends many wrong logins from one address; throttling is tested elsewhere.
export LIANXIN_LOGIN_MAX_FAILURES=1000000 LIANXIN_LOGIN_MAX_FAILURES_PER_IP=1000000

SERVER=
cleanup() {
    [[ -n "$SERVER" ]] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" migrate >/dev/null
echo "$PASSWORD" | "$BIN" create-platform-admin --username city >/dev/null
"$BIN" serve >"$WORK/service.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

# call METHOD PATH TOKEN JSON [FIELD] → prints FIELD of the JSON answer; fails on non-2xx
call() {
    local out
    out=$(curl -sS -f -X "$1" "$BASE/api/v1$2" ${3:+-H "Authorization: Bearer $3"} \
        -H 'Content-Type: application/json' ${4:+--data "$4"}) || { echo "$1 $2 failed" >&2; exit 1; }
    [[ -n "${5:-}" ]] && python3 -c "import json,sys; print(json.load(sys.stdin)$5)" <<<"$out" || true
}
login() { call POST /auth/login "" "{\"tenant\":$1,\"username\":\"$2\",\"password\":\"$PASSWORD\"}" "['access_token']"; }

PLATFORM=$(login null city)
call POST /tenants "$PLATFORM" "{\"code\":\"fuzz\",\"name\":\"模糊镇\",\"admin\":{\"username\":\"admin\",\"display_name\":\"管理员\",\"password\":\"$PASSWORD\"}}"
ADMIN=$(login '"fuzz"' admin)
# A little of everything, so that lists and dossiers have items whose schema is checked.
GRID=$(call POST /grids "$ADMIN" '{"name":"一村","kind":"village"}' "['id']")
MICRO=$(call POST "/grids/$GRID/micro-grids" "$ADMIN" '{"name":"一组","group_name":"一组群"}' "['id']")
LEADER=$(call POST /users "$ADMIN" "{\"username\":\"leader\",\"display_name\":\"网格长\",\"role\":\"leader\",\"password\":\"$PASSWORD\"}" "['id']")
call PUT "/micro-grids/$MICRO/leader" "$ADMIN" "{\"user_id\":\"$LEADER\"}"
call POST /users "$ADMIN" "{\"username\":\"super\",\"display_name\":\"督导\",\"role\":\"supervisor\",\"password\":\"$PASSWORD\",\"grid_id\":\"$GRID\"}"
HOME_ID=$(call POST /households "$ADMIN" "{\"micro_grid_id\":\"$MICRO\",\"kind\":\"village\",\"name\":\"张三\",\"address\":\"一村1号\",\"phone\":\"13812345678\",\"id_number\":\"11010519491231002X\",\"members\":3,\"tags\":[\"低保\"]}" "['id']")
VISIT=$(call POST /visits "$ADMIN" "{\"household_id\":\"$HOME_ID\",\"visited_at\":\"2026-01-05T10:00:00+08:00\",\"method\":\"door\",\"summary\":\"认亲\",\"acquainted\":true}" "['id']")
ISSUE=$(call POST /issues "$ADMIN" "{\"household_id\":\"$HOME_ID\",\"visit_id\":\"$VISIT\",\"category\":\"road\",\"description\":\"路桩\"}" "['id']")
call POST "/issues/$ISSUE/resolve" "$ADMIN" '{"resolution":"已装"}'
call POST "/issues/$ISSUE/feedback" "$ADMIN" '{"satisfied":true}'

echo "schemathesis: $EXAMPLES examples per operation, at most $MAX_TIME s"
set +e
# /me/password and /auth/logout would end the very session the run is authenticated with.
schemathesis run "$BASE/api/v1/openapi.json" \
    --url "$BASE" \
    --header "Authorization: Bearer $ADMIN" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --exclude-path /me/password --exclude-path /auth/logout \
    --max-examples "$EXAMPLES" --max-time "$MAX_TIME" --seed 7 \
    --request-timeout 10 --no-color --warnings off \
    --report junit --report-dir "$WORK/report"
STATUS=$?
set -e
# What the service saw, from its own counters (schemathesis reports test cases, not requests).
curl -sf "$BASE/metrics" | python3 -c '
import re, sys
total = errors = 0
for line in sys.stdin:
    m = re.match(r"lianxin_http_requests_total\{(.*)\} (\d+)", line)
    if m and "/metrics" not in m.group(1):
        total += int(m.group(2))
        if re.search(r"status=\"5\d\d\"", m.group(1)):
            errors += int(m.group(2))
print(f"the service answered {total} requests, {errors} of them 5xx")
'
if grep -q 'panicked\|internal error' "$WORK/service.log"; then
    echo "the service logged an internal error:" >&2
    grep -m5 'panicked\|internal error' "$WORK/service.log" >&2
    STATUS=1
fi
exit $STATUS
