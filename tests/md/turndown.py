#!/usr/bin/env python3
"""Runs the 147 HTML->Markdown cases of turndown's test suite (read in place
from ../shared/corpus/md/turndown-cases.json) through `newsmd markdown` and
compares what cmark-gfm renders from our Markdown with what it renders from
turndown's expected Markdown.  Byte equality with turndown would measure
turndown's style (setext headings, '*   ' bullets, indented code); equal
rendered HTML measures the conversion.

A case whose rendering differs must be listed in turndown-known.txt with
the reason ours differs (and why it is right); a difference not listed
there fails the suite, and a listed case that now matches is reported so
the list can shrink.  Cases run with turndown's default options: newsmd has
no per-call style options, so the 22 option cases test the same HTML with
the default style (as turndown's own "defaults" column in
shared/research/markdown.md does).

env: NEWSMD (binary, default build/newsmd), NEWSMD_CORPUS (default
../shared/corpus), CMARK (default cmark-gfm).
Prints a table line per difference and "turndown-cases: N passed, N failed".
"""
import json, os, re, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
NEWSMD = os.environ.get('NEWSMD', 'build/newsmd')
CORPUS = os.environ.get('NEWSMD_CORPUS', '../shared/corpus')
CMARK = os.environ.get('CMARK', 'cmark-gfm')
RENDER = [CMARK, '--unsafe', '-e', 'table', '-e', 'strikethrough']


def run(cmd, data):
    p = subprocess.run(cmd, input=data.encode('utf-8'), capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def render(md):
    return run(RENDER, md)[1]


def ws(h):
    return re.sub(r'\s+', ' ', h).strip()


def known():
    out = {}
    with open(os.path.join(HERE, 'turndown-known.txt'), encoding='utf-8') as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                idx, name, why = line.rstrip('\n').split('\t', 2)
                out[int(idx)] = (name, why)
    return out


def main():
    path = os.path.join(CORPUS, 'md', 'turndown-cases.json')
    if not os.path.exists(path) or not shutil.which(CMARK):
        print('turndown-cases: skipped (needs %s and %s)' % (path, CMARK))
        print('turndown-cases: 0 passed, 0 failed, 1 skipped')
        return 0
    cases = json.load(open(path, encoding='utf-8'))
    allow = known()
    passed = failed = same = same_ws = 0
    for i, c in enumerate(cases):
        rc, md = run([NEWSMD, 'markdown', '-'], c['input_html'])
        ours, theirs = render(md), render(c['expected_md'])
        equal = rc == 0 and ours == theirs
        same += equal
        same_ws += rc == 0 and ws(ours) == ws(theirs)
        if equal:
            passed += 1
            if i in allow:
                print('now equal (drop it from turndown-known.txt): %d %s' % (i, c['name']))
            continue
        if i in allow:
            passed += 1
            print('differs %3d %-45s %s' % (i, c['name'][:45], allow[i][1]))
            continue
        failed += 1
        print('FAIL %d %s (rc %d)\n  html: %r\n  ours: %r\n  turndown: %r\n  ours->   %r\n  theirs-> %r'
              % (i, c['name'], rc, c['input_html'][:300], md[:300], c['expected_md'][:300],
                 ours[:300], theirs[:300]))
    print('rendered HTML equal to turndown\'s: %d/%d (%d after white-space normalisation); '
          'turndown itself with default options: 142/147' % (same, len(cases), same_ws))
    print('turndown-cases: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
