#!/usr/bin/env bash
# Server CPU for 1,000 x 4 KiB `put -r` (the harness's smallfiles batch), per target, interleaved;
# rows in the harness's TSV format: test smallfiles_server_cpu (cpu-s) and smallfiles_1000x4KiB (s).
# usage: RESULTS=... RUNS=n smallcpu.sh TARGET.env...   (BENCH_SCRATCH set)
set -uo pipefail
H=/work/shared/bench; RUNID=$(date +%s)-$$; DATA=$BENCH_SCRATCH/data; TMPD=$BENCH_SCRATCH/tmp
snap() { python3 $H/lib/procmon.py snapshot "$1" | awk '{print $4}'; }
for ((r = 0; r <= ${RUNS:-5}; r++)); do
  for t in "$@"; do
    ( . "$t"
      R=${REMOTE_DIR%/}/bench; [ "$REMOTE_DIR" = / ] && R=/bench
      O=(-q -F /dev/null -P "$PORT" -i "$KEY" -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes
         -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -c aes128-gcm@openssh.com)
      d=$R/smallcpu_${RUNID}_$r; b=$TMPD/smallcpu.$$
      printf 'put -r %s %s\n' "$DATA/small" "$d" >"$b"
      c0=$(snap "$SERVER_PID"); s=$(date +%s%N)
      sftp "${O[@]}" -b "$b" "$USER@$HOST" >/dev/null; rc=$?
      e=$(date +%s%N); sleep 0.3; c1=$(snap "$SERVER_PID")
      printf 'rm %s/*\nrmdir %s\n' "$d" "$d" >"$b"; sftp "${O[@]}" -b "$b" "$USER@$HOST" >/dev/null; rm -f "$b"
      [ $r -ge 1 ] && [ $rc = 0 ] || exit 0
      l=$(cut -d' ' -f1 /proc/loadavg); now=$(date -u +%FT%TZ)
      sec=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", (b-a)/1e9}')
      printf '%s\t%s\tsmallfiles_1000x4KiB\taes128-gcm@openssh.com\t%s\t%s\ts\tsmallcpu.sh load=%s\t%s\n' "$now" "$NAME" "$r" "$sec" "$l" "$RUNID" >>"$RESULTS"
      printf '%s\t%s\tsmallfiles_server_cpu\taes128-gcm@openssh.com\t%s\t%s\tcpu-s\tserver CPU seconds for the session load=%s\t%s\n' "$now" "$NAME" "$r" \
        "$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}')" "$l" "$RUNID" >>"$RESULTS"
      echo "$NAME run $r: ${sec}s cpu $(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}') load $l" )
  done
done
