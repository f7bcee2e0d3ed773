// Compact storage for ColBERT multi-vectors (one 1024-d vector per token adds up: a 200-token
// passage is 800 KB in float32). float16 halves it with ~1e-3 relative error; int8 quarters it with
// one float scale per vector (symmetric, max |x| -> 127), enough for re-ranking a shortlist.
import { InvalidArgumentError } from '../errors.js';
import { floatToHalf, halfToFloat } from '../internal/float16.js';

export const COLBERT_DTYPES = ['float32', 'float16', 'int8'];

/**
 * Converts { vectors: Float32Array, count, dim } to the given storage:
 * float32 -> as is; float16 -> { dtype, vectors: Uint16Array (half bits) }; int8 -> { dtype,
 * vectors: Int8Array, scales: Float32Array [count] } with x ≈ q * scale.
 */
export function encodeColbert(colbert, dtype = 'float32') {
  if (!COLBERT_DTYPES.includes(dtype)) throw new InvalidArgumentError(`ColBERT storage must be one of ${COLBERT_DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`);
  const { vectors, count, dim } = colbert;
  if (dtype === 'float32') return { dtype, vectors, count, dim };
  if (dtype === 'float16') {
    const out = new Uint16Array(vectors.length);
    for (let i = 0; i < vectors.length; i++) out[i] = floatToHalf(vectors[i]);
    return { dtype, vectors: out, count, dim };
  }
  const out = new Int8Array(vectors.length);
  const scales = new Float32Array(count);
  for (let v = 0; v < count; v++) {
    let max = 0;
    for (let i = v * dim; i < (v + 1) * dim; i++) max = Math.max(max, Math.abs(vectors[i]));
    const scale = max > 0 ? max / 127 : 1;
    scales[v] = scale;
    for (let i = v * dim; i < (v + 1) * dim; i++) out[i] = Math.round(vectors[i] / scale);
  }
  return { dtype, vectors: out, scales, count, dim };
}

/** Back to { vectors: Float32Array, count, dim } (for scoring). */
export function decodeColbert(stored) {
  const { dtype = 'float32', vectors, count, dim } = stored;
  if (dtype === 'float32' || vectors instanceof Float32Array) return { vectors, count, dim };
  const out = new Float32Array(vectors.length);
  if (dtype === 'float16') {
    for (let i = 0; i < vectors.length; i++) out[i] = halfToFloat(vectors[i]);
  } else if (dtype === 'int8') {
    for (let v = 0; v < count; v++) {
      const s = stored.scales[v];
      for (let i = v * dim; i < (v + 1) * dim; i++) out[i] = vectors[i] * s;
    }
  } else {
    throw new InvalidArgumentError(`unknown ColBERT storage ${JSON.stringify(dtype)}`);
  }
  return { vectors: out, count, dim };
}

/** Bytes a stored ColBERT entry takes (payload + int8 scales). */
export function colbertBytes(stored) {
  return stored.vectors.byteLength + (stored.scales ? stored.scales.byteLength : 0);
}
