#!/usr/bin/env python3
"""Median and p90 of the CPU ns per operation over the counted rounds of each run in an ab.sh output."""
import re, sys
def pct(v, p):
    v = sorted(v); return v[max(0, min(len(v) - 1, -(-p * len(v) // 100) - 1))]
run = None
for line in open(sys.argv[1]):
    if line.startswith('=='):
        if run: print(run[0], 'subscribe CPU ns median %d p90 %d; close CPU ns median %d p90 %d' % (pct(run[1], 50), pct(run[1], 90), pct(run[2], 50), pct(run[2], 90)))
        run = (line.strip(), [], [])
    m = re.match(r'round \d+.*\(([\d,]+) CPU ns each\).*\(([\d,]+) CPU ns each\)', line)
    if m and run:
        run[1].append(int(m.group(1).replace(',', ''))); run[2].append(int(m.group(2).replace(',', '')))
if run: print(run[0], 'subscribe CPU ns median %d p90 %d; close CPU ns median %d p90 %d' % (pct(run[1], 50), pct(run[1], 90), pct(run[2], 50), pct(run[2], 90)))
