#!/usr/bin/env python3
"""End-to-end tests of `output.images: download` (stdlib only).

Runs $NEWSMD (default build/newsmd) `convert` and `crawl` on article pages
served by the loopback server (tests/server.py) whose images sit behind
hot-link protection (/hotlink/: 403 unless the Referer is one of the
server's pages), and checks the stored files, the rewritten links in
Markdown and HTML bodies, the server's hit counters (a re-run fetches no
image again) and the warning lines for images that are not stored.
Prints "images: N passed, N failed[, N skipped]".
Usage: test_images.py [NAME-SUBSTRING]
"""
import json
import os
import re
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from server import Server  # noqa: E402
from testlib import Skip, run_tests, test  # noqa: E402

NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
SLUG = 'harbor-reopens-after-the-storm'
RULE = """name: local
match: {hosts: ['127.0.0.1']}
fields:
  title: {css: h1}
  date: {css: time, attr: datetime}
body: {steps: [{css: article}]}
discovery:
  item_links: [{css: a.item}]
"""


def run(*args, cwd=None, timeout=60):
    p = subprocess.run([NEWSMD] + list(args), cwd=cwd or ROOT, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)


def png(w, h):
    """A valid RGB PNG of w x h red pixels."""
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    raw = b''.join(b'\0' + b'\xff\0\0' * w for _ in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


PIC = png(40, 30)
JPG = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + b'\x00' * 64 + b'\xff\xd9'


def article(imgs, title='Harbor reopens after the storm'):
    """An article page whose body holds the given <img> tags."""
    body = ''.join('<p>%s</p>' % i for i in imgs)
    return ('<html><head><title>%s</title></head><body><h1>%s</h1>'
            '<time datetime="2024-05-02T10:00:00+00:00">2 May</time><article>'
            '<p>The harbor reopened on Thursday after three days of storm damage repairs.</p>'
            '%s<p>Ships queued outside the breakwater until the pilots returned.</p>'
            '</article></body></html>' % (title, title, body))


class Site:
    """A site folder (config, rules, posts, assets) and a server root."""

    def __init__(self, tmp, output='', crawl=False):
        self.tmp = tmp
        self.www = os.path.join(tmp, 'www')
        self.site = os.path.join(tmp, 'site')
        write(os.path.join(self.www, 'pic.png'), PIC)
        write(os.path.join(self.www, 'photo.jpg'), JPG)
        write(os.path.join(self.site, 'rules', 'local.yml'), RULE)
        self.cfg = os.path.join(self.site, 'newsmd.yml')
        self.output = output

    def config(self, extra=''):
        write(self.cfg, 'output:\n  dir: _posts\n%s%s' % (self.output, extra))

    def page(self, name, html):
        write(os.path.join(self.www, name), html)

    def convert(self, srv, name, *args):
        return run('convert', '-c', self.cfg, *args, srv.url('/' + name))

    def posts(self):
        d = os.path.join(self.site, '_posts')
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def post(self):
        (name,) = self.posts()
        with open(os.path.join(self.site, '_posts', name), encoding='utf-8') as f:
            return f.read()

    def stored(self, sub='assets/img/' + SLUG):
        d = os.path.join(self.site, sub)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def read(self, rel):
        with open(os.path.join(self.site, rel), 'rb') as f:
            return f.read()


def warnings(err):
    return [l for l in err.splitlines() if 'warning' in l]


@test
def markdown_images_downloaded_with_the_page_as_referer(tmp):
    site = Site(tmp, '  images: download\n')
    site.config()
    site.page('a.html', article(['<img src="/hotlink/pic.png" alt="the pier">',
                                 '<img src="/hotlink/photo.jpg?w=800&amp;h=600" alt="ships">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0 and not warnings(err), out + err
        assert s.referer('/hotlink/pic.png') == s.url('/a.html'), s.referer('/hotlink/pic.png')
        assert s.hits('/hotlink/pic.png') == 1 and s.hits('/hotlink/photo.jpg') == 1
    files = site.stored()
    assert len(files) == 2 and all(re.fullmatch(r'[0-9a-f]{16}\.(png|jpg)', f) for f in files), files
    png_name = [f for f in files if f.endswith('.png')][0]
    jpg_name = [f for f in files if f.endswith('.jpg')][0]
    assert site.read('assets/img/%s/%s' % (SLUG, png_name)) == PIC
    assert site.read('assets/img/%s/%s' % (SLUG, jpg_name)) == JPG
    text = site.post()
    assert '![the pier](/assets/img/%s/%s)' % (SLUG, png_name) in text, text
    assert '![ships](/assets/img/%s/%s)' % (SLUG, jpg_name) in text, text
    assert '/hotlink/' not in text, text
    assert not [f for f in os.listdir(os.path.join(site.site, 'assets/img', SLUG))
                if f.startswith('.')], 'temp file left behind'


@test
def html_body_links_rewritten_under_images_url(tmp):
    site = Site(tmp, "  body: html\n  images: download\n  images_dir: 'static/pics/{slug}'\n"
                     "  images_url: 'https://cdn.example/pics/{slug}/'\n")
    site.config()
    site.page('a.html', article(['<img src="/hotlink/pic.png" alt="the pier" title="Pier 4">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0 and not warnings(err), out + err
    (name,) = site.stored('static/pics/' + SLUG)
    text = site.post()
    assert ('<img src="https://cdn.example/pics/%s/%s" alt="the pier" title="Pier 4">'
            % (SLUG, name)) in text, text


@test
def rerun_fetches_no_image_again(tmp):
    site = Site(tmp, '  images: download\n')
    site.config()
    site.page('a.html', article(['<img src="/hotlink/pic.png">', '<img src="/hotlink/pic.png#x">',
                                 '<img src="/hotlink/photo.jpg">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0 and out.startswith('wrote '), out + err
        first = site.post()
        assert s.hits('/hotlink/pic.png') == 1, 'one fetch for the same image twice'
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0 and out.startswith('unchanged '), out + err
        assert s.hits('/hotlink/pic.png') == 1 and s.hits('/hotlink/photo.jpg') == 1
        assert s.hits('/a.html') == 2
    assert site.post() == first
    assert len(site.stored()) == 2, site.stored()


@test
def non_image_content_types_not_stored(tmp):
    site = Site(tmp, '  images: download\n')
    site.config()
    write(os.path.join(site.www, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
    site.page('a.html', article(['<img src="/ctype/text/html/pic.png" alt="typed html">',
                                 '<img src="/ctype/image/jpeg/a.html" alt="error page">',
                                 '<img src="/ctype/image/svg+xml/logo.svg" alt="svg">',
                                 '<img src="/ctype/application/octet-stream/pic.png" alt="cdn">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0, out + err
        base = s.url('')
    w = warnings(err)
    assert len(w) == 3, err
    assert all(l.startswith('newsmd: warning: ') and 'not an image' in l for l in w), w
    assert 'Content-Type text/html' in w[0] and 'image/jpeg' in w[1] and 'svg' in w[2], w
    (name,) = site.stored()  # the octet-stream PNG only, named by its bytes
    assert name.endswith('.png'), name
    text = site.post()
    assert '![typed html](%s/ctype/text/html/pic.png)' % base in text, text
    assert '![error page](%s/ctype/image/jpeg/a.html)' % base in text, text
    assert '![svg](%s/ctype/image/svg+xml/logo.svg)' % base in text, text
    assert '![cdn](/assets/img/%s/%s)' % (SLUG, name) in text, text


@test
def missing_image_keeps_its_url_with_a_warning(tmp):
    site = Site(tmp, '  images: download\n')
    site.config()
    site.page('a.html', article(['<img src="/gone.png" alt="gone">',
                                 '<img src="/hotlink/pic.png" alt="here">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        gone, page = s.url('/gone.png'), s.url('/a.html')
    assert rc == 0 and out.startswith('wrote '), out + err
    (w,) = warnings(err)
    assert w == ('newsmd: warning: %s: image %s not stored (HTTP 404); its link is kept'
                 % (page, gone)), w
    text = site.post()
    assert '![gone](%s)' % gone in text, text
    assert '![here](/assets/img/%s/' % SLUG in text, text


@test
def hotlink_protection_refuses_without_referer(tmp):
    # the server's /hotlink/ really refuses requests without the Referer:
    # what the tests above rely on
    site = Site(tmp)
    with Server(site.www) as s:
        import urllib.error
        import urllib.request
        try:
            urllib.request.urlopen(s.url('/hotlink/pic.png'), timeout=5)
            assert False, 'served without a Referer'
        except urllib.error.HTTPError as e:
            assert e.code == 403
        req = urllib.request.Request(s.url('/hotlink/pic.png'), headers={'Referer': s.url('/a')})
        assert urllib.request.urlopen(req, timeout=5).read() == PIC


@test
def oversized_image_and_other_hosts_on_local_addresses_refused(tmp):
    site = Site(tmp, '  images: download\n')
    site.config()
    with Server(site.www) as s:
        site.page('a.html', article(['<img src="/huge" alt="endless">',
                                     '<img src="http://localhost:%d/pic.png" alt="elsewhere">'
                                     % s.port]))
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0, out + err
        assert s.hits('/pic.png') == 0, 'an image host on a loopback address was contacted'
    w = warnings(err)
    assert len(w) == 2 and 'larger than 20971520 bytes' in w[0], w
    assert 'localhost refused' in w[1] and 'private' in w[1], w
    assert site.stored() == []


@test
def raw_bodies_link_mode_and_stdout_download_nothing(tmp):
    site = Site(tmp, '  body: raw\n  images: download\n')
    site.config()
    site.page('a.html', article(['<img src="/hotlink/pic.png" alt="pier">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0 and not warnings(err), out + err
        assert '<img src="/hotlink/pic.png" alt="pier">' in site.post(), site.post()
        site.output = ''  # images: link, the default
        site.config()
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0, out + err
        assert '![pier](%s)' % s.url('/hotlink/pic.png') in site.post(), site.post()
        site.output = '  images: download\n'
        site.config()
        rc, out, err = site.convert(s, 'a.html', '--out', '-')
        assert rc == 0 and '![pier](%s)' % s.url('/hotlink/pic.png') in out, out + err
        assert s.hits('/hotlink/pic.png') == 0
    assert not os.path.exists(os.path.join(site.site, 'assets'))


@test
def rule_output_overrides_and_hugo_defaults(tmp):
    site = Site(tmp, '  format: hugo\n')
    site.config()
    with open(os.path.join(site.site, 'rules', 'local.yml'), 'a') as f:
        f.write('output: {images: download}\n')
    site.page('a.html', article(['<img src="/hotlink/pic.png" alt="pier">']))
    with Server(site.www) as s:
        rc, out, err = site.convert(s, 'a.html')
        assert rc == 0 and not warnings(err), out + err
    (name,) = site.stored('static/images/' + SLUG)
    text = site.post()
    assert 'draft: false' in text, text  # a Hugo post
    assert '![pier](/images/%s/%s)' % (SLUG, name) in text, text


@test
def bad_images_settings_are_config_errors(tmp):
    site = Site(tmp, '  images: yes\n')
    site.config()
    rc, out, err = run('convert', '-c', site.cfg, '--out', '-', '/nonexistent')
    assert rc == 2 and 'output.images: expected link or download' in err, err
    site.output = '  images: download\n  images_dir: /srv/www/img\n'
    site.config()
    rc, out, err = run('convert', '-c', site.cfg, '--out', '-', '/nonexistent')
    assert rc == 2 and 'images_url' in err and ':4:' in err, err


@test
def crawl_stores_images_of_new_articles(tmp):
    site = Site(tmp, '  images: download\n')
    site.page('a.html', article(['<img src="/hotlink/pic.png" alt="pier">']))
    site.page('b.html', article(['<img src="/hotlink/photo.jpg" alt="ships">',
                                 '<img src="/gone.jpg" alt="gone">'], title='Pilots return'))
    site.page('list.html', '<ul><li><a class=item href="/a.html">A</a></li>'
                           '<li><a class=item href="/b.html">B</a></li></ul>')
    with Server(site.www) as s:
        site.config('rules: rules/\nstate: state.db\ncrawl: {delay_ms: 0, retries: 0}\n'
                    "sources:\n  - name: local\n    start: ['%s']\n" % s.url('/list.html'))
        log = os.path.join(tmp, 'log.jsonl')
        rc, out, err = run('crawl', '-c', site.cfg, '--log-json', log)
        assert rc == 0, out + err
        assert s.referer('/hotlink/photo.jpg') == s.url('/b.html')
        with open(log, encoding='utf-8') as f:
            events = [json.loads(l) for l in f]
        warned = [e for e in events if e['event'] == 'warning']
        assert len(warned) == 1 and warned[0]['url'] == s.url('/b.html'), events
        assert warned[0]['error'] == ('image %s not stored (HTTP 404); its link is kept'
                                      % s.url('/gone.jpg')), warned
        rc, out, err2 = run('crawl', '-c', site.cfg)
        assert rc == 0, out + err2
        assert s.hits('/hotlink/pic.png') == 1 and s.hits('/hotlink/photo.jpg') == 1
        gone = s.url('/gone.jpg')
    (w,) = warnings(err)
    assert 'image %s not stored (HTTP 404)' % gone in w, w
    assert len(site.posts()) == 2, site.posts()
    assert len(site.stored()) == 1 and len(site.stored('assets/img/pilots-return')) == 1
    texts = [open(os.path.join(site.site, '_posts', p), encoding='utf-8').read()
             for p in site.posts()]
    assert any('![pier](/assets/img/%s/' % SLUG in t for t in texts), texts
    assert any('![ships](/assets/img/pilots-return/' in t and '![gone](%s)' % gone in t
               for t in texts), texts


if __name__ == '__main__':
    sys.exit(run_tests('images'))
