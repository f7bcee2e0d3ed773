// The fp32 GEMM peak a runtime reaches: one MatMul ONNX graph (A [m x k] input, B [k x n]
// initializer), run a few times on a given ONNX Runtime module (onnxruntime-node, or
// onnxruntime-web in Node or a page) with the thread count the embedding runs use. The throughput
// benchmark reports effective embedding GFLOP/s beside this, from the same run and runtime, as the
// ceiling of what that runtime's kernels reach on this machine. Browser-safe (no node:* imports).
import { DataType, graph, model, node, tensor, valueInfo } from '../../js/onnx/index.js';

/** ONNX bytes of Y = A x B with B a fixed pseudo-random [k x n] initializer. */
export function gemmModelBytes(k = 1024, n = 1024) {
  const b = new Float32Array(k * n);
  let s = 12345;
  for (let i = 0; i < b.length; i++) { s = (s * 1103515245 + 12345) >>> 0; b[i] = (s / 2 ** 32 - 0.5) * 0.1; }
  const g = graph({
    name: 'gemm_peak',
    nodes: [node('MatMul', ['A', 'B'], ['Y'])],
    initializers: [tensor('B', DataType.FLOAT, [k, n], new Uint8Array(b.buffer))],
    inputs: [valueInfo('A', DataType.FLOAT, ['m', k])],
    outputs: [valueInfo('Y', DataType.FLOAT, ['m', n])],
  });
  return model(g).toBytes();
}

/**
 * Runs an m x k x n fp32 GEMM `reps` times (after one untimed run, which allocates) on `ort`.
 * sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads } for onnxruntime-node,
 * { executionProviders: ['wasm'] } for ORT-web (its thread count is ort.env.wasm.numThreads, set
 * before its first session).
 * Returns { gflops (best run), medianGflops, shape: 'm x k x n', ms: [...] }.
 */
export async function measureGemm(ort, { m = 2048, k = 1024, n = 1024, reps = 5, sessionOptions = {} } = {}) {
  const session = await ort.InferenceSession.create(gemmModelBytes(k, n), sessionOptions);
  const a = new Float32Array(m * k);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const feeds = { A: new ort.Tensor('float32', a, [m, k]) };
  try {
    await session.run(feeds);
    const ms = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const out = await session.run(feeds);
      ms.push(performance.now() - t0);
      out.Y.dispose?.();
    }
    const flop = 2 * m * k * n;
    const sorted = [...ms].sort((x, y) => x - y);
    return { gflops: flop / (sorted[0] / 1000) / 1e9, medianGflops: flop / (sorted[sorted.length >> 1] / 1000) / 1e9, shape: `${m} x ${k} x ${n}`, ms };
  } finally {
    await session.release?.();
  }
}
