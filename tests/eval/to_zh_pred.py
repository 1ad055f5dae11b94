#!/usr/bin/env python3
"""to_zh_pred.py - turns extractor JSON lines into the predictions file
../shared/tools/score_zh.py reads: {id: {title, date, body}}, id = the input
file's name without .html.  Lines are matched to inputs by their "file" key,
or by order with FILES (the inputs given to the extractor, one per line).
stdlib only.

Usage: to_zh_pred.py PRED.jsonl OUT.json [FILES]
"""
import json
import sys
from pathlib import Path


def main():
    src, dst = sys.argv[1], sys.argv[2]
    names = [l.strip() for l in open(sys.argv[3], encoding='utf-8')] if len(sys.argv) > 3 else []
    out = {}
    lines = [l for l in open(src, encoding='utf-8') if l.strip()]
    for i, line in enumerate(lines):
        d = json.loads(line)
        key = names[i] if i < len(names) else d.get('file') or ''
        out[Path(key).stem] = {'title': d.get('title'), 'date': d.get('date'),
                               'body': d.get('body_text')}
    Path(dst).write_text(json.dumps(out, ensure_ascii=False), encoding='utf-8')


if __name__ == '__main__':
    main()
