// The demo page's main thread: UI only. Tokenizing, embedding, indexing, searching and storage all
// happen in search-worker.js, so typing and scrolling stay smooth while documents are indexed.
// Document text is only ever put in the page with textContent / text nodes, never innerHTML.

import { DEMO_MODEL, DTYPES, formatSize, loadCatalogue } from './models.js';

const $ = (id) => document.getElementById(id);
// The tiny model `npm start` generates into models/generated/demo-model (served at /models/).
const DEFAULT_MODEL = DEMO_MODEL;
const SEARCH_DEBOUNCE_MS = 60;

const worker = new Worker(new URL('./search-worker.js', import.meta.url), { type: 'module', name: 'wasmbed-demo' });
const state = {
  seq: 0, shownSeq: 0, mode: 'hybrid', docs: 0, passages: 0, model: null, indexing: null,
  source: 'docs',        // 'docs' (indexed in this tab) or 'static' (a prebuilt index opened by URL)
  staticIndex: null,     // the open static index: { state, url, count, model, dims, ..., check }
  lastQuery: null,       // { source, mode, ms, fetched, embedMs } of the results shown
  embeddedPassages: 0,   // passages the worker embedded (in-tab indexing only)
  queriesEmbedded: 0,
};
window.__demo = state; // for tests and the curious: read-only view of the page state

function send(message) {
  worker.postMessage(message);
}

worker.addEventListener('message', (e) => {
  const msg = e.data;
  switch (msg.type) {
    case 'status': return renderStatus(msg);
    case 'model-progress': return renderModelProgress(msg);
    case 'index-progress': return renderIndexProgress(msg);
    case 'results': return renderResults(msg);
    case 'document': return renderDocument(msg);
    case 'index-info': return renderIndexInfo(msg);
    case 'error': return showError(msg);
    default: return undefined;
  }
});
worker.addEventListener('error', (e) => {
  const message = `The search worker failed: ${e.message || 'it could not start (see the browser console)'}`;
  showError({ context: 'model', message });
  showError({ context: 'worker', message });
});

// ---- environment --------------------------------------------------------------------------------
$('env-isolated').textContent = self.crossOriginIsolated ? 'yes' : 'no';
$('env-isolated').title = self.crossOriginIsolated
  ? 'COOP/COEP headers are set: WebAssembly threads are available'
  : 'The page is not cross-origin isolated: ONNX Runtime runs single-threaded';
$('env-threads').textContent = `– / ${navigator.hardwareConcurrency ?? '?'} cores`;

// ---- model --------------------------------------------------------------------------------------
$('model-source').value = localStorage.getItem('wasmbed-demo:model') ?? DEFAULT_MODEL;
$('model-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const source = $('model-source').value.trim();
  if (!source) return;
  const local = source.match(/^local folder: (.+)$/);
  if (local) {
    send({ type: 'load-model', source: { local: local[1] } }); // the copy kept in IndexedDB
    return;
  }
  localStorage.setItem('wasmbed-demo:model', source);
  localStorage.setItem('wasmbed-demo:dtype', selectedDtype());
  send({ type: 'load-model', source: resolveSource(source), dtype: selectedDtype() });
});

// ---- model picker: the supported models by name, with each dtype's download size ---------------
const catalogue = new Map(); // Hub id -> { name, dims, maxLength, download }
const selectedDtype = () => $('model-dtype').value || 'fp32';

function fillDtypes(id) {
  const entry = catalogue.get(id);
  const select = $('model-dtype');
  // A named model keeps the dtype picked for the previous named one; the first time, the stored
  // choice; coming from an fp32-only source, q8 (the smallest download that runs everywhere).
  const keep = select.options.length > 1 ? select.value
    : select.options.length === 0 ? localStorage.getItem('wasmbed-demo:dtype') ?? 'q8' : 'q8';
  select.replaceChildren();
  // The generated model and typed-in sources: the file the source has (fp32 unless it says).
  const offered = entry ? DTYPES : ['fp32'];
  for (const dtype of offered) {
    const bytes = entry?.download?.[dtype];
    select.append(new Option(entry ? `${dtype} · ${formatSize(bytes)}` : dtype, dtype));
  }
  select.value = offered.includes(keep) ? keep : offered[0];
  describePick(id);
}

function describePick(id) {
  const entry = catalogue.get(id);
  if (!entry) {
    $('model-size').textContent = id === DEMO_MODEL ? 'Tiny generated model (random weights): for trying the page, not for search by meaning.' : '';
    return;
  }
  const bytes = entry.download?.[selectedDtype()];
  $('model-size').textContent = `${entry.id} · ${entry.dims ?? '?'} dims · up to ${entry.maxLength ?? '?'} tokens · ` +
    `${selectedDtype()} download ${formatSize(bytes)}${entry.download ? ' (computed from the parameter count)' : ''}. Press Load to download it.`;
  $('model-size').title = entry.note;
}

$('model-pick').addEventListener('change', () => {
  const id = $('model-pick').value;
  $('model-source').value = id;
  fillDtypes(id);
});
$('model-dtype').addEventListener('change', () => describePick($('model-pick').value));
$('model-source').addEventListener('input', () => {
  const v = $('model-source').value.trim();
  const known = v === DEMO_MODEL || catalogue.has(v);
  $('model-pick').value = known ? v : '';
  if (known) fillDtypes(v);
});

loadCatalogue().then((entries) => {
  const pick = $('model-pick');
  for (const e of entries) {
    catalogue.set(e.id, e);
    pick.append(new Option(`${e.name}${e.dims ? ` · ${e.dims} dims` : ''}`, e.id));
  }
  pick.append(new Option('Other (type a Hub id or URL below)', ''));
  const current = $('model-source').value.trim();
  pick.value = current === DEMO_MODEL || catalogue.has(current) ? current : '';
  fillDtypes(current);
});
$('model-folder').addEventListener('change', () => {
  const files = [...$('model-folder').files];
  if (files.length === 0) return;
  // webkitRelativePath is "<picked folder>/onnx/model.onnx": the model's own paths follow the first '/'.
  const map = {};
  for (const f of files) {
    const rel = f.webkitRelativePath || f.name;
    map[rel.includes('/') ? rel.slice(rel.indexOf('/') + 1) : rel] = f;
  }
  const name = (files[0].webkitRelativePath || 'local-model').split('/')[0];
  $('model-source').value = `local folder: ${name}`;
  send({ type: 'load-model', source: { name, files: map } });
  $('model-folder').value = '';
});

function renderModelProgress({ loaded, total, file }) {
  const bar = $('model-progress');
  bar.hidden = false;
  if (total > 0) {
    bar.max = total;
    bar.value = loaded;
  } else {
    bar.removeAttribute('value');
  }
  setStatus('model-status', `Loading ${file ?? 'model'}… ${formatBytes(loaded)}${total ? ` of ${formatBytes(total)}` : ''}`);
}

// Paths on this site become absolute URLs; Hub ids ("org/name") and URLs pass through.
function resolveSource(source) {
  return /^\.{0,2}\//.test(source) ? new URL(source, location.href).href : source;
}

// ---- documents ----------------------------------------------------------------------------------
$('add-paste').addEventListener('click', () => {
  const text = $('paste').value;
  if (!text.trim()) return;
  send({ type: 'add-documents', items: [{ kind: 'paste', name: 'pasted text', text }] });
  $('paste').value = '';
});
$('files').addEventListener('change', async () => {
  const files = [...$('files').files];
  $('files').value = '';
  const items = await Promise.all(files.map(async (f) => ({ kind: 'file', name: f.name, text: await f.text() })));
  if (items.length) send({ type: 'add-documents', items });
});
$('load-sample').addEventListener('click', async () => {
  $('load-sample').disabled = true;
  try {
    const res = await fetch(new URL('./sample-docs.jsonl', import.meta.url));
    if (!res.ok) throw new Error(`sample-docs.jsonl: HTTP ${res.status}`);
    send({ type: 'add-documents', items: [{ kind: 'file', name: 'sample-docs.jsonl', text: await res.text() }] });
  } catch (err) {
    showError({ context: 'samples', message: err.message });
  } finally {
    $('load-sample').disabled = false;
  }
});
$('cancel').addEventListener('click', () => send({ type: 'cancel' }));
$('resume').addEventListener('click', () => send({ type: 'resume' }));
$('clear').addEventListener('click', () => {
  if (confirm('Remove every document from the index (also from this browser\'s storage)?')) send({ type: 'clear' });
});

function renderIndexProgress({ done, total, etaMs, rate }) {
  $('indexing').hidden = false;
  const bar = $('index-progress');
  bar.max = Math.max(total, 1);
  bar.value = done;
  const eta = etaMs == null ? 'estimating…' : `about ${formatDuration(etaMs)} left`;
  $('index-eta').textContent = `${done} / ${total} passages · ${rate ? `${rate.toFixed(0)}/s · ` : ''}${eta}`;
}

// ---- status -------------------------------------------------------------------------------------
function renderStatus(s) {
  Object.assign(state, {
    docs: s.docs, passages: s.passages, paused: s.paused, model: s.model, indexing: s.indexing, restored: s.restored,
    embeddedPassages: s.embeddedPassages, queriesEmbedded: s.queriesEmbedded,
  });
  const m = s.model;
  if (m?.name?.endsWith('(local folder)')) $('model-source').value = `local folder: ${m.name.replace(/ \(local folder\)$/, '')}`;
  $('model-notice').hidden = !(m?.generated && (m.state === 'ready' || m.state === 'tokenizer'));
  if (m?.state === 'ready') {
    setStatus('model-status', `${m.name}${m.dtype && m.dtype !== 'fp32' ? ` (${m.dtype})` : ''} · ${m.dims} dims · max ${m.maxLength} tokens${m.fromCache ? ' · from cache' : ''}${m.generated ? ' · random weights' : ''}`);
    $('model-progress').hidden = true;
  } else if (m?.state === 'loading') {
    setStatus('model-status', `Loading ${m.name}…`);
  } else if (m?.state === 'error') {
    setStatus('model-status', `Could not load ${m.name}: ${m.error}`, true);
    $('model-progress').hidden = true;
  } else if (m?.state === 'tokenizer') {
    setStatus('model-status', `${m.name}: tokenizer ready (lexical search), loading the network…`);
  }
  $('env-backend').textContent = m?.backend ?? '–';
  $('env-threads').textContent = `${m?.threads ?? '–'} / ${navigator.hardwareConcurrency ?? '?'} cores`;
  $('indexing').hidden = !s.indexing;
  if (!s.indexing) $('index-eta').textContent = '';
  const parts = [`${s.docs} document${s.docs === 1 ? '' : 's'}, ${s.passages} passage${s.passages === 1 ? '' : 's'} indexed`];
  if (s.pending && !s.indexing) parts.push(`${s.pending} waiting for the model`);
  if (s.paused) parts.push(`${s.paused} paused (not yet indexed for this model)`);
  $('resume').hidden = !s.paused || s.indexing;
  if (s.note) parts.push(s.note);
  setStatus('index-status', parts.join(' · '));
  document.body.dataset.ready = String(Boolean(s.ready));
  if ($('q').value.trim() && s.changed && state.source === 'docs') runSearch();
}

function setStatus(id, text, isError = false) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function showError({ context, message, url }) {
  if (context === 'static') return showStaticError(message, url);
  if (context === 'static-search') return setStatus('search-meta', `Static index: ${message}`, true);
  const target = context === 'model' ? 'model-status' : 'index-status';
  setStatus(target, message, true);
  if (context === 'search') setStatus('search-meta', message, true);
}

// ---- search -------------------------------------------------------------------------------------
let debounce = 0;
$('q').addEventListener('input', () => {
  clearTimeout(debounce);
  debounce = setTimeout(runSearch, SEARCH_DEBOUNCE_MS);
});
for (const radio of document.querySelectorAll('input[name=mode]')) {
  radio.addEventListener('change', () => {
    state.mode = radio.value;
    runSearch();
  });
}
state.mode = document.querySelector('input[name=mode]:checked').value;

function runSearch() {
  const query = $('q').value;
  state.seq += 1;
  if (!query.trim()) {
    $('results').replaceChildren();
    setStatus('search-meta', idleMessage());
    return;
  }
  send({ type: 'search', source: state.source, seq: state.seq, query, mode: state.mode, k: 10, sentAt: performance.now() });
}

function idleMessage() {
  if (state.source === 'static') {
    const ix = state.staticIndex;
    return ix?.state === 'open' ? `${ix.count} passages in the static index, fetched as queries need them.` : 'Open a static index to search it.';
  }
  return state.passages ? `${state.passages} passages ready to search.` : 'Load a model and add documents to search.';
}

function renderResults({ seq, results, ms, mode, note, sentAt, source, fetched, embedMs, embeddedPassages, queriesEmbedded }) {
  if (embeddedPassages !== undefined) Object.assign(state, { embeddedPassages, queriesEmbedded });
  if (seq < state.shownSeq || seq !== state.seq) return; // a newer query is on its way
  state.shownSeq = seq;
  state.lastQuery = { source: source ?? 'docs', mode, ms, fetched: fetched ?? null, embedMs: embedMs ?? null, results: results.length };
  const roundTrip = performance.now() - sentAt;
  const list = $('results');
  const tpl = $('result-template');
  const items = results.map((r, i) => {
    const li = tpl.content.firstElementChild.cloneNode(true);
    li.dataset.docId = String(r.docId);
    li.dataset.rank = String(i + 1);
    li.querySelector('.result-title').textContent = r.title;
    li.querySelector('.result-score').textContent = `${r.scoreLabel} ${formatScore(r.score)}`;
    li.querySelector('.result-where').textContent = r.where ??
      `${r.docId} · passage ${r.passageIndex + 1} of ${r.passageCount} · characters ${r.start}–${r.end}`;
    li.querySelector('.result-passage').append(...highlighted(r.text, r.highlights));
    // A static index stores each passage's snippet, not whole documents: nothing more to show.
    if (!r.static) {
      li.addEventListener('click', () => toggleDocument(li, r));
      li.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          toggleDocument(li, r);
        }
      });
    }
    li.setAttribute('aria-label', `${i + 1}. ${r.title}, score ${formatScore(r.score)}`);
    if (i === 0) li.tabIndex = 0; // Tab reaches the results; arrow keys move within them
    return li;
  });
  list.replaceChildren(...items);
  const found = results.length ? `${results.length} result${results.length === 1 ? '' : 's'}` : 'No results';
  const timing = `${ms.toFixed(1)} ms in the worker${embedMs ? ` (query embedding ${embedMs.toFixed(1)} ms)` : ''}, ${roundTrip.toFixed(1)} ms round trip`;
  setStatus('search-meta', `${found} · ${source === 'static' ? 'static index · ' : ''}${mode} · ${timing}${fetched ? ` · ${describeFetched(fetched)}` : ''}${note ? ` · ${note}` : ''}`);
}

// "fetched 3 files (41.2 KB): 2 partitions, 1 document chunk · 7 of 45 partitions loaded"
function describeFetched(f) {
  const total = state.staticIndex?.partitions;
  const loaded = `${f.partitionsInMemory}${total ? ` of ${total}` : ''} partitions loaded`;
  if (!f.requests) return `nothing fetched (all in memory) · ${loaded}`;
  const parts = [];
  const n = (count, word) => (count ? parts.push(`${count} ${word}${count === 1 ? '' : 's'}`) : undefined);
  n(f.partitions, 'partition');
  n(f.docChunks, 'document chunk');
  n(f.lexicalSegments, 'lexical segment');
  return `fetched ${f.requests} file${f.requests === 1 ? '' : 's'} (${formatBytes(f.bytes)})${parts.length ? `: ${parts.join(', ')}` : ''} · ${loaded}`;
}

// Text with <mark> around [start, end) ranges, built from text nodes only (no HTML parsing).
function highlighted(text, ranges = []) {
  const out = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) out.push(document.createTextNode(text.slice(at, s)));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(s, e);
    out.push(mark);
    at = e;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

// Enter / click on a result shows the whole document with the passage highlighted.
function toggleDocument(li, r) {
  const p = li.querySelector('.result-passage');
  if (li.classList.toggle('expanded')) {
    li.dataset.pending = 'true';
    send({ type: 'get-document', docId: r.docId, start: r.start, end: r.end, rank: li.dataset.rank, seq: state.shownSeq });
  } else {
    p.replaceChildren(...highlighted(r.text, r.highlights));
  }
}

function renderDocument({ rank, seq, text, start, end }) {
  if (seq !== state.shownSeq) return;
  const li = $('results').querySelector(`.result[data-rank="${rank}"]`);
  if (!li || !li.classList.contains('expanded')) return;
  const before = document.createElement('span');
  before.className = 'passage-ctx';
  before.textContent = text.slice(0, start);
  const hit = document.createElement('span');
  hit.className = 'passage-hit';
  hit.textContent = text.slice(start, end);
  const after = document.createElement('span');
  after.className = 'passage-ctx';
  after.textContent = text.slice(end);
  li.querySelector('.result-passage').replaceChildren(before, hit, after);
  delete li.dataset.pending;
  hit.scrollIntoView?.({ block: 'nearest' });
}

// ---- the static index source --------------------------------------------------------------------
// The URL: ?index=URL in the page's address (then the page opens it and searches it), else the
// last one opened, else the index `npm start` builds and demo/serve.js serves at /demo-index/.
const DEFAULT_INDEX = '/demo-index/';
const pageParams = new URLSearchParams(location.search);
$('static-url').value = pageParams.get('index') ?? localStorage.getItem('wasmbed-demo:index') ?? DEFAULT_INDEX;

function openStaticIndex() {
  const url = $('static-url').value.trim();
  if (!url) return;
  localStorage.setItem('wasmbed-demo:index', url);
  state.staticIndex = { state: 'opening', url };
  setStatus('static-status', `Opening ${url}…`);
  $('static-manifest').hidden = true;
  $('static-mismatch').hidden = true;
  send({ type: 'open-index', url: new URL(url, location.href).href });
}
$('static-form').addEventListener('submit', (e) => {
  e.preventDefault();
  openStaticIndex();
  setSource('static');
});

function setSource(source) {
  state.source = source;
  localStorage.setItem('wasmbed-demo:source', source);
  document.querySelector(`input[name=source][value=${source}]`).checked = true;
  // A static index has no BGE-M3 outputs.
  const m3 = document.querySelector('input[name=mode][value=bge-m3]');
  m3.disabled = source === 'static';
  if (m3.disabled && m3.checked) {
    document.querySelector('input[name=mode][value=hybrid]').checked = true;
    state.mode = 'hybrid';
  }
  $('q').placeholder = source === 'static' ? 'Search the static index…  (press / to focus)' : 'Search your documents…  (press / to focus)';
  if (source === 'static' && !state.staticIndex) openStaticIndex();
  runSearch();
}
for (const radio of document.querySelectorAll('input[name=source]')) {
  radio.addEventListener('change', () => setSource(radio.value));
}

function renderIndexInfo(info) {
  if (info.state === 'opening') return;
  if (info.state === 'closed') {
    state.staticIndex = null;
    setStatus('static-status', 'No static index open.');
    $('static-manifest').hidden = true;
    $('static-mismatch').hidden = true;
    return;
  }
  const first = state.staticIndex?.state !== 'open' || state.staticIndex.url !== info.url;
  state.staticIndex = info;
  const m = info.model ?? {};
  $('static-count').textContent = `${info.count.toLocaleString('en')}`;
  $('static-model').textContent = [m.id ?? 'unknown', m.dtype, m.pooling && `${m.pooling} pooling`].filter(Boolean).join(' · ');
  $('static-dims').textContent = `${info.dims} · ${info.metric}`;
  $('static-storage').textContent = `${info.storage}${info.keepFloat ? ' + float32 for rescoring' : ''}${info.lexical ? ' · BM25 segments' : ' · no lexical segments'}`;
  $('static-partitions').textContent = `${info.partitions} (a query fetches only those it probes)`;
  $('static-size').textContent = formatBytes(info.totalBytes);
  $('static-manifest').hidden = false;
  const check = info.check;
  const modelNote = !check ? ' · waiting for the model (lexical search works now)' : check.ok ? ' · the model matches' : ' · the model does not match';
  setStatus('static-status', `Open: ${info.url}${modelNote}`, Boolean(check && !check.ok));
  $('static-mismatch').hidden = !check || check.ok;
  if (check && !check.ok) {
    $('static-mismatch-text').textContent = check.message;
    const target = knownModelFor(check.indexModel?.id);
    $('static-switch').hidden = !target;
    if (target) {
      $('static-switch').textContent = `Load the index's model (${target.label})`;
      $('static-switch').dataset.model = target.source;
      $('static-switch').dataset.dtype = check.indexModel?.dtype ?? '';
    }
  }
  if (state.source === 'static' && (first || $('q').value.trim())) runSearch();
}

function showStaticError(message, url) {
  state.staticIndex = null;
  $('static-manifest').hidden = true;
  $('static-mismatch').hidden = true;
  const hint = url && new URL(url, location.href).pathname === DEFAULT_INDEX && /HTTP 404/.test(message)
    ? ' (npm start builds this one: run it once with ../shared or the committed sample present)' : '';
  setStatus('static-status', `${message}${hint}`, true);
  if (state.source === 'static') setStatus('search-meta', 'The static index could not be opened (see Static index).', true);
}

// The index's model, when the picker knows it: the generated demo model, or a supported model by
// Hub id (or by its repository name, as a local copy is called). { source, label } or null.
function knownModelFor(id) {
  if (!id) return null;
  const name = id.split('/').at(-1);
  if (name === DEMO_MODEL.split('/').filter(Boolean).at(-1)) return { source: DEMO_MODEL, label: 'generated demo model' };
  for (const entry of catalogue.values()) {
    if (entry.id === id || entry.name === name) return { source: entry.id, label: entry.id };
  }
  return null;
}
$('static-switch').addEventListener('click', () => {
  const source = $('static-switch').dataset.model;
  $('model-source').value = source;
  $('model-pick').value = source;
  fillDtypes(source);
  const dtype = $('static-switch').dataset.dtype;
  if (dtype && [...$('model-dtype').options].some((o) => o.value === dtype)) $('model-dtype').value = dtype;
  $('model-form').requestSubmit();
});

// ---- keyboard -----------------------------------------------------------------------------------
document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
  if (e.key === '/' && !typing) {
    e.preventDefault();
    $('q').focus();
    $('q').select();
  }
});
$('q').addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') {
    e.preventDefault();
    $('results').querySelector('.result')?.focus();
  } else if (e.key === 'Enter') {
    clearTimeout(debounce);
    runSearch();
  }
});
$('results').addEventListener('keydown', (e) => {
  const item = e.target.closest('.result');
  if (!item) return;
  if (e.key === 'ArrowDown' || e.key === 'j') {
    e.preventDefault();
    item.nextElementSibling?.focus();
  } else if (e.key === 'ArrowUp' || e.key === 'k') {
    e.preventDefault();
    (item.previousElementSibling ?? $('q')).focus();
  } else if (e.key === 'Escape') {
    $('q').focus();
  } else if (e.key === 'Home') {
    e.preventDefault();
    $('results').firstElementChild?.focus();
  } else if (e.key === 'End') {
    e.preventDefault();
    $('results').lastElementChild?.focus();
  }
});

// ---- formatting ---------------------------------------------------------------------------------
function formatScore(x) {
  return Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3);
}
function formatBytes(n) {
  if (!Number.isFinite(n)) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
function formatDuration(ms) {
  if (ms < 1000) return '<1 s';
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

// ---- start: restore what the last visit left (index from storage, model from cache) -------------
send({ type: 'init', defaultModel: resolveSource($('model-source').value), defaultDtype: localStorage.getItem('wasmbed-demo:dtype') ?? undefined });
// ?index=URL opens that index and searches it; otherwise the source of the last visit.
if (pageParams.has('index') || localStorage.getItem('wasmbed-demo:source') === 'static') setSource('static');
