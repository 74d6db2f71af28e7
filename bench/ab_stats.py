#!/usr/bin/env python3
"""Paired A/B statistics over harness TSV rows: B/A per (runid, run, test, variant), where A and B
were measured back to back in the same interleaved invocation.

  ab_stats.py A_NAME B_NAME FILE.tsv...

Per test: median of A and B, the median paired ratio B/A with a 95 % bootstrap interval of that
median, the pairs where B was worse, and an exact two-sided sign test. "Worse" is a lower value for
rates (MB/s, logins/s) and a higher one for times and CPU (s, cpu-s, cpu-ms).
"""
import math
import random
import statistics
import sys
from collections import defaultdict

a_name, b_name, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
vals = defaultdict(dict)
units = {}
order = []
for path in paths:
    for line in open(path):
        c = line.rstrip("\n").split("\t")
        if len(c) < 9 or c[5] == "NA":
            continue
        test = (c[2], c[3])
        if test not in units:
            order.append(test)
        units[test] = c[6]
        vals[(test, c[8], c[4])][c[1]] = float(c[5])


def sign_test(k, n):
    if n == 0:
        return 1.0
    p = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * p)


random.seed(17)
print(f"| test | unit | {a_name} median | {b_name} median | median {b_name}/{a_name} | 95 % CI of that median | "
      f"pairs | {b_name} worse in | sign test p |")
print("|---|---|---|---|---|---|---|---|---|")
for test in order:
    pairs = [(v[a_name], v[b_name]) for (t, _, _), v in vals.items() if t == test and a_name in v and b_name in v]
    if not pairs:
        continue
    unit = units[test]
    higher_better = unit.endswith("/s")
    ratios = [b / a for a, b in pairs if a > 0]
    worse = sum(1 for a, b in pairs if (b < a if higher_better else b > a))
    boots = sorted(statistics.median(random.choices(ratios, k=len(ratios))) for _ in range(5000))
    lo, hi = boots[int(0.025 * len(boots))], boots[int(0.975 * len(boots)) - 1]
    print(f"| {test[0]} | {unit} | {statistics.median(a for a, _ in pairs):.3g} | {statistics.median(b for _, b in pairs):.3g} | "
          f"{statistics.median(ratios):.2f} | {lo:.2f}-{hi:.2f} | {len(pairs)} | {worse} | {sign_test(worse, len(pairs)):.2f} |")
