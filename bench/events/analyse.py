"""Figures from the receiver's arrivals ("<epoch ms> <event id> <path>" per line).
    python3 analyse.py throughput ARRIVALS PREFIX          first to last arrival of paths under PREFIX -> events/s
    python3 analyse.py latency ARRIVALS CLOSES              CLOSE confirmed ("<path> <epoch ms>") -> arrival: median, p90, p99, max
"""
import statistics, sys

def arrivals(fname, prefix=""):
    out = {}
    dup = 0
    for line in open(fname):
        t, eid, path = line.split(" ", 2)
        path = path.strip()
        if not path.startswith(prefix):
            continue
        if path in out:
            dup += 1
            continue
        out[path] = float(t)
    return out, dup

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]

mode = sys.argv[1]
if mode == "throughput":
    a, dup = arrivals(sys.argv[2], sys.argv[3])
    ts = sorted(a.values())
    span = (ts[-1] - ts[0]) / 1000
    print(f"{len(ts)} distinct events (+{dup} repeated) from first to last arrival in {span:.3f} s: "
          f"{(len(ts) - 1) / span:.0f} events/s")
elif mode == "latency":
    a, dup = arrivals(sys.argv[2])
    lat, missing = [], 0
    for line in open(sys.argv[3]):
        path, t = line.split()
        if path in a:
            lat.append(a[path] - float(t))
        else:
            missing += 1
    print(f"{len(lat)} files ({missing} not received, {dup} repeated): CLOSE confirmed -> receiver, ms: "
          f"median {statistics.median(lat):.1f}, p90 {pct(lat, 90):.1f}, p99 {pct(lat, 99):.1f}, "
          f"min {min(lat):.1f}, max {max(lat):.1f}")
