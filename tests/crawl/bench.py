#!/usr/bin/env python3
"""Crawler throughput and politeness figures (scripts/bench-crawl.sh).

1. Politeness off (robots off, no delay, concurrency 32): one HTML list page
   linking N small articles on a loopback server; the whole pipeline runs
   (fetch, charset, parse, rule, Markdown, atomic post write, SQLite state).
   Reports pages/s end to end, newsmd's CPU time per page and its peak RSS,
   for N = 1,000 and N = 5,000 (RSS should not grow with N), with the
   output on tmpfs (the crawler's own speed) and on disk (each post is
   fsynced twice, so the disk's fsync latency sets the pace there).
2. Politeness on (delay_ms 100, one host, 1 in flight): how closely the
   per-host delay between request starts is kept (measured at the server).

Usage: bench.py [NEWSMD] [N]
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
NEWSMD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build/newsmd'))
N = int(sys.argv[2]) if len(sys.argv) > 2 else 5000

RULE = """name: bench
match: {hosts: [bench.test]}
fields:
  title: {steps: [{css: h1}], required: true}
  date: {steps: [{css: time, attr: datetime}]}
body: {steps: [{css: div.body}]}
discovery:
  item_links: [{css: a.item}]
"""


def setup(tmp, start, **crawl):
    os.makedirs(os.path.join(tmp, 'rules'))
    with open(os.path.join(tmp, 'rules', 'bench.yml'), 'w') as f:
        f.write(RULE)
    c = ''.join('  %s: %s\n' % kv for kv in crawl.items())
    with open(os.path.join(tmp, 'newsmd.yml'), 'w') as f:
        f.write("rules: rules/\nstate: state.db\noutput:\n  dir: _posts\n"
                "  filename: '{slug}-{url|slug}.md'\ncrawl:\n%s"
                "sources:\n  - name: bench\n    start: ['%s']\n" % (c, start))


def run(tmp, port):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([NEWSMD, 'crawl', '-c', os.path.join(tmp, 'newsmd.yml'), '--connect-to',
                        'bench.test:80:127.0.0.1:%d' % port], capture_output=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode()[-2000:])
        raise SystemExit('crawl failed (exit %d)' % p.returncode)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def throughput(n, where=None):
    tmp = tempfile.mkdtemp(prefix='nm-bench-', dir=where)
    try:
        with Server() as s:
            setup(tmp, 'http://bench.test/bench/list?n=%d' % n, concurrency=32,
                  per_host_concurrency=32, delay_ms=0, robots='false', retries=0, timeout_s=30)
            wall, cpu, rss = run(tmp, s.port)
            posts = len(os.listdir(os.path.join(tmp, '_posts')))
            assert posts == n, 'wrote %d posts of %d' % (posts, n)
            print('politeness off, %5d pages, output on %-5s: %6.0f pages/s end to end, '
                  '%.2f ms CPU/page (newsmd), peak RSS %.1f MiB'
                  % (n, 'tmpfs' if where else 'disk', n / wall, cpu * 1000 / n, rss / 1024))
            return rss
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def delay_kept(pages=30, delay=100):
    tmp = tempfile.mkdtemp(prefix='nm-bench-')
    try:
        with Server() as s:
            setup(tmp, 'http://bench.test/bench/list?n=%d' % pages, concurrency=8,
                  per_host_concurrency=1, delay_ms=delay, robots='true', timeout_s=30)
            run(tmp, s.port)
            t = [r[0] for r in s.requests() if r[1] == 'bench.test']
            gaps = sorted((b - a) * 1000 for a, b in zip(t, t[1:]))
            mean = sum(gaps) / len(gaps)
            print('politeness on (delay_ms %d, +0-%d%% jitter, %d requests to one host): '
                  'gap between request starts min %.1f ms, median %.1f ms, mean %.1f ms, max %.1f ms; '
                  '%d of %d gaps below the configured delay'
                  % (delay, 50, len(t), gaps[0], gaps[len(gaps) // 2], mean, gaps[-1],
                     sum(1 for g in gaps if g < delay), len(gaps)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    # tmpfs shows the crawler's own speed; on disk every post costs two
    # fsyncs (file and folder: output/post.c's durable write)
    shm = '/dev/shm' if os.path.isdir('/dev/shm') and os.access('/dev/shm', os.W_OK) else None
    small = throughput(1000, shm)
    big = throughput(N, shm)
    print('RSS growth from 1,000 to %d pages: %+.1f MiB' % (N, (big - small) / 1024))
    throughput(N)
    delay_kept()
