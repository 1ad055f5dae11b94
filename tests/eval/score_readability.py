#!/usr/bin/env python3
"""score_readability.py - scores extractor output against Mozilla
Readability's test pages (../shared/corpus/readability/<name>/).

stdlib only.  Reads JSON lines (newsmd extract --format jsonl, or the eval
driver) whose "file" or "url"/input order names each page, and compares:
  * body: bag-of-tokens precision/recall/F1 of body_text against the text
    of expected.html (Readability's own output).  Tokens are NFKC-folded,
    lower-cased runs of letters/digits; each CJK/kana/hangul character is a
    token of its own (those scripts have no spaces).  Macro average.
  * title: exact match after NFKC and white space collapse, against
    expected-metadata.json "title" (pages with a non-empty one).
  * date: agreement with "publishedTime" where it is set: the same instant
    when the truth has an offset, else the same wall-clock fields as far as
    the truth gives them.

Lines are matched to pages by their "file" key, or by order with --files
(the inputs given to the extractor, one path per line).

Usage: score_readability.py --corpus DIR --pred FILE.jsonl [--files LIST] [--per-page]
"""
import argparse
import html.parser
import json
import re
import sys
import unicodedata
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

CJK = '\u2e80-\u2fff\u3040-\u30ff\u3100-\u9fff\uac00-\ud7af\uf900-\ufaff'
TOKEN = re.compile(f'[{CJK}]|[^\\W_{CJK}]+')
BLOCKS = {'p', 'div', 'br', 'li', 'tr', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
          'pre', 'blockquote', 'section', 'article', 'figure', 'figcaption', 'ul', 'ol',
          'table', 'dd', 'dt', 'header', 'footer'}


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self.skip += 1
        elif tag in BLOCKS:
            self.out.append('\n')

    def handle_endtag(self, tag):
        if tag in ('script', 'style'):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.out.append('\n')

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_text(s):
    p = Text()
    p.feed(s)
    p.close()
    return ''.join(p.out)


def tokens(text):
    return TOKEN.findall(unicodedata.normalize('NFKC', text or '').lower())


def prf(pred, gold):
    p, g = Counter(tokens(pred)), Counter(tokens(gold))
    ov = sum((p & g).values())
    np_, ng = sum(p.values()), sum(g.values())
    if not np_ and not ng:
        return 1.0, 1.0, 1.0
    P = ov / np_ if np_ else 0.0
    R = ov / ng if ng else 0.0
    return P, R, (2 * P * R / (P + R) if P + R else 0.0)


def norm_title(s):
    return re.sub(r'\s+', ' ', unicodedata.normalize('NFKC', s or '')).strip()


DATE = re.compile(r'(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?'
                  r'\s*(Z|[+-]\d{2}:?\d{2})?')


def parse_date(s):
    """(fields tuple, offset minutes or None)"""
    m = DATE.search(s or '')
    if not m:
        return None, None
    f = tuple(int(x) for x in m.groups()[:6] if x is not None)
    off = m.group(7)
    if off is None:
        return f, None
    if off == 'Z':
        return f, 0
    sign = -1 if off[0] == '-' else 1
    d = off[1:].replace(':', '')
    return f, sign * (int(d[:2]) * 60 + int(d[2:]))


def date_agrees(pred, truth):
    tf, toff = parse_date(truth)
    pf, poff = parse_date(pred)
    if not tf or not pf:
        return False
    if toff is not None and len(tf) >= 5 and len(pf) >= 5 and poff is not None:
        def inst(f, off):
            f = f + (0,) * (6 - len(f))
            return datetime(*f, tzinfo=timezone(timedelta(minutes=off)))
        return inst(tf, toff) == inst(pf, poff)
    return pf[:len(tf)] == tf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--pred', required=True)
    ap.add_argument('--files', help='input paths in the order of the JSON lines')
    ap.add_argument('--per-page', action='store_true')
    a = ap.parse_args()
    corpus = Path(a.corpus)
    preds = {}
    names = [l.strip() for l in open(a.files, encoding='utf-8')] if a.files else []
    lines = [l for l in open(a.pred, encoding='utf-8') if l.strip()]
    for i, line in enumerate(lines):
        d = json.loads(line)
        key = names[i] if i < len(names) else d.get('file') or ''
        preds[Path(key).parent.name] = d
    f1s, titles, dates, rows = [], [], [], []
    for page in sorted(p for p in corpus.iterdir() if (p / 'expected.html').exists()):
        d = preds.get(page.name, {})
        gold = html_text((page / 'expected.html').read_text(encoding='utf-8', errors='replace'))
        P, R, F = prf(d.get('body_text') or '', gold)
        f1s.append(F)
        meta = json.loads((page / 'expected-metadata.json').read_text(encoding='utf-8'))
        row = {'page': page.name, 'P': P, 'R': R, 'F1': F}
        if meta.get('title'):
            ok = norm_title(d.get('title')) == norm_title(meta['title'])
            titles.append(ok)
            row['title'] = ok
            if not ok:
                row['title_got'] = d.get('title')
                row['title_want'] = meta['title']
        if meta.get('publishedTime'):
            ok = date_agrees(d.get('date'), meta['publishedTime'])
            dates.append(ok)
            row['date'] = ok
            if not ok:
                row['date_got'] = d.get('date')
                row['date_want'] = meta['publishedTime']
        rows.append(row)
    n = len(f1s)
    print(f'readability  pages={n}  body token F1={sum(f1s) / n:.4f}'
          f'  P={sum(r["P"] for r in rows) / n:.4f}  R={sum(r["R"] for r in rows) / n:.4f}'
          f'  titles={sum(titles)}/{len(titles)} ({sum(titles) / max(1, len(titles)):.1%})'
          f'  dates={sum(dates)}/{len(dates)} ({sum(dates) / max(1, len(dates)):.1%})')
    if a.per_page:
        for r in sorted(rows, key=lambda r: r['F1']):
            extra = ''
            if 'title_got' in r:
                extra += f"  title {r['title_got']!r} != {r['title_want']!r}"
            if 'date_got' in r:
                extra += f"  date {r['date_got']!r} != {r['date_want']!r}"
            print(f"{r['page']:40s} P={r['P']:.3f} R={r['R']:.3f} F1={r['F1']:.3f}{extra}")


if __name__ == '__main__':
    sys.exit(main())
