#!/usr/bin/env python3
"""End-to-end tests of the newsmd binary (stdlib only).

Runs $NEWSMD (default build/newsmd) as a user would, on fixtures in
tests/fixtures and on a loopback HTTP server (tests/server.py), and checks
outputs, files on disk and exit codes.  Prints "cli: N passed, N failed".
Usage: run.py [NAME-SUBSTRING]
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from server import Server  # noqa: E402
from testlib import Skip, run_tests, test  # noqa: E402

NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
SEED = os.path.join(ROOT, '..', 'shared', 'seed', '2022-04-13-NW202204132341710174.md')
FIX = os.path.join(ROOT, 'tests', 'fixtures')
FINEWS_URL = 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202204132341710174'


def run(*args, cwd=None, stdin=None, timeout=60):
    p = subprocess.run([NEWSMD] + list(args), cwd=cwd or ROOT, input=stdin,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def one_line_error(err, *needles):
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, 'expected one error line, got %r' % err
    assert lines[0].startswith('newsmd: '), lines[0]
    for n in needles:
        assert n in lines[0], '%r not in %r' % (n, lines[0])


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


@test
def reference_post_byte_for_byte(tmp):
    if not os.path.exists(SEED):
        raise Skip('../shared/seed not present')
    rc, out, err = run('convert', '-c', 'examples/finews/newsmd.yml', '--url', FINEWS_URL,
                       os.path.join(FIX, 'finews/NW202204132341710174.html'), '--out', tmp)
    assert rc == 0, err
    path = os.path.join(tmp, '2022-04-13-NW202204132341710174.md')
    assert out.strip() == 'wrote ' + path, out
    got = open(path, 'rb').read()
    want = open(SEED, 'rb').read()
    assert got == want, 'post differs from the reference:\n%s' % got.decode()[:600]
    assert not [f for f in os.listdir(tmp) if f.startswith('.')], 'temp file left behind'


@test
def rerun_writes_nothing(tmp):
    args = ('convert', '-c', 'examples/finews/newsmd.yml', '--url', FINEWS_URL,
            os.path.join(FIX, 'finews/NW202204132341710174.html'), '--out', tmp)
    rc, out, err = run(*args)
    assert rc == 0, err
    path = os.path.join(tmp, '2022-04-13-NW202204132341710174.md')
    mtime = os.stat(path).st_mtime_ns
    rc, out, err = run(*args)
    assert rc == 0 and out.startswith('unchanged '), out + err
    assert os.stat(path).st_mtime_ns == mtime


@test
def convert_over_http_with_connect_to(tmp):
    with Server(os.path.join(FIX, 'finews')) as s:
        url = 'http://finews.zning.xyz:80/NW202204132341710174.html?infoCode=NW202204132341710174'
        rc, out, err = run('convert', '-c', 'examples/finews/newsmd.yml', '--out', tmp,
                           '--connect-to', 'finews.zning.xyz:80:127.0.0.1:%d' % s.port, url)
        assert rc == 0, err
        assert s.hits('/NW202204132341710174.html') == 1
    body = open(os.path.join(tmp, '2022-04-13-NW202204132341710174.md'), encoding='utf-8').read()
    assert '科技日报记者符晓波' in body and body.endswith('[返回首页](//finews.withounder.com/)')


@test
def extract_json_has_the_fixed_keys(tmp):
    rc, out, err = run('extract', '-c', 'examples/finews/newsmd.yml', '--url', FINEWS_URL,
                       os.path.join(FIX, 'finews/NW202204132341710174.html'))
    assert rc == 0, err
    o = json.loads(out)
    assert list(o) == ['url', 'final_url', 'rule', 'title', 'date', 'author', 'source',
                       'category', 'tags', 'lead_image', 'excerpt', 'lang', 'body_html',
                       'body_markdown', 'body_text', 'fields', 'error'], list(o)
    assert o['rule'] == 'eastmoney'
    assert o['title'] == '多措并举营造良好环境 厦门打造国际人才向往之地'
    assert o['date'] == '2022-04-13T12:11:23+08:00'
    assert o['source'] == '科技日报'
    assert o['error'] is None
    assert '分享到' not in o['body_text'] and '厦门市科技局相关负责人' in o['body_text']


@test
def missing_file_is_one_line_exit_1(tmp):
    rc, out, err = run('convert', '-c', 'examples/finews/newsmd.yml', '--out', tmp, 'nope.html')
    assert rc == 1
    one_line_error(err, 'nope.html', 'cannot open')
    assert os.listdir(tmp) == []


@test
def unreachable_url_is_one_line_exit_1(tmp):
    with Server(FIX) as s:
        port = s.port
    url = 'http://127.0.0.1:%d/x.html' % port  # the server is gone: connection refused
    rc, out, err = run('extract', '--format', 'text', url)
    assert rc == 1
    one_line_error(err, url)


@test
def http_error_status_names_url(tmp):
    with Server(FIX) as s:
        url = s.url('/status/503/a.html')
        rc, out, err = run('extract', '--format', 'text', url)
    assert rc == 1
    one_line_error(err, url, 'HTTP 503')


@test
def redirect_to_file_scheme_refused(tmp):
    with Server(FIX) as s:
        url = s.url('/redirect-to?u=file:///etc/passwd')
        rc, out, err = run('extract', '--format', 'text', url)
    assert rc == 1
    one_line_error(err, 'redirect')
    assert 'root:' not in out


@test
def redirect_to_private_address_refused(tmp):
    # the host the user named may be local (it is here); a redirect from it to
    # another host on a loopback, private or link-local address is not followed
    with Server(FIX) as s:
        for target in ('http://169.254.169.254/latest/meta-data/', 'http://127.0.0.2:%d/x' % s.port,
                       'http://[::1]:%d/x' % s.port):
            url = s.url('/redirect-to?u=' + target)
            rc, out, err = run('extract', '--format', 'text', url)
            assert rc == 1, (target, err)
            one_line_error(err, url, 'refused', 'private')
        # a redirect within the named host is fine
        os.makedirs(os.path.join(tmp, 'none'))
        rc, out, err = run('extract', '--rules', os.path.join(tmp, 'none'), '--format', 'text',
                           s.url('/redirect/2/finews/NW202204132341710174.html'))
        assert rc == 0, err
        assert '厦门市科技局' in out


def robots_site(tmp):
    """A server root with robots.txt disallowing /private/ and the finews page twice."""
    www = os.path.join(tmp, 'www')
    page = open(os.path.join(FIX, 'finews/NW202204132341710174.html'), 'rb').read()
    for rel in ('a.html', 'private/a.html'):
        os.makedirs(os.path.dirname(os.path.join(www, rel)), exist_ok=True)
        with open(os.path.join(www, rel), 'wb') as f:
            f.write(page)
    write(os.path.join(www, 'robots.txt'), 'User-agent: *\nDisallow: /private/\n')
    write(os.path.join(tmp, 'newsmd.yml'), 'crawl: {delay_ms: 0}\n')
    os.makedirs(os.path.join(tmp, 'rules'), exist_ok=True)
    return www


@test
def convert_and_extract_obey_robots_txt(tmp):
    www = robots_site(tmp)
    cfg = os.path.join(tmp, 'newsmd.yml')
    with Server(www) as s:
        for cmd in (['extract', '--format', 'text'], ['convert', '--out', tmp]):
            url = s.url('/private/a.html')
            rc, out, err = run(*cmd[:1], '-c', cfg, *cmd[1:], url)
            assert rc == 1, (cmd, out, err)
            one_line_error(err, url, 'disallowed by robots.txt')
            # a redirect into a disallowed path is checked again at that hop
            url = s.url('/redirect/1/private/a.html')
            rc, out, err = run(*cmd[:1], '-c', cfg, *cmd[1:], url)
            assert rc == 1, (cmd, out, err)
            one_line_error(err, url, 'disallowed by robots.txt')
            rc, out, err = run(*cmd[:1], '-c', cfg, *cmd[1:], s.url('/a.html'))
            assert rc == 0, (cmd, err)
        assert s.hits('/private/a.html') == 0, 'a disallowed page was requested'
        assert s.hits('/a.html') == 2 and s.hits('/robots.txt') == 6, s.hits('/robots.txt')
        # crawl.robots: false fetches it
        write(cfg, 'crawl: {delay_ms: 0, robots: false}\n')
        rc, out, err = run('extract', '-c', cfg, '--format', 'text', s.url('/private/a.html'))
        assert rc == 0 and '厦门市科技局' in out, err
        assert s.hits('/private/a.html') == 1 and s.hits('/robots.txt') == 6


@test
def inputs_share_one_client_robots_once_delay_held(tmp):
    # several URL INPUTs of one host: robots.txt is fetched once and the
    # per-host delay holds between them, as in a crawl
    www = robots_site(tmp)
    cfg = os.path.join(tmp, 'newsmd.yml')
    write(cfg, 'crawl: {delay_ms: 400}\n')
    with open(os.path.join(www, 'b.html'), 'wb') as f:
        f.write(open(os.path.join(www, 'a.html'), 'rb').read())
    with Server(www) as s:
        rc, out, err = run('convert', '-c', cfg, '--out', tmp, s.url('/a.html'), s.url('/b.html'),
                           s.url('/private/a.html'))
        assert rc == 1, err
        one_line_error(err, s.url('/private/a.html'), 'disallowed by robots.txt')
        assert s.hits('/robots.txt') == 1, s.hits('/robots.txt')
        assert s.hits('/private/a.html') == 0
        (ta,), (tb,) = s.times('/a.html'), s.times('/b.html')
        (tr,) = s.times('/robots.txt')
        assert ta - tr >= 0.39 and tb - ta >= 0.39, (ta - tr, tb - ta)


@test
def url_inputs_retry_transient_errors_like_the_crawl(tmp):
    # one client, one policy: a 503 is retried (crawl.retries) as in a crawl
    www = robots_site(tmp)
    cfg = os.path.join(tmp, 'newsmd.yml')
    write(cfg, 'crawl: {delay_ms: 0, retries: 2}\n')
    with Server(www) as s:
        rc, out, err = run('extract', '-c', cfg, '--format', 'text', s.url('/status/503/x'))
        assert rc == 1, err
        one_line_error(err, s.url('/status/503/x'), 'HTTP 503')
        assert s.hits('/status/503/x') == 3, s.hits('/status/503/x')


@test
def broken_config_yaml_has_line_and_column(tmp):
    cfg = os.path.join(tmp, 'newsmd.yml')
    write(cfg, 'output:\n  dir: [unclosed\n')
    rc, out, err = run('convert', '-c', cfg, 'x.html')
    assert rc == 2
    one_line_error(err, cfg + ':3:1:', 'YAML syntax error')


@test
def unknown_config_key_suggests(tmp):
    cfg = os.path.join(tmp, 'newsmd.yml')
    write(cfg, 'output:\n  filname: x.md\n')
    rc, out, err = run('convert', '-c', cfg, 'x.html')
    assert rc == 2
    one_line_error(err, cfg + ':2:3:', "unknown key 'filname'", "did you mean 'filename'?")


@test
def bad_rule_selector_exit_2_before_fetch(tmp):
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'x.yml'),
          "name: x\nmatch: {hosts: [example.com]}\nfields:\n  title: {css: 'div[class='}\n")
    rc, out, err = run('convert', '--rules', rules, 'http://127.0.0.1:9/never-fetched')
    assert rc == 2
    one_line_error(err, 'x.yml:4:', "selector 'div[class='")


@test
def no_rule_uses_the_generic_extractor(tmp):
    rules = os.path.join(tmp, 'rules')
    os.makedirs(rules)
    rc, out, err = run('extract', '--rules', rules, '--url', 'https://example.org/a',
                       os.path.join(FIX, 'finews/NW202204132341710174.html'))
    assert rc == 0, err
    o = json.loads(out)
    assert o['rule'] == 'auto', o['rule']
    assert o['title'] == '多措并举营造良好环境 厦门打造国际人才向往之地', o['title']
    assert '厦门市科技局相关负责人' in o['body_text']
    assert '分享到' not in o['body_text'] and '版权所有' not in o['body_text']


@test
def no_article_on_a_link_list(tmp):
    rules = os.path.join(tmp, 'rules')
    os.makedirs(rules)
    page = os.path.join(tmp, 'list.html')
    items = ''.join('<li><a href="/news/%d.html">Headline number %d about the harbor</a></li>' % (i, i)
                    for i in range(40))
    write(page, '<html><head><title>News</title></head><body><ul>%s</ul></body></html>' % items)
    rc, out, err = run('convert', '--rules', rules, '--url', 'https://example.org/news/',
                       '--out', os.path.join(tmp, 'out'), page)
    assert rc == 1, out + err
    one_line_error(err, 'https://example.org/news/', 'no article')
    assert not os.path.exists(os.path.join(tmp, 'out'))


@test
def required_field_missing_writes_nothing(tmp):
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'x.yml'),
          "name: x\nmatch: {hosts: [example.com]}\nfields:\n  title: {css: 'h7'}\n"
          "body: {steps: [{css: body}]}\n")
    page = os.path.join(tmp, 'p.html')
    write(page, '<body><p>No title anywhere on this page, only a paragraph.</p></body>')
    out_dir = os.path.join(tmp, 'out')
    rc, out, err = run('convert', '--rules', rules, '--url', 'https://example.com/a',
                       '--out', out_dir, page)
    assert rc == 1
    one_line_error(err, "required field 'title'")
    assert not os.path.exists(out_dir) or os.listdir(out_dir) == []


@test
def hostile_title_stays_inside_out_dir(tmp):
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'x.yml'),
          "name: x\nmatch: {hosts: [example.com]}\nfields:\n  title: {css: h1}\n"
          "body: {steps: [{css: article}]}\n")
    page = os.path.join(tmp, 'p.html')
    write(page, '<h1>../../etc/evil: "quoted" #not-a-comment</h1><article><p>x</p></article>')
    cfg = os.path.join(tmp, 'c.yml')
    write(cfg, "output:\n  filename: '{title}.md'\n")
    out_dir = os.path.join(tmp, 'out')
    rc, out, err = run('convert', '-c', cfg, '--rules', rules, '--url', 'https://example.com/a',
                       '--out', out_dir, page)
    assert rc == 0, err
    files = os.listdir(out_dir)
    assert len(files) == 1 and '/' not in files[0] and not files[0].startswith('.'), files
    text = open(os.path.join(out_dir, files[0]), encoding='utf-8').read()
    assert 'title: "../../etc/evil: \\"quoted\\" #not-a-comment"' in text, text


@test
def json_endpoint_with_rewrite_url(tmp):
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'api.yml'), """name: api
match: {hosts: [news.example]}
fetch:
  rewrite_url: [{from: '^http://news\\.example/a/(\\w+)$', to: 'http://api.news.example/json/article.json?id=$1'}]
preprocess: [{find: "　　", replace: ""}]
fields:
  title: {json: data.headline}
  date: {json: data.published, format: '%s', timezone: Europe/Paris}
  author: {json: 'data.authors[*].name'}
body: {steps: [{json: data.html}]}
""")
    with Server(FIX) as s:
        ct = ['--connect-to', 'news.example:80:127.0.0.1:%d' % s.port,
              '--connect-to', 'api.news.example:80:127.0.0.1:%d' % s.port]
        rc, out, err = run('extract', '--rules', rules, *ct, 'http://news.example/a/A1')
        assert rc == 0, err
        assert s.hits('/json/article.json') == 1
    o = json.loads(out)
    assert o['url'] == 'http://news.example/a/A1', o['url']
    assert o['title'] == 'Ports reopen after the storm'
    assert o['date'] == '2024-05-02T14:30:00+02:00', o['date']
    assert o['author'] == ['Ines Moreau', 'Ada Lindqvist'], o['author']
    assert '　' not in o['body_html'] and 'The <b>harbor</b> reopened.' in o['body_html'], o['body_html']
    assert '[queuing](http://news.example/ships)' in o['body_markdown'], o['body_markdown']


@test
def rules_check_runs_self_tests(tmp):
    rc, out, err = run('rules', 'check', 'examples/finews/rules', 'examples/demo/rules')
    assert rc == 0, out + err
    assert out.strip().endswith('tests, 0 failed'), out
    rules = os.path.join(tmp, 'rules')
    page = os.path.join(tmp, 'p.html')
    write(page, '<h1>Real title</h1><div class=t>2022-01-02</div><article><p>Body text</p></article>')
    write(os.path.join(rules, 'good.yml'),
          "name: good\nmatch: {hosts: [a.example]}\nfields:\n  title: {css: h1}\n"
          "  date: {css: div.t}\nbody: {steps: [{css: article}]}\n"
          "tests:\n  - input: ../p.html\n    url: https://a.example/x\n"
          "    expect: {title: Wrong title, date: '2022-01-02 00:00:00 +0000', body_contains: Body}\n")
    write(os.path.join(rules, 'broken.yml'), "name: broken\nmatch: {hosts: [b.example]}\nfields: [\n")
    rc, out, err = run('rules', 'check', rules)
    assert rc == 2, out + err
    lines = out.strip().splitlines()
    assert any(l.startswith(os.path.join(rules, 'broken.yml') + ':') and 'YAML syntax error' in l
               for l in lines), out
    assert any(l.startswith(os.path.join(rules, 'good.yml') + ':8:5: test 1: title: expected "Wrong title", got "Real title"')
               for l in lines), out
    assert lines[-1] == 'rules check: 2 files, 1 not loaded, 1 tests, 1 failed', lines[-1]
    os.remove(os.path.join(rules, 'broken.yml'))
    rc, out, err = run('rules', 'check', rules)
    assert rc == 1, out + err


@test
def rules_test_traces_fall_through(tmp):
    rule = os.path.join(tmp, 'r.yml')
    write(rule, "name: r\nmatch: {hosts: [a.example]}\nfields:\n"
          "  title:\n    steps:\n      - css: h1.missing\n      - css: h2\n        validate: {min_len: 50}\n"
          "      - meta: og:title\n        regex: '^(.*?) \\|'\n"
          "  date:\n    steps:\n      - css: time\n        relative: zh\n        timezone: Asia/Shanghai\n"
          "        validate: {not_after: now}\n"
          "body: {steps: [{css: article}]}\n")
    page = os.path.join(tmp, 'p.html')
    write(page, '<meta property="og:title" content="Good title | Site"><h2>short</h2>'
          '<time>3小时前</time><article><p>x</p></article>')
    rc, out, err = run('rules', 'test', '--now', '2022-04-13T12:00:00+08:00', rule, page)
    assert rc == 0, out + err
    assert "1. css 'h1.missing'  no match" in out, out
    assert "2. css 'h2'  validate: 5 characters, fewer than min_len 50" in out, out
    assert "3. meta 'og:title' +regex  chosen" in out, out
    assert 'value: "Good title"' in out, out
    assert 'result: title "Good title", date 2022-04-13 09:00:00 +0800' in out, out


@test
def rules_suggest_drafts_a_rule_that_passes_its_tests(tmp):
    draft = os.path.join(tmp, 'draft.yml')
    url = 'https://www.harborherald.example/local/2024/05/02/tide-gauge'
    rc, out, err = run('rules', 'suggest', '--url', url, '-o', draft,
                       'examples/demo/pages/harbor-herald-tide-gauge.html')
    assert rc == 0, err
    text = open(draft, encoding='utf-8').read()
    assert "- {css: 'h1.headline'}" in text, text
    assert "- {css: 'div.story-body'}" in text, text
    assert "title: 'Volunteers rebuild the old tide gauge'" in text, text
    assert "date: '2024-05-02 08:30:00 -0400'" in text, text
    rc, out, err = run('rules', 'check', draft)
    assert rc == 0, out + err
    assert out.strip().endswith('1 tests, 0 failed'), out


@test
def rule_body_clean_options(tmp):
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'c.yml'), """name: c
match: {hosts: [c.example]}
fields:
  title: {css: h1}
body:
  steps: [{css: article}]
  clean:
    remove: ['.promo']
    unwrap: ['font']
    rename: {'div.para': p}
    remove_attrs: [width]
    remove_paragraphs_matching: ['责任编辑']
    truncate_at: ['hr.end']
  images: {lazy_attrs: [data-real]}
  links: {strip_query_params: ['utm_*', spm]}
""")
    page = os.path.join(tmp, 'p.html')
    write(page, '<h1>T</h1><article><div class=para>One <font color=red>red</font> word.</div>'
          '<div class=promo>Buy now, very long promotional text here</div>'
          '<p><img data-real="/i.png" width=10 alt=pic> <a href="/x?utm_source=a&id=3&spm=9">link</a></p>'
          '<p>责任编辑：张三</p><hr class=end><p>After the end</p></article>')
    rc, out, err = run('extract', '--rules', rules, '--url', 'https://c.example/a/b.html', page)
    assert rc == 0, err
    html = json.loads(out)['body_html']
    assert '<p>One red word.</p>' in html, html
    assert 'promo' not in html and 'Buy now' not in html, html
    assert 'src="https://c.example/i.png"' in html and 'width' not in html, html
    assert 'href="https://c.example/x?id=3"' in html, html
    assert '责任编辑' not in html and 'After the end' not in html, html


@test
def empty_elements_block_text_and_fallback_off(tmp):
    # regression: a step matching an element with no children crashed (SIGSEGV)
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'e.yml'), """name: e
match: {hosts: [e.example]}
fields:
  title: {css: h1}
  sub: {css: h4}
  editor: {css: div.ed}
  author: {steps: [{css: span.nobody}], fallback: false}
body: {steps: [{css: article}]}
tests:
  - input: ../p.html
    url: https://e.example/a
    expect:
      body_contains: [first paragraph, second paragraph]
""")
    page = os.path.join(tmp, 'p.html')
    write(page, '<meta name=author content="L_104485"><h1>T</h1><h4></h4>'
          '<div class=ed><p>责任编辑：周莉</p><p>校对：王玲</p></div>'
          '<article><p>The first paragraph.</p><p>The second paragraph.</p></article>')
    rc, out, err = run('extract', '--rules', rules, '--url', 'https://e.example/a', page)
    assert rc == 0, err
    o = json.loads(out)
    assert o['fields'] == {'editor': '责任编辑：周莉 校对：王玲'}, o['fields']
    assert o['author'] == [], o['author']
    rc, out, err = run('rules', 'check', rules)
    assert rc == 0 and out.strip().endswith('1 tests, 0 failed'), out + err


@test
def help_and_unknown_command(tmp):
    rc, out, err = run('--help')
    assert rc == 0 and 'convert' in out and 'extract' in out
    rc, out, err = run('convert', '--help')
    assert rc == 0 and '--connect-to' in out
    rc, out, err = run('frobnicate')
    assert rc == 2
    one_line_error(err, "unknown command 'frobnicate'")


if __name__ == '__main__':
    sys.exit(run_tests('cli'))
