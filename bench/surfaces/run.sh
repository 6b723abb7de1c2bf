#!/usr/bin/env bash
# Load benchmark of REST POST /api/v1/verifications on PostgreSQL and SQLite: kycd serves on
# loopback, a second process (bench/surfaces/load, or wrk when WRK=1) sends 64 concurrent
# connections. Results go to stdout as JSON. Needs a local PostgreSQL (TEST_DATABASE_URL's
# server; the database kycd_bench is dropped and recreated) and the shared test data.
#
#   nice -n 10 bash bench/surfaces/run.sh            # both databases, 20 s each
#   DURATION=30s CONNS=64 DBS=postgres bash bench/surfaces/run.sh
#   RATE=2000 DBS=postgres bash bench/surfaces/run.sh       # open loop: 2,000 requests due a second
#   HOOKS=1 WRK=1 DBS=postgres bash bench/surfaces/run.sh   # one webhook endpoint subscribed to
#       verification.created: each creation also enqueues a delivery (served with --no-workers,
#       so the deliveries stay queued and only the creation path is measured)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
DBS=${DBS:-"postgres sqlite"}
PGURL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kycd_test?sslmode=disable}
ADMIN=${PGURL%%\?*}; ADMIN=${ADMIN%/*}/postgres
BENCH_URL=${PGURL%%\?*}; BENCH_URL=${BENCH_URL%/*}/kycd_bench?sslmode=disable
LIST=${KYCD_BENCH_LIST:-../shared/testdata/sanctions/ofac_sdn}
WORK=$(mktemp -d)
trap 'kill "${PID:-}" 2>/dev/null || true; wait "${PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
go build -o "$WORK/kycd" ./cmd/kycd
go build -o "$WORK/load" ./bench/surfaces/load
export KYCD_LOG_LEVEL=warn
for DB in $DBS; do
  export KYCD_DATA_DIR="$WORK/data-$DB"
  unset KYCD_DATABASE_URL
  if [ "$DB" = postgres ]; then
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS kycd_bench" -c "CREATE DATABASE kycd_bench" >/dev/null
    export KYCD_DATABASE_URL="$BENCH_URL"
  fi
  "$WORK/kycd" lists import --source ofac_sdn "$LIST" >/dev/null
  KEY=$("$WORK/kycd" keys create --name bench --mode test --rate-limit 100000000 2>/dev/null)
  ADDR=127.0.0.1:$((20000 + RANDOM % 10000))
  SERVE=()
  [ "${HOOKS:-0}" = 1 ] && SERVE=(--no-workers --webhook-allow-private --webhook-allow-http)
  "$WORK/kycd" serve --addr "$ADDR" "${SERVE[@]}" >"$WORK/serve-$DB.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -fs "http://$ADDR/health" >/dev/null && break; sleep 0.1; done
  if [ "${HOOKS:-0}" = 1 ]; then
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" "http://$ADDR/api/v1/webhook_endpoints" \
      -d '{"url":"http://127.0.0.1:9/hook","events":["verification.created"],"description":"bench: deliveries stay queued"}'
  fi
  # Flush what the database drop/create and the list import left dirty, so a checkpoint does
  # not land in the measured window (pgbench users do the same).
  [ "$DB" = postgres ] && psql "$ADMIN" -qc CHECKPOINT
  echo "== $DB ($("$WORK/kycd" version), $(nproc) cores, $CONNS connections, $DURATION)"
  if [ "${WRK:-0}" = 1 ]; then
    cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"checks":["screening"],"applicant":{"name":"Load Test","country":"DE"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA
    # 3 s warm-up (pool connections, prepared statements), then the measured run.
    wrk -t2 -c"$CONNS" -d3s -s "$WORK/post.lua" "http://$ADDR/api/v1/verifications" >/dev/null
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$WORK/post.lua" "http://$ADDR/api/v1/verifications"
  else
    "$WORK/load" -url "http://$ADDR" -key "$KEY" -c "$CONNS" -d "$DURATION" -rate "${RATE:-0}"
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
done
