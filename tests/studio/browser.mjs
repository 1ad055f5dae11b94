// browser.mjs - `newsmd studio` in a real browser: Debian's Chromium,
// headless, driven by puppeteer-core (see run.sh, which installs it).
//
//   node tests/studio/browser.mjs NEWSMD [SHOTS_DIR]
//
// On the finews fixture: the seed post's fields and the post itself are
// shown, the post renders; hovering and clicking an element of the page
// proposes selectors with their match counts; editing a selector in the
// rule changes the extracted value; Save writes a rule (and test page) that
// passes `newsmd rules check`; the page's own script never ran.  Screenshots
// of these states go to SHOTS_DIR (docs/ keeps them for the README).
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const NEWSMD = path.resolve(process.argv[2] || 'build/newsmd');
const SHOTS = process.argv[3] ? path.resolve(process.argv[3]) : null;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIXTURE = path.join(root, 'tests/fixtures/finews/NW202204132341710174.html');
const URL_ = 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202204132341710174';
const SEED = path.resolve(root, '../shared/seed/2022-04-13-NW202204132341710174.md');
const TIMEOUT = 20000 * Number(process.env.NEWSMD_TIME_SCALE || 1);

let passed = 0, failed = 0, skipped = 0;
function ok(cond, name, detail) {
  if (cond) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

// A copy of the finews example whose rule's test input is absolute, so the
// rule still passes `rules check` from the temp folder.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'newsmd-studio-'));
fs.mkdirSync(path.join(tmp, 'rules'));
fs.copyFileSync(path.join(root, 'examples/finews/newsmd.yml'), path.join(tmp, 'newsmd.yml'));
const ruleSrc = fs.readFileSync(path.join(root, 'examples/finews/rules/eastmoney.yml'), 'utf8')
  .replace('../../../tests/fixtures/finews/NW202204132341710174.html', FIXTURE);
fs.writeFileSync(path.join(tmp, 'rules/eastmoney.yml'), ruleSrc);

const studio = spawn(NEWSMD, ['studio', '--port', '0', '--no-open', '-c', path.join(tmp, 'newsmd.yml'),
  '--url', URL_, FIXTURE], {stdio: ['ignore', 'pipe', 'pipe']});
let studioErr = '';
studio.stderr.on('data', (d) => { studioErr += d; });
const studioExit = new Promise((resolve) => studio.once('exit', resolve));
const first = await new Promise((resolve) => {
  const rl = createInterface({input: studio.stdout});
  rl.once('line', resolve);
  studio.once('exit', () => resolve(''));
});
const m = /^studio: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{32}))$/.exec(first);
ok(m, 'first stdout line is "studio: http://127.0.0.1:PORT/?token=TOKEN"', first);
if (!m) await finish();
const studioUrl = m[1];

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: path.join(tmp, 'chromium-profile'),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function shot(page, name) {
  if (!SHOTS) return;
  await page.screenshot({path: path.join(SHOTS, 'studio-' + name + '.png')});
}

const fieldValue = (page, name) => page.$eval(
  `#fields .field[data-field="${name}"] .value`, (e) => e.textContent).catch(() => null);

try {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.setViewport({width: 1500, height: 900});
  const consoleErrors = [];
  // the site's own styles and images cannot load here (no network): only
  // the studio's own errors count
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION/.test(msg.text())) {
      consoleErrors.push(msg.text() + ' ' + JSON.stringify(msg.location()));
    }
  });
  await page.goto(studioUrl, {waitUntil: 'domcontentloaded'});
  await page.waitForSelector('#fields .field[data-field="title"]');

  // 1. the seed post's fields and the post
  ok(await fieldValue(page, 'title') === '多措并举营造良好环境 厦门打造国际人才向往之地', 'title shown',
    await fieldValue(page, 'title'));
  ok(await fieldValue(page, 'date') === '2022-04-13 12:11:23 +0800', 'date shown');
  ok(await fieldValue(page, 'source') === '科技日报', 'source shown');
  const post = await page.$eval('#post', (e) => e.textContent);
  if (fs.existsSync(SEED)) {
    ok(post === fs.readFileSync(SEED, 'utf8'), 'the post is the seed post byte for byte',
      post.slice(0, 200));
  } else {
    skipped++;
    console.log('skip the post against the seed: no ' + SEED);
  }
  ok(post.includes('title: "多措并举营造良好环境 厦门打造国际人才向往之地"'), 'the post has its front matter');
  // the rendered post (a sandboxed frame: read through DevTools)
  const rframe = await (await page.$('#rendered')).contentFrame();
  await page.click('.tabs button[data-tab="rendered"]');
  await rframe.waitForFunction(() => document.body && document.body.innerText.includes('厦门市科技局相关负责人表示'));
  const rtext = await rframe.evaluate(() => document.body.innerText);
  ok(rtext.includes('厦门市科技局相关负责人表示') && !rtext.includes('title:'), 'the post renders (body without front matter)');
  ok(await rframe.evaluate(() => document.querySelectorAll('p').length) > 10, 'the rendered post has its paragraphs');
  await shot(page, 'rendered');
  await page.click('.tabs button[data-tab="fields"]');

  // 2. the page: shown without its scripts, body highlighted
  const pframe = await (await page.$('#page')).contentFrame();
  await pframe.waitForSelector('#ContentBody');
  ok(await pframe.$('div.ad') === null, "the page's own script did not run (no document.write output)");
  ok(await pframe.$$eval('script, iframe, object, embed', (l) => l.length) === 0, 'no script/iframe/object/embed in the page');
  await page.waitForFunction(() => {
    const d = document.getElementById('page').contentDocument;
    const b = d && d.getElementById('ContentBody');
    return b && (b.getAttribute('data-nm-hl') || '').includes('body');
  });
  ok(true, 'the body (div#ContentBody) is highlighted in the page');
  await shot(page, 'main');

  // 3. hover and click an element: selectors with counts
  const target = await pframe.$('p.em_media');
  await target.hover();
  await page.waitForFunction(() => {
    const d = document.getElementById('page').contentDocument;
    return (d.querySelector('p.em_media').getAttribute('data-nm-hl') || '').includes('hover');
  });
  ok(true, 'hovering highlights the element');
  await target.click();
  await page.waitForSelector('#candidates tr');
  const cands = await page.$$eval('#candidates tr', (rows) => rows.map((r) => ({
    sel: r.querySelector('.sel').textContent, count: r.querySelector('.count').textContent,
    kind: r.querySelector('.kind').textContent})));
  ok(cands.length >= 3, 'clicking proposes several selectors', JSON.stringify(cands));
  ok(cands[0].count === '1 match', 'the first proposal matches only that element', JSON.stringify(cands[0]));
  ok(cands.some((c) => c.sel === 'p.em_media' && c.count === '1 match'), 'p.em_media proposed with its count');
  ok(cands.some((c) => /^\d+ matches$/.test(c.count)), 'broader proposals carry their match counts');
  ok(!cands.some((c) => /nth-of-type.*nth-of-type/.test(c.sel)), 'no chain of nth-of-type steps');
  await page.click('#candidates tr:nth-child(1) td.sel');
  await shot(page, 'pick');

  // 4. edit a selector in the rule: the value changes
  const setSelector = async (from, to) => {
    await page.evaluate((f, t) => {
      const ta = document.getElementById('rule');
      const i = ta.value.indexOf(f);
      ta.focus();
      ta.setSelectionRange(i, i + f.length);
    }, from, to);
    await page.keyboard.type(to);
  };
  await setSelector("'div.newsContent > h1'", "'div.newsContent div.time'");
  await page.waitForFunction(() => {
    const v = document.querySelector('#fields .field[data-field="title"] .value');
    return v && v.textContent === '2022年04月13日 12:11:23';
  });
  ok(true, 'editing the title selector changes the extracted title');
  const trace = await page.$eval('#fields .field[data-field="title"] details', (d) => d.textContent);
  ok(trace.includes("css 'div.newsContent div.time'") && trace.includes('chosen'), 'the trace shows the edited step chosen');
  await page.$eval('#fields .field[data-field="title"] details', (d) => { d.open = true; });
  await shot(page, 'edit');
  // "use for…" puts a proposal into a field's first css step
  await setSelector("'div.newsContent div.time'", "'div.newsContent > h1'");
  const row = await page.evaluateHandle(() => [...document.querySelectorAll('#candidates tr')]
    .find((r) => r.querySelector('.sel').textContent === '#ContentBody > p.em_media'));
  await (await row.$('select')).select('source');
  await page.waitForFunction(() => document.getElementById('rule').value.includes("- css: '#ContentBody > p.em_media'"));
  await page.waitForFunction(() => (document.querySelector('#fields .field[data-field="source"] details') || {})
    .textContent.includes("css '#ContentBody > p.em_media'"));
  ok(await fieldValue(page, 'source') === '科技日报', '"use for" sets the source step; the value follows');
  await setSelector("'#ContentBody > p.em_media'", "'#ContentBody p.em_media'");
  await setSelector("'div.newsContent > h1'", "'div.newsContent div.time'");
  // a broken rule: the error with its line, values kept
  await setSelector("'div.newsContent div.time'", "'div.newsContent[ h1'");
  await page.waitForFunction(() => !document.getElementById('rule-error').hidden);
  const err = await page.$eval('#rule-error', (e) => e.textContent);
  ok(/line \d+:\d+/.test(err) && /selector/.test(err), 'a broken selector shows the error with line:col', err);
  await setSelector("'div.newsContent[ h1'", "'div.newsContent > h1'");
  await page.waitForFunction(() => document.querySelector('#fields .field[data-field="title"] .value')
    .textContent === '多措并举营造良好环境 厦门打造国际人才向往之地');
  ok(true, 'restoring the selector restores the title');
  // a clean step: what it removes is highlighted inside the body
  await setSelector("body:\n  steps:", "body:\n  clean: {remove: ['p.em_media']}\n  steps:");
  await page.waitForFunction(() => {
    const d = document.getElementById('page').contentDocument;
    return (d.querySelector('p.em_media').getAttribute('data-nm-hl') || '').split(' ').includes('clean');
  });
  const cleanText = await page.$eval('#clean', (e) => e.textContent);
  ok(cleanText.includes("remove 'p.em_media': 1 element"), 'a clean step highlights what it removes', cleanText);
  // the body loses "（文章来源：科技日报）": 10 characters and a line break
  const bodyChars = () => page.$eval('#fields .field[data-field="body"]', (f) =>
    Number((/(\d+) characters/.exec(f.textContent) || [])[1]));
  await page.waitForFunction(() => /\b1539 characters/.test(document.querySelector('#fields .field[data-field="body"]').textContent) === false);
  const after = await bodyChars();
  ok(after > 1400 && after < 1539, 'the clean step shortens the body', String(after));
  await shot(page, 'clean');
  await setSelector("body:\n  clean: {remove: ['p.em_media']}\n  steps:", "body:\n  steps:");
  await page.waitForFunction(() => document.getElementById('clean').textContent === '');

  // 5. save: the rule and its test page; rules check passes
  await page.evaluate(() => { document.getElementById('save-name').value = 'eastmoney.yml'; });
  await page.click('#save');
  await page.waitForFunction(() => !document.getElementById('save-result').hidden);
  const banner = await page.$eval('#save-result', (e) => e.textContent);
  ok(banner.startsWith('saved '), 'save reports the written file', banner);
  const saved = path.join(tmp, 'rules/eastmoney.yml');
  const savedText = fs.readFileSync(saved, 'utf8');
  ok(savedText.includes("input: 'tests/eastmoney/NW202204132341710174.html'"), 'the rule gained a test for the page');
  ok(fs.existsSync(path.join(tmp, 'rules/tests/eastmoney/NW202204132341710174.html')), 'the page was saved next to the rule');
  const check = spawnSync(NEWSMD, ['rules', 'check', '-c', path.join(tmp, 'newsmd.yml'), saved], {encoding: 'utf8'});
  ok(check.status === 0 && /2 tests, 0 failed/.test(check.stdout), 'the saved rule passes rules check', check.stdout + check.stderr);
  // saving again replaces the studio's test instead of adding another
  await page.click('#save');
  await page.waitForFunction((b) => document.getElementById('save-result').textContent !== b || true, {}, banner);
  await new Promise((r) => setTimeout(r, 500));
  const again = fs.readFileSync(saved, 'utf8');
  ok((again.match(/tests\/eastmoney\/NW202204132341710174\.html/g) || []).length === 1, 'saving twice keeps one studio test');
  await shot(page, 'saved');
  ok(consoleErrors.length === 0, 'no errors in the browser console', consoleErrors.join(' | '));
} catch (e) {
  ok(false, 'browser run', e.stack || String(e));
}
await browser.close();
await finish();

async function finish() {
  studio.kill('SIGTERM');
  await studioExit;
  // under make check (ASan+UBSan) a report fails the suite
  ok(!/Sanitizer|runtime error:/.test(studioErr), 'the studio exits cleanly', studioErr.slice(-3000));
  fs.rmSync(tmp, {recursive: true, force: true});
  console.log(`studio-browser: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}
