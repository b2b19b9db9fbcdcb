import json, statistics, sys
runs = {}
def raw(m): return [x for fork in m['rawData'] for x in fork]
for f in sys.argv[1:]:
    for b in json.load(open(f)):
        p = b['params']['observability']
        thr = raw(b['primaryMetric'])
        sm = b['secondaryMetrics']
        cpu = [c / m for c, m in zip(raw(sm['·cpuNs'] if '·cpuNs' in sm else sm['cpuNs']), raw(sm['·messages'] if '·messages' in sm else sm['messages']))] if ('cpuNs' in sm or '·cpuNs' in sm) else []
        r = runs.setdefault(p, {'thr': [], 'cpu': [], 'alloc': []})
        r['thr'] += thr; r['cpu'] += cpu
        r['alloc'].append(sm['gc.alloc.rate.norm']['score'] if 'gc.alloc.rate.norm' in sm else float('nan'))
        print('%s %-3s throughput median %10.0f msg/s (mean %.0f ± %.0f)  cpu median %.1f ns/msg  alloc %.3f B/op' % (
            f.split('/')[-1], p, statistics.median(thr), float(b['primaryMetric']['score']), float(b['primaryMetric']['scoreError']),
            statistics.median(cpu) if cpu else float('nan'), r['alloc'][-1]))
for p, r in runs.items():
    q = statistics.quantiles(r['thr'], n=4)
    line = '%-3s n=%d throughput median %.0f (p25 %.0f, p75 %.0f) msg/s' % (p, len(r['thr']), statistics.median(r['thr']), q[0], q[2])
    if r['cpu']:
        qc = statistics.quantiles(r['cpu'], n=4)
        line += '; cpu median %.1f (p25 %.1f, p75 %.1f) ns/msg' % (statistics.median(r['cpu']), qc[0], qc[2])
    print(line)
if 'on' in runs and 'off' in runs:
    print('throughput cost (medians): %.1f%%' % (100 * (1 - statistics.median(runs['on']['thr']) / statistics.median(runs['off']['thr']))))
    if runs['on']['cpu']:
        print('cpu cost per message (medians): %.1f%%' % (100 * (statistics.median(runs['on']['cpu']) / statistics.median(runs['off']['cpu']) - 1)))
