// Benchmark page logic (bench/browser/embed.html): loads one system, embeds the texts in batches
// of batchSize, and reports timings. Everything the libraries fetch comes from this origin.

const ORT_DIST = '/node_modules/onnxruntime-web/dist/';

/**
 * opts: { system: 'wasmbed'|'transformers.js', modelUrl (folder URL ending in '/'), modelRoot +
 * modelId (the same folder as transformers.js's localModelPath + id), dtype, texts, batchSize,
 * threads (undefined = each library's default), pooling, normalize }.
 * Returns { texts, seconds, textsPerSec, firstMs, threads, info } or { error }.
 */
window.runBench = async (opts) => {
  try {
    const t0 = performance.now();
    const { embedAll, first, info } = opts.system === 'wasmbed' ? await wasmbed(opts) : await transformersJs(opts);
    await first();
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    const n = await embedAll();
    const seconds = (performance.now() - t1) / 1000;
    return { texts: n, seconds, textsPerSec: n / seconds, firstMs, info: info(), isolated: self.crossOriginIsolated };
  } catch (err) {
    return { error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` };
  }
};

async function wasmbed({ modelUrl, dtype, texts, batchSize, threads }) {
  const { Embedder } = await import('/js/index.js');
  const model = await Embedder.load(modelUrl, { device: 'wasm', dtype, threads, cache: false });
  return {
    first: () => model.embed([texts[0]]),
    embedAll: async () => (await model.embedFlat(texts, { batchSize })).count,
    info: () => ({ ...model.info, ortThreads: model.ort.env.wasm.numThreads }),
    ort: model.ort,
    embedTexts: async (mode, list) => (await model.embedFlat(list, { prompt: null, batchSize: mode === 'single' ? 1 : batchSize })).count,
  };
}

// EmbedderPool: `workers` Web Workers, each one ORT-web session with threads / workers threads.
async function wasmbedPool({ modelUrl, dtype, batchSize, threads, workers }) {
  const { Embedder } = await import('/js/index.js');
  const n = workers ?? navigator.hardwareConcurrency;
  const model = await Embedder.load(modelUrl, { device: 'wasm', dtype, workers: n, threads: Math.max(1, Math.floor((threads ?? n) / n)), cache: false });
  return {
    info: () => ({ ...model.info, ortThreads: model.info.threads * model.info.workers }),
    embedTexts: async (mode, list) => (await model.embedFlat(list, { prompt: null, batchSize })).count,
  };
}

async function transformersJs({ modelRoot, modelId, dtype, texts, batchSize, threads, pooling, normalize }) {
  const { pipeline, env } = await import('/node_modules/@huggingface/transformers/dist/transformers.web.js');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelRoot;
  env.useBrowserCache = false; // wasmbed runs with cache: false too
  const onnx = env.backends.onnx;
  // transformers.js points ORT at the jsDelivr CDN by default: use the same files from here.
  onnx.wasm.wasmPaths = { mjs: `${ORT_DIST}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${ORT_DIST}ort-wasm-simd-threaded.asyncify.wasm` };
  if (threads) onnx.wasm.numThreads = threads;
  const extractor = await pipeline('feature-extraction', modelId, { dtype, device: 'wasm' });
  return {
    first: () => extractor([texts[0]], { pooling, normalize }),
    embedAll: async () => {
      let n = 0;
      for (let i = 0; i < texts.length; i += batchSize) n += (await extractor(texts.slice(i, i + batchSize), { pooling, normalize })).dims[0];
      return n;
    },
    info: () => ({ backend: 'onnxruntime-web (webgpu bundle, asyncify build)', ortThreads: onnx.wasm.numThreads ?? null }),
    embedTexts: async (mode, list) => {
      let n = 0;
      for (let i = 0; i < list.length; i += batchSize) n += (await extractor(list.slice(i, i + batchSize), { pooling, normalize })).dims[0];
      return n;
    },
  };
}

// ---- a loaded system kept open, for bench/throughput.bench.js (interleaved, repeated runs) ------

let open = null;

/** Loads one system (the options of runBench, without texts); returns { threads, isolated, info }. */
window.openSystem = async (opts) => {
  try {
    const sys = opts.system === 'wasmbed' ? await wasmbed(opts) : opts.system === 'wasmbed-pool' ? await wasmbedPool(opts) : await transformersJs(opts);
    open = { ...sys, opts };
    return { info: sys.info(), threads: sys.info().ortThreads ?? null, isolated: self.crossOriginIsolated };
  } catch (err) {
    return { error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` };
  }
};

/**
 * One timed pass over texts: mode 'planned' (wasmbed's planner), 'single' (wasmbed, one text per
 * run, same session), 'pool' (wasmbed's EmbedderPool) or 'batch32' (transformers.js, batches of
 * 32 in input order).
 */
window.runMode = async (mode, texts) => {
  try {
    const t0 = performance.now();
    const n = await open.embedTexts(mode, texts);
    return { ms: performance.now() - t0, texts: n };
  } catch (err) {
    return { error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` };
  }
};

/** The fp32 GEMM peak on the open wasmbed system's ONNX Runtime (same build, same threads). */
window.gemmPeak = async (shape) => {
  try {
    const { measureGemm } = await import('/bench/helpers/gemm-peak.js');
    return await measureGemm(open.ort, { ...shape, sessionOptions: { executionProviders: ['wasm'] } });
  } catch (err) {
    return { error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` };
  }
};

window.ready = true;
