// WebGPU correctness guard. Quantized models have given silently wrong vectors on ONNX Runtime's
// WebGPU backend (transformers.js #1512/#1728, ORT #32578: cosine ~0 to WASM while fp32 was
// right; here the default onnxruntime-web 1.30 bundle computes the dynamic-int8 graph wrongly on
// WebGPU). So before trusting a WebGPU session we run one short probe through it and through a
// WASM session of the same model and compare the hidden states token by token.

/** Default minimum cosine between WebGPU and WASM token vectors. Real failures sit near 0;
 * float32 reordering and WebGPU's fused kernels stay above 0.9999 on the models we test. */
export const WEBGPU_GUARD_THRESHOLD = 0.99;

/** Int64 feeds for a probe from token id rows of equal length (Tensor: the ort.Tensor class). */
export function probeFeeds(Tensor, rows, { tokenTypes = true } = {}) {
  const n = rows.length;
  const len = rows[0]?.length ?? 0;
  if (!n || !len || rows.some((r) => r.length !== len)) throw new RangeError('probeFeeds: rows must be non-empty and of equal length');
  const ids = BigInt64Array.from(rows.flat().map(BigInt));
  const feeds = {
    input_ids: new Tensor('int64', ids, [n, len]),
    attention_mask: new Tensor('int64', new BigInt64Array(n * len).fill(1n), [n, len]),
  };
  if (tokenTypes) feeds.token_type_ids = new Tensor('int64', new BigInt64Array(n * len), [n, len]);
  return feeds;
}

/** Per-row cosines of two [.., dim] arrays: { min, mean, rows }. NaN anywhere gives min NaN. */
export function rowCosines(a, b, dim) {
  if (a.length !== b.length) throw new RangeError(`outputs differ in size (${a.length} vs ${b.length})`);
  const rows = a.length / dim;
  let min = Infinity, sum = 0;
  for (let r = 0; r < rows; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let i = r * dim; i < (r + 1) * dim; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
    // Two zero vectors are equal; one zero vector against a non-zero one is not.
    const c = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
    if (!(c >= min)) min = c; // NaN-propagating min
    sum += c;
  }
  return { min, mean: sum / rows, rows };
}

/**
 * Runs `feeds` through both sessions (objects with run(feeds) -> { name: Tensor }, e.g.
 * ort.InferenceSession or the Embedder's session wrapper) and compares `output`.
 * Returns { cosine (minimum over token rows), meanCosine, threshold, ok, output }.
 */
export async function compareWebGpuToWasm(webgpuSession, wasmSession, feeds, { output = 'last_hidden_state', threshold = WEBGPU_GUARD_THRESHOLD } = {}) {
  // Sequential: both sessions may share one ORT instance, which rejects overlapping runs.
  const gpu = await webgpuSession.run(feeds);
  const cpu = await wasmSession.run(feeds);
  const g = gpu[output], c = cpu[output];
  if (!g || !c) throw new RangeError(`webgpu guard: output '${output}' missing (webgpu has ${Object.keys(gpu).join(', ')}, wasm has ${Object.keys(cpu).join(', ')})`);
  // getData() downloads GPU-resident tensors; CPU tensors expose .data directly.
  const gData = typeof g.getData === 'function' ? await g.getData() : g.data;
  const cData = typeof c.getData === 'function' ? await c.getData() : c.data;
  const dim = c.dims[c.dims.length - 1];
  const { min, mean } = rowCosines(gData, cData, dim);
  return { cosine: min, meanCosine: mean, threshold, ok: min >= threshold, output };
}

/**
 * The load-time guard in one call, for Embedder.load with device 'webgpu':
 *   session    the WebGPU session (run(feeds) -> outputs)
 *   openWasm   () => Promise<session>: opens the same model on WASM (released here unless it is
 *              kept as the fallback)
 *   feeds      a tokenized probe (see probeFeeds)
 *   threshold  minimum token cosine (WEBGPU_GUARD_THRESHOLD)
 *   fallback   true (default): when the check fails, return the WASM session instead;
 *              false: keep WebGPU and only report
 *   warn       (message) => void, default console.warn
 * Returns { session, device: 'webgpu' | 'wasm', guard: { cosine, meanCosine, threshold, ok,
 * fellBack } }. The WebGPU session is released when it is replaced.
 */
export async function guardWebGpu({ session, openWasm, feeds, threshold = WEBGPU_GUARD_THRESHOLD, fallback = true, output, warn = (m) => console.warn(m) }) {
  const wasm = await openWasm();
  let result;
  try {
    result = await compareWebGpuToWasm(session, wasm, feeds, { threshold, ...(output ? { output } : {}) });
  } catch (err) {
    await wasm.release?.();
    throw err;
  }
  const guard = { cosine: result.cosine, meanCosine: result.meanCosine, threshold, ok: result.ok, fellBack: false };
  if (result.ok) {
    await wasm.release?.();
    return { session, device: 'webgpu', guard };
  }
  const what = `wasmbed: WebGPU output differs from WASM for this model (token cosine ${result.cosine} < ${threshold})`;
  if (!fallback) {
    await wasm.release?.();
    warn(`${what}; keeping WebGPU because the guard fallback is off`);
    return { session, device: 'webgpu', guard };
  }
  warn(`${what}; falling back to WASM`);
  await session.release?.();
  guard.fellBack = true;
  return { session: wasm, device: 'wasm', guard };
}
