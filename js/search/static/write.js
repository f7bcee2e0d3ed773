// writeStaticIndex: builds a static, partitioned index directory (format: docs/static-index.md)
// from vectors, ids and optional texts / metadata. The numeric work (int8 transform fit,
// encoding, seeded k-means, assignment, segment bytes) is C++ (wasm/index/static_builder.h);
// this file feeds it, names files by content hash and writes them atomically.
//
// Node only at run time (it writes files), but browser-safe to import: the file system comes
// through '#node-builtins'.
import { loadCore } from '../../internal/core.js';
import { callCore } from '../../internal/call-core.js';
import { InvalidArgumentError, UnsupportedError } from '../../errors.js';
import { HeapScratch, heapCopy, free } from '../../internal/heap.js';
import { isNode } from '../../internal/env.js';
import {
  FORMAT, FORMAT_VERSION, METRICS, STORAGES, checkModelRecord, contentName, sha256Hex,
} from './format.js';
import { buildDocChunks, DOC_CHUNK_ROWS } from './doc-store.js';
import { buildLexicalSegments, LEXICAL_SEGMENT_ROWS } from './lexical-segments.js';
import { crc32 } from '../../internal/crc32.js';

const encoder = new TextEncoder();

/** Float32Array chunks of whole rows from a Float32Array or an (async) iterable of them. */
async function* rowChunks(vectors, dims, count) {
  if (vectors instanceof Float32Array) {
    if (vectors.length !== count * dims) {
      throw new InvalidArgumentError(`writeStaticIndex: vectors has ${vectors.length} values, ${count} ids x ${dims} dims need ${count * dims}`);
    }
    const step = Math.max(1, Math.floor((1 << 20) / dims));  // ~4 MiB per core call
    for (let r = 0; r < count; r += step) yield vectors.subarray(r * dims, Math.min(count, r + step) * dims);
    return;
  }
  if (vectors === null || typeof vectors !== 'object' || !(Symbol.asyncIterator in vectors || Symbol.iterator in vectors)) {
    throw new InvalidArgumentError('writeStaticIndex: vectors must be a Float32Array or an (async) iterable of Float32Array chunks');
  }
  let seen = 0;
  for await (const chunk of vectors) {
    if (!(chunk instanceof Float32Array)) throw new InvalidArgumentError('writeStaticIndex: every vectors chunk must be a Float32Array');
    if (chunk.length % dims !== 0) throw new InvalidArgumentError(`writeStaticIndex: a vectors chunk of ${chunk.length} values is not whole rows of ${dims}`);
    seen += chunk.length / dims;
    if (seen > count) throw new InvalidArgumentError(`writeStaticIndex: vectors hold more rows than the ${count} ids`);
    yield chunk;
  }
  if (seen !== count) throw new InvalidArgumentError(`writeStaticIndex: vectors hold ${seen} rows, ids has ${count}`);
}

function checkOptions({ dims, ids, texts, metadata, model, metric, storage, partitions, seed }) {
  if (!Number.isInteger(dims) || dims <= 0) throw new InvalidArgumentError(`writeStaticIndex: dims must be a positive integer, got ${dims}`);
  if (!Array.isArray(ids) || ids.length === 0) throw new InvalidArgumentError('writeStaticIndex: ids must be a non-empty array of strings');
  const seen = new Set();
  ids.forEach((id, i) => {
    if (typeof id !== 'string') throw new InvalidArgumentError(`writeStaticIndex: ids[${i}] must be a string, got ${typeof id}`);
    if (seen.has(id)) throw new InvalidArgumentError(`writeStaticIndex: ids[${i}] ${JSON.stringify(id)} is a duplicate`);
    seen.add(id);
  });
  if (texts !== undefined && (!Array.isArray(texts) || texts.length !== ids.length || texts.some((t) => typeof t !== 'string'))) {
    throw new InvalidArgumentError(`writeStaticIndex: texts must be an array of ${ids.length} strings`);
  }
  if (metadata !== undefined) {
    if (!Array.isArray(metadata) || metadata.length !== ids.length) throw new InvalidArgumentError(`writeStaticIndex: metadata must be an array of ${ids.length} objects`);
    metadata.forEach((m, i) => {
      if (m === undefined || m === null) return;
      if (typeof m !== 'object' || Array.isArray(m)) throw new InvalidArgumentError(`writeStaticIndex: metadata[${i}] must be an object`);
      if (m.tags !== undefined && (!Array.isArray(m.tags) || m.tags.some((t) => typeof t !== 'string'))) {
        throw new InvalidArgumentError(`writeStaticIndex: metadata[${i}].tags must be an array of strings`);
      }
    });
  }
  checkModelRecord(model, dims);
  if (!METRICS.includes(metric)) throw new InvalidArgumentError(`writeStaticIndex: metric must be 'cosine' or 'dot', got ${String(metric)}`);
  if (!STORAGES.includes(storage)) throw new InvalidArgumentError(`writeStaticIndex: storage must be 'int8' or 'binary', got ${String(storage)}`);
  if (partitions !== undefined && !(Number.isInteger(partitions) && partitions >= 1 && partitions <= ids.length)) {
    throw new InvalidArgumentError(`writeStaticIndex: partitions must be an integer in 1..${ids.length}, got ${partitions}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`writeStaticIndex: seed must be an integer in 0..2^32-1, got ${seed}`);
}

/** Tag names in first-seen order and, per row, its tag numbers into that table. */
function tagTable(metadata, count) {
  const names = [];
  const number = new Map();
  const rows = new Array(count);
  let any = false;
  for (let r = 0; r < count; r++) {
    const tags = metadata?.[r]?.tags;
    if (!tags?.length) { rows[r] = null; continue; }
    any = true;
    rows[r] = [...new Set(tags)].map((t) => {
      if (!number.has(t)) { number.set(t, names.length); names.push(t); }
      return number.get(t);
    }).sort((a, b) => a - b);
  }
  return { names, rows: any ? rows : null };
}

/** The id table and tag lists of one partition's rows, as the core's segment writer takes them. */
function segmentSidecar(rows, ids, tagRows) {
  const encoded = Array.from(rows, (r) => encoder.encode(ids[r]));
  const idOffsets = new Uint32Array(rows.length + 1);
  encoded.forEach((e, i) => { idOffsets[i + 1] = idOffsets[i] + e.length; });
  const idBlob = new Uint8Array(idOffsets[rows.length]);
  encoded.forEach((e, i) => idBlob.set(e, idOffsets[i]));
  if (!tagRows) return { idBlob, idOffsets, tagIds: null, tagOffsets: null };
  const tagOffsets = new Uint32Array(rows.length + 1);
  const flat = [];
  rows.forEach((r, i) => {
    for (const t of tagRows[r] ?? []) flat.push(t);
    tagOffsets[i + 1] = flat.length;
  });
  return { idBlob, idOffsets, tagIds: Uint32Array.from(flat), tagOffsets };
}

/**
 * Writes a static index to `outDir` and resolves to its manifest. See index.d.ts
 * (WriteStaticIndexOptions) for the options. The directory appears whole or not at all: files go
 * to a temporary sibling that is renamed into place at the end (an existing index is replaced).
 */
export async function writeStaticIndex(outDir, {
  dims, vectors, ids, texts, metadata, model, metric = 'cosine', storage = 'int8', keepFloat = false,
  partitions, seed = 1, onProgress, snippetChars = 2000,
} = {}) {
  if (!isNode) throw new UnsupportedError('writeStaticIndex writes files and runs in Node only');
  if (typeof outDir !== 'string' || outDir === '') throw new InvalidArgumentError('writeStaticIndex: outDir must be a folder path');
  checkOptions({ dims, ids, texts, metadata, model, metric, storage, partitions, seed });
  const count = ids.length;
  const nparts = partitions ?? Math.max(1, Math.min(count, Math.round(Math.sqrt(count))));
  const progress = (phase, done, total) => onProgress?.({ phase, done, total });
  const { fs, path } = await import('#node-builtins');
  const core = await loadCore();
  const builder = callCore(() => new core.StaticBuilderCore(dims, METRICS.indexOf(metric), STORAGES.indexOf(storage), keepFloat, count, nparts, seed));
  const scratch = new HeapScratch(core, 'writeStaticIndex rows');
  const target = path.resolve(outDir);
  const temp = `${target}.${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    // 1. Encode every row (the int8 transform is fitted on the first rows; see static_builder.h).
    let done = 0;
    for await (const chunk of rowChunks(vectors, dims, count)) {
      const address = scratch.ensure(chunk.byteLength);
      core.HEAPU8.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), address);
      callCore(() => builder.add(address, chunk.length / dims));
      done += chunk.length / dims;
      progress('encode', done, count);
    }
    scratch.free();
    // 2. Partitions: k-means on a sample, then every row to its nearest centroid.
    progress('kmeans', 0, 1);
    callCore(() => builder.train());
    progress('kmeans', 1, 1);
    progress('assign', 0, count);
    callCore(() => builder.assign());
    progress('assign', count, count);

    await fs.mkdir(temp, { recursive: true });
    let totalBytes = 0;
    const writeFile = async (prefix, bytes, ext) => {
      const name = contentName(prefix, await sha256Hex(bytes), ext);
      await fs.writeFile(path.join(temp, name), bytes);
      totalBytes += bytes.length;
      // Container files (.wbix) are listed with the CRC-32 trailer they end in (the core checks
      // it against their content); JSON files with the CRC-32 of their bytes.
      const crc = ext === 'wbix' ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : crc32(bytes);
      return { file: name, bytes: bytes.length, crc32: crc };
    };
    // 3. Centroids (with the int8 transform) and one segment per partition.
    const centroids = await writeFile('centroids', callCore(() => builder.centroidsBytes()), 'wbix');
    const tags = tagTable(metadata, count);
    const partitionTable = [];
    for (let p = 0; p < nparts; p++) {
      const rows = callCore(() => builder.partitionRows(p));
      const side = segmentSidecar(rows, ids, tags.rows);
      const arrays = [side.idBlob, side.idOffsets, side.tagIds ?? new Uint32Array(0), side.tagOffsets ?? new Uint32Array(0)];
      const addresses = arrays.map((a) => heapCopy(core, a, 'segment ids and tags'));
      let bytes;
      try {
        bytes = callCore(() => builder.segmentBytes(p, addresses[0], side.idBlob.length, addresses[1], addresses[2], side.tagIds ? addresses[3] : 0));
      } finally {
        addresses.forEach((a) => free(core, a));
      }
      partitionTable.push({ partition: p, rows: rows.length, ...(await writeFile(`part-${p}`, bytes, 'wbix')) });
      progress('segments', p + 1, nparts);
    }
    // 4. Document store (id, snippet, metadata) and lexical segments.
    const docs = [];
    for (const chunk of buildDocChunks(ids, texts, metadata, snippetChars)) {
      docs.push({ firstRow: chunk.firstRow, rows: chunk.rows, ...(await writeFile(`docs-${chunk.firstRow}`, chunk.bytes, 'json')) });
    }
    progress('documents', count, count);
    let lexical = null;
    if (texts) {
      const segments = [];
      for await (const seg of buildLexicalSegments(texts)) {
        segments.push({ firstRow: seg.firstRow, rows: seg.rows, ...(await writeFile(`lex-${seg.firstRow}`, seg.bytes, 'wbix')) });
        progress('lexical', seg.firstRow + seg.rows, count);
      }
      lexical = { tokenizer: 'words-v1', segmentRows: LEXICAL_SEGMENT_ROWS, segments };
    }
    const manifest = {
      format: FORMAT,
      version: FORMAT_VERSION,
      model: { ...model },
      dims,
      metric,
      storage,
      keepFloat: Boolean(keepFloat),
      count,
      partitions: nparts,
      seed,
      centroids,
      partitionTable,
      docs: { chunkRows: DOC_CHUNK_ROWS, chunks: docs },
      lexical,
      tags: tags.names,
      totalBytes,
    };
    await fs.writeFile(path.join(temp, 'manifest.json'), encoder.encode(JSON.stringify(manifest, null, 1)));
    // 5. Publish: the old directory (if any) moves aside, the new one takes its name.
    const old = `${target}.${Date.now().toString(36)}.old`;
    let hadOld = true;
    try { await fs.rename(target, old); } catch (err) { if (err.code !== 'ENOENT') throw err; hadOld = false; }
    await fs.rename(temp, target);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
    return manifest;
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => {});
    throw err;
  } finally {
    scratch.free();
    builder.delete();
  }
}
