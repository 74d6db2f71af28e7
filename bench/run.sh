#!/usr/bin/env bash
# Ferry vs OpenSSH sshd (internal-sftp) with the shared client-side harness (../shared/bench from
# the repo root), interleaved run by run (openssh ferry openssh ferry ...), so ratios are paired.
#
#   bench/run.sh            # RUNS=3; results in bench/results/$TAG.{tsv,meta.txt,summary.md}
#
# Steps: wait for a quiet machine (1-min load < LOAD_MAX, at most LOAD_WAIT s), harness scratch on
# tmpfs (keys, 1 GiB / 20 MiB / 1000 x 4 KiB data), start both servers fresh, then the harness
# subcommands in $TESTS against both targets, a memory breakdown of Ferry, the summary, and stop.
#
# Environment (defaults): RUNS=3 WARMUP=1 OPENSSH_PORT=2300 FERRY_PORT=2310 (+1 for its HTTP API)
#   CIPHERS="aes128-gcm@openssh.com chacha20-poly1305@openssh.com" LOGIN_N=50 LOGIN_CONC=20
#   LOGIN_PER=5 CONC_N=50 LOAD_MAX=1.0 LOAD_WAIT=1200 TESTS="prep logins throughput smallfiles
#   concurrent" TAG=<utc date-time> JAVA_OPTS (Ferry, see ferry.sh) BENCH_SCRATCH (reused if set)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$REPO/../shared/bench}
H=$HARNESS/run.sh
[ -x "$H" ] || { echo "harness not found at $HARNESS (expected ../shared/bench from the repo root)" >&2; exit 1; }

export RUNS=${RUNS:-3} WARMUP=${WARMUP:-1}
export CIPHERS=${CIPHERS:-"aes128-gcm@openssh.com chacha20-poly1305@openssh.com"}
export CIPHER=aes128-gcm@openssh.com
export LOGIN_N=${LOGIN_N:-50} LOGIN_CONC=${LOGIN_CONC:-20} LOGIN_PER=${LOGIN_PER:-5} CONC_N=${CONC_N:-50}
OPENSSH_PORT=${OPENSSH_PORT:-2300} FERRY_PORT=${FERRY_PORT:-2310}
LOAD_MAX=${LOAD_MAX:-1.0} LOAD_WAIT=${LOAD_WAIT:-1200}
TESTS=${TESTS:-"prep logins throughput smallfiles concurrent"}
TAG=${TAG:-$(date -u +%F-%H%M)}
mkdir -p "$REPO/bench/results"
OUT=$REPO/bench/results/$TAG
export RESULTS=$OUT.tsv
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# Other people's test suites share this machine: wait (bounded) for the 1-min load to drop.
waited=0
while awk -v l="$(load1)" -v m="$LOAD_MAX" 'BEGIN{exit !(l >= m)}' && [ "$waited" -lt "$LOAD_WAIT" ]; do
    log "load $(load1) >= $LOAD_MAX, waiting ($waited/$LOAD_WAIT s)"; sleep 30; waited=$((waited + 30))
done
log "starting at load $(load1)"

OWN_SCRATCH=
if [ -z "${BENCH_SCRATCH:-}" ] || [ ! -d "$BENCH_SCRATCH" ]; then eval "$("$H" setup)"; OWN_SCRATCH=$BENCH_SCRATCH; fi
export BENCH_SCRATCH
[ -f "$REPO/target/ferry.jar" ] || (cd "$REPO" && mvn -q -o -DskipTests package)
for p in "$OPENSSH_PORT" "$FERRY_PORT" $((FERRY_PORT + 1)); do
    ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "port $p is in use" >&2; exit 1; }
done

# The harness samples server CPU/RSS with lib/procmon.py (run by $PY). With 100 busy client
# processes on 2 vCPUs (concurrent test) an ordinary-priority sampler starts late or not at all
# before a short run ends; a higher-priority python keeps the samples on time for both servers.
if [ -z "${PY:-}" ] && [ "$(id -u)" = 0 ]; then
    printf '#!/bin/sh\nexec nice -n -10 python3 "$@"\n' >"$BENCH_SCRATCH/py-prio"
    chmod +x "$BENCH_SCRATCH/py-prio"; export PY=$BENCH_SCRATCH/py-prio
fi

stop_all() {
    "$REPO/bench/ferry.sh" stop || true
    "$HARNESS/servers/openssh.sh" stop || true
    # The scratch is on tmpfs (RAM) and holds GiB of test data: a scratch this run made goes with it.
    [ -z "$OWN_SCRATCH" ] || rm -rf "$OWN_SCRATCH"
}
trap stop_all EXIT
. "$REPO/bench/openssh.sh"
openssh_start "$OPENSSH_PORT"
"$REPO/bench/ferry.sh" start "$FERRY_PORT"
FERRY_PID=$(sed -n "s/^SERVER_PID=//p" "$BENCH_SCRATCH/targets/ferry.env")
TARGETS=(-t "$BENCH_SCRATCH/targets/openssh.env" -t "$BENCH_SCRATCH/targets/ferry.env")

# PostgreSQL sessions (connections) opened, from pg_stat_database of Ferry's embedded PostgreSQL:
# shows that every login really goes to the database (needs psql; "?" without it).
PG_PORT=$(tr '\0' ' ' </proc/"$(pgrep -P "$FERRY_PID" postgres | head -1)"/cmdline | sed -E 's/.* -p ([0-9]+).*/\1/')
pg_sessions() {
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atc 'select sum(sessions) from pg_stat_database' 2>/dev/null || echo "?"
}
{
    echo "tag=$TAG start=$(date -u +%FT%TZ) host=$(uname -n) kernel=$(uname -r) nproc=$(nproc)"
    echo "RUNS=$RUNS WARMUP=$WARMUP CIPHERS=$CIPHERS LOGIN_N=$LOGIN_N LOGIN_CONC=$LOGIN_CONC LOGIN_PER=$LOGIN_PER CONC_N=$CONC_N"
    echo "JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m} ferry commit=$(git -C "$REPO" rev-parse --short HEAD)"
    echo "load before: $(cat /proc/loadavg) (waited ${waited}s)"
} >"$OUT.meta.txt"

for t in $TESTS; do
    s0=$(pg_sessions)
    "$H" "${TARGETS[@]}" "$t" || log "harness $t exited with $?"
    echo "after $t: load $(cat /proc/loadavg); ferry PostgreSQL sessions opened: $s0 -> $(pg_sessions)" >>"$OUT.meta.txt"
done

# Memory of the Ferry tree after the runs: JVM alone (peak = VmHWM) vs the PostgreSQL under it.
{
    echo "ferry JVM pid $FERRY_PID: $(grep -E 'VmHWM|VmRSS' /proc/"$FERRY_PID"/status | tr -s ' \t' ' ' | tr '\n' ' ')"
    echo "ferry tree (rss_kb pss_kb nproc cpu_s): $(python3 "$HARNESS/lib/procmon.py" snapshot "$FERRY_PID")"
    for c in $(pgrep -P "$FERRY_PID" postgres); do
        echo "postgres tree $c (rss_kb pss_kb nproc cpu_s): $(python3 "$HARNESS/lib/procmon.py" snapshot "$c")"
    done
    jcmd "$FERRY_PID" GC.heap_info 2>&1 | sed 's/^/  /'
    echo "end=$(date -u +%FT%TZ) load after: $(cat /proc/loadavg)"
} >>"$OUT.meta.txt" 2>&1
"$H" summary openssh | tee "$OUT.summary.md"
