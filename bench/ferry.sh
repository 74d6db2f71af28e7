#!/usr/bin/env bash
# Ferry as a benchmark target for the shared harness (../shared/bench from the repo root).
#
#   bench/ferry.sh start [PORT]   (default 2310; the admin API listens on PORT+1)
#   bench/ferry.sh stop
#
# start runs target/ferry.jar in $BENCH_SCRATCH/$NAME (./data/pg and ./data/files there, emptied first),
# waits for /actuator/health, creates the user `bench` with $BENCH_SCRATCH/keys/client_ed25519.pub
# and writes $BENCH_SCRATCH/targets/$NAME.env (REMOTE_DIR=/ : the home is the user's root).
#
# Environment: NAME=ferry  JAVA=java  FERRY_JAR=<repo>/target/ferry.jar  JAVA_OPTS (default below)
#   START_WAIT    seconds to wait for /actuator/health (default 120; a start at load 20+ on 2 cores takes longer)
#   USER_STORAGE  JSON for the user's "storage" (e.g. {"type":"s3"}); unset = local home.
#   FERRY_ARGS    extra command-line arguments for the jar (e.g. --sftp.storage.s3.endpoint=...).
#
# JAVA_OPTS defaults to -Xms256m -Xmx512m. Without -Xmx the JVM may take 1/4 of RAM (6 GiB here)
# and G1 grows the heap instead of collecting: raw MINA reached 1.5-2.7 GiB RSS in the
# 50-session test with the default heap and 375 MiB with -Xmx512m at the same throughput
# (../shared/bench/RESULTS.md, "mina-xmx512"). A bounded heap makes the RSS figure a property
# of the server, not of the machine's RAM, as in a container with a memory limit.
# -Xms = a heap that is not resized during the timed runs.
#
# The embedded PostgreSQL is started by pg_ctl, which daemonises: its postmaster would be
# re-parented to PID 1 and fall out of the process tree the harness measures (SERVER_PID and
# its descendants). The JVM is therefore made a child subreaper (prctl PR_SET_CHILD_SUBREAPER,
# kept across exec), so PostgreSQL lands under the JVM and its CPU and memory count too, as
# OpenSSH's per-session processes count for OpenSSH. SIGTERM stops the JVM, which stops
# PostgreSQL (pg_ctl stop) on its way out.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$REPO/../shared/bench}
# shellcheck source=/dev/null
. "$HARNESS/lib/common.sh"     # die, log, need_scratch, wait_port, check_port
need_scratch

NAME=${NAME:-ferry}
D=$BENCH_SCRATCH/$NAME
JAR=${FERRY_JAR:-$REPO/target/ferry.jar}
ADMIN_PW=bench-admin-pw
cmd=${1:-}; shift || true

case "$cmd" in
start)
    PORT=${1:-2310}; check_port "$PORT"; HTTP=$((PORT + 1)); check_port "$HTTP"
    [ -f "$JAR" ] || die "$JAR missing: cd $REPO && mvn -q -o -DskipTests package"
    rm -rf "$D/data"                 # fresh: empty database, no files left from earlier runs
    mkdir -p "$D" "$BENCH_SCRATCH/targets"
    cd "$D"
    # shellcheck disable=SC2086
    SFTP_HOST=127.0.0.1 SFTP_PORT=$PORT SERVER_PORT=$HTTP SERVER_ADDRESS=127.0.0.1 \
        SFTP_ADMIN_PASSWORD=$ADMIN_PW \
        setsid python3 -c 'import ctypes, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
os.execvp(sys.argv[1], sys.argv[1:])' \
        "${JAVA:-java}" ${JAVA_OPTS:--Xms256m -Xmx512m} -jar "$JAR" ${FERRY_ARGS:-} </dev/null >>"$D/server.log" 2>&1 &
    pid=$!
    echo "$pid" >"$D/server.pid"
    for _ in $(seq $((${START_WAIT:-120} * 2))); do
        curl -fs "http://127.0.0.1:$HTTP/actuator/health" 2>/dev/null | grep -q '"UP"' && break
        kill -0 "$pid" 2>/dev/null || { tail -30 "$D/server.log" >&2; die "ferry exited"; }
        sleep 0.5
    done
    curl -fs "http://127.0.0.1:$HTTP/actuator/health" | grep -q '"UP"' || die "ferry not healthy after ${START_WAIT:-120} s"
    wait_port 127.0.0.1 "$PORT" || die "ferry SFTP port $PORT not open"
    key=$(cat "$BENCH_SCRATCH/keys/client_ed25519.pub")
    code=$(curl -s -o "$D/create-user.json" -w '%{http_code}' -u "admin:$ADMIN_PW" \
        -H 'Content-Type: application/json' -d "{\"username\":\"bench\",\"publicKeys\":[\"$key\"]${USER_STORAGE:+,\"storage\":$USER_STORAGE}}" \
        "http://127.0.0.1:$HTTP/api/v1/users")
    case $code in 201 | 200) ;; 409) log "user bench already exists" ;;
    *) cat "$D/create-user.json" >&2; die "creating user bench: HTTP $code" ;; esac
    cat >"$BENCH_SCRATCH/targets/$NAME.env" <<ENV
NAME=$NAME
HOST=127.0.0.1
PORT=$PORT
USER=bench
KEY=$BENCH_SCRATCH/keys/client_ed25519
REMOTE_DIR=/
SERVER_PID=$pid
ENV
    log "$NAME started pid=$pid sftp=$PORT http=$HTTP JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m}; target $BENCH_SCRATCH/targets/$NAME.env"
    ;;
stop)
    [ -f "$D/server.pid" ] || die "no pid file $D/server.pid"
    pid=$(cat "$D/server.pid")
    kill -TERM "$pid" 2>/dev/null || log "pid $pid not running"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && die "ferry pid $pid still running after 30 s"
    rm -f "$D/server.pid"
    log "stopped $NAME pid=$pid"
    ;;
*)
    echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
