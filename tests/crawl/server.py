#!/usr/bin/env python3
"""Fault-injecting loopback HTTP server for the crawler tests (stdlib only).

Binds 127.0.0.1 on an ephemeral port; every request is counted per path and
per path+query, with its arrival time and request headers, so tests assert
what the crawler did on the wire.  Routes follow research/crawler.md Table 3:

  /robots.txt             srv.robots = (status, body)       rows 1-3
                          (status 301/302: a redirect to body % {'port': port})
  /slow-headers?s=N       no bytes for N s                  row 4
  /slow-body              1 byte/s                          row 5
  /reset                  RST before any response           row 6
  /truncated              Content-Length > bytes sent       row 7
  /500                    always 500                        row 8
  /flaky?k=K              503 + Retry-After: 1 K times, then an article   row 9
  /429?after=N, /429-date 429 with Retry-After (seconds / HTTP-date)      row 10
  /redirect-loop(2)       A <-> B                           row 11
  /redirect-chain?n=N     N hops                            row 12
  /redirect-file          302 to file:///etc/passwd         row 13
  /redirect-internal?to=U 302 to U                          row 14
  /gzip                   gzip-encoded article              row 15
  /gzip-bomb?mib=N        N MiB of zeros, gzip on the wire  row 16
  /gzip-chain             Content-Encoding: gzip x10        row 17
  /huge?mib=N             Content-Length N MiB              row 18
  /huge-chunked?mib=N     chunked N MiB                     row 19
  /gbk-meta, /gbk-nometa  GBK articles                      rows 20-21
  /header-vs-meta, /bom   charset precedence                rows 22-23
  /etag                   list page with ETag + Last-Modified, 304s      row 24
  /list?page=N            list pages (duplicates, off-site, javascript:, mailto:, cycle)  rows 25-27
  /feed.xml, /atom.xml    feeds                             row 28
  /xxe-feed.xml           XXE + entity bomb                 row 29
  /sitemap_index.xml, /sitemap-news.xml, /sitemap.xml.gz    row 30
  /deep?n=N, /unclosed?n=N                                  rows 31-32
  /malformed, /evil-title                                   rows 33-34
  /meta-refresh           meta refresh (delay 0) -> /a/mr   row 35
  /meta-refresh-off       meta refresh to offsite.example   row 35
  /meta-refresh-self      an article reloading every 300 s  row 35
  /canonical              rel=canonical -> /a/1             row 36
  /binary                 image/png                         row 37
  /a/ID                   a small article
  /img-article/ID         an article with images: /img/ID.png, /img/shared.png,
                          /private/secret.png (robots.txt disallows it),
                          /img-flaky/ID.png?k=1 (503 + Retry-After: 1 once)
  /img/NAME, /img-flaky/NAME?k=K   PNG images (the latter 503 + Retry-After: 1 K times)
  /slow-article/ID        an article after srv.article_delay seconds (rows 38-39)
  /comm/web/getNewsByColumns, /api/content/NewsData/GetNewsText.do?id=X
                          the finews JSON API fixtures (tests/fixtures/finews-api)
  /bench/list?n=N, /bench/a/ID                              scripts/bench.sh
"""
import email.utils
import gzip
import http.server
import json
import os
import socket
import socketserver
import struct
import threading
import time
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(HERE), 'fixtures')


def article(aid, title=None, date='2024-05-02T10:00:00+00:00', extra_head='', extra_body=''):
    title = title or 'Article %s' % aid
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title>%s</head>'
            '<body><article><h1>%s</h1><time datetime="%s">%s</time>'
            '<div class="body"><p>Body of article %s. It has a paragraph with enough words '
            'to be a paragraph.</p>%s<p>And a second one.</p></div></article></body></html>'
            % (title, extra_head, title, date, date, aid, extra_body)).encode()


def png(w, h):
    """A valid RGB PNG of w x h red pixels."""
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    raw = b''.join(b'\0' + b'\xff\0\0' * w for _ in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


GBK_TITLE = '中文新闻标题'


def gbk_page(meta):
    head = '<meta charset="gbk">' if meta else ''
    body = ('<html><head>%s<title>%s</title></head><body><article><h1>%s</h1>'
            '<time datetime="2024-05-02T10:00:00+08:00">x</time><div class="body">'
            '<p>这是一篇用国标码编写的新闻。记者从有关部门获悉，今年以来各项工作进展顺利，'
            '经济运行总体平稳，市场预期持续改善。</p></div></article></body></html>'
            % (head, GBK_TITLE, GBK_TITLE))
    return body.encode('gbk')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # headers and body go out in separate writes: without TCP_NODELAY each
    # keep-alive response waits ~40 ms for the client's delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    # ---- helpers ----
    def send(self, code, body=b'', ctype='text/html; charset=utf-8', headers=(), length=True):
        self.send_response(code)
        if ctype:
            self.send_header('Content-Type', ctype)
        if length:
            self.send_header('Content-Length', str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD' and body:
            self.wfile.write(body)

    def redirect(self, loc, code=302):
        self.send(code, b'', headers=[('Location', loc)])

    def chunk(self, data):
        self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))

    def end_chunks(self):
        self.wfile.write(b'0\r\n\r\n')

    # ---- dispatch ----
    def do_GET(self):
        srv = self.server
        u = urllib.parse.urlsplit(self.path)
        path, q = u.path, urllib.parse.parse_qs(u.query)
        full = path + ('?' + u.query if u.query else '')
        host = (self.headers.get('Host') or '').split(':')[0]
        with srv.lock:
            srv.hits[path] = srv.hits.get(path, 0) + 1
            srv.hits_full[full] = srv.hits_full.get(full, 0) + 1
            srv.log.append((time.monotonic(), host, full, dict(self.headers)))
            n_full = srv.hits_full[full]
        arg = lambda k, d: int(q.get(k, [d])[0])
        try:
            return self.route(srv, path, q, full, host, arg, n_full)
        except (BrokenPipeError, ConnectionResetError):
            return

    def route(self, srv, path, q, full, host, arg, n_full):
        if path == '/robots.txt':
            st, body = srv.robots
            if st in (301, 302) and host != '127.0.0.2':
                return self.redirect(body % {'port': srv.server_address[1]}, st)
            return self.send(st, body.encode(), 'text/plain')
        if path.startswith('/a/') or path.startswith('/private/'):
            return self.send(200, article(path.split('/')[-1]))
        if path.startswith('/slow-article/'):
            time.sleep(srv.article_delay)
            return self.send(200, article('s' + path.split('/')[-1]))
        if path == '/slow-headers':
            time.sleep(arg('s', 30))
            return self.send(200, article('slow'))
        if path == '/slow-body':
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', '100000')
            self.end_headers()
            for _ in range(60):
                self.wfile.write(b'<')
                self.wfile.flush()
                time.sleep(1)
            return
        if path == '/reset':
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if path == '/truncated':
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', '100000')
            self.end_headers()
            self.wfile.write(article('t')[:100])
            self.wfile.flush()
            self.close_connection = True
            return
        if path == '/500':
            return self.send(500, b'server error')
        if path == '/flaky':
            if n_full <= arg('k', 2):
                return self.send(503, b'busy', headers=[('Retry-After', '1')])
            return self.send(200, article('flaky'))
        if path == '/429':
            return self.send(429, b'slow down', headers=[('Retry-After', str(arg('after', 2)))])
        if path == '/429-date':
            when = email.utils.formatdate(time.time() + arg('after', 2), usegmt=True)
            return self.send(429, b'slow down', headers=[('Retry-After', when)])
        if path == '/redirect-loop':
            return self.redirect('/redirect-loop2')
        if path == '/redirect-loop2':
            return self.redirect('/redirect-loop')
        if path == '/redirect-chain':
            n = arg('n', 40)
            return self.redirect('/redirect-chain?n=%d' % (n - 1) if n > 1 else '/a/chain-end')
        if path == '/redirect-file':
            return self.redirect('file:///etc/passwd')
        if path == '/redirect-internal':
            return self.redirect(q['to'][0])
        if path == '/gzip':
            return self.send(200, gzip.compress(article('gz')), headers=[('Content-Encoding', 'gzip')])
        if path == '/gzip-bomb':
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Encoding', 'gzip')
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            z = zlib.compressobj(9, zlib.DEFLATED, 31)
            zeros = b'\0' * (1 << 20)
            self.chunk(z.compress(b'<html><body>'))
            for _ in range(arg('mib', 64)):
                c = z.compress(zeros)
                if c:
                    self.chunk(c)
            self.chunk(z.flush())
            self.end_chunks()
            return
        if path == '/gzip-chain':
            body = article('chain')
            for _ in range(10):
                body = gzip.compress(body)
            return self.send(200, body, headers=[('Content-Encoding', ', '.join(['gzip'] * 10))])
        if path in ('/huge', '/huge-chunked'):
            mib = arg('mib', 200)
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            if path == '/huge':
                self.send_header('Content-Length', str(mib << 20))
            else:
                self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            block = b'<p>' + b'x' * 65533
            for _ in range(mib * 16):
                if path == '/huge':
                    self.wfile.write(block)
                else:
                    self.chunk(block)
            if path != '/huge':
                self.end_chunks()
            return
        if path == '/gbk-meta':
            return self.send(200, gbk_page(True), 'text/html')
        if path == '/gbk-nometa':
            return self.send(200, gbk_page(False), 'text/html')
        if path == '/header-vs-meta':
            body = gbk_page(False).replace(b'<head>', b'<head><meta charset="utf-8">')
            return self.send(200, body, 'text/html; charset=gbk')
        if path == '/bom':
            body = b'\xef\xbb\xbf' + article('bom', title='Caf\u00e9 cr\u00e8me')
            return self.send(200, body, 'text/html; charset=iso-8859-1')
        if path == '/etag':
            etag, lm = '"v1"', 'Wed, 01 May 2024 10:00:00 GMT'
            if self.headers.get('If-None-Match') == etag or self.headers.get('If-Modified-Since') == lm:
                return self.send(304, b'', headers=[('ETag', etag)], length=False)
            body = '<html><body><a class="item" href="/a/e1">1</a><a class="item" href="/a/e2">2</a></body></html>'
            return self.send(200, body.encode(), headers=[('ETag', etag), ('Last-Modified', lm)])
        if path == '/list':
            return self.send(200, srv.list_page(arg('page', 1), host).encode())
        if path == '/plain-list':
            links = ''.join('<a class="item" href="%s">x</a>' % h for h in srv.plain_links)
            return self.send(200, ('<html><body>%s</body></html>' % links).encode())
        if path == '/feed.xml':
            return self.send(200, FEED_RSS.encode(), 'application/rss+xml')
        if path == '/atom.xml':
            return self.send(200, FEED_ATOM.encode(), 'application/atom+xml')
        if path == '/xxe-feed.xml':
            return self.send(200, FEED_XXE.encode(), 'application/rss+xml')
        if path == '/sitemap_index.xml':
            return self.send(200, SITEMAP_INDEX.encode(), 'application/xml')
        if path == '/sitemap-news.xml':
            return self.send(200, SITEMAP_NEWS.encode(), 'application/xml')
        if path == '/sitemap.xml.gz':
            return self.send(200, gzip.compress(SITEMAP_PLAIN.encode()), 'application/x-gzip')
        if path == '/deep':
            n = arg('n', 200000)
            return self.send(200, b'<html><body><h1>deep</h1>' + b'<div>' * n + b'</body></html>')
        if path == '/unclosed':
            n = arg('n', 50000)
            return self.send(200, b'<html><body><h1>unclosed</h1>' + b'<span>x' * n + b'</body></html>')
        if path == '/malformed':
            body = (b'<html><head><title>Malformed</title></head><body><article><h1>Malformed \xff\xfe page'
                    b'\x00</h1><time datetime="2024-05-02T10:00:00Z">x</time><div class="body"><p>Text '
                    b'<b>with <i>bad nesting</b></i> and a NUL \x00 here and \xc3\x28 invalid UTF-8.'
                    b'<p>Second</div></article>')
            return self.send(200, body, 'text/html')
        if path == '/evil-title':
            t = '../../etc/evil\n---\n{{ x }} "quoted" #c' + ' long' * 70
            return self.send(200, article('evil', title=t.replace('\n', ' ')))
        if path == '/meta-refresh':
            return self.send(200, b'<html><head><meta http-equiv="Refresh" content="0; URL=\'/a/mr?utm_source=x\'">'
                             b'<title>Moved</title></head><body>Moved</body></html>')
        if path == '/meta-refresh-off':
            return self.send(200, b'<html><head><meta http-equiv="refresh" content="1;url=http://offsite.example/a/x">'
                             b'</head><body>Moved</body></html>')
        if path == '/meta-refresh-self':
            return self.send(200, article('self', extra_head='<meta http-equiv="refresh" content="300; url=/a/elsewhere">'))
        if path == '/canonical':
            return self.send(200, article('1', extra_head='<link rel="canonical" href="/a/1?utm_source=amp">'))
        if path.startswith('/img-article/'):
            aid = path.split('/')[-1]
            imgs = ['/img/%s.png' % aid, '/img/shared.png', '/private/secret.png',
                    '/img-flaky/%s.png?k=1' % aid]
            extra = ''.join('<p><img src="%s" alt="i%d"></p>' % (u, i) for i, u in enumerate(imgs))
            return self.send(200, article('img' + aid, extra_body=extra))
        if path.startswith('/img/'):
            return self.send(200, png(4, 3), 'image/png')
        if path.startswith('/img-flaky/'):
            if n_full <= arg('k', 1):
                return self.send(503, b'busy', headers=[('Retry-After', '1')])
            return self.send(200, png(5, 2), 'image/png')
        if path == '/binary':
            return self.send(200, b'\x89PNG\r\n\x1a\n' + b'\0' * 2000, 'image/png')
        if path == '/comm/web/getNewsByColumns':
            with open(os.path.join(FIX, 'finews-api', 'list.json'), 'rb') as f:
                return self.send(200, f.read(), 'application/json; charset=utf-8')
        if path == '/api/content/NewsData/GetNewsText.do':
            fid = os.path.basename(q.get('id', [''])[0])
            fp = os.path.join(FIX, 'finews-api', 'text', fid + '.json')
            if not fid or not os.path.isfile(fp):
                return self.send(404, b'{}', 'application/json')
            with open(fp, 'rb') as f:
                return self.send(200, f.read(), 'application/json; charset=utf-8')
        if path == '/bench/list':
            n = arg('n', 5000)
            links = ''.join('<a class="item" href="/bench/a/%d">%d</a>\n' % (i, i) for i in range(n))
            return self.send(200, ('<html><body>%s</body></html>' % links).encode())
        if path.startswith('/bench/a/'):
            return self.send(200, article(path.split('/')[-1]))
        return self.send(404, b'not found')


FEED_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Feed</title><link>http://news.test/</link>
<item><title>Feed one</title><link>http://news.test/a/f1</link><pubDate>Thu, 02 May 2024 10:00:00 GMT</pubDate></item>
<item><title>Feed two</title><link>/a/f2?utm_source=rss</link></item>
<item><title>Listed too</title><link>http://news.test/a/1</link></item>
</channel></rss>"""

FEED_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<entry><title>Atom one</title><link href="/a/at1"/><published>2024-05-02T10:00:00Z</published></entry>
<entry><title>Feed one again</title><link rel="alternate" href="http://news.test/a/f1#x"/></entry>
</feed>"""

FEED_XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">
<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><item><title>&xxe;&lol3;</title><link>http://news.test/a/x1</link></item></channel></rss>"""

SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://news.test/sitemap-news.xml</loc></sitemap>
<sitemap><loc>http://news.test/sitemap.xml.gz</loc></sitemap>
<sitemap><loc>http://news.test/sitemap_index.xml</loc></sitemap>
</sitemapindex>"""

SITEMAP_NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://news.test/a/sm1</loc><news:news><news:publication><news:name>T</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-05-02T10:00:00+00:00</news:publication_date><news:title>News sitemap one</news:title></news:news></url>
</urlset>"""

SITEMAP_PLAIN = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://news.test/a/gz1</loc><lastmod>2024-05-02</lastmod></url>
<url><loc>http://news.test/a/gz2</loc></url>
</urlset>"""


class Server:
    """`with Server() as s:` serves on s.port until the block ends."""

    def __init__(self):
        self.robots = (200, 'User-agent: *\nDisallow: /private/\n')
        self.article_delay = 0.0
        self.plain_links = []

    def list_page(self, page, host):
        if page == 1:
            links = ['/a/1?utm_source=x&utm_medium=y', '/a/1', '/a/1#comments', '/a/1?fbclid=abc',
                     'HTTP://%s:%d/a/1' % (host, self.port) if host == '127.0.0.1' else 'HTTP://NEWS.TEST/a/1',
                     '/a/2?b=2&a=1', '/a/2?a=1&b=2', '/canonical',
                     'http://offsite.example/a/9', 'javascript:alert(1)', 'mailto:x@y.z',
                     '/private/secret']
            nxt = '/list?page=2'
        elif page == 2:
            links, nxt = ['/a/3'], '/list?page=3'
        else:
            links, nxt = ['/a/4'], '/list'
        body = ''.join('<a class="item" href="%s">x</a>\n' % l for l in links)
        return '<html><body>%s<a class="next" href="%s">next</a></body></html>' % (body, nxt)

    def __enter__(self):
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.httpd = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.hits, self.httpd.hits_full, self.httpd.log = {}, {}, []
        self.httpd.lock = threading.Lock()
        self.httpd.robots = self.robots
        self.httpd.article_delay = self.article_delay
        self.httpd.plain_links = self.plain_links
        self.httpd.list_page = self.list_page
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def set(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
            setattr(self.httpd, k, v)

    def hits(self, path):
        return self.httpd.hits.get(path, 0)

    def hits_full(self, full):
        return self.httpd.hits_full.get(full, 0)

    def requests(self, path=None):
        """[(monotonic time, host, path+query, headers)] in arrival order."""
        with self.httpd.lock:
            return [r for r in self.httpd.log if path is None or r[2].split('?')[0] == path]

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == '__main__':
    # manual use: python3 tests/crawl/server.py  (prints the port, serves until ^C)
    with Server() as s:
        print(s.port, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
