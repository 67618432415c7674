#!/usr/bin/env bash
# Statistics at scale: seeds PostgreSQL with PERSONS synthetic persons (default 1 000 000),
# times the whole catalogue (each statistic computed, suppressed and written as Parquet by
# `vigo extract`, peak memory by /usr/bin/time), dumps the tables behind the completion
# statistic to Parquet, and times DuckDB (PyPI duckdb) computing the same completion table
# from that dump, in the same run.
#   cargo build --release -p vigo-api && bench/statistics.sh
#   PERSONS=100000 SKIP_SEED=1 bench/statistics.sh   # reuse the seeded database
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PERSONS=${PERSONS:-1000000}
VIGO=${VIGO:-${CARGO_TARGET_DIR:-$root/target}/release/vigo}
NAME=vigo_bench_statistics
DB=postgres://postgres@127.0.0.1:5432/$NAME
export VIGO_JWT_SECRET=bench-secret-bench-secret-bench-secret
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet duckdb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${SKIP_SEED:-}" ]; then
  dropdb -h 127.0.0.1 -U postgres --if-exists "$NAME"
  createdb -h 127.0.0.1 -U postgres "$NAME"
  echo "seeding $PERSONS persons …"
  "$VIGO" seed --persons "$PERSONS" --db "$DB"
fi
token=$("$VIGO" token --role ssb --db "$DB")
echo "host: $(nproc) cores; $PERSONS persons in PostgreSQL"
total_start=$(date +%s.%N)
peak=0
for name in $("$VIGO" extract --list | awk '/^Statistics/ {on=1; next} /^$/ {on=0} on {print $1}'); do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$VIGO" extract "$name" --format parquet --out "$work/$name.parquet" --token "$token" --db "$DB" > /dev/null
  end=$(date +%s.%N)
  rss=$(cat "$work/rss")
  [ "$rss" -gt "$peak" ] && peak=$rss
  printf '%-26s %7.2f s  %7.0f MiB\n' "$name" "$(echo "$end - $start" | bc)" "$(echo "$rss / 1024" | bc)"
  [ "$name" = completion ] && vigo_completion=$(echo "$end - $start" | bc)
done
total=$(echo "$(date +%s.%N) - $total_start" | bc)
printf 'whole catalogue: %.1f s, peak %.0f MiB\n' "$total" "$(echo "$peak / 1024" | bc)"

# The completion statistic's tables, dumped to Parquet (not timed), then DuckDB on them.
cd "$work"
for table in person programme_area enrolment diploma apprenticeship_contract; do
  psql -h 127.0.0.1 -U postgres -d "$NAME" -q -c "\\copy $table TO '$work/$table.csv' WITH (FORMAT csv, HEADER)"
  python3 -c "import duckdb; duckdb.sql(\"COPY (SELECT * FROM read_csv_auto('$table.csv')) TO '$table.parquet' (FORMAT parquet)\")"
done
today=$(date +%F)
sed "s/\$TODAY/$today/" "$root/bench/completion.sql" > completion.sql
duck=$(python3 - <<PY
import duckdb, time
sql = open("completion.sql").read()
start = time.perf_counter()
rows = duckdb.sql(sql).fetchall()
seconds = time.perf_counter() - start
# Vigo's published leaf cells must equal DuckDB's counts (a withheld cell is null).
published = duckdb.sql("""SELECT cohort, programme_type, gender, outcome, value FROM 'completion.parquet'
    WHERE value IS NOT NULL AND cohort <> 'total' AND programme_type <> 'total' AND gender <> 'total'
      AND outcome NOT LIKE 'total%'""").fetchall()
counts = {(str(r[0]), r[1], r[2], r[3]): r[4] for r in rows}
wrong = [p for p in published if counts.get(tuple(p[:4]), 0) != p[4]]
assert not wrong, f"Vigo and DuckDB disagree on {len(wrong)} cells, e.g. {wrong[:3]}"
print(f"{seconds:.3f} {len(rows)} {sum(r[-1] for r in rows)} {len(published)}")
PY
)
read -r duck_seconds duck_rows duck_persons agreeing <<< "$duck"
printf 'completion: Vigo %.2f s (read from PostgreSQL, counted, suppressed, written); DuckDB %.2f s (%s rows, %s persons, from Parquet); ratio %.2f; the %s cells Vigo publishes agree with DuckDB\n' \
  "$vigo_completion" "$duck_seconds" "$duck_rows" "$duck_persons" "$(echo "$vigo_completion / $duck_seconds" | bc -l)" "$agreeing"
