"""The table of bench/peers.sh: per size and case, each system's req/s, p50 and p99 (the median
run, and the spread of req/s over the runs), and the ratios the targets are stated in."""
import csv
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        runs[(int(row["size"]), row["case"], row["system"])].append(
            (float(row["req_s"]), float(row["p50_ms"]), float(row["p99_ms"])))


def median(key):
    found = runs.get(key)
    if not found:
        return None
    ordered = sorted(found)
    return ordered[(len(ordered) - 1) // 2], min(r[0] for r in found), max(r[0] for r in found)


names = {"A": "100-person page", "B": "person by national id", "C": "school roster page (school)",
         "D": "OT target group page (OT)"}
print()
print("| persons | case | system | req/s (runs) | p50 ms | p99 ms | p99/p50 |")
print("|---:|---|---|---:|---:|---:|---:|")
for size in sorted({k[0] for k in runs}):
    for case in "ABCD":
        for system in ("vigo", "postgraphile", "sql"):
            m = median((size, case, system))
            if not m:
                continue
            (rps, p50, p99), low, high = m
            print(f"| {size:,} | {case} {names[case]} | {system} | {rps:,.0f} ({low:,.0f}–{high:,.0f}) | {p50:.1f} | {p99:.1f} | {p99 / p50 if p50 else 0:.1f} |")
print()
print("| persons | ratio | value | target |")
print("|---:|---|---:|---|")
for size in sorted({k[0] for k in runs}):
    rate = lambda case, system: (median((size, case, system)) or ((None,),))[0][0]
    for label, a, b, target in [
        ("A vigo / postgraphile", rate("A", "vigo"), rate("A", "postgraphile"), "≥ 2"),
        ("B vigo / postgraphile", rate("B", "vigo"), rate("B", "postgraphile"), "≥ 2"),
        ("A vigo / plain SQL", rate("A", "vigo"), rate("A", "sql"), "≥ 0.55"),
        ("B vigo / plain SQL", rate("B", "vigo"), rate("B", "sql"), "≥ 0.8"),
        ("C school / A caseworker", rate("C", "vigo"), rate("A", "vigo"), "≥ 0.85"),
        ("D OT / A caseworker", rate("D", "vigo"), rate("A", "vigo"), "≥ 0.85"),
    ]:
        if a and b:
            print(f"| {size:,} | {label} | {a / b:.2f} | {target} |")
