#!/usr/bin/env python3
"""Rule authoring v2 (issue 14), end to end: the v2 schema in a rule file
checked by `rules check`, the strict validator, `rules check` comparing
dates as instants and showing invisible characters, `rules test` traces of
clean steps and final values, and `rules suggest` on one and several pages
(selectors, clean list, tests marked as unchecked, robustness).
Prints "rules: N passed, N failed, N skipped".
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from testlib import Skip, run_tests, test  # noqa: E402

NEWSMD = os.path.abspath(os.environ.get('NEWSMD', os.path.join(ROOT, 'build/newsmd')))
FIX = os.path.join(ROOT, 'tests', 'fixtures', 'rules-v2')
CORPUS = os.path.join(ROOT, '..', 'shared', 'corpus')
URL1 = 'https://www.coastal-courier.test/news/2024/mar/02/lighthouse'
URL2 = 'https://www.coastal-courier.test/news/2024/apr/11/ferry'


def run(*args, timeout=60):
    p = subprocess.run([NEWSMD] + list(args), cwd=ROOT, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


@test
def v2_rule_file_passes_its_tests(tmp):
    rc, out, err = run('rules', 'check', os.path.join(FIX, 'gazette.yml'))
    assert rc == 0, out + err
    assert out.strip().endswith('1 files, 0 not loaded, 1 tests, 0 failed'), out


@test
def v2_rule_without_generic_cleaning_fails(tmp):
    # the fixture's tests can fail: without clean.generic the link boxes stay
    text = open(os.path.join(FIX, 'gazette.yml'), encoding='utf-8').read()
    assert 'generic: true' in text
    rule = os.path.join(tmp, 'g.yml')
    write(rule, text.replace('generic: true', 'generic: false')
          .replace('input: article.html', 'input: ' + os.path.join(FIX, 'article.html')))
    rc, out, err = run('rules', 'check', rule)
    assert rc == 1, out + err
    assert 'expected not to contain "Share on Twitter"' in out, out


@test
def validator_messages_say_how_to_quote(tmp):
    cases = [
        ("name: a\nmatch:\n  hosts: 5\n", ":3:10: hosts: expected text, found a number; quote it to mean the text: '5'"),
        ("name: a\nmatch: {hosts: [a.test]}\nfields:\n  date: {css: time, format: 17}\n",
         ":4:29: format: expected text, found a number; quote it to mean the text: '17'"),
        ("name: a\nmatch: {hosts: ['http://a.test/x']}\n",
         ":2:17: hosts: 'http://a.test/x' is not a host name: give the host alone, without scheme or path"),
        ("name: a\nmatch: {hosts: [a.test]}\nfetch: {headers: {Referer: null}}\n",
         ":3:28: fetch.headers: expected text, found null (nothing); quote it to mean the text: 'null'"),
    ]
    for i, (text, want) in enumerate(cases):
        rule = os.path.join(tmp, 'r%d.yml' % i)
        write(rule, text)
        rc, out, err = run('rules', 'check', rule)
        assert rc == 2, out + err
        assert out.splitlines()[0] == rule + want, (out, want)


@test
def extends_error_stays_in_the_checked_file(tmp):
    rules = os.path.join(tmp, 'rules')
    write(os.path.join(rules, 'a.yml'), "name: a\nextends: nosuch\nmatch: {hosts: [a.test]}\n")
    write(os.path.join(rules, 'broken.yml'), "name: broken\nfields: [\n")
    rc, out, err = run('rules', 'check', os.path.join(rules, 'a.yml'))
    assert rc == 2, out + err
    assert out.splitlines()[0] == os.path.join(rules, 'a.yml') + ":2:10: extends: no rule named 'nosuch' here", out


@test
def check_compares_dates_as_instants_and_shows_invisibles(tmp):
    page = os.path.join(tmp, 'p.html')
    write(page, '<h1>Title</h1><p class=by title="Nathan\u00a0Tempey">Nathan Tempey</p>'
          '<time datetime="2019-04-15T06:18:34-07:00">x</time><article><p>Body text here.</p></article>')
    rule = os.path.join(tmp, 'r.yml')
    write(rule, "name: r\nmatch: {hosts: [a.test]}\nfields:\n  title: {css: h1}\n"
          "  date: {css: time, attr: datetime}\n  source: {css: .by, attr: title}\n"
          "body: {steps: [{css: article}]}\n"
          "tests:\n  - input: p.html\n    url: https://a.test/x\n"
          "    expect: {date: '2019-04-15 13:18:34 +0000', source: 'Nathan Tempey'}\n")
    rc, out, err = run('rules', 'check', rule)
    assert rc == 1, out + err
    assert 'date' not in out.split('test 1:')[1].split(':')[0], out  # the date passed
    assert 'source: expected "Nathan Tempey", got "Nathan<U+00A0>Tempey"' in out, out
    assert out.count('test 1:') == 1, out


@test
def rules_test_says_which_zone_abbreviation_is_ambiguous(tmp):
    rule = os.path.join(tmp, 'cst.yml')
    write(rule, "name: cst\nmatch: {hosts: [a.test]}\nfields:\n  title: {css: h1}\n"
          "  date:\n    steps: [{css: .when, format: '%d %B %Y %H:%M %Z'}]\n    fallback: false\n"
          "body: {steps: [{css: article}]}\n")
    page = os.path.join(tmp, 'p.html')
    write(page, '<h1>T</h1><p class=when>15 April 2019 06:18 CST</p><article><p>Body.</p></article>')
    rc, out, err = run('rules', 'test', '--url', 'https://a.test/x', rule, page)
    assert rc == 0, out + err
    assert ('date did not parse: CST is ambiguous (China +08:00, US Central -06:00, '
            'Cuba -05:00); give the step a timezone') in out, out
    write(rule, open(rule).read().replace("%Z'}", "%Z', timezone: Asia/Shanghai}"))
    rc, out, err = run('rules', 'test', '--url', 'https://a.test/x', rule, page)
    assert re.search(r'date\s+"2019-04-15 06:18:00 \+0800"', out), out


@test
def rules_test_traces_cleaning_and_final_values(tmp):
    rc, out, err = run('rules', 'test', '--url', 'https://www.example-gazette.test/news/2019/h',
                       os.path.join(FIX, 'gazette.yml'), os.path.join(FIX, 'article.html'))
    assert rc == 0, out + err
    assert "remove '.note'  1 match" in out, out
    assert "generic 'the generic extractor's pruning'" in out, out
    assert re.search(r'category\s+"City / Ports"', out), out
    assert re.search(r'source\s+\(empty\)', out), out
    assert re.search(r'date\s+"2019-04-15 06:18:00 -0400"', out), out
    after = out.split('characters after cleaning', 1)[1]
    assert 'Residents asked' in after and 'Share on Twitter' not in after, after


def suggest_two(tmp):
    draft = os.path.join(tmp, 'draft.yml')
    rc, out, err = run('rules', 'suggest', '--url', URL1, '--url', URL2, '-o', draft,
                       os.path.join(FIX, 'site', 'page1.html'), os.path.join(FIX, 'site', 'page2.html'))
    assert rc == 0, err
    return draft, open(draft, encoding='utf-8').read()


@test
def suggest_two_pages_keeps_selectors_that_work_on_both(tmp):
    draft, text = suggest_two(tmp)
    assert "- {css: 'h1.headline'}" in text, text
    assert "- {css: 'time', attr: 'datetime'}" in text, text
    assert "a[rel=\"author\"]" in text, text
    assert "- {meta: 'og:image'}" in text, text
    assert "- {meta: 'description'}" in text, text
    assert "div[itemprop=\"articleBody\"]" in text, text
    assert "'aside.newsletter-signup'" in text and "'div.related-stories'" in text, text
    assert 'generic: true' in text, text
    # never a build tool's hashed class, never a long nth-of-type chain
    assert not re.search(r'dcr-|css-', text.split('tests:')[0]), text
    assert 'nth-of-type' not in text, text
    assert "RECORDED FROM THIS DRAFT'S OWN OUTPUT" in text, text
    assert text.count('- input:') == 2, text
    rc, out, err = run('rules', 'check', draft)
    assert rc == 0, out + err
    assert out.strip().endswith('2 tests, 0 failed'), out


@test
def suggest_drops_a_selector_that_fails_on_the_second_page(tmp):
    # page 2 without the headline class: the css step must not be kept
    p2 = open(os.path.join(FIX, 'site', 'page2.html'), encoding='utf-8').read()
    p2 = p2.replace('class="headline ', 'class="title-x ')
    path2 = os.path.join(tmp, 'p2.html')
    write(path2, p2)
    rc, out, err = run('rules', 'suggest', '--url', URL1, '--url', URL2,
                       os.path.join(FIX, 'site', 'page1.html'), path2)
    assert rc == 0, err
    assert 'h1.headline' not in out, out
    assert "{meta: 'og:title'}" in out, out


@test
def suggest_reads_a_date_printed_after_a_label(tmp):
    page = os.path.join(tmp, 'zh.html')
    write(page, '<html><head><meta charset="utf-8"><title>港口扩建计划获批 - 示例新闻网</title></head><body>'
          '<div id="main"><h1 class="article-title">港口扩建计划获批</h1>'
          '<div class="article-info">发布时间：2022-04-13 12:11 来源：示例日报</div>'
          '<div class="article-content"><p>市议会周一批准了港口扩建计划，工程将于六月开工，预计三年完成。'
          '市长在新闻发布会上表示，新码头将提高货物吞吐能力。</p><p>居民此前要求增加一座公园，新计划已在老码头'
          '附近纳入公园用地。有关部门将在下月公布详细的施工安排和交通疏导方案。</p></div></div></body></html>')
    draft = os.path.join(tmp, 'd.yml')
    rc, out, err = run('rules', 'suggest', '--url', 'http://news.example.cn/2022/04/13/a.html', '-o', draft, page)
    assert rc == 0, err
    text = open(draft, encoding='utf-8').read()
    assert "- {css: 'div.article-info', regex: '([0-9].*)$', timezone: '+08:00'}" in text, text
    assert "date: '2022-04-13 12:11:00 +0800'" in text, text
    rc, out, err = run('rules', 'test', '--url', 'http://news.example.cn/2022/04/13/a.html', draft, page)
    assert rc == 0, out + err
    assert "1. css 'div.article-info' +regex  chosen" in out, out


@test
def suggest_never_crashes_nor_names_its_draft(tmp):
    pages = {
        'empty.html': '',
        'links.html': '<ul>' + ''.join('<li><a href="/%d">Link %d</a></li>' % (i, i) for i in range(50)) + '</ul>',
        'text.txt': 'just some text, no markup at all',
        'deep.html': '<div>' * 3000 + 'x' + '</div>' * 3000,
        'no-body.html': '<html><head><title>Only a title</title></head></html>',
    }
    for name, body in pages.items():
        path = os.path.join(tmp, name)
        write(path, body)
        rc, out, err = run('rules', 'suggest', '--url', 'https://odd.test/' + name, path)
        assert rc in (0, 1), (name, rc, err)
        assert 'rule \'' not in err and 'odd.test' not in err, (name, err)
        if rc == 0:
            draft = os.path.join(tmp, name + '.yml')
            write(draft, out)
            rc2, out2, err2 = run('rules', 'check', draft)
            assert rc2 in (0, 1), (name, out2, err2)  # it loads
        else:
            lines = [l for l in err.splitlines() if l.strip()]
            assert len(lines) == 1 and path in lines[0], (name, err)


@test
def suggest_on_corpus_pages_never_crashes(tmp):
    base = os.path.join(CORPUS, 'readability')
    if not os.path.isdir(base):
        raise Skip('../shared/corpus/readability not found')
    names = sorted(os.listdir(base))[::9]
    for n in names:
        src = os.path.join(base, n, 'source.html')
        if not os.path.exists(src):
            continue
        rc, out, err = run('rules', 'suggest', '--url', 'https://%s.example.com/a' % n, src)
        assert rc == 0, (n, err)
        draft = os.path.join(tmp, n + '.yml')
        write(draft, out)
        rc2, out2, err2 = run('rules', 'check', draft)
        assert rc2 != 2, (n, out2)


sys.exit(run_tests('rules'))
