// StaticIndex: searches a static, partitioned index (docs/static-index.md) in browsers and Node,
// fetching only what a query needs: the manifest and centroids on open, then the partitions the
// query probes (nprobe nearest centroids), the document chunks of the hits and, for hybrid
// queries, the lexical segments. Fetched partitions stay in the wasm heap (and, when asked, in the
// Cache API or a Node folder); scoring is the C++ core's (wasm/index/static_searcher.h): one
// probe call and one search call per query, whatever the number of partitions.
import { loadCore } from '../../internal/core.js';
import { callCore } from '../../internal/call-core.js';
import { NativeHandle } from '../../internal/native-handle.js';
import { HeapScratch, copyIn, heapCopy, free, malloc } from '../../internal/heap.js';
import { crc32 } from '../../internal/crc32.js';
import {
  CorruptDataError, InvalidArgumentError, ModelMismatchError, UnsupportedError,
} from '../../errors.js';
import { rrf } from '../fusion.js';
import { LexicalIndex } from '../lexical-index.js';
import { FORMAT, FORMAT_VERSION, METRICS, STORAGES } from './format.js';
import { openSource } from './source.js';
import { parseDocChunk } from './doc-store.js';
import { wordTokens } from './lexical-segments.js';

// Shortlist = k x oversample before rescoring (as VectorIndex: int8 from its codes, binary wider).
const DEFAULT_OVERSAMPLE = { int8: 4, binary: 20 };
const decoder = new TextDecoder('utf-8', { fatal: true });

function corrupt(file, why) {
  return new CorruptDataError(`static index: ${file} ${why}`);
}

function checkManifest(m) {
  const bad = (why) => { throw new CorruptDataError(`static index: manifest.json ${why}`); };
  if (!m || typeof m !== 'object') bad('is not a JSON object');
  if (m.format !== FORMAT) bad(`is not a ${FORMAT} manifest (format ${JSON.stringify(m.format)})`);
  if (m.version > FORMAT_VERSION) throw new UnsupportedError(`static index: format version ${m.version} is newer than this wasmbed reads (${FORMAT_VERSION})`);
  if (m.version !== FORMAT_VERSION) bad(`has an unknown format version ${JSON.stringify(m.version)}`);
  if (!Number.isInteger(m.dims) || m.dims <= 0) bad('has no valid dims');
  if (!METRICS.includes(m.metric) || !['int8', 'binary'].includes(m.storage)) bad('has an unknown metric or storage');
  if (!Number.isInteger(m.partitions) || !Array.isArray(m.partitionTable) || m.partitionTable.length !== m.partitions) bad('has a partition table that does not match its partition count');
  const fileOk = (f) => f && typeof f.file === 'string' && /^[A-Za-z0-9._-]+$/.test(f.file) && Number.isInteger(f.bytes) && Number.isInteger(f.crc32);
  if (!fileOk(m.centroids) || !m.partitionTable.every(fileOk) || !m.docs?.chunks?.every(fileOk)) bad('lists a file without a plain name, size or crc32');
  if (m.lexical && !m.lexical.segments?.every(fileOk)) bad('lists a lexical segment without a plain name, size or crc32');
  return m;
}

/**
 * The size and crc32 the manifest lists (a truncated, damaged or foreign file fails here).
 * Container files (.wbix) end in their own CRC-32 over everything before it, which the core checks
 * on load; the manifest lists that trailer, so comparing it is enough to catch a foreign file.
 */
function checkFile(entry, bytes, { container = false } = {}) {
  if (bytes.length !== entry.bytes) throw corrupt(entry.file, `has ${bytes.length} bytes, the manifest lists ${entry.bytes} (truncated or replaced)`);
  const crc = container
    ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true)
    : crc32(bytes) >>> 0;
  if (crc !== entry.crc32 >>> 0) throw corrupt(entry.file, `fails its crc32 check (${container ? 'not the file the manifest lists' : 'damaged or replaced'})`);
}

/** The model fields an embedder (or a plain model record) exposes, for checkModel. */
function modelOf(embedder) {
  if (!embedder || typeof embedder !== 'object') throw new InvalidArgumentError('checkModel: pass an Embedder or a model record { id, dtype, pooling, ... }');
  if (embedder.info && typeof embedder.info === 'object') {
    const { info } = embedder;
    return { id: embedder.modelId ?? info.modelId, revision: embedder.revision ?? info.revision, dtype: info.dtype, pooling: info.pooling, normalize: info.normalize };
  }
  return embedder;
}

export class StaticIndex extends NativeHandle {
  #source; #manifest; #scratch; #ids = new Map(); #docs = new Map(); #lexical = new Map(); #pending = new Map();
  // Loaded partitions, least recently used first (Map order), with their file sizes: past
  // #maxCacheBytes the oldest ones not needed by the current query are dropped from the heap.
  #lru = new Map(); #cachedBytes = 0; #maxCacheBytes;
  #stats = { partitionsFetched: 0, partitionsLoaded: 0, partitionsEvicted: 0, docChunksFetched: 0, lexicalSegmentsFetched: 0 };

  /** @private use StaticIndex.open() */
  constructor(core, native, source, manifest, maxCacheBytes) {
    const scratch = new HeapScratch(core, 'StaticIndex scratch');
    super(core, 'StaticIndex', { native, scratch: [scratch] });
    this.#scratch = scratch;
    this.#source = source;
    this.#manifest = manifest;
    this.#maxCacheBytes = maxCacheBytes;
  }

  /**
   * Opens a static index from a base URL (browsers, Node) or a folder (Node): reads manifest.json
   * and the centroids. options: fetch (a fetch() to use), cache ('memory' default | true |
   * { dir } in Node | { cacheName } for the Cache API), preload (load every partition now; the
   * default for indexes under 4 MiB), maxCacheBytes (partitions kept in the wasm heap, by file
   * size, default 256 MiB; the least recently used beyond it are dropped).
   */
  static async open(urlOrDir, { fetch, cache, preload, maxCacheBytes = 256 * 2 ** 20 } = {}) {
    if (!(typeof maxCacheBytes === 'number' && maxCacheBytes >= 0)) throw new InvalidArgumentError(`StaticIndex.open: maxCacheBytes must be a number >= 0, got ${maxCacheBytes}`);
    const source = await openSource(urlOrDir, { fetch, cache });
    let manifest;
    const manifestBytes = await source.read('manifest.json');
    try {
      manifest = JSON.parse(decoder.decode(manifestBytes));
    } catch (err) {
      throw new CorruptDataError(`static index: manifest.json is not valid JSON (${err.message})`, { cause: err });
    }
    checkManifest(manifest);
    const core = await loadCore();
    const entry = manifest.centroids;
    const { bytes, fromCache } = await source.cached(entry.file);
    checkFile(entry, bytes, { container: true });
    const native = heapCall(core, bytes, entry.file, (address) => new core.StaticSearcherCore(address, bytes.length, manifest.dims,
      METRICS.indexOf(manifest.metric), STORAGES.indexOf(manifest.storage), Boolean(manifest.keepFloat), manifest.partitions, entry.crc32 >>> 0));
    if (!fromCache) source.remember(entry.file, bytes);
    const index = new StaticIndex(core, native, source, manifest, maxCacheBytes);
    if (preload ?? manifest.totalBytes <= (4 << 20)) await index.#ensurePartitions(manifest.partitionTable.map((_, p) => p));
    source.flush();
    return index;
  }

  /** The parsed manifest.json (format, model, dims, metric, storage, counts, files). */
  get manifest() { return this.#manifest; }

  /** What this index has read: requests and bytes from the network / folder, cache hits, partitions. */
  get stats() {
    return { ...this.#source.stats, ...this.#stats, heapBytes: this.native('stats').memoryBytes() };
  }

  /**
   * Throws ModelMismatchError when `embedder` (an Embedder, or a record { id, revision, dtype,
   * pooling, normalize, dims }) is not the model the index was built with. Fields either side
   * leaves out are not compared.
   */
  checkModel(embedder) {
    const want = this.#manifest.model ?? {};
    const have = modelOf(embedder);
    const diffs = [];
    for (const key of ['id', 'revision', 'dtype', 'pooling', 'normalize', 'dims']) {
      if (want[key] === undefined || want[key] === null || have[key] === undefined || have[key] === null) continue;
      if (want[key] !== have[key]) diffs.push(`${key} ${JSON.stringify(have[key])} (index: ${JSON.stringify(want[key])})`);
    }
    if (diffs.length) throw new ModelMismatchError(`StaticIndex: the query model does not match the model the index was built with: ${diffs.join(', ')}`, { expected: want, actual: have });
  }

  /** Loads the listed partitions that are not loaded yet (concurrently; each once). */
  async #ensurePartitions(parts) {
    const native = this.native('search');
    const missing = parts.filter((p) => !native.hasSegment(p));
    await Promise.all(missing.map((p) => {
      if (!this.#pending.has(p)) this.#pending.set(p, this.#loadPartition(p).finally(() => this.#pending.delete(p)));
      return this.#pending.get(p);
    }));
  }

  async #loadPartition(p) {
    const entry = this.#manifest.partitionTable[p];
    let fromCache = false;
    let bytes;
    try {
      bytes = await this.#receiveSegment(p, entry, async (sink) => ({ fromCache } = await this.#source.cachedStream(entry.file, sink)));
    } catch (err) {
      if (!fromCache || !(err instanceof CorruptDataError)) throw err;
      // A damaged cached copy: fetch it again.
      fromCache = false;
      bytes = await this.#receiveSegment(p, entry, (sink) => this.#source.stream(entry.file, sink));
    }
    if (!fromCache) {
      this.#stats.partitionsFetched++;
      this.#source.remember(entry.file, bytes);  // written after the answer (search() flushes)
    }
    this.#stats.partitionsLoaded++;
    this.#lru.set(p, entry.bytes);
    this.#cachedBytes += entry.bytes;
  }

  /**
   * Streams partition p's file straight into a heap buffer of the size the manifest lists
   * (fill(sink) calls sink(chunk) per chunk), checks its size and CRC trailer, hands it to the
   * core (which verifies the CRC over every byte and the layout) and keeps a JS copy of its id
   * table only. Resolves to a copy of the whole file when a persistent cache will keep it, else null.
   */
  async #receiveSegment(p, entry, fill) {
    const core = this.core;
    const address = malloc(core, entry.bytes, `static index file ${entry.file}`);
    try {
      let at = 0;
      await fill((chunk) => {
        if (at + chunk.length > entry.bytes) throw corrupt(entry.file, `has more than the ${entry.bytes} bytes the manifest lists (replaced)`);
        core.HEAPU8.set(chunk, address + at);  // HEAPU8 re-read: other loads may grow the heap meanwhile
        at += chunk.length;
      });
      if (at !== entry.bytes) throw corrupt(entry.file, `has ${at} bytes, the manifest lists ${entry.bytes} (truncated or replaced)`);
      const crc = new DataView(core.HEAPU8.buffer, address + entry.bytes - 4, 4).getUint32(0, true);
      if (crc !== entry.crc32 >>> 0) throw corrupt(entry.file, 'fails its crc32 check (not the file the manifest lists)');
      const native = this.native('search');
      let idsAt;
      try {
        idsAt = callCore(() => native.addSegment(p, address, entry.bytes, entry.crc32 >>> 0));
      } catch (err) {
        throw renameCorrupt(err, entry.file);
      }
      if (native.hasSegment(p) === false) throw corrupt(entry.file, 'was not accepted');
      try {
        // The id table runs from idsAt to the CRC trailer; the core checked its offsets.
        const ids = core.HEAPU8.slice(address + idsAt, address + entry.bytes - 4);
        this.#ids.set(p, idTable(ids, 0, entry.rows, entry.file));
      } catch (err) {
        native.dropSegment(p);
        throw err;
      }
      return this.#source.persistent ? core.HEAPU8.slice(address, address + entry.bytes) : null;
    } finally {
      free(core, address);
    }
  }

  /** Marks partitions as just used, then drops the least recently used others past the budget. */
  #touchAndEvict(parts) {
    for (const p of parts) {
      const bytes = this.#lru.get(p);
      if (bytes === undefined) continue;
      this.#lru.delete(p);
      this.#lru.set(p, bytes);
    }
    if (this.#cachedBytes <= this.#maxCacheBytes) return;
    const keep = new Set(parts);
    const native = this.native('search');
    for (const [p, bytes] of this.#lru) {
      if (this.#cachedBytes <= this.#maxCacheBytes) break;
      if (keep.has(p) || this.#pending.has(p)) continue;
      native.dropSegment(p);
      this.#ids.delete(p);
      this.#lru.delete(p);
      this.#cachedBytes -= bytes;
      this.#stats.partitionsEvicted++;
    }
  }

  async #docChunk(c) {
    if (!this.#docs.has(c)) {
      const entry = this.#manifest.docs.chunks[c];
      const promise = (async () => {
        const { bytes, fromCache } = await this.#source.cached(entry.file);
        checkFile(entry, bytes);
        const rows = parseDocChunk(bytes, entry.file, entry.rows);
        if (!fromCache) { this.#stats.docChunksFetched++; this.#source.remember(entry.file, bytes); }
        return rows;
      })();
      this.#docs.set(c, promise);
      promise.catch(() => this.#docs.delete(c));
    }
    return this.#docs.get(c);
  }

  /** [id, text, metadata] of a row (fetches its document chunk). */
  async document(row) {
    const chunkRows = this.#manifest.docs.chunkRows;
    const chunk = await this.#docChunk(Math.floor(row / chunkRows));
    this.#source.flush();
    return chunk[row % chunkRows];
  }

  async #lexicalSegment(s) {
    if (!this.#lexical.has(s)) {
      const entry = this.#manifest.lexical.segments[s];
      const promise = (async () => {
        const { bytes, fromCache } = await this.#source.cached(entry.file);
        checkFile(entry, bytes, { container: true });
        let index;
        try {
          index = await LexicalIndex.load(bytes);
        } catch (err) {
          throw renameCorrupt(err, entry.file);
        }
        if (!fromCache) { this.#stats.lexicalSegmentsFetched++; this.#source.remember(entry.file, bytes); }
        return index;
      })();
      this.#lexical.set(s, promise);
      promise.catch(() => this.#lexical.delete(s));
    }
    return this.#lexical.get(s);
  }

  /** BM25 over every lexical segment: [{ row, score }] best first. */
  async #lexicalSearch(text, k) {
    if (!this.#manifest.lexical) throw new InvalidArgumentError('StaticIndex: this index has no lexical segments (it was written without texts)');
    const tokens = wordTokens(text);
    const segments = await Promise.all(this.#manifest.lexical.segments.map((_, s) => this.#lexicalSegment(s)));
    const hits = segments.flatMap((index) => index.search(tokens, { k }));
    hits.sort((a, b) => b.score - a.score || a.id - b.id);
    return hits.slice(0, k).map((h) => ({ row: h.id, score: h.score }));
  }

  #tagNumbers(filter) {
    if (filter === undefined || filter === null) return null;
    if (typeof filter !== 'object' || !Array.isArray(filter.tags) || filter.tags.some((t) => typeof t !== 'string')) {
      throw new InvalidArgumentError('StaticIndex.search: filter must be { tags: string[], all?: boolean }');
    }
    const table = this.#manifest.tags ?? [];
    const numbers = filter.tags.map((t) => table.indexOf(t));
    return { numbers: Uint32Array.from(numbers.filter((n) => n >= 0)), unknown: numbers.some((n) => n < 0), all: Boolean(filter.all) };
  }

  async #queryVector(query, { embedder, embedOptions }) {
    if (typeof query === 'string') {
      if (!embedder) throw new InvalidArgumentError('StaticIndex.search: a text query needs { embedder } (or pass a query vector)');
      this.checkModel(embedder);
      const prompt = this.#manifest.model?.queryPrompt;
      const [v] = await embedder.embed([query], { ...(prompt ? { promptText: prompt } : {}), ...embedOptions });
      return v;
    }
    let v = query;
    if (Array.isArray(v)) v = Float32Array.from(v);
    if (!(v instanceof Float32Array)) throw new InvalidArgumentError('StaticIndex.search: the query must be a Float32Array, an array of numbers, or a text with { embedder }');
    if (v.length !== this.#manifest.dims) throw new InvalidArgumentError(`StaticIndex.search: the query has ${v.length} values, the index has ${this.#manifest.dims} dimensions`);
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new InvalidArgumentError(`StaticIndex.search: query component ${i} is not finite`);
    return v;
  }

  /**
   * Top-k search. query: a Float32Array, or a text with { embedder } (checked against the
   * manifest's model). options: k (10), nprobe (partitions to probe, default ~ 4% of them, at
   * least 8), oversample, filter { tags, all }, hybrid (true: also BM25 over `text`, fused by
   * RRF), text, documents (true: attach text and metadata from the document store).
   * Resolves to [{ id, score, row, text?, metadata? }] best first.
   */
  async search(query, {
    k = 10, nprobe, oversample, filter, hybrid = false, text, embedder, embedOptions, documents = false,
  } = {}) {
    const m = this.#manifest;
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`StaticIndex.search: k must be a positive integer, got ${k}`);
    const probeCount = nprobe ?? Math.max(8, Math.ceil(m.partitions * 0.04));
    if (!Number.isInteger(probeCount) || probeCount < 1) throw new InvalidArgumentError(`StaticIndex.search: nprobe must be a positive integer, got ${nprobe}`);
    const over = oversample ?? DEFAULT_OVERSAMPLE[m.storage];
    const tags = this.#tagNumbers(filter);
    const lexText = text ?? (typeof query === 'string' ? query : undefined);
    if (hybrid && typeof lexText !== 'string') throw new InvalidArgumentError('StaticIndex.search: hybrid needs { text } (or a text query)');
    const vector = await this.#queryVector(query, { embedder, embedOptions });
    let dense = [];
    if (!(tags && tags.unknown && tags.all) && !(tags && tags.numbers.length === 0)) dense = await this.#dense(vector, Math.min(probeCount, m.partitions), k * (hybrid ? 2 : 1), over, tags);
    let hits = dense;
    if (hybrid) {
      let lexical = await this.#lexicalSearch(lexText, k * 4);
      if (tags) lexical = await this.#filterRows(lexical, filter);
      const byRow = new Map([...dense, ...lexical.map((h) => ({ row: h.row }))].map((h) => [h.row, h]));
      hits = rrf([dense.map((h) => ({ id: h.row, score: h.score })), lexical.map((h) => ({ id: h.row, score: h.score }))], { limit: k })
        .map((f) => ({ ...byRow.get(f.id), row: f.id, score: f.score }));
      await Promise.all(hits.map(async (h) => { if (h.id === undefined) h.id = (await this.document(h.row))[0]; }));
    }
    hits = hits.slice(0, k);
    if (documents) {
      await Promise.all(hits.map(async (h) => {
        const [, snippet, metadata] = await this.document(h.row);
        h.text = snippet;
        h.metadata = metadata;
      }));
    }
    this.#source.flush();  // cache writes of what this query fetched start now, after its answer
    return hits;
  }

  /**
   * BM25 only: ranks `text` over the lexical segments, with no query vector and no model (so it
   * works before, or without, an embedder, and fetches no partitions). options: k (10), filter
   * { tags, all }, documents. Resolves to [{ id, score, row, text?, metadata? }] best first.
   */
  async lexicalSearch(text, { k = 10, filter, documents = false } = {}) {
    if (typeof text !== 'string') throw new InvalidArgumentError('StaticIndex.lexicalSearch: text must be a string');
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`StaticIndex.lexicalSearch: k must be a positive integer, got ${k}`);
    const tags = this.#tagNumbers(filter);
    let hits = await this.#lexicalSearch(text, tags ? k * 4 : k);
    if (tags) hits = (await this.#filterRows(hits, filter)).slice(0, k);
    const out = await Promise.all(hits.map(async ({ row, score }) => {
      const [id, snippet, metadata] = await this.document(row);
      return documents ? { id, score, row, text: snippet, metadata } : { id, score, row };
    }));
    // As search(): the lexical segments it fetched go to the persistent cache now, also when no
    // hit's document() call flushed them.
    this.#source.flush();
    return out;
  }

  /** Lexical hits whose document has the filter's tags (any, or all). */
  async #filterRows(hits, filter) {
    const docs = await Promise.all(hits.map((h) => this.document(h.row)));
    return hits.filter((h, i) => {
      const have = new Set(docs[i][2]?.tags ?? []);
      return filter.all ? filter.tags.every((t) => have.has(t)) : filter.tags.some((t) => have.has(t));
    });
  }

  async #dense(vector, nprobe, k, oversample, tags) {
    const core = this.core;
    let native = this.native('search');
    const dims = this.#manifest.dims;
    // Scratch layout: query | probe list | tag numbers | rows | scores | partitions | locals.
    const tagCount = tags ? tags.numbers.length : 0;
    const qBytes = dims * 4, probeBytes = nprobe * 4, tagBytes = tagCount * 4, outBytes = k * 4;
    const at = this.#scratch.ensure(qBytes + probeBytes + tagBytes + 4 * outBytes);
    copyIn(core, at, vector);
    const probed = callCore(() => native.probe(at, nprobe, at + qBytes));
    const parts = Array.from(new Uint32Array(core.HEAPU8.buffer, at + qBytes, probed));
    // A concurrent search may evict a partition while this one waits for others: check again
    // after the last await (from there to the search call nothing else runs).
    do {
      await this.#ensurePartitions(parts);
      native = this.native('search');
    } while (parts.some((p) => !native.hasSegment(p)));
    // The heap may have moved while partitions loaded: copy the inputs again.
    const at2 = this.#scratch.ensure(qBytes + probeBytes + tagBytes + 4 * outBytes);
    copyIn(core, at2, vector);
    copyIn(core, at2 + qBytes, Uint32Array.from(parts));
    if (tagCount) copyIn(core, at2 + qBytes + probeBytes, tags.numbers);
    const out = at2 + qBytes + probeBytes + tagBytes;
    const n = callCore(() => native.search(at2, at2 + qBytes, parts.length, k, oversample, tags ? at2 + qBytes + probeBytes : 0, tagCount, tags ? tags.all : false,
      out, out + outBytes, out + 2 * outBytes, out + 3 * outBytes));
    const buf = core.HEAPU8.buffer;
    const rows = new Uint32Array(buf, out, n), scores = new Float32Array(buf, out + outBytes, n);
    const partOf = new Uint32Array(buf, out + 2 * outBytes, n), local = new Uint32Array(buf, out + 3 * outBytes, n);
    const hits = new Array(n);
    for (let i = 0; i < n; i++) hits[i] = { id: this.#ids.get(partOf[i]).id(local[i]), score: scores[i], row: rows[i] };
    this.#touchAndEvict(parts);
    return hits;
  }

  /** Frees the loaded partitions and lexical segments. */
  dispose() {
    this.#lru.clear();
    for (const p of this.#lexical.values()) p.then((ix) => ix.dispose(), () => {});
    this.#lexical.clear();
    this.#ids.clear();
    this.#docs.clear();
    super.dispose();
  }
}

/** fn(address of a heap copy of bytes) as a core call; a corrupt-data error names `file`. */
function heapCall(core, bytes, file, fn) {
  const address = heapCopy(core, bytes, `static index file ${file}`);
  try {
    return callCore(() => fn(address));
  } catch (err) {
    throw renameCorrupt(err, file);
  } finally {
    free(core, address);
  }
}

/** A core CorruptDataError with the file's name in front. */
function renameCorrupt(err, file) {
  if (err instanceof CorruptDataError && !err.message.includes(file)) return new CorruptDataError(`static index: ${file}: ${err.message}`, { cause: err });
  return err;
}

/**
 * The segment's id table at byte `at`: (rows + 1) u32 offsets, then UTF-8. Offsets are checked
 * now; ids are decoded when a hit needs one (a partition holds far more rows than a query returns).
 */
function idTable(bytes, at, rows, file) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blob = at + (rows + 1) * 4;
  if (!(at >= 0) || blob > bytes.length) throw corrupt(file, 'has an id table out of bounds');
  if (view.getUint32(at, true) !== 0) throw corrupt(file, 'has an id table that does not start at 0');
  let prev = 0;
  for (let i = 1; i <= rows; i++) {
    const end = view.getUint32(at + i * 4, true);
    if (end < prev || blob + end > bytes.length) throw corrupt(file, `has a bad id offset at row ${i - 1}`);
    prev = end;
  }
  return {
    id(i) {
      const start = view.getUint32(at + i * 4, true), end = view.getUint32(at + (i + 1) * 4, true);
      try {
        return decoder.decode(bytes.subarray(blob + start, blob + end));
      } catch {
        throw corrupt(file, `has an id that is not UTF-8 at row ${i}`);
      }
    },
  };
}
