#!/usr/bin/env bash
# What file events cost and deliver (issue 15), with the shared harness, OpenSSH's sftp client and a
# local webhook receiver (bench/events/receiver.js, node: answers 204, records arrival time, event id, path):
#
#   bench/events.sh ceiling      the receiver alone under bench/events/loadgen.js (4 and 16 connections)
#   bench/events.sh smallfiles   1,000 x 4 KiB files in one sftp session, interleaved run by run, on
#                                two instances of the same jar: no rule vs a rule matching every upload
#                                (UPLOAD under /bench/**, webhook to the receiver); then checks that
#                                every upload of the rule's instance was delivered
#   bench/events.sh throughput   N (default 5,000) 4 KiB uploads while the rule's webhook receiver is down,
#                                so the deliveries pile up pending; then the receiver starts, the pending
#                                deliveries are made due at once (POST /event-deliveries/retry?status=pending)
#                                and the receiver's first to last arrival gives events/s
#   bench/events.sh latency      LAT_N (default 300) files one at a time in one paramiko session, 100-300 ms
#                                apart: CLOSE confirmed -> the receiver's arrival, median and p99
#   bench/events.sh kafka        the same N through a Kafka action to spring-kafka-test's KRaft broker (see cmd_kafka)
#   bench/events.sh all          the five in a row
#
# Environment: RUNS=5, N=5000, LAT_N=300, BENCH_SCRATCH (reused if set, else created by the harness),
#   DEFERRED=1 adds to smallfiles a third instance with the rule whose worker polls hourly (queued, not sent),
#   EVENTS_OPTS extra JVM options of the instances with rules (e.g. -Dsftp.events.per-endpoint=16),
#   RESULTS_DIR (default bench/results), TAG (default <date>-events) names the raw files there.
# Ports: sftp 2320 (no rule), 2330 (rules), 2335 (Kafka), admin API +1, receivers 2345 and 2346; the
# Kafka broker takes a free port. Needs node, psql, /usr/bin/python3 with paramiko, and ~/.m2 for Kafka.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$REPO/../shared/bench}
OWN_SCRATCH=
if [ -z "${BENCH_SCRATCH:-}" ]; then
    eval "$("$HARNESS/run.sh" setup)"
    OWN_SCRATCH=$BENCH_SCRATCH   # tmpfs (RAM) with test data: removed when this run ends
fi
export BENCH_SCRATCH
RUNS=${RUNS:-5} N=${N:-5000} LAT_N=${LAT_N:-300}
T=$BENCH_SCRATCH/targets
EV=$REPO/bench/events
OUT=${RESULTS_DIR:-$REPO/bench/results}
TAG=${TAG:-$(date -u +%Y-%m-%d)-events}
AUTH=admin:bench-admin-pw
API=http://127.0.0.1:2331/api/v1   # the instance with rules; ferry-ev-kafka's is 2336
KEY=$BENCH_SCRATCH/keys/client_ed25519
SSHOPTS=(-F /dev/null -i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null)
RULE_OPTS="-Xms256m -Xmx512m -Dsftp.events.allow-private-targets=true ${EVENTS_OPTS:-}"
mkdir -p "$OUT"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

STARTED=()      # "ferry:NAME" or "pid:PID", stopped on exit
cleanup() {
    local s
    for s in "${STARTED[@]}"; do
        case $s in
        ferry:*) NAME=${s#ferry:} "$REPO/bench/ferry.sh" stop || true ;;
        pid:*) kill -TERM "${s#pid:}" 2>/dev/null && wait "${s#pid:}" 2>/dev/null || true ;;
        esac
    done
    [ -z "$OWN_SCRATCH" ] || rm -rf "$OWN_SCRATCH"
}
trap cleanup EXIT

receiver() { # PORT OUTFILE -> starts it, echoes nothing; its PID is the last in STARTED
    PORT=$1 OUT=$2 node "$EV/receiver.js" >>"$BENCH_SCRATCH/receiver-$1.log" 2>&1 &
    STARTED+=("pid:$!")
    for _ in $(seq 50); do grep -q listening "$BENCH_SCRATCH/receiver-$1.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "receiver on $1 did not start" >&2; exit 1
}
stop_receiver() { # PORT: the receiver writes its arrivals on SIGTERM
    local i s
    for i in "${!STARTED[@]}"; do
        s=${STARTED[$i]}
        [[ $s == pid:* ]] || continue
        if grep -qa "PORT=$1" "/proc/${s#pid:}/environ" 2>/dev/null; then kill -TERM "${s#pid:}"; wait "${s#pid:}" 2>/dev/null || true; unset "STARTED[$i]"; fi
    done
}
start_ferry() { # NAME PORT JAVA_OPTS
    NAME=$1 JAVA_OPTS=$3 "$REPO/bench/ferry.sh" start "$2"
    STARTED+=("ferry:$1")
    echo "mkdir bench" | sftp -b - -P "$2" "${SSHOPTS[@]}" bench@127.0.0.1 >/dev/null
}
rule() { # JSON [API] -> rule id
    local body
    body=$(curl -sS -u "$AUTH" -H 'Content-Type: application/json' -d "$1" "${2:-$API}/event-rules")
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$body" 2>/dev/null || { echo "creating rule: $body" >&2; exit 1; }
}
count() { # RULE STATUS -> number of deliveries
    curl -fsS -u "$AUTH" "$API/event-deliveries?rule=$1&status=$2&size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalElements"])'
}
wait_delivered() { # RULE EXPECTED TIMEOUT_S
    local n
    for _ in $(seq $(($3 * 2))); do
        n=$(count "$1" delivered); [ "$n" -ge "$2" ] && return 0; sleep 0.5
    done
    log "rule $1: only $n of $2 delivered after $3 s"; return 1
}
meta() {
    { echo "== $1 $(date -u +%FT%TZ)"; echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; echo "jar: $(git -C "$REPO" rev-parse --short HEAD) $(sha256sum "$REPO/target/ferry.jar" | cut -c1-12)";
      echo "rule instance JAVA_OPTS: $RULE_OPTS"; } >>"$OUT/$TAG.meta.txt"
}

cmd_ceiling() {
    meta ceiling
    receiver 2345 "$BENCH_SCRATCH/ceiling-arrivals.txt"
    for c in 4 16; do node "$EV/loadgen.js" http://127.0.0.1:2345/ 20000 "$c" | tee -a "$OUT/$TAG.ceiling.txt"; done
    stop_receiver 2345
}

cmd_smallfiles() {
    meta smallfiles
    receiver 2345 "$OUT/$TAG.smallfiles-arrivals.txt"
    start_ferry ferry-ev-off 2320 "-Xms256m -Xmx512m"
    start_ferry ferry-ev-rule 2330 "$RULE_OPTS"
    id=$(rule '{"name":"bench-smallfiles","events":["UPLOAD"],"paths":["/bench/**"],"actions":[{"type":"webhook","url":"http://127.0.0.1:2345/","secret":"bench-secret-0123456789"}]}')
    log "rule $id on ferry-ev-rule"
    targets=(-t "$T/ferry-ev-off.env" -t "$T/ferry-ev-rule.env")
    if [ -n "${DEFERRED:-}" ]; then
        # The same rule on a third instance whose worker polls once an hour: the deliveries are queued
        # by the trigger but not sent during the runs, which splits queueing from sending.
        start_ferry ferry-ev-deferred 2325 "$RULE_OPTS -Dsftp.events.poll-interval=1h"
        rule '{"name":"bench-smallfiles","events":["UPLOAD"],"paths":["/bench/**"],"actions":[{"type":"webhook","url":"http://127.0.0.1:2345/","secret":"bench-secret-0123456789"}]}' \
            http://127.0.0.1:2326/api/v1 >/dev/null
        targets+=(-t "$T/ferry-ev-deferred.env")
    fi
    RESULTS=$OUT/$TAG.smallfiles.tsv RUNS=$RUNS WARMUP=${WARMUP:-1} "$HARNESS/run.sh" "${targets[@]}" smallfiles
    RESULTS=$OUT/$TAG.smallfiles.tsv "$HARNESS/run.sh" summary ferry-ev-off | tee "$OUT/$TAG.smallfiles.summary.md"
    expected=$(((RUNS + ${WARMUP:-1}) * 1000))
    wait_delivered "$id" "$expected" 120 || true
    echo "rule instance: $(count "$id" delivered) deliveries delivered, $(count "$id" pending) pending, $(count "$id" dead) dead; expected $expected" \
        | tee -a "$OUT/$TAG.smallfiles.summary.md"
    for n in ferry-ev-off ferry-ev-deferred; do
        [ -f "$BENCH_SCRATCH/$n/server.pid" ] && { NAME=$n "$REPO/bench/ferry.sh" stop; STARTED=("${STARTED[@]/ferry:$n/}"); }
    done
    stop_receiver 2345
}

ensure_rule_instance() {
    [ -f "$BENCH_SCRATCH/ferry-ev-rule/server.pid" ] && kill -0 "$(cat "$BENCH_SCRATCH/ferry-ev-rule/server.pid")" 2>/dev/null && return 0
    start_ferry ferry-ev-rule 2330 "$RULE_OPTS"
}

cmd_throughput() {
    meta "throughput N=$N"
    ensure_rule_instance
    id=$(rule '{"name":"bench-throughput","events":["UPLOAD"],"paths":["/tput/**"],"actions":[{"type":"webhook","url":"http://127.0.0.1:2346/","secret":"bench-secret-0123456789"}]}')
    d=$BENCH_SCRATCH/data/tput; mkdir -p "$d"
    for i in $(seq -w 1 "$N"); do [ -f "$d/t$i" ] || head -c 4096 /dev/urandom >"$d/t$i"; done
    log "uploading $N files; the receiver on 2346 is down"
    s=$(date +%s.%N)
    printf 'put -r %s /tput\n' "$d" | sftp -b - -P 2330 "${SSHOPTS[@]}" bench@127.0.0.1 >/dev/null
    log "uploaded in $(echo "$(date +%s.%N) - $s" | bc) s; pending: $(count "$id" pending), delivered: $(count "$id" delivered)"
    sleep 2   # the journal's last records shipped and queued
    pending=$(count "$id" pending)
    receiver 2346 "$OUT/$TAG.throughput-arrivals.txt"
    retried=$(curl -fsS -u "$AUTH" -X POST "$API/event-deliveries/retry?rule=$id&status=pending")
    log "receiver up; $pending pending, retry: $retried"
    threads ferry-ev-rule "$OUT/$TAG.throughput-threads.txt"
    wait_delivered "$id" "$N" 600 || true
    stop_receiver 2346
    { echo "N=$N pending before the receiver started: $pending; delivered: $(count "$id" delivered), dead: $(count "$id" dead)";
      python3 "$EV/analyse.py" throughput "$OUT/$TAG.throughput-arrivals.txt" /tput/; db_rate ferry-ev-rule "$id"; } | tee -a "$OUT/$TAG.throughput.txt"
}

# Where the delivery threads are while a backlog drains: three thread dumps 1 s apart; per ferry-events-*
# thread, what it waits for (the per-endpoint semaphore, the receiver's or broker's answer, the database,
# nothing to do) and its innermost Ferry frame, counted.
threads() { # INSTANCE OUTFILE
    for _ in 1 2 3; do sleep 1; jstack "$(cat "$BENCH_SCRATCH/$1/server.pid")" 2>/dev/null; done | awk '
        function flush() { if (name != "") { w = "running"; if (s ~ /Semaphore/) w = "per-endpoint semaphore";
            else if (s ~ /getTask/) w = "idle (no due delivery)"; else if (s ~ /(Future|Completable).*get|FutureRecordMetadata/) w = "waiting for the Kafka ack";
            else if (s ~ /SocketInputStream|NioSocketImpl|SocketDispatcher/ && s ~ /postgresql/) w = "in PostgreSQL";
            else if (s ~ /SocketInputStream|NioSocketImpl|SocketDispatcher/) w = "waiting for the HTTP answer";
            else if (s ~ /Object.wait/) w = "poller waiting (poll interval)";
            print name ": " w " @ " f } name = ""; s = ""; f = "" }
        /^"ferry-events-/ { flush(); name = ($0 ~ /poller/) ? "poller" : "sender"; next }
        /^$/ { flush(); next }
        name != "" && /at / { s = s " " $2; if (f == "" && $2 ~ /^dev\.ferry/) { f = $2; sub(/\(.*/, "", f) } }
        END { flush() }' | sort | uniq -c | sort -rn >"$2" || true
}

db_rate() { # INSTANCE RULE -> deliveries delivered, first to last delivered_at, events/s (from Ferry's own outbox)
    local pg
    pg=$(grep -o 'embedded PostgreSQL on 127.0.0.1:[0-9]*' "$BENCH_SCRATCH/$1/server.log" | tail -1 | cut -d: -f2)
    psql -qAt -h 127.0.0.1 -p "$pg" -U postgres -d postgres -c "select count(*) || ' delivered, first to last delivered_at ' ||
        round(extract(epoch from max(delivered_at) - min(delivered_at))::numeric, 3) || ' s: ' ||
        round((count(*) - 1) / nullif(extract(epoch from max(delivered_at) - min(delivered_at)), 0)::numeric) || ' events/s (Ferry outbox)'
        from event_deliveries where rule_id = $2 and status = 'delivered'"
}

# Kafka: the broker EventsKafkaIT uses (spring-kafka-test's KRaft broker, bench/events/KafkaBroker.java on the
# test classpath), a third instance started with its address. The N deliveries pile up pending behind a
# webhook to a closed port (2347); the rule is then changed to a Kafka action (a pending delivery is sent
# with its rule's action as it is at that time) and the pending ones are made due: Ferry's delivered_at
# timestamps give events/s (delivered = acknowledged by the broker, acks=all).
cmd_kafka() {
    meta "kafka N=$N"
    local api=http://127.0.0.1:2336/api/v1 cp=$BENCH_SCRATCH/test-classpath.txt
    (cd "$REPO" && mvn -B -ntp -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >/dev/null)
    java -Xms256m -Xmx512m -cp "$(cat "$cp")" "$EV/KafkaBroker.java" 0 ferry-events "${PARTITIONS:-3}" >"$BENCH_SCRATCH/kafka.log" 2>&1 &
    STARTED+=("pid:$!")
    for _ in $(seq 120); do grep -q "kafka up" "$BENCH_SCRATCH/kafka.log" && break; sleep 1; done
    brokers=$(grep -o 'kafka up .*' "$BENCH_SCRATCH/kafka.log" | cut -d' ' -f3)
    [ -n "$brokers" ] || { tail -20 "$BENCH_SCRATCH/kafka.log" >&2; exit 1; }
    log "kafka broker at $brokers"
    start_ferry ferry-ev-kafka 2335 "$RULE_OPTS -Dsftp.events.kafka.bootstrap-servers=$brokers"
    body=$(curl -sS -u "$AUTH" -H 'Content-Type: application/json' \
        -d '{"name":"bench-kafka","events":["UPLOAD"],"paths":["/kafka/**"],"actions":[{"type":"webhook","url":"http://127.0.0.1:2347/","secret":"bench-secret-0123456789"}]}' "$api/event-rules")
    id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$body") || { echo "$body" >&2; exit 1; }
    d=$BENCH_SCRATCH/data/tput; mkdir -p "$d"
    for i in $(seq -w 1 "$N"); do [ -f "$d/t$i" ] || head -c 4096 /dev/urandom >"$d/t$i"; done
    log "uploading $N files; their webhook (port 2347) is closed"
    printf 'put -r %s /kafka\n' "$d" | sftp -b - -P 2335 "${SSHOPTS[@]}" bench@127.0.0.1 >/dev/null
    sleep 2
    code=$(curl -sS -o "$BENCH_SCRATCH/put.json" -w '%{http_code}' -u "$AUTH" -X PUT -H 'Content-Type: application/json' \
        -d '{"name":"bench-kafka","events":["UPLOAD"],"paths":["/kafka/**"],"actions":[{"type":"kafka","topic":"ferry-events"}]}' "$api/event-rules/$id")
    [ "$code" = 200 ] || { cat "$BENCH_SCRATCH/put.json" >&2; exit 1; }
    pending=$(curl -fsS -u "$AUTH" "$api/event-deliveries?rule=$id&status=pending&size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalElements"])')
    retried=$(curl -fsS -u "$AUTH" -X POST "$api/event-deliveries/retry?rule=$id&status=pending")
    log "rule now a kafka action; $pending pending, retry: $retried"
    threads ferry-ev-kafka "$OUT/$TAG.kafka-threads.txt"
    for _ in $(seq 1200); do
        n=$(curl -fsS -u "$AUTH" "$api/event-deliveries?rule=$id&status=delivered&size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalElements"])')
        [ "$n" -ge "$N" ] && break; sleep 0.5
    done
    { echo "kafka N=$N pending before the switch: $pending; partitions ${PARTITIONS:-3}"; db_rate ferry-ev-kafka "$id";
      for c in 4 16; do java -Xmx256m -cp "$(cat "$cp")" "$EV/KafkaProbe.java" "$brokers" ferry-events "$N" "$c" 2>>"$BENCH_SCRATCH/probe.log" | grep 'kafka probe'; done
    } | tee -a "$OUT/$TAG.kafka.txt"
}

cmd_latency() {
    meta "latency LAT_N=$LAT_N"
    ensure_rule_instance
    receiver 2345 "$OUT/$TAG.latency-arrivals.txt"
    id=$(rule '{"name":"bench-latency","events":["UPLOAD"],"paths":["/lat/**"],"actions":[{"type":"webhook","url":"http://127.0.0.1:2345/","secret":"bench-secret-0123456789"}]}')
    /usr/bin/python3 "$EV/latency.py" 127.0.0.1 2330 bench "$KEY" /lat "$LAT_N" >"$OUT/$TAG.latency-closes.txt"
    wait_delivered "$id" "$LAT_N" 60 || true
    stop_receiver 2345
    python3 "$EV/analyse.py" latency "$OUT/$TAG.latency-arrivals.txt" "$OUT/$TAG.latency-closes.txt" | tee -a "$OUT/$TAG.latency.txt"
}

[ $# -gt 0 ] || set -- usage
for c in "$@"; do case "$c" in
ceiling) cmd_ceiling ;;
smallfiles) cmd_smallfiles ;;
throughput) cmd_throughput ;;
latency) cmd_latency ;;
kafka) cmd_kafka ;;
all) cmd_ceiling; cmd_smallfiles; cmd_throughput; cmd_latency; cmd_kafka ;;
*) echo "usage: $0 ceiling | smallfiles | throughput | latency | kafka | all (several in a row allowed)" >&2; exit 2 ;;
esac; done
