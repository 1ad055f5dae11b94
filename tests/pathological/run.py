#!/usr/bin/env python3
"""Pathological inputs, after cmark's pathological_tests.py (stdlib only).

Each case builds a hostile input, runs the newsmd binary on it and checks
that it ends, with the expected clear outcome, within a time bound.  The
bound is on CPU time (user + system of the child), so a loaded machine
does not make the suite flaky; wall time is printed beside it.
Prints "pathological: N passed, N failed".  Usage: run.py [NAME-SUBSTRING]
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
BOUND_S = 2.0          # every case must end within this much CPU time
# Sanitizer builds (make check) run 2-4x slower: the bound scales with them.
BOUND_S *= float(os.environ.get('NEWSMD_TIME_SCALE', '1'))
URL = 'https://news.example/a'


def page(body, head=''):
    return '<!DOCTYPE html><html><head><title>T</title>%s</head><body>%s</body></html>' % (head, body)


ARTICLE = '<article><h1>Title</h1>' + '<p>%s</p>' % ('Real article text, with commas, and words. ' * 40) * 5 + '</article>'


def rule_dir(tmp):
    d = os.path.join(tmp, 'rules')
    os.makedirs(d, exist_ok=True)
    return d


CASES = []


def case(name, expect_rc, needle=None):
    def deco(fn):
        CASES.append((name, fn, expect_rc, needle))
        return fn
    return deco


def extract(tmp, html, name='p.html', fmt='text'):
    path = os.path.join(tmp, name)
    with open(path, 'wb') as f:
        f.write(html if isinstance(html, bytes) else html.encode('utf-8'))
    return ['extract', '--rules', rule_dir(tmp), '--format', fmt, '--url', URL, path]


@case('200,000 nested divs', 1, 'page nesting deeper than')
def _(tmp):
    return extract(tmp, page('<div>' * 200000 + 'x'))


@case('50,000 unclosed spans', 1, 'page nesting deeper than')
def _(tmp):
    return extract(tmp, page('<span>' * 50000 + 'x'))


@case('10 MB single-line page', 0)
def _(tmp):
    return extract(tmp, page('<article><p>' + 'word, ' * 1700000 + '</p></article>'))


@case('100,000 attributes on one tag', 1, 'attributes; skipped')
def _(tmp):
    return extract(tmp, page('<div ' + ' '.join('a%d=1' % i for i in range(100000)) + '>x</div>'))


@case('1 MB attribute value', 0)
def _(tmp):
    return extract(tmp, page('<div title="' + 'v' * 1000000 + '">' + ARTICLE + '</div>'))


@case('100,000 <a> openers', 1, 'page nesting deeper than')
def _(tmp):
    return extract(tmp, page('<a href=x>' * 100000 + 'x'))


@case('many sibling <p> without </p>', 0)
def _(tmp):
    return extract(tmp, page('<article>' + '<p>Some sentence, with a comma. ' * 50000 + '</article>'))


@case('10,000-deep nested lists for the Markdown writer', 1, 'page nesting deeper than')
def _(tmp):
    path = os.path.join(tmp, 'l.html')
    open(path, 'w').write(page('<ul><li>x' * 10000 + '</li></ul>' * 10000))
    return ['markdown', path]


@case('10,000-deep nested blockquotes for the Markdown writer', 1, 'page nesting deeper than')
def _(tmp):
    path = os.path.join(tmp, 'q.html')
    open(path, 'w').write(page('<blockquote>' * 10000 + 'deep' + '</blockquote>' * 10000))
    return ['markdown', path]


@case('1,900-deep nested lists (accepted, DOM cut at 512)', 0)
def _(tmp):
    path = os.path.join(tmp, 'l.html')
    open(path, 'w').write(page('<ul><li>x' * 1900 + '</li></ul>' * 1900))
    return ['markdown', path]


@case('1,900-deep nested blockquotes (accepted, DOM cut at 512)', 0)
def _(tmp):
    path = os.path.join(tmp, 'q.html')
    open(path, 'w').write(page('<blockquote>' * 1900 + 'deep' + '</blockquote>' * 1900))
    return ['markdown', path]


@case('deeply nested JSON-LD', 0)
def _(tmp):
    ld = '<script type="application/ld+json">' + '{"a":' * 100000 + '1' + '}' * 100000 + '</script>'
    return extract(tmp, page(ARTICLE, ld))


@case('JSON-LD with 100,000 @graph entries', 0)
def _(tmp):
    ld = ('<script type="application/ld+json">{"@graph":[' +
          ','.join('{"@type":"Thing","name":"n%d"}' % i for i in range(100000)) + ']}</script>')
    return extract(tmp, page(ARTICLE, ld))


@case('YAML alias bomb in a rule file', 2, 'alias bomb')
def _(tmp):
    d = rule_dir(tmp)
    lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for i in range(1, 12):
        lines.append('a%d: &a%d [%s]' % (i, i, ', '.join(['*a%d' % (i - 1)] * 10)))
    open(os.path.join(d, 'bomb.yml'), 'w').write('\n'.join(lines) + '\n')
    return ['rules', 'check', d]


@case('10,000-deep YAML in a rule file', 2, 'nesting deeper than')
def _(tmp):
    d = rule_dir(tmp)
    open(os.path.join(d, 'deep.yml'), 'w').write('[' * 10000 + ']' * 10000 + '\n')
    return ['rules', 'check', d]


@case('invalid UTF-8 everywhere', 0)
def _(tmp):
    junk = bytes(range(0x80, 0x100)) * 50
    html = (b'<html><head><title>\xff\xfe T\xc3</title></head><body><article><h1>\xed\xa0\x80</h1>' +
            (b'<p>' + junk + b' real words, here. ' * 30 + b'</p>') * 5 + b'</article></body></html>')
    return extract(tmp, html)


@case('NUL bytes', 0)
def _(tmp):
    html = ('<html><body><article><h1>Ti\0tle</h1>' + ('<p>te\0xt, ' * 200 + '</p>') * 5 +
            '</article></body></html>').encode()
    return extract(tmp, html)


@case('a title of 100,000 characters', 0)
def _(tmp):
    t = '标题' * 50000
    return extract(tmp, page(ARTICLE.replace('<h1>Title</h1>', '<h1>%s</h1>' % t),
                             '<meta property="og:title" content="%s">' % t), fmt='json')


@case('a selector with 10,000 nested :not()', 2, 'selector')
def _(tmp):
    path = os.path.join(tmp, 's.html')
    open(path, 'w').write(page(ARTICLE))
    return ['select', ':not(' * 10000 + 'p' + ')' * 10000, path]


@case('a catastrophic rule regex on a large page', 0)
def _(tmp):
    d = rule_dir(tmp)
    open(os.path.join(d, 'r.yml'), 'w').write(
        "name: r\nmatch: {hosts: [news.example]}\nfields:\n"
        "  title: {css: h1}\n  source: {css: article, regex: '(a+)+b'}\n"
        "body: {steps: [{css: article}]}\n")
    return extract(tmp, page('<article><h1>T</h1><p>' + 'a' * 200000 + '</p></article>'))


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    passed = failed = 0
    print('%-52s %8s %8s  %s' % ('case', 'cpu s', 'wall s', 'outcome'))
    for name, fn, expect_rc, needle in CASES:
        if only and only not in name:
            continue
        tmp = tempfile.mkdtemp(prefix='newsmd-patho-')
        try:
            args = fn(tmp)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.monotonic()
            p = subprocess.run([NEWSMD] + args, capture_output=True, timeout=60)
            wall = time.monotonic() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            err = p.stderr.decode('utf-8', 'replace').strip()
            ok = p.returncode == expect_rc and cpu < BOUND_S
            ok = ok and (needle is None or needle in err + p.stdout.decode('utf-8', 'replace'))
            ok = ok and p.returncode >= 0  # no signal (crash)
            outcome = 'exit %d%s' % (p.returncode, (': ' + err.splitlines()[0][:70]) if err else '')
            print('%-52s %8.2f %8.2f  %s%s' % (name, cpu, wall, outcome, '' if ok else '  <-- FAIL'))
            passed += ok
            failed += not ok
        except subprocess.TimeoutExpired:
            print('%-52s %8s %8s  timed out  <-- FAIL' % (name, '-', '>60'))
            failed += 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print('pathological: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
