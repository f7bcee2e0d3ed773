// Small vector utilities backed by the C++ core (SIMD).
import { loadCore } from './core.js';
import { readArray, withHeapCopy } from './heap.js';
import { InvalidArgumentError } from '../errors.js';
import { callCore } from './call-core.js';

/** Version of the loaded wasm core (equals the npm package version). */
export async function version() {
  const core = await loadCore();
  return core.version();
}

/**
 * Returns a copy of `vectors` (rows of length `dim`, contiguous) with every row scaled to unit
 * L2 norm. A zero row stays zero.
 * @param {Float32Array} vectors
 * @param {number} dim
 * @returns {Promise<Float32Array>}
 */
export async function l2Normalize(vectors, dim = vectors?.length) {
  if (!(vectors instanceof Float32Array)) throw new InvalidArgumentError('l2Normalize: vectors must be a Float32Array');
  if (!Number.isInteger(dim) || dim <= 0) throw new InvalidArgumentError(`l2Normalize: dim must be a positive integer, got ${dim}`);
  if (vectors.length % dim !== 0) throw new InvalidArgumentError(`l2Normalize: length ${vectors.length} is not a multiple of dim ${dim}`);
  const core = await loadCore();
  return withHeapCopy(core, vectors, (address) => {
    callCore(() => core.l2NormalizeRows(address, vectors.length / dim, dim));
    return readArray(core, Float32Array, address, vectors.length);
  });
}
