// Error-compensating rounding of MatMul weights (GPTQ: Frantar et al. 2023, "GPTQ: Accurate
// Post-Training Quantization for Generative Pre-trained Transformers", Algorithm 1).
//
// Plain rounding minimizes each weight's own error; what matters is the layer's output error
// ||X W - X Wq||^2 = sum over output columns of dw^T H dw with H = X^T X, the Gram matrix of the
// layer's calibration inputs (calibrate.js collects it). GPTQ quantizes the input rows of W in order
// and, after each row, moves that row's rounding error onto the rows not yet quantized, weighted by
// the inverse Hessian (the Optimal Brain Surgeon update), so later rows absorb the error of earlier
// ones. The rows' blockwise (scale, zero point) are chosen when the quantization reaches a block's
// first row, from the already-updated values (as GPTQ's groupwise mode), with blockwise.js's
// min-max or MSE rule, so the output layout is exactly quantizeMatMulWeight's.
//
// Cost: JS has no BLAS, so the inverse Hessian is taken over windows of `window` consecutive input
// rows (a block-diagonal H; window = K is the full algorithm): a Cholesky factorization and a
// triangular inverse of each window, O(K * window^2), and the OBS updates, O(K * window * N).
// README (Quantization) has what the window costs and gains.
import { InvalidArgumentError } from '../errors.js';
import { packCodes, packedLength, quantizeBlock } from './blockwise.js';

export const GPTQ_DEFAULTS = { window: 256, damp: 0.01 };

/**
 * Upper-triangular U with U^T U = A^-1, for a symmetric positive-definite m x m A (Float64Array,
 * row-major; overwritten). This is the factor GPTQ's update reads (torch: cholesky(cholesky_inverse(
 * cholesky(A)), upper=True)), computed without forming A^-1: with P the order reversal and
 * P A P = L L^T, U = P L^-1 P (then U^T U = P (P A P)^-1 P = A^-1, and P L^-1 P is upper).
 */
export function inverseCholeskyUpper(A, m) {
  // R = P A P, Cholesky in place (lower).
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) L[i * m + j] = A[(m - 1 - i) * m + (m - 1 - j)];
  for (let j = 0; j < m; j++) {
    const rj = j * m;
    let d = L[rj + j];
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k];
    if (!(d > 0)) throw new RangeError(`inverseCholeskyUpper: matrix is not positive definite (pivot ${j}: ${d})`);
    d = Math.sqrt(d);
    L[rj + j] = d;
    for (let i = j + 1; i < m; i++) {
      const ri = i * m;
      let s = L[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      L[ri + j] = s / d;
    }
    for (let k = j + 1; k < m; k++) L[rj + k] = 0;
  }
  // Linv = L^-1 (lower), row by row: Linv[i][j] = -(sum_{k=j}^{i-1} L[i][k] Linv[k][j]) / L[i][i].
  const Linv = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    const inv = 1 / L[ri + i];
    Linv[ri + i] = inv;
    const acc = new Float64Array(i);
    for (let k = 0; k < i; k++) {
      const lik = L[ri + k];
      if (lik === 0) continue;
      const rk = k * m;
      for (let j = 0; j <= k; j++) acc[j] += lik * Linv[rk + j];
    }
    for (let j = 0; j < i; j++) Linv[ri + j] = -acc[j] * inv;
  }
  const U = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = i; j < m; j++) U[i * m + j] = Linv[(m - 1 - i) * m + (m - 1 - j)];
  return U;
}

/**
 * GPTQ-rounded MatMulNBits inputs for W [K, N] (row-major, the MatMul B operand), with the result
 * of quantizeMatMulWeight: { data, scales, zeroPoints, kBlocks, blob, zpRow, shift }.
 * hessian: { window, blocks: Float32Array[] } as calibrate.js returns per activation: the diagonal
 * window x window blocks of X^T X (the last one may be smaller when window does not divide K).
 * mean: E[x] (length K) for bias correction, as quantizeMatMulWeight: shift = mean · (dequantized
 * W - W) against the original W. damp: added to H's diagonal as a fraction of its mean (GPTQ's
 * percdamp), which keeps rank-deficient windows invertible.
 */
export function gptqMatMulWeight(w, K, N, bits, block, rounding, mean, hessian, { damp = GPTQ_DEFAULTS.damp } = {}) {
  const { window, blocks } = hessian;
  if (!Number.isInteger(window) || window < block || window % block) throw new InvalidArgumentError(`gptq window must be a multiple of the block size ${block} (got ${window})`);
  if (blocks.length !== Math.ceil(K / window)) throw new InvalidArgumentError(`gptq: ${blocks.length} Hessian blocks for K = ${K} and window ${window}`);
  const kBlocks = Math.ceil(K / block);
  const blob = (block * bits) / 8;
  const zpRow = packedLength(kBlocks, bits);
  const qmax = (1 << bits) - 1;
  const W = Float32Array.from(w); // updated in place as rows are quantized
  const codes = new Uint8Array(N * kBlocks * block); // [N][kBlocks * block], padding rows at zp
  const scales = new Float32Array(N * kBlocks);
  const zps = new Uint8Array(N * kBlocks);
  const v = new Float32Array(block), scratch = new Uint8Array(block);
  const err = new Float64Array(N);
  for (let w0 = 0, wi = 0; w0 < K; w0 += window, wi++) {
    const m = Math.min(window, K - w0);
    const H = Float64Array.from(blocks[wi]);
    if (H.length !== m * m) throw new InvalidArgumentError(`gptq: Hessian block ${wi} has ${H.length} values, expected ${m * m}`);
    let diag = 0;
    for (let i = 0; i < m; i++) diag += H[i * m + i];
    const lambda = damp * (diag / m) || 1e-8;
    for (let i = 0; i < m; i++) {
      // An input that is always zero: its weights never reach the output (GPTQ zeroes them).
      if (H[i * m + i] === 0) { H[i * m + i] = 1; for (let n = 0; n < N; n++) W[(w0 + i) * N + n] = 0; }
      H[i * m + i] += lambda;
    }
    const U = inverseCholeskyUpper(H, m);
    for (let i = 0; i < m; i++) {
      const r = w0 + i;
      const b = Math.floor(r / block);
      if (r % block === 0) {
        // A block starts: its (scale, zp) per column from the current (error-updated) values.
        const count = Math.min(block, K - r);
        for (let n = 0; n < N; n++) {
          for (let t = 0; t < count; t++) v[t] = W[(r + t) * N + n];
          const p = quantizeBlock(v, count, block, bits, rounding, scratch, 0);
          scales[n * kBlocks + b] = p.scale;
          zps[n * kBlocks + b] = p.zp;
        }
      }
      const d = U[i * m + i];
      const row = r * N, at = r - b * block;
      for (let n = 0; n < N; n++) {
        const s = scales[n * kBlocks + b], zp = zps[n * kBlocks + b];
        const q = Math.min(qmax, Math.max(0, Math.round(W[row + n] / s) + zp));
        codes[n * kBlocks * block + b * block + at] = q;
        err[n] = (W[row + n] - (q - zp) * s) / d;
      }
      // OBS update of the window's remaining rows: W[j] -= err * U[i][j].
      for (let j = i + 1; j < m; j++) {
        const u = U[i * m + j];
        if (u === 0) continue;
        const rj = (w0 + j) * N;
        for (let n = 0; n < N; n++) W[rj + n] -= err[n] * u;
      }
    }
  }
  // Pack (padding rows of a last partial block take the zero point, as quantizeBlock does).
  const data = new Uint8Array(N * kBlocks * blob);
  const zeroPoints = new Uint8Array(N * zpRow);
  const shift = mean ? new Float32Array(N) : null;
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const at = n * kBlocks * block + b * block, zp = zps[n * kBlocks + b];
      for (let t = K - b * block; t < block; t++) codes[at + t] = zp;
      packCodes(codes, at, block, bits, data, (n * kBlocks + b) * blob);
    }
    packCodes(zps, n * kBlocks, kBlocks, bits, zeroPoints, n * zpRow);
    if (shift) {
      let e = 0;
      for (let k = 0; k < K; k++) {
        const b = Math.floor(k / block);
        e += mean[k] * ((codes[n * kBlocks * block + k] - zps[n * kBlocks + b]) * scales[n * kBlocks + b] - w[k * N + n]);
      }
      shift[n] = e;
    }
  }
  return { data, scales, zeroPoints, kBlocks, blob, zpRow, shift };
}
