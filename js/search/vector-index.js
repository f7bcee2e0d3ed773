// Dense vector index backed by the C++ core (wasm/index/vector_index.h): exact top-k over float32,
// int8 or binary rows with SIMD scans, stable uint32 ids, tags, filters, save/load.
import { loadCore } from '../internal/core.js';
import { InvalidArgumentError } from '../errors.js';
import { NativeHandle } from '../internal/native-handle.js';
import { callCore } from '../internal/call-core.js';
import { bitsetFromIds, copyIn, free, HeapScratch, malloc, readArray, readHits, withHeapCopy } from '../internal/heap.js';

const METRICS = ['dot', 'cosine'];
const STORAGES = ['float32', 'int8', 'binary'];
// Shortlist = k x oversample before rescoring; measured recall@10 on embedding-like vectors
// (bench/index-recall.bench.js, README): int8 x4 from the codes >= 0.99; binary x20 with float rows.
const DEFAULT_OVERSAMPLE = { float32: 0, int8: 4, binary: 20 };

export function checkId(id, what = 'id') {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new InvalidArgumentError(`${what} must be an integer in 0..4294967295, got ${String(id)}`);
  }
  return id;
}

function toFloat32(vector, dims, what) {
  let v = vector;
  if (Array.isArray(v)) v = Float32Array.from(v);
  if (!(v instanceof Float32Array)) throw new InvalidArgumentError(`${what} must be a Float32Array or an array of numbers`);
  if (v.length !== dims) throw new InvalidArgumentError(`${what} has ${v.length} values, the index has ${dims} dimensions`);
  return v;
}

// The core refuses non-finite vectors too; a query is checked here as well because an empty
// index answers without asking the core.
function checkFinite(v, what) {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new InvalidArgumentError(`${what} component ${i} is ${Number.isNaN(v[i]) ? 'NaN' : 'infinite'} (vectors must be finite)`);
  }
  return v;
}

/** The set of ids a `{ ids }` search filter allows: an iterable of valid ids (not a string). */
function filterIdSet(ids) {
  if (ids === null || typeof ids !== 'object' || typeof ids[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(`filter.ids must be an iterable of ids (an array, Set or typed array), got ${ids === null ? 'null' : typeof ids}`);
  }
  const out = new Set();
  for (const id of ids) out.add(checkId(id, 'filter.ids entry'));
  return out;
}

/**
 * Exact nearest-neighbour search over dense vectors in the wasm heap.
 * Ids are caller-chosen integers 0..2^32-1 (map string keys to ids in your app); they stay stable
 * across add/remove/update/save/load.
 */
function checkTags(tags, what) {
  if (!Array.isArray(tags)) throw new InvalidArgumentError(`${what} must be an array of strings, got ${tags === null ? 'null' : typeof tags}`);
  const bad = tags.findIndex((t) => typeof t !== 'string');
  if (bad >= 0) throw new InvalidArgumentError(`${what}[${bad}] must be a string, got ${typeof tags[bad]}`);
}

/**
 * The allow-list bitset (bit s = storage slot s) of a predicate or `{ ids }` filter, over the
 * stored ids `storedIds()` reads (only then); undefined for any other filter. Shared by
 * VectorIndex and LexicalIndex.
 */
export function idFilterBits(filter, storedIds) {
  if (typeof filter === 'function') return bitsetFromIds(storedIds(), (id) => Boolean(filter(id)));
  if (filter !== null && typeof filter === 'object' && filter.ids !== undefined) {
    const allowed = filterIdSet(filter.ids);
    return bitsetFromIds(storedIds(), (id) => allowed.has(id));
  }
  return undefined;
}

export class VectorIndex extends NativeHandle {
  #scratch;

  /** @private use VectorIndex.create() or VectorIndex.load() */
  constructor(core, native) {
    const scratch = new HeapScratch(core, 'VectorIndex scratch');
    super(core, 'VectorIndex', { native, scratch: [scratch] });
    this.#scratch = scratch;
  }

  /**
   * @param {{ dims: number, metric?: 'cosine'|'dot', storage?: 'float32'|'int8'|'binary',
   *   keepFloat?: boolean, maxBytes?: number }} options
   * keepFloat (the C++ keep_float; `rescore` is its former name, still accepted): keep the float32
   * rows beside int8/binary codes so shortlists are rescored exactly (default true for binary,
   * false for int8: int8 rescoring from its codes reaches recall@10 >= 0.99 on embedding-like
   * vectors while float rows would cost 4x the codes' memory).
   */
  static async create({ dims, metric = 'cosine', storage = 'float32', keepFloat, rescore, maxBytes = 0 } = {}) {
    keepFloat ??= rescore;
    if (!Number.isInteger(dims) || dims <= 0) throw new InvalidArgumentError(`VectorIndex: dims must be a positive integer, got ${dims}`);
    const m = METRICS.indexOf(metric);
    if (m < 0) throw new InvalidArgumentError(`VectorIndex: metric must be 'cosine' or 'dot', got ${String(metric)}`);
    const s = STORAGES.indexOf(storage);
    if (s < 0) throw new InvalidArgumentError(`VectorIndex: storage must be 'float32', 'int8' or 'binary', got ${String(storage)}`);
    if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) throw new InvalidArgumentError(`VectorIndex: maxBytes must be a number >= 0`);
    const keep = keepFloat === undefined ? storage === 'binary' : Boolean(keepFloat);
    const core = await loadCore();
    const native = callCore(() => new core.VectorIndexCore(dims, m, s, keep, maxBytes));
    return new VectorIndex(core, native);
  }

  /** Restores an index saved with save(); throws CorruptDataError on damaged bytes. */
  static async load(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('VectorIndex.load: bytes must be a Uint8Array');
    const core = await loadCore();
    return withHeapCopy(core, bytes, (address) => new VectorIndex(core, callCore(() => core.VectorIndexCore.load(address, bytes.length))));
  }

  #live() {
    return this.native();
  }

  get dims() { return this.#live().dims(); }
  get metric() { return METRICS[this.#live().metric()]; }
  get storage() { return STORAGES[this.#live().storage()]; }
  /** True when float32 rows are kept for rescoring (always false for float32 storage). */
  get keepFloat() { return this.#live().keepFloat(); }
  /** Former name of keepFloat. */
  get rescore() { return this.keepFloat; }
  /** Number of vectors. */
  get size() { return this.#live().size(); }
  /** Bytes allocated for rows and per-row arrays in the wasm heap. */
  get memoryBytes() { return this.#live().memoryBytes(); }

  has(id) { return this.#live().has(checkId(id)); }

  #tagIds(tags, what = 'tags') {
    if (tags === undefined) return new Uint32Array(0);
    checkTags(tags, what);
    const native = this.#live();
    return Uint32Array.from(tags, (t) => callCore(() => native.internTag(t)));
  }

  /**
   * Adds one vector (`add(id, vector, { tags })`) or many (`add(ids, rows)`, same as addBatch).
   * Fails with InvalidArgumentError when an id already exists (use update) and CapacityError when
   * the memory limit would be exceeded.
   */
  add(id, vector, { tags } = {}) {
    if (typeof id !== 'number') return this.addBatch(id, vector, { tags });
    checkId(id);
    const native = this.#live();
    const dims = native.dims();
    const v = toFloat32(vector, dims, 'vector');
    const t = this.#tagIds(tags);
    const core = this.core;
    const address = this.#scratch.ensure(v.byteLength + t.byteLength);
    copyIn(core, address, v);
    copyIn(core, address + v.byteLength, t);
    callCore(() => native.add(id, address, address + v.byteLength, t.length));
  }

  /**
   * Adds rows[i*dims .. (i+1)*dims) under ids[i], all or nothing: every id, duplicate, value and
   * tag is checked before the first row goes in. `tags`, when given, is an array with one entry
   * per row: an array of strings, or undefined / null for none.
   */
  addBatch(ids, rows, { tags } = {}) {
    const native = this.#live();
    const dims = native.dims();
    if (ids === null || typeof ids !== 'object' || typeof ids[Symbol.iterator] !== 'function') {
      throw new InvalidArgumentError('addBatch: ids must be an array or Uint32Array of ids');
    }
    const idArray = ids instanceof Uint32Array ? ids : Uint32Array.from(ids, (x, i) => checkId(x, `addBatch: ids[${i}]`));
    if (!(rows instanceof Float32Array)) throw new InvalidArgumentError('addBatch: rows must be a Float32Array');
    if (rows.length !== idArray.length * dims) {
      throw new InvalidArgumentError(`addBatch: ${idArray.length} ids need ${idArray.length * dims} values, rows has ${rows.length}`);
    }
    let tagIds = null;
    let tagOffsets = null;
    if (tags !== undefined) {
      if (!Array.isArray(tags) || tags.length !== idArray.length) {
        throw new InvalidArgumentError(`addBatch: tags must be an array with one entry per id (${idArray.length}), got ${Array.isArray(tags) ? tags.length : typeof tags}`);
      }
      // Every entry is checked before any name is interned.
      tags.forEach((t, i) => t !== undefined && t !== null && checkTags(t, `addBatch: tags[${i}]`));
      tagOffsets = new Uint32Array(idArray.length + 1);
      const flat = [];
      tags.forEach((t, i) => {
        if (t) for (const id of this.#tagIds(t)) flat.push(id);
        tagOffsets[i + 1] = flat.length;
      });
      tagIds = Uint32Array.from(flat);
    }
    const core = this.core;
    const tagBytes = tagIds ? tagIds.byteLength + tagOffsets.byteLength : 0;
    // Rows go through a temporary allocation: a large batch should not grow the scratch for good.
    const address = malloc(core, idArray.byteLength + rows.byteLength + tagBytes, `addBatch of ${idArray.length} rows`);
    try {
      const rowsAt = address + idArray.byteLength;
      const tagsAt = rowsAt + rows.byteLength;
      copyIn(core, address, idArray);
      copyIn(core, rowsAt, rows);
      if (tagIds) {
        copyIn(core, tagsAt, tagOffsets);
        copyIn(core, tagsAt + tagOffsets.byteLength, tagIds);
      }
      callCore(() => native.addBatch(address, rowsAt, idArray.length, tagIds ? tagsAt + tagOffsets.byteLength : 0, tagIds ? tagsAt : 0));
    } finally {
      free(core, address);
    }
  }

  /** Replaces the vector of an existing id; `tags`, when given, replaces its tags too (all or nothing). */
  update(id, vector, { tags } = {}) {
    checkId(id);
    const native = this.#live();
    const v = toFloat32(vector, native.dims(), 'vector');
    const t = tags === undefined ? null : this.#tagIds(tags);
    const tagBytes = t ? t.byteLength : 0;
    const address = this.#scratch.ensure(v.byteLength + tagBytes);
    copyIn(this.core, address, v);
    if (t) copyIn(this.core, address + v.byteLength, t);
    callCore(() => native.update(id, address, t !== null, address + v.byteLength, t ? t.length : 0));
  }

  /** Replaces the tags of an existing id. */
  setTags(id, tags) {
    checkId(id);
    const native = this.#live();
    const t = this.#tagIds(tags);
    const address = this.#scratch.ensure(Math.max(t.byteLength, 4));
    copyIn(this.core, address, t);
    callCore(() => native.setTags(id, address, t.length));
  }

  /** Removes an id; returns false when it was not there. */
  remove(id) {
    return callCore(() => this.#live().remove(checkId(id)));
  }

  /** The stored vector (L2-normalized for cosine; dequantized when only codes are kept). */
  get(id) {
    checkId(id);
    const native = this.#live();
    const dims = native.dims();
    const address = this.#scratch.ensure(dims * 4);
    callCore(() => native.get(id, address));
    return readArray(this.core, Float32Array, address, dims);
  }

  /** Tags of an id. */
  tags(id) {
    return callCore(() => this.#live().tagsOf(checkId(id)));
  }

  /** Ids in storage order (a copy). */
  ids() {
    const native = this.#live();
    return readArray(this.core, Uint32Array, native.idsPtr(), native.size());
  }

  // Allow-list bitset for a filter, or null for "everything", or false for "nothing can match".
  #filterBits(filter) {
    if (filter === undefined || filter === null) return null;
    const native = this.#live();
    const size = native.size();
    if (typeof filter !== 'function' && typeof filter !== 'object') throw new InvalidArgumentError('filter must be a function (id) => boolean, { tags }, or { ids }');
    if (filter.ids !== undefined && filter.tags !== undefined) throw new InvalidArgumentError('filter takes { tags } or { ids }, not both');
    // A predicate makes one call per stored id: fine for thousands of rows; prefer tags for large indexes.
    const byId = idFilterBits(filter, () => readArray(this.core, Uint32Array, native.idsPtr(), size));
    if (byId) return byId;
    if (filter.tags !== undefined) {
      checkTags(filter.tags, 'filter.tags');
      const match = filter.match ?? 'any';
      if (match !== 'any' && match !== 'all') throw new InvalidArgumentError(`filter.match must be 'any' or 'all', got ${String(match)}`);
      const known = filter.tags.map((t) => native.findTag(t));
      if (match === 'all' && known.some((t) => t < 0)) return false;
      const tagIds = Uint32Array.from(known.filter((t) => t >= 0));
      if (tagIds.length === 0) return false;
      const words = ((size + 63) >>> 6) * 2;
      const address = this.#scratch.ensure(tagIds.byteLength + words * 4);
      copyIn(this.core, address, tagIds);
      callCore(() => native.tagFilter(address, tagIds.length, match === 'all', address + tagIds.byteLength));
      return readArray(this.core, Uint32Array, address + tagIds.byteLength, words);
    }
    throw new InvalidArgumentError('filter object needs `tags` or `ids`');
  }

  /**
   * Top-k most similar vectors, best first: [{ id, score }].
   * @param {Float32Array|number[]} query
   * @param {{ k?: number, filter?: ((id: number) => boolean) | { tags: string[], match?: 'any'|'all' } | { ids: Iterable<number> },
   *   oversample?: number }} options  oversample (the C++ name): the shortlist rescored exactly, as
   *   a multiple of k; 0 = raw quantized scores; default int8 x4, binary x20. `rescore` (true =
   *   default, false = 0, a number = oversample) is its former name, still accepted.
   */
  search(query, { k = 10, filter, oversample, rescore } = {}) {
    const native = this.#live();
    const dims = native.dims();
    const q = checkFinite(toFloat32(query, dims, 'query'), 'search: query');
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`search: k must be a non-negative integer, got ${k}`);
    if (oversample === undefined) {
      if (rescore === undefined || rescore === true) oversample = DEFAULT_OVERSAMPLE[STORAGES[native.storage()]];
      else if (rescore === false) oversample = 0;
      else if (Number.isInteger(rescore) && rescore >= 1) oversample = rescore;
      else throw new InvalidArgumentError(`search: rescore must be a boolean or an integer >= 1, got ${String(rescore)}`);
    } else if (!Number.isInteger(oversample) || oversample < 0) {
      throw new InvalidArgumentError(`search: oversample must be an integer >= 0, got ${String(oversample)}`);
    }
    const bits = this.#filterBits(filter);
    const kk = Math.min(k, native.size());
    if (kk === 0 || bits === false) return [];
    const core = this.core;
    const bitBytes = bits ? bits.byteLength : 0;
    const address = this.#scratch.ensure(q.byteLength + bitBytes + kk * 8);
    copyIn(core, address, q);
    if (bits) copyIn(core, address + q.byteLength, bits);
    const outIds = address + q.byteLength + bitBytes;
    const outScores = outIds + kk * 4;
    const n = callCore(() => native.search(address, kk, oversample, bits ? address + q.byteLength : 0, outIds, outScores));
    return readHits(core, outIds, outScores, n);
  }

  /** Serializes the index (versioned header + CRC-32) into a new Uint8Array. */
  save() {
    return callCore(() => this.#live().save());
  }

}
