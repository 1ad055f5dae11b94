// app.js - the studio's page script.  Plain JavaScript, no build step, no
// network beyond the studio's own endpoints.
//
// Everything that comes from the site (values, traces, the post) is shown
// with textContent, never as HTML in this document.  The site's page lives
// in <iframe id=page sandbox="allow-same-origin"> without allow-scripts: its
// own script never runs (and /page is served with CSP script-src 'none');
// this script reaches into it only to read data-nm-i (the element's
// document-order index) and to set data-nm-hl (highlight) attributes.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 300;

let state = null;
let runSeq = 0;
let frameDoc = null;
let hoverEl = null;
let lastRun = null;

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Studio-Token': token},
    body: JSON.stringify(body),
  };
  const r = await fetch(path + '?token=' + encodeURIComponent(token), opts);
  const j = await r.json().catch(() => ({ok: false, error: {msg: 'HTTP ' + r.status}}));
  j.httpStatus = r.status;
  return j;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function setStatus(text, kind) {
  const s = $('status');
  s.textContent = text;
  s.className = 'status ' + (kind || '');
}

// ---- highlights in the page frame ----------------------------------------

function hl(kind, indices) {
  if (!frameDoc) return;
  for (const e of frameDoc.querySelectorAll('[data-nm-hl]')) {
    const toks = e.getAttribute('data-nm-hl').split(' ').filter((t) => t && t !== kind);
    if (toks.length) e.setAttribute('data-nm-hl', toks.join(' '));
    else e.removeAttribute('data-nm-hl');
  }
  for (const i of indices || []) {
    const e = frameDoc.querySelector('[data-nm-i="' + Number(i) + '"]');
    if (!e) continue;
    const toks = (e.getAttribute('data-nm-hl') || '').split(' ').filter(Boolean);
    if (!toks.includes(kind)) toks.push(kind);
    e.setAttribute('data-nm-hl', toks.join(' '));
  }
}

function scrollTo(index) {
  const e = frameDoc && frameDoc.querySelector('[data-nm-i="' + Number(index) + '"]');
  if (e) e.scrollIntoView({block: 'center'});
}

function indexOf(target) {
  let e = target;
  while (e && e.nodeType !== 1) e = e.parentNode;
  const c = e && e.closest ? e.closest('[data-nm-i]') : null;
  return c ? Number(c.getAttribute('data-nm-i')) : -1;
}

function setupFrame() {
  const f = $('page');
  frameDoc = f.contentDocument;
  if (!frameDoc) return;
  frameDoc.addEventListener('mouseover', (ev) => {
    const i = indexOf(ev.target);
    if (i < 0) return;
    hoverEl = i;
    hl('hover', [i]);
  });
  frameDoc.addEventListener('mouseleave', () => hl('hover', []));
  frameDoc.addEventListener('click', (ev) => {
    ev.preventDefault();
    const i = indexOf(ev.target);
    if (i >= 0) pick(i);
  }, true);
  if (lastRun) showHighlights(lastRun);
}

// ---- picking -------------------------------------------------------------

async function pick(index) {
  hl('picked', [index]);
  const r = await api('api/pick', {index});
  const t = $('candidates');
  t.textContent = '';
  if (!r.ok) {
    $('pick-title').textContent = (r.error && r.error.msg) || 'no element';
    return;
  }
  $('pick-title').textContent = '<' + r.tag + '> element #' + r.index + ': ' +
      r.candidates.length + ' selectors, stable ones first (click one to show its matches)';
  $('pick-text').textContent = r.text;
  for (const c of r.candidates) {
    const tr = el('tr', c.count === 1 ? 'unique' : '');
    tr.appendChild(el('td', 'sel', c.selector));
    tr.appendChild(el('td', 'count', c.count === 1 ? '1 match' : c.count + ' matches'));
    tr.appendChild(el('td', 'kind', c.kind));
    const use = el('td');
    const sel = el('select');
    sel.appendChild(el('option', '', 'use for…'));
    for (const f of (lastRun && lastRun.fields) || []) {
      if (f.rule) sel.appendChild(el('option', '', f.name));
    }
    sel.addEventListener('click', (ev) => ev.stopPropagation());
    sel.addEventListener('change', () => {
      if (sel.selectedIndex > 0) useSelector(sel.value, c.selector);
      sel.selectedIndex = 0;
    });
    use.appendChild(sel);
    tr.appendChild(use);
    tr.addEventListener('click', () => {
      $('try-sel').value = c.selector;
      hl('match', c.idx);
      $('try-count').textContent = c.count + ' match' + (c.count === 1 ? '' : 'es');
    });
    t.appendChild(tr);
  }
}

// Replaces the first css step of field `name` in the YAML with sel.
function useSelector(name, sel) {
  const ta = $('rule');
  const lines = ta.value.split('\n');
  const quoted = "'" + sel.replace(/'/g, "''") + "'";
  let start = -1, indent = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s+)([\w-]+):\s*$/.exec(lines[i]);
    if (m && m[2] === name) { start = i; indent = m[1].length; break; }
  }
  if (name === 'body' && start < 0) {
    for (let i = 0; i < lines.length; i++) if (/^body:\s*$/.test(lines[i])) { start = i; indent = 0; break; }
  }
  if (start >= 0) {
    for (let i = start + 1; i < lines.length; i++) {
      const ind = /^\s*/.exec(lines[i])[0].length;
      if (lines[i].trim() && ind <= indent) break;
      const m = /^(\s*-?\s*css:\s*)(.*)$/.exec(lines[i]);
      if (m) {
        lines[i] = m[1] + quoted;
        ta.value = lines.join('\n');
        scheduleRun(0);
        return;
      }
    }
  }
  setStatus('no css step in field ' + name + ': add one, then use the selector', 'bad');
}

async function trySelector() {
  const s = $('try-sel').value.trim();
  if (!s) { hl('match', []); $('try-count').textContent = ''; return; }
  const r = await api('api/pick', {selector: s});
  if (!r.ok) { $('try-count').textContent = r.error; hl('match', []); return; }
  $('try-count').textContent = r.count + ' match' + (r.count === 1 ? '' : 'es');
  hl('match', r.idx);
  if (r.idx.length) scrollTo(r.idx[0]);
}

// ---- running the rule ----------------------------------------------------

let timer = null;
function scheduleRun(ms) {
  clearTimeout(timer);
  timer = setTimeout(run, ms === undefined ? DEBOUNCE_MS : ms);
}

async function run() {
  const seq = ++runSeq;
  setStatus('running…');
  const t0 = performance.now();
  const r = await api('api/run', {rule: $('rule').value});
  if (seq !== runSeq) return; // a newer edit is on its way
  const ms = Math.round(performance.now() - t0);
  const err = $('rule-error');
  if (!r.fields) {
    const e = r.error || {msg: 'error'};
    err.hidden = false;
    err.textContent = (e.line ? 'line ' + e.line + ':' + e.col + ': ' : '') + e.msg;
    setStatus('rule does not load', 'bad');
    return;
  }
  lastRun = r;
  if (r.error) {
    err.hidden = false;
    err.textContent = r.error.msg;
    setStatus('extraction failed', 'bad');
  } else {
    err.hidden = true;
    setStatus('rule ' + r.rule_name + ' · ' + ms + ' ms', 'ok');
  }
  showFields(r);
  showPost(r);
  showHighlights(r);
}

function showFields(r) {
  const box = $('fields');
  box.textContent = '';
  for (const f of r.fields) {
    const d = el('div', 'field');
    d.dataset.field = f.name;
    const head = el('div');
    head.appendChild(el('span', 'name', f.name));
    if (f.how) head.appendChild(el('span', 'how', f.how));
    if (f.chars !== undefined) head.appendChild(el('span', 'how', f.chars + ' characters'));
    d.appendChild(head);
    d.appendChild(el('div', 'value' + (f.value === null ? ' missing' : ''),
        f.value === null ? '(nothing)' : f.value));
    if (f.steps && f.steps.length) {
      const det = el('details');
      det.appendChild(el('summary', '', f.steps.length + ' step' + (f.steps.length > 1 ? 's' : '') + ' tried'));
      const ol = el('ol');
      for (const s of f.steps) {
        const li = el('li', s.verdict ? '' : 'won');
        li.appendChild(el('span', 'src', s.source + " '" + s.arg + "'" + (s.attr ? ' attr=' + s.attr : '') + '  '));
        li.appendChild(el('span', 'verdict', s.verdict || 'chosen'));
        if (s.raw.length) li.appendChild(el('div', 'vals', 'raw: ' + s.raw.map((v) => JSON.stringify(v)).join(', ')));
        if (s.value.length && JSON.stringify(s.value) !== JSON.stringify(s.raw)) {
          li.appendChild(el('div', 'vals', 'value: ' + s.value.map((v) => JSON.stringify(v)).join(', ')));
        }
        ol.appendChild(li);
      }
      det.appendChild(ol);
      d.appendChild(det);
    }
    d.addEventListener('mouseenter', () => {
      const idx = f.name === 'body' ? r.highlight.body : f.idx || [];
      hl('field', idx);
      if (idx.length) scrollTo(idx[0]);
    });
    d.addEventListener('mouseleave', () => hl('field', []));
    box.appendChild(d);
  }
  const c = $('clean');
  c.textContent = '';
  const cl = r.highlight.clean || [];
  if (cl.length) c.appendChild(el('div', 'muted', 'body.clean (dashed red in the page):'));
  for (const s of cl) c.appendChild(el('div', '', s.kind + " '" + s.selector + "': " + s.idx.length + ' element' + (s.idx.length === 1 ? '' : 's')));
}

function showPost(r) {
  $('post').textContent = r.post || r.post_error || '';
  $('post-name').textContent = r.post_name ? 'would be written as ' + r.post_name : '';
  // served by the studio with the page's CSP (script-src 'none')
  $('rendered').src = 'rendered?token=' + encodeURIComponent(token) + '&run=' + runSeq;
}

function showHighlights(r) {
  hl('body', r.highlight.body);
  const clean = [];
  for (const s of r.highlight.clean || []) clean.push(...s.idx);
  hl('clean', clean);
}

// ---- saving --------------------------------------------------------------

async function save() {
  const banner = $('save-result');
  const r = await api('api/save', {rule: $('rule').value, file: $('save-name').value.trim()});
  banner.hidden = false;
  if (r.ok) {
    banner.className = 'banner';
    banner.textContent = 'saved ' + r.path + ' with its test page ' + r.page + ' (' + r.tests + ' test' + (r.tests === 1 ? '' : 's') + '); check it with: newsmd rules check ' + r.path;
    $('rule').value = r.rule;
    scheduleRun(0);
  } else {
    banner.className = 'banner bad';
    const e = r.error || {};
    banner.textContent = 'not saved: ' + (e.line ? 'line ' + e.line + ':' + e.col + ': ' : '') + (e.msg || 'HTTP ' + r.httpStatus);
  }
}

// ---- start ---------------------------------------------------------------

async function start() {
  state = await api('api/state');
  $('url').textContent = state.url;
  $('rule').value = state.rule;
  $('save-name').value = state.save_name;
  $('rule-file').textContent = state.draft ? 'draft (no rule matched)' : state.rule_file;
  const f = $('page');
  f.addEventListener('load', setupFrame);
  f.src = 'page?token=' + encodeURIComponent(token);
  $('rule').addEventListener('input', () => scheduleRun());
  $('save').addEventListener('click', save);
  let tt = null;
  $('try-sel').addEventListener('input', () => { clearTimeout(tt); tt = setTimeout(trySelector, DEBOUNCE_MS); });
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => {
      for (const o of document.querySelectorAll('.tabs button')) o.classList.toggle('on', o === b);
      for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== 'tab-' + b.dataset.tab;
    });
  }
  run();
}

start();
