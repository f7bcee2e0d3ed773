// Pooling, Matryoshka truncation and L2 normalization of one batch in the C++ core (SIMD): the
// ONNX output and mask are copied into the wasm heap once, one call pools the whole batch, and the
// rows are copied out with TypedArray.set (no per-element JS loops).
import { free, malloc } from '../internal/heap.js';
import { callCore } from '../internal/call-core.js';

// Rows are pooled a few at a time so the wasm heap needs only a bounded scratch area (a whole
// batch of hidden states can be tens of MB, and wasm memory never shrinks once grown).
const SCRATCH_BYTES = 4 << 20;

/**
 * hidden: Float32Array [n, seqLen, dim]; mask: Int32Array [n, seqLen]. Writes row r of the result
 * to out at rowIndex[r] * outDim.
 */
export function poolInto(core, { hidden, mask, n, seqLen, dim, pooling, outDim, normalize, out, rowIndex }) {
  const rowBytes = seqLen * dim * 4 + seqLen * 4 + outDim * 4;
  const rowsPerCall = Math.max(1, Math.min(n, Math.floor(SCRATCH_BYTES / rowBytes)));
  const base = malloc(core, rowsPerCall * rowBytes, 'pooling');
  try {
    const hAddr = base, mAddr = base + rowsPerCall * seqLen * dim * 4, oAddr = mAddr + rowsPerCall * seqLen * 4;
    for (let start = 0; start < n; start += rowsPerCall) {
      const rows = Math.min(rowsPerCall, n - start);
      core.HEAPF32.set(hidden.subarray(start * seqLen * dim, (start + rows) * seqLen * dim), hAddr >>> 2);
      core.HEAP32.set(mask.subarray(start * seqLen, (start + rows) * seqLen), mAddr >>> 2);
      callCore(() => core.poolRows(hAddr, mAddr, rows, seqLen, dim, pooling, outDim, normalize, oAddr));
      const result = core.HEAPF32.subarray(oAddr >>> 2, (oAddr >>> 2) + rows * outDim);
      for (let r = 0; r < rows; r++) out.set(result.subarray(r * outDim, (r + 1) * outDim), rowIndex[start + r] * outDim);
    }
  } finally {
    free(core, base);
  }
}

