#!/usr/bin/env bash
# What the audit trail costs (issue 5), with the shared harness and OpenSSH's sftp client:
#
#   bench/audit.sh smallfiles   1,000 x 4 KiB files in one session, the same jar three ways,
#                               interleaved run by run: the audit trail off (sftp.audit.enabled=false,
#                               which only the Spring profile bench accepts),
#                               on with every CLOSE waiting for its record to be fsync'd in the local
#                               journal (sftp.audit.durability=journal, the default with the embedded
#                               PostgreSQL), and on with every CLOSE waiting for the PostgreSQL commit
#                               (durability=database); then checks that every upload has its record
#                               in PostgreSQL and that the chain verifies
#   bench/audit.sh query        1,000,000 audit records (10,000 users, 30 days) in the embedded
#                               PostgreSQL, then GET /api/v1/audit?username=&from=&to= timed
#
# Environment: RUNS=5, BENCH_SCRATCH (reused if set, else created by the harness), PSQL=psql.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$REPO/../shared/bench}
OWN_SCRATCH=
if [ -z "${BENCH_SCRATCH:-}" ]; then
    eval "$("$HARNESS/run.sh" setup)"
    OWN_SCRATCH=$BENCH_SCRATCH   # tmpfs (RAM) with GiB of test data: removed when this run ends
fi
export BENCH_SCRATCH
RUNS=${RUNS:-5}
T=$BENCH_SCRATCH/targets

case "${1:-}" in
smallfiles)
    NAME=ferry-audit-journal JAVA_OPTS="-Xms256m -Xmx512m -Dsftp.audit.durability=journal" "$REPO/bench/ferry.sh" start 2320
    NAME=ferry-audit-off JAVA_OPTS="-Xms256m -Xmx512m -Dspring.profiles.active=bench -Dsftp.audit.enabled=false" "$REPO/bench/ferry.sh" start 2330
    NAME=ferry-audit-database JAVA_OPTS="-Xms256m -Xmx512m -Dsftp.audit.durability=database" "$REPO/bench/ferry.sh" start 2335
    trap 'for n in ferry-audit-journal ferry-audit-off ferry-audit-database; do NAME=$n "$REPO/bench/ferry.sh" stop; done; [ -z "$OWN_SCRATCH" ] || rm -rf "$OWN_SCRATCH"' EXIT
    for port in 2320 2330 2335; do   # the harness writes under REMOTE_DIR/bench
        echo "mkdir bench" | sftp -b - -P "$port" -F /dev/null -i "$BENCH_SCRATCH/keys/client_ed25519" \
            -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null bench@127.0.0.1 >/dev/null
    done
    export RESULTS=${RESULTS:-$REPO/bench/results/$(date -u +%Y-%m-%d)-audit-smallfiles.tsv} RUNS WARMUP=${WARMUP:-1}
    "$HARNESS/run.sh" -t "$T/ferry-audit-off.env" -t "$T/ferry-audit-journal.env" -t "$T/ferry-audit-database.env" smallfiles
    "$HARNESS/run.sh" summary ferry-audit-off
    # The records must all be there: an audit that is cheap because it lost records would not count.
    for port in 2321 2336; do
        uploads=$(curl -s -u admin:bench-admin-pw "http://127.0.0.1:$port/api/v1/audit?username=bench&type=UPLOAD&size=1" \
            | grep -o '"totalElements":[0-9]*' | cut -d: -f2)
        verify=$(curl -s -u admin:bench-admin-pw "http://127.0.0.1:$port/api/v1/audit/verify")
        echo "admin port $port: $uploads UPLOAD records of user bench in PostgreSQL; chain: $verify"
    done
    ;;
query)
    NAME=ferry-audit-query "$REPO/bench/ferry.sh" start 2340
    trap 'NAME=ferry-audit-query "$REPO/bench/ferry.sh" stop; [ -z "$OWN_SCRATCH" ] || rm -rf "$OWN_SCRATCH"' EXIT
    pgport=$(grep -o 'embedded PostgreSQL on 127.0.0.1:[0-9]*' "$BENCH_SCRATCH/ferry-audit-query/server.log" | tail -1 | cut -d: -f2)
    [ -n "$pgport" ] || { echo "no embedded PostgreSQL port in the log" >&2; exit 1; }
    start=$(date +%s.%N)
    ${PSQL:-psql} -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres <<'SQL'
insert into audit_events (ts, type, username, remote_address, session_id, path, bytes, status, prev_hash, hash)
select now() - (i % 2592000) * interval '1 second', (array['UPLOAD','DOWNLOAD','LOGIN','LOGOUT'])[1 + i % 4],
       'user' || (i % 10000), '203.0.113.' || (i % 250), md5(i::text), '/inbox/file-' || i || '.csv', i % 100000, 'OK',
       md5((i - 1)::text) || md5((i - 1)::text), md5(i::text) || md5(i::text)
from generate_series(1, 1000000) as i;
analyze audit_events;
SQL
    echo "inserted 1,000,000 records in $(echo "$(date +%s.%N) - $start" | bc) s"
    from=$(date -u -d '-7 days' +%Y-%m-%dT%H:%M:%SZ); to=$(date -u -d '-6 days' +%Y-%m-%dT%H:%M:%SZ)
    for run in $(seq "$RUNS"); do
        user="user$((RANDOM % 10000))"
        curl -s -o /dev/null -H 'Accept: application/json' -u admin:bench-admin-pw -w "query $run ($user, one day of 30): %{time_total} s, HTTP %{http_code}\n" \
            "http://127.0.0.1:2341/api/v1/audit?username=$user&from=$from&to=$to&size=50"
    done
    ${PSQL:-psql} -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -c "explain analyze select * from audit_events \
        where username = 'user42' and ts >= '$from' and ts < '$to' order by ts desc, id desc limit 50" | tail -4
    ;;
*)
    echo "usage: $0 smallfiles | query" >&2; exit 2 ;;
esac
