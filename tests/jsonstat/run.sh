#!/usr/bin/env bash
# Every statistic written as JSON-stat and CSV from a fresh synthetic population, then read
# back by pyjstat (installed from PyPI when missing) and compared cell by cell.
#   VIGO=path/to/vigo tests/jsonstat/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
VIGO=${VIGO:-${CARGO_TARGET_DIR:-$root/target}/debug/vigo}
python3 -c 'import pyjstat' 2>/dev/null || python3 -m pip install --quiet pyjstat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$VIGO" seed --persons 800 --db sqlite://stats.db > /dev/null
token=$("$VIGO" token --role ssb --db sqlite://stats.db)
mkdir out
for name in $("$VIGO" extract --list | awk '/^Statistics/ {on=1; next} /^$/ {on=0} on {print $1}'); do
  for format in jsonstat csv; do
    ext=$([ "$format" = jsonstat ] && echo json || echo csv)
    "$VIGO" extract "$name" --format "$format" --out "out/$name.$ext" --token "$token" --db sqlite://stats.db > /dev/null
  done
done
python3 "$here/check.py" out
