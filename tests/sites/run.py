#!/usr/bin/env python3
"""The shipped site rules (rules/sites/*.yml): self-tests and corpus F1.

1. Runs `newsmd rules check FILE` on every shipped rule file: a file whose
   rule loads and whose offline `tests:` (on fixtures under
   tests/fixtures/sites/) all pass is one pass.
2. When ../shared/corpus is present, extracts every page of
   zh/magic_html and zh/cwced whose URL has a shipped rule with
   `newsmd extract --rules rules/sites --format jsonl --url URL FILE`, scores
   the bodies (and dates) with ../shared/tools/score_zh.py and prints a table
   per rule.  Each rule's macro body F1 must reach its floor in FLOORS (one
   pass or fail per rule); a rule without a floor is reported only.
   Without the corpus this part is skipped with a message.
3. Also with the corpus: Readability's test pages from sites with a shipped
   rule (readability/<name>/), body agreement with Readability's expected
   output (a peer, not human truth) must reach READABILITY_FLOOR per page.

Prints "sites: N passed, N failed[, N skipped]" last.
Usage: NEWSMD=build/newsmd run.py [--per-page] [--keep DIR] [--no-corpus] [--guessed]
(stdlib only)
"""
import argparse
import collections
import glob
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
RULES = os.path.join(ROOT, 'rules', 'sites')
CORPUS = os.environ.get('NEWSMD_CORPUS', os.path.join(ROOT, '..', 'shared', 'corpus'))
SCORER = os.path.join(os.path.dirname(os.path.abspath(CORPUS)), 'tools', 'score_zh.py')
SETS = ['zh/magic_html', 'zh/cwced']

# Lowest acceptable macro body F1 per rule on the corpus pages it covers,
# a little under what the rules measured when they were written: a drop
# below means a rule (or the engine under it) regressed on real pages.
FLOORS = {
    'caijing': 0.96, 'eastday021': 0.97, 'gmw': 0.97, 'ifeng': 0.97, 'kuai360': 0.95,
    'm1905': 0.97, 'netease': 0.96, 'people': 0.96, 'qq': 0.97, 'sina': 0.97,
    # www.sohu.com/a/ pages: the corpus body stops at "展开全文", the rule
    # keeps the text behind it (P 0.40 on that page)
    'sohu': 0.82,
    'southcn': 0.97, 'toutiao': 0.97, 'weixin': 0.94, 'xinhua': 0.96, 'yahoo': 0.94,
    'youth': 0.97,
}


def check_rules():
    """One pass/fail per rule file: loads, and its offline tests pass."""
    passed = failed = 0
    files = sorted(glob.glob(os.path.join(RULES, '*.yml')))
    tests = 0
    for f in files:
        p = subprocess.run([NEWSMD, 'rules', 'check', f], cwd=ROOT, capture_output=True,
                           timeout=120)
        out = p.stdout.decode('utf-8', 'replace')
        summary = [l for l in out.splitlines() if l.startswith('rules check:')]
        n = 0
        if summary:
            # "rules check: 1 files, 0 not loaded, 3 tests, 0 failed"
            n = int(summary[-1].split(',')[2].split()[0])
        tests += n
        if p.returncode == 0 and n > 0:
            passed += 1
        else:
            failed += 1
            why = 'no tests' if p.returncode == 0 else 'exit %d' % p.returncode
            print('FAIL %s (%s)' % (os.path.relpath(f, ROOT), why))
            for line in out.splitlines():
                if not line.startswith('rules check:'):
                    print('    ' + line)
            err = p.stderr.decode('utf-8', 'replace').strip()
            if err:
                print('    ' + err)
    print('rule files: %d, self-tests: %d, files passing: %d' % (len(files), tests, passed))
    return passed, failed


def rule_hosts():
    """{rule name: (hosts, host_suffixes, url_include, url_exclude)} read from
    the shipped files (their `name:`, the flow lists `hosts: [...]`,
    `host_suffixes: [...]` and single-quoted `url_include`/`url_exclude`)."""
    out = {}
    for f in sorted(glob.glob(os.path.join(RULES, '*.yml'))):
        with open(f, encoding='utf-8') as fh:
            text = fh.read()
        name = re.search(r'^name:\s*(\S+)', text, re.M)
        if not name:
            continue
        lists = {}
        for key in ('hosts', 'host_suffixes'):
            m = re.search(r'^\s+%s:\s*\[([^\]]*)\]' % key, text, re.M)
            lists[key] = [h.strip().strip('\'"').lower() for h in m.group(1).split(',')
                          if h.strip()] if m else []
        res = []
        for key in ('url_include', 'url_exclude'):
            m = re.search(r"^\s+%s:\s*'((?:[^']|'')*)'" % key, text, re.M)
            res.append(re.compile(m.group(1).replace("''", "'")) if m else None)
        out[name.group(1)] = (lists['hosts'], lists['host_suffixes'], res[0], res[1])
    return out


def rule_for(url, rules):
    """The shipped rule whose hosts/host_suffixes cover url's host, or None
    (exact host first, then the longest suffix), as newsmd matches."""
    host = (urllib.parse.urlsplit(url).hostname or '').lower()
    best, best_len = None, 0
    for name, (hosts, suffixes, inc, exc) in rules.items():
        if (inc and not inc.search(url)) or (exc and exc.search(url)):
            continue
        if host in hosts:
            return name
        for sfx in suffixes:
            if (host == sfx or host.endswith('.' + sfx)) and len(sfx) > best_len:
                best, best_len = name, len(sfx)
    return best


def page_url(g):
    """The page's URL, or one made from a guessed domain ("guess:host")."""
    if g.get('url') and g['url'] != 'None':
        return g['url'], False
    d = g.get('domain') or ''
    if d.startswith('guess:'):
        return 'http://%s/' % d[len('guess:'):], True
    return None, False


def extract(rules_dir, url, page):
    """newsmd extract's JSON object for page, or {'error': ...} when it failed
    without printing one (a crash)."""
    p = subprocess.run([NEWSMD, 'extract', '--rules', rules_dir, '--format', 'jsonl',
                        '--url', url, page], cwd=ROOT, capture_output=True, timeout=120)
    line = p.stdout.decode('utf-8', 'replace').strip().splitlines()
    if line:
        return json.loads(line[-1])
    why = 'exit %d' % p.returncode if p.returncode >= 0 else 'killed by signal %d' % -p.returncode
    err = p.stderr.decode('utf-8', 'replace').strip()
    return {'error': '%s%s' % (why, ': ' + err if err else '')}


def extract_corpus(keep, guessed_too):
    """Extracts every corpus page whose host a shipped rule covers, with the
    shipped rules and (for comparison) with none, i.e. the generic extractor.
    Returns (gt subset, rule predictions, generic predictions, info).
    Pages without a URL whose domain the corpus only guessed ("guess:host",
    the most frequent host in the page) are left out unless guessed_too:
    some guesses name a CDN or a syndicating site, not the page's own."""
    rules = rule_hosts()
    gt, preds, generic, info = {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as empty:
        for s in SETS:
            d = os.path.join(CORPUS, s)
            with open(os.path.join(d, 'ground_truth.json'), encoding='utf-8') as f:
                truth = json.load(f)
            for pid, g in sorted(truth.items()):
                url, guessed = page_url(g)
                page = os.path.join(d, pid + '.html')
                if not url or not os.path.exists(page) or (guessed and not guessed_too):
                    continue
                rule = rule_for(url, rules)
                if not rule:
                    continue
                o = extract(RULES, url, page)
                a = extract(empty, url, page)
                gt[pid] = g
                preds[pid] = {'title': o.get('title'), 'date': o.get('date'),
                              'body': o.get('body_text')}
                generic[pid] = {'title': a.get('title'), 'date': a.get('date'),
                                'body': a.get('body_text')}
                err = o.get('error')
                if o.get('rule') and o.get('rule') != rule:
                    err = 'extracted by rule %r, expected %r' % (o.get('rule'), rule)
                info[pid] = {'rule': rule, 'url': url, 'guessed': guessed, 'error': err}
                if keep:
                    with open(os.path.join(keep, pid + '.json'), 'w', encoding='utf-8') as f:
                        json.dump(o, f, ensure_ascii=False, indent=1)
    return gt, preds, generic, info


def score(gt, preds):
    with tempfile.TemporaryDirectory() as tmp:
        gdir = os.path.join(tmp, 'gt')
        os.mkdir(gdir)
        with open(os.path.join(gdir, 'ground_truth.json'), 'w', encoding='utf-8') as f:
            json.dump(gt, f, ensure_ascii=False)
        pj = os.path.join(tmp, 'pred.json')
        with open(pj, 'w', encoding='utf-8') as f:
            json.dump(preds, f, ensure_ascii=False)
        p = subprocess.run([sys.executable, SCORER, '--gt', gdir, '--pred', pj, '--per-page',
                            '--json'], capture_output=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError('score_zh.py failed: ' + p.stderr.decode('utf-8', 'replace'))
        return json.loads(p.stdout.decode('utf-8'))


def corpus_f1(per_page, keep, guessed_too):
    gt, preds, generic, info = extract_corpus(keep, guessed_too)
    if not gt:
        print('corpus: no page has a shipped rule')
        return 0, 1
    res = score(gt, preds)
    auto = score(gt, generic)
    rows = {r['id']: r for r in res['pages']}
    arows = {r['id']: r for r in auto['pages']}
    by_rule = {}
    for pid, i in info.items():
        by_rule.setdefault(i['rule'], []).append(pid)
    passed = failed = 0
    print('body F1 on corpus pages of sites with a shipped rule (score_zh.py); "auto" = the')
    print('same pages through the generic extractor, without rules')
    print('%-12s %5s %7s %7s %7s %6s %7s  %s' % ('rule', 'pages', 'P', 'R', 'F1', 'date',
                                                'auto', 'floor'))
    for rule in sorted(by_rule):
        ids = by_rule[rule]
        P = sum(rows[i]['P'] for i in ids) / len(ids)
        R = sum(rows[i]['R'] for i in ids) / len(ids)
        F = sum(rows[i]['F1'] for i in ids) / len(ids)
        AF = sum(arows[i]['F1'] for i in ids) / len(ids)
        dates = [rows[i]['date'] for i in ids if 'date' in rows[i]]
        ds = '%d/%d' % (sum(dates), len(dates)) if dates else '-'
        floor = FLOORS.get(rule)
        verdict = ''
        if floor is not None:
            ok = F >= floor
            verdict = '%.2f %s' % (floor, 'ok' if ok else 'FAIL')
            passed += ok
            failed += not ok
        print('%-12s %5d %7.3f %7.3f %7.3f %6s %7.3f  %s' % (rule, len(ids), P, R, F, ds, AF,
                                                           verdict))
        for i in ids:
            r = rows[i]
            note = ' (url guessed)' if info[i]['guessed'] else ''
            if info[i]['error']:
                note += ' ERROR: ' + info[i]['error']
            if per_page or info[i]['error']:
                print('    %-16s P=%.3f R=%.3f F1=%.3f auto=%.3f %s%s' % (
                    i, r['P'], r['R'], r['F1'], arows[i]['F1'], info[i]['url'][:60], note))
    o, ao = res['overall'], auto['overall']
    print('overall: %d pages, %d sites: body macro P/R/F1 %.3f/%.3f/%.3f, micro F1 %.3f%s;'
          ' generic extractor macro F1 %.3f' % (
              o['pages_scored_body'], len(by_rule), o['macro_P'], o['macro_R'], o['macro_F1'],
              o['micro_F1'], ', date %d/%d' % (round(o['date_rate'] * o['date_n']), o['date_n'])
              if 'date_rate' in o else '', ao['macro_F1']))
    return passed, failed


# Readability's test pages from sites with a shipped rule: their expected.html
# is Readability's own output (a strong peer, not human truth), so these are
# agreement figures.  Pages are known by their canonical/og:url; three test
# pages without one are named after their site.
READABILITY_URLS = {
    'qq': 'http://tech.qq.com/a/20161014/000000.htm',
    'gmw': 'http://tech.gmw.cn/2017-03/10/content_0.htm',
    'youth': 'http://edu.youth.cn/2017/0310/0.htm',
}
READABILITY_FLOOR = 0.85


def bag(text):
    """Word tokens (CJK: one per character), lower-cased, as a multiset."""
    return collections.Counter(t.lower() for t in re.findall(
        r'[\u3040-\u30ff\u3400-\u9fff]|[^\W_]+', text or ''))


def bag_f1(pred, truth):
    p, g = bag(pred), bag(truth)
    ov = sum((p & g).values())
    prec, rec = ov / max(1, sum(p.values())), ov / max(1, sum(g.values()))
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def html_text(h):
    h = re.sub(r'(?is)<(script|style)[^>]*>.*?</\1>', ' ', h)
    return html.unescape(re.sub(r'<[^>]+>', ' ', h))


def readability_check():
    base = os.path.join(CORPUS, 'readability')
    if not os.path.isdir(base):
        return 0, 0
    rules = rule_hosts()
    passed = failed = 0
    rows = []
    with tempfile.TemporaryDirectory() as empty:
        for name in sorted(os.listdir(base)):
            src = os.path.join(base, name, 'source.html')
            exp = os.path.join(base, name, 'expected.html')
            if not os.path.exists(src) or not os.path.exists(exp):
                continue
            with open(src, encoding='utf-8', errors='replace') as f:
                page = f.read()
            m = re.search(r'<link[^>]+rel="canonical"[^>]*href="(https?://[^"]+)"|'
                          r'<meta[^>]+property="og:url"[^>]*content="(https?://[^"]+)"', page)
            url = READABILITY_URLS.get(name) or (m and (m.group(1) or m.group(2)))
            rule = url and rule_for(url, rules)
            if not rule:
                continue
            with open(exp, encoding='utf-8', errors='replace') as f:
                truth = html_text(f.read())
            o = extract(RULES, url, src)
            a = extract(empty, url, src)
            rows.append((name, rule, bag_f1(o.get('body_text'), truth),
                         bag_f1(a.get('body_text'), truth), o.get('error')))
    if not rows:
        return 0, 0
    print('agreement with Readability\'s expected bodies (word bag F1) on its test pages of')
    print('sites with a shipped rule; floor %.2f per page' % READABILITY_FLOOR)
    for name, rule, f, af, err in rows:
        ok = f >= READABILITY_FLOOR
        passed += ok
        failed += not ok
        print('  %-10s %-14s F1 %.3f  auto %.3f  %s%s' % (name, rule, f, af, 'ok' if ok else 'FAIL',
                                                        ' ERROR: ' + err if err else ''))
    print('  mean F1 %.3f over %d pages (generic extractor %.3f)' % (
        sum(r[2] for r in rows) / len(rows), len(rows), sum(r[3] for r in rows) / len(rows)))
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--per-page', action='store_true')
    ap.add_argument('--keep', help='also write each extraction as DIR/<id>.json')
    ap.add_argument('--no-corpus', action='store_true', help='self-tests only')
    ap.add_argument('--guessed', action='store_true',
                    help='also score pages whose URL is made from a guessed domain')
    a = ap.parse_args()
    if not os.path.exists(NEWSMD):
        print('sites: newsmd binary not found at %s' % NEWSMD)
        print('sites: 0 passed, 1 failed')
        return 1
    passed, failed = check_rules()
    skipped = 0
    if a.no_corpus:
        skipped = 1
    elif not os.path.isdir(os.path.join(CORPUS, 'zh')) or not os.path.exists(SCORER):
        print('corpus F1: skipped (%s or its tools/score_zh.py not found)' %
              os.path.normpath(CORPUS))
        skipped = 1
    else:
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
        p, f = corpus_f1(a.per_page, a.keep, a.guessed)
        passed += p
        failed += f
        p, f = readability_check()
        passed += p
        failed += f
    print('sites: %d passed, %d failed%s' % (passed, failed,
                                            ', %d skipped' % skipped if skipped else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
