#!/usr/bin/env python3
"""The security properties of `newsmd studio`, checked with http.client
against a running studio (python3 stdlib only).

  NEWSMD=build/newsmd python3 tests/studio/security.py [NAME-FILTER]

Loopback only; the token on every request (403); the Host header naming
the studio (421, against DNS rebinding); state-changing endpoints POST-only
(405); a CSP on every response and `script-src 'none'` for the site's page;
the page sanitised; names from the client never leave the rules folder;
request bodies and pages bounded.
"""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from testlib import Skip, run_tests, test  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build', 'newsmd')))
FIXTURE = os.path.join(ROOT, 'tests/fixtures/finews/NW202204132341710174.html')
HOSTILE = os.path.join(ROOT, 'tests/studio/hostile.html')
URL = 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202204132341710174'
SCALE = float(os.environ.get('NEWSMD_TIME_SCALE', '1'))
# server.h SERVER_MAX_BODY, api.h API_MAX_PAGE
MAX_BODY = 2 * 1024 * 1024
MAX_PAGE = 16 * 1024 * 1024


class Studio:
    """A studio on a free port, stopped with SIGTERM."""

    def __init__(self, tmp, page=FIXTURE, url=URL, rules=None, extra=()):
        os.makedirs(os.path.join(tmp, 'rules'), exist_ok=True)
        shutil.copy(os.path.join(ROOT, 'examples/finews/newsmd.yml'), os.path.join(tmp, 'newsmd.yml'))
        shutil.copy(os.path.join(ROOT, 'examples/finews/rules/eastmoney.yml'),
                    os.path.join(tmp, 'rules', 'eastmoney.yml'))
        self.rules = rules or os.path.join(tmp, 'rules')
        args = [NEWSMD, 'studio', '--port', '0', '--no-open', '-c', os.path.join(tmp, 'newsmd.yml')]
        if rules:
            args += ['--rules', rules]
        args += (['--url', url] if url != page else []) + [*extra, page]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.first = self.p.stdout.readline().rstrip('\n')
        m = re.fullmatch(r'studio: http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{32})', self.first)
        if not m:
            self.stop()
            raise AssertionError('first line %r; stderr %r' % (self.first, self.p.stderr.read()))
        self.port, self.token = int(m.group(1)), m.group(2)

    def req(self, method, path, body=None, headers=None, token=True, host=None):
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30 * SCALE)
        if token:
            path += ('&' if '?' in path else '?') + 'token=' + self.token
        h = {'Host': host or '127.0.0.1:%d' % self.port}
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h['Content-Type'] = 'application/json'
        h.update(headers or {})
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            c.putheader(k, v)
        data = body.encode() if isinstance(body, str) else body
        if data is not None:
            c.putheader('Content-Length', str(len(data)))
        c.endheaders()
        if data:
            try:
                c.send(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
        r = c.getresponse()
        out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        c.close()
        return out

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10 * SCALE)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        err = self.p.stderr.read()
        for f in (self.p.stdout, self.p.stderr):
            f.close()
        # under make check (ASan+UBSan) a report fails the test
        assert 'Sanitizer' not in err and 'runtime error:' not in err, err[-3000:]


def need_binary():
    if not os.path.exists(NEWSMD):
        raise Skip('no %s' % NEWSMD)


def with_studio(fn):
    def run(tmp):
        need_binary()
        s = Studio(tmp)
        try:
            fn(s, tmp)
        finally:
            s.stop()
    run.__name__ = fn.__name__
    return test(run)


@with_studio
def test_loopback_only(s, tmp):
    # every listening socket on the port is 127.0.0.1 (0100007F), none on tcp6
    rows = []
    for f in ('/proc/net/tcp', '/proc/net/tcp6'):
        if os.path.exists(f):
            for line in open(f).read().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == '0A' and int(local.split(':')[-1], 16) == s.port:
                    rows.append((f, local))
    assert rows == [('/proc/net/tcp', '0100007F:%04X' % s.port)], rows
    # another loopback address is not served
    try:
        socket.create_connection(('127.0.0.2', s.port), timeout=5).close()
        raise AssertionError('127.0.0.2 accepted a connection')
    except OSError:
        pass


@with_studio
def test_token_required(s, tmp):
    for method, path in (('GET', '/'), ('GET', '/app.js'), ('GET', '/page'), ('GET', '/rendered'),
                         ('GET', '/api/state'), ('POST', '/api/run'), ('POST', '/api/pick'),
                         ('POST', '/api/save'), ('GET', '/nothing')):
        body = {} if method == 'POST' else None
        st, h, _ = s.req(method, path, body, token=False)
        assert st == 403, (method, path, st)
        assert 'content-security-policy' in h, (path, h)
        st, _, _ = s.req(method, path + '?token=' + '0' * 32, body, token=False)
        assert st == 403, ('wrong token', path, st)
        st, _, _ = s.req(method, path + '?token=' + s.token[:-1], body, token=False)
        assert st == 403, ('token prefix', path, st)
    # the right token, in the query or the header
    assert s.req('GET', '/api/state')[0] == 200
    assert s.req('GET', '/api/state', token=False, headers={'X-Studio-Token': s.token})[0] == 200


@with_studio
def test_host_header(s, tmp):
    for host in ('evil.example:%d' % s.port, 'evil.example', '127.0.0.1:%d' % (s.port + 1),
                 '127.0.0.1', 'localhost.evil.example:%d' % s.port, '[::1]:%d' % s.port):
        st, h, _ = s.req('GET', '/api/state', host=host)
        assert st in (403, 421), (host, st)
        assert 'content-security-policy' in h
        st, _, _ = s.req('POST', '/api/save', {'rule': 'x', 'file': 'x.yml'}, host=host)
        assert st in (403, 421), (host, st)
    assert s.req('GET', '/api/state', host='localhost:%d' % s.port)[0] == 200
    # no Host header at all (HTTP/1.0)
    c = socket.create_connection(('127.0.0.1', s.port), timeout=10)
    c.sendall(b'GET /api/state?token=' + s.token.encode() + b' HTTP/1.0\r\n\r\n')
    head = c.recv(100)
    c.close()
    assert head.startswith(b'HTTP/1.') and head.split()[1] in (b'403', b'421'), head


@with_studio
def test_post_only_and_origin(s, tmp):
    for path in ('/api/run', '/api/pick', '/api/save'):
        st, h, _ = s.req('GET', path)
        assert st == 405 and h.get('allow') == 'POST', (path, st, h)
    st, h, _ = s.req('POST', '/page', {})
    assert st == 405 and h.get('allow') == 'GET', (st, h)
    # a form from another site cannot save, even with the token
    rule = open(os.path.join(tmp, 'rules', 'eastmoney.yml')).read()
    st, _, _ = s.req('POST', '/api/save', {'rule': rule, 'file': 'x.yml'},
                     headers={'Origin': 'http://evil.example'})
    assert st == 403, st
    assert not os.path.exists(os.path.join(tmp, 'rules', 'x.yml'))
    st, _, body = s.req('POST', '/api/save', {'rule': rule, 'file': 'x.yml'},
                        headers={'Origin': 'http://127.0.0.1:%d' % s.port})
    assert st == 200, (st, body)
    assert os.path.exists(os.path.join(tmp, 'rules', 'x.yml'))


@with_studio
def test_csp_everywhere(s, tmp):
    for method, path in (('GET', '/'), ('GET', '/app.js'), ('GET', '/app.css'), ('GET', '/api/state'),
                         ('POST', '/api/pick'), ('GET', '/nothing'), ('GET', '/api/run')):
        st, h, _ = s.req(method, path, {'index': 1} if method == 'POST' else None)
        csp = h.get('content-security-policy', '')
        assert "script-src 'self'" in csp and 'unsafe' not in csp.split('script-src')[1].split(';')[0], (path, csp)
        assert "frame-ancestors 'none'" in csp
        assert h.get('x-content-type-options') == 'nosniff'
        assert h.get('referrer-policy') == 'no-referrer'
    for path in ('/page', '/rendered'):
        st, h, _ = s.req('GET', path)
        assert st == 200
        csp = h['content-security-policy']
        assert "script-src 'none'" in csp and "default-src 'none'" in csp, csp
        assert "object-src 'none'" in csp and "frame-src 'none'" in csp


@test
def test_page_sanitised(tmp):
    need_binary()
    s = Studio(tmp, page=HOSTILE, url='http://hostile.example/a.html')
    try:
        st, h, body = s.req('GET', '/page')
        assert st == 200
        page = body.decode()
        low = page.lower()
        for bad in ('<script', 'onerror', 'onload', 'javascript', 'java\tscript', '<iframe', 'srcdoc',
                    '<object', '<embed', 'http-equiv', 'rel="import"', 'formaction', 'data:text/html',
                    '<noscript', 'evil.example', '99999', '<set', '<!--'):
            assert bad not in low, (bad, page[max(0, low.find(bad) - 200):low.find(bad) + 200])
        assert low.count('<base ') == 1 and '<base href="http://hostile.example/a.html">' in page
        assert 'data-nm-href="https://example.org/ok"' in page  # links do not navigate
        assert 'rel="stylesheet"' in page and 'A hostile page' in page
        # every element is numbered as `select --index` numbers it
        sel = subprocess.run([NEWSMD, 'select', '--index', 'h1.headline', HOSTILE],
                             capture_output=True, text=True)
        idx = sel.stdout.split()[0]
        assert re.search(r'<h1 class="headline" data-nm-i="%s">' % idx, page), (idx, page[:800])
        # the rendered post is sanitised too
        rule = 'name: hostile\nmatch: {hosts: [hostile.example]}\nbody:\n  steps: [{css: body}]\n'
        st, _, body = s.req('POST', '/api/run', {'rule': rule})
        assert st == 200 and json.loads(body)['ok'], body
        st, h, body = s.req('GET', '/rendered')
        low = body.decode().lower()
        assert st == 200 and "script-src 'none'" in h['content-security-policy']
        assert '<script' not in low and 'javascript' not in low and 'onerror' not in low, low
    finally:
        s.stop()


@with_studio
def test_paths_stay_in_rules_folder(s, tmp):
    rule = open(os.path.join(tmp, 'rules', 'eastmoney.yml')).read()
    before = sorted(os.listdir(tmp))
    for name in ('../evil.yml', '/tmp/evil.yml', '..', '../../evil.yml', 'a/../evil.yml', 'a/b/c.yml',
                 '.hidden.yml', 'sub/.x.yml', '..yml', 'x.txt', 'x', '', 'a\\..\\evil.yml',
                 '%2e%2e/evil.yml', 'sub//x.yml', '-rf.yml', 'x.yml\x00.txt', 'ü.yml',
                 'a' * 200 + '.yml'):
        st, _, body = s.req('POST', '/api/save', {'rule': rule, 'file': name})
        assert st == 400, (name, st, body)
    assert sorted(os.listdir(tmp)) == before
    assert not os.path.exists('/tmp/evil.yml') or os.path.getmtime('/tmp/evil.yml') < time.time() - 60
    assert sorted(os.listdir(os.path.join(tmp, 'rules'))) == ['eastmoney.yml']
    # a name one folder down is fine, and the test page goes next to it
    st, _, body = s.req('POST', '/api/save', {'rule': rule, 'file': 'sub/ok.yml'})
    assert st == 200, body
    res = json.loads(body)
    assert res['path'].endswith('rules/sub/ok.yml') and os.path.exists(res['path'])
    assert os.path.exists(os.path.join(tmp, 'rules', 'sub', 'tests', 'ok', 'NW202204132341710174.html'))
    chk = subprocess.run([NEWSMD, 'rules', 'check', '-c', os.path.join(tmp, 'newsmd.yml'), res['path']],
                         capture_output=True, text=True)
    # the copied rule's own test names a page relative to examples/: only ours can pass here
    assert 'test 2' not in chk.stdout, chk.stdout


@with_studio
def test_sizes_bounded(s, tmp):
    st, _, _ = s.req('POST', '/api/run', b'{"rule": "' + b'x' * (MAX_BODY + 1) + b'"}',
                     headers={'Content-Type': 'application/json'})
    assert st == 413, st
    # a Content-Length over the bound is refused before any byte is read
    c = socket.create_connection(('127.0.0.1', s.port), timeout=10)
    c.sendall(('POST /api/run?token=%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n\r\n'
               % (s.token, s.port, 1 << 40)).encode())
    head = c.recv(100)
    c.close()
    assert head.split()[1] == b'413', head
    # the studio still serves
    assert s.req('GET', '/api/state')[0] == 200
    st, _, body = s.req('POST', '/api/run', b'not json', headers={'Content-Type': 'application/json'})
    assert st == 400, st
    st, _, body = s.req('POST', '/api/pick', {'index': 10 ** 9})
    assert st == 400, st
    st, _, body = s.req('POST', '/api/pick', {'index': -1})
    assert st == 400, st


@test
def test_page_size_bounded(tmp):
    need_binary()
    big = os.path.join(tmp, 'big.html')
    with open(big, 'wb') as f:
        f.write(b'<p>' + b'x' * (MAX_PAGE + 1))
    p = subprocess.run([NEWSMD, 'studio', '--no-open', '--rules', tmp, big], capture_output=True,
                       text=True, timeout=60 * SCALE)
    assert p.returncode == 1 and p.stdout == '', (p.returncode, p.stdout)
    assert p.stderr.count('\n') == 1 and 'larger than' in p.stderr and big in p.stderr, p.stderr


@test
def test_usage_errors(tmp):
    need_binary()
    for args in (['--port', '70000', FIXTURE], ['--port', 'x', FIXTURE], [], [FIXTURE, FIXTURE],
                 ['-c', os.path.join(tmp, 'missing.yml'), FIXTURE]):
        p = subprocess.run([NEWSMD, 'studio', '--no-open'] + args, capture_output=True, text=True,
                           timeout=30 * SCALE)
        assert p.returncode == 2 and p.stderr.startswith('newsmd: ') and p.stderr.count('\n') == 1, (args, p)
    p = subprocess.run([NEWSMD, 'studio', '--no-open', os.path.join(tmp, 'nope.html')],
                       capture_output=True, text=True, timeout=30 * SCALE)
    assert p.returncode == 1 and 'nope.html' in p.stderr and p.stderr.count('\n') == 1, p


@test
def test_draft_when_no_rule(tmp):
    need_binary()
    empty = os.path.join(tmp, 'empty-rules')
    os.makedirs(empty)
    s = Studio(tmp, page=HOSTILE, url='http://hostile.example/a.html', rules=empty)
    try:
        st, _, body = s.req('GET', '/api/state')
        state = json.loads(body)
        assert state['draft'] and 'name: ' in state['rule'] and state['save_name'] == 'hostile.example.yml', state
        st, _, body = s.req('POST', '/api/run', {'rule': state['rule']})
        run = json.loads(body)
        assert run['ok'], run
        title = [f for f in run['fields'] if f['name'] == 'title'][0]
        assert title['value'] == 'A hostile page', title
        assert "css: 'h1.headline'" in state['rule'], state['rule']
        # a rule with a YAML error: ok false with line and column, not a crash
        st, _, body = s.req('POST', '/api/run', {'rule': 'name: x\nfields: [\n'})
        err = json.loads(body)
        assert st == 200 and not err['ok'] and err['error']['line'] >= 2, err
        # saving the draft writes into the empty folder
        st, _, body = s.req('POST', '/api/save', {'rule': state['rule'], 'file': state['save_name']})
        assert st == 200, body
        chk = subprocess.run([NEWSMD, 'rules', 'check', '-c', os.path.join(tmp, 'newsmd.yml'),
                              os.path.join(empty, 'hostile.example.yml')], capture_output=True, text=True)
        assert chk.returncode == 0 and '1 tests, 0 failed' in chk.stdout, chk.stdout + chk.stderr
    finally:
        s.stop()


@test
def test_url_input_fetched(tmp):
    """A URL is read through the pipeline's fetch path (a loopback server)."""
    need_binary()
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = open(HOSTILE, 'rb').read()
            self.send_response(200)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    empty = os.path.join(tmp, 'empty-rules')
    os.makedirs(empty)
    url = 'http://127.0.0.1:%d/news/a.html' % srv.server_address[1]
    try:
        s = Studio(tmp, page=url, url=url, rules=empty)
        try:
            st, _, body = s.req('GET', '/api/state')
            state = json.loads(body)
            assert st == 200 and state['url'] == url and state['draft'], state
            st, _, body = s.req('GET', '/page')
            assert b'A hostile page' in body and b'<script' not in body.lower()
        finally:
            s.stop()
    finally:
        srv.shutdown()
        srv.server_close()


if __name__ == '__main__':
    sys.exit(run_tests('studio-security'))
