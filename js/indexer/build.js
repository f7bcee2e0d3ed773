// buildIndex: inputs -> documents -> blocks -> (pool of workers: chunk + embed) -> segments and
// checkpoints (build-state.js) -> the static index (final-index.js). Or, with `vectors`, imported
// vectors cut into blocks the same way, without a model.
import os from 'node:os';
import { mkdir } from 'node:fs/promises';
import { AbortError, InvalidArgumentError } from '../errors.js';
import { BuildState } from './build-state.js';
import { readDocuments } from './documents.js';
import { crashPoint } from './crash-points.js';
import { writeFinalIndex } from './final-index.js';
import { modelIdentity } from './model-identity.js';
import { EmbedPool, defaultSplit } from './pool.js';
import { parseShard, shardBlocks } from './shards.js';
import { readVectorImport } from './vector-import.js';

const FORMAT = 'wasmbed-index-build/1';
// Documents per block when embedding (a block is a few seconds of work: checkpoints stay frequent)
// and rows per block when importing vectors (no work but copying: few, large segments).
export const DEFAULT_BLOCK_DOCS = 64;
export const DEFAULT_BLOCK_ROWS = 16384;

function positive(name, v, fallback) {
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
  return v;
}

function check(options) {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('buildIndex: options must be an object');
  if (typeof options.out !== 'string' || !options.out) throw new InvalidArgumentError('buildIndex: out must be a folder path');
  const vectors = options.vectors !== undefined;
  if (vectors && options.inputs) throw new InvalidArgumentError('buildIndex: pass inputs (texts to embed) or vectors (precomputed), not both');
  if (!vectors && !options.inputs) throw new InvalidArgumentError('buildIndex: inputs (files or folders) or vectors is required');
  if (!vectors && (typeof options.model !== 'string' || !options.model)) throw new InvalidArgumentError('buildIndex: model (Hub id, URL or folder) is required to embed texts');
}

/**
 * Builds (or resumes) an index in `options.out`. See index.d.ts (BuildIndexOptions). Returns
 * { out, count, dims, blocks, resumedBlocks, shard, index (the static index folder, or null for a
 * shard of several) }.
 */
export async function buildIndex(options) {
  check(options);
  const shard = parseShard(options.shard);
  const blockDocs = positive('blockDocs', options.blockDocs, options.vectors !== undefined ? DEFAULT_BLOCK_ROWS : DEFAULT_BLOCK_DOCS);
  const progress = options.onProgress ?? (() => {});
  await mkdir(options.out, { recursive: true });
  const run = options.vectors !== undefined ? await importRun(options, blockDocs) : await embedRun(options, blockDocs);
  try {
    const blockCount = Math.ceil(run.rows / blockDocs);
    const plan = { format: FORMAT, ...run.plan, blockDocs, blockCount, shard };
    const state = await BuildState.open(options.out, plan, { restart: options.restart });
    const mine = shardBlocks(blockCount, shard);
    const resumedBlocks = mine.filter((b) => state.has(b)).length;
    const todo = mine.filter((b) => !state.has(b));
    const docsOf = (b) => Math.min(run.rows, (b + 1) * blockDocs) - b * blockDocs;
    const total = mine.reduce((s, b) => s + docsOf(b), 0);
    let done = total - todo.reduce((s, b) => s + docsOf(b), 0);
    progress({ stage: run.stage, done, total });
    // Blocks go out in order, at most two per worker in flight so the next block is queued when
    // one finishes; they commit as they finish (any order: the checkpoint lists them by number).
    const limit = Math.max(1, run.parallel * 2);
    const inFlight = new Set();
    let failure = null;
    for (const b of todo) {
      // On abort, the blocks in flight still finish and commit (a rerun resumes after them).
      if (options.signal?.aborted) failure ??= new AbortError('buildIndex: aborted');
      if (failure) break;
      const job = run.block(b).then((r) => state.commitBlock(b, r.records, r.vectors, plan.dims)).then(() => {
        done += docsOf(b);
        progress({ stage: run.stage, done, total });
      }).catch((err) => { failure ??= err; }).finally(() => inFlight.delete(job));
      inFlight.add(job);
      crashPoint('dispatch'); // blocks are in the workers' hands: the kill -9 test's "mid-batch"
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) {
      // Blocks written since the last checkpoint are good work: record them before giving up.
      await state.update({}).catch(() => {});
      throw failure;
    }
    if (!state.checkpoint.complete) await state.update({ complete: true });
    const index = shard.count === 1 && options.writeIndex !== false ? await writeFinalIndex(state, options, { onProgress: options.onProgress }) : null;
    return { out: options.out, count: state.checkpoint.blocks.reduce((s, e) => s + e.count, 0), dims: plan.dims, blocks: mine.length, resumedBlocks, shard, index };
  } finally {
    await run.close();
  }
}

// Texts: documents read and fingerprinted here; blocks chunked and embedded by the pool.
async function embedRun(options, blockDocs) {
  const { docs, files, fields } = await readDocuments(options.inputs, options);
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const split = defaultSplit(cores, options.workers);
  const threads = positive('threads', options.threads, split.threads);
  if (options.prompt !== undefined && options.promptText !== undefined) throw new InvalidArgumentError('pass either prompt (a prompt name) or promptText (literal text), not both');
  const pool = await EmbedPool.start(options.model, {
    workers: split.workers,
    threads,
    load: { device: options.device ?? 'auto', dtype: options.dtype ?? 'fp32', cacheDir: options.cacheDir, localFilesOnly: options.offline },
    prompt: options.prompt, promptText: options.promptText, dimensions: options.dimensions,
    batchSize: positive('batchSize', options.batchSize, 32),
  });
  try {
    const { info, dims, prefix, room } = pool.ready;
    const maxTokens = positive('maxTokens', options.maxTokens, Math.max(8, Math.min(256, room)));
    if (maxTokens > room) throw new InvalidArgumentError(`maxTokens ${maxTokens} does not fit the model's ${info.maxLength}-token window with its special tokens and prompt (at most ${room})`);
    const overlapTokens = options.overlapTokens ?? Math.min(32, Math.floor(maxTokens / 8));
    if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= maxTokens) throw new InvalidArgumentError(`overlapTokens must be an integer in 0..${maxTokens - 1}, got ${overlapTokens}`);
    const chunk = { maxTokens, overlapTokens };
    const identity = await modelIdentity(options.model, { modelFile: info.modelFile, modelId: options.modelId, manifest: info.manifest });
    return {
      stage: 'embed',
      rows: docs.length,
      parallel: split.workers,
      plan: {
        mode: 'text',
        inputs: { files, fields },
        model: {
          ...identity, dtype: info.dtype, modelFile: info.modelFile, backend: info.backend, pooling: info.pooling, normalize: info.normalize,
          prompt: prefix, dimensions: options.dimensions ?? null,
        },
        chunking: chunk,
        batchSize: positive('batchSize', options.batchSize, 32),
        documents: docs.length,
        dims,
      },
      block: (b) => pool.run(b, docs.slice(b * blockDocs, (b + 1) * blockDocs), chunk),
      close: () => pool.close(),
      workers: split.workers,
      threads,
    };
  } catch (err) {
    await pool.close();
    throw err;
  }
}

// Imported vectors: rows cut into blocks like documents; no model runs.
async function importRun(options, blockDocs) {
  const v = await readVectorImport({
    vectors: options.vectors, ids: options.ids, count: options.count, dims: options.dims,
    idField: options.idField, textField: options.textField, metadataFields: options.metadataFields, tagsField: options.tagsField,
  });
  const model = options.model === undefined ? {} : typeof options.model === 'string' ? { id: options.model } : { ...options.model };
  return {
    stage: 'import',
    rows: v.count,
    parallel: 1,
    plan: { mode: 'vectors', inputs: { files: v.files, fields: v.fields }, model: { ...model, id: options.modelId ?? model.id ?? 'imported' }, documents: v.count, dims: v.dims },
    block: async (b) => {
      const from = b * blockDocs;
      const to = Math.min(v.count, from + blockDocs);
      const records = v.rows.slice(from, to).map((r) => ({ id: r.id, text: r.text, metadata: r.metadata }));
      return { records, vectors: v.data.subarray(from * v.dims, to * v.dims) };
    },
    close: async () => {},
  };
}
