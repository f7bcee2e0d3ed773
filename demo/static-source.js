// The demo's second source: a prebuilt static index (docs/static-index.md) opened by URL with
// StaticIndex.open, in the search worker where the model lives. Nothing is embedded in the tab but
// the query: dense and hybrid queries probe the index's partitions (fetched on demand), lexical
// ones read only its BM25 segments and document chunks. Runs in search-worker.js.
import { ModelMismatchError, StaticIndex } from '../js/index.js';

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

/**
 * The name the page's model goes by, as the indexer records it (js/indexer/model-identity.js):
 * a Hub id as it is, a URL or folder by its last path segment ("/models/demo-model/" ->
 * "demo-model", as `wasmbed index build --model models/generated/demo-model` records).
 */
export function modelName(source) {
  if (source && typeof source === 'object') return source.local ?? source.name ?? null;
  if (typeof source !== 'string') return null;
  if (HUB_ID.test(source)) return source;
  const url = new URL(source, 'http://x/');
  return url.pathname.split('/').filter(Boolean).at(-1) ?? null;
}

/** Same model name: equal, or one is the other's repository name ("KoE5" and "nlpai-lab/KoE5"). */
function sameName(a, b) {
  if (a === b) return true;
  if (!a || !b || (a.includes('/') && b.includes('/'))) return false;
  return a.split('/').at(-1) === b.split('/').at(-1);
}

// Words of a text as the index's lexical tokenizer ('words-v1') sees them: NFKC, lower case,
// runs of letters and digits. Used to mark the query's words in snippets.
const WORD = /[\p{L}\p{N}]+/gu;
const norm = (w) => w.normalize('NFKC').toLowerCase();

function highlights(text, query) {
  const words = new Set((query.match(WORD) ?? []).map(norm));
  const out = [];
  if (!words.size || !text) return out;
  for (const m of text.matchAll(WORD)) {
    if (!words.has(norm(m[0]))) continue;
    const s = m.index;
    const e = s + m[0].length;
    const last = out.at(-1);
    if (last && /^\s?$/.test(text.slice(last[1], s))) last[1] = e;
    else out.push([s, e]);
  }
  return out;
}

/** What was fetched between two `index.stats` readings. */
function fetchedBetween(a, b) {
  return {
    requests: b.requests - a.requests,
    bytes: b.bytesFetched - a.bytesFetched,
    partitions: b.partitionsFetched - a.partitionsFetched,
    docChunks: b.docChunksFetched - a.docChunksFetched,
    lexicalSegments: b.lexicalSegmentsFetched - a.lexicalSegmentsFetched,
    partitionsInMemory: b.partitionsLoaded - b.partitionsEvicted, // a total, not a difference
  };
}

export class StaticSource {
  url = null;
  index = null;
  /** null (no model yet), { ok: true }, or { ok: false, message, indexModel } for a mismatch. */
  check = null;
  #queue = Promise.resolve(); // searches one at a time, so each one's stats are its own

  /** Opens `url` (replacing the index open now); resolves to the summary. */
  async open(url) {
    const index = await StaticIndex.open(url, { preload: false });
    this.index?.dispose();
    this.index = index;
    this.url = url;
    this.check = null;
    return this.summary();
  }

  close() {
    this.index?.dispose();
    this.index = null;
    this.url = null;
    this.check = null;
  }

  /** The manifest's facts the page shows. */
  summary() {
    if (!this.index) return null;
    const m = this.index.manifest;
    return {
      url: this.url,
      count: m.count,
      model: m.model ?? null,
      dims: m.dims,
      metric: m.metric,
      storage: m.storage,
      keepFloat: m.keepFloat,
      partitions: m.partitions,
      totalBytes: m.totalBytes,
      lexical: Boolean(m.lexical),
      tags: m.tags ?? [],
      check: this.check,
    };
  }

  /**
   * Checks the page's model (`source` as loaded, its Embedder, its dims) against the manifest:
   * StaticIndex.checkModel compares id, dtype, pooling, normalize and dims. Returns this.check.
   */
  checkModel(source, embedder, dims) {
    if (!this.index) return null;
    if (!embedder) {
      this.check = null;
      return null;
    }
    const info = embedder.info;
    const indexModel = this.index.manifest.model ?? {};
    const name = modelName(source);
    const record = {
      id: sameName(name, indexModel.id) ? indexModel.id : name,
      dtype: info.dtype, pooling: info.pooling, normalize: info.normalize, dims,
    };
    try {
      this.index.checkModel(record);
      this.check = { ok: true };
    } catch (err) {
      if (!(err instanceof ModelMismatchError)) throw err;
      this.check = { ok: false, message: err.message, indexModel };
    }
    return this.check;
  }

  /**
   * One query: mode 'dense' | 'hybrid' | 'lexical'. `embedQuery(text)` embeds the query with the
   * page's model (only called for dense / hybrid with a matching model). Resolves to
   * { results, mode, note, fetched, embedMs }.
   */
  search(args) {
    const run = this.#queue.then(() => this.#search(args));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #search({ query, mode, k, embedQuery }) {
    const index = this.index;
    const m = index.manifest;
    let effective = mode === 'bge-m3' ? 'hybrid' : mode;
    let note = mode === 'bge-m3' ? 'a static index has no BGE-M3 outputs: hybrid used' : '';
    if (effective !== 'lexical' && !this.check) {
      effective = 'lexical';
      note = 'model not loaded: lexical only';
    } else if (effective !== 'lexical' && !this.check.ok) {
      effective = 'lexical';
      note = 'the model does not match the index (see Static index): lexical only';
    }
    if (effective !== 'dense' && !m.lexical) {
      if (effective === 'lexical') return { results: [], mode: effective, note: 'this index has no lexical segments (built without texts)', fetched: null, embedMs: 0 };
      effective = 'dense';
      note = 'this index has no lexical segments: dense only';
    }
    const before = index.stats;
    let hits;
    let embedMs = 0;
    if (effective === 'lexical') {
      hits = await index.lexicalSearch(query, { k, documents: true });
    } else {
      const t = performance.now();
      const vector = await embedQuery(query, m.model?.queryPrompt ?? null);
      embedMs = performance.now() - t;
      hits = await index.search(vector, { k, hybrid: effective === 'hybrid', text: query, documents: true });
    }
    const scoreLabel = { dense: m.metric === 'dot' ? 'dot' : 'cosine', lexical: 'BM25', hybrid: 'RRF' }[effective];
    const results = hits.map((h) => {
      const meta = h.metadata ?? {};
      const facts = [h.id, `row ${h.row}`];
      for (const [key, value] of Object.entries(meta)) {
        if (key === 'title') continue;
        facts.push(`${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : value}`);
      }
      const text = h.text ?? '';
      return {
        docId: h.id,
        title: typeof meta.title === 'string' && meta.title ? meta.title : h.id,
        score: h.score,
        scoreLabel,
        where: facts.join(' · '),
        text,
        highlights: highlights(text, query),
        static: true,
      };
    });
    return { results, mode: effective, note, fetched: fetchedBetween(before, index.stats), embedMs };
  }
}
