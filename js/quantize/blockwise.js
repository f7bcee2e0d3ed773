// Blockwise asymmetric integer quantization in ONNX Runtime's MatMulNBits / GatherBlockQuantized
// layouts (com.microsoft contrib ops, onnxruntime/core/graph/contrib_ops/contrib_defs.cc):
//   value = (code - zero_point) * scale, one (scale, zero_point) per block of `block` values.
//   Codes are packed low-first: for 4 bits, byte = code[2i] | code[2i + 1] << 4; 8 bits: one a byte.
//   Zero points are packed the same way, per row of blocks (ceil(blocks * bits / 8) bytes a row).
// The range always contains 0 so that exact zeros (padding) stay exact.

// Scale choice per block ("rounding"):
//   'minmax'  scale = (max - min) / qmax: the range is never clipped.
//   'mse'     the scale minimizing the block's squared error: shrunken ranges (clipping the extremes
//             to round the bulk more finely) are tried on a fixed grid, each followed by a least-squares
//             refit of the scale to its codes, and the best kept. This is the "MSE-optimal clipping"
//             of llama.cpp's k-quants / GPTQ-style min-max search, deterministic and data-free; it
//             matters at 4 bits, where a min-max step is wide, and still is not worse at 8.
export const ROUNDINGS = ['minmax', 'mse'];
const SHRINK_STEPS = 8; // range factors 1, 0.95, ..., 0.65 (a finer grid gains <0.3% error, at twice the time)
const SHRINK_STEP = 0.05;

/** Codes of v[0..count) for (scale, zp) into codes[at..] (when given); returns their squared error. */
function encode(v, count, scale, zp, qmax, codes, at) {
  let err = 0;
  for (let i = 0; i < count; i++) {
    const q = Math.min(qmax, Math.max(0, Math.round(v[i] / scale) + zp));
    if (codes) codes[at + i] = q;
    const d = v[i] - (q - zp) * scale;
    err += d * d;
  }
  return err;
}

/** (scale, zp) for the range [lo, hi] (which contains 0), scale stored as float32. */
function rangeParams(lo, hi, qmax) {
  const scale = Math.fround((hi - lo) / qmax);
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  return { scale, zp: Math.min(qmax, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * One candidate (scale, zp): its squared error, and the least-squares scale for the codes it gives
 * (argmin_s sum (v - (q - zp) s)^2 = sum v (q - zp) / sum (q - zp)^2), in one pass.
 */
function tryScale(v, count, scale, zp, qmax) {
  let err = 0, num = 0, den = 0;
  for (let i = 0; i < count; i++) {
    const c = Math.min(qmax, Math.max(0, Math.round(v[i] / scale) + zp)) - zp;
    const d = v[i] - c * scale;
    err += d * d;
    num += v[i] * c;
    den += c * c;
  }
  const s = den > 0 ? Math.fround(num / den) : 0;
  return { err, refit: s > 0 && Number.isFinite(s) ? s : scale };
}

/**
 * Quantizes v[0..count) (a block, `count` <= `block`; the rest is padding) into codes[at..at+block).
 * The range always contains 0 and zp is an integer code, so exact zeros stay exact.
 */
export function quantizeBlock(v, count, block, bits, rounding, codes, at) {
  let lo = 0, hi = 0;
  for (let i = 0; i < count; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  const qmax = (1 << bits) - 1;
  let best = rangeParams(lo, hi, qmax);
  if (!best) best = { scale: 1, zp: 0 }; // all-zero block: any scale is exact
  else if (rounding === 'mse') {
    let bestErr = Infinity;
    const first = best;
    for (let k = 0; k < SHRINK_STEPS; k++) {
      const p = k === 0 ? first : rangeParams(lo * (1 - k * SHRINK_STEP), hi * (1 - k * SHRINK_STEP), qmax);
      if (!p) continue;
      const { err, refit } = tryScale(v, count, p.scale, p.zp, qmax);
      if (err < bestErr) { bestErr = err; best = p; }
      // The refit scale re-rounds to (slightly) different codes: its own error decides.
      const e2 = refit === p.scale ? Infinity : encode(v, count, refit, p.zp, qmax, null, 0);
      if (e2 < bestErr) { bestErr = e2; best = { scale: refit, zp: p.zp }; }
    }
  }
  encode(v, count, best.scale, best.zp, qmax, codes, at);
  for (let i = count; i < block; i++) codes[at + i] = best.zp;
  return best;
}

/** Packs `n` codes (0..2^bits-1) from codes[at..] into bytes[out..]. */
export function packCodes(codes, at, n, bits, bytes, out) {
  if (bits === 8) {
    for (let i = 0; i < n; i++) bytes[out + i] = codes[at + i];
  } else if (bits === 4) {
    for (let i = 0; i < n; i += 2) bytes[out + (i >> 1)] = codes[at + i] | ((i + 1 < n ? codes[at + i + 1] : 0) << 4);
  } else throw new RangeError(`unsupported bit width ${bits}`);
}

export const packedLength = (n, bits) => Math.ceil((n * bits) / 8);

/**
 * MatMul weight W [K, N] (row-major, as the ONNX MatMul B operand) -> MatMulNBits inputs:
 * B uint8 [N, kBlocks, blob], scales float [N * kBlocks], zero_points uint8 [N * ceil(kBlocks * bits / 8)].
 * Blocks run along K (the reduction axis), one column of W at a time.
 * With `mean` (E[x], length K: the mean input row, see calibrate.js) it also returns
 * shift = mean · (dequantized W - W), length N: the systematic output error that bias correction
 * subtracts from the layer's bias.
 */
export function quantizeMatMulWeight(w, K, N, bits, block, rounding = 'minmax', mean = null) {
  const kBlocks = Math.ceil(K / block);
  const blob = (block * bits) / 8;
  const zpRow = packedLength(kBlocks, bits);
  const data = new Uint8Array(N * kBlocks * blob);
  const scales = new Float32Array(N * kBlocks);
  const zpCodes = new Uint8Array(kBlocks);
  const zeroPoints = new Uint8Array(N * zpRow);
  const codes = new Uint8Array(block);
  const v = new Float32Array(block);
  const shift = mean ? new Float32Array(N) : null;
  for (let n = 0; n < N; n++) {
    let err = 0;
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * block;
      const count = Math.min(block, K - k0);
      for (let i = 0; i < count; i++) v[i] = w[(k0 + i) * N + n];
      const { scale, zp } = quantizeBlock(v, count, block, bits, rounding, codes, 0);
      if (mean) for (let i = 0; i < count; i++) err += mean[k0 + i] * ((codes[i] - zp) * scale - v[i]);
      scales[n * kBlocks + b] = scale;
      zpCodes[b] = zp;
      packCodes(codes, 0, block, bits, data, (n * kBlocks + b) * blob);
    }
    packCodes(zpCodes, 0, kBlocks, bits, zeroPoints, n * zpRow);
    if (shift) shift[n] = err;
  }
  return { data, scales, zeroPoints, kBlocks, blob, zpRow, shift };
}

/**
 * Rows of an embedding table [R, C] -> GatherBlockQuantized (uint8 storage) inputs for those rows:
 * data uint8 [R, C * bits / 8], scales float [R, cBlocks], zero_points uint8 [R, ceil(cBlocks * bits / 8)].
 * Blocks run along C (quantize_axis = last), so any range of rows is independent: big tables are
 * quantized in row chunks.
 */
export function quantizeRows(values, R, C, bits, block, rounding = 'minmax') {
  const cBlocks = Math.ceil(C / block);
  const rowBytes = packedLength(C, bits);
  const zpRow = packedLength(cBlocks, bits);
  const data = new Uint8Array(R * rowBytes);
  const scales = new Float32Array(R * cBlocks);
  const zeroPoints = new Uint8Array(R * zpRow);
  const codes = new Uint8Array(cBlocks * block);
  const zpCodes = new Uint8Array(cBlocks);
  for (let r = 0; r < R; r++) {
    const base = r * C;
    for (let b = 0; b < cBlocks; b++) {
      const c0 = b * block;
      const count = Math.min(block, C - c0);
      const { scale, zp } = quantizeBlock(values.subarray(base + c0, base + c0 + count), count, block, bits, rounding, codes, c0);
      scales[r * cBlocks + b] = scale;
      zpCodes[b] = zp;
    }
    packCodes(codes, 0, C, bits, data, r * rowBytes);
    packCodes(zpCodes, 0, cBlocks, bits, zeroPoints, r * zpRow);
  }
  return { data, scales, zeroPoints, cBlocks, rowBytes, zpRow };
}

/** Reference dequantization of quantizeRows output (tests, accuracy checks). */
export function dequantizeRows({ data, scales, zeroPoints, cBlocks, rowBytes, zpRow }, R, C, bits, block) {
  const out = new Float32Array(R * C);
  const code = (bytes, at, i) => (bits === 8 ? bytes[at + i] : (bytes[at + (i >> 1)] >> ((i & 1) * 4)) & 15);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const b = Math.floor(c / block);
      out[r * C + c] = (code(data, r * rowBytes, c) - code(zeroPoints, r * zpRow, b)) * scales[r * cBlocks + b];
    }
  }
  return out;
}

/**
 * Symmetric int8 quantization of W [K, N] for MatMulInteger (the layout of ONNX Runtime's
 * quantize_dynamic with QInt8 weights): codes int8 [K, N], one scale per column (per_channel=True,
 * default) or one for the tensor, zero point 0.
 */
export function quantizeInt8PerColumn(w, K, N, { perChannel = true } = {}) {
  const scales = new Float32Array(perChannel ? N : 1);
  if (perChannel) {
    for (let n = 0; n < N; n++) {
      let amax = 0;
      for (let k = 0; k < K; k++) amax = Math.max(amax, Math.abs(w[k * N + n]));
      scales[n] = amax > 0 ? Math.fround(amax / 127) : 1;
    }
  } else {
    // One scale for the whole tensor (quantize_dynamic's per_channel=False).
    let amax = 0;
    for (let i = 0; i < w.length; i++) amax = Math.max(amax, Math.abs(w[i]));
    scales[0] = amax > 0 ? Math.fround(amax / 127) : 1;
  }
  const codes = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) codes[k * N + n] = Math.max(-127, Math.min(127, Math.round(w[k * N + n] / scales[perChannel ? n : 0])));
  }
  return { codes, scales };
}

/** Per-tensor asymmetric uint8 quantization (embedding tables in the dynamic-int8 format). */
export function rangeUint8(min, max) {
  const lo = Math.min(0, min), hi = Math.max(0, max);
  let scale = Math.fround((hi - lo) / 255);
  if (!(scale > 0)) scale = 1;
  const zp = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zp };
}

export function quantizeUint8(values, { scale, zp }) {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(values[i] / scale) + zp));
  return out;
}
