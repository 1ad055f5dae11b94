#!/usr/bin/env python3
"""ftr_vs_generic.py - rules imported from FiveFilters' ftr-site-config
against newsmd's generic extractor, on Mozilla Readability's test pages
whose site has an FTR config.

Each page (../shared/corpus/readability/<name>/source.html) is known by its
<link rel=canonical> or og:url.  It is extracted twice with
`newsmd extract --url URL`: with the imported rules (a page counts when an
`ftr-*` rule matched it) and with no rules (the generic extractor).  Both
bodies are scored against Readability's expected.html with the bag-of-tokens
F1 of score_readability.py (Readability's output is a strong peer, not human
truth: these are agreement figures).

Usage: ftr_vs_generic.py [--newsmd build/newsmd] [--corpus ../shared/corpus]
                         [--rules DIR]   (default: import the snapshot into a temp folder)
stdlib only; prints one row per page, then the means.  Skips (exit 0) when
the corpus is absent.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score_readability import html_text, prf  # noqa: E402

URL_RES = [
    r'<link[^>]+rel=["\']canonical["\'][^>]*href=["\'](https?://[^"\']+)',
    r'<link[^>]+href=["\'](https?://[^"\']+)["\'][^>]*rel=["\']canonical',
    r'<meta[^>]+property=["\']og:url["\'][^>]*content=["\'](https?://[^"\']+)',
    r'<meta[^>]+content=["\'](https?://[^"\']+)["\'][^>]*property=["\']og:url',
]


def page_url(html):
    for r in URL_RES:
        m = re.search(r, html, re.I)
        if m:
            return m.group(1)
    return None


def has_config(rules, host):
    """Whether an imported file could match host (exact, www., or a suffix)."""
    names = [host, host[4:] if host.startswith('www.') else 'www.' + host]
    labels = host.split('.')
    names += ['_.' + '.'.join(labels[i:]) for i in range(len(labels) - 1)]
    return any(os.path.exists(os.path.join(rules, n + '.yml')) for n in names)


def extract(newsmd, rules, url, page):
    r = subprocess.run([newsmd, 'extract', '--rules', rules, '--url', url, page],
                       capture_output=True, text=True, timeout=120)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {'error': (r.stderr.strip().splitlines() or ['no output'])[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--newsmd', default='build/newsmd')
    ap.add_argument('--corpus', default=os.environ.get('NEWSMD_CORPUS', '../shared/corpus'))
    ap.add_argument('--rules', help='imported rules (default: import the snapshot)')
    a = ap.parse_args()
    base = os.path.join(a.corpus, 'readability')
    snap = os.path.join(a.corpus, 'ftr-site-config')
    if not os.path.isdir(base) or (not a.rules and not os.path.isdir(snap)):
        print('ftr_vs_generic: skipped (%s not found)' % a.corpus)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        rules = a.rules
        if not rules:
            rules = os.path.join(tmp, 'ftr')
            subprocess.run([a.newsmd, 'rules', 'import', 'ftr', snap, '-o', rules, '--quiet'],
                           check=True, capture_output=True)
        empty = os.path.join(tmp, 'empty')
        os.makedirs(empty)
        rows = []
        for name in sorted(os.listdir(base)):
            src = os.path.join(base, name, 'source.html')
            exp = os.path.join(base, name, 'expected.html')
            if not os.path.isfile(src) or not os.path.isfile(exp):
                continue
            with open(src, encoding='utf-8', errors='replace') as f:
                url = page_url(f.read())
            host = url and (urllib.parse.urlsplit(url).hostname or '').lower()
            if not host or not has_config(rules, host):
                continue
            o = extract(a.newsmd, rules, url, src)
            rule = o.get('rule') or ''
            if not rule.startswith('ftr-'):
                continue
            g = extract(a.newsmd, empty, url, src)
            with open(exp, encoding='utf-8', errors='replace') as f:
                truth = html_text(f.read())
            fp = prf(o.get('body_text'), truth)
            gp = prf(g.get('body_text'), truth)
            rows.append((name, rule, fp, gp, o.get('error')))
    if not rows:
        print('ftr_vs_generic: no Readability page has an FTR config')
        return 0
    print('%-24s %-26s %6s %6s %6s   %6s %6s %6s' % ('page', 'imported rule', 'P', 'R', 'F1',
                                                   'gen P', 'gen R', 'gen F1'))
    for name, rule, fp, gp, err in rows:
        print('%-24s %-26s %6.3f %6.3f %6.3f   %6.3f %6.3f %6.3f%s' % (
            name, rule, fp[0], fp[1], fp[2], gp[0], gp[1], gp[2],
            '  ERROR: ' + err if err else ''))
    n = len(rows)
    mf = sum(r[2][2] for r in rows) / n
    mg = sum(r[3][2] for r in rows) / n
    better = sum(r[2][2] > r[3][2] + 0.005 for r in rows)
    worse = sum(r[2][2] < r[3][2] - 0.005 for r in rows)
    print('mean body F1 over %d pages: imported FTR rules %.3f, generic extractor %.3f '
          '(FTR better on %d, worse on %d)' % (n, mf, mg, better, worse))
    return 0


if __name__ == '__main__':
    sys.exit(main())
