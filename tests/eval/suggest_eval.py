#!/usr/bin/env python3
"""suggest_eval.py - how close `newsmd rules suggest` drafts come, next to
the generic extractor, on pages of sites that have no rule here.

For each page of ../shared/corpus/readability/ (Mozilla Readability's test
pages; the ones from sites a shipped rule covers are left out), two
extractions are scored against Readability's expected-metadata.json and
expected.html:
  * generic: `newsmd extract --rules EMPTY` (no rule matches);
  * draft:   `newsmd rules suggest PAGE -o DIR/draft.yml`, then
             `newsmd extract --rules DIR` (the draft is the only rule).
Fields right: title (exact after NFKC and white space), author (the
expected byline equals the extracted authors joined with ", ", or contains
all of them, case-folded), date (the same instant / wall-clock fields as
publishedTime, where set); body: bag-of-tokens F1 against expected.html,
counted right at F1 >= 0.9.  Also counts drafts that did not load, failed
their own recorded tests, or crashed.

--cross measures what matters more: the next page.  For each site with
several pages in the corpus (nytimes-1..5, medium-1..3, ...), a draft made
from one page (and one made from the first two, where there are three or
more) is run on the site's other pages, next to the generic extractor on
those same pages.

stdlib only; reuses score_readability.py's scorers.
Usage: NEWSMD=build/newsmd python3 tests/eval/suggest_eval.py [--corpus DIR] [--per-page]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import score_readability as sr  # noqa: E402

NEWSMD = os.environ.get('NEWSMD', str(ROOT / 'build' / 'newsmd'))
# Readability pages of sites with a shipped rule (rules/README.md).
RULED = re.compile(r'^(qq|gmw|youth|wapo-\d|bbc-\d|yahoo-\d)$')


def run(*args):
    p = subprocess.run([NEWSMD] + list(args), capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def extract(rules, url, page):
    rc, out, err = run('extract', '--format', 'json', '--rules', rules, '--url', url, page)
    try:
        return json.loads(out) if out.strip() else {}, rc
    except ValueError:
        return {}, rc


def fold(s):
    return re.sub(r'\s+', ' ', unicodedata.normalize('NFKC', s or '')).strip().casefold()


def author_right(got, want):
    g = [fold(a) for a in (got or []) if a]
    w = fold(want)
    if not w:
        return None
    if not g:
        return False
    return ', '.join(g) == w or all(a in w for a in g) and len(''.join(g)) * 2 >= len(w.replace(',', ''))


def score(d, page, meta, gold):
    row = {}
    if meta.get('title'):
        row['title'] = sr.norm_title(d.get('title')) == sr.norm_title(meta['title'])
    if meta.get('byline'):
        row['author'] = author_right(d.get('author'), meta['byline'])
    if meta.get('publishedTime'):
        row['date'] = sr.date_agrees(d.get('date'), meta['publishedTime'])
    row['F1'] = sr.prf(d.get('body_text') or '', gold)[2]
    row['body'] = row['F1'] >= 0.9
    return row


def add(tot, f1, kind, s):
    f1[kind].append(s['F1'])
    for k in ('title', 'author', 'date', 'body'):
        if s.get(k) is None:
            continue
        ok, n = tot[kind].get(k, (0, 0))
        tot[kind][k] = (ok + bool(s[k]), n + 1)


def report(tot, f1, kinds, n):
    print(f'{"field":8s} ' + ' '.join(f'{k:>12s}' for k in kinds))
    for k in ('title', 'author', 'date', 'body'):
        cells = []
        for kind in kinds:
            g = tot[kind].get(k, (0, 0))
            cells.append(f'{g[0]:5d}/{g[1]:<6d}')
        print(f'{k:8s} ' + ' '.join(cells))
    print(f'{"body F1":8s} ' + ' '.join(f'{sum(f1[k]) / max(1, len(f1[k])):12.4f}' for k in kinds))
    print(f'{"all":8s} ' + ' '.join(
        f'{sum(v[0] for v in tot[k].values()):5d}/{sum(v[1] for v in tot[k].values()):<6d}'
        for k in kinds))


def cross(corpus, per_page):
    groups = {}
    for p in sorted(corpus.iterdir()):
        m = re.match(r'^(.*)-(\d)$', p.name)
        if m and (p / 'source.html').exists() and not RULED.match(p.name):
            groups.setdefault(m.group(1), []).append(p)
    groups = {k: v for k, v in groups.items() if len(v) > 1}
    kinds = ('generic', 'draft-1', 'draft-2')
    tot = {k: {} for k in kinds}
    f1 = {k: [] for k in kinds}
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, 'empty')
        os.mkdir(empty)
        for site, pages in groups.items():
            url = lambda p: f'https://www.{site}.example.com/{p.name}'  # noqa: E731
            drafts = {}
            # draft-1: from each page alone, run on each other page
            for i, p in enumerate(pages):
                d = os.path.join(tmp, f'{site}-{i}')
                os.mkdir(d)
                rc, _, _ = run('rules', 'suggest', '--url', url(p), '-o', os.path.join(d, 'r.yml'),
                               str(p / 'source.html'))
                drafts[i] = d if rc == 0 else None
            two = None
            if len(pages) >= 3:
                two = os.path.join(tmp, f'{site}-01')
                os.mkdir(two)
                rc, _, _ = run('rules', 'suggest', '--url', url(pages[0]), '--url', url(pages[1]),
                               '-o', os.path.join(two, 'r.yml'),
                               str(pages[0] / 'source.html'), str(pages[1] / 'source.html'))
                if rc != 0:
                    two = None
            for j, q in enumerate(pages):
                meta = json.loads((q / 'expected-metadata.json').read_text(encoding='utf-8'))
                gold = sr.html_text((q / 'expected.html').read_text(encoding='utf-8', errors='replace'))
                src = str(q / 'source.html')
                gen, _ = extract(empty, url(q), src)
                for i in range(len(pages)):
                    if i == j:
                        continue
                    dr, _ = extract(drafts[i], url(q), src) if drafts[i] else ({}, 1)
                    add(tot, f1, 'generic', score(gen, q, meta, gold))
                    sd = score(dr, q, meta, gold)
                    add(tot, f1, 'draft-1', sd)
                    runs += 1
                    if per_page:
                        print(f'  {q.name:14s} from {pages[i].name:14s} draft F1={sd["F1"]:.3f}'
                              f' title={sd.get("title")} author={sd.get("author")} date={sd.get("date")}')
                if two and j >= 2:
                    dr, _ = extract(two, url(q), src)
                    sd = score(dr, q, meta, gold)
                    add(tot, f1, 'draft-2', sd)
                    if per_page:
                        print(f'  {q.name:14s} from {pages[0].name}+{pages[1].name} draft F1={sd["F1"]:.3f}'
                              f' title={sd.get("title")} author={sd.get("author")} date={sd.get("date")}')
    print(f'next page: drafts of {len(groups)} sites ({", ".join(groups)}) run on their other '
          f'pages, {runs} runs; draft-2 = made from two pages, run on the third and later')
    report(tot, f1, kinds, runs)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', default=str(ROOT.parent / 'shared' / 'corpus' / 'readability'))
    ap.add_argument('--per-page', action='store_true')
    ap.add_argument('--cross', action='store_true', help='drafts run on the next pages of a site')
    a = ap.parse_args()
    corpus = Path(a.corpus)
    if not corpus.is_dir():
        print(f'suggest_eval: {corpus} not found; skipped')
        return 0
    if a.cross:
        return cross(corpus, a.per_page)
    pages = sorted(p for p in corpus.iterdir()
                   if (p / 'source.html').exists() and not RULED.match(p.name))
    tot = {'generic': {}, 'draft': {}}
    f1 = {'generic': [], 'draft': []}
    problems = {'not loaded': 0, 'own tests failed': 0, 'suggest failed': 0}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, 'empty')
        os.mkdir(empty)
        for p in pages:
            url = f'https://{p.name}.example.com/article'
            src = str(p / 'source.html')
            meta = json.loads((p / 'expected-metadata.json').read_text(encoding='utf-8'))
            gold = sr.html_text((p / 'expected.html').read_text(encoding='utf-8', errors='replace'))
            gen, _ = extract(empty, url, src)
            rdir = os.path.join(tmp, p.name)
            os.mkdir(rdir)
            draft = os.path.join(rdir, 'draft.yml')
            rc, _, err = run('rules', 'suggest', '--url', url, '-o', draft, src)
            if rc != 0:
                problems['suggest failed'] += 1
                dr = {}
            else:
                rc2, out2, _ = run('rules', 'check', draft)
                if rc2 == 2:
                    problems['not loaded'] += 1
                elif rc2 == 1:
                    problems['own tests failed'] += 1
                dr, _ = extract(rdir, url, src)
            row = {'page': p.name}
            for kind, d in (('generic', gen), ('draft', dr)):
                s = score(d, p, meta, gold)
                f1[kind].append(s['F1'])
                for k in ('title', 'author', 'date', 'body'):
                    if s.get(k) is None:
                        continue
                    ok, n = tot[kind].get(k, (0, 0))
                    tot[kind][k] = (ok + bool(s[k]), n + 1)
                row[kind] = s
            rows.append(row)
    n = len(pages)
    print(f'rules suggest vs generic extractor on {n} Readability pages of sites without a rule')
    print(f'{"field":8s} {"generic":>12s} {"draft":>12s}')
    for k in ('title', 'author', 'date', 'body'):
        g, d = tot['generic'].get(k, (0, 0)), tot['draft'].get(k, (0, 0))
        print(f'{k:8s} {g[0]:5d}/{g[1]:<6d} {d[0]:5d}/{d[1]:<6d}')
    print(f'{"body F1":8s} {sum(f1["generic"]) / max(1, n):12.4f} {sum(f1["draft"]) / max(1, n):12.4f}')
    gr = sum(v[0] for v in tot['generic'].values())
    drr = sum(v[0] for v in tot['draft'].values())
    allf = sum(v[1] for v in tot['draft'].values())
    print(f'{"all":8s} {gr:5d}/{allf:<6d} {drr:5d}/{allf:<6d}')
    print('drafts: ' + ', '.join(f'{v} {k}' for k, v in problems.items()))
    if a.per_page:
        for r in rows:
            def cell(s):
                return ' '.join(f'{k}={"y" if s[k] else "n"}' for k in ('title', 'author', 'date')
                                if s.get(k) is not None) + f' F1={s["F1"]:.3f}'
            print(f'{r["page"]:38s} generic[{cell(r["generic"])}]  draft[{cell(r["draft"])}]')
    return 0


if __name__ == '__main__':
    sys.exit(main())
