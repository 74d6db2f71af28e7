#!/usr/bin/env bash
# The long soak: CLIENTS paramiko sessions (20) for DURATION seconds (300) over six users, three
# with local homes and three on S3 (S3Proxy): partner accounts without setstat (the local one
# with 2,000 directories in its shared directory), users with a file quota their own files
# nearly fill (on S3 also 48 MiB), users without a quota. All sessions of a user work in its
# /shared directory at once (put, put to a temporary name then rename, get, stat, listdir,
# rename, remove, mkdir, rmdir, truncate, OpenSSH sftp batches, logins and logouts); every
# session is killed (SIGKILL) mid-upload at the 10th-100th upload of each of its incarnations,
# up to once per minute of DURATION. Then the same checks as SoakIT in `mvn verify`
# (src/test/java/dev/ferry/soak): every confirmed upload audited, storage holding only confirmed
# content, usage equal to storage, the server healthy and working, no ERROR in its log.
#
#   bench/soak.sh                                   20 clients x 300 s, seed 1
#   CLIENTS=8 DURATION=60 SEED=7 bench/soak.sh
#   JAVA_TOOL_OPTIONS=-Dsoak.audit=database bench/soak.sh   (knobs: SoakPlan.withSystemProperties)
#
# It is the harness of SoakIT run as a program (dev.ferry.soak.SoakBench on the test classpath):
# the packaged jar (target/ferry.jar) as its own process with -Xms256m -Xmx512m like the other
# benches, on a fresh database of an embedded PostgreSQL (io.zonky, fsync off: the test
# database), its audit in the local journal (what `java -jar` does with its embedded PostgreSQL),
# S3Proxy as its own process. Prints ops/s, latency p50/p99 per operation, outcomes by class and
# the findings; writes them to bench/results/$TAG.md. Exit status 1 when it found something.
#
# Environment: CLIENTS=20 DURATION=300 SEED=1 TAG=<utc date-time>-soak BUILD=1 (0: use the jar,
# test classes and classpath already built) JAVA=java. The server's and the workers' logs stay in
# target/soak-bench/seed-<seed>-<millis>/.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
CLIENTS=${CLIENTS:-20} DURATION=${DURATION:-300} SEED=${SEED:-1} TAG=${TAG:-$(date -u +%F-%H%M)-soak}
if [ "${BUILD:-1}" = 1 ] || [ ! -f target/ferry.jar ] || [ ! -f target/soak.classpath ]; then
    # the jar, the test classes and target/s3proxy/s3proxy.jar; then the test classpath
    mvn -B -ntp -q -o -Dui.skip=true -DskipTests package
    mvn -B -ntp -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/soak.classpath
fi
mkdir -p bench/results
OUT=bench/results/$TAG.md
SERVER_COMMIT="$(git log -1 --format=%h -- src/main db pom.xml)$(git diff --quiet HEAD -- src/main db pom.xml || echo ' + uncommitted changes')"
HEADER="# soak $TAG: $CLIENTS clients x $DURATION s, seed $SEED; server code of $SERVER_COMMIT, harness of $(git rev-parse --short HEAD); load at start $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "[soak] $HEADER" >&2
set +e
"${JAVA:-java}" -cp "target/test-classes:target/classes:$(cat target/soak.classpath)" dev.ferry.soak.SoakBench \
    --clients "$CLIENTS" --seconds "$DURATION" --seed "$SEED" --out "$OUT.tmp"
status=$?
set -e
{ echo "$HEADER"; echo; echo "Command: CLIENTS=$CLIENTS DURATION=$DURATION SEED=$SEED bench/soak.sh (exit $status)"; echo; cat "$OUT.tmp"; } >"$OUT"
rm -f "$OUT.tmp"
echo "[soak] report: $OUT (exit $status)" >&2
exit $status
