// Turns a dataset into runs (query id -> ranked hits) for each retrieval mode, using only the
// public wasmbed API, the way an application would search:
//   dense    Embedder vectors (passage prompt for documents, query prompt for queries) in an exact
//            float32 VectorIndex, cosine
//   lexical  BM25 (LexicalIndex) over the model tokenizer's ids, no special tokens, no prompt
//   hybrid   reciprocal-rank fusion (rrf, k = 60) of the dense and lexical top max(depth, 100)
//   bge-m3   M3Index: dense + sparse shortlist re-ranked by dense + sparse + ColBERT (0.4/0.2/0.4)
// Corpus embeddings (dense vectors; the whole M3Index for bge-m3) come from the VectorCache when
// one is given.
import { InvalidArgumentError, LexicalIndex, M3Index, UnsupportedError, VectorIndex, rrf } from '../index.js';
import { documentText } from './dataset.js';

export const RETRIEVAL_MODES = ['dense', 'lexical', 'hybrid', 'bge-m3'];
const M3_OUTPUTS = ['dense', 'sparse', 'colbert'];
const FUSION_DEPTH = 100;

export function checkModes(modes) {
  if (!Array.isArray(modes) || !modes.length) throw new InvalidArgumentError(`modes must be a non-empty list of ${RETRIEVAL_MODES.join(', ')}`);
  for (const m of modes) if (!RETRIEVAL_MODES.includes(m)) throw new InvalidArgumentError(`unknown retrieval mode '${m}' (modes: ${RETRIEVAL_MODES.join(', ')})`);
  return [...new Set(modes)];
}

/**
 * Runs every mode. ctx: { embedder, identity, corpus, queries, prompts: { query, passage },
 * depth, batchSize, cache (VectorCache | null), onProgress, stats }.
 * @returns {Promise<Map<string, Map<string, {id: string, score: number}[]>>>} mode -> run
 */
export async function runModes(modes, ctx) {
  const runs = new Map();
  const memo = new Map(); // dense / lexical runs at fusion depth, shared by hybrid
  const need = (mode, depth) => {
    const key = `${mode}@${depth}`;
    if (!memo.has(key)) memo.set(key, mode === 'dense' ? denseRun(ctx, depth) : lexicalRun(ctx, depth));
    return memo.get(key);
  };
  const fusionDepth = Math.max(ctx.depth, FUSION_DEPTH);
  for (const mode of modes) {
    if (mode === 'dense' || mode === 'lexical') {
      const wantsFusion = modes.includes('hybrid');
      const run = await need(mode, wantsFusion ? fusionDepth : ctx.depth);
      runs.set(mode, cut(run, ctx.depth));
    } else if (mode === 'hybrid') {
      const [dense, lexical] = [await need('dense', fusionDepth), await need('lexical', fusionDepth)];
      const run = new Map();
      for (const [qid, hits] of dense) {
        run.set(qid, rrf([hits, lexical.get(qid)], { k: 60, limit: ctx.depth }).map(({ id, score }) => ({ id, score })));
      }
      runs.set(mode, run);
    } else {
      runs.set(mode, await m3Run(ctx));
    }
  }
  return runs;
}

function cut(run, depth) {
  const out = new Map();
  for (const [qid, hits] of run) out.set(qid, hits.slice(0, depth));
  return out;
}

const embedOptions = (ctx, stage, prompt) => ({
  promptText: prompt ?? '', batchSize: ctx.batchSize,
  onProgress: ({ done, total }) => ctx.onProgress?.({ stage, done, total }),
});

async function corpusVectors(ctx) {
  const texts = ctx.corpus.map(documentText);
  const description = { kind: 'dense', model: ctx.identity, prompt: ctx.prompts.passage, info: pick(ctx.embedder.info) };
  const key = ctx.cache ? await ctx.cache.key(description, texts) : null;
  if (ctx.cache) {
    const hit = await ctx.cache.get(key);
    if (hit && hit.meta.count === texts.length) {
      ctx.stats.corpus = { source: 'cache', embedded: 0, file: key };
      const data = new Float32Array(hit.payload.slice().buffer);
      return { data, dims: hit.meta.dims, count: hit.meta.count };
    }
  }
  const flat = await ctx.embedder.embedFlat(texts, embedOptions(ctx, 'embed corpus', ctx.prompts.passage));
  ctx.stats.corpus = { source: 'model', embedded: texts.length, file: key };
  if (ctx.cache) await ctx.cache.put(key, { dims: flat.dims, count: flat.count, description }, new Uint8Array(flat.data.buffer, flat.data.byteOffset, flat.data.byteLength));
  return flat;
}

/** The Embedder settings that change its vectors (part of the cache key). */
function pick(info) {
  return { pooling: info.pooling, normalize: info.normalize, maxLength: info.maxLength, output: info.output, architecture: info.architecture, hiddenSize: info.hiddenSize };
}

async function denseRun(ctx, depth) {
  const vectors = await corpusVectors(ctx);
  const index = await VectorIndex.create({ dims: vectors.dims, metric: 'cosine', storage: 'float32' });
  try {
    index.addBatch(Uint32Array.from(vectors.data.length ? ctx.corpus.keys() : []), vectors.data);
    const q = await ctx.embedder.embedFlat(ctx.queries.map((x) => x.text), embedOptions(ctx, 'embed queries', ctx.prompts.query));
    ctx.stats.queriesEmbedded = (ctx.stats.queriesEmbedded ?? 0) + ctx.queries.length;
    const run = new Map();
    ctx.queries.forEach((query, i) => {
      const hits = index.search(q.data.subarray(i * q.dims, (i + 1) * q.dims), { k: depth });
      run.set(query.id, hits.map((h) => ({ id: ctx.corpus[h.id].id, score: h.score })));
      ctx.onProgress?.({ stage: 'search dense', done: i + 1, total: ctx.queries.length });
    });
    return run;
  } finally {
    index.dispose();
  }
}

function tokenIds(tokenizer, text) {
  return tokenizer.encode(text, { addSpecialTokens: false }).ids;
}

async function lexicalRun(ctx, depth) {
  const tokenizer = ctx.embedder.tokenizer;
  const index = await LexicalIndex.create({ scoring: 'bm25' });
  try {
    ctx.corpus.forEach((doc, i) => {
      index.add(i, tokenIds(tokenizer, documentText(doc)));
      if ((i + 1) % 256 === 0 || i + 1 === ctx.corpus.length) ctx.onProgress?.({ stage: 'index lexical', done: i + 1, total: ctx.corpus.length });
    });
    const run = new Map();
    ctx.queries.forEach((query, i) => {
      const hits = index.search(tokenIds(tokenizer, query.text), { k: depth });
      run.set(query.id, hits.map((h) => ({ id: ctx.corpus[h.id].id, score: h.score })));
      ctx.onProgress?.({ stage: 'search lexical', done: i + 1, total: ctx.queries.length });
    });
    return run;
  } finally {
    index.dispose();
  }
}

async function m3Embed(ctx, texts, stage, prompt) {
  try {
    return await ctx.embedder.embed(texts, { ...embedOptions(ctx, stage, prompt), outputs: M3_OUTPUTS });
  } catch (err) {
    if (err instanceof UnsupportedError || err?.name === 'ModelLoadError') {
      throw new UnsupportedError(`mode 'bge-m3' needs a model with BGE-M3 sparse and ColBERT heads: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

async function m3Run(ctx) {
  const texts = ctx.corpus.map(documentText);
  const description = { kind: 'bge-m3', model: ctx.identity, prompt: ctx.prompts.passage, info: pick(ctx.embedder.info) };
  const key = ctx.cache ? await ctx.cache.key(description, texts) : null;
  let index = null;
  const hit = ctx.cache ? await ctx.cache.get(key) : null;
  if (hit) {
    try {
      index = await M3Index.load(hit.payload.slice());
      ctx.stats.m3Corpus = { source: 'cache', embedded: 0, file: key };
    } catch {
      index = null; // a damaged entry: embed again and overwrite it
    }
  }
  if (!index) {
    const entries = await m3Embed(ctx, texts, 'embed corpus (bge-m3)', ctx.prompts.passage);
    index = await M3Index.create({ dims: entries[0]?.dense.length ?? 1 });
    entries.forEach((e, i) => index.add(i, e));
    ctx.stats.m3Corpus = { source: 'model', embedded: texts.length, file: key };
    if (ctx.cache) await ctx.cache.put(key, { count: texts.length, description }, index.save());
  }
  try {
    const qs = await m3Embed(ctx, ctx.queries.map((q) => q.text), 'embed queries (bge-m3)', ctx.prompts.query);
    const run = new Map();
    ctx.queries.forEach((query, i) => {
      const hits = index.search(qs[i], { k: ctx.depth, mode: 'hybrid' });
      run.set(query.id, hits.map((h) => ({ id: ctx.corpus[h.id].id, score: h.score })));
      ctx.onProgress?.({ stage: 'search bge-m3', done: i + 1, total: ctx.queries.length });
    });
    return run;
  } finally {
    index.dispose();
  }
}
