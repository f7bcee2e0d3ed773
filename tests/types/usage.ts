// Typed usage of the public API, checked by `tsc -p tests/types` in npm test: the declarations in
// js/*.d.ts must accept what the README shows and reject misuse (the @ts-expect-error lines fail
// the check if a declaration becomes too loose).
import {
  Embedder, EmbedderPool, Tokenizer, VectorIndex, LexicalIndex, M3Index, WorkerEmbedder, rrf, weightedFusion, saveIndex, loadIndex,
  configureCore, l2Normalize, version, chunkDocument, encodeColbert, decodeColbert,
  WasmbedError, InvalidArgumentError, DisposedError, ModelLoadError, CapacityError,
} from 'wasmbed';
import { loadCore, sentenceBreaks, rowCosines, WEBGPU_GUARD_THRESHOLD } from 'wasmbed/diagnostics';
import * as esbuild from 'esbuild';
import { wasmbed as wasmbedPlugin } from 'wasmbed/esbuild';

export async function readme(passages: string[]): Promise<void> {
  configureCore({ locateFile: (file) => `https://cdn.example.com/wasmbed/${file}` });
  const unit: Float32Array = await l2Normalize(new Float32Array([3, 4]), 2);
  const v: string = await version();

  const model = await Embedder.load('intfloat/multilingual-e5-small', {
    device: 'auto', dtype: 'q8', onProgress: (e) => console.log(e.file, e.loaded, e.total),
  });
  const [q] = await model.embed(['서울의 날씨는 어때요?'], { prompt: 'query' });
  const long = await Embedder.load('BAAI/bge-m3', { attentionBlock: 256, memoryBudget: 2 ** 31 });
  // @ts-expect-error memoryBudget is a number of bytes
  await Embedder.load('BAAI/bge-m3', { memoryBudget: '2GB' });
  await Embedder.load('org/name', { runtimeTimeoutMs: 30_000 });
  // @ts-expect-error runtimeTimeoutMs is a number of milliseconds
  await Embedder.load('org/name', { runtimeTimeoutMs: '30s' });
  await esbuild.build({ entryPoints: ['main.js'], bundle: true, format: 'esm', outdir: 'dist', plugins: [wasmbedPlugin()] });
  const plugin: esbuild.Plugin = wasmbedPlugin();
  console.log(plugin.name);
  await Embedder.load('BAAI/bge-m3', { device: 'wasm', dtype: 'q8', wasmMemoryLimit: 2 ** 31 });
  // @ts-expect-error wasmMemoryLimit is a number of bytes
  await Embedder.load('BAAI/bge-m3', { wasmMemoryLimit: '2GB' });
  const docs: Float32Array[] = await model.embed(passages, { prompt: 'passage', batchSize: 32 });
  const flat = await model.embedFlat(passages);
  const n: number = flat.count * flat.dims;
  const m3 = await model.embed(passages, { outputs: ['dense', 'sparse', 'colbert'] });
  const colbert = decodeColbert(encodeColbert({ vectors: new Float32Array(8), count: 2, dim: 4 }, 'float16'));
  const sparseIds: Int32Array | undefined = m3[0].sparse?.ids;
  const device: string = model.info.device;
  // @ts-expect-error embed takes strings, not numbers
  await model.embed([1, 2]);
  await model.dispose();

  const worker: WorkerEmbedder = await Embedder.load('org/name', { worker: true });
  await worker.embed(['x']);
  await worker.dispose();

  const pool: EmbedderPool = await Embedder.load('org/name', { device: 'wasm', workers: 'auto' });
  const copies: number = pool.info.workers;
  const pooled: Float32Array[] = await pool.embed(['x', 'y'], { onProgress: ({ done, total }) => done / total, signal: AbortSignal.timeout(1000) });
  const m3pooled = await pool.embed(['x'], { outputs: ['sparse'] });
  m3pooled[0].sparse?.ids;
  await pool.dispose();
  const pool2 = await EmbedderPool.load('org/name', { workers: 2, threads: 1 });
  await pool2.embedFlat(['x']);
  // @ts-expect-error workers is a count or 'auto'
  await EmbedderPool.load('org/name', { workers: 'all' });

  const tok = await Tokenizer.fromJSON('{}');
  const enc = tok.encode('한국어 문장', { addSpecialTokens: true, maxLength: 512 });
  const ids: Int32Array = enc.ids;
  const batch = tok.encodeBatch(['a', 'b']);
  const shape: [number, number] = batch.shape;
  tok.decode(ids, { skipSpecialTokens: true });
  const passagesOf = await chunkDocument({ id: 1, text: 'A. B.' }, tok, { maxTokens: 128 });
  tok.dispose();
  const disposed: boolean = tok.disposed;

  const index = await VectorIndex.create({ dims: 384, metric: 'cosine', storage: 'int8' });
  index.add(7, q, { tags: ['news'] });
  index.addBatch([8, 9], new Float32Array(768));
  const hits = index.search(q, { k: 10, filter: { tags: ['news'] } });
  const best: number = hits[0].score;
  // @ts-expect-error storage is one of three names
  await VectorIndex.create({ dims: 4, storage: 'int4' });
  const lexical = await LexicalIndex.create();
  lexical.add(1, tok.encode('x').ids);
  const fused = rrf([hits, lexical.search(ids)]);
  weightedFusion([hits], { weights: [1] });
  await saveIndex(index, 'my-index');
  const again = await loadIndex('my-index');
  if (again instanceof VectorIndex) again.dispose();
  const m3index: M3Index | null = null;

  try {
    await Embedder.load('bad');
  } catch (err) {
    if (err instanceof ModelLoadError) console.log(err.file, err.url, err.status);
    if (err instanceof DisposedError && err instanceof InvalidArgumentError && err instanceof WasmbedError) console.log(err.name);
    if (err instanceof CapacityError) console.log(err.message);
  }

  const core: unknown = await loadCore();
  const breaks: Map<number, number> = sentenceBreaks('A. B.');
  const cos = rowCosines([1, 0], [1, 0], 2).min + WEBGPU_GUARD_THRESHOLD;
  console.log(unit, v, colbert, sparseIds, docs, n, device, shape, passagesOf, disposed, best, fused, m3index, core, breaks, cos);
}

import { convertModel, openTorchCheckpoint } from 'wasmbed/convert';

export async function convertPytorch(): Promise<void> {
  const r = await convertModel('jhgan/ko-sroberta-multitask', './ko-sroberta', { dtype: ['fp32', 'q8'] });
  const fp32: string | undefined = r.onnx.fp32;
  const ckpt = await openTorchCheckpoint('pytorch_model.bin');
  for (const t of ckpt.tensors.values()) {
    const head: Float32Array = await ckpt.read(t, 0, Math.min(4, t.numel));
    const tied: boolean = t.storage.key === ckpt.tensors.get('cls.predictions.decoder.weight')?.storage.key;
  }
  // @ts-expect-error read takes a tensor entry, not its name
  await ckpt.read('embeddings.word_embeddings.weight');
  await ckpt.close();
}

import { quantizeModel, compareModels, DEFAULT_FORMAT } from 'wasmbed/quantize';

export async function quantizeInt8(): Promise<void> {
  const r = await quantizeModel('m/onnx/model.onnx', 'm/onnx/model_quantized.onnx', { format: DEFAULT_FORMAT });
  const corrected: number = r.biasCorrected;
  const q4 = await quantizeModel('m/onnx/model.onnx', 'm/onnx/model_q4.onnx', { format: 'q4', gptq: { window: 256, damp: 0.01 } });
  const rounded: number = q4.gptq;
  await quantizeModel('m/onnx/model.onnx', 'm/onnx/model_q4b.onnx', { format: 'q4', gptq: false });
  // @ts-expect-error gptq takes 'auto', a boolean or { window, damp }
  await quantizeModel('m/onnx/model.onnx', 'm/onnx/model_q4c.onnx', { gptq: 256 });
  const cmp = await compareModels('m/onnx/model.onnx', 'm/onnx/model_quantized.onnx', ['text']);
  const perText: number[] = cmp.cosines;
}

import { buildIndex, mergeIndexes, exportIndex, readBuild, readNpy, npyBytes } from 'wasmbed/indexer';

export async function indexCorpus(): Promise<void> {
  const r = await buildIndex({
    out: 'site-index', inputs: ['docs/', 'faq.jsonl'], model: 'intfloat/multilingual-e5-small', textField: ['title', 'body'],
    tagsField: 'tags', shard: '0/3', blockDocs: 64, storage: 'binary', onProgress: ({ stage, done, total }) => console.log(stage, done / total),
  });
  const resumed: number = r.resumedBlocks;
  const index: string | null = r.index;
  await buildIndex({ out: 'imported', vectors: 'emb.npy', ids: 'ids.jsonl', model: 'intfloat/multilingual-e5-small', shard: { index: 0, count: 1 } });
  const merged = await mergeIndexes({ out: 'site-index', shards: ['s0', 's1', 's2'], keepFloat: true });
  const exported = await exportIndex({ dir: merged.out, out: 'vectors' });
  const build = await readBuild('site-index');
  const first: string = build.records[0].id + (build.records[0].doc ?? '');
  const { data, dims }: { data: Float32Array; dims: number } = readNpy(npyBytes(build.vectors, build.count, build.dims));
  // @ts-expect-error shard counts are numbers
  await buildIndex({ out: 'x', inputs: [], model: 'm', shard: { index: '0', count: 1 } });
  console.log(resumed, index, exported.files, first, data, dims);
}

import { StaticIndex, writeStaticIndex, ModelMismatchError, type StaticSearchHit } from 'wasmbed';

export async function staticIndex(vectors: Float32Array, ids: string[]): Promise<void> {
  const manifest = await writeStaticIndex('site/index', {
    dims: 384, vectors, ids, texts: ids, metadata: ids.map(() => ({ tags: ['docs'] })),
    model: { id: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8', pooling: 'mean', normalize: true, dims: 384 },
    storage: 'int8', partitions: 64, seed: 3, onProgress: ({ phase, done, total }) => console.log(phase, done / total),
  });
  const count: number = manifest.partitionTable[0].rows;
  const index = await StaticIndex.open('https://example.com/index/', { cache: { cacheName: 'idx' } });
  const hits: StaticSearchHit[] = await index.search(vectors.subarray(0, 384), { k: 10, nprobe: 16, filter: { tags: ['docs'] }, documents: true });
  console.log(count, hits[0].id, hits[0].text, index.stats.bytesFetched, index.manifest.model.id);
  const words: StaticSearchHit[] = await index.lexicalSearch('harbour ferry', { k: 5, filter: { tags: ['docs'] }, documents: true });
  console.log(words[0]?.score, words[0]?.metadata);
  // @ts-expect-error lexicalSearch takes text, not a vector
  await index.lexicalSearch(vectors);
  try {
    index.checkModel({ id: 'other/model' });
  } catch (err) {
    if (err instanceof ModelMismatchError) console.log(err.expected);
  }
  // @ts-expect-error storage float32 is not a static index storage
  await writeStaticIndex('x', { dims: 4, vectors, ids, model: { id: 'm' }, storage: 'float32' });
  // @ts-expect-error a static index search needs options, not a number
  await index.search(vectors, 10);
  index.dispose();
}
