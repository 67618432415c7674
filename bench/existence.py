#!/usr/bin/env python3
"""Times person(nationalId) for a person outside the scope and an absent one, alternately; see existence.sh."""
import http.client, json, sys, time, statistics
port, token, outside, absent, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
conn = http.client.HTTPConnection("127.0.0.1", int(port))
q = "query($n: String!) { person(nationalId: $n) { givenName contact { email } } }"
def one(nid):
    body = json.dumps({"query": q, "variables": {"n": nid}})
    t = time.perf_counter()
    conn.request("POST", "/graphql", body, {"content-type": "application/json", "authorization": "Bearer " + token})
    r = conn.getresponse(); data = r.read()
    dt = (time.perf_counter() - t) * 1000
    return dt, data
for _ in range(50): one(outside); one(absent)
a, b = [], []
for i in range(n):
    da, ra = one(outside); db, rb = one(absent)
    assert ra == rb, (ra, rb)
    a.append(da); b.append(db)
ma, mb = statistics.median(a), statistics.median(b)
# best single-threshold classifier over all samples
samples = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
best = 0.5
total = len(samples)
for i in range(total + 1):
    thr_left = samples[:i]; right = samples[i:]
    acc1 = (sum(1 for _, l in thr_left if l == 0) + sum(1 for _, l in right if l == 1)) / total
    acc2 = (sum(1 for _, l in thr_left if l == 1) + sum(1 for _, l in right if l == 0)) / total
    best = max(best, acc1, acc2)
print(f"out of scope: median {ma:.2f} ms p90 {sorted(a)[int(n*0.9)]:.2f}; absent: median {mb:.2f} ms p90 {sorted(b)[int(n*0.9)]:.2f}; answers identical; best threshold tells them apart {best*100:.1f} % of the time (50 % = chance)")
