#!/usr/bin/env bash
# Hostile documents against a release build: the exponential fragments (as `ssb`, who reads
# nothing) and 60 aliases of a company's apprentices' company's apprentices … (as a
# caseworker). For each: the HTTP status, seconds, response bytes, and the server's peak
# memory (VmHWM) afterwards. VIGO=path/to/vigo (default the release build) lets the same
# documents run against another build. PERSONS=2000 by default; SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
VIGO="${VIGO:-${CARGO_TARGET_DIR:-target}/release/vigo}"
PERSONS="${PERSONS:-2000}"
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
export VIGO_JWT_SECRET=attack-bench-secret-attack-bench-secret
export VIGO_RATE_LIMIT=1000000
export VIGO_DATABASE_URL="sqlite://$WORK/vigo.db?mode=rwc"
"$VIGO" seed --persons "$PERSONS" >/dev/null 2>&1
COMPANY=$(python3 -c "
import sqlite3; c = sqlite3.connect('$WORK/vigo.db')
print(c.execute('select o.org_no from organisation o join apprenticeship_contract a on a.company_id = o.id group by o.org_no order by count(*) desc limit 1').fetchone()[0])")
SSB=$("$VIGO" token --role ssb 2>/dev/null)
CASEWORKER=$("$VIGO" token --role caseworker 2>/dev/null)
"$VIGO" serve --listen 127.0.0.1:18094 >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18094/health >/dev/null && break; sleep 0.2; done
python3 - "$SERVER" "$SSB" "$CASEWORKER" "$COMPANY" <<'PY'
import json, sys, time, urllib.request
pid, ssb, caseworker, company = sys.argv[1:]
fragments = "{ ...F0 }" + "".join(f" fragment F{i} on Query {{ ...F{i+1} ...F{i+1} }}" for i in range(24)) + " fragment F24 on Query { __typename }"
nested = "company { name }"
for _ in range(4):
    nested = f"company {{ apprentices {{ {nested} }} }}"
aliases = "{" + "".join(f' a{i}: organisation(orgNo: "{company}") {{ apprentices {{ {nested} }} }}' for i in range(60)) + " }"
def peak():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return line.split()[1] + " kB"
for name, token, query in [("exponential fragments (24 levels, ssb)", ssb, fragments),
                           ("60 aliases of apprentices' companies' apprentices (caseworker)", caseworker, aliases)]:
    request = urllib.request.Request("http://127.0.0.1:18094/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"content-type": "application/json", "authorization": f"Bearer {token}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    took = time.perf_counter() - started
    message = ""
    try:
        errors = json.loads(body).get("errors") or []
        message = errors[0]["message"][:110] if errors else ""
    except Exception:
        pass
    print(f"{name}: document {len(query)} bytes -> HTTP {status} in {took*1000:.1f} ms, response {len(body)} bytes, server peak {peak()}; {message}")
PY
