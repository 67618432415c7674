#!/usr/bin/env bash
# API benchmark: 10 000 seeded persons in PostgreSQL, 32 concurrent clients (wrk), for
#   (a) person(nationalId) with every nested field, and
#   (b) a 100-person `persons` page with enrolments and results,
# each beside the same data fetched by plain SQL (pgbench, 32 clients).
# Needs: a release build, PostgreSQL at 127.0.0.1:5432 (user postgres), wrk and pgbench.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-10000}   # RUNS=3 repeats the measurements
DURATION=${DURATION:-20s}
CLIENTS=${CLIENTS:-32}
PG=postgres://postgres@127.0.0.1:5432
DB=vigo_bench_api
BIN=${CARGO_TARGET_DIR:-target}/release/vigo
PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | head -n 1)
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

export VIGO_DATABASE_URL="$PG/$DB"
export VIGO_JWT_SECRET=bench-secret-bench-secret-bench-secret
export VIGO_LOG=warn

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"$BIN" seed --persons "$PERSONS"
psql -h 127.0.0.1 -U postgres -d "$DB" -qc "VACUUM ANALYZE" >/dev/null
psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT national_id FROM person ORDER BY id" > "$WORK/ids"

"$BIN" serve --listen 127.0.0.1:18090 --rate-limit 1000000 &
SERVER=$!
until curl -sf http://127.0.0.1:18090/health >/dev/null; do
  kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done
export VIGO_BENCH_TOKEN=$("$BIN" token --role caseworker --ttl 1h)

run_wrk() { # name query-file ids-file
  echo "== GraphQL $1: $CLIENTS clients, $DURATION"
  QUERY_FILE=$2 IDS_FILE=$3 wrk -t2 -c"$CLIENTS" -d"$DURATION" --latency -s bench/graphql.lua http://127.0.0.1:18090 \
    | grep -E "Requests/sec|Latency|50%|99%|requests in|Non-2xx"
}
run_pgbench() { # name sql-file
  echo "== plain SQL $1: $CLIENTS clients, $DURATION"
  (cd "$WORK" && "$PGBENCH" -h 127.0.0.1 -U postgres -n -c "$CLIENTS" -j 2 -T "${DURATION%s}" -D persons="$PERSONS" \
    -f "$OLDPWD/$2" -l --log-prefix=tx "$DB" | grep -E "^tps|latency average")
  cat "$WORK"/tx* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "p50 %.2f ms  p99 %.2f ms\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}'
  rm -f "$WORK"/tx*
}

# RUNS repeats the four measurements, to show how much one run's figures vary on this machine.
for run in $(seq 1 "${RUNS:-1}"); do
  echo "### run $run"
  run_wrk "(a) person with all nested fields" bench/person.graphql "$WORK/ids"
  run_pgbench "(a) person" bench/person.sql
  run_wrk "(b) 100-person page with enrolments and results" bench/page.graphql ""
  run_pgbench "(b) page" bench/page.sql
done
