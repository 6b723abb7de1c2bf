#!/usr/bin/env bash
# Reliability under faults (issue #17): peak memory with worst-case uploads on REST and the
# hosted flow, recovery after SIGKILL with verifications in flight, and behaviour while
# PostgreSQL restarts. Results go to stdout; docs/benchmarks/reliability.md keeps them.
#
#   bash bench/reliability/run.sh                 # memory (SQLite), crash (both DBs), dbdown (PostgreSQL)
#   MODES=memory DBS=sqlite bash bench/reliability/run.sh
#
# dbdown restarts the local PostgreSQL cluster (pg_ctlcluster, root): do not run it while
# anything else uses that server.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODES=${MODES:-"memory crash dbdown"}
DBS=${DBS:-"sqlite postgres"}
PGURL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kycd_test?sslmode=disable}
ADMIN=${PGURL%%\?*}; ADMIN=${ADMIN%/*}/postgres
BENCH_URL=${PGURL%%\?*}; BENCH_URL=${BENCH_URL%/*}/kycd_reliability?sslmode=disable
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
go build -tags "$(bash scripts/setup/tags.sh)" -o "$WORK/kycd" ./cmd/kycd
go build -o "$WORK/reliability" ./bench/reliability
for MODE in $MODES; do
  for DB in $DBS; do
    [ "$MODE" = dbdown ] && [ "$DB" != postgres ] && continue
    [ "$MODE" = memory ] && [ "$DB" != sqlite ] && continue # memory is the server's, not the database's
    ARGS=(-kycd "$WORK/kycd" -data "$WORK/data-$MODE-$DB" -mode "$MODE")
    if [ "$DB" = postgres ]; then
      psql "$ADMIN" -qc "DROP DATABASE IF EXISTS kycd_reliability" -c "CREATE DATABASE kycd_reliability" >/dev/null
      ARGS+=(-database-url "$BENCH_URL")
    fi
    echo "== $MODE on $DB ($(nproc) cores)"
    "$WORK/reliability" "${ARGS[@]}"
  done
done
