#!/usr/bin/env python3
"""Golden tests for `newsmd markdown`, written like cmark's spec.txt.

Each tests/md/*.txt file is prose with examples:

    ```````````````````````````````` example [nofix] [--url URL]
    <p>input HTML</p>
    .
    expected Markdown
    ````````````````````````````````

'→' stands for a tab.  The input is converted with `newsmd markdown -`
(plus --url when given) and must equal the expected Markdown byte for
byte.  When cmark-gfm is installed, the expected Markdown is also rendered
to HTML, that HTML converted again, and the new Markdown must render to
the same HTML (the round trip is a fixed point), unless the example says
`nofix` (Markdown cannot say everything the input said, e.g. <li value>).

env: NEWSMD (default build/newsmd), CMARK (default cmark-gfm).
Prints failures and "md-golden: N passed, N failed".
"""
import glob, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
NEWSMD = os.environ.get('NEWSMD', 'build/newsmd')
CMARK = os.environ.get('CMARK', 'cmark-gfm')
FENCE = '`' * 32


def examples(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(FENCE + ' example'):
            args = line[len(FENCE + ' example'):].split()
            start = i + 1
            j = start
            while lines[j] != '.':
                j += 1
            k = j + 1
            while lines[k] != FENCE:
                k += 1
            html = '\n'.join(lines[start:j]).replace('→', '\t')
            md = '\n'.join(lines[j + 1:k]).replace('→', '\t')
            yield start, args, html, md + '\n' if md else ''
            i = k
        i += 1


def convert(args, html):
    p = subprocess.run([NEWSMD, 'markdown'] + args + ['-'], input=html.encode('utf-8'),
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def render(md):
    return subprocess.run([CMARK, '--unsafe', '-e', 'table', '-e', 'strikethrough'],
                          input=md.encode('utf-8'), capture_output=True).stdout.decode('utf-8')


def main():
    cmark = shutil.which(CMARK)
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(HERE, '*.txt'))):
        if path.endswith('turndown-known.txt'):
            continue
        for line, args, html, want in examples(path):
            where = '%s:%d' % (os.path.relpath(path), line)
            fix = 'nofix' not in args
            args = [a for a in args if a != 'nofix']
            rc, got = convert(args, html)
            ok = rc == 0 and got == want
            if ok and cmark and want and fix:
                rendered = render(want)
                rc2, again = convert(args, rendered)
                if render(again) != rendered:
                    ok = False
                    print('FAIL %s: not a fixed point; converting cmark\'s rendering gives\n%s'
                          % (where, again))
            elif not ok:
                print('FAIL %s (exit %d)\n--- input\n%s\n--- expected\n%s--- got\n%s'
                      % (where, rc, html, want, got))
            if ok:
                passed += 1
            else:
                failed += 1
    print('md-golden: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
