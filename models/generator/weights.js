// Deterministic pseudo-random weights. Every tensor has its own stream seeded from (model seed,
// tensor name), so any tensor can be regenerated alone, in chunks, in the same order, for the ONNX
// file and again for model.safetensors, without holding the whole model in memory.

/** FNV-1a 32-bit hash of a string. */
function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** xoshiro128** uniform generator in [0, 1). */
function rng(seed) {
  let a = seed >>> 0 || 1, b = Math.imul(seed, 0x9e3779b9) >>> 0 || 2, c = 0x6a09e667, d = 0xbb67ae85;
  const next = () => {
    const r = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = (d << 11) | (d >>> 21);
    return r / 4294967296;
  };
  for (let i = 0; i < 16; i++) next(); // decorrelate nearby seeds
  return next;
}

/**
 * Fills `out` with the next values of a tensor's stream. init: { kind: 'normal', mean, std } |
 * { kind: 'const', value }. `state` carries the generator between chunks.
 */
function fill(out, init, state) {
  if (init.kind === 'const') { out.fill(init.value); return; }
  const { mean = 0, std } = init;
  const next = state.next;
  let i = 0;
  if (state.spare !== null && out.length) { out[i++] = mean + std * state.spare; state.spare = null; }
  for (; i < out.length; i += 2) {
    // Box-Muller: two standard normals from two uniforms.
    const u1 = 1 - next();
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    const z2 = r * Math.sin(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = mean + std * z2;
    else state.spare = z2;
  }
}

export const CHUNK_ELEMENTS = 1 << 20;

/** Iterates a tensor's float32 values in chunks (the same values for the same seed and name). */
export function* tensorChunks(spec, seed) {
  const total = spec.shape.reduce((a, b) => a * b, 1);
  const state = { next: rng(hash32(spec.name) ^ Math.imul(seed, 0x85ebca6b)), spare: null };
  for (let done = 0; done < total; done += CHUNK_ELEMENTS) {
    const chunk = new Float32Array(Math.min(CHUNK_ELEMENTS, total - done));
    fill(chunk, spec.init, state);
    yield chunk;
  }
}

/** The whole tensor at once (for matrices small enough to transpose in memory). */
export function tensorValues(spec, seed) {
  const total = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let off = 0;
  for (const c of tensorChunks(spec, seed)) { out.set(c, off); off += c.length; }
  return out;
}

/** [rows, cols] row-major -> [cols, rows] row-major. */
export function transpose(values, rows, cols) {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[base + c];
  }
  return out;
}

export const asBytes = (f32) => new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
