// Quantized models: fp32 vs q8 / q4 (our com.microsoft MatMulNBits + GatherBlockQuantized) vs the
// Hub-style dynamic int8 (DynamicQuantizeLinear + MatMulInteger: what transformers.js loads as
// model_quantized.onnx), all made here from the same generated model. Per file: size, load time
// (session creation to the first embedding), texts/s on WASM over the shared texts (Korean,
// Russian, English, interleaved; batch 32), cosine to the fp32 vectors (mean / min); and
// transformers.js running the dynamic-int8 file in the same run.
//
// Backends (the same ONNX Runtime WASM for both systems where possible):
//   Node      wasmbed: onnxruntime-web 1.30 WASM (device 'wasm'). transformers.js: its web build
//             (dist/transformers.web.js, with its own onnxruntime-web 1.31-dev WASM) run in Node;
//             its Node build only offers onnxruntime-node ('cpu'), added with --tjs-cpu.
//   Chromium  headless Chromium through the embedding benchmark's harness
//             (bench/helpers/browser-embed.js runInChromium: both systems on the project's
//             onnxruntime-web 1.30, renderer peak memory; cosines shown are Node's for the same
//             file), or with --own-browser-runner the page below (transformers.js on its own
//             onnxruntime-web; vectors compared in Chromium). --no-browser skips Chromium.
// Every (system, file) runs in its own process / browser so load time and memory are its own.
//
// Usage: node bench/quantize.bench.js [--quick] [--texts N] [--models minilm,e5-small] [--bge-m3]
//        [--threads N] [--no-browser] [--own-browser-runner] [--tjs-cpu]
// --quick: 64 texts instead of 256.
// --convert-memory MODEL (e.g. bge-m3): instead, writes a safetensors-only repository of that shape
// (models/generated/st-MODEL: config.json + model.safetensors, 2.27 GB for bge-m3) and reports the
// peak RSS and time of `convert --dtype q8`, `q4` and `fp32` on it, each in its own process.
// --accuracy: instead, q8 and q4 with and without bias correction (min-max vs MSE scales; built-in
// vs held-out shared calibration texts), on onnxruntime-node (CPU) over the shared texts: size,
// quantization time, mean / min cosine to fp32. Models from --models (default
// e5-small,ko-sroberta,bge-m3-8k), --variants (indexes into ACCURACY_VARIANTS), --device cpu|wasm
// (onnxruntime-node, default, or onnxruntime-web WASM). Writes bench/results/quantize-accuracy[-wasm].json.
// Writes bench/results/quantize.json and prints a markdown table. Models are generated on first
// use into models/generated/quant-<name>/ (gitignored); the quantized files are remade each run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const SHARED = process.env.WASMBED_SHARED ?? path.resolve(ROOT, '..', 'shared');
const TJS_DIR = path.join(ROOT, 'node_modules', '@huggingface', 'transformers');
// transformers.js's web build imports its own onnxruntime-web (nested), not the project's.
const TJS_ORT_DIST = path.join(TJS_DIR, 'node_modules', 'onnxruntime-web', 'dist');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' }, texts: { type: 'string' }, models: { type: 'string' }, 'bge-m3': { type: 'boolean' },
    threads: { type: 'string', default: '1' }, 'no-browser': { type: 'boolean' }, 'tjs-cpu': { type: 'boolean' }, 'own-browser-runner': { type: 'boolean' },
    'convert-memory': { type: 'string' }, child: { type: 'string' }, accuracy: { type: 'boolean' },
    device: { type: 'string', default: 'cpu' }, variants: { type: 'string' },
  },
});

const MODELS = {
  minilm: { preset: 'all-MiniLM-L6-v2', tokenizer: () => path.join(SHARED, 'tokenizers', 'all-MiniLM-L6-v2', 'tokenizer.json') },
  'e5-small': { preset: 'multilingual-e5-small', tokenizer: xlmrTokenizer },
  'bge-m3': { preset: 'bge-m3', tokenizer: xlmrTokenizer },
  'ko-sroberta': { preset: 'ko-sroberta-multitask', tokenizer: () => path.join(SHARED, 'tokenizers', 'klue-roberta-base', 'tokenizer.json') },
  // bge-m3's 24 x 1024 encoder with the test tokenizer's 8k vocabulary and 514 positions (texts
  // here are short): a 1.2 GB instead of a 2.3 GB file, and the word table stays the largest one,
  // so it is the table the quantizer puts in GatherBlockQuantized, as in the real model.
  'bge-m3-8k': { preset: 'bge-m3', tokenizer: xlmrTokenizer, config: { vocab_size: null, max_position_embeddings: 514 } },
};

// --accuracy variants. 'shared' calibration: held-out shared texts (disjoint from the evaluation
// texts), i.e. calibrating on the kind of text the model will embed; default: the built-in texts.
const ACCURACY_VARIANTS = [
  { variant: 'q8 (default: bias-corrected, built-in texts)', quantize: { format: 'q8' } },
  { variant: 'q8, no bias correction', quantize: { format: 'q8', calibration: false } },
  { variant: 'q4, min-max scales, no bias correction', quantize: { format: 'q4', rounding: 'minmax', calibration: false } },
  { variant: 'q4, MSE scales, no bias correction', quantize: { format: 'q4', calibration: false } },
  { variant: 'q4 (default: MSE scales, bias-corrected, built-in texts)', quantize: { format: 'q4' } },
  { variant: 'q4, bias-corrected on held-out shared texts', quantize: { format: 'q4' }, calibration: 'shared' },
];

// The files compared, by variant: the name under onnx/, the quantizer options that make it, and
// the transformers.js dtype that loads it (null: not run with transformers.js).
const VARIANTS = [
  { variant: 'fp32', file: 'model.onnx', quantize: null, tjsDtype: null },
  { variant: 'q8', file: 'model_nbits_q8.onnx', quantize: { format: 'q8', block: 32 }, tjsDtype: null },
  { variant: 'q4', file: 'model_nbits_q4.onnx', quantize: { format: 'q4', block: 32 }, tjsDtype: null },
  { variant: 'int8-dynamic', file: 'model_quantized.onnx', quantize: { format: 'int8-dynamic' }, tjsDtype: 'q8' },
];

/** The shared STS sentences, the four corpora interleaved (ko, ko, ru, en, ...), first n. */
async function mixedTexts(n) {
  const { loadAllCorpora } = await import('../tests/helpers/shared-texts.js');
  const corpora = Object.values(loadAllCorpora() ?? {});
  const out = [];
  for (let i = 0; out.length < n && corpora.some((c) => i < c.length); i++) {
    for (const c of corpora) if (i < c.length && out.length < n) out.push(c[i]);
  }
  return out;
}

const onnxBytes = (file) => statSync(file).size + (existsSync(`${file}_data`) ? statSync(`${file}_data`).size : 0);

// ---------------------------------------------------------------------------------------------
// Child processes: one (system, file) each; vectors go to a temp file for the parent to compare.

/** Static HTTP server over GEN (transformers.js's web build fetches model files by URL). */
async function serveGenerated() {
  const http = await import('node:http');
  const { createReadStream } = await import('node:fs');
  const server = http.createServer((req, res) => {
    const file = path.join(GEN, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/local\//, '/'));
    if (!file.startsWith(GEN + path.sep) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${server.address().port}/`;
}

/** transformers.js's browser build in Node: it picks the web code paths (fetch, onnxruntime-web). */
async function importTransformersWeb() {
  const release = Object.getOwnPropertyDescriptor(process, 'release');
  // The build decides "Node" from process.release.name at import time; hide it for the import.
  Object.defineProperty(process, 'release', { value: { name: 'web-like' }, configurable: true });
  try {
    return await import(pathToFileURL(path.join(TJS_DIR, 'dist', 'transformers.web.js')).href);
  } finally {
    Object.defineProperty(process, 'release', release);
  }
}

/** Child: one conversion; reports its own peak RSS. */
async function convertChild(job) {
  const { convertModel } = await import('../js/convert/convert.js');
  rmSync(job.out, { recursive: true, force: true });
  const t0 = performance.now();
  const r = await convertModel(job.src, job.out, { dtype: job.dtype, calibration: job.calibration ?? 'auto', localFilesOnly: true });
  const seconds = (performance.now() - t0) / 1000;
  const bytes = Object.values(r.onnx).reduce((a, f) => a + onnxBytes(path.join(job.out, f)), 0);
  rmSync(job.out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ dtype: job.dtype, calibration: r.calibration, seconds, outBytes: bytes, peakMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function convertMemory(name) {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model ${name} (known: ${Object.keys(MODELS).join(', ')})`);
  const src = path.join(GEN, `st-${name}`);
  const { parameterSpecs } = await import('../js/convert/architecture.js');
  const { PRESETS, fullConfig } = await import('../models/generator/presets.js');
  const { writeSafetensors } = await import('../js/convert/safetensors-writer.js');
  const { tensorChunks } = await import('../models/generator/weights.js');
  const config = fullConfig({ ...PRESETS[spec.preset].config });
  if (config.vocab_size == null) throw new Error(`${name}: preset takes its vocabulary from a tokenizer; use bge-m3, e5-small or minilm`);
  if (!existsSync(path.join(src, 'model.safetensors'))) {
    console.error(`writing ${src}/model.safetensors ...`);
    mkdirSync(src, { recursive: true });
    writeFileSync(path.join(src, 'config.json'), JSON.stringify(config, null, 2));
    const specs = parameterSpecs(config);
    await writeSafetensors(path.join(src, 'model.safetensors.partial'), specs.map((x) => ({ name: x.name, shape: x.shape, chunks: () => tensorChunks(x, 3) })));
    const { renameSync } = await import('node:fs');
    renameSync(path.join(src, 'model.safetensors.partial'), path.join(src, 'model.safetensors'));
  }
  // A tokenizer makes the default bias correction run (it runs the float32 model: see README).
  if (!existsSync(path.join(src, 'tokenizer.json'))) writeFileSync(path.join(src, 'tokenizer.json'), readFileSync(await spec.tokenizer()));
  const inBytes = statSync(path.join(src, 'model.safetensors')).size;
  const rows = [];
  for (const [dtype, calibration] of [['q8', 'auto'], ['q4', 'auto'], ['q8', false], ['q4', false], ['fp32', 'auto']]) {
    const job = { src, out: path.join(GEN, `st-${name}-out-${dtype}`), dtype, calibration };
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify({ convert: job })], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (r.status !== 0 || !line) throw new Error(`convert --dtype ${dtype} failed: ${r.stderr.slice(-1000)}`);
    rows.push({ model: name, inBytes, ...JSON.parse(line) });
    console.error(JSON.stringify(rows.at(-1)));
  }
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  console.log(`\n| wasmbed convert (${name} shape, ${mib(inBytes)} MiB safetensors) | output | time (s) | peak RSS (MiB) |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| --dtype ${r.dtype}${r.dtype !== 'fp32' && !r.calibration ? ' --no-calibration' : ''} | ${mib(r.outBytes)} MiB | ${r.seconds.toFixed(0)} | ${r.peakMiB.toFixed(0)} |`);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'quantize-convert.json'), JSON.stringify({ date: new Date().toISOString(), loadavg: os.loadavg(), rows }, null, 2) + '\n');
}

async function child() {
  const job = JSON.parse(args.child);
  if (job.convert) return convertChild(job.convert);
  const texts = await mixedTexts(job.texts);
  const dir = path.join(GEN, job.name);
  const t0 = performance.now();
  let embedAll, first, runtime;
  if (job.system === 'wasmbed') {
    const { Embedder } = await import('../js/index.js');
    const model = await Embedder.load(dir, { device: 'wasm', modelFile: `onnx/${job.file}`, threads: job.threads, localFilesOnly: true });
    runtime = `onnxruntime-web ${model.info.ortVersion ?? (await import('onnxruntime-web')).env.versions?.web ?? ''} WASM`.trim();
    first = () => model.embed([texts[0]]);
    embedAll = async () => model.embedFlat(texts, { batchSize: 32 });
  } else {
    const tjs = job.system === 'transformers.js-cpu' ? await import('@huggingface/transformers') : await importTransformersWeb();
    const { env, pipeline } = tjs;
    const opts = { dtype: job.tjsDtype };
    if (job.system === 'transformers.js-cpu') {
      env.allowRemoteModels = false;
      env.localModelPath = GEN + path.sep;
      Object.assign(opts, { local_files_only: true, device: 'cpu', session_options: { intraOpNumThreads: job.threads } });
      runtime = 'onnxruntime-node (cpu)';
    } else {
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.remoteHost = await serveGenerated();
      env.remotePathTemplate = '{model}/';
      env.useBrowserCache = false;
      env.useWasmCache = false;
      const wasm = env.backends.onnx.wasm;
      // Its default build in browsers without JSPI (asyncify), from the local package, not a CDN.
      wasm.wasmPaths = {
        mjs: pathToFileURL(path.join(TJS_ORT_DIST, 'ort-wasm-simd-threaded.asyncify.mjs')).href,
        wasm: pathToFileURL(path.join(TJS_ORT_DIST, 'ort-wasm-simd-threaded.asyncify.wasm')).href,
      };
      wasm.numThreads = job.threads;
      Object.assign(opts, { device: 'wasm' });
      runtime = `onnxruntime-web ${env.backends.onnx.versions?.web ?? ''} WASM (transformers.js web build in Node)`;
    }
    const extractor = await pipeline('feature-extraction', job.system === 'transformers.js-cpu' ? job.name : `local/${job.name}`, opts);
    const pooling = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8')).pooling_mode_cls_token ? 'cls' : 'mean';
    const normalize = existsSync(path.join(dir, '2_Normalize'));
    first = () => extractor([texts[0]], { pooling, normalize });
    embedAll = () => tjsEmbedAll(extractor, texts, { pooling, normalize });
  }
  const { data, ...timing } = await timeJob(t0, first, embedAll);
  writeFileSync(job.vectors, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ...timing, peakMiB, runtime }) + '\n');
}

// The two functions below run in Node and, serialized into pageHtml, in the bench page: both
// sides batch and time transformers.js the same way. They use nothing outside themselves.

/** A transformers.js feature-extraction pipeline over `texts` in batches of 32: { data, dims, count }. */
async function tjsEmbedAll(extractor, texts, options) {
  const parts = [];
  let dims = 0;
  for (let i = 0; i < texts.length; i += 32) {
    const out = await extractor(texts.slice(i, i + 32), options);
    dims = out.dims[1];
    parts.push(out.data);
  }
  const data = new Float32Array(texts.length * dims);
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return { data, dims, count: texts.length };
}

/** Load time (from t0 to the first embedding), then the timed run of all(); keeps its vectors. */
async function timeJob(t0, first, all) {
  await first();
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const out = await all();
  const seconds = (performance.now() - t1) / 1000;
  return { loadMs, seconds, textsPerSec: out.count / seconds, count: out.count, dims: out.dims, data: out.data };
}

function runChild(job) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 400) };
  return JSON.parse(line);
}

// ---------------------------------------------------------------------------------------------
// Chromium: one fresh page per (system, file), the page served from this checkout (wasmbed's
// js/ + onnxruntime-web 1.30; transformers.js's web build + its own onnxruntime-web), models from
// models/generated. Not cross-origin-isolation dependent: both run `threads` WASM threads (1 by
// default, which needs no isolation).

const pageHtml = (imports) => `<!doctype html><meta charset="utf-8"><title>quantize bench</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
${tjsEmbedAll.toString()}
${timeJob.toString()}
window.runJob = async (job, texts) => {
  const t0 = performance.now();
  let first, all;
  if (job.system === 'wasmbed') {
    const { Embedder } = await import('/js/index.js');
    const model = await Embedder.load(location.origin + '/gen/' + job.name + '/', { device: 'wasm', modelFile: 'onnx/' + job.file, cache: false, threads: job.threads });
    first = () => model.embed([texts[0]]);
    all = () => model.embedFlat(texts, { batchSize: 32 });
  } else {
    const { env, pipeline } = await import('/node_modules/@huggingface/transformers/dist/transformers.web.js');
    env.allowLocalModels = false; env.allowRemoteModels = true; env.useBrowserCache = false; env.useWasmCache = false;
    env.remoteHost = location.origin + '/'; env.remotePathTemplate = '{model}/';
    const dist = location.origin + '/node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/';
    env.backends.onnx.wasm.wasmPaths = { mjs: dist + 'ort-wasm-simd-threaded.asyncify.mjs', wasm: dist + 'ort-wasm-simd-threaded.asyncify.wasm' };
    env.backends.onnx.wasm.numThreads = job.threads;
    const extractor = await pipeline('feature-extraction', 'gen/' + job.name, { dtype: job.tjsDtype, device: 'wasm' });
    const o = { pooling: job.pooling, normalize: job.normalize };
    first = () => extractor([texts[0]], o);
    all = () => tjsEmbedAll(extractor, texts, o);
  }
  const { data, ...timing } = await timeJob(t0, first, all);
  return { ...timing, data: Array.from(data) };
};
window.ready = true;
</script>`;

const SHARED_RUNNER = path.join(ROOT, 'bench', 'helpers', 'browser-embed.js');

/**
 * The embedding benchmark's Chromium harness (bench/helpers/browser-embed.js runInChromium: one
 * Chromium per run, renderer peak memory; both systems on the project's onnxruntime-web). It picks
 * files by dtype, so q8 / q4 get a folder of links whose onnx/model_quantized.onnx /
 * onnx/model_q4.onnx is our MatMulNBits file; fp32 and the Hub int8 file are read from the model
 * folder itself (model.onnx, model_quantized.onnx).
 */
async function runSharedChromium(bjobs, dir, texts, threads) {
  const { runInChromium } = await import(pathToFileURL(SHARED_RUNNER).href);
  const { readdirSync, symlinkSync } = await import('node:fs');
  const folderFor = (job) => {
    if (job.variant === 'fp32') return { modelDir: dir, dtype: 'fp32' };
    if (job.variant === 'int8-dynamic') return { modelDir: dir, dtype: 'q8' };
    const linked = `${dir}-${job.variant}`;
    const dtypeFile = job.variant === 'q8' ? 'model_quantized.onnx' : 'model_q4.onnx';
    rmSync(linked, { recursive: true, force: true });
    mkdirSync(path.join(linked, 'onnx'), { recursive: true });
    for (const f of readdirSync(dir)) if (f !== 'onnx') symlinkSync(path.join(dir, f), path.join(linked, f));
    symlinkSync(path.join(dir, 'onnx', job.file), path.join(linked, 'onnx', dtypeFile));
    return { modelDir: linked, dtype: job.variant };
  };
  const results = [];
  for (const job of bjobs) {
    const { modelDir, dtype } = folderFor(job);
    try {
      const r = await runInChromium({ system: job.system, modelDir, dtype, texts, batchSize: 32, threads, isolated: true });
      results.push({ loadMs: r.firstMs, seconds: r.seconds, textsPerSec: r.textsPerSec, count: r.texts, peakMiB: r.peakMiB, runtime: `${r.info?.backend ?? 'onnxruntime-web'} WASM (Chromium, bench/helpers/browser-embed.js)` });
    } catch (err) {
      results.push({ error: String(err?.message ?? err).split('\n')[0].slice(0, 400) });
    } finally {
      if (modelDir !== dir) rmSync(modelDir, { recursive: true, force: true });
    }
  }
  return results;
}

const IMPORTS = {
  wasmbed: {
    'onnxruntime-web': '/node_modules/onnxruntime-web/dist/ort.bundle.min.mjs',
    'onnxruntime-web/webgpu': '/node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs',
  },
  'transformers.js': {
    'onnxruntime-web/webgpu': '/node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs',
    'onnxruntime-common': '/node_modules/@huggingface/transformers/node_modules/onnxruntime-common/dist/esm/index.js',
  },
};

/** Runs jobs in headless Chromium with the page above; one result (vectors included, or { error }) per job. */
async function runOwnChromium(bjobs, dir, texts, threads) {
  const pooling = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8')).pooling_mode_cls_token ? 'cls' : 'mean';
  const normalize = existsSync(path.join(dir, '2_Normalize'));
  const jobs = bjobs.map((j) => ({ system: j.system, name: path.basename(dir), file: j.file, tjsDtype: j.tjsDtype, threads, pooling, normalize }));
  const { browserSkipReason, launchBrowser } = await import('../tests/helpers/browser.js');
  const skip = await browserSkipReason();
  if (skip) return jobs.map(() => ({ error: skip }));
  const { startStaticServer } = await import('../scripts/static-server.js');
  const server = await startStaticServer({ mounts: { '/': ROOT, '/gen/': GEN } });
  const browser = await launchBrowser();
  const results = [];
  try {
    for (const job of jobs) {
      const page = await browser.newPage();
      const url = `${server.url}/__quantize-bench-${job.system === 'wasmbed' ? 'wasmbed' : 'tjs'}.html`;
      await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }, body: pageHtml(IMPORTS[job.system]) }));
      try {
        await page.goto(url);
        await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
        const r = await page.evaluate(([j, t]) => window.runJob(j, t).catch((e) => ({ error: String(e?.stack ?? e).slice(0, 400) })), [job, texts]);
        if (!r.error) r.runtime = job.system === 'wasmbed' ? 'onnxruntime-web 1.30 WASM (Chromium)' : 'onnxruntime-web 1.31-dev WASM (transformers.js web build, Chromium)';
        results.push(r);
      } catch (err) {
        results.push({ error: String(err?.message ?? err).slice(0, 400) });
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------

function cosines(ref, got, dims) {
  const n = ref.length / dims;
  let sum = 0, min = Infinity;
  for (let r = 0; r < n; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let i = r * dims; i < (r + 1) * dims; i++) { dot += ref[i] * got[i]; na += ref[i] * ref[i]; nb += got[i] * got[i]; }
    const c = dot / Math.sqrt(na * nb);
    sum += c;
    min = Math.min(min, c);
  }
  return { mean: sum / n, min };
}

const readF32 = (file) => { const b = readFileSync(file); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };

async function prepareModel(name) {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model ${name} (known: ${Object.keys(MODELS).join(', ')})`);
  const dir = path.join(GEN, `quant-${name}`);
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    console.error(`generating ${name} (${spec.preset}) in ${dir} ...`);
    const { makeModel } = await import('../models/generator/index.js');
    await makeModel(dir, { preset: spec.preset, tokenizer: await spec.tokenizer(), seed: 5, config: spec.config });
  }
  const { quantizeModel } = await import('../js/quantize/quantize.js');
  const made = {};
  for (const v of VARIANTS) {
    if (!v.quantize) continue;
    const out = path.join(dir, 'onnx', v.file);
    const t0 = performance.now();
    await quantizeModel(path.join(dir, 'onnx', 'model.onnx'), out, v.quantize);
    made[v.variant] = (performance.now() - t0) / 1000;
    console.error(`  ${name} ${v.variant}: ${(onnxBytes(out) / 2 ** 20).toFixed(1)} MiB in ${made[v.variant].toFixed(1)} s`);
  }
  return { dir, quantizeSeconds: made };
}

/** Vectors of `texts` from one ONNX file of a model folder (onnxruntime-node, the real Embedder). */
async function embedWith(dir, file, texts) {
  const { Embedder } = await import('../js/embedder/embedder.js');
  const model = await Embedder.load(dir, { device: args.device, modelFile: `onnx/${path.basename(file)}`, localFilesOnly: true });
  try {
    const vs = await model.embed(texts, { batchSize: 16 });
    const flat = new Float32Array(vs.length * vs[0].length);
    vs.forEach((v, i) => flat.set(v, i * v.length));
    return { flat, dims: vs[0].length };
  } finally {
    await model.dispose();
  }
}

/**
 * --accuracy: every ACCURACY_VARIANTS file of each model vs its fp32 file (onnxruntime-node) over
 * the first N shared texts; 'shared' calibration uses 256 shared texts after the first 1000.
 */
async function accuracySweep() {
  const names = (args.models ?? 'e5-small,ko-sroberta,bge-m3-8k').split(',');
  const texts = await mixedTexts(Number(args.texts ?? (args.quick ? 64 : 256)));
  const heldOut = (await mixedTexts(1256)).slice(1000);
  const { quantizeModel } = await import('../js/quantize/quantize.js');
  const rows = [];
  for (const name of names) {
    const spec = MODELS[name];
    if (!spec) throw new Error(`unknown model ${name} (known: ${Object.keys(MODELS).join(', ')})`);
    const dir = path.join(GEN, `quant-${name}`);
    const fp32 = path.join(dir, 'onnx', 'model.onnx');
    if (!existsSync(fp32)) {
      console.error(`generating ${name} (${spec.preset}) in ${dir} ...`);
      const { makeModel } = await import('../models/generator/index.js');
      await makeModel(dir, { preset: spec.preset, tokenizer: await spec.tokenizer(), seed: 5, config: spec.config });
    }
    rows.push({ model: name, variant: 'fp32', bytes: onnxBytes(fp32) });
    const { flat: ref, dims } = await embedWith(dir, fp32, texts);
    const only = args.variants ? args.variants.split(',').map(Number) : null;
    for (const [i, v] of ACCURACY_VARIANTS.entries()) {
      if (only && !only.includes(i)) continue;
      const out = path.join(dir, 'onnx', `model_accuracy_${i}.onnx`);
      const t0 = performance.now();
      const r = await quantizeModel(fp32, out, { ...v.quantize, ...(v.calibration === 'shared' ? { calibration: { texts: heldOut } } : {}) });
      const seconds = (performance.now() - t0) / 1000;
      const c = cosines(ref, (await embedWith(dir, out, texts)).flat, dims);
      rows.push({ model: name, variant: v.variant, bytes: onnxBytes(out), quantizeSeconds: seconds, calibration: r.calibration, cosine: { mean: c.mean, min: c.min } });
      console.error(`  ${name} ${v.variant}: ${(onnxBytes(out) / 2 ** 20).toFixed(1)} MiB, cosine ${c.mean.toFixed(5)} / ${c.min.toFixed(5)}`);
      rmSync(out, { force: true });
      rmSync(`${out}_data`, { force: true });
    }
  }
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const suffix = args.device === 'cpu' ? '' : `-${args.device}`;
  writeFileSync(path.join(ROOT, 'bench', 'results', `quantize-accuracy${suffix}.json`), JSON.stringify({ date: new Date().toISOString(), loadavg: os.loadavg(), device: args.device, texts: texts.length, rows }, null, 2) + '\n');
  console.log(`\n| model | variant | size (MiB) | quantize (s) | cosine vs fp32 mean / min (${texts.length} texts, ${args.device === 'cpu' ? 'onnxruntime-node' : `onnxruntime-web ${args.device}`}) |`);
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.variant} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.quantizeSeconds?.toFixed(1) ?? '–'} | ${r.cosine ? `${r.cosine.mean.toFixed(5)} / ${r.cosine.min.toFixed(5)}` : '(reference)'} |`);
  }
}

async function main() {
  if (!existsSync(path.join(SHARED, 'texts', 'korsts'))) {
    console.log('quantize bench: ../shared (texts, tokenizers) is absent: skipped');
    return;
  }
  const quick = Boolean(args.quick);
  const nTexts = Number(args.texts ?? (quick ? 64 : 256));
  const threads = Number(args.threads);
  const names = (args.models ?? 'minilm,e5-small').split(',').concat(args['bge-m3'] ? ['bge-m3'] : []);
  const tmp = path.join(os.tmpdir(), `wasmbed-quant-bench-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const rows = [];
  try {
    for (const name of names) {
      const { dir, quantizeSeconds } = await prepareModel(name);
      const genName = path.basename(dir);
      const jobs = VARIANTS.map((v) => ({ system: 'wasmbed', env: 'node', ...v }));
      for (const v of VARIANTS.filter((x) => x.tjsDtype)) {
        jobs.push({ system: 'transformers.js', env: 'node', ...v });
        if (args['tjs-cpu']) jobs.push({ system: 'transformers.js-cpu', env: 'node', ...v });
      }
      let ref = null;
      for (const job of jobs) {
        const vectors = path.join(tmp, `${name}-${job.system}-${job.variant}.f32`);
        const r = runChild({ system: job.system, name: genName, file: job.file, tjsDtype: job.tjsDtype, texts: nTexts, threads, vectors });
        const row = { model: name, preset: MODELS[name].preset, env: job.env, system: job.system, variant: job.variant, file: `onnx/${job.file}`, bytes: onnxBytes(path.join(dir, 'onnx', job.file)), quantizeSeconds: quantizeSeconds[job.variant] ?? null, threads, ...r };
        if (!r.error) {
          const v = readF32(vectors);
          if (job.system === 'wasmbed' && job.variant === 'fp32') ref = v;
          if (ref) row.cosine = cosines(ref, v, r.dims);
        }
        rows.push(row);
        console.error(JSON.stringify(row));
      }
      if (!args['no-browser']) {
        const texts = await mixedTexts(nTexts);
        const base = { model: name, preset: MODELS[name].preset, env: 'chromium', threads };
        const bjobs = [...VARIANTS.map((v) => ({ system: 'wasmbed', ...v })), ...VARIANTS.filter((v) => v.tjsDtype).map((v) => ({ system: 'transformers.js', ...v }))];
        const useShared = existsSync(SHARED_RUNNER) && !args['own-browser-runner'];
        const results = useShared ? await runSharedChromium(bjobs, dir, texts, threads) : await runOwnChromium(bjobs, dir, texts, threads);
        let bref = null;
        bjobs.forEach((job, i) => {
          const { data, ...r } = results[i];
          const row = { ...base, system: job.system, variant: job.variant, file: `onnx/${job.file}`, bytes: onnxBytes(path.join(dir, 'onnx', job.file)), quantizeSeconds: quantizeSeconds[job.variant] ?? null, ...r };
          if (data) {
            const v = Float32Array.from(data);
            if (job.system === 'wasmbed' && job.variant === 'fp32') bref = v;
            const against = bref ?? ref;
            if (against) row.cosine = cosines(against, v, r.dims);
          } else if (!r.error) {
            // The shared runner returns no vectors: Chromium's WASM computes what Node's does for
            // the same file (checked with --own-browser-runner), so the Node cosine is shown.
            const same = rows.find((x) => x.model === name && x.env === 'node' && x.system === job.system && x.variant === job.variant);
            if (same?.cosine) { row.cosine = same.cosine; row.cosineFrom = 'node'; }
          }
          rows.push(row);
          console.error(JSON.stringify(row));
        });
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  printTable(rows);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const meta = { date: new Date().toISOString(), texts: nTexts, batchSize: 32, threads, loadavg: os.loadavg(), cpus: os.cpus().length, node: process.version };
  writeFileSync(path.join(ROOT, 'bench', 'results', 'quantize.json'), JSON.stringify({ ...meta, rows }, null, 2) + '\n');
}

function printTable(rows) {
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log('\n| model | where | system | file | size | load to 1st embedding (ms) | texts/s | cosine vs fp32 mean / min | peak RSS (MiB) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const cos = r.cosine ? (r.variant === 'fp32' && r.system === 'wasmbed' ? '(reference)' : `${r.cosine.mean.toFixed(6)} / ${r.cosine.min.toFixed(6)}`) : '–';
    const what = `${r.variant}${r.variant === 'q8' || r.variant === 'q4' ? ' (MatMulNBits)' : r.variant === 'int8-dynamic' ? ' (MatMulInteger)' : ''}`;
    if (r.error) { console.log(`| ${r.model} | ${r.env} | ${r.system} | ${what} | ${mib(r.bytes)} | failed: ${r.error.replace(/\|/g, '/')} | | | |`); continue; }
    console.log(`| ${r.model} | ${r.env} | ${r.system} | ${what} | ${mib(r.bytes)} | ${r.loadMs.toFixed(0)} | ${r.textsPerSec.toFixed(1)} | ${cos} | ${r.peakMiB?.toFixed(0) ?? '–'} |`);
  }
}

if (args.child) await child();
else if (args['convert-memory']) await convertMemory(args['convert-memory']);
else if (args.accuracy) await accuracySweep();
else await main();
