#!/usr/bin/env bash
# Whether a person outside a school's scope can be told from one who does not exist by the
# time `person(nationalId)` takes: alternates the two look-ups N times over one keep-alive
# connection and reports medians and how often the best timing threshold tells them apart
# (50 % is chance). Needs a release build (`cargo build --release -p vigo-api`), PostgreSQL at
# 127.0.0.1:5432 and python3. PERSONS=10000 N=1000 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
VIGO="${CARGO_TARGET_DIR:-target}/release/vigo"
PERSONS="${PERSONS:-10000}"
N="${N:-1000}"
DB=vigo_bench_existence
export VIGO_JWT_SECRET=existence-bench-secret-existence-bench
export VIGO_RATE_LIMIT=1000000
export VIGO_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
psql_() { psql -h 127.0.0.1 -U postgres "$DB" -Atc "$1"; }
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
"$VIGO" seed --persons "$PERSONS" >/dev/null
psql_ "ANALYZE" >/dev/null
YEAR=$(psql_ "select max(school_year) from enrolment")
ORG=$(psql_ "select o.org_no from organisation o join enrolment e on e.school_id = o.id where e.school_year = $YEAR group by o.org_no order by count(*) desc limit 1")
OUTSIDE=$(psql_ "select p.national_id from person p
  where p.id not in (select e.person_id from enrolment e join organisation o on o.id = e.school_id where o.org_no = '$ORG')
    and p.id not in (select a.person_id from application a join application_wish w on w.application_id = a.id
                     join organisation o on o.id = w.school_id where o.org_no = '$ORG')
  order by p.id limit 1")
ABSENT=17856210014 # a valid synthetic number (month + 80) the generator does not issue
[ "$(psql_ "select count(*) from person where national_id = '$ABSENT'")" = 0 ]
TOKEN=$("$VIGO" token --role school --org "$ORG")
"$VIGO" serve --listen 127.0.0.1:18093 >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18093/health >/dev/null && break; sleep 0.2; done
python3 bench/existence.py 18093 "$TOKEN" "$OUTSIDE" "$ABSENT" "$N"
