// Hybrid retrieval over BGE-M3's three outputs, as the BGE-M3 paper recommends: candidates come
// from the dense index (VectorIndex, cosine) and the sparse inverted index (LexicalIndex with
// 'sparse' scoring: sum of w_q * w_p over shared token ids); the union of both shortlists is then
// re-scored with all three scores (dense, lexical, ColBERT MaxSim over the stored multi-vectors)
// and ranked by the weighted combination sum(w_k * s_k) / sum(w_k).
import { loadCore } from '../internal/core.js';
import { withHeapCopies } from '../internal/heap.js';
import { CorruptDataError, DisposedError, InvalidArgumentError } from '../errors.js';
import { callCore } from '../internal/call-core.js';
import { VectorIndex, checkId } from '../search/vector-index.js';
import { LexicalIndex } from '../search/lexical-index.js';
import { weightedScore } from './heads.js';
import { COLBERT_DTYPES, colbertBytes, decodeColbert, encodeColbert } from './colbert-storage.js';
import { decodeM3, encodeM3 } from './m3-format.js';

export const M3_MODES = ['hybrid', 'dense', 'sparse', 'colbert'];
const DEFAULT_WEIGHTS = { dense: 0.4, sparse: 0.2, colbert: 0.4 }; // BGE-M3 README

// NaN or infinite values would make every later search throw (or rank garbage): refused up front.
function checkFinite(values, what) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InvalidArgumentError(`${what}[${i}] is ${values[i]} (values must be finite)`);
  }
}

function checkEntry(entry, what, { dims, colbertDim }) {
  if (!entry || typeof entry !== 'object') throw new InvalidArgumentError(`${what} must be { dense, sparse, colbert } (embed(..., { outputs: [...] }) output)`);
  const { dense, sparse, colbert } = entry;
  if (dense !== undefined && (!(dense instanceof Float32Array) || dense.length !== dims)) throw new InvalidArgumentError(`${what}.dense must be a Float32Array of ${dims} values`);
  if (sparse !== undefined && (!(sparse.ids instanceof Int32Array) || !(sparse.weights instanceof Float32Array) || sparse.ids.length !== sparse.weights.length)) {
    throw new InvalidArgumentError(`${what}.sparse must be { ids: Int32Array, weights: Float32Array } of equal length`);
  }
  if (colbert !== undefined) {
    if (!Number.isInteger(colbert.count) || !Number.isInteger(colbert.dim) || colbert.vectors?.length !== colbert.count * colbert.dim) {
      throw new InvalidArgumentError(`${what}.colbert must be { vectors, count, dim } with count * dim values`);
    }
    if (colbertDim !== null && colbert.dim !== colbertDim) throw new InvalidArgumentError(`${what}.colbert has dim ${colbert.dim}, the index holds ${colbertDim}`);
  }
  if (dense !== undefined) checkFinite(dense, `${what}.dense`);
  if (sparse !== undefined) checkFinite(sparse.weights, `${what}.sparse.weights`);
  if (colbert !== undefined) checkFinite(colbert.vectors, `${what}.colbert.vectors`);
}

export class M3Index {
  #core; #dense; #sparse; #colbert = new Map(); #sparseVecs = new Map(); #colbertStorage; #colbertDim = null; #dims; #weights; #disposed = false;

  /** @private use M3Index.create() */
  constructor(core, dense, sparse, { dims, colbertStorage, weights }) {
    this.#core = core;
    this.#dense = dense;
    this.#sparse = sparse;
    this.#dims = dims;
    this.#colbertStorage = colbertStorage;
    this.#weights = weights;
  }

  /**
   * @param {{ dims: number, colbertStorage?: 'float32'|'float16'|'int8', weights?: { dense?: number, sparse?: number, colbert?: number } }} options
   */
  static async create({ dims, colbertStorage = 'float32', weights = DEFAULT_WEIGHTS } = {}) {
    if (!Number.isInteger(dims) || dims < 1) throw new InvalidArgumentError(`M3Index: dims must be a positive integer, got ${dims}`);
    if (!COLBERT_DTYPES.includes(colbertStorage)) throw new InvalidArgumentError(`M3Index: colbertStorage must be one of ${COLBERT_DTYPES.join(', ')}`);
    checkWeights(weights);
    const [core, dense, sparse] = await Promise.all([loadCore(), VectorIndex.create({ dims, metric: 'cosine' }), LexicalIndex.create({ scoring: 'sparse' })]);
    return new M3Index(core, dense, sparse, { dims, colbertStorage, weights: { ...weights } });
  }

  #live() {
    if (this.#disposed) throw new DisposedError('M3Index: this M3Index has been disposed');
  }

  /**
   * Restores an index saved by save(): same passages, weights and ColBERT storage. Truncated or
   * corrupted bytes raise CorruptDataError, a newer format UnsupportedError.
   * @param {Uint8Array} bytes
   */
  static async load(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('M3Index.load: bytes must be a Uint8Array');
    const { meta, dense: denseBytes, sparse: sparseBytes, entries } = decodeM3(bytes);
    const { dims, colbertStorage, colbertDim, weights } = meta;
    if (!Number.isInteger(dims) || dims < 1) throw new CorruptDataError(`M3Index bytes are corrupt: dims ${dims}`);
    try {
      checkWeights(weights);
    } catch (err) {
      throw new CorruptDataError(`M3Index bytes are corrupt: ${err.message}`);
    }
    const core = await loadCore();
    const dense = await VectorIndex.load(denseBytes);
    let sparse;
    try {
      sparse = await LexicalIndex.load(sparseBytes);
      if (dense.dims !== dims) throw new CorruptDataError(`M3Index bytes are corrupt: dense index has ${dense.dims} dims, header says ${dims}`);
      if (dense.size !== entries.length || sparse.size !== entries.length) {
        throw new CorruptDataError(`M3Index bytes are corrupt: ${entries.length} entries, dense index holds ${dense.size}, sparse ${sparse.size}`);
      }
    } catch (err) {
      dense.dispose();
      sparse?.dispose();
      throw err;
    }
    const index = new M3Index(core, dense, sparse, { dims, colbertStorage, weights });
    index.#colbertDim = entries.length ? colbertDim : null;
    for (const e of entries) {
      if (!dense.has(e.id) || index.#colbert.has(e.id)) {
        index.dispose();
        throw new CorruptDataError(`M3Index bytes are corrupt: entry id ${e.id} is ${index.#colbert.has(e.id) ? 'repeated' : 'not in the dense index'}`);
      }
      index.#sparseVecs.set(e.id, e.sparse);
      index.#colbert.set(e.id, e.colbert);
    }
    return index;
  }

  /** Serializes the whole index (dense, lexical, ColBERT; versioned, CRC-32) into a new Uint8Array. */
  save() {
    this.#live();
    const entries = [];
    for (const [id, colbert] of this.#colbert) entries.push({ id, sparse: this.#sparseVecs.get(id), colbert });
    const meta = { dims: this.#dims, colbertStorage: this.#colbertStorage, colbertDim: this.#colbertDim, weights: this.#weights, count: entries.length };
    return encodeM3({ meta, dense: this.#dense.save(), sparse: this.#sparse.save(), entries });
  }

  get size() { this.#live(); return this.#colbert.size; }
  get colbertStorage() { return this.#colbertStorage; }

  /** Bytes the stored ColBERT vectors take (payload + int8 scales). */
  get colbertBytes() {
    let total = 0;
    for (const c of this.#colbert.values()) total += colbertBytes(c);
    return total;
  }

  /** Adds a passage: { dense, sparse, colbert } as returned by embed(..., { outputs }). */
  add(id, entry) {
    this.#live();
    checkId(id);
    checkEntry(entry, 'entry', { dims: this.#dims, colbertDim: this.#colbertDim });
    if (!entry.dense || !entry.sparse || !entry.colbert) throw new InvalidArgumentError('M3Index.add: the entry needs dense, sparse and colbert (embed with outputs: ["dense", "sparse", "colbert"])');
    if (this.#colbert.has(id)) throw new InvalidArgumentError(`M3Index.add: id ${id} is already in the index`);
    // Everything that can fail happens before the first index changes; the lexical add, the one
    // step after the dense add that could still refuse, is undone by removing the dense row.
    const colbert = encodeColbert(entry.colbert, this.#colbertStorage);
    this.#dense.add(id, entry.dense);
    try {
      this.#sparse.add(id, entry.sparse);
    } catch (err) {
      this.#dense.remove(id);
      throw err;
    }
    this.#colbertDim = entry.colbert.dim;
    this.#sparseVecs.set(id, { ids: entry.sparse.ids.slice(), weights: entry.sparse.weights.slice() });
    this.#colbert.set(id, colbert);
  }

  remove(id) {
    this.#live();
    checkId(id);
    if (!this.#colbert.delete(id)) return false;
    this.#sparseVecs.delete(id);
    this.#dense.remove(id);
    this.#sparse.remove(id);
    return true;
  }

  /** Lexical score of a query against a stored passage (ids sorted, as the heads emit them). */
  #sparseScore(q, id) {
    const p = this.#sparseVecs.get(id);
    if (q.ids.length === 0 || p.ids.length === 0) return 0;
    return withHeapCopies(this.#core, [q.ids, q.weights, p.ids, p.weights], ([qi, qw, pi, pw]) =>
      callCore(() => this.#core.sparseScore(qi, qw, q.ids.length, pi, pw, p.ids.length)));
  }

  /** ColBERT score of a query against a stored passage (MaxSim mean over query vectors). */
  #colbertScore(q, id) {
    const p = decodeColbert(this.#colbert.get(id));
    if (q.count === 0 || p.count === 0) return 0;
    return withHeapCopies(this.#core, [q.vectors, p.vectors], ([qa, pa]) => callCore(() => this.#core.colbertScore(qa, q.count, pa, p.count, q.dim)));
  }

  /**
   * Top-k passages: [{ id, score, scores: { dense, sparse, colbert } }], best first.
   * mode 'hybrid' (default): shortlist = dense top `candidates` ∪ sparse top `candidates`, then
   * ranked by the weighted combination of all three scores. 'dense' / 'sparse': that index alone.
   * 'colbert': the same shortlist re-ranked by ColBERT alone.
   */
  search(query, { k = 10, candidates = Math.max(100, k), mode = 'hybrid', weights = this.#weights } = {}) {
    this.#live();
    if (!M3_MODES.includes(mode)) throw new InvalidArgumentError(`M3Index.search: mode must be one of ${M3_MODES.join(', ')}`);
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`M3Index.search: k must be a non-negative integer, got ${k}`);
    if (!Number.isInteger(candidates) || candidates < 1) throw new InvalidArgumentError(`M3Index.search: candidates must be a positive integer`);
    checkEntry(query, 'query', { dims: this.#dims, colbertDim: this.#colbertDim });
    if (k === 0 || this.#colbert.size === 0) return [];
    const needs = { dense: mode !== 'sparse', sparse: mode !== 'dense', colbert: mode === 'hybrid' || mode === 'colbert' };
    for (const [kind, needed] of Object.entries(needs)) {
      if (needed && query[kind] === undefined) throw new InvalidArgumentError(`M3Index.search: mode '${mode}' needs the query's ${kind} output`);
    }
    if (mode === 'dense' || mode === 'sparse') {
      const index = mode === 'dense' ? this.#dense : this.#sparse;
      return index.search(query[mode], { k }).map(({ id, score }) => ({ id, score, scores: { [mode]: score } }));
    }
    checkWeights(weights);
    // Shortlist from both first-stage indexes; each keeps its score, the other side is computed.
    const shortlist = new Map();
    for (const { id, score } of this.#dense.search(query.dense, { k: candidates })) shortlist.set(id, { dense: score });
    for (const { id, score } of this.#sparse.search(query.sparse, { k: candidates })) {
      const s = shortlist.get(id) ?? {};
      s.sparse = score;
      shortlist.set(id, s);
    }
    const hits = [];
    for (const [id, s] of shortlist) {
      if (s.dense === undefined) s.dense = dot(query.dense, this.#dense.get(id));
      if (s.sparse === undefined) s.sparse = this.#sparseScore(query.sparse, id);
      s.colbert = this.#colbertScore(query.colbert, id);
      const score = mode === 'colbert' ? s.colbert : weightedScore(s, weights);
      hits.push({ id, score, scores: s });
    }
    hits.sort((a, b) => b.score - a.score || a.id - b.id);
    return hits.slice(0, k);
  }

  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#dense.dispose();
    this.#sparse.dispose();
    this.#colbert.clear();
    this.#sparseVecs.clear();
  }
}

function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function checkWeights(weights) {
  if (!weights || typeof weights !== 'object') throw new InvalidArgumentError('weights must be { dense, sparse, colbert }');
  for (const [k, w] of Object.entries(weights)) {
    if (!['dense', 'sparse', 'colbert'].includes(k)) throw new InvalidArgumentError(`weights: unknown key '${k}'`);
    if (!Number.isFinite(w) || w < 0) throw new InvalidArgumentError(`weights.${k} must be a non-negative number`);
  }
}
