#!/usr/bin/env bash
# Every statistic written as JSON-stat, CSV and Parquet from a fresh synthetic population, then
# read back by pyjstat, pyarrow and DuckDB (installed from PyPI when missing) and compared cell
# by cell; a recipient file's Parquet is read with its column types.
#   VIGO=path/to/vigo tests/jsonstat/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
VIGO=${VIGO:-${CARGO_TARGET_DIR:-$root/target}/debug/vigo}
python3 -c 'import pyjstat, pyarrow, duckdb' 2>/dev/null || python3 -m pip install --quiet pyjstat pyarrow duckdb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$VIGO" seed --persons 800 --db sqlite://stats.db > /dev/null
token=$("$VIGO" token --role ssb --db sqlite://stats.db)
mkdir out
for name in $("$VIGO" extract --list | awk '/^Statistics/ {on=1; next} /^$/ {on=0} on {print $1}'); do
  for format in jsonstat csv parquet; do
    ext=$(case "$format" in jsonstat) echo json ;; *) echo "$format" ;; esac)
    "$VIGO" extract "$name" --format "$format" --out "out/$name.$ext" --token "$token" --db sqlite://stats.db > /dev/null
  done
done
python3 "$here/check.py" out
lanekassen=$("$VIGO" token --role lanekassen --db sqlite://stats.db)
"$VIGO" extract enrolment-status --format parquet --out status.parquet --token "$lanekassen" --db sqlite://stats.db > /dev/null
"$VIGO" extract enrolment-status --format csv --out status.csv --token "$lanekassen" --db sqlite://stats.db > /dev/null
python3 - <<'PY'
import csv, duckdb, pyarrow.parquet as pq
table = pq.read_table("status.parquet")
types = {f.name: str(f.type) for f in table.schema}
assert types["school_year"] == "int32" and types["national_id"] in ("string", "large_string", "string_view"), types
rows = list(csv.DictReader(open("status.csv", encoding="utf-8")))
(n,) = duckdb.sql("SELECT count(*) FROM read_parquet('status.parquet')").fetchall()[0]
assert n == len(rows) == table.num_rows > 0, (n, len(rows), table.num_rows)
print(f"enrolment-status: {n} rows read by pyarrow and DuckDB, typed columns {types}")
PY
