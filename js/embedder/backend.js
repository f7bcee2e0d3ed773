// ONNX Runtime backends: onnxruntime-node ('cpu', Node only, optional dependency) and
// onnxruntime-web ('wasm'; 'webgpu' in browsers). Picks one for device 'auto' and says why.
import { isNode } from '../core.js';
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

let webOrt;
async function importWebOrt(webgpu) {
  // The default bundle carries both the WASM and the WebGPU (JSEP) execution providers.
  if (!webOrt) webOrt = import('onnxruntime-web');
  const ort = await webOrt;
  if (isNode) {
    // ORT-web has no WASM threads in Node, and its proxy worker is browser-only.
    ort.env.wasm.numThreads = 1;
  } else if (!globalThis.crossOriginIsolated && !importWebOrt.warned && !webgpu) {
    importWebOrt.warned = true;
    console.warn('wasmbed: the page is not cross-origin isolated (COOP/COEP headers), so ONNX Runtime WASM runs single-threaded');
  }
  return ort;
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
 * (+ externalData: [{ path, data }]). Returns { run(feeds) -> outputs, inputNames, outputNames,
 * ort, release() }.
 */
export async function createSession(device, model, { threads } = {}) {
  let ort;
  const opts = { graphOptimizationLevel: 'all' };
  if (device === 'cpu') {
    ort = await importNodeOrt();
    opts.executionProviders = ['cpu'];
    if (threads) opts.intraOpNumThreads = threads;
    if (model.externalData?.length) opts.externalData = model.externalData;
  } else {
    ort = await importWebOrt(device === 'webgpu');
    opts.executionProviders = device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
    if (model.externalData?.length) opts.externalData = model.externalData;
  }
  let session;
  try {
    session = await ort.InferenceSession.create(model.path ?? model.bytes, opts);
  } catch (err) {
    throw new ModelLoadError(`ONNX Runtime (${device}) cannot load ${model.name}: ${err?.message ?? err}`, { file: model.name, cause: err });
  }
  return {
    ort,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: (feeds) => session.run(feeds),
    release: () => session.release?.(),
  };
}
