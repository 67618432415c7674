#!/usr/bin/env python3
"""A standard JSON-stat reader (PyPI pyjstat) loads every statistics dataset Vigo writes and
gets the same cells as the CSV file of the same table: same dimensions, same categories,
same values, withheld cells missing in both. pyarrow and DuckDB read the Parquet file of the
same table and get those cells too, with typed columns (whole numbers for tables of counts,
floating point where rates are published).

    python3 tests/jsonstat/check.py DIR   # DIR holds NAME.json, NAME.csv, NAME.parquet
"""

import csv
import json
import math
import os
import sys

import duckdb
import pyarrow.parquet as pq
from pyjstat import pyjstat


def number(text):
    """A CSV value: None when not published (`:` withheld, `.` not applicable)."""
    return None if text in (":", ".") else float(text)


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-9


def main(directory):
    names = sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".json"))
    if not names:
        sys.exit(f"no datasets in {directory}")
    for name in names:
        with open(os.path.join(directory, name + ".json"), encoding="utf-8") as f:
            text = f.read()
        dataset = pyjstat.Dataset.read(text)
        frame = dataset.write("dataframe", naming="id")
        raw = json.loads(text)
        ids = raw["id"]
        with open(os.path.join(directory, name + ".csv"), encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            if len(set(header)) != len(header):
                sys.exit(f"{name}: the CSV header repeats a column: {header}")
            rows = list(reader)
        if len(frame) != len(rows):
            sys.exit(f"{name}: pyjstat read {len(frame)} cells, the CSV has {len(rows)}")
        read = {}
        for record in frame.to_dict("records"):
            key = tuple(str(record[d]) for d in ids)
            value = record["value"]
            read[key] = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        parquet_path = os.path.join(directory, name + ".parquet")
        table = pq.read_table(parquet_path)
        counts = "measure" not in ids
        value_type = str(table.schema.field("value").type)
        if value_type != ("uint64" if counts else "double"):
            sys.exit(f"{name}: the Parquet value column is {value_type}")
        parquet = {}
        for record in table.to_pylist():
            key = tuple(record[d] for d in ids)
            parquet[key] = (None if record["value"] is None else float(record["value"]), record["value_status"])
        rows_in_duckdb, values_in_duckdb = duckdb.sql(
            f"SELECT count(*), count(value) FROM read_parquet('{parquet_path}')"
        ).fetchall()[0]
        withheld = 0
        for row in rows:
            key = tuple(row[d] for d in ids)
            expected = number(row["value"])
            if key not in read:
                sys.exit(f"{name}: pyjstat has no cell {key}")
            if not same(read[key], expected):
                sys.exit(f"{name}: cell {key} is {read[key]} in JSON-stat, {expected} in CSV")
            if key not in parquet or not same(parquet[key][0], expected):
                sys.exit(f"{name}: cell {key} is {parquet.get(key)} in Parquet, {expected} in CSV")
            if (parquet[key][1] or "") != row["value_status"]:
                sys.exit(f"{name}: cell {key} has status {parquet[key][1]!r} in Parquet, {row['value_status']!r} in CSV")
            withheld += row["value"] == ":"
        published = sum(1 for row in rows if number(row["value"]) is not None)
        if (rows_in_duckdb, values_in_duckdb) != (len(rows), published):
            sys.exit(f"{name}: DuckDB reads {rows_in_duckdb} rows, {values_in_duckdb} values; the CSV has {len(rows)}, {published}")
        print(f"{name}: {len(rows)} cells agree in JSON-stat, CSV and Parquet (pyarrow, DuckDB) ({withheld} withheld)")


if __name__ == "__main__":
    main(sys.argv[1])
