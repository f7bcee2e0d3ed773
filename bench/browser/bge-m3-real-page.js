// bge-m3 real-shape benchmark page (bench/browser/bge-m3-real.html), driven by
// bench/bge-m3-real.bench.js: loads one system with the browser cache on (a fresh profile is the
// cold run, the same profile relaunched the warm one), times the first embedding from navigation
// start, then query latency and passage throughput. Everything is fetched from this origin.

const ORT_DIST = '/node_modules/onnxruntime-web/dist/';

/**
 * opts: { system: 'wasmbed'|'transformers.js', modelUrl, modelRoot, modelId, dtype, modelFile,
 * threads, query, queries (count), p256: string[], p512: string[] }.
 * Returns { firstMs, loadMs, queryMs: number[], p256Ms, p512Ms, info } or { error, errorName }.
 */
window.runBench = async (opts) => {
  try {
    const t0 = performance.now();
    const sys = opts.system === 'wasmbed' ? await wasmbed(opts) : await transformersJs(opts);
    await sys.embed([opts.query]);
    const firstMs = performance.now(); // since navigation start: page, library, model and one query
    const loadMs = firstMs - t0;
    const queryMs = [];
    for (let i = 0; i < opts.queries; i++) {
      const t = performance.now();
      await sys.embed([opts.query]);
      queryMs.push(performance.now() - t);
    }
    const timed = async (texts) => {
      if (!texts.length) return null;
      const t = performance.now();
      await sys.embed(texts);
      return performance.now() - t;
    };
    const p256Ms = await timed(opts.p256);
    const p512Ms = await timed(opts.p512);
    return { firstMs, loadMs, queryMs, p256Ms, p512Ms, info: sys.info() };
  } catch (err) {
    return { error: `${err?.name}: ${err?.message}`, errorName: err?.name ?? null, stack: String(err?.stack ?? '') };
  }
};

async function wasmbed({ modelUrl, dtype, modelFile, threads }) {
  const { Embedder } = await import('/js/index.js');
  const model = await Embedder.load(modelUrl, { device: 'wasm', dtype, modelFile, threads, cache: true });
  return {
    embed: (texts) => model.embed(texts),
    info: () => ({ ortThreads: model.info.threads, modelFile: model.info.modelFile, files: model.source?.files ?? null }),
  };
}

async function transformersJs({ modelRoot, modelId, dtype, threads }) {
  const { pipeline, env } = await import('/node_modules/@huggingface/transformers/dist/transformers.web.js');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelRoot;
  env.useBrowserCache = true; // its Cache API cache, as wasmbed's
  const onnx = env.backends.onnx;
  // transformers.js points ORT at the jsDelivr CDN by default: use the same files from here.
  onnx.wasm.wasmPaths = { mjs: `${ORT_DIST}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${ORT_DIST}ort-wasm-simd-threaded.asyncify.wasm` };
  if (threads) onnx.wasm.numThreads = threads;
  const extractor = await pipeline('feature-extraction', modelId, { dtype, device: 'wasm' });
  return {
    embed: (texts) => extractor(texts, { pooling: 'cls', normalize: true }),
    info: () => ({ ortThreads: onnx.wasm.numThreads ?? null }),
  };
}

window.ready = true;
