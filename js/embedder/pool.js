// The pooling stage of the embedding pipeline: pooling, Matryoshka truncation and L2
// normalization of each batch in the C++ core (SIMD). The attention mask is already in the heap
// (packed there by the forward stage), the ONNX output is copied in once, one call pools the batch
// (or a few, for very long batches) and the rows are copied out with TypedArray.set.
import { InvalidArgumentError } from '../errors.js';
import { callCore } from '../internal/call-core.js';
import { free, malloc } from '../internal/heap.js';

// Rows are pooled a few at a time so the wasm heap needs only a bounded scratch area (a whole
// batch of hidden states can be tens of MB, and wasm memory never shrinks once grown).
const SCRATCH_BYTES = 4 << 20;

export class PoolStage {
  #core; #count; #pooling; #normalize; #scratch = 0; #cap = 0;

  /** count: texts in the call; dimensions: Matryoshka output size (undefined: the model's). */
  constructor(core, { count, pooling, normalize, dimensions }) {
    this.#core = core;
    this.#count = count;
    this.#pooling = pooling;
    this.#normalize = normalize;
    this.dims = dimensions;
    this.data = null;
  }

  #reserve(bytes) {
    if (this.#cap >= bytes) return this.#scratch;
    this.#release();
    const at = malloc(this.#core, bytes, 'pooling');
    this.#scratch = at;
    this.#cap = bytes;
    return at;
  }

  #release() {
    free(this.#core, this.#scratch);
    this.#scratch = 0;
    this.#cap = 0;
  }

  /** Pools one forward() batch into row indices[r] of the result. */
  consume({ hidden, batch, indices }) {
    const core = this.#core;
    // Exports whose output is already one vector per text (BGE-M3's dense_vecs) are pooled as
    // one-token sequences, so truncation / normalization still apply.
    const { pooled } = hidden;
    const n = batch.n;
    const seqLen = pooled ? 1 : batch.seqLen;
    const dim = hidden.dims[pooled ? 1 : 2];
    const outDim = this.dims ?? dim;
    if (outDim > dim) throw new InvalidArgumentError(`dimensions ${outDim} exceeds the model's ${dim}`);
    if (!this.data) { this.dims = outDim; this.data = new Float32Array(this.#count * outDim); }
    const out = this.data;
    const values = hidden.data;
    const pooling = pooled ? 'cls' : this.#pooling;
    const rowBytes = seqLen * dim * 4 + (pooled ? 4 : 0) + outDim * 4;
    const rowsPerCall = Math.max(1, Math.min(n, Math.floor(SCRATCH_BYTES / rowBytes)));
    const base = this.#reserve(rowsPerCall * rowBytes);
    const hAddr = base, oAddr = base + rowsPerCall * seqLen * dim * 4, onesAddr = oAddr + rowsPerCall * outDim * 4;
    if (pooled) core.HEAP32.fill(1, onesAddr >>> 2, (onesAddr >>> 2) + rowsPerCall);
    for (let start = 0; start < n; start += rowsPerCall) {
      const rows = Math.min(rowsPerCall, n - start);
      core.HEAPF32.set(values.subarray(start * seqLen * dim, (start + rows) * seqLen * dim), hAddr >>> 2);
      const mAddr = pooled ? onesAddr : batch.mask32Addr + start * seqLen * 4; // addresses unsigned (>>> 0) from here on
      callCore(() => core.poolRows(hAddr, mAddr, rows, seqLen, dim, pooling, outDim, this.#normalize, oAddr));
      const result = core.HEAPF32.subarray(oAddr >>> 2, (oAddr >>> 2) + rows * outDim);
      for (let r = 0; r < rows; r++) out.set(result.subarray(r * outDim, (r + 1) * outDim), indices[start + r] * outDim);
    }
  }

  /** Frees the scratch area (idempotent). */
  dispose() { this.#release(); }
}
