#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of the outbox claim statement (Outbox.CLAIM with limit 16, in a rolled-back
# transaction) before, during and after a 5,000-delivery webhook drain, as bench/events.sh throughput makes it.
# Run from anywhere: nice -n 10 bench/events/claim-explain.sh > bench/results/<tag>-claim-explain.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
eval "$(../shared/bench/run.sh setup)"
export BENCH_SCRATCH
NAME=ferry-ev-x JAVA_OPTS="-Xms256m -Xmx512m -Dsftp.events.allow-private-targets=true" bench/ferry.sh start 2330
KEY=$BENCH_SCRATCH/keys/client_ed25519
curl -sS -u admin:bench-admin-pw -H 'Content-Type: application/json' -d '{"name":"x","events":["UPLOAD"],"paths":["/tput/**"],"actions":[{"type":"webhook","url":"http://127.0.0.1:2346/","secret":"bench-secret-0123456789"}]}' http://127.0.0.1:2331/api/v1/event-rules >/dev/null
d=$BENCH_SCRATCH/data/tput; mkdir -p $d; for i in $(seq -w 1 5000); do head -c 4096 /dev/urandom > $d/t$i; done
printf 'put -r %s /tput\n' $d | sftp -b - -P 2330 -F /dev/null -i $KEY -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null bench@127.0.0.1 >/dev/null 2>&1
sleep 2
pg=$(grep -o 'embedded PostgreSQL on 127.0.0.1:[0-9]*' $BENCH_SCRATCH/ferry-ev-x/server.log | tail -1 | cut -d: -f2)
# The claim as Outbox.CLAIM has it (heads of each file's queue by DISTINCT ON), limit 16 and a 120 s lease;
# Q_OLD is the claim before V20 (a NOT EXISTS order check per candidate), explained once on the same backlog.
Q="with heads as (select distinct on (rule_id, action_index, order_key) id, next_attempt_at, lease_until from event_deliveries where status = 'pending' order by rule_id, action_index, order_key, id), candidates as (select id from heads where next_attempt_at <= now() and (lease_until is null or lease_until < now()) order by next_attempt_at, id limit 16), due as (select d.id from event_deliveries d join candidates c on c.id = d.id where d.status = 'pending' and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now()) for update of d skip locked) update event_deliveries d set lease_until = now() + make_interval(secs => 120), attempts = d.attempts + 1 from due, event_rules r where d.id = due.id and r.id = d.rule_id returning d.id"
Q_OLD="with due as (select d.id from event_deliveries d where d.status = 'pending' and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now()) and not exists (select 1 from event_deliveries e where e.status = 'pending' and e.rule_id = d.rule_id and e.action_index = d.action_index and e.order_key = d.order_key and e.id < d.id) order by d.next_attempt_at, d.id limit 16 for update of d skip locked) update event_deliveries d set lease_until = now() + make_interval(secs => 120), attempts = d.attempts + 1 from due, event_rules r where d.id = due.id and r.id = d.rule_id returning d.id"
ex() { echo "== $1 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"; psql -qAt -h 127.0.0.1 -p $pg -U postgres -d postgres -c "select status, count(*) from event_deliveries group by 1" ; printf 'begin;\nexplain (analyze, buffers) %s;\nrollback;\n' "${2:-$Q}" | psql -q -h 127.0.0.1 -p $pg -U postgres -d postgres | grep -E "Execution Time|Planning Time|Index Scan|Seq Scan|Unique|Sort|Buffers|Rows Removed|Heap Fetches|Limit" | head -22; printf 'begin;\nexplain (analyze) %s;\nrollback;\n' "${2:-$Q}" | psql -q -h 127.0.0.1 -p $pg -U postgres -d postgres | grep "Execution Time"; }
ex "pending backlog, receiver down (every row failed and rescheduled at least once)"
ex "the same backlog, the claim before V20 (Q_OLD)" "$Q_OLD"
# The receiver first, then every pending delivery due at once (the other way round, a worker fast enough
# fails many again before the receiver listens, and they wait out a backoff of up to a minute).
PORT=2346 OUT=/dev/null node bench/events/receiver.js >/dev/null 2>&1 & RP=$!
sleep 0.5
curl -sS -u admin:bench-admin-pw -X POST "http://127.0.0.1:2331/api/v1/event-deliveries/retry?status=pending"; echo
sleep 0.5; ex "draining, 0.5 s after the retry"
sleep 0.5; ex "draining, 1 s after"
for _ in $(seq 60); do n=$(psql -qAt -h 127.0.0.1 -p $pg -U postgres -d postgres -c "select count(*) from event_deliveries where status='pending'"); [ "$n" = 0 ] && break; sleep 1; done
ex "drained"
psql -qAt -h 127.0.0.1 -p $pg -U postgres -d postgres -c "select round((count(*)-1)/extract(epoch from max(delivered_at)-min(delivered_at))::numeric) || ' events/s this run' from event_deliveries where status='delivered'"
kill $RP; NAME=ferry-ev-x bench/ferry.sh stop; rm -rf $BENCH_SCRATCH
