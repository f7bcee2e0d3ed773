// ONNX Runtime backends: onnxruntime-node ('cpu', Node only, optional dependency) and
// onnxruntime-web ('wasm'; 'webgpu' in browsers). Picks one for device 'auto' and says why.
import { isNode } from '../internal/env.js';
import { InvalidArgumentError, ModelLoadError, UnsupportedError } from '../errors.js';

export const DEVICES = ['auto', 'cpu', 'wasm', 'webgpu'];

// Hub ONNX file names by dtype (the naming transformers.js and Optimum exports use).
export const DTYPE_FILES = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
  bnb4: 'model_bnb4.onnx',
};

let nodeOrt;
async function importNodeOrt() {
  if (nodeOrt === undefined) {
    try {
      nodeOrt = await import('onnxruntime-node');
    } catch {
      nodeOrt = null;
    }
  }
  return nodeOrt;
}

// onnxruntime-web builds (package exports), by what a session needs:
//   'wasm'    ('onnxruntime-web/wasm'): WASM only. Used for device 'wasm' in browsers: its 14 MB
//             .wasm compiles in about a third of the time of the default build's 28 MB one, and
//             its first run is faster too (measured in Chromium: session creation 5.7 vs 19 s
//             for a tiny model on a loaded 2-core machine).
//   'default' ('onnxruntime-web'): WASM + the JSEP WebGPU provider; Node's build.
//   'webgpu'  ('onnxruntime-web/webgpu'): WASM + ORT's native WebGPU provider (the one
//             transformers.js uses), which has kernels JSEP lacks (8-bit MatMulNBits: q8 files).
//             Its WASM provider lacks some CPU kernels (GatherBlockQuantized), so WASM sessions
//             never use it.
// Where a subpath cannot be imported (an import map that only maps 'onnxruntime-web'), the
// default build is used. Each build is its own WASM module with its own env (thread settings).
const webOrt = new Map(); // wanted build -> Promise<{ ort, build, initialized }>
function importWebOrt(build) {
  let p = webOrt.get(build);
  if (!p) {
    p = (async () => {
      if (!isNode && build !== 'default') {
        try {
          const ort = build === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
          return { ort, build, initialized: false };
        } catch {
          return importWebOrt('default');
        }
      }
      return { ort: await import('onnxruntime-web'), build: 'default', initialized: false };
    })();
    webOrt.set(build, p);
  }
  return p;
}

async function defaultThreads() {
  if (isNode) {
    // Every core, for onnxruntime-node and for ORT-web's WASM threads (worker_threads in Node).
    const os = await import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  // ORT's own default is half the cores, at most 4; embedding throughput keeps scaling past that.
  if (globalThis.crossOriginIsolated) return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
  return 1;
}

let isolationWarned = false;
/** Sets the WASM thread count before the build's first session (ORT reads it once, at init). */
async function configureThreads(entry, threads, webgpu) {
  const { ort } = entry;
  if (!isNode && !globalThis.crossOriginIsolated && !webgpu && !isolationWarned) {
    isolationWarned = true;
    console.warn('wasmbed: the page is not cross-origin isolated (COOP/COEP headers), so ONNX Runtime WASM runs single-threaded');
  }
  if (entry.initialized) {
    const actual = ort.env.wasm.numThreads;
    if (threads != null && threads !== actual && !configureThreads.warned) {
      configureThreads.warned = true;
      console.warn(`wasmbed: ONNX Runtime WASM was already started with ${actual} thread(s) by an earlier load; threads: ${threads} is ignored`);
    }
    return;
  }
  // Without cross-origin isolation there is no SharedArrayBuffer: ORT would fall back to 1 anyway.
  // A count the app set on ort.env itself (ORT leaves it undefined until it starts) is kept.
  if (!isNode && !globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;
  else if (threads != null) ort.env.wasm.numThreads = threads;
  else if (typeof ort.env.wasm.numThreads !== 'number') ort.env.wasm.numThreads = await defaultThreads();
}

/** Resolves `device` to a concrete one, with the reason. */
export async function pickDevice(device = 'auto') {
  if (!DEVICES.includes(device)) throw new InvalidArgumentError(`device must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(device)}`);
  if (device === 'cpu') {
    if (!isNode) throw new UnsupportedError("device 'cpu' (onnxruntime-node) is only available in Node; use 'wasm' or 'webgpu'");
    if (!(await importNodeOrt())) throw new UnsupportedError("device 'cpu' needs the onnxruntime-node package (npm install onnxruntime-node)");
    return { device, reason: 'requested' };
  }
  if (device === 'webgpu' && isNode) throw new UnsupportedError("device 'webgpu' is only available in browsers");
  if (device !== 'auto') return { device, reason: 'requested' };
  if (isNode) {
    if (await importNodeOrt()) return { device: 'cpu', reason: 'Node with onnxruntime-node installed (native, multi-threaded)' };
    return { device: 'wasm', reason: 'Node without onnxruntime-node: onnxruntime-web WASM' };
  }
  // WebGPU is often slower than WASM for embedding-size encoders (dispatch overhead dominates
  // short sequences) and quantized graphs have given wrong results on it, so 'auto' keeps WASM.
  return { device: 'wasm', reason: 'browser: WASM is the reliable default for embedding models; ask for webgpu explicitly' };
}

/**
 * Creates a session. model: { path } (Node file, weights never pass through JS) or { bytes }
 * (+ externalData: [{ path, data }]). options: threads.
 * Returns { run(feeds) -> outputs, inputNames, outputNames, ort, threads, build, release() }.
 */
export async function createSession(device, model, { threads } = {}) {
  if (threads != null && (!Number.isInteger(threads) || threads < 1)) throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}`);
  let ort;
  let entry = null;
  const opts = { graphOptimizationLevel: 'all' };
  if (device === 'cpu') {
    ort = await importNodeOrt();
    opts.executionProviders = ['cpu'];
    // Set explicitly: ORT's own default (one thread per physical core, plus spinning) was twice
    // as slow on a shared 2-core machine (32 x 128 batch: 1,797 ms vs 936 ms with 2 threads).
    opts.intraOpNumThreads = threads ?? await defaultThreads();
    if (model.externalData?.length) opts.externalData = model.externalData;
  } else {
    entry = await importWebOrt(device === 'webgpu' ? 'webgpu' : 'wasm');
    ort = entry.ort;
    await configureThreads(entry, threads, device === 'webgpu');
    opts.executionProviders = device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
    if (model.externalData?.length) opts.externalData = model.externalData;
  }
  let session;
  try {
    session = await ort.InferenceSession.create(model.path ?? model.bytes, opts);
  } catch (err) {
    throw new ModelLoadError(`ONNX Runtime (${device}) cannot load ${model.name}: ${err?.message ?? err}`, { file: model.name, cause: err });
  } finally {
    if (entry) entry.initialized = true; // ORT initializes its WASM module on the first create()
  }
  return {
    ort,
    threads: entry ? ort.env.wasm.numThreads : opts.intraOpNumThreads,
    build: entry?.build ?? null,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: (feeds) => session.run(feeds),
    release: () => session.release?.(),
  };
}
