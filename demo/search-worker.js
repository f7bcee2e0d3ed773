// The demo's engine, in a Web Worker: owns the model (Embedder), the tokenizer, the dense and
// lexical indexes, the documents, and their storage. The page (app.js) only sends requests and
// draws what comes back, so indexing hundreds of documents never freezes typing.
//
// The second source, a prebuilt static index opened by URL, lives here too (static-source.js):
// its queries are embedded with the same model, its documents never are.
//
// Messages in:  init, load-model, add-documents, cancel, resume, search, get-document, clear,
//               open-index, close-index
// Messages out: status, model-progress, index-progress, results, document, index-info, error
import { Embedder, LexicalIndex, Tokenizer, VectorIndex, openModelSource, rrf } from '../js/index.js';
import { M3_OUTPUTS, m3IndexFor } from './m3-mode.js';
import { chunkSpans, tokenize } from '../js/search/chunker.js';
import { parseDocuments } from './documents.js';
import { StaticSource } from './static-source.js';
import * as store from './store.js';

const STATE_VERSION = 1;
const EMBED_BATCH = 32;
const PASSAGE_OVERLAP = 24;

const post = (msg) => self.postMessage(msg);

/** Everything the worker knows. Passages and documents are plain data, saved as one record. */
const S = {
  model: null,          // Embedder
  modelInfo: { state: 'none' },
  modelKey: null,       // what the stored vectors were made with
  tokenizer: null,
  dense: null,          // VectorIndex
  lexical: null,        // LexicalIndex
  m3: null,             // M3Index for the 'bge-m3' mode (demo/m3-mode.js), saved with the others
  savedM3: null,        // its saved bytes from the last session, until the model is loaded
  docs: new Map(),      // docId -> { id, title, text, passages: [passageId] }
  passages: new Map(),  // passageId -> { id, docId, index, start, end }
  nextDoc: 1,
  nextPassage: 1,
  pending: [],          // documents waiting for a model (or queued behind the running job)
  stale: new Map(),     // docId -> document whose vectors must be rebuilt for the current model
  job: null,            // the running indexing job: { controller, docs }
  restored: false,
  note: '',
  embeddedPassages: 0,  // passages embedded in this tab (in-tab indexing only)
  queriesEmbedded: 0,   // queries embedded (both sources)
};

const staticSource = new StaticSource();

self.addEventListener('message', (e) => {
  handle(e.data).catch((err) => {
    console.error(err);
    const context = e.data?.type === 'load-model' ? 'model' : e.data?.type === 'open-index' ? 'static'
      : e.data?.type === 'search' && e.data.source === 'static' ? 'static-search' : e.data?.type ?? 'worker';
    post({ type: 'error', context, message: describeError(err), url: e.data?.url });
  });
});

async function handle(msg) {
  switch (msg.type) {
    case 'init': return init(msg);
    case 'load-model': return loadModel(msg.source, { reindex: true, dtype: msg.dtype });
    case 'add-documents': return addDocuments(msg.items);
    case 'cancel': return cancel();
    case 'resume': return resume();
    case 'search': return search(msg);
    case 'get-document': return getDocument(msg);
    case 'clear': return clearAll();
    case 'open-index': return openIndex(msg.url);
    case 'close-index': return closeIndex();
    default: throw new Error(`unknown message ${msg.type}`);
  }
}

function describeError(err) {
  if (!err) return 'unknown error';
  const where = err.file ? ` (${err.file})` : '';
  return `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message ?? String(err)}${where}`;
}

function status(extra = {}) {
  post({
    type: 'status',
    model: S.modelInfo,
    docs: S.docs.size,
    passages: S.passages.size,
    pending: S.pending.length,
    paused: pausedDocs().length,
    indexing: Boolean(S.job),
    ready: Boolean(S.model) && !S.job,
    restored: S.restored,
    note: S.note,
    embeddedPassages: S.embeddedPassages,
    queriesEmbedded: S.queriesEmbedded,
    ...extra,
  });
}

// ---- start-up: restore the saved index, then the model from cache ------------------------------
async function init({ defaultModel, defaultDtype }) {
  let saved = null;
  try {
    saved = await store.get('state');
  } catch (err) {
    S.note = `storage unavailable: ${err.message}`;
  }
  const source = saved?.source ?? defaultModel;
  const dtype = saved?.source ? saved.dtype : defaultDtype;
  if (saved?.version === STATE_VERSION) {
    S.docs = new Map(saved.docs.map((d) => [d.id, d]));
    S.passages = new Map(saved.passages.map((p) => [p.id, p]));
    S.nextDoc = saved.nextDoc;
    S.nextPassage = saved.nextPassage;
    S.modelKey = saved.modelKey;
    S.stale = new Map((saved.stale ?? []).map((d) => [d.id, d]));
    S.pending.push(...S.stale.values()); // a re-index that was interrupted continues
    try {
      S.dense = saved.dense ? await VectorIndex.load(saved.dense) : null;
      S.lexical = saved.lexical ? await LexicalIndex.load(saved.lexical) : null;
      // The BGE-M3 index needs the model (to know it has heads): restored in loadModel().
      S.savedM3 = saved.m3 ?? null;
      S.restored = S.docs.size > 0;
    } catch (err) {
      // A stored index that no longer loads (e.g. format change): keep the documents, rebuild.
      S.note = `stored index could not be read (${err.message}); re-indexing`;
      S.dense = null;
      S.lexical = null;
      S.savedM3 = null;
      requeueAll();
    }
  }
  status({ changed: true });
  if (source) await loadModel(source, { reindex: false, dtype });
}

// The stored vectors' model: the source, and the dtype when not fp32 (keys saved before dtypes
// were offered stay valid).
function modelKeyOf(source, dtype) {
  const key = typeof source === 'string' ? source : `local:${source.name ?? source.local}`;
  return dtype && dtype !== 'fp32' ? `${key}#${dtype}` : key;
}

// ---- model --------------------------------------------------------------------------------------
let modelLoad = null;

async function loadModel(source, { reindex, dtype }) {
  modelLoad?.abort();
  const controller = new AbortController();
  modelLoad = controller;
  const key = modelKeyOf(source, dtype);
  const name = typeof source === 'string' ? source : `${source.name ?? source.local} (local folder)`;
  S.modelInfo = { state: 'loading', name };
  status();
  let files = null;
  try {
    if (typeof source === 'string') {
      files = source;
    } else if (source.files) {
      // A picked folder: read it once, keep a copy so a reload works without picking it again.
      files = {};
      for (const [path, file] of Object.entries(source.files)) files[path] = new Uint8Array(await file.arrayBuffer());
      await store.putAll({ 'local-model': { name: source.name, files } }).catch(() => {});
    } else if (source.local) {
      const saved = await store.get('local-model');
      if (!saved || saved.name !== source.local) throw new Error(`the local model folder "${source.local}" is no longer stored: open it again`);
      files = saved.files;
    }
    if (!S.tokenizer && S.modelKey === key && S.passages.size) await loadTokenizerFirst(files, name, controller.signal);
    const started = performance.now();
    let fromNetwork = false;
    const model = await Embedder.load(files, {
      signal: controller.signal,
      ...(dtype ? { dtype } : {}),
      onProgress: (p) => {
        if (p && !p.cached && p.loaded != null) fromNetwork = true;
        post({ type: 'model-progress', loaded: p?.loaded ?? 0, total: p?.total ?? 0, file: p?.file });
      },
    });
    if (modelLoad !== controller) {
      await model.dispose?.();
      return;
    }
    await S.model?.dispose?.();
    S.model = model;
    S.tokenizer = model.tokenizer;
    S.earlyTokenizer?.dispose();
    S.earlyTokenizer = null;
    const info = model.info;
    // Threads: what ONNX Runtime Web settled on (it sets env.wasm.numThreads when the session starts).
    const wasmEnv = model.ort?.env?.wasm;
    S.modelInfo = {
      state: 'ready',
      name,
      dims: (await model.embedFlat(['probe'])).dims,
      maxLength: info.maxLength,
      backend: `${info.device}${info.device === 'wasm' && wasmEnv?.simd !== false ? ' (SIMD)' : ''}`,
      deviceReason: info.deviceReason,
      threads: info.device === 'wasm' ? (wasmEnv?.numThreads || 1) : info.device === 'webgpu' ? 'GPU' : 'native',
      loadMs: Math.round(performance.now() - started),
      fromCache: !fromNetwork,
      dtype: info.dtype,
      // A generated model (wasmbed make-model, e.g. the default demo model) has random weights:
      // the page says so, since its dense rankings mean nothing.
      generated: await isGenerated(files),
    };
    const changed = S.modelKey !== key;
    // BGE-M3 mode: only for models with the sparse / ColBERT heads (demo/m3-mode.js); the saved
    // index is reused when it was built with this model (same key), as the dense one is.
    S.m3?.dispose();
    S.m3 = null; // passages committed while probing get no BGE-M3 entry: the mode then falls back
    const savedM3 = changed ? null : S.savedM3;
    S.savedM3 = null;
    const m3 = await m3IndexFor(model, S.modelInfo.dims, savedM3);
    S.m3 = m3.index;
    if (m3.note) S.note = m3.note;
    S.modelInfo.m3 = Boolean(S.m3);
    if (changed && S.job) {
      // The running job embeds with the previous model: stop it; its documents are queued again.
      const inflight = S.job.docs;
      S.job.controller.abort(new Error('model changed'));
      S.pending.unshift(...inflight.filter((d) => !S.docs.has(d.id) && !S.stale.has(d.id)));
    }
    if (changed && (S.docs.size > 0 || S.stale.size > 0)) {
      // Vectors from another model are meaningless with this one: rebuild from the documents.
      S.note = reindex || S.modelKey ? 're-indexing for the new model' : '';
      S.dense = null;
      S.lexical = null;
      requeueAll();
    }
    S.modelKey = key;
    S.lastSource = typeof source === 'string' ? source : { local: source.name ?? source.local };
    S.lastDtype = dtype ?? null;
    status({ changed: true });
    checkStaticModel();
    await saveState();
    pump();
  } catch (err) {
    if (controller.signal.aborted && modelLoad !== controller) return;
    S.modelInfo = { state: 'error', name, error: describeError(err) };
    status();
  }
}

// After a reload: the tokenizer (one small JSON file, from the cache) is enough for lexical
// search over the restored index, so search works while ONNX Runtime is still compiling.
async function loadTokenizerFirst(files, name, signal) {
  try {
    const src = await openModelSource(files, { signal });
    const tokenizer = await Tokenizer.fromJSON(await src.bytes('tokenizer.json'));
    if (S.tokenizer) {
      tokenizer.dispose();
      return;
    }
    S.tokenizer = tokenizer;
    S.earlyTokenizer = tokenizer;
    S.modelInfo = { state: 'tokenizer', name };
    status({ changed: true });
  } catch {
    // no tokenizer.json (a SentencePiece model) or not cached: wait for the full model
  }
}

/** Does the model's config.json carry the generator's marker (models/generator: random weights)? */
async function isGenerated(files) {
  try {
    const src = await openModelSource(files);
    return Boolean((await src.json('config.json')).wasmbed_generated);
  } catch {
    return false;
  }
}

// Documents whose passages/vectors must be rebuilt (model change, unreadable index).
// They stay known (S.stale, saved) until re-indexed, so cancelling or closing the tab never loses them.
function requeueAll() {
  const docs = [...S.docs.values(), ...S.stale.values()];
  S.docs.clear();
  S.passages.clear();
  S.stale.clear();
  for (const d of docs) S.stale.set(d.id, { id: d.id, title: d.title, text: d.text });
  S.pending = S.pending.filter((d) => !S.stale.has(d.id));
  S.pending.unshift(...S.stale.values());
}

// Stale documents that are neither queued nor being indexed (after a cancel).
function pausedDocs() {
  const queued = new Set([...S.pending.map((d) => d.id), ...(S.job?.docs.map((d) => d.id) ?? [])]);
  return [...S.stale.values()].filter((d) => !queued.has(d.id));
}

function resume() {
  S.pending.push(...pausedDocs());
  S.note = '';
  status();
  pump();
}

// ---- documents and indexing ---------------------------------------------------------------------
async function addDocuments(items) {
  let added = 0;
  let skipped = 0;
  for (const item of items) {
    const parsed = parseDocuments(item);
    skipped += parsed.skipped;
    for (const d of parsed.docs) {
      S.pending.push({ id: `d${S.nextDoc++}`, title: d.title, text: d.text, sourceId: d.sourceId });
      added += 1;
    }
  }
  S.note = `${added} document${added === 1 ? '' : 's'} added${skipped ? `, ${skipped} line(s) skipped (no text)` : ''}`;
  status();
  pump();
}

// Starts an indexing job when there is work and a model, and none is running.
function pump() {
  if (S.job || !S.model || S.pending.length === 0) return;
  const docs = S.pending.splice(0);
  const job = { controller: new AbortController(), docs };
  S.job = job;
  runJob(job)
    .catch((err) => {
      if (!job.controller.signal.aborted) post({ type: 'error', context: 'index', message: describeError(err) });
    })
    .finally(async () => {
      S.job = null;
      await saveState().catch((err) => post({ type: 'error', context: 'index', message: `saving failed: ${describeError(err)}` }));
      status({ changed: true });
      pump();
    });
}

function yieldToEventLoop() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function maxPassageTokens() {
  const max = S.modelInfo.maxLength ?? 512;
  // Room for the special tokens the model adds ([CLS] ... [SEP] / <s> ... </s>), capped so that
  // passages stay short enough to be specific.
  return Math.max(16, Math.min(max - 2, 256));
}

async function runJob(job) {
  const { signal } = job.controller;
  const started = performance.now();
  // 1. Chunk every document (fast: tokenizer only), so the progress total is known.
  const work = [];
  for (const doc of job.docs) {
    const { ids, spans } = await tokenize(S.tokenizer, doc.text);
    const ranges = chunkSpans(doc.text, spans, { maxTokens: maxPassageTokens(), overlapTokens: PASSAGE_OVERLAP });
    const passages = ranges.map((r, index) => ({
      index,
      start: r.start,
      end: r.end,
      tokens: ids.subarray(r.tokenStart, r.tokenEnd),
    }));
    if (passages.length) work.push({ doc, passages });
    if (signal.aborted) break;
  }
  const total = work.reduce((n, w) => n + w.passages.length, 0);
  let done = 0;
  post({ type: 'index-progress', done, total, etaMs: null, rate: 0 });
  await ensureIndexes();

  // 2. Embed passages in batches; a document enters the indexes only when all its passages are
  //    embedded, so cancelling never leaves half a document searchable.
  const flat = [];
  for (const w of work) {
    w.first = flat.length;
    for (const p of w.passages) flat.push({ w, p });
  }
  const vectors = new Array(flat.length);
  const m3Entries = new Array(flat.length); // BGE-M3 outputs per passage (when S.m3)
  let nextCommit = 0;
  for (let at = 0; at < flat.length; at += EMBED_BATCH) {
    // ONNX Runtime's WASM run completes through promise callbacks only, so without a real task
    // boundary here the 'cancel' and 'search' messages would wait for the whole job.
    await yieldToEventLoop();
    if (signal.aborted) break;
    const batch = flat.slice(at, at + EMBED_BATCH);
    const texts = batch.map(({ w, p }) => w.doc.text.slice(p.start, p.end));
    // With BGE-M3 heads the same encoder pass also gives lexical weights and ColBERT vectors.
    const full = S.m3 ? await S.model.embed(texts, { prompt: passagePrompt(), signal, outputs: M3_OUTPUTS }) : null;
    const out = full ? full.map((e) => e.dense) : await S.model.embed(texts, { prompt: passagePrompt(), signal });
    full?.forEach((e, i) => { m3Entries[at + i] = e; });
    if (signal.aborted) break; // e.g. the model changed meanwhile: these vectors are not wanted
    out.forEach((v, i) => { vectors[at + i] = v; });
    done += batch.length;
    S.embeddedPassages += batch.length;
    // Commit every document whose passages are all embedded.
    while (nextCommit < work.length) {
      const w = work[nextCommit];
      if (w.first + w.passages.length > done) break;
      commitDocument(w, vectors.slice(w.first, w.first + w.passages.length), m3Entries.slice(w.first, w.first + w.passages.length));
      nextCommit += 1;
    }
    const elapsed = performance.now() - started;
    const rate = done / (elapsed / 1000);
    post({ type: 'index-progress', done, total, rate, etaMs: rate > 0 ? ((total - done) / rate) * 1000 : null });
    status();
  }
  const empty = job.docs.length - work.length;
  const notDone = job.docs.filter((d) => !S.docs.has(d.id));
  const paused = notDone.filter((d) => S.stale.has(d.id)).length;
  S.note = signal.aborted
    ? `indexing cancelled: ${nextCommit} document(s) indexed, ${notDone.length - paused} not added${paused ? `, ${paused} paused` : ''}`
    : `indexed ${nextCommit} document(s) in ${((performance.now() - started) / 1000).toFixed(1)} s${empty ? `, ${empty} empty one(s) skipped` : ''}`;
}

async function ensureIndexes() {
  const dims = S.modelInfo.dims;
  if (!S.dense) S.dense = await VectorIndex.create({ dims, metric: 'cosine', storage: 'float32' });
  if (!S.lexical) S.lexical = await LexicalIndex.create();
}

// 'passage' / 'query' prompts only when the model defines them (E5-style models); other models
// embed queries and documents the same way.
function passagePrompt() {
  return 'passage' in (S.model.info.prompts ?? {}) ? 'passage' : null;
}
function queryPrompt() {
  return 'query' in (S.model.info.prompts ?? {}) ? 'query' : null;
}

function commitDocument(w, vecs, m3 = []) {
  const doc = { id: w.doc.id, title: w.doc.title, text: w.doc.text, passages: [] };
  const ids = [];
  for (const p of w.passages) {
    const id = S.nextPassage++;
    S.passages.set(id, { id, docId: doc.id, index: p.index, start: p.start, end: p.end });
    doc.passages.push(id);
    ids.push(id);
    S.lexical.add(id, p.tokens);
  }
  const rows = new Float32Array(vecs.length * S.dense.dims);
  vecs.forEach((v, i) => rows.set(v, i * S.dense.dims));
  S.dense.addBatch(ids, rows);
  ids.forEach((id, k) => { if (m3[k]) S.m3?.add(id, m3[k]); });
  S.docs.set(doc.id, doc);
  S.stale.delete(doc.id);
}

function cancel() {
  // New documents not yet indexed are dropped; documents being re-indexed for a new model pause.
  const dropped = S.pending.filter((d) => !S.stale.has(d.id)).length;
  if (S.pending.length) S.note = `cancelled${dropped ? `: ${dropped} queued document(s) not added` : ''}`;
  S.pending = [];
  S.job?.controller.abort(new Error('cancelled by the user'));
  status();
}

async function saveState() {
  await store.putAll({
    state: {
      version: STATE_VERSION,
      source: S.lastSource,
      dtype: S.lastDtype ?? null,
      modelKey: S.modelKey,
      docs: [...S.docs.values()],
      passages: [...S.passages.values()],
      nextDoc: S.nextDoc,
      nextPassage: S.nextPassage,
      stale: [...S.stale.values()],
      dense: S.dense && S.passages.size ? S.dense.save() : null,
      lexical: S.lexical && S.passages.size ? S.lexical.save() : null,
      // Same record, same transaction: the three indexes are always saved together.
      m3: S.m3 && S.m3.size ? S.m3.save() : null,
    },
  });
}

async function clearAll() {
  S.job?.controller.abort(new Error('index cleared'));
  S.pending = [];
  S.stale.clear();
  S.docs.clear();
  S.passages.clear();
  S.dense = null;
  S.lexical = null;
  if (S.m3) {
    S.m3.dispose();
    S.m3 = null;
    S.m3 = (await m3IndexFor(S.model, S.modelInfo.dims)).index;
  }
  S.note = 'index cleared';
  await saveState();
  status({ changed: true });
}

// ---- search -------------------------------------------------------------------------------------
const RRF_K = 60;

async function search({ seq, query, mode, k = 10, sentAt, source }) {
  if (source === 'static') return searchStatic({ seq, query, mode, k, sentAt });
  const t0 = performance.now();
  if (!S.passages.size || !S.tokenizer) {
    post({ type: 'results', seq, query, mode, results: [], ms: 0, sentAt, note: S.tokenizer ? 'the index is empty' : 'no model loaded yet' });
    return;
  }
  let effective = mode;
  let note = '';
  if (mode !== 'lexical' && !S.model) {
    effective = 'lexical';
    note = 'model not loaded: lexical only';
  }
  if (effective === 'bge-m3' && !(S.m3 && S.m3.size === S.passages.size)) {
    note = S.m3 ? 'BGE-M3 outputs are missing for some passages: hybrid used' : 'this model has no BGE-M3 sparse / ColBERT heads: hybrid used';
    effective = 'hybrid';
  }
  const { ids: qIds } = await tokenize(S.tokenizer, query);
  const depth = Math.min(S.passages.size, k * 5);
  let dense = [];
  let lexical = [];
  if (effective !== 'lexical' && effective !== 'bge-m3') {
    const [q] = await S.model.embed([query], { prompt: queryPrompt() });
    S.queriesEmbedded += 1;
    dense = S.dense.search(q, { k: depth });
  }
  if (effective !== 'dense' && effective !== 'bge-m3' && qIds.length) lexical = S.lexical.search(qIds, { k: depth });
  let ranked;
  let scoreLabel;
  if (effective === 'bge-m3') {
    const [q] = await S.model.embed([query], { prompt: queryPrompt(), outputs: M3_OUTPUTS });
    S.queriesEmbedded += 1;
    ranked = S.m3.search(q, { k: depth });
    scoreLabel = 'BGE-M3';
  } else if (effective === 'dense') {
    ranked = dense;
    scoreLabel = 'cosine';
  } else if (effective === 'lexical') {
    ranked = lexical;
    scoreLabel = 'BM25';
  } else {
    ranked = rrf([dense, lexical], { k: RRF_K });
    scoreLabel = 'RRF';
  }
  // One result per document: its best passage.
  const results = [];
  const seen = new Set();
  const qSet = new Set(qIds);
  for (const hit of ranked) {
    const p = S.passages.get(Number(hit.id));
    if (!p || seen.has(p.docId)) continue;
    seen.add(p.docId);
    const doc = S.docs.get(p.docId);
    const text = doc.text.slice(p.start, p.end);
    results.push({
      docId: doc.id,
      title: doc.title,
      score: hit.score,
      scoreLabel,
      passageIndex: p.index,
      passageCount: doc.passages.length,
      start: p.start,
      end: p.end,
      text,
      highlights: await highlights(text, qSet),
    });
    if (results.length >= k) break;
  }
  post({ type: 'results', seq, query, mode: effective, results, ms: performance.now() - t0, sentAt, note });
}

// Character ranges of the passage's words whose every token occurs in the query (adjacent words
// merged). Whole words, not single pieces: with a subword vocabulary 'guitar' shares '##a' with
// 'small', and marking that 'a' would be noise.
async function highlights(text, qSet) {
  if (qSet.size === 0) return [];
  const { ids, spans } = await tokenize(S.tokenizer, text);
  const isWordy = (i) => /[\p{L}\p{N}]/u.test(text.slice(spans[2 * i], spans[2 * i + 1]));
  const out = [];
  let i = 0;
  while (i < ids.length) {
    // A word: a run of letter/digit tokens with no gap between them.
    let j = i + 1;
    if (isWordy(i)) while (j < ids.length && spans[2 * j] === spans[2 * j - 1] && isWordy(j)) j += 1;
    let all = isWordy(i);
    for (let t = i; t < j && all; t += 1) all = qSet.has(ids[t]);
    if (all) {
      const s = spans[2 * i];
      const e = spans[2 * j - 1];
      const last = out.at(-1);
      if (last && /^\s?$/.test(text.slice(last[1], s))) last[1] = e;
      else out.push([s, e]);
    }
    i = j;
  }
  return out;
}

function getDocument({ docId, start, end, rank, seq }) {
  const doc = S.docs.get(docId);
  if (!doc) return;
  post({ type: 'document', docId, text: doc.text, start, end, rank, seq });
}

// ---- the static index source (static-source.js) ------------------------------------------------
async function openIndex(url) {
  post({ type: 'index-info', state: 'opening', url });
  const summary = await staticSource.open(url);
  checkStaticModel(false);
  post({ type: 'index-info', state: 'open', ...summary, check: staticSource.check });
}

function closeIndex() {
  staticSource.close();
  post({ type: 'index-info', state: 'closed' });
}

// The page's model against the open index's manifest; the page shows a mismatch plainly.
function checkStaticModel(announce = true) {
  if (!staticSource.index) return;
  const ready = S.model && S.modelInfo.state === 'ready';
  staticSource.checkModel(S.lastSource, ready ? S.model : null, S.modelInfo.dims);
  if (announce) post({ type: 'index-info', state: 'open', ...staticSource.summary(), check: staticSource.check });
}

async function searchStatic({ seq, query, mode, k, sentAt }) {
  const t0 = performance.now();
  if (!staticSource.index) {
    post({ type: 'results', seq, query, mode, results: [], ms: 0, sentAt, note: 'no static index open', source: 'static' });
    return;
  }
  const embedQuery = async (text, promptText) => {
    const [q] = await S.model.embed([text], promptText ? { promptText } : { prompt: queryPrompt() });
    S.queriesEmbedded += 1;
    return q;
  };
  const r = await staticSource.search({ query, mode, k, embedQuery });
  post({ type: 'results', seq, query, ...r, ms: performance.now() - t0, sentAt, source: 'static', embeddedPassages: S.embeddedPassages, queriesEmbedded: S.queriesEmbedded });
}
