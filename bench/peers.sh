#!/usr/bin/env bash
# Vigo beside PostGraphile 4 and plain SQL on one PostgreSQL database, per size in SIZES:
#   (A) a 100-person page with contact, enrolments (school, programme area) and results,
#       as the caseworker (Vigo) and as PostGraphile's owner;
#   (B) one person by national id with the same fields;
#   (C) a school's roster page as the school (Vigo only: PostGraphile has no such gate);
#   (D) OT's target-group page as OT (Vigo only);
#   and one plain SQL statement building the JSON of A and of B (pgbench).
# Each round runs every system once, alternating their order; ROUNDS rounds per size. The
# query texts are the files in bench/peers/. Prints a table of req/s, p50 and p99 with the
# ratios, after checking that Vigo and PostGraphile return the same persons and records.
#
# Needs: a release build (cargo build --release -p vigo-api), PostgreSQL at 127.0.0.1:5432
# (user postgres), wrk, pgbench, Node.js and npm (PostGraphile is installed under
# bench/peers/node_modules on first use). MEMORY=300 also samples `vigo serve`'s memory over a
# 5-minute run of A at the largest size.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"10000 100000"}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-20s}
CLIENTS=${CLIENTS:-32}
PG=postgres://postgres@127.0.0.1:5432
DB=vigo_bench_peers
BIN=${CARGO_TARGET_DIR:-target}/release/vigo
PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | head -n 1)
PEERS=bench/peers
VIGO_PORT=18091
PGL_PORT=18092
WORK=$(mktemp -d)
RESULTS=${RESULTS:-$WORK/results.tsv}
trap 'kill "${SERVER:-0}" "${PGL:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ -x "$BIN" ] || { echo "no release build at $BIN: cargo build --release -p vigo-api" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [ ! -x "$PEERS/node_modules/.bin/postgraphile" ]; then
  (cd "$PEERS" && npm install --no-audit --no-fund --no-save postgraphile@4 >/dev/null)
fi

export VIGO_DATABASE_URL="$PG/$DB"
export VIGO_JWT_SECRET=bench-secret-bench-secret-bench-secret
export VIGO_LOG=warn
echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $CLIENTS connections, $DURATION per run, $ROUNDS rounds"
printf "size\tcase\tsystem\tround\treq_s\tp50_ms\tp99_ms\n" > "$RESULTS"

wait_for() { # url pid
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
    sleep 0.2
  done
  echo "the server at $1 did not answer" >&2; exit 1
}

# wrk's figures: req/s, p50 and p99 in ms.
wrk_figures() {
  awk '/Requests\/sec/ {rps=$2}
       $1=="50%" {p50=$2} $1=="99%" {p99=$2}
       /Non-2xx/ {bad=$NF}
       END {
         printf "%s\t%s\t%s\n", rps, to_ms(p50), to_ms(p99)
       }
       function to_ms(v,  n) {
         if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
         if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
         if (v ~ /s$/)  { sub(/s$/, "", v); return v * 1000 }
         return v
       }'
}

run_wrk() { # size case system round port query-file ids-file token
  local out
  out=$(QUERY_FILE=$6 IDS_FILE=$7 VIGO_BENCH_TOKEN=$8 wrk -t2 -c"$CLIENTS" -d"$DURATION" --latency \
    -s bench/graphql.lua "http://127.0.0.1:$5" 2>"$WORK/wrk.err")
  if [ -s "$WORK/wrk.err" ]; then
    echo "unexpected responses in $2 $3:" >&2; head -n 3 "$WORK/wrk.err" >&2; exit 1
  fi
  printf "%s\t%s\t%s\t%s\t%s\n" "$1" "$2" "$3" "$4" "$(echo "$out" | wrk_figures)" >> "$RESULTS"
}

run_pgbench() { # size case round sql-file
  rm -f "$WORK"/tx*
  local tps
  tps=$(cd "$WORK" && "$PGBENCH" -h 127.0.0.1 -U postgres -n -c "$CLIENTS" -j 2 -T "${DURATION%s}" \
    -D persons="$1" -f "$OLDPWD/$4" -l --log-prefix=tx "$DB" | awk '/^tps/ {print $3}')
  local lat
  lat=$(cat "$WORK"/tx* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%.2f\t%.2f", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}')
  printf "%s\t%s\tsql\t%s\t%s\t%s\n" "$1" "$2" "$3" "$tps" "$lat" >> "$RESULTS"
}

for size in $SIZES; do
  echo "== $size persons: seeding"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  "$BIN" seed --persons "$size" >/dev/null
  psql -h 127.0.0.1 -U postgres -d "$DB" -qc "VACUUM ANALYZE" >/dev/null
  psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT national_id FROM person ORDER BY random() LIMIT 5000" > "$WORK/ids"
  # The school with most pupils this school year.
  school=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT o.org_no FROM enrolment e JOIN organisation o ON o.id = e.school_id WHERE e.school_year = (SELECT max(school_year) FROM enrolment) GROUP BY o.org_no ORDER BY count(*) DESC LIMIT 1")

  "$BIN" serve --listen 127.0.0.1:$VIGO_PORT --rate-limit 1000000 &
  SERVER=$!
  "$PEERS/node_modules/.bin/postgraphile" -c "$PG/$DB" --host 127.0.0.1 --port $PGL_PORT \
    --dynamic-json --cluster-workers 2 --disable-query-log --disable-default-mutations >/dev/null 2>&1 &
  PGL=$!
  wait_for "http://127.0.0.1:$VIGO_PORT/health" "$SERVER"
  wait_for "http://127.0.0.1:$PGL_PORT/graphql" "$PGL"
  caseworker=$("$BIN" token --role caseworker --ttl 2h)
  school_token=$("$BIN" token --role school --org "$school" --ttl 2h)
  ot=$("$BIN" token --role ot --ttl 2h)

  # Both systems answer A and B with the same persons and records.
  python3 "$PEERS/same.py" "http://127.0.0.1:$VIGO_PORT/graphql" "$caseworker" \
    "http://127.0.0.1:$PGL_PORT/graphql" "$PEERS" "$(head -n 1 "$WORK/ids")"

  for round in $(seq 1 "$ROUNDS"); do
    echo "== $size persons: round $round"
    if [ $((round % 2)) -eq 1 ]; then order="vigo postgraphile sql"; else order="sql postgraphile vigo"; fi
    for system in $order; do
      case $system in
        vigo)
          run_wrk "$size" A vigo "$round" $VIGO_PORT "$PEERS/page.vigo.graphql" "" "$caseworker"
          run_wrk "$size" B vigo "$round" $VIGO_PORT "$PEERS/person.vigo.graphql" "$WORK/ids" "$caseworker"
          run_wrk "$size" C vigo "$round" $VIGO_PORT "$PEERS/page.vigo.graphql" "" "$school_token"
          run_wrk "$size" D vigo "$round" $VIGO_PORT "$PEERS/ot.vigo.graphql" "" "$ot" ;;
        postgraphile)
          run_wrk "$size" A postgraphile "$round" $PGL_PORT "$PEERS/page.postgraphile.graphql" "" ""
          run_wrk "$size" B postgraphile "$round" $PGL_PORT "$PEERS/person.postgraphile.graphql" "$WORK/ids" "" ;;
        sql)
          run_pgbench "$size" A "$round" "$PEERS/page.sql"
          run_pgbench "$size" B "$round" "$PEERS/person.sql" ;;
      esac
    done
  done

  if [ -n "${MEMORY:-}" ] && [ "$size" = "${SIZES##* }" ]; then
    echo "== $size persons: memory of vigo serve over ${MEMORY}s of A"
    (QUERY_FILE="$PEERS/page.vigo.graphql" IDS_FILE="" VIGO_BENCH_TOKEN="$caseworker" \
      wrk -t2 -c"$CLIENTS" -d"${MEMORY}s" -s bench/graphql.lua "http://127.0.0.1:$VIGO_PORT" >/dev/null 2>&1 &)
    for t in $(seq 0 30 "$MEMORY"); do
      echo "  t=${t}s rss=$(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"
      sleep 30
    done
  fi
  kill "$SERVER" "$PGL" 2>/dev/null || true
  wait "$SERVER" "$PGL" 2>/dev/null || true
done

python3 "$PEERS/report.py" "$RESULTS"
