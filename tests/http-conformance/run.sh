#!/usr/bin/env bash
# Runs graphql-http's GraphQL-over-HTTP conformance audits against a real `vigo demo` on a
# fresh database: no error (MUST) and no warning (SHOULD) is accepted.
#   VIGO=path/to/vigo tests/http-conformance/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
VIGO=${VIGO:-${CARGO_TARGET_DIR:-$root/target}/debug/vigo}
PORT=${PORT:-18182}
command -v node >/dev/null || { echo "Node.js is needed for the conformance audits" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "$demo" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$here" && npm ci --no-audit --no-fund --silent
cd "$work"
"$VIGO" demo --persons 50 --listen "127.0.0.1:$PORT" > demo.out 2> demo.err &
demo=$!
for _ in $(seq 1 300); do
  grep -q '^Who may see what' demo.out 2>/dev/null && break
  kill -0 "$demo" 2>/dev/null || { cat demo.err >&2; exit 1; }
  sleep 0.2
done
token=$(sed -n "s/^export CASEWORKER='\(.*\)'$/\1/p" demo.out)
[ -n "$token" ] || { echo "the demo printed no caseworker token" >&2; exit 1; }
cd "$here"
VIGO_URL="http://127.0.0.1:$PORT/graphql" VIGO_TOKEN="$token" node audit.mjs
