#!/usr/bin/env python3
"""A standard JSON-stat reader (PyPI pyjstat) loads every statistics dataset Vigo writes and
gets the same cells as the CSV file of the same table: same dimensions, same categories,
same values, withheld cells missing in both.

    python3 tests/jsonstat/check.py DIR   # DIR holds NAME.json and NAME.csv for each table
"""

import csv
import json
import math
import os
import sys

from pyjstat import pyjstat


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
            read[key] = None if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)
        withheld = 0
        for row in rows:
            key = tuple(row[d] for d in ids)
            expected = None if row["value"] == ":" else int(row["value"])
            if key not in read:
                sys.exit(f"{name}: pyjstat has no cell {key}")
            if read[key] != expected:
                sys.exit(f"{name}: cell {key} is {read[key]} in JSON-stat, {expected} in CSV")
            withheld += expected is None
        print(f"{name}: {len(rows)} cells agree ({withheld} withheld)")


if __name__ == "__main__":
    main(sys.argv[1])
