#!/usr/bin/env bash
# A whole intake on PostgreSQL: seeds PERSONS synthetic persons (default 100 000; the coming
# intake is open, about 9 % of them applicants), then times, each as an operator runs it,
# `vigo intake points` (grades loaded, points and decisions stored), the main round
# (applications, wishes, places and rights loaded, allocated, offers, wish statuses, explained
# decisions and the run stored, audited, in one transaction), its replay, and apprenticeship
# placement for the current intake.
#   cargo build --release -p vigo-api && bench/intake.sh
#   PERSONS=100000 SKIP_SEED=1 bench/intake.sh   # reuse the seeded database (rounds run once:
#                                                # the main round is then refused as run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PERSONS=${PERSONS:-100000}
VIGO=${VIGO:-${CARGO_TARGET_DIR:-$root/target}/release/vigo}
NAME=vigo_bench_intake
DB=postgres://postgres@127.0.0.1:5432/$NAME
# The seeded population's school year is 2026/27: the coming intake is 2027, the current 2026.
COMING=${COMING:-2027}
CURRENT=${CURRENT:-2026}
if [ -z "${SKIP_SEED:-}" ]; then
  dropdb -h 127.0.0.1 -U postgres --if-exists "$NAME"
  createdb -h 127.0.0.1 -U postgres "$NAME"
  echo "seeding $PERSONS persons …"
  "$VIGO" seed --persons "$PERSONS" --db "$DB" > /dev/null
fi
echo "host: $(nproc) cores; $PERSONS persons in PostgreSQL"
timed() {
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$VIGO" "$@" --db "$DB"
  end=$(date +%s.%N)
  printf '%-34s %6.2f s\n' "$label" "$(echo "$end - $start" | bc)"
}
timed "points ($COMING)" intake points --year "$COMING" --operator bench
timed "main round ($COMING)" intake run --year "$COMING" --round main --seed 1 --operator bench
run=$(psql -h 127.0.0.1 -U postgres -d "$NAME" -tAc "SELECT max(id) FROM intake_run WHERE round = 'main'")
timed "replay of run $run" intake replay "$run"
timed "apprenticeship placement ($CURRENT)" intake place --year "$CURRENT" --seed 1 --operator bench
