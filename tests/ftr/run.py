#!/usr/bin/env python3
"""`newsmd rules import ftr` and `rules check --online` (stdlib only).

Imports tests/fixtures/ftr/site (a miniature ftr-site-config written for
these tests) and checks, directive by directive, what the imported rules do
on small pages: read as files, or served by a loopback server (names mapped
to 127.0.0.1 with --connect-to) for http_header, single_page_link,
next_page_link/if_page_contains and the online self-tests.  When
../shared/corpus/ftr-site-config is present, the whole snapshot is imported
too and must convert (>= 99 % of its files) and load.

Last line: `ftr: N passed, N failed, N skipped`.
"""
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NEWSMD = os.environ.get('NEWSMD', os.path.join(ROOT, 'build', 'newsmd'))
FIX = os.path.join(ROOT, 'tests', 'fixtures', 'ftr')
CORPUS = os.environ.get('NEWSMD_CORPUS', os.path.join(ROOT, '..', 'shared', 'corpus'))

passed = failed = skipped = 0


def check(name, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s %s' % (name, detail))


def run(*args, timeout=120):
    return subprocess.run([NEWSMD] + list(args), capture_output=True, text=True,
                          timeout=timeout)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def do_GET(self):
        path = self.path.split('?')[0].lstrip('/')
        f = os.path.join(FIX, 'pages', os.path.basename(path))
        if not path or not os.path.isfile(f):
            body, code = b'not here', 404
        else:
            with open(f, 'rb') as fh:
                body, code = fh.read(), 200
            ua = self.headers.get('User-Agent', '')
            body = body.replace(b'{UA}', ua.encode())
        self.send_response(code)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def extract(rules, url, page=None, connect=()):
    args = ['extract', '--rules', rules, '--url', url] if page else ['extract', '--rules', rules]
    for c in connect:
        args += ['--connect-to', c]
    args.append(page if page else url)
    r = run(*args)
    try:
        return json.loads(r.stdout), r
    except ValueError:
        return {}, r


def main():
    global skipped
    tmp = tempfile.mkdtemp(prefix='newsmd-ftr-')
    try:
        out = os.path.join(tmp, 'rules', 'ftr')
        r = run('rules', 'import', 'ftr', os.path.join(FIX, 'site'), '-o', out)
        rep = r.stdout
        check('import exit 0', r.returncode == 0, r.stderr)
        check('import summary', 'rules import ftr: 10 files, 9 rules written, 1 skipped with a reason'
              in rep, rep[-300:])
        check('public suffix skipped', '.blogspot.com.txt: its host suffix is a public suffix' in rep)
        check('LICENSE.txt is not a config', 'LICENSE' not in rep)
        check('bad XPath skipped with a reason',
              re.search(r'^body\s+8\s+0\s+1$', rep, re.M) and 'XPath does not compile' in rep, rep)
        check('unbalanced find/replace skipped',
              'counts differ: Full-Text RSS applies none' in rep)
        for d in ('login_uri', 'titl', 'tidy', 'post_strip_attr'):
            check('%s skipped with a reason' % d, re.search(r'^%s\s+0\s+0\s+1$' % d, rep, re.M)
                  is not None, rep)
        files = sorted(os.listdir(out))
        check('file names', files == ['_.pages.org.yml', 'bad.net.yml', 'example.com.yml',
                                      'fallback.com.yml', 'global.yml', 'join.net.yml', 'mismatch.net.yml',
                                      'nofallback.com.yml', 'single.net.yml'], files)
        with open(os.path.join(out, '_.pages.org.yml')) as f:
            y = f.read()
        check('leading dot -> host_suffixes', 'host_suffixes: [pages.org]' in y, y)
        with open(os.path.join(out, 'example.com.yml')) as f:
            y = f.read()
        check('exact host and www.', 'hosts: [example.com, www.example.com]' in y, y)
        c = run('rules', 'check', out)
        check('imported rules load (offline check skips URL-only tests)',
              c.returncode == 0 and 'rules check: 9 files, 0 not loaded, 0 tests, 0 failed'
              in c.stdout, c.stdout)

        # every page edit, on one page read as a file
        d, r = extract(out, 'http://example.com/story.html', os.path.join(FIX, 'pages', 'example.html'))
        html = d.get('body_html') or ''
        text = d.get('body_text') or ''
        check('rule', d.get('rule') == 'ftr-example.com', d.get('rule'))
        check('title', d.get('title') == 'Real Headline', d.get('title'))
        check('date', d.get('date') == '2024-03-05T10:20:00+00:00', d.get('date'))
        check('author', d.get('author') == ['Ann Author'], d.get('author'))
        check('body', text.startswith('First paragraph of the story'), text[:80])
        check('strip', 'ADVERT' not in text)
        check('strip_id_or_class (substring)', 'PROMO' not in text)
        check('strip_id_or_class (quoted: whole token)', 'EXACT' not in text and 'KEEP exactly' in text)
        check('strip_image_src (global.txt)', 'doubleclick' not in html)
        check('strip_attr', 'secret-alt' not in html and 'photo.jpg' in html, html)
        check('dissolve', 'DISSOLVED text stays' in text and '<blockquote><p>DISSOLVED' not in html)
        check('wrap_in', '<blockquote><p>PULL quote wrapped</p></blockquote>' in html, html)
        check('move_into', 'MOVED info from outside' in text)
        check('find_string/replace_string', 'REPLACED new text' in text and 'FIND-ME' not in text)
        check('replace_string(find)', 'INLINE-NEW text' in text and 'INLINE-OLD' not in text)
        check('global.txt find/replace (amp-img)', 'amp.jpg' in html, html)
        check('strip_id_or_class (global.txt)', 'SHARE' not in text)
        check('src_lazy_load_attr', 'http://example.com/lazy.jpg' in html, html)
        check('native_ad_clue', (d.get('fields') or {}).get('native_ad') == 'yes', d.get('fields'))

        # native_ad_clue absent: no field
        page = os.path.join(tmp, 'plain.html')
        with open(os.path.join(FIX, 'pages', 'example.html')) as f:
            plain = f.read().replace('sponsored-flag', 'other')
        with open(page, 'w') as f:
            f.write(plain)
        d, r = extract(out, 'http://www.example.com/plain.html', page)
        check('native_ad_clue not matching', 'native_ad' not in (d.get('fields') or {}),
              d.get('fields'))
        check('www. host', d.get('rule') == 'ftr-example.com', d.get('rule'))

        # body: several matches joined, in document order, nested ones once
        d, r = extract(out, 'http://join.net/x.html', os.path.join(FIX, 'pages', 'join.html'))
        t = d.get('body_text') or ''
        check('body (several matches joined)', 'BLOCK ONE' in t and 'BLOCK TWO' in t and
              t.count('NESTED') == 1 and 'BETWEEN' not in t and t.index('ONE') < t.index('TWO'),
              r.stderr + t)

        # autodetect_on_failure
        fb = os.path.join(FIX, 'pages', 'fallback.html')
        d, r = extract(out, 'http://fallback.com/x.html', fb)
        check('autodetect_on_failure default (yes)', 'AUTO detected body' in (d.get('body_text') or ''),
              r.stderr)
        d, r = extract(out, 'http://nofallback.com/x.html', fb)
        check('autodetect_on_failure: no', r.returncode != 0 and "required field 'body'" in r.stderr,
              r.stderr + r.stdout[:200])

        # a rule of the project's own wins over an imported one
        rules = os.path.join(tmp, 'rules')
        os.makedirs(os.path.join(rules, 'sites'))
        with open(os.path.join(rules, 'sites', 'own.yml'), 'w') as f:
            f.write("name: own-example\nmatch: {host_suffixes: [example.com]}\n"
                    "fields:\n  title: {css: 'span.pubdate'}\nbody: {steps: [{css: '#story'}]}\n")
        d, r = extract(rules, 'http://www.example.com/a.html', os.path.join(FIX, 'pages', 'example.html'))
        check('own rule wins over imported (exact host)', d.get('rule') == 'own-example',
              d.get('rule'))
        d, r = extract(rules, 'http://single.net/a.html', os.path.join(FIX, 'pages', 's1.html'))
        check('imported rule used where no own rule', d.get('rule') == 'ftr-single.net', d.get('rule'))

        srv = Server(('127.0.0.1', 0), Handler)
        port = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            hosts = ['example.com', 'www.pages.org', 'single.net', 'bad.net']
            connect = ['%s:80:127.0.0.1:%d' % (h, port) for h in hosts]
            d, r = extract(out, 'http://www.pages.org/a1.html', connect=connect)
            t = d.get('body_text') or ''
            check('next_page_link (3 pages joined)',
                  'PART 1' in t and 'PART 2' in t and 'PART 3' in t, r.stderr + t)
            d, r = extract(out, 'http://www.pages.org/b1.html', connect=connect)
            t = d.get('body_text') or ''
            check('if_page_contains (no pager: one page)', 'PART ONE' in t and 'PART 2' not in t,
                  r.stderr + t)
            d, r = extract(out, 'http://single.net/s1.html', connect=connect)
            t = d.get('body_text') or ''
            check('single_page_link', 'WHOLE ARTICLE' in t and 'TEASER' not in t, r.stderr + t)
            cfg = os.path.join(tmp, 'newsmd.yml')
            with open(cfg, 'w') as f:
                f.write('crawl: {delay_ms: 0, retries: 0, timeout_s: 10}\n')
            # online: test_url/test_contains (and http_header: the page echoes the UA)
            args = ['rules', 'check', '-c', cfg, '--online']
            for c in connect:
                args += ['--connect-to', c]
            c = run(*(args + [os.path.join(out, 'example.com.yml')]))
            check('online pass (test_url, test_contains, http_header)',
                  c.returncode == 0 and 'rules check --online: 1 files, 0 not loaded, 2 tests, 0 failed'
                  in c.stdout, c.stdout + c.stderr)
            bad = os.path.join(tmp, 'online')
            os.makedirs(bad)
            with open(os.path.join(bad, 'bad.yml'), 'w') as f:
                f.write("name: bad\nmatch: {hosts: [bad.net]}\nbody: {steps: [{xpath: '//div[@class=\"text\"]'}]}\n"
                        "tests:\n"
                        "  - url: http://bad.net/s1-all.html\n    expect: {body_contains: WHOLE ARTICLE}\n"
                        "  - url: http://bad.net/s1-all.html\n    expect: {body_contains: 'site changed'}\n"
                        "  - url: http://bad.net/gone.html\n")
            c = run(*(args + [bad]))
            lines = [l for l in c.stdout.splitlines() if ': test ' in l]
            check('online fail: exit 1', c.returncode == 1, c.stdout + c.stderr)
            check('online fail: one line per failure', len(lines) == 2 and
                  'body: expected to contain "site changed"' in lines[0] and
                  'HTTP 404' in lines[1], c.stdout)
            check('online fail: summary', 'rules check --online: 1 files, 0 not loaded, 3 tests, 2 failed'
                  in c.stdout, c.stdout)
            c = run('rules', 'check', bad)
            check('offline check unchanged by URL-only tests',
                  c.returncode == 0 and 'rules check: 1 files, 0 not loaded, 0 tests, 0 failed'
                  in c.stdout, c.stdout)
        finally:
            srv.shutdown()
            srv.server_close()

        snap = os.path.join(CORPUS, 'ftr-site-config')
        if not os.path.isdir(snap):
            print('ftr: whole snapshot skipped (%s not found)' % snap)
            skipped += 1
        else:
            all_out = os.path.join(tmp, 'all')
            r = run('rules', 'import', 'ftr', snap, '-o', all_out, '--quiet', timeout=600)
            m = re.search(r'(\d+) files, (\d+) rules written', r.stdout)
            ok = r.returncode == 0 and m and int(m.group(2)) >= 0.99 * int(m.group(1))
            check('snapshot converts (>= 99%)', ok, r.stdout[-400:])
            c = run('rules', 'check', all_out, timeout=600)
            check('snapshot rules all load', c.returncode == 0 and ' 0 not loaded' in c.stdout,
                  c.stdout[-400:])
            print('ftr: snapshot: ' + (m.group(0) if m else '?'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('ftr: %d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
