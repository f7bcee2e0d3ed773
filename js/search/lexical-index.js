// Lexical index over the model tokenizer's piece ids, backed by the C++ inverted index
// (wasm/index/inverted_index.h). Two scorings share the (doc, weight) postings:
//   'bm25'   documents and queries are token-id sequences (Int32Array), BM25 with k1 / b;
//   'sparse' documents and queries are sparse weight vectors { ids, weights } such as BGE-M3's
//            lexical weights; score = sum of query weight x document weight over shared ids.
// Works before any neural model is loaded: only a tokenizer is needed to make token ids.
import { loadCore } from '../internal/core.js';
import { InvalidArgumentError } from '../errors.js';
import { NativeHandle } from '../internal/native-handle.js';
import { callCore } from '../internal/call-core.js';
import { copyIn, HeapScratch, readArray, readHits, withHeapCopy } from '../internal/heap.js';
import { checkId, idFilterBits } from './vector-index.js';

const SCORINGS = ['bm25', 'sparse'];

function toInt32(tokens, what) {
  if (tokens instanceof Int32Array) return tokens;
  if (Array.isArray(tokens) || tokens instanceof Uint32Array) {
    const out = Int32Array.from(tokens);
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== Number(tokens[i])) throw new InvalidArgumentError(`${what}[${i}] is not a 32-bit integer token id`);
    }
    return out;
  }
  throw new InvalidArgumentError(`${what} must be an Int32Array or an array of integers`);
}

function toSparse(vec, what) {
  if (!vec || typeof vec !== 'object' || !('ids' in vec) || !('weights' in vec)) {
    throw new InvalidArgumentError(`${what} must be { ids: Int32Array, weights: Float32Array }`);
  }
  const ids = toInt32(vec.ids, `${what}.ids`);
  const weights = vec.weights instanceof Float32Array ? vec.weights : Float32Array.from(vec.weights);
  if (ids.length !== weights.length) throw new InvalidArgumentError(`${what}: ${ids.length} ids but ${weights.length} weights`);
  const bad = weights.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0) throw new InvalidArgumentError(`${what}.weights[${bad}] is ${weights[bad]} (weights must be finite)`);
  return { ids, weights };
}

export class LexicalIndex extends NativeHandle {
  #scratch;

  /** @private use LexicalIndex.create() or LexicalIndex.load() */
  constructor(core, native) {
    const scratch = new HeapScratch(core, 'LexicalIndex scratch');
    super(core, 'LexicalIndex', { native, scratch: [scratch] });
    this.#scratch = scratch;
  }

  /** @param {{ scoring?: 'bm25'|'sparse', k1?: number, b?: number }} options */
  static async create({ scoring = 'bm25', k1 = 1.2, b = 0.75 } = {}) {
    const s = SCORINGS.indexOf(scoring);
    if (s < 0) throw new InvalidArgumentError(`LexicalIndex: scoring must be 'bm25' or 'sparse', got ${String(scoring)}`);
    if (typeof k1 !== 'number' || typeof b !== 'number') throw new InvalidArgumentError('LexicalIndex: k1 and b must be numbers');
    const core = await loadCore();
    return new LexicalIndex(core, callCore(() => new core.LexicalIndexCore(s, k1, b)));
  }

  /** Restores an index saved with save(); throws CorruptDataError on damaged bytes. */
  static async load(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('LexicalIndex.load: bytes must be a Uint8Array');
    const core = await loadCore();
    return withHeapCopy(core, bytes, (address) => new LexicalIndex(core, callCore(() => core.LexicalIndexCore.load(address, bytes.length))));
  }

  #live() {
    return this.native();
  }

  get scoring() { return SCORINGS[this.#live().scoring()]; }
  get size() { return this.#live().size(); }
  /** Number of documents containing a token id. */
  documentFrequency(tokenId) { return this.#live().documentFrequency(tokenId | 0); }
  has(id) { return this.#live().has(checkId(id)); }

  /**
   * Adds a document: token ids for 'bm25' (repeats count), { ids, weights } for 'sparse' (a repeated
   * id keeps its largest weight; weights <= 0 are dropped).
   */
  add(id, doc) {
    checkId(id);
    const native = this.#live();
    const core = this.core;
    if (native.scoring() === 0) {
      const t = toInt32(doc, 'tokens');
      const address = this.#scratch.ensure(Math.max(t.byteLength, 4));
      copyIn(core, address, t);
      callCore(() => native.addTokens(id, address, t.length));
    } else {
      const { ids, weights } = toSparse(doc, 'document');
      const address = this.#scratch.ensure(Math.max(ids.byteLength * 2, 8));
      copyIn(core, address, ids);
      copyIn(core, address + ids.byteLength, weights);
      callCore(() => native.addWeighted(id, address, address + ids.byteLength, ids.length));
    }
  }

  /** Removes a document; false when absent. */
  remove(id) {
    return callCore(() => this.#live().remove(checkId(id)));
  }

  /**
   * Top-k documents sharing at least one token with the query: [{ id, score }], best first.
   * @param {Int32Array|number[]|{ids: Int32Array, weights: Float32Array}} query
   * @param {{ k?: number, filter?: ((id: number) => boolean) | { ids: Iterable<number> } }} options
   */
  search(query, { k = 10, filter } = {}) {
    const native = this.#live();
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`search: k must be a non-negative integer, got ${k}`);
    const core = this.core;
    const size = native.size();
    // The query is checked even when the index is empty, so a bad one never passes silently.
    const sparse = native.scoring() === 1;
    const q = sparse ? toSparse(query, 'query') : { ids: toInt32(query, 'query') };
    let bits = null;
    if (filter !== undefined && filter !== null) {
      bits = idFilterBits(filter, () => readArray(core, Uint32Array, native.idsPtr(), size));
      if (!bits) throw new InvalidArgumentError('filter must be a function (id) => boolean or { ids }');
    }
    const kk = Math.min(k, size);
    if (kk === 0) return [];
    const qBytes = q.ids.byteLength * (sparse ? 2 : 1);
    const bitBytes = bits ? bits.byteLength : 0;
    const address = this.#scratch.ensure(qBytes + bitBytes + kk * 8);
    copyIn(core, address, q.ids);
    if (sparse) copyIn(core, address + q.ids.byteLength, q.weights);
    if (bits) copyIn(core, address + qBytes, bits);
    const allow = bits ? address + qBytes : 0;
    const outIds = address + qBytes + bitBytes;
    const outScores = outIds + kk * 4;
    const n = callCore(() => (sparse
      ? native.searchWeighted(address, address + q.ids.byteLength, q.ids.length, kk, allow, outIds, outScores)
      : native.search(address, q.ids.length, kk, allow, outIds, outScores)));
    return readHits(core, outIds, outScores, n);
  }

  /** Serializes the index (versioned header + CRC-32) into a new Uint8Array. */
  save() {
    return callCore(() => this.#live().save());
  }

}
