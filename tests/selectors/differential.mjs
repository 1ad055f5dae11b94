// differential.mjs - newsmd's selector engine against jsdom's querySelectorAll.
//
// usage: node differential.mjs NEWSMD CORPUS_DIR [SELECTORS_FILE] [--verbose] [--only PAGE]
//
// For every CORPUS_DIR/*/source.html and every selector of SELECTORS_FILE
// (default: selectors.txt beside this file), compares the document-order
// element numbers newsmd prints (`newsmd select --index --batch`) with the
// positions of jsdom's document.querySelectorAll(sel) results among
// document.querySelectorAll('*').  A selector that jsdom rejects must be
// rejected by newsmd too (and vice versa).
//
// Before comparing, each page's two trees are compared element by element
// (one type selector per tag name present: if every one agrees, the element
// sequences are identical).  Pages where gumbo 0.10.1 and parse5 build
// different trees must be listed, with the reason, in known-differences.txt;
// their selector disagreements are reported but not counted as failures.
// Prints "selectors: N passed, N failed" (one per page x selector pair).
//
// jsdom is slow (its parse and its selector engine cost seconds per page),
// so its answers are cached per page and selector in
// node_modules/.cache/differential/ (keyed by the page text and the jsdom
// version): only newsmd runs again, and jsdom only for selectors new to the
// list.  --no-cache ignores the cache.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM, VirtualConsole } from 'jsdom';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const useCache = !args.includes('--no-cache');
// --fill K/N: a helper process that only computes jsdom's view of every
// N-th page (from the K-th) into the cache, then exits.
const fillAt = args.indexOf('--fill');
const fill = fillAt >= 0 ? args[fillAt + 1].split('/').map(Number) : null;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;
const positional = args.filter((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1) &&
  (fillAt < 0 || i !== fillAt + 1));
const [newsmd, corpus, listFile = path.join(here, 'selectors.txt')] = positional;
if (!newsmd || !corpus) {
  console.error('usage: node differential.mjs NEWSMD CORPUS_DIR [SELECTORS_FILE] [--verbose] [--only PAGE]');
  process.exit(2);
}

// Selector list: one per line; blank lines and lines starting with "//" are
// skipped.  "!! SELECTOR" lines are selectors newsmd rejects on purpose
// where browsers are lenient (checked on newsmd only).
const lines = fs.readFileSync(listFile, 'utf8').split('\n')
  .map((l) => l.replace(/\r$/, ''))
  .filter((l) => l.trim() !== '' && !l.startsWith('//'));
const selectors = lines.filter((l) => !l.startsWith('!! '));
const mustReject = lines.filter((l) => l.startsWith('!! ')).map((l) => l.slice(3));

// known-differences.txt: "PAGE  reason" per line; "#" starts a comment.
const known = new Map();
const knownFile = path.join(here, 'known-differences.txt');
if (fs.existsSync(knownFile)) {
  for (const line of fs.readFileSync(knownFile, 'utf8').split('\n')) {
    const t = line.replace(/#.*/, '').trim();
    if (!t) continue;
    const m = t.match(/^(\S+)\s+(.*)$/);
    known.set(m ? m[1] : t, m ? m[2] : '');
  }
}

// CSS.escape as specified in CSSOM (jsdom does not provide it).
function cssEscape(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) out += '\uFFFD';
    else if ((c >= 1 && c <= 0x1f) || c === 0x7f || (i === 0 && c >= 0x30 && c <= 0x39) ||
             (i === 1 && c >= 0x30 && c <= 0x39 && s.charCodeAt(0) === 0x2d)) out += '\\' + c.toString(16) + ' ';
    else if (i === 0 && s.length === 1 && c === 0x2d) out += '\\' + s[i];
    else if (c >= 0x80 || c === 0x2d || c === 0x5f || (c >= 0x30 && c <= 0x39) ||
             (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) out += s[i];
    else out += '\\' + s[i];
  }
  return out;
}

function describe(el) {
  if (!el) return '(none)';
  let d = '<' + el.localName;
  if (el.id) d += '#' + el.id;
  if (typeof el.className === 'string' && el.className.trim()) d += '.' + el.className.trim().split(/\s+/).join('.');
  return d + '>';
}

function newsmdBatch(page, sels) {
  const tmp = path.join(os.tmpdir(), `newsmd-sel-${process.pid}.txt`);
  fs.writeFileSync(tmp, sels.join('\n') + '\n');
  const r = spawnSync(newsmd, ['select', '--index', '--batch', tmp, page], {
    encoding: 'utf8', maxBuffer: 512 * 1024 * 1024,
  });
  fs.unlinkSync(tmp);
  if (r.status !== 0) throw new Error(`newsmd failed on ${page}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  return sels.map((_, i) => lines[i] ?? '');
}

function jsdomIndices(doc, index, sel) {
  try {
    return Array.from(doc.querySelectorAll(sel), (e) => index.get(e)).join(' ');
  } catch (e) {
    return '!' + e.message.split('\n')[0];
  }
}

const pages = fs.readdirSync(corpus).filter((d) => fs.existsSync(path.join(corpus, d, 'source.html')))
  .filter((d) => !only || d === only).sort();
let passed = 0, failed = 0, knownMismatch = 0;
const treeDiffPages = [];
const failures = [];
const virtualConsole = new VirtualConsole(); // swallow jsdom's CSS parse warnings

const jsdomVersion = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/jsdom/package.json'), 'utf8')).version;
const cacheDir = path.join(here, 'node_modules/.cache/differential');
if (useCache) fs.mkdirSync(cacheDir, { recursive: true });

// jsdom's view of one page: element descriptions, numbering by tag name,
// and each selector's result ("!" + message when it throws).
function jsdomView(html, sels) {
  const dom = new JSDOM(html, { virtualConsole });
  const doc = dom.window.document;
  const all = Array.from(doc.querySelectorAll('*'));
  const index = new Map(all.map((e, i) => [e, i]));
  // numbering by tag name, read from the tree (not through the selector
  // engine, which mishandles names like "g:plusone")
  const byTag = { '*': all.map((_, i) => i).join(' ') };
  const lists = new Map();
  all.forEach((e, i) => {
    const k = cssEscape(e.localName);
    if (!lists.has(k)) lists.set(k, []);
    lists.get(k).push(i);
  });
  for (const [k, v] of lists) byTag[k] = v.join(' ');
  // depth of every element (the root is 0): with the names in document
  // order, this fixes the whole tree shape
  const depth = new Map([[doc.documentElement, 0]]);
  const byDepth = [];
  all.forEach((e, i) => {
    const d = e === doc.documentElement ? 0 : depth.get(e.parentElement) + 1;
    depth.set(e, d);
    (byDepth[d] ??= []).push(i);
  });
  const results = Object.fromEntries(sels.map((sel) => [sel, jsdomIndices(doc, index, sel)]));
  const described = all.map(describe);
  dom.window.close();
  return { byTag, byDepth: byDepth.map((v) => v.join(' ')), results, described };
}

function pageHtml(name) {
  // a browser's decoder drops the BOM; so does newsmd's charset_decode
  return fs.readFileSync(path.join(corpus, name, 'source.html'), 'utf8').replace(/^\uFEFF/, '');
}

const CACHE_FORMAT = 2;

// The cache entry of a page: {format, key, byTag, described, results: {selector: answer}}.
function cached(name, html) {
  const key = crypto.createHash('sha256').update(jsdomVersion).update('\0').update(html).digest('hex');
  const file = path.join(cacheDir, name + '.json');
  let entry = null;
  if (useCache && fs.existsSync(file)) {
    try {
      entry = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch { entry = null; }
  }
  if (!entry || entry.format !== CACHE_FORMAT || entry.key !== key) {
    entry = { format: CACHE_FORMAT, key, byTag: null, described: null, results: {} };
  }
  const missing = selectors.filter((sel) => !Object.hasOwn(entry.results, sel));
  return { file, entry, complete: entry.byTag && entry.byDepth && missing.length === 0, missing };
}

function viewOf(name, html) {
  const c = cached(name, html);
  if (!c.complete) {
    const v = jsdomView(html, c.missing);
    Object.assign(c.entry.results, v.results);
    c.entry.byTag = v.byTag;
    c.entry.byDepth = v.byDepth;
    c.entry.described = v.described;
    if (useCache) fs.writeFileSync(c.file, JSON.stringify(c.entry));
  }
  return {
    byTag: c.entry.byTag,
    byDepth: c.entry.byDepth,
    described: c.entry.described,
    results: selectors.map((sel) => c.entry.results[sel]),
  };
}

if (fill) {
  const [k, n] = fill;
  pages.forEach((name, i) => { if (i % n === k) viewOf(name, pageHtml(name)); });
  process.exit(0);
}

// Fill the cache with one helper process per core: jsdom is the slow part.
const missing = useCache ? pages.filter((name) => !cached(name, pageHtml(name)).complete) : [];
const workers = Math.min(os.cpus().length, 4, missing.length);
const started = Date.now();
if (workers > 1) {
  console.log(`jsdom: computing ${missing.length} uncached pages with ${workers} processes`);
  await Promise.all(Array.from({ length: workers }, (_, k) => new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), newsmd, corpus, listFile,
      '--fill', `${k}/${workers}`, ...(only ? ['--only', only] : [])], { stdio: 'inherit' });
    child.on('exit', resolve);
  })));
  console.log(`jsdom: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

for (const [pageNo, name] of pages.entries()) {
  const file = path.join(corpus, name, 'source.html');
  const view = viewOf(name, pageHtml(name));
  if (process.stderr.isTTY || verbose) {
    process.stderr.write(`  [${pageNo + 1}/${pages.length}] ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  // tree comparison: '*', one type selector per tag name, and ':root > *
  // > ... > *' for every depth (plus one deeper, which must be empty)
  const tagSels = Object.keys(view.byTag).sort();
  const tagWant = tagSels.map((k) => view.byTag[k]);
  for (let d = 0; d <= view.byDepth.length; d++) {
    tagSels.push(':root' + ' > *'.repeat(d));
    tagWant.push(view.byDepth[d] ?? '');
  }
  const ours = newsmdBatch(file, [...tagSels, ...selectors, ...mustReject]);
  let treeDiff = null;
  for (let i = 0; i < tagSels.length && !treeDiff; i++) {
    const theirs = tagWant[i];
    if (theirs !== ours[i]) {
      const a = theirs.split(' '), b = ours[i].split(' ');
      let k = 0;
      while (k < a.length && a[k] === b[k]) k++;
      treeDiff = `${tagSels[i]}: jsdom has ${a.length} (${a.slice(k, k + 3).join(' ')}...), ` +
        `newsmd ${b.length} (${b.slice(k, k + 3).join(' ')}...) first diff at #${k}`;
    }
  }
  if (treeDiff) treeDiffPages.push([name, treeDiff]);

  for (let i = 0; i < selectors.length; i++) {
    const sel = selectors[i];
    // querySelectorAll must answer in document order; jsdom sometimes
    // does not, so compare its set in order
    const theirs = view.results[i].startsWith('!') ? view.results[i]
      : view.results[i].split(' ').filter((x) => x !== '').map(Number).sort((a, b) => a - b).join(' ');
    const mine = ours[tagSels.length + i];
    const bothErr = theirs.startsWith('!') && mine.startsWith('!');
    if (bothErr || theirs === mine) {
      passed++;
      continue;
    }
    const what = { page: name, sel, theirs: theirs.slice(0, 200), mine: mine.slice(0, 200) };
    if (!theirs.startsWith('!') && !mine.startsWith('!')) {
      const a = theirs ? theirs.split(' ') : [], b = mine ? mine.split(' ') : [];
      const onlyJs = a.filter((x) => !b.includes(x)), onlyUs = b.filter((x) => !a.includes(x));
      what.detail = `jsdom-only ${onlyJs.slice(0, 3).map((x) => x + view.described[+x]).join(' ')}; ` +
        `newsmd-only ${onlyUs.slice(0, 3).map((x) => x + (view.described[+x] ?? '')).join(' ')}`;
    }
    if (treeDiff) {
      knownMismatch++;
      if (verbose) console.log(`  (tree differs) ${name}: '${sel}'`);
    } else {
      failed++;
      failures.push(what);
    }
  }
  mustReject.forEach((sel, i) => {
    const mine = ours[tagSels.length + selectors.length + i];
    if (mine.startsWith('!')) {
      passed++;
    } else {
      failed++;
      failures.push({ page: name, sel, theirs: '(must be rejected by newsmd)', mine });
    }
  });
}

for (const f of failures.slice(0, 60)) {
  console.log(`FAIL ${f.page}: '${f.sel}'\n  jsdom:  ${f.theirs}\n  newsmd: ${f.mine}` +
    (f.detail ? `\n  ${f.detail}` : ''));
}
if (failures.length > 60) console.log(`... and ${failures.length - 60} more failures`);

for (const [name, why] of treeDiffPages) {
  if (known.has(name)) {
    console.log(`tree differs (known: ${known.get(name)}): ${name}`);
  } else {
    console.log(`FAIL tree differs, not in known-differences.txt: ${name}: ${why}`);
    failed++;
  }
}
for (const name of known.keys()) {
  if (pages.includes(name) && !treeDiffPages.some(([n]) => n === name)) {
    console.log(`note: ${name} is listed in known-differences.txt but its trees now agree`);
  }
}
console.log(`${pages.length} pages x ${selectors.length + mustReject.length} selectors ` +
  `(${mustReject.length} that newsmd alone must reject); ` +
  `${treeDiffPages.length} pages with different trees (${knownMismatch} pairs not compared)`);
console.log(`selectors: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
