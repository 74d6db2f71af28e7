#!/usr/bin/env bash
# Logins per second with an OpenSSH user certificate vs a plain key, against Ferry and OpenSSH
# sshd (internal-sftp, TrustedUserCAKeys) in the same run, interleaved per round.
#
#   bench/cert-logins.sh        # needs target/ferry.jar (mvn -q -DskipTests package)
#
# Each login is one `sftp -b -` session running `pwd` (key exchange, authentication, SFTP
# start, exit), N of them CONC at a time; the rate is N / wall time. The certificate is ed25519,
# signed by an ed25519 CA that Ferry trusts through /api/v1/user-cas and sshd through
# TrustedUserCAKeys; the plain key is the same client key listed as an authorized key.
#
# Environment (defaults): N=200 CONC=8 ROUNDS=3 FERRY_PORT=2340 (+1 HTTP) OPENSSH_PORT=2342
#   JAVA_OPTS (Ferry, see ferry.sh). Output: one line per (server, credential, round) and the
#   medians, also in bench/results/cert-logins-<utc time>.tsv.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export HARNESS=${HARNESS:-$REPO/../shared/bench}
# shellcheck source=/dev/null
. "$HARNESS/lib/common.sh"
N=${N:-200} CONC=${CONC:-8} ROUNDS=${ROUNDS:-3}
FERRY_PORT=${FERRY_PORT:-2340} OPENSSH_PORT=${OPENSSH_PORT:-2342}
SSHD=$(command -v sshd) || die "sshd not found"

export BENCH_SCRATCH=${BENCH_SCRATCH:-$(mktemp -d /tmp/ferry-cert-bench.XXXXXX)}
S=$BENCH_SCRATCH
mkdir -p "$S/keys" "$S/sshd" "$REPO/bench/results"
OUT=$REPO/bench/results/cert-logins-$(date -u +%F-%H%M).tsv
ME=$(whoami)

ssh-keygen -q -t ed25519 -N '' -C bench-ca -f "$S/keys/ca"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$S/keys/client_ed25519"
# A copy of the key without the certificate next to it, so the "key" runs cannot use it.
mkdir -p "$S/plain" && cp "$S/keys/client_ed25519" "$S/plain/id" && chmod 600 "$S/plain/id"
ssh-keygen -q -s "$S/keys/ca" -I bench-cert -n "bench,$ME" -V -5m:+12h -z 1 "$S/keys/client_ed25519.pub"

cleanup() {
    NAME=ferry-certs "$REPO/bench/ferry.sh" stop 2>/dev/null || true
    [ -f "$S/sshd/sshd.pid.listener" ] && kill "$(cat "$S/sshd/sshd.pid.listener")" 2>/dev/null || true
}
trap cleanup EXIT

# ---- Ferry ------------------------------------------------------------------------------
NAME=ferry-certs "$REPO/bench/ferry.sh" start "$FERRY_PORT"
code=$(curl -s -o "$S/ca.json" -w '%{http_code}' -u admin:bench-admin-pw -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-ca\",\"publicKey\":\"$(cat "$S/keys/ca.pub")\"}" "http://127.0.0.1:$((FERRY_PORT + 1))/api/v1/user-cas")
[ "$code" = 201 ] || { cat "$S/ca.json" >&2; die "trusting the CA: HTTP $code"; }

# ---- OpenSSH sshd -------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$S/sshd/host"
cp "$S/keys/client_ed25519.pub" "$S/sshd/authorized_keys"
cat >"$S/sshd/sshd_config" <<CFG
Port $OPENSSH_PORT
ListenAddress 127.0.0.1
HostKey $S/sshd/host
PidFile $S/sshd/sshd.pid
AuthorizedKeysFile $S/sshd/authorized_keys
TrustedUserCAKeys $S/keys/ca.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
MaxStartups 1000:30:1000
LogLevel ERROR
Subsystem sftp internal-sftp
CFG
# sshd (also its -t) needs /run/sshd; where it is missing, a private mount namespace gets a throw-away /run.
if [ -d /run/sshd ]; then
    "$SSHD" -t -f "$S/sshd/sshd_config"
    setsid "$SSHD" -D -e -f "$S/sshd/sshd_config" </dev/null >>"$S/sshd/sshd.log" 2>&1 &
else
    setsid unshare -m sh -c 'mount -t tmpfs -o mode=755,size=1m sshd-run /run && mkdir -m 755 /run/sshd &&
        "$1" -t -f "$2" && exec "$1" -D -e -f "$2"' sh "$SSHD" "$S/sshd/sshd_config" </dev/null >>"$S/sshd/sshd.log" 2>&1 &
fi
echo $! >"$S/sshd/sshd.pid.listener"
wait_port 127.0.0.1 "$OPENSSH_PORT" || die "sshd did not start: $(cat "$S/sshd/sshd.log")"

# ---- runs ---------------------------------------------------------------------------------
one_login() { # port user key [cert]
    local opts=(-F /dev/null -P "$1" -i "$3" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
    [ -n "${4:-}" ] && opts+=(-o "CertificateFile=$4")
    echo pwd | sftp -b - "${opts[@]}" "$2@127.0.0.1" >/dev/null
}
export -f one_login

rate() { # label port user key [cert]
    local start end
    one_login "$2" "$3" "$4" "${5:-}" || die "$1: a single login fails"
    start=$(date +%s.%N)
    seq "$N" | xargs -P "$CONC" -I{} bash -c 'one_login "$@"' _ "$2" "$3" "$4" "${5:-}" || die "$1: logins failed"
    end=$(date +%s.%N)
    awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN{printf "%.1f", n / (e - s)}'
}

printf 'round\tserver\tcredential\tlogins_per_s\n' | tee "$OUT"
for round in $(seq "$ROUNDS"); do
    for target in "openssh $OPENSSH_PORT $ME" "ferry $FERRY_PORT bench"; do
        read -r server port user <<<"$target"
        printf '%s\t%s\tkey\t%s\n' "$round" "$server" "$(rate "$server key" "$port" "$user" "$S/plain/id")" | tee -a "$OUT"
        printf '%s\t%s\tcertificate\t%s\n' "$round" "$server" \
            "$(rate "$server cert" "$port" "$user" "$S/keys/client_ed25519" "$S/keys/client_ed25519-cert.pub")" | tee -a "$OUT"
    done
done
echo "medians (logins/s), load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]).read().splitlines()[1:]:
    _, server, credential, rate = line.split("\t")
    rates.setdefault((server, credential), []).append(float(rate))
for (server, credential), values in sorted(rates.items()):
    print(f"  {server} {credential}: {statistics.median(values):.1f}")
PY
