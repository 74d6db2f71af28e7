#!/usr/bin/env bash
# Logins per second of SFTP users from LDAP (OpenLDAP's slapd), against Ferry's local users and
# OpenSSH sshd with a key in the same run, interleaved per round, with the CPU each side spent.
#
#   bench/ldap-logins.sh        # needs target/ferry.jar (mvn -q -DskipTests package) and slapd
#                               # (Debian: slapd ldap-utils; nothing else of the system's slapd is used)
#
# Each login is one `sftp -b -` session running `pwd` (key exchange, authentication, SFTP start,
# exit), N of them CONC at a time; the rate is N / wall time. Variants:
#   openssh key       sshd (internal-sftp) with an authorized ed25519 key: the reference
#   ferry key         a local Ferry user with the same key
#   ferry password    a local Ferry user with a password (Ferry's slow hash)
#   ferry ldap-key    LDAP users (USERS of them, taken in turn) whose sshPublicKey holds the key
#   ferry ldap-pass   the same LDAP users by password: Ferry binds as the user to check it
#   slapd bind        ldapwhoami -x as those users, same N and CONC: the directory's own rate
#                     with the same process-start cost per login as sftp
# Ferry keeps its LDAP defaults (entry cache sftp.ldap.cache-ttl=30s; a password is bound every
# time). CPU: milliseconds of CPU per login of Ferry's JVM (with its embedded PostgreSQL) and of
# slapd, from /proc, to say where the time goes.
#
# Environment (defaults): N=200 CONC=8 ROUNDS=3 USERS=50 FERRY_PORT=2343 (+1 HTTP)
#   OPENSSH_PORT=2345 LDAP_PORT=2339 (the harness keeps to 2300-2349) JAVA_OPTS (Ferry, see ferry.sh).
# Output: one line per (variant, round) and the medians, also in bench/results/ldap-logins-<utc time>.tsv.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export HARNESS=${HARNESS:-$REPO/../shared/bench}
# shellcheck source=/dev/null
. "$HARNESS/lib/common.sh"
N=${N:-200} CONC=${CONC:-8} ROUNDS=${ROUNDS:-3} USERS=${USERS:-50}
FERRY_PORT=${FERRY_PORT:-2343} OPENSSH_PORT=${OPENSSH_PORT:-2345} LDAP_PORT=${LDAP_PORT:-2339}
SLAPD=$(command -v slapd || echo /usr/sbin/slapd); [ -x "$SLAPD" ] || die "slapd not found (apt-get install slapd ldap-utils)"
command -v ldapadd >/dev/null || die "ldapadd not found (apt-get install ldap-utils)"

export BENCH_SCRATCH=${BENCH_SCRATCH:-$(mktemp -d /tmp/ferry-ldap-bench.XXXXXX)}
S=$BENCH_SCRATCH
mkdir -p "$S/keys" "$S/ldap/db" "$REPO/bench/results"
OUT=$REPO/bench/results/ldap-logins-$(date -u +%F-%H%M).tsv
ME=$(whoami)
BASE=dc=bench,dc=test
PASSWORD=bench-user-password-1

ssh-keygen -q -t ed25519 -N '' -C bench -f "$S/keys/client_ed25519"

cleanup() {
    NAME=ferry-ldap "$REPO/bench/ferry.sh" stop 2>/dev/null || true
    "$HARNESS/servers/openssh.sh" stop 2>/dev/null || true
    [ -f "$S/ldap/slapd.pid" ] && kill "$(cat "$S/ldap/slapd.pid")" 2>/dev/null || true
}
trap cleanup EXIT

# ---- slapd ----------------------------------------------------------------------------------
cat >"$S/ldap/lpk.schema" <<'SCHEMA'
attributetype ( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey' DESC 'OpenSSH public key'
    EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
objectclass ( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top AUXILIARY
    DESC 'OpenSSH LPK objectclass' MAY ( sshPublicKey $ uid ) )
SCHEMA
cat >"$S/ldap/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $S/ldap/lpk.schema
pidfile $S/ldap/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 104857600
suffix "$BASE"
rootdn "cn=admin,$BASE"
rootpw admin-secret
directory $S/ldap/db
index uid eq
index member eq
CONF
"$SLAPD" -f "$S/ldap/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT/" || die "slapd did not start"
wait_port 127.0.0.1 "$LDAP_PORT" || die "slapd does not listen on $LDAP_PORT"
HASH=$(slappasswd -s "$PASSWORD")
{
    printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: bench\ndc: bench\n\n' "$BASE"
    printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$BASE"
    printf 'dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n' "$BASE"
    for i in $(seq "$USERS"); do
        printf 'dn: uid=ldap%d,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: ldapPublicKey\nuid: ldap%d\ncn: ldap%d\nsn: bench\nuserPassword: %s\nsshPublicKey: %s\n\n' \
            "$i" "$BASE" "$i" "$i" "$HASH" "$(cat "$S/keys/client_ed25519.pub")"
    done
    printf 'dn: cn=partners,ou=groups,%s\nobjectClass: groupOfNames\ncn: partners\n' "$BASE"
    for i in $(seq "$USERS"); do printf 'member: uid=ldap%d,ou=people,%s\n' "$i" "$BASE"; done
} >"$S/ldap/data.ldif"
ldapadd -x -H "ldap://127.0.0.1:$LDAP_PORT/" -D "cn=admin,$BASE" -w admin-secret -f "$S/ldap/data.ldif" >/dev/null

# ---- Ferry ------------------------------------------------------------------------------------
FERRY_ARGS="--sftp.ldap.url=ldap://127.0.0.1:$LDAP_PORT --sftp.ldap.base=$BASE --sftp.ldap.bind-dn=cn=admin,$BASE
 --sftp.ldap.bind-password=admin-secret --sftp.ldap.group-search-base=ou=groups --sftp.ldap.profiles[0].group=partners
 --sftp.ldap.profiles[0].permissions[/]=* ${FERRY_ARGS:-}" NAME=ferry-ldap "$REPO/bench/ferry.sh" start "$FERRY_PORT"
FERRY_PID=$(cat "$S/ferry-ldap/server.pid")
code=$(curl -s -o "$S/user.json" -w '%{http_code}' -u admin:bench-admin-pw -H 'Content-Type: application/json' \
    -d "{\"username\":\"benchpw\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$((FERRY_PORT + 1))/api/v1/users")
[ "$code" = 201 ] || { cat "$S/user.json" >&2; die "creating the password user: HTTP $code"; }

# ---- OpenSSH sshd (the harness's, with the client key authorized) ------------------------------
# shellcheck source=/dev/null
. "$REPO/bench/openssh.sh"
openssh_start "$OPENSSH_PORT"

# ---- runs -------------------------------------------------------------------------------------
printf '#!/bin/sh\necho %s\n' "$PASSWORD" >"$S/askpass" && chmod 700 "$S/askpass"
export S PASSWORD USERS LDAP_PORT BASE
one_login() { # kind port user ; user "ldap*" takes ldap<n> in turn
    local user=$3
    [ "$user" = ldap ] && user=ldap$(( (RANDOM % USERS) + 1 ))
    local opts=(-F /dev/null -P "$2" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
    case "$1" in
    key) echo pwd | sftp -b - "${opts[@]}" -i "$S/keys/client_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes "$user@127.0.0.1" >/dev/null ;;
    # (not -b: sftp -b implies BatchMode, which turns password prompts off; a failed login still exits non-zero)
    password) echo pwd | SSH_ASKPASS="$S/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid -w sftp -q "${opts[@]}" \
        -o PubkeyAuthentication=no -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 "$user@127.0.0.1" >/dev/null ;;
    bind) ldapwhoami -x -H "ldap://127.0.0.1:$LDAP_PORT/" -D "uid=$user,ou=people,$BASE" -w "$PASSWORD" >/dev/null ;;
    esac
}
export -f one_login

cpu_ms() { # pid -> CPU milliseconds (user + system) of the process and its reaped children
    awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15 + $16 + $17) * 1000 / hz}' "/proc/$1/stat"
}

run() { # label kind port user -> "rate ferry_cpu_ms_per_login slapd_cpu_ms_per_login"
    local start end f0 f1 l0 l1
    one_login "$2" "$3" "$4" || die "$1: a single login fails"
    f0=$(cpu_ms "$FERRY_PID"); l0=$(cpu_ms "$(cat "$S/ldap/slapd.pid")")
    start=$(date +%s.%N)
    seq "$N" | xargs -P "$CONC" -I{} bash -c 'one_login "$@"' _ "$2" "$3" "$4" || die "$1: logins failed"
    end=$(date +%s.%N)
    f1=$(cpu_ms "$FERRY_PID"); l1=$(cpu_ms "$(cat "$S/ldap/slapd.pid")")
    awk -v n="$N" -v s="$start" -v e="$end" -v f=$((f1 - f0)) -v l=$((l1 - l0)) \
        'BEGIN{printf "%.1f\t%.2f\t%.2f", n / (e - s), f / n, l / n}'
}

printf 'round\tvariant\tlogins_per_s\tferry_cpu_ms_per_login\tslapd_cpu_ms_per_login\n' | tee "$OUT"
for round in $(seq "$ROUNDS"); do
    while read -r variant kind port user; do
        printf '%s\t%s\t%s\n' "$round" "$variant" "$(run "$variant" "$kind" "$port" "$user")" | tee -a "$OUT"
    done <<VARIANTS
openssh-key key $OPENSSH_PORT $ME
ferry-key key $FERRY_PORT bench
ferry-password password $FERRY_PORT benchpw
ferry-ldap-key key $FERRY_PORT ldap
ferry-ldap-password password $FERRY_PORT ldap
slapd-bind bind 0 ldap
VARIANTS
done
echo "medians, load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]).read().splitlines()[1:]:
    _, variant, rate, ferry, slapd = line.split("\t")
    rows.setdefault(variant, []).append((float(rate), float(ferry), float(slapd)))
for variant, values in rows.items():
    med = [statistics.median(v[i] for v in values) for i in range(3)]
    print(f"  {variant}: {med[0]:.1f} logins/s, Ferry {med[1]:.2f} ms CPU/login, slapd {med[2]:.2f} ms CPU/login")
PY
