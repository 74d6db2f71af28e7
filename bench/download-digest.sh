#!/usr/bin/env bash
# Issue 19.1, audited downloads without re-reading: a 1 GiB aes128-gcm download (OpenSSH `sftp -b`,
# `get`) of a file uploaded through each server, Ferry against OpenSSH's sshd (internal-sftp) and the
# raw MINA SSHD server of the shared harness (../shared/bench/servers/mina.sh), all in the same
# rounds. With BEFORE_JAR a second Ferry (one that hashes every download) runs beside them, for
# the server CPU-seconds per GiB before and after. The file (the harness's `prep`: `put` of the
# 1 GiB file as bench/src.bin) is uploaded through every server, so Ferry stores its digest then.
#
#   OUT=bench/results/TAG [FERRY_JAR=target/ferry.jar] [BEFORE_JAR=/tmp/ferry-before.jar] \
#       [RUNS=5] bench/download-digest.sh
#
# Each round (one warm-up, then RUNS) downloads once from every server, the order rotating by one
# per round. Rows in $OUT.tsv: target round seconds MB/s server-CPU-s (procmon: the server's process
# tree, session processes included) load1. Afterwards Ferry's DOWNLOAD records are counted with and
# without a sha256 (the admin API), and $OUT.summary.md gets the medians, the paired ratios (per
# round, against OpenSSH and MINA) and CPU-s per GiB. Ports (defaults): OPENSSH_PORT=2330
# MINA_PORT=2332 FERRY_PORT=2334 BEFORE_PORT=2336 (Ferry's admin API on the port + 1).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
export HARNESS=${HARNESS:-$REPO/../shared/bench}; H=$HARNESS/run.sh
OUT=${OUT:?OUT=bench/results/TAG}; META=$OUT.meta.txt; TSV=$OUT.tsv
FERRY_JAR=${FERRY_JAR:-$REPO/target/ferry.jar} BEFORE_JAR=${BEFORE_JAR:-}
RUNS=${RUNS:-5}
OPENSSH_PORT=${OPENSSH_PORT:-2330} MINA_PORT=${MINA_PORT:-2332} FERRY_PORT=${FERRY_PORT:-2334} BEFORE_PORT=${BEFORE_PORT:-2336}
CIPHER=aes128-gcm@openssh.com
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

eval "$("$H" setup)"; export BENCH_SCRATCH; T=$BENCH_SCRATCH/targets
. bench/openssh.sh
stop_all() {
    NAME=ferry bench/ferry.sh stop || true
    [ -z "$BEFORE_JAR" ] || NAME=ferry-before bench/ferry.sh stop || true
    NAME=mina "$HARNESS/servers/mina.sh" stop || true
    "$HARNESS/servers/openssh.sh" stop || true
    rm -rf "$BENCH_SCRATCH"
}
trap stop_all EXIT
openssh_start "$OPENSSH_PORT"
NAME=mina "$HARNESS/servers/mina.sh" start "$MINA_PORT"
NAME=ferry FERRY_JAR=$FERRY_JAR bench/ferry.sh start "$FERRY_PORT"
TARGETS=(openssh mina ferry)
if [ -n "$BEFORE_JAR" ]; then
    NAME=ferry-before FERRY_JAR=$BEFORE_JAR bench/ferry.sh start "$BEFORE_PORT"
    TARGETS+=(ferry-before)
fi
{
    echo "start $(date -u +%FT%TZ) $(uname -n) kernel=$(uname -r) nproc=$(nproc) RUNS=$RUNS cipher=$CIPHER"
    echo "ferry=$FERRY_JAR $(sha256sum "$FERRY_JAR" | cut -c1-16) before=${BEFORE_JAR:-none}" \
        "JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m} java=$(java -version 2>&1 | head -1)"
    for t in "${TARGETS[@]}"; do echo "$t $(grep -E '^(PORT|SERVER_PID)=' "$T/$t.env" | tr '\n' ' ')"; done
    echo "load at start: $(cat /proc/loadavg)"
} >>"$META"
PREP=()
for t in "${TARGETS[@]}"; do PREP+=(-t "$T/$t.env"); done
"$H" "${PREP[@]}" prep

cpu_of() { python3 "$HARNESS/lib/procmon.py" snapshot "$1" | awk '{print $4}'; }
download() { # target round
    local t=$1 r=$2 port pid key user dir b s e c0 c1 sec
    port=$(sed -n 's/^PORT=//p' "$T/$t.env"); pid=$(sed -n 's/^SERVER_PID=//p' "$T/$t.env")
    key=$(sed -n 's/^KEY=//p' "$T/$t.env"); user=$(sed -n 's/^USER=//p' "$T/$t.env")
    dir=$(sed -n 's/^REMOTE_DIR=//p' "$T/$t.env"); dir=${dir:-.}   # as the harness's load_target: src.bin is in $dir/bench
    b=$BENCH_SCRATCH/dl.batch; printf 'get %s/bench/src.bin %s/dl.bin\n' "${dir%/}" "$BENCH_SCRATCH" >"$b"
    c0=$(cpu_of "$pid")
    s=$(date +%s%N)
    sftp -q -F /dev/null -P "$port" -i "$key" -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -c "$CIPHER" \
        -b "$b" "$user@127.0.0.1" >/dev/null
    e=$(date +%s%N)
    sleep 0.3   # let session processes be reaped
    c1=$(cpu_of "$pid")
    cmp -s "$BENCH_SCRATCH/data/f1g" "$BENCH_SCRATCH/dl.bin" || { log "$t: downloaded bytes differ"; exit 1; }
    rm -f "$BENCH_SCRATCH/dl.bin"
    sec=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", (b-a)/1e9}')
    if [ "$r" -ge 1 ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$sec" "$(awk -v s="$sec" 'BEGIN{printf "%.1f", 1073741824/1e6/s}')" \
            "$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}')" "$(cut -d' ' -f1 /proc/loadavg)" >>"$TSV"
    fi
    log "$t round $r: ${sec}s"
}
printf 'target\tround\tseconds\tMB/s\tserver_cpu_s\tload1\n' >>"$TSV"
n=${#TARGETS[@]}
for ((r = 0; r <= RUNS; r++)); do
    for ((i = 0; i < n; i++)); do download "${TARGETS[$(((i + r) % n))]}" "$r"; done
done
for t in ferry ${BEFORE_JAR:+ferry-before}; do
    port=$(sed -n 's/^PORT=//p' "$T/$t.env")
    curl -fs -u admin:bench-admin-pw "http://127.0.0.1:$((port + 1))/api/v1/audit?type=DOWNLOAD&username=bench&size=500" |
        python3 -c 'import json,sys
rows=json.load(sys.stdin)["content"]
with_sha=[r for r in rows if r.get("sha256")]
print(sys.argv[1], "DOWNLOAD records:", len(rows), "with sha256:", len(with_sha), "distinct:", sorted({r["sha256"] for r in with_sha}))' "$t" >>"$META"
done
echo "end $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$META"
python3 - "$TSV" >"$OUT.summary.md" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip() and not l.startswith("target")]
by = {}
for t, r, sec, mbs, cpu, load in rows:
    by.setdefault(t, {})[int(r)] = (float(sec), float(mbs), float(cpu), float(load))
print("| target | median MB/s | median s | server CPU-s per GiB (median) | runs |")
print("|---|---|---|---|---|")
for t, runs in by.items():
    v = list(runs.values())
    print(f"| {t} | {statistics.median(x[1] for x in v):.1f} | {statistics.median(x[0] for x in v):.2f} | "
          f"{statistics.median(x[2] for x in v):.2f} | {len(v)} |")
print()
for base in ("openssh", "mina", "ferry-before"):
    for t in ("ferry",):
        if base not in by or t not in by:
            continue
        ratios = [by[t][r][1] / by[base][r][1] for r in by[t] if r in by[base]]
        print(f"- {t} / {base} (MB/s, paired per round): median {statistics.median(ratios):.2f}x, "
              f"range {min(ratios):.2f}-{max(ratios):.2f} ({len(ratios)} rounds)")
loads = [x[3] for runs in by.values() for x in runs.values()]
print(f"- 1-min load during the rows: {min(loads):.1f}-{max(loads):.1f}")
PY
cat "$OUT.summary.md"
