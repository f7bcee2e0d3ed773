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
  };
}

window.ready = true;
