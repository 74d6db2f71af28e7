#!/usr/bin/env bash
# Same-run A/B of two Ferry jars (before and after a change) with OpenSSH's sshd as the yardstick,
# with the shared harness (../shared/bench): one scratch on tmpfs, the three servers started fresh
# side by side, then PASSES passes of TESTS in which the two jars swap places (odd passes
# openssh, before, after; even passes openssh, after, before), so neither always runs right after
# OpenSSH. The first pass has one warm-up run. Raw rows in $OUT.tsv, load per pass in $OUT.meta.txt;
# bench/ab_stats.py ferry-before ferry-after $OUT.tsv  gives the paired ratios.
#
#   BEFORE_JAR=/tmp/ferry-before.jar AFTER_JAR=/tmp/ferry-after.jar OUT=bench/results/TAG bench/ab.sh
#
# Environment (defaults): RUNS=3 (per pass) PASSES=4 TESTS="throughput smallfiles logins"
#   ports 2300 (OpenSSH), 2310 (before), 2312 (after); aes128-gcm; LOGIN_N=50 LOGIN_CONC=20 LOGIN_PER=5.
# It does not wait for a quiet machine: the load of every row is in the TSV.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
export HARNESS=${HARNESS:-$REPO/../shared/bench}; H=$HARNESS/run.sh
OUT=${OUT:?OUT=bench/results/TAG}; META=$OUT.meta.txt
BEFORE_JAR=${BEFORE_JAR:?} AFTER_JAR=${AFTER_JAR:?}
eval "$("$H" setup)"; export BENCH_SCRATCH; T=$BENCH_SCRATCH/targets
. bench/openssh.sh
stop_all() {
    NAME=ferry-before bench/ferry.sh stop || true
    NAME=ferry-after bench/ferry.sh stop || true
    "$HARNESS/servers/openssh.sh" stop || true
    rm -rf "$BENCH_SCRATCH"
}
trap stop_all EXIT
openssh_start 2300
NAME=ferry-before FERRY_JAR=$BEFORE_JAR bench/ferry.sh start 2310
NAME=ferry-after FERRY_JAR=$AFTER_JAR bench/ferry.sh start 2312
export RUNS=${RUNS:-3} CIPHERS=aes128-gcm@openssh.com CIPHER=aes128-gcm@openssh.com \
    LOGIN_N=50 LOGIN_CONC=20 LOGIN_PER=5 CONC_N=50
{
    echo "start $(date -u +%FT%TZ) $(uname -n) nproc=$(nproc) RUNS=$RUNS/pass PASSES=${PASSES:-4} TESTS=${TESTS:-throughput smallfiles logins}"
    echo "before=$BEFORE_JAR $(sha256sum "$BEFORE_JAR" | cut -c1-16) after=$AFTER_JAR $(sha256sum "$AFTER_JAR" | cut -c1-16)" \
        "JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m} java=$(java -version 2>&1 | head -1)"
    for f in openssh ferry-before ferry-after; do echo "$f $(grep -E '^(PORT|SERVER_PID)=' "$T/$f.env" | tr '\n' ' ')"; done
    echo "load at start: $(cat /proc/loadavg)"
} >>"$META"
"$H" -t "$T/openssh.env" -t "$T/ferry-before.env" -t "$T/ferry-after.env" prep
for ((p = 1; p <= ${PASSES:-4}; p++)); do
    if [ $((p % 2)) = 1 ]; then TS=(-t "$T/openssh.env" -t "$T/ferry-before.env" -t "$T/ferry-after.env"); o=before,after
    else TS=(-t "$T/openssh.env" -t "$T/ferry-after.env" -t "$T/ferry-before.env"); o=after,before; fi
    W=0; [ $p = 1 ] && W=1
    for t in ${TESTS:-throughput smallfiles logins}; do
        echo "pass $p ($o) $t: $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"
        WARMUP=$W RESULTS=$OUT.tsv "$H" "${TS[@]}" "$t"
    done
done
{
    for f in ferry-before ferry-after; do
        pid=$(sed -n 's/^SERVER_PID=//p' "$T/$f.env")
        echo "$f JVM pid $pid: $(grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
    done
    echo "end $(date -u +%FT%TZ) load $(cat /proc/loadavg)"
} >>"$META"
