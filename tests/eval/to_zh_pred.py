#!/usr/bin/env python3
"""to_zh_pred.py - turns extractor JSON lines into the predictions file
../shared/tools/score_zh.py reads: {id: {title, date, body}}, id = the input
file's name without .html.  stdlib only.

Usage: to_zh_pred.py PRED.jsonl OUT.json
"""
import json
import sys
from pathlib import Path


def main():
    src, dst = sys.argv[1], sys.argv[2]
    out = {}
    for line in open(src, encoding='utf-8'):
        line = line.strip()
        if not line:
            continue
        d = json.loads(line)
        key = d.get('file') or d.get('input') or d.get('url') or ''
        out[Path(key).stem] = {'title': d.get('title'), 'date': d.get('date'),
                               'body': d.get('body_text')}
    Path(dst).write_text(json.dumps(out, ensure_ascii=False), encoding='utf-8')


if __name__ == '__main__':
    main()
