#!/usr/bin/env python3
"""Loopback HTTP server for newsmd's tests (stdlib only).

Serves files below a root folder on 127.0.0.1 at an ephemeral port, with
fault injection chosen by path prefix:
  /status/NNN/...      answer with status NNN
  /redirect/N/PATH     redirect N times, then to /PATH
  /redirect-to?u=URL   one redirect to URL (any scheme)
  /slow/...            send headers, then stall
  /huge                an endless chunked body
  /hotlink/PATH        file PATH, typed by its extension (image/png ...), but
                       403 unless the Referer is a page of this server (the
                       hot-link protection of many Chinese news sites)
  /ctype/T/S/PATH      file PATH served as Content-Type T/S
Every request is counted per path (GET /__hits returns the counts as JSON),
its arrival time and its Referer kept (Server.times(path), .referer(path)).
Usage from tests: `with Server(root) as s: s.url('/x')`.
"""
import http.server
import json
import mimetypes
import os
import socketserver
import threading
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def _send(self, code, body=b'', ctype='text/html; charset=utf-8', headers=()):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_GET(self):
        srv = self.server
        path = urllib.parse.urlsplit(self.path).path
        with srv.lock:
            srv.hits[path] = srv.hits.get(path, 0) + 1
            srv.referers[path] = self.headers.get('Referer')
            srv.times.setdefault(path, []).append(time.monotonic())
        if path == '/__hits':
            return self._send(200, json.dumps(srv.hits).encode(), 'application/json')
        parts = path.split('/')
        if len(parts) > 2 and parts[1] == 'status':
            return self._send(int(parts[2]), b'error page')
        if len(parts) > 3 and parts[1] == 'redirect':
            n = int(parts[2])
            rest = '/'.join(parts[3:])
            loc = '/redirect/%d/%s' % (n - 1, rest) if n > 1 else '/' + rest
            return self._send(302, b'', headers=[('Location', loc)])
        if path == '/redirect-to':
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            return self._send(302, b'', headers=[('Location', q['u'][0])])
        if parts[1:2] == ['slow']:
            self.send_response(200)
            self.send_header('Content-Length', '100')
            self.end_headers()
            time.sleep(30)
            return
        if path == '/huge':
            self.send_response(200)
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            chunk = b'<p>' + b'x' * 65536 + b'</p>'
            try:
                for _ in range(100000):
                    self.wfile.write(b'%x\r\n%s\r\n' % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        ctype = None
        if parts[1:2] == ['hotlink']:
            own = 'http://127.0.0.1:%d/' % srv.server_address[1]
            if not (self.headers.get('Referer') or '').startswith(own):
                return self._send(403, b'hot-linking refused')
            path = '/' + '/'.join(parts[2:])
            ctype = mimetypes.guess_type(path)[0] or 'application/octet-stream'
        elif len(parts) > 4 and parts[1] == 'ctype':
            ctype = parts[2] + '/' + parts[3]
            path = '/' + '/'.join(parts[4:])
        fs = os.path.realpath(os.path.join(srv.root, path.lstrip('/')))
        if not fs.startswith(os.path.realpath(srv.root)) or not os.path.isfile(fs):
            return self._send(404, b'not found')
        with open(fs, 'rb') as f:
            body = f.read()
        if ctype is None:
            ctype = 'application/json' if fs.endswith('.json') else 'text/html; charset=utf-8'
        return self._send(200, body, ctype)


class Server:
    def __init__(self, root):
        self.root = root

    def __enter__(self):
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.httpd = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.root = self.root
        self.httpd.hits = {}
        self.httpd.referers = {}
        self.httpd.times = {}
        self.httpd.lock = threading.Lock()
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def hits(self, path):
        return self.httpd.hits.get(path, 0)

    def times(self, path):
        """Arrival times (time.monotonic) of the requests for path."""
        return list(self.httpd.times.get(path, []))

    def referer(self, path):
        """The Referer header of the last request for path (None: none)."""
        return self.httpd.referers.get(path)

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()
