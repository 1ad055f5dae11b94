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
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM, VirtualConsole } from 'jsdom';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;
const positional = args.filter((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1));
const [newsmd, corpus, listFile = path.join(here, 'selectors.txt')] = positional;
if (!newsmd || !corpus) {
  console.error('usage: node differential.mjs NEWSMD CORPUS_DIR [SELECTORS_FILE] [--verbose] [--only PAGE]');
  process.exit(2);
}

// Selector list: one per line; blank lines and lines starting with "//" are skipped.
const selectors = fs.readFileSync(listFile, 'utf8').split('\n')
  .map((l) => l.replace(/\r$/, ''))
  .filter((l) => l.trim() !== '' && !l.startsWith('//'));

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

for (const name of pages) {
  const file = path.join(corpus, name, 'source.html');
  // a browser's decoder drops the BOM; so does newsmd's charset_decode
  const html = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const dom = new JSDOM(html, { virtualConsole });
  const doc = dom.window.document;
  const all = Array.from(doc.querySelectorAll('*'));
  const index = new Map(all.map((e, i) => [e, i]));

  // tree comparison: '*' plus one type selector per tag name
  const tags = [...new Set(all.map((e) => e.localName))].sort();
  const tagSels = ['*', ...tags.map(cssEscape)];
  const ours = newsmdBatch(file, [...tagSels, ...selectors]);
  let treeDiff = null;
  // jsdom's own numbering by tag name, read from the tree (not through its
  // selector engine, which mishandles names like "g:plusone")
  const byTag = new Map([['*', all.map((_, i) => i)]]);
  all.forEach((e, i) => {
    const k = cssEscape(e.localName);
    if (!byTag.has(k)) byTag.set(k, []);
    byTag.get(k).push(i);
  });
  for (let i = 0; i < tagSels.length && !treeDiff; i++) {
    const theirs = byTag.get(tagSels[i]).join(' ');
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
    const theirs = jsdomIndices(doc, index, sel);
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
      what.detail = `jsdom-only ${onlyJs.slice(0, 3).map((x) => x + describe(all[+x])).join(' ')}; ` +
        `newsmd-only ${onlyUs.slice(0, 3).map((x) => x + describe(all[+x])).join(' ')}`;
    }
    if (treeDiff) {
      knownMismatch++;
      if (verbose) console.log(`  (tree differs) ${name}: '${sel}'`);
    } else {
      failed++;
      failures.push(what);
    }
  }
  dom.window.close();
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
console.log(`${pages.length} pages x ${selectors.length} selectors; ` +
  `${treeDiffPages.length} pages with different trees (${knownMismatch} pairs not compared)`);
console.log(`selectors: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
