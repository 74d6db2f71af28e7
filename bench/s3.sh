#!/usr/bin/env bash
# S3 storage performance (issue 3): Ferry with an S3 home in a local S3 API server (S3Proxy,
# `filesystem` store under the tmpfs scratch), against rclone talking to that server directly.
#
#   bench/s3.sh                  all of $TESTS (default "throughput conc8 ls100k")
#   TESTS=throughput bench/s3.sh
#
#   throughput  1 GiB upload and download: OpenSSH `sftp -b` (aes128-gcm@openssh.com) through Ferry
#               against `rclone copyto --ignore-times` (else it skips an unchanged file) of the same file / object, interleaved
#               (ferry rclone ferry rclone ...), RUNS runs after WARMUP runs. Target: Ferry >= 0.8x rclone.
#               Each round also times the same transfers to a local-disk home (user benchlocal, tmpfs)
#               on the same Ferry ("ferry-localdisk"), and to OpenSSH's own sshd (internal-sftp, the
#               shared harness's servers/openssh.sh on OPENSSH_PORT, files on the tmpfs scratch):
#               what SSH + SFTP alone cost here, whoever serves them.
#   conc8       CONC (8) concurrent 1 GiB uploads into a Ferry started with -Xmx256m. While they run:
#               jcmd GC.run every few seconds and the heap it left (-Xlog:gc "Pause Full (Diagnostic
#               Command) X->Y": Y, target < 200 MiB), the JVM's open regular files (/proc/PID/fd) and the files in Ferry's data
#               dir and java.io.tmpdir (target: none but the database's); OutOfMemoryError grepped
#               from the log; every client's exit status (CLOSE answered OK = the multipart upload
#               completed). S3Proxy runs with
#               s3proxy.null-blobstore=true here (keeps object lengths, drops the bytes), so 8 GiB of
#               objects do not land in RAM (tmpfs): what is measured is Ferry's memory. (That store
#               lists nothing, so the objects cannot be listed afterwards.)
#   ls100k      NOBJ (100,000) empty objects in one directory, written straight into S3Proxy's
#               filesystem store (one file per object, as the store keeps them) or, with
#               LS_STORE=transient, PUT over HTTP (rclone copy) into S3Proxy's in-memory store, whose
#               listing pages cost what S3 pages cost rather than a walk of the whole store; then: time to the
#               first and to the last entry with paramiko's listdir_iter (READDIR replies handled as
#               they arrive), OpenSSH `sftp` `ls -l` total time (it sorts, so it prints only at
#               the end), and `rclone ls` of the same prefix straight from S3Proxy for reference.
#   serve       only start S3Proxy and Ferry (with FERRY_JAVA_OPTS, e.g. -XX:StartFlightRecording) and
#               wait until killed, for profiling by hand.
#
# Environment (defaults): RUNS=3 WARMUP=1 CONC=8 NOBJ=100000 S3_PORT=2348 FERRY_PORT=2346 (+1 for its HTTP API; the harness allows 2300-2349)
#   OPENSSH_PORT=2349
#   TAG=<utc date-time>-s3 (results in bench/results/$TAG.tsv) BENCH_SCRATCH (reused if set, else a
#   tmpfs dir from the harness, removed at the end) FERRY_JAVA_OPTS (throughput/ls100k Ferry,
#   default -Xms256m -Xmx512m) PYTHON=/usr/bin/python3 (needs paramiko)
# rclone: AWS_CA_BUNDLE is unset for it (an exported bundle breaks its plain-http S3 client).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$REPO/../shared/bench}
OWN_SCRATCH=
if [ -z "${BENCH_SCRATCH:-}" ] || [ ! -d "$BENCH_SCRATCH" ]; then
    eval "$("$HARNESS/run.sh" setup)"
    OWN_SCRATCH=$BENCH_SCRATCH   # tmpfs (RAM) with GiB of data: removed when this run ends
fi
export BENCH_SCRATCH
RUNS=${RUNS:-3} WARMUP=${WARMUP:-1} CONC=${CONC:-8} NOBJ=${NOBJ:-100000}
S3_PORT=${S3_PORT:-2348} FERRY_PORT=${FERRY_PORT:-2346} OPENSSH_PORT=${OPENSSH_PORT:-2349}
TESTS=${TESTS:-"throughput conc8 ls100k"}
PYTHON=${PYTHON:-/usr/bin/python3}
TAG=${TAG:-$(date -u +%F-%H%M)-s3}
mkdir -p "$REPO/bench/results"
RESULTS=${RESULTS:-$REPO/bench/results/$TAG.tsv}
S=$BENCH_SCRATCH/s3
DATA=$BENCH_SCRATCH/data
KEY=$BENCH_SCRATCH/keys/client_ed25519
ACCESS=ferry-bench SECRET=ferry-bench-secret BUCKET=bench
mkdir -p "$S"

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", (b-a)/1e9}'; }
mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN{printf "%.1f", bytes/1e6/s}'; }
record() { # name test run value unit [note]   (the 1-min load average is appended to the note)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" "$3" "$4" "$5" "${6:-}${6:+ }load=$(load1)" >>"$RESULTS"
    log "$1 $2 run $3: $4 $5 ${6:-} load=$(load1)"
}
rcl() { env -u AWS_CA_BUNDLE rclone --config "$S/rclone.conf" "$@"; }
SFTP=(sftp -q -F /dev/null -i "$KEY" -P "$FERRY_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
      -o Ciphers=aes128-gcm@openssh.com -o BatchMode=yes)
sftp_b() { printf '%s\n' "$@" | "${SFTP[@]}" -b - bench@127.0.0.1; }
sftp_local() { printf '%s\n' "$@" | "${SFTP[@]}" -b - benchlocal@127.0.0.1; }   # the same Ferry, local-disk home
sftp_openssh() { printf '%s\n' "$@" | "${SFTP[@]}" -P "$OPENSSH_PORT" -b - "$(id -un)@127.0.0.1"; }   # OpenSSH's sshd

# ------------------------------------------------------------------ S3Proxy and Ferry
s3proxy_start() { # [extra property line]
    s3proxy_stop
    rm -rf "$S/store"; mkdir -p "$S/store"
    printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$S3_PORT" "s3proxy.authorization=aws-v2-or-v4" \
        "s3proxy.identity=$ACCESS" "s3proxy.credential=$SECRET" "jclouds.provider=filesystem" \
        "jclouds.identity=$ACCESS" "jclouds.credential=$SECRET" "jclouds.filesystem.basedir=$S/store" \
        "${1:-}" >"$S/s3proxy.conf"
    java -Xmx1g -jar "$REPO/target/s3proxy/s3proxy.jar" --properties "$S/s3proxy.conf" >"$S/s3proxy.log" 2>&1 &
    echo $! >"$S/s3proxy.pid"
    for _ in $(seq 120); do (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break; sleep 0.5; done
    printf '%s\n' "[s3]" "type = s3" "provider = Other" "access_key_id = $ACCESS" "secret_access_key = $SECRET" \
        "region = us-east-1" "endpoint = http://127.0.0.1:$S3_PORT" "force_path_style = true" >"$S/rclone.conf"
    rcl mkdir "s3:$BUCKET"
    log "S3Proxy pid $(cat "$S/s3proxy.pid") on $S3_PORT, store $S/store ${1:-}"
}
s3proxy_stop() {
    [ -f "$S/s3proxy.pid" ] || return 0
    local p; p=$(cat "$S/s3proxy.pid"); kill "$p" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    rm -f "$S/s3proxy.pid"
}
ferry_start() { # java-opts
    mkdir -p "$BENCH_SCRATCH/ferry-s3/tmp"
    NAME=ferry-s3 JAVA_OPTS="$1 -Djava.io.tmpdir=$BENCH_SCRATCH/ferry-s3/tmp" USER_STORAGE='{"type":"s3"}' \
        FERRY_ARGS="--sftp.storage.s3.endpoint=http://127.0.0.1:$S3_PORT --sftp.storage.s3.bucket=$BUCKET
                    --sftp.storage.s3.access-key=$ACCESS --sftp.storage.s3.secret-key=$SECRET
                    --sftp.storage.s3.path-style=true ${FERRY_S3_ARGS:-}" \
        "$REPO/bench/ferry.sh" start "$FERRY_PORT"
    FERRY_PID=$(cat "$BENCH_SCRATCH/ferry-s3/server.pid")
}
ferry_stop() { NAME=ferry-s3 "$REPO/bench/ferry.sh" stop 2>/dev/null || true; }
. "$REPO/bench/openssh.sh"
openssh_s3_start() {
    NAME=openssh-s3 openssh_start "$OPENSSH_PORT"
    OPENSSH_ROOT=$BENCH_SCRATCH/root-openssh-s3
}
openssh_stop() { [ -f "$BENCH_SCRATCH/openssh/listener.pid" ] && NAME=openssh-s3 "$HARNESS/servers/openssh.sh" stop 2>/dev/null || true; }
cleanup() {
    ferry_stop; s3proxy_stop; openssh_stop
    [ -z "$OWN_SCRATCH" ] || rm -rf "$OWN_SCRATCH"
    [ -n "$OWN_SCRATCH" ] || rm -rf "$S" "$BENCH_SCRATCH/ferry-s3"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# ------------------------------------------------------------------ tests
t_throughput() {
    s3proxy_start
    ferry_start "${FERRY_JAVA_OPTS:--Xms256m -Xmx512m}"
    openssh_s3_start
    local size r s e v
    size=$(stat -c %s "$DATA/f1g")
    # benchlocal: a local-disk home (under the tmpfs scratch) on the same Ferry, for reference
    curl -fs -o /dev/null -u admin:bench-admin-pw -H 'Content-Type: application/json' \
        -d "{\"username\":\"benchlocal\",\"publicKeys\":[\"$(cat "$KEY.pub")\"]}" "http://127.0.0.1:$((FERRY_PORT + 1))/api/v1/users"
    sftp_local "put $DATA/f1g /src.bin"
    sftp_b "put $DATA/f1g /src.bin"              # the object both download
    sftp_openssh "put $DATA/f1g $OPENSSH_ROOT/src.bin"
    sftp_b "get /src.bin $S/dl.bin"; cmp "$DATA/f1g" "$S/dl.bin"; rm -f "$S/dl.bin"
    log "src.bin uploaded through Ferry and verified"
    for ((r = 1 - WARMUP; r <= RUNS; r++)); do
        s=$(now_ns); sftp_b "put $DATA/f1g /up.bin"; e=$(now_ns)
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record ferry upload "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); rcl copyto --ignore-times "$DATA/f1g" "s3:$BUCKET/rclone/up.bin"; e=$(now_ns)
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record rclone upload "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); sftp_local "put $DATA/f1g /up.bin"; e=$(now_ns)
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record ferry-localdisk upload "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); sftp_openssh "put $DATA/f1g $OPENSSH_ROOT/up.bin"; e=$(now_ns)
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record openssh-localdisk upload "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); sftp_b "get /src.bin $S/dl.bin"; e=$(now_ns); rm -f "$S/dl.bin"
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record ferry download "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); rcl copyto --ignore-times "s3:$BUCKET/bench/src.bin" "$S/dl.bin"; e=$(now_ns); rm -f "$S/dl.bin"
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record rclone download "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); sftp_local "get /src.bin $S/dl.bin"; e=$(now_ns); rm -f "$S/dl.bin"
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record ferry-localdisk download "$r" "$v" MB/s "$(secs "$s" "$e")s"
        s=$(now_ns); sftp_openssh "get $OPENSSH_ROOT/src.bin $S/dl.bin"; e=$(now_ns); rm -f "$S/dl.bin"
        v=$(mbps "$size" "$(secs "$s" "$e")"); [ "$r" -ge 1 ] && record openssh-localdisk download "$r" "$v" MB/s "$(secs "$s" "$e")s"
        [ "$r" -ge 1 ] || log "warm-up done"
    done
    ferry_stop; s3proxy_stop; openssh_stop
}

t_conc8() {
    s3proxy_start "s3proxy.null-blobstore=true"
    rm -f "$S/gc.log"
    ferry_start "-Xmx256m -Xlog:gc:file=$S/gc.log"
    local D=$BENCH_SCRATCH/ferry-s3 i pids=() s e maxlive=0 live maxfiles=0 f fds maxfds=0 samples=0 rc=0
    # the files there before the uploads (embedded PostgreSQL's binaries in java.io.tmpdir, ...)
    listfiles() { (find "$D" -type f -not -path "$D/data/pg/*" -not -name 'server.*' -not -name 'create-user.json' || true) | sort; }
    listfiles >"$S/files.before"
    s=$(now_ns)
    for i in $(seq "$CONC"); do sftp_b "put $DATA/f1g /c$i.bin" & pids+=($!); done
    while :; do
        alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 1 ] || break
        # a full GC, then what it left: the "after" of its line in the GC log (GC.heap_info read
        # a second later also counts what the uploads allocated meanwhile)
        jcmd "$FERRY_PID" GC.run >/dev/null || true
        live=$( (grep -e 'Pause Full (Diagnostic Command)' -e 'Pause Full (System.gc())' "$S/gc.log" || true) | tail -1 | sed -E 's/.*->([0-9]+)M.*/\1/')
        live=${live:-0}
        # files (not sockets, pipes, jars, the log) the JVM has open, and files in its data dir and tmpdir
        fds=$( (ls -l "/proc/$FERRY_PID/fd" 2>/dev/null || true) | awk '$NF ~ /^\// && $NF !~ /\.jar$|^\/dev\/|^\/proc\/|server\.log|gc\.log|\/jvm\/|\/java-|\/lib\/|\.so/ {print $NF}' | tee -a "$S/open.files" | wc -l)
        f=$(listfiles | comm -13 "$S/files.before" - | tee -a "$S/files.new" | wc -l)   # files that appeared
        samples=$((samples + 1))
        [ "$live" -gt "$maxlive" ] && maxlive=$live; [ "$f" -gt "$maxfiles" ] && maxfiles=$f; [ "$fds" -gt "$maxfds" ] && maxfds=$fds
        log "heap after GC ${live} MiB, new files in data dir/tmpdir: $f, open regular files: $fds"
        sleep 2
    done
    for p in "${pids[@]}"; do wait "$p" || rc=$((rc + 1)); done
    e=$(now_ns)
    local oom; oom=$(grep -c OutOfMemoryError "$D/server.log" || true)
    record ferry conc8 1 "$maxlive" "MiB-heap-after-GC-max" "samples=$samples clients_failed=$rc oom=$oom new_files_max=$maxfiles open_files_max=$maxfds total=$(secs "$s" "$e")s aggregate=$(mbps $((CONC * $(stat -c %s "$DATA/f1g"))) "$(secs "$s" "$e")")MB/s"
    echo "files that appeared in the data dir / tmpdir:"; sort -u "$S/files.new" >&2 || true
    echo "regular files the JVM had open:"; sort -u "$S/open.files" >&2 || true
    cp "$S/gc.log" "$REPO/bench/results/$TAG-conc8-gc.txt" 2>/dev/null || true
    ferry_stop; s3proxy_stop
}

t_ls100k() {
    local dir=$S/store/$BUCKET/bench/big i s e
    s=$(now_ns)
    if [ "${LS_STORE:-filesystem}" = transient ]; then
        s3proxy_start "jclouds.provider=transient"
        rm -rf "$S/big"; mkdir -p "$S/big"
        (cd "$S/big" && seq -f 'f%06g' 1 "$NOBJ" | xargs touch)
        rcl copy --transfers 64 --checkers 64 --no-check-dest --s3-no-head "$S/big" "s3:$BUCKET/bench/big"
        rm -rf "$S/big"
    else
        s3proxy_start
        mkdir -p "$dir"
        (cd "$dir" && seq -f 'f%06g' 1 "$NOBJ" | xargs touch)
    fi
    log "$NOBJ objects written into the ${LS_STORE:-filesystem} store in $(secs "$s" "$(now_ns)") s"
    ferry_start "${FERRY_JAVA_OPTS:--Xms256m -Xmx512m}"
    for ((i = 1; i <= RUNS; i++)); do
        "$PYTHON" - "$FERRY_PORT" "$KEY" "$NOBJ" <<'PY' | while read -r name unit v note; do record ferry "$name" "$i" "$v" "$unit" "$note"; done
import sys, time, paramiko
port, key, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
t = paramiko.Transport(("127.0.0.1", port))
t.get_security_options().ciphers = ("aes128-gcm@openssh.com",) if "aes128-gcm@openssh.com" in t.get_security_options().ciphers else ("aes128-ctr",)
t.connect(username="bench", pkey=paramiko.Ed25519Key.from_private_key_file(key))
sftp = paramiko.SFTPClient.from_transport(t)
s = time.monotonic(); first = None; count = 0
for a in sftp.listdir_iter("/big", read_aheads=16):
    if first is None:
        first = time.monotonic() - s
        print("ls_first_entry s %.3f paramiko-listdir_iter" % first, flush=True)
    count += 1
last = time.monotonic() - s
print("ls_last_entry s %.3f paramiko-listdir_iter entries=%d/%d cipher=%s" % (last, count, n, t.remote_cipher))
t.close()
PY
        s=$(now_ns); n=$(sftp_b "ls -l /big" | grep -c ' f[0-9]' || true); e=$(now_ns)
        record ferry ls_openssh_total "$i" "$(secs "$s" "$e")" s "openssh-sftp-ls-l entries=$n"
        # rclone ls: names and sizes from the listing pages alone (lsl would HEAD every object for its mtime)
        s=$(now_ns); n=$(rcl ls --max-depth 1 "s3:$BUCKET/bench/big/" | wc -l); e=$(now_ns)
        record rclone ls_direct_total "$i" "$(secs "$s" "$e")" s "rclone-ls-straight-to-S3Proxy entries=$n"
    done
    ferry_stop; s3proxy_stop
}

t_serve() { # S3Proxy and Ferry (port FERRY_PORT, user bench, REMOTE_DIR /) until killed, for profiling
    s3proxy_start; ferry_start "${FERRY_JAVA_OPTS:--Xms256m -Xmx512m}"
    log "serving: ${SFTP[*]} bench@127.0.0.1 ; rclone --config $S/rclone.conf s3:$BUCKET/bench/ ; ferry pid $FERRY_PID"
    while sleep 5; do :; done
}

log "start at load $(load1): $(nproc) cpus; results in $RESULTS"
for t in $TESTS; do "t_$t"; done
awk -F'\t' '{k=$2" "$3; v[k]=v[k]" "$5; u[k]=$6} END {for (k in v) {n=split(v[k],a," "); for(i=1;i<=n;i++) for(j=i+1;j<=n;j++) if (a[j]+0<a[i]+0) {t=a[i];a[i]=a[j];a[j]=t}
    printf "%-28s n=%d median=%s min=%s max=%s %s\n", k, n, (n%2 ? a[(n+1)/2] : (a[n/2]+a[n/2+1])/2), a[1], a[n], u[k]}}' "$RESULTS" | sort
