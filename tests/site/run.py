#!/usr/bin/env python3
"""Posts newsmd writes, read by what reads them: YAML parsers (PyYAML,
Ruby's Psych as Jekyll uses it), Jekyll and Hugo (Debian's), offline.

Articles come from JSON files this script writes (titles reach the front
matter exactly as given: hostile titles, Chinese titles, bodies with Liquid
and Hugo shortcodes), are converted with the rule in
tests/fixtures/site/rules, and the sites are built in a temp folder with a
minimal layout printing path, title, date, categories and content.  The
built HTML must show every post with its exact title, date and categories,
and article text with template syntax verbatim.

Prints "site: N passed, N failed, N skipped".  Usage: run.py [NAME-SUBSTRING]
"""
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
RULES = os.path.join(ROOT, 'tests', 'fixtures', 'site', 'rules')
TESTS = []

# Titles a YAML writer has to quote, escape or keep on one line.
HOSTILE = [
    'yes', 'No', 'TRUE', 'off', 'On', 'null', '~', 'y', '123', '0x1F', '1e3', '1_000', '017',
    '.5', '-1', '+1', '12:30', '190:20:30', '2022-04-13', '2022-04-13 12:11:23 +0800', '.inf',
    '.NaN', 'Breaking: markets fall', 'C# is # 1', 'a # b', '#hashtag news', '&anchor',
    '*alias', '!tag', '!!str x', '|pipe', '>fold', "'single", '"double"', '%percent', '@user',
    '`tick', ':symbol', '?question', '- dash item', '[bracket]', '{brace}', 'a, b',
    'key: value: more', 'ends with colon:', ' leading space', 'trailing space ', '  both  ',
    'line\nbreak', 'crlf\r\nline', 'tab\there', '\ttab lead', 'bell\x07char', 'del\x7f',
    '\x85nel', 'line\u2028sep', '\ufeffbom', '{{ site.title }}', '{% include nope.html %}',
    '{{< hugo >}}', '---', '...', '--- a', 'title\n---\nlayout: evil', '<script>x</script>',
    'A & B < C > D', 'back\\slash', '=', '<<', '%YAML 1.2', 'a"b\'c', '\xa0nbsp lead',
    '100% sure', 'x\n\n\ny',
]
CHINESE = [
    '多措并举营造良好环境 厦门打造国际人才向往之地',
    '“引号”与‘单引号’：冒号',
    'A股：沪指涨0.5% 收复3200点',
    '重庆：长江大桥 # 通车',
    '５Ｇ网络覆盖全国',
]
CATEGORIES = ['科技日报', 'Hong Kong', 'yes', 'C# & .NET', 'world news']
OFFSETS = ['+0800', '-0500', '+0000', '+0530']

# Bodies with template syntax, and the text each must show verbatim.
LIQUID = [
    ('<p>Template tags: {{ site.title }} and {% include nope.html %} stay as text.</p>',
     ['Template tags: {{ site.title }} and {% include nope.html %} stay as text.']),
    ('<p>Close: {% endraw %} then {%- endraw -%} and {% raw %} open.</p>',
     ['Close: {% endraw %} then {%- endraw -%} and {% raw %} open.']),
    ('<pre><code>{% if user %}\n  {{ user.name | upcase }}\n{% endif %}\n{{ \'{%\' }}</code></pre>'
     '<p>Inline <code>{{ x }}</code> and unclosed {{ y and {% z</p>',
     ['{% if user %}\n  {{ user.name | upcase }}\n{% endif %}\n{{ \'{%\' }}',
      'Inline {{ x }} and unclosed {{ y and {% z']),
    ('<p>Multi {{ a</p><p>b }} end {%</p><p>endraw %}</p>', ['Multi {{ a', 'b }} end {%', 'endraw %}']),
    ('<p>Hugo: {{< figure src=a.png >}} and {{% note %}} and unclosed {{< oops</p>'
     '<pre><code>{{< highlight go >}}\nfmt.Println(1)\n{{< /highlight >}}</code></pre>',
     ['Hugo: {{< figure src=a.png >}} and {{% note %}} and unclosed {{< oops',
      '{{< highlight go >}}\nfmt.Println(1)\n{{< /highlight >}}']),
    ('<p>Edges: {{&lt; a* &gt;}} {{&lt;/x&gt;}} {{&lt;*/&gt;}} {{&lt; x */ &gt;}} {{%/ y %}}</p>',
     ['Edges: {{< a* >}} {{</x>}} {{<*/>}} {{< x */ >}} {{%/ y %}}']),
]

JEKYLL_LAYOUT = '''<!doctype html>
<div id="path">{{ page.path | escape }}</div>
<h1 id="title">{{ page.title | escape }}</h1>
<div id="date">{{ page.date | date: "%Y-%m-%d %H:%M:%S %z" }}</div>
<ul id="categories">{% for c in page.categories %}<li>{{ c | escape }}</li>{% endfor %}</ul>
<div id="content">{{ content }}</div>
'''
HUGO_LAYOUT = '''<!doctype html>
<div id="path">{{ .File.Path }}</div>
<h1 id="title">{{ .Title }}</h1>
<div id="date">{{ .Date.Format "2006-01-02 15:04:05 -0700" }}</div>
<ul id="categories">{{ range .Params.categories }}<li>{{ . }}</li>{{ end }}</ul>
<div id="slug">{{ .Slug }}</div><div id="draft">{{ .Draft }}</div>
<div id="content">{{ .Content }}</div>
'''


def test(fn):
    TESTS.append(fn)
    return fn


class Skip(Exception):
    pass


def articles():
    """The articles of the test sites: dicts with url, title, date,
    category, tags, body, texts (to show verbatim), want_name (a file name
    pattern or None)."""
    out = []
    base = datetime.datetime(2022, 4, 13, 12, 11, 23)

    def add(title, body='', texts=(), url=None, date=None, **kw):
        i = len(out)
        off = OFFSETS[i % len(OFFSETS)]
        when = date or (base + datetime.timedelta(hours=7 * i)).strftime('%Y-%m-%d %H:%M:%S ') + off
        out.append(dict(url=url or 'https://site.test/news/2022/art%d.json' % (1000 + i),
                        title=title, date=when, category=CATEGORIES[i % len(CATEGORIES)],
                        tags=['t%d' % i, 'yes'], body=body or '<p>Article %d body.</p>' % i,
                        texts=list(texts), **kw))
    for t in HOSTILE:
        add(t)
    for t in CHINESE:
        add(t, want_name=r'^\d{4}-\d\d-\d\d-art\d+\.md$')
    for body, texts in LIQUID:
        add('Liquid and shortcodes %d' % len(out), body, texts)
    # same title, same day: two articles, two posts
    add('Same title twice', '<p>First of two.</p>', ['First of two.'],
        date='2022-05-01 08:00:00 +0800', url='https://site.test/news/same/first1.json')
    add('Same title twice', '<p>Second of two.</p>', ['Second of two.'],
        date='2022-05-01 09:00:00 +0800', url='https://site.test/news/same/second2.json')
    return out


def write_inputs(tmp, arts):
    os.makedirs(os.path.join(tmp, 'in'), exist_ok=True)
    for i, a in enumerate(arts):
        a['file'] = os.path.join(tmp, 'in', '%03d.json' % i)
        with open(a['file'], 'w', encoding='utf-8') as f:
            json.dump({k: a[k] for k in ('title', 'date', 'category', 'tags', 'body')}, f)


def write_config(tmp, name, out_dir, extra=''):
    path = os.path.join(tmp, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('rules: %s\noutput:\n  dir: %s\n%s' % (json.dumps(RULES), json.dumps(out_dir), extra))
    return path


def convert(cfg, a, *more):
    p = subprocess.run([NEWSMD, 'convert', '-c', cfg, '--url', a['url'], a['file']] + list(more),
                       capture_output=True, timeout=60)
    out, err = p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    assert p.returncode == 0, '%s: %s' % (a['url'], err)
    return out


def convert_all(cfg, arts):
    """Converts every article; returns {url: (status, path)}."""
    got = {}
    for a in arts:
        line = convert(cfg, a).strip()
        status, path = line.split(' ', 1)
        got[a['url']] = (status, path)
    return got


def front_matter(path):
    text = open(path, encoding='utf-8', newline='').read()
    m = re.match(r'---\n(.*?\n)---\n', text, re.S)
    assert m, 'no front matter in %s' % path
    return m.group(1)


def parse_date(s):
    return datetime.datetime.strptime(s, '%Y-%m-%d %H:%M:%S %z')


def pages(site):
    """{content-relative post path: fields} from the built HTML."""
    found = {}
    for dirpath, _, files in os.walk(site):
        for fn in files:
            if not fn.endswith('.html'):
                continue
            text = open(os.path.join(dirpath, fn), encoding='utf-8', newline='').read()
            m = re.search(r'<div id="path">(.*?)</div>', text, re.S)
            if not m:
                continue
            get = lambda key: html.unescape(re.search(
                r'<(?:h1|div) id="%s">(.*?)</(?:h1|div)>\n' % key, text, re.S).group(1))
            content = re.search(r'<div id="content">(.*)</div>', text, re.S).group(1)
            found[os.path.basename(html.unescape(m.group(1)))] = dict(
                title=get('title'), date=get('date'),
                categories=[html.unescape(c) for c in re.findall(
                    r'<li>(.*?)</li>', re.search(r'<ul id="categories">(.*?)</ul>', text,
                                                 re.S).group(1), re.S)],
                slug=re.search(r'<div id="slug">(.*?)</div>', text, re.S),
                content_text=html.unescape(re.sub(r'<[^>]+>', '', content)),
                page=os.path.relpath(os.path.join(dirpath, fn), site))
    return found


def check_site(arts, written, built, what):
    bad = []
    for a in arts:
        name = os.path.basename(written[a['url']][1])
        p = built.get(name)
        if p is None:
            bad.append('%s: no page for %s (%r)' % (what, name, a['title']))
            continue
        if p['title'] != a['title']:
            bad.append('%s: %s: title %r, want %r' % (what, p['page'], p['title'], a['title']))
        if parse_date(p['date']) != parse_date(a['date']):
            bad.append('%s: %s: date %s, want %s' % (what, p['page'], p['date'], a['date']))
        if p['categories'] != [a['category']]:
            bad.append('%s: %s: categories %r, want %r' % (what, p['page'], p['categories'],
                                                         [a['category']]))
        for t in a['texts']:
            if t not in p['content_text']:
                bad.append('%s: %s: text %r not shown verbatim in %r' % (
                    what, p['page'], t, p['content_text'][:300]))
    assert not bad, '%d problems:\n' % len(bad) + '\n'.join(bad[:20])


class Sites:
    """Posts converted once for all tests (jekyll and hugo formats)."""
    def __init__(self, tmp):
        self.tmp = tmp
        self.arts = articles()
        write_inputs(tmp, self.arts)
        self.jekyll = os.path.join(tmp, 'jekyll')
        self.hugo = os.path.join(tmp, 'hugo')
        self.jcfg = write_config(tmp, 'jekyll.yml', os.path.join(self.jekyll, '_posts'))
        self.hcfg = write_config(tmp, 'hugo.yml', os.path.join(self.hugo, 'content', 'posts'),
                                 '  format: hugo\n')
        self.jwritten = convert_all(self.jcfg, self.arts)
        self.hwritten = convert_all(self.hcfg, self.arts)


SITES = None


def sites(tmp):
    global SITES
    if SITES is None:
        SITES = Sites(tmp)
    return SITES


@test
def every_post_written_once(tmp):
    s = sites(tmp)
    for written, where in ((s.jwritten, 'jekyll'), (s.hwritten, 'content/posts')):
        paths = [p for _, p in written.values()]
        assert len(set(paths)) == len(s.arts), 'two articles, one file: %d files for %d' % (
            len(set(paths)), len(s.arts))
        assert all(st == 'wrote' for st, _ in written.values())
        folder = os.path.dirname(paths[0])
        assert sorted(os.listdir(folder)) == sorted(os.path.basename(p) for p in paths), \
            'stray files in %s: %r' % (where, os.listdir(folder))


@test
def hostile_titles_read_back_by_pyyaml(tmp):
    try:
        import yaml
    except ImportError:
        raise Skip('python3-yaml not installed')
    s = sites(tmp)
    assert len(HOSTILE) >= 40
    bad = []
    for a in s.arts:
        for path, fmt in ((s.jwritten[a['url']][1], 'jekyll'), (s.hwritten[a['url']][1], 'hugo')):
            d = yaml.safe_load(front_matter(path))
            if d.get('title') != a['title']:
                bad.append('%s %r read as %r' % (fmt, a['title'], d.get('title')))
            if d.get('categories') != [a['category']]:
                bad.append('%s categories %r' % (fmt, d.get('categories')))
            if d.get('tags') != a['tags']:
                bad.append('%s tags %r' % (fmt, d.get('tags')))
            # Jekyll's +0800 (no colon) is a time to Psych, a string to
            # YAML 1.1 proper; Hugo's RFC 3339 is a time to both.
            date = d.get('date')
            if fmt == 'jekyll' and date == a['date']:
                pass
            elif not isinstance(date, datetime.datetime) or date != parse_date(a['date']):
                bad.append('%s date %r for %s' % (fmt, date, a['date']))
            if fmt == 'hugo' and (d.get('draft') is not False or not isinstance(d.get('slug'), str)):
                bad.append('hugo draft/slug %r %r' % (d.get('draft'), d.get('slug')))
    assert not bad, '\n'.join(bad[:20])


@test
def hostile_titles_read_back_by_psych(tmp):
    if not shutil.which('ruby'):
        raise Skip('ruby not installed')
    s = sites(tmp)
    script = ('require "yaml"; require "json"; require "date"\n'
              'ARGV.each { |f| fm = File.read(f, encoding: "UTF-8")[/\\A---\\n(.*?\\n)---\\n/m, 1]\n'
              '  h = YAML.safe_load(fm, permitted_classes: [Date, Time])\n'
              '  puts JSON.generate([h["title"], h["categories"], h["date"].class.name, '
              'h["date"].to_i]) }')
    paths = [s.jwritten[a['url']][1] for a in s.arts]
    p = subprocess.run(['ruby', '-e', script] + paths, capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()[:2000]
    lines = p.stdout.decode('utf-8').rstrip('\n').split('\n')  # not at U+2028
    assert len(lines) == len(s.arts)
    bad = []
    for a, line in zip(s.arts, lines):
        title, cats, cls, ts = json.loads(line)
        if title != a['title'] or cats != [a['category']] or cls != 'Time' or \
                ts != int(parse_date(a['date']).timestamp()):
            bad.append('%r -> %r %r %s %s' % (a['title'], title, cats, cls, ts))
    assert not bad, '\n'.join(bad[:20])


@test
def jekyll_builds_every_post(tmp):
    if not shutil.which('jekyll'):
        raise Skip('jekyll not installed (make deps installs it)')
    s = sites(tmp)
    os.makedirs(os.path.join(s.jekyll, '_layouts'), exist_ok=True)
    with open(os.path.join(s.jekyll, '_config.yml'), 'w') as f:
        f.write('title: newsmd site test\nfuture: true\npermalink: /p/:year/:month/:day/:title/\n')
    with open(os.path.join(s.jekyll, '_layouts', 'post.html'), 'w') as f:
        f.write(JEKYLL_LAYOUT)
    site = os.path.join(s.jekyll, '_site')
    p = subprocess.run(['jekyll', 'build', '--source', s.jekyll, '--destination', site],
                       capture_output=True, timeout=600, cwd=s.jekyll)
    log = (p.stdout + p.stderr).decode('utf-8', 'replace')
    assert p.returncode == 0, 'jekyll build failed:\n' + log[-3000:]
    assert 'Liquid Warning' not in log and 'Liquid Exception' not in log, log[-3000:]
    built = pages(site)
    check_site(s.arts, s.jwritten, built, 'jekyll')
    print('  jekyll: %d posts built, %d with hostile titles, %d Chinese, %d with template '
          'syntax' % (len(built), len(HOSTILE), len(CHINESE), len(LIQUID)))


@test
def hugo_builds_every_post(tmp):
    if not shutil.which('hugo'):
        raise Skip('hugo not installed (make deps installs it)')
    s = sites(tmp)
    os.makedirs(os.path.join(s.hugo, 'layouts', '_default'), exist_ok=True)
    with open(os.path.join(s.hugo, 'hugo.toml'), 'w') as f:
        f.write('baseURL = "http://site.test/"\n'
                'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
                '[markup.goldmark.renderer]\nunsafe = true\n')
    with open(os.path.join(s.hugo, 'layouts', '_default', 'single.html'), 'w') as f:
        f.write(HUGO_LAYOUT)
    site = os.path.join(s.hugo, 'public')
    p = subprocess.run(['hugo', '--source', s.hugo, '--destination', site],
                       capture_output=True, timeout=600, cwd=s.hugo)
    log = (p.stdout + p.stderr).decode('utf-8', 'replace')
    assert p.returncode == 0, 'hugo build failed:\n' + log[-3000:]
    built = pages(site)
    check_site(s.arts, s.hwritten, built, 'hugo')
    slugs = [b['slug'].group(1) for b in built.values()]
    assert len(set(slugs)) == len(slugs), 'two posts share a slug (one URL)'
    print('  hugo: %d posts built' % len(built))


@test
def chinese_titles_get_ascii_names(tmp):
    s = sites(tmp)
    for a in s.arts:
        name = os.path.basename(s.jwritten[a['url']][1])
        assert name.isascii(), name
        if a.get('want_name'):
            assert re.match(a['want_name'], name), name
    # {title|pinyin} in the file name
    cfg = write_config(tmp, 'pinyin.yml', os.path.join(tmp, 'pinyin'),
                       "  filename: '{date:%Y-%m-%d}-{title|pinyin}.md'\n"
                       "pinyin: {厦门: xiamen, 之地: zhidi}\n")
    a = next(a for a in s.arts if a['title'].startswith('多措并举'))
    out = convert(cfg, a).strip()
    assert out.endswith('-duocuobingjuyingzaolianghaohuanjing-xiamendazaoguojirencaixiangwangzhidi.md'), out


@test
def rerun_writes_nothing(tmp):
    s = sites(tmp)
    for cfg, written in ((s.jcfg, s.jwritten), (s.hcfg, s.hwritten)):
        before = {p: os.stat(p).st_mtime_ns for _, p in written.values()}
        again = convert_all(cfg, s.arts)
        assert all(st == 'unchanged' for st, _ in again.values()), again
        assert {u: p for u, (_, p) in again.items()} == {u: p for u, (_, p) in written.items()}
        assert before == {p: os.stat(p).st_mtime_ns for p in before}


@test
def changed_article_replaces_its_own_file_only(tmp):
    s = sites(tmp)
    first, second = [a for a in s.arts if a['title'] == 'Same title twice']
    p1, p2 = s.jwritten[first['url']][1], s.jwritten[second['url']][1]
    assert p1 != p2 and p2.endswith('-2.md'), (p1, p2)
    other = open(p2, 'rb').read()
    changed = dict(first)
    changed['file'] = os.path.join(tmp, 'changed.json')
    with open(changed['file'], 'w', encoding='utf-8') as f:
        json.dump(dict(title=first['title'], date=first['date'], category=first['category'],
                       tags=first['tags'], body='<p>First of two, corrected.</p>'), f)
    out = convert(s.jcfg, changed).strip()
    assert out == 'wrote ' + p1, out
    assert 'First of two, corrected.' in open(p1, encoding='utf-8').read()
    assert open(p2, 'rb').read() == other
    # the original text back: the same file again
    assert convert(s.jcfg, first).strip() == 'wrote ' + p1


@test
def out_dash_prints_the_post(tmp):
    s = sites(tmp)
    a = s.arts[0]
    out = convert(s.jcfg, a, '--out', '-')
    assert out == open(s.jwritten[a['url']][1], encoding='utf-8', newline='').read()
    assert not os.path.exists(os.path.join(tmp, '-'))


@test
def no_temp_files_left(tmp):
    s = sites(tmp)
    for d in (os.path.join(s.jekyll, '_posts'), os.path.join(s.hugo, 'content', 'posts')):
        left = [f for f in os.listdir(d) if f.startswith('.')]
        assert not left, left


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ''
    if not os.path.exists(NEWSMD):
        print('site: newsmd binary not found at %s' % NEWSMD)
        print('site: 0 passed, 1 failed, 0 skipped')
        return 1
    passed = failed = skipped = 0
    tmp = tempfile.mkdtemp(prefix='newsmd-site-')
    try:
        for fn in TESTS:
            if only not in fn.__name__:
                continue
            try:
                fn(tmp)
                passed += 1
                print('ok %s' % fn.__name__)
            except Skip as e:
                skipped += 1
                print('skip %s: %s' % (fn.__name__, e))
            except Exception:
                failed += 1
                print('not ok %s' % fn.__name__)
                traceback.print_exc(limit=3)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('site: %d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
