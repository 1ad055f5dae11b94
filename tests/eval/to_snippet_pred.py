#!/usr/bin/env python3
"""to_snippet_pred.py - turns extractor JSON lines into the folder of
<file>.txt predictions ../shared/tools/score_snippets.py reads (one body_text
per page; a page with no result gets no file).  Lines are matched to inputs
by order with FILES (the inputs given to the extractor, one path per line).
Lines are split on "\\n" only: U+2028 may occur inside a JSON string.
stdlib only.

Usage: to_snippet_pred.py PRED.jsonl OUTDIR FILES
"""
import json
import os
import sys


def main():
    src, dst, lst = sys.argv[1], sys.argv[2], sys.argv[3]
    names = [l.rstrip('\n') for l in open(lst, encoding='utf-8') if l.strip()]
    with open(src, encoding='utf-8', newline='') as f:
        lines = [l for l in f.read().split('\n') if l.strip()]
    os.makedirs(dst, exist_ok=True)
    for name, line in zip(names, lines):
        d = json.loads(line)
        body = d.get('body_text') or ''
        if body:
            with open(os.path.join(dst, os.path.basename(name) + '.txt'), 'w',
                      encoding='utf-8') as out:
                out.write(body)


if __name__ == '__main__':
    main()
