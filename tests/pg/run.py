#!/usr/bin/env python3
"""The PostgreSQL state suite: `newsmd crawl` workers sharing one
PostgreSQL state, `newsmd state migrate`, and the C unit tests of the
PostgreSQL backend (build/unit state_), all against a real server.

Run through tests/pg/run.sh, which starts a throwaway cluster
(tests/pg/cluster.sh) and sets NEWSMD_PG_URI; without it every test here
is counted as skipped.  The sites are loopback hosts 127.0.0.2-127.0.0.13,
each with its own small HTTP server that logs every request's arrival
time, so politeness is measured where it matters: at the server.

Prints "pg: N passed, N failed, N skipped".
Usage: run.py [NAME-SUBSTRING]    NEWSMD_PG_BENCH=1 also runs the scaling bench.
"""
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'crawl'))
from server import article  # noqa: E402

NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
UNIT = os.path.join(os.path.dirname(NEWSMD), 'unit')
URI = os.environ.get('NEWSMD_PG_URI', '')
PG_BIN = os.environ.get('NEWSMD_PG_BIN', '')
PG_DATA = os.environ.get('NEWSMD_PG_DATA', '')
PG_AS = os.environ.get('NEWSMD_PG_AS', '').split()
TESTS = []
DELAY_MS = 300
# the server clock and the worker's are the same machine's; a request's
# arrival is logged by a server thread a moment after it arrives
GAP_SLACK_S = 0.010


def test(fn):
    TESTS.append(fn)
    return fn


class Skip(Exception):
    pass


# ---- loopback sites ----

class Site:
    """One host: 127.0.0.N, n articles, every request logged.

    All sites are served by one asyncio event loop on one thread, so a
    request is timestamped the moment its request line is read (a
    thread-per-connection server stamps the first request of a connection
    late, by the time its thread takes to start, which shortens the gap it
    measures before it)."""

    loop = None

    def __init__(self, ip, n, article_delay=0.0):
        self.ip, self.n, self.article_delay = ip, n, article_delay
        self.start_path = 'list'
        self.name = 'h%s' % ip.split('.')[-1]
        self.log, self.lock = [], threading.Lock()
        if Site.loop is None:
            Site.loop = asyncio.new_event_loop()
            threading.Thread(target=Site.loop.run_forever, daemon=True).start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.conn, ip, 0, reuse_address=True), Site.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    def body(self, path):
        if path == '/robots.txt':
            return 200, 'text/plain', ('User-agent: *\nDisallow: /private/\nSitemap: http://%s:%d'
                                       '/sitemap.xml\n' % (self.ip, self.port)).encode()
        if path == '/sitemap.xml':
            urls = ''.join('<url><loc>http://%s:%d/a/%s-%d</loc></url>' % (self.ip, self.port,
                                                                        self.name, i)
                           for i in range(self.n))
            return 200, 'application/xml', ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps'
                                            '.org/schemas/sitemap/0.9">%s</urlset>' % urls).encode()
        if path == '/list':
            links = ''.join('<a class="item" href="/a/%s-%d">x</a>\n' % (self.name, i)
                            for i in range(self.n))
            return 200, 'text/html', ('<html><body>%s</body></html>' % links).encode()
        if path.startswith('/a/'):
            return 200, 'text/html; charset=utf-8', article(path[3:])
        return 404, 'text/plain', b'not found'

    async def conn(self, reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                t = time.monotonic()
                parts = line.decode('latin-1').split()
                while (await reader.readline()) not in (b'\r\n', b'\n', b''):
                    pass
                path = parts[1] if len(parts) > 1 else '/'
                with self.lock:
                    self.log.append((t, path))
                if path.startswith('/a/') and self.article_delay:
                    await asyncio.sleep(self.article_delay)
                code, ctype, body = self.body(path)
                writer.write(b'HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n'
                             % (code, ctype.encode(), len(body)) + body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def start(self):
        return 'http://%s:%d/%s' % (self.ip, self.port, self.start_path)

    def close(self):
        async def stop():
            self.server.close()
        asyncio.run_coroutine_threadsafe(stop(), Site.loop).result(10)

    def hits(self, path):
        return sum(1 for _, p in self.log if p == path)

    def article_hits(self):
        h = {}
        for _, p in self.log:
            if p.startswith('/a/'):
                h[p] = h.get(p, 0) + 1
        return h

    def min_gap(self):
        t = sorted(x[0] for x in self.log)
        return min((b - a for a, b in zip(t, t[1:])), default=None)

    def gap_where(self):
        """the two requests with the smallest gap"""
        t = sorted(self.log)
        return min(((b[0] - a[0], a[1], b[1]) for a, b in zip(t, t[1:])), default=None)


RULE = """name: testsite
match: {hosts: [unused.test]}
fields:
  title: {steps: [{css: h1}], required: true}
  date: {steps: [{css: time, attr: datetime}]}
body: {steps: [{css: div.body}]}
discovery:
  item_links: [{css: a.item}]
"""


class Crawl:
    """A config in a temp folder: one source per site, state = the test database."""

    def __init__(self, tmp, sites, state=None, **crawl):
        self.tmp, self.sites = tmp, sites
        os.makedirs(os.path.join(tmp, 'rules'), exist_ok=True)
        with open(os.path.join(tmp, 'rules', 'test.yml'), 'w') as f:
            f.write(RULE)
        c = dict(delay_ms=DELAY_MS, timeout_s=10, retries=1, concurrency=8,
                 per_host_concurrency=1, robots='true')
        c.update(crawl)
        srcs = ''.join("  - name: %s\n    rule: testsite\n    start: ['%s']\n" % (s.name, s.start())
                       for s in sites)
        self.cfg = os.path.join(tmp, 'newsmd.yml')
        with open(self.cfg, 'w') as f:
            f.write("rules: rules/\nstate: '%s'\noutput:\n  dir: _posts\ncrawl:\n%s"
                    "sources:\n%s" % (state or URI, ''.join('  %s: %s\n' % kv for kv in c.items()),
                                      srcs))

    def start(self, *args, log=None):
        cmd = [NEWSMD, 'crawl', '-c', self.cfg] + list(args)
        if log:
            cmd += ['--log-json', os.path.join(self.tmp, log)]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, *args, timeout=120):
        p = self.start(*args)
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')

    def posts(self):
        d = os.path.join(self.tmp, '_posts')
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def post_ids(self):
        ids = []
        for name in self.posts():
            with open(os.path.join(self.tmp, '_posts', name), encoding='utf-8') as f:
                m = re.search(r'Body of article (\S+?)\.', f.read())
                ids.append(m.group(1) if m else name)
        return ids


def psql(sql):
    p = subprocess.run([os.path.join(PG_BIN, 'psql'), URI, '-XAtq', '-c', sql],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def reset_db():
    psql('SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;')


def pg_ctl(*args):
    subprocess.run(PG_AS + [os.path.join(PG_BIN, 'pg_ctl'), '-D', PG_DATA, '-w'] + list(args),
                   capture_output=True, timeout=60, check=True)


def sites(first, n_hosts, n_articles, article_delay=0.0):
    return [Site('127.0.0.%d' % (first + i), n_articles, article_delay) for i in range(n_hosts)]


def assert_polite(ss):
    for s in ss:
        g = s.min_gap()
        assert g is None or g >= DELAY_MS / 1000 - GAP_SLACK_S, \
            '%s: requests %.0f ms apart (delay %d ms): %s' % (s.ip, g * 1000, DELAY_MS, s.gap_where())


# ---- tests ----

@test
def test_unit_pg_backend():
    """the C unit tests of both backends (state API contract, leases, host locks, migrations)"""
    p = subprocess.run([UNIT, 'state_'], capture_output=True, text=True, timeout=300)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ''
    assert p.returncode == 0 and ' 0 failed' in last, p.stdout[-3000:]
    assert ' 0 skipped' in last, 'the PostgreSQL unit tests skipped: ' + last


@test
def test_single_worker_then_nothing_new():
    reset_db()
    ss = sites(2, 2, 5)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            c = Crawl(tmp, ss)
            rc, out, err = c.run()
            assert rc == 0, (rc, err)
            assert sorted(c.post_ids()) == sorted('%s-%d' % (s.name, i) for s in ss for i in range(5))
            assert psql("SELECT count(*) FROM urls WHERE kind = 'article' AND status = 'done'"
                        " AND output_path IS NOT NULL") == '10'
            assert psql('SELECT count(*) FROM urls WHERE lease_pid IS NOT NULL') == '0'
            before = sum(sum(s.article_hits().values()) for s in ss)
            rc, out, err = c.run()
            assert rc == 0, err
            assert sum(sum(s.article_hits().values()) for s in ss) == before  # nothing refetched
            assert len(c.posts()) == 10
            assert_polite(ss)
    finally:
        for s in ss:
            s.close()


@test
def test_unreachable_database():
    with tempfile.TemporaryDirectory() as tmp:
        ss = sites(2, 1, 1)
        try:
            c = Crawl(tmp, ss, state='postgresql://nm:pw@/newsmd?host=%s/nosocket' % tmp)
            rc, out, err = c.run(timeout=60)
        finally:
            ss[0].close()
        lines = err.strip().splitlines()
        assert rc != 0 and rc != 75, rc
        assert len(lines) == 1, err
        assert 'cannot connect to the PostgreSQL state store' in lines[0], err
        assert 'pw' not in lines[0] and 'nm:***@' in lines[0], err
        assert ss[0].log == []  # nothing fetched without a state


@test
def test_database_gone_mid_run():
    reset_db()
    ss = sites(2, 2, 15, article_delay=0.05)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            c = Crawl(tmp, ss)
            p = c.start()
            deadline = time.monotonic() + 60
            while len(c.posts()) < 3 and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.05)
            assert p.poll() is None, 'the crawl ended before the database could go away'
            pg_ctl('-m', 'immediate', 'stop')
            at_stop = sum(sum(s.article_hits().values()) for s in ss)
            try:
                out, err = p.communicate(timeout=60)
            finally:
                pg_ctl('-l', os.path.join(os.path.dirname(PG_DATA), 'server.log'), 'start')
            err = err.decode()
            # it stops fetching: at most the request in flight per host, and
            # one more started before the next write found the database gone
            after = sum(sum(s.article_hits().values()) for s in ss) - at_stop
            assert after <= 2 * len(ss), '%d articles fetched after the database went away' % after
            assert p.returncode not in (0, 75), (p.returncode, err)
            assert 'PostgreSQL connection was lost' in err, err
            assert len(err.strip().splitlines()) <= 3, err  # says it once, not per row
            # no half-updated row: a row with a post says done, and the other way round
            assert psql("SELECT count(*) FROM urls WHERE (output_path IS NOT NULL) <>"
                        " (status = 'done') AND kind = 'article'") == '0'
            # the next run finishes the work: one post per article
            rc, out, err = c.run()
            assert rc == 0, err
            ids = c.post_ids()
            assert sorted(ids) == sorted('%s-%d' % (s.name, i) for s in ss for i in range(15)), ids
            for s in ss:
                assert max(s.article_hits().values()) <= 2, s.article_hits()
    finally:
        for s in ss:
            s.close()


@test
def test_state_migrate():
    reset_db()
    ss = sites(2, 2, 4)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            c = Crawl(tmp, ss, state='state/newsmd.db')  # a missing folder: created
            rc, out, err = c.run()
            assert rc == 0, err
            assert oct(os.stat(os.path.join(tmp, 'state')).st_mode & 0o777) == '0o700'
            hits = sum(sum(s.article_hits().values()) for s in ss)
            p = subprocess.run([NEWSMD, 'state', 'migrate', os.path.join(tmp, 'state/newsmd.db'), URI],
                               capture_output=True, text=True)
            assert p.returncode == 0, p.stderr
            assert 'copied' in p.stdout and ' URLs' in p.stdout, p.stdout
            assert psql("SELECT count(*) FROM urls WHERE kind = 'article' AND status = 'done'") == '8'
            assert psql('SELECT max(version) FROM schema_version') == '2'
            # the PostgreSQL state knows what the file knew: nothing is refetched
            c2 = Crawl(tmp, ss)
            rc, out, err = c2.run()
            assert rc == 0, err
            assert sum(sum(s.article_hits().values()) for s in ss) == hits
            assert len(c2.posts()) == 8
            # usage errors
            p = subprocess.run([NEWSMD, 'state', 'migrate', os.path.join(tmp, 'nope.db'), URI],
                               capture_output=True, text=True)
            assert p.returncode == 2 and 'no such state file' in p.stderr, p.stderr
            p = subprocess.run([NEWSMD, 'state', 'migrate', URI, URI], capture_output=True, text=True)
            assert p.returncode == 2, p.stderr
            p = subprocess.run([NEWSMD, 'state', '--help'], capture_output=True, text=True)
            assert p.returncode == 0 and 'migrate SQLITE_FILE POSTGRES_URI' in p.stdout
    finally:
        for s in ss:
            s.close()


def kill_when_busy(procs, tmp, logs, deadline):
    """kill -9 the first worker that has written a post and is still running"""
    while time.monotonic() < deadline:
        for p, log in zip(procs, logs):
            path = os.path.join(tmp, log)
            if p.poll() is None and os.path.exists(path) and '"written"' in open(path).read():
                p.send_signal(signal.SIGKILL)
                return p
        time.sleep(0.02)
    return None


@test
def test_three_workers_kill9_acceptance():
    """3 workers at once, 4 hosts x 15 articles, delay 300 ms, one killed with kill -9"""
    reset_db()
    ss = sites(2, 4, 15, article_delay=0.02)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            c = Crawl(tmp, ss, concurrency=2)
            logs = ['w%d.log' % i for i in range(3)]
            procs = [c.start(log=l) for l in logs]
            killed = kill_when_busy(procs, tmp, logs, time.monotonic() + 60)
            assert killed, 'no worker wrote a post'
            codes = []
            for p in procs:
                p.communicate(timeout=120)
                codes.append(p.returncode)
            assert -signal.SIGKILL in codes, codes
            assert 75 not in codes, codes
            assert all(x in (0, -signal.SIGKILL) for x in codes), codes
            rc, out, err = c.run()  # a later run finishes the dead worker's work
            assert rc == 0, err
            ids = c.post_ids()
            want = sorted('%s-%d' % (s.name, i) for s in ss for i in range(15))
            assert sorted(ids) == want, (len(ids), sorted(set(want) - set(ids)))
            assert len(ids) == len(set(ids)) == 60
            for s in ss:
                hits = s.article_hits()
                assert len(hits) == 15 and max(hits.values()) <= 2, (s.ip, hits)
                # robots.txt cached in the shared state: once per host for all
                # workers (twice at most when its fetcher was the one killed)
                assert 1 <= s.hits('/robots.txt') <= 2, (s.ip, s.hits('/robots.txt'))
            assert_polite(ss)
            gaps = ', '.join('%s %.0f ms' % (s.ip, s.min_gap() * 1000) for s in ss)
            twice = sum(1 for s in ss for v in s.article_hits().values() if v == 2)
            workers = sum(1 for l in logs if '"written"' in open(os.path.join(tmp, l)).read())
            print('  3 workers (one killed) + 1: 60 posts, %d articles fetched twice, %d workers'
                  ' wrote posts; min gap per host: %s' % (twice, workers, gaps))
    finally:
        for s in ss:
            s.close()


@test
def test_second_worker_joins_not_75():
    reset_db()
    ss = sites(2, 2, 6, article_delay=0.02)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            c = Crawl(tmp, ss, concurrency=1)
            a = c.start()
            time.sleep(0.5)
            b = c.start()
            a.communicate(timeout=120)
            b.communicate(timeout=120)
            assert a.returncode == 0 and b.returncode == 0, (a.returncode, b.returncode)
            assert len(c.posts()) == 12
            for s in ss:
                assert max(s.article_hits().values()) == 1, s.article_hits()
                assert s.hits('/robots.txt') == 1, s.hits('/robots.txt')  # shared cache
            assert_polite(ss)
    finally:
        for s in ss:
            s.close()


@test
def test_robots_start_two_workers():
    """a source reading the sitemaps robots.txt names: the robots.txt request takes the host too"""
    reset_db()
    ss = sites(2, 3, 5)
    for s in ss:
        s.start_path = 'robots.txt'
    try:
        with tempfile.TemporaryDirectory() as tmp:
            c = Crawl(tmp, ss, concurrency=2)
            procs = [c.start(), c.start()]
            codes = [p.communicate(timeout=120) and p.returncode for p in procs]
            assert codes == [0, 0], codes
            assert sorted(c.post_ids()) == sorted('%s-%d' % (s.name, i) for s in ss for i in range(5))
            for s in ss:
                assert s.hits('/robots.txt') == 1, (s.ip, s.hits('/robots.txt'))
                assert max(s.article_hits().values()) == 1, s.article_hits()
            assert_polite(ss)
    finally:
        for s in ss:
            s.close()


def bench():
    """throughput with 1, 2, 3 workers on many hosts (12 x 10 and 24 x 5 articles)"""
    for hosts, arts, conc in ((12, 10, 4), (24, 5, 8)):
        for workers in (1, 2, 3):
            reset_db()
            ss = sites(2, hosts, arts, article_delay=0.0)
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    c = Crawl(tmp, ss, concurrency=conc)
                    t0 = time.monotonic()
                    procs = [c.start() for _ in range(workers)]
                    for p in procs:
                        p.communicate(timeout=600)
                    dt = time.monotonic() - t0
                    n = len(c.posts())
                    gaps = [s.min_gap() for s in ss]
                    print('  bench: %d worker(s), %d hosts x %d articles, delay %d ms, concurrency %d:'
                          ' %d posts in %.1f s = %.1f articles/s; per-host gap min %.0f ms'
                          % (workers, hosts, arts, DELAY_MS, conc, n, dt, n / dt, min(gaps) * 1000),
                          flush=True)
            finally:
                for s in ss:
                    s.close()


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ''
    passed = failed = skipped = 0
    for fn in TESTS:
        if only and only not in fn.__name__:
            continue
        if not URI:
            print('skip %s: no PostgreSQL server (tests/pg/run.sh starts one)' % fn.__name__)
            skipped += 1
            continue
        try:
            fn()
            print('ok   %s' % fn.__name__, flush=True)
            passed += 1
        except Skip as e:
            print('skip %s: %s' % (fn.__name__, e))
            skipped += 1
        except Exception:
            print('FAIL %s' % fn.__name__)
            traceback.print_exc(file=sys.stdout)
            failed += 1
    if URI and os.environ.get('NEWSMD_PG_BENCH'):
        bench()
    print('pg: %d passed, %d failed, %d skipped' % (passed, failed, skipped))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
