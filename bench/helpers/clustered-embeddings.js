// Streaming generator of embedding-like vectors for the static-index benchmark, at sizes where
// tests/helpers/embedding-like-vectors.js (which remembers every row's latents) cannot go: the
// same anisotropic recipe (shared mean direction MEAN * m, a rank-24 topic subspace B z, isotropic
// noise, log-normal per-dimension scales with x6 outlier dimensions), with topics clustered as a
// real corpus's are: z = c_j + SPREAD * u, c_j one of CLUSTERS centres ~ N(0, I_24), u ~ N(0, I_24).
// Queries paraphrase stored rows chosen up front: the row's (z, e) plus N(0, 0.5^2) noise each.
// Rows are written to a .npy file (float32, C order) chunk by chunk.
import fs from 'node:fs/promises';
import { npyHeader, readNpyHeader } from '../../js/indexer/npy.js';

const RANK = 24, MEAN = 1.8, NOISE = 0.35, QUERY_NOISE = 0.5, CLUSTERS = 2048, SPREAD = 0.6;

function gaussianStream(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const uniform = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b | 0) + d | 0;
    d = d + 1 | 0;
    a = b ^ b >>> 9;
    b = c + (c << 3) | 0;
    c = c << 21 | c >>> 11;
    c = c + t | 0;
    return ((t >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < 16; i++) uniform();
  let spare = null;
  const gauss = () => {
    if (spare !== null) { const s = spare; spare = null; return s; }
    const r = Math.sqrt(-2 * Math.log(uniform())), th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { gauss, uniform };
}

/** { count, dims, offset } of a float32 .npy file, from its first 4 KiB (the file may be GBs). */
async function npyInfo(file) {
  const fh = await fs.open(file);
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const info = readNpyHeader(head.subarray(0, bytesRead), file);
    if (info.dtype !== 'float32') throw new Error(`${file}: not a float32 .npy`);
    return info;
  } finally {
    await fh.close();
  }
}

/** Float32Array chunks of `rowsPerChunk` rows read from a .npy file. */
export async function* npyChunks(file, rowsPerChunk = 16384) {
  const { count: n, dims, offset } = await npyInfo(file);
  const fh = await fs.open(file);
  try {
    for (let r = 0; r < n; r += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, n - r);
      const buf = new Float32Array(rows * dims);
      await fh.read(new Uint8Array(buf.buffer), 0, buf.byteLength, offset + r * dims * 4);
      yield buf;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Writes n x dims rows to `file` (.npy) and returns nq query vectors (Float32Array, nq x dims)
 * with the row each paraphrases.
 */
export async function writeClusteredNpy(file, { n, dims, nq, seed = 1, chunkRows = 16384 }) {
  const { gauss, uniform } = gaussianStream(seed);
  const m = Float64Array.from({ length: dims }, gauss);
  const mn = Math.hypot(...m);
  for (let d = 0; d < dims; d++) m[d] /= mn;
  const B = Float64Array.from({ length: dims * RANK }, () => gauss() / Math.sqrt(RANK));
  const s = Float64Array.from({ length: dims }, (_, d) => Math.exp(0.5 * gauss()) * (d % 97 === 0 ? 6 : 1));
  const centres = Float64Array.from({ length: CLUSTERS * RANK }, gauss);
  const sources = new Map();  // row -> query slot
  while (sources.size < nq) sources.set(Math.floor(uniform() * n), sources.size);
  const queries = new Float32Array(nq * dims);
  const queryRows = new Uint32Array(nq);
  const z = new Float64Array(RANK), e = new Float64Array(dims);
  const emit = (zz, ee, out, o) => {
    const inv = 1 / Math.sqrt(dims);
    for (let d = 0; d < dims; d++) {
      let t = NOISE * ee[d];
      const base = d * RANK;
      for (let r = 0; r < RANK; r++) t += B[base + r] * zz[r];
      out[o + d] = (MEAN * m[d] + t * inv) * s[d];
    }
  };
  const fh = await fs.open(file, 'w');
  try {
    await fh.write(npyHeader(n, dims));
    for (let r0 = 0; r0 < n; r0 += chunkRows) {
      const rows = Math.min(chunkRows, n - r0);
      const out = new Float32Array(rows * dims);
      for (let i = 0; i < rows; i++) {
        const c = Math.floor(uniform() * CLUSTERS) * RANK;
        for (let r = 0; r < RANK; r++) z[r] = centres[c + r] + SPREAD * gauss();
        for (let d = 0; d < dims; d++) e[d] = gauss();
        emit(z, e, out, i * dims);
        const slot = sources.get(r0 + i);
        if (slot !== undefined) {
          queryRows[slot] = r0 + i;
          emit(z.map((v) => v + QUERY_NOISE * gauss()), e.map((v) => v + QUERY_NOISE * gauss()), queries, slot * dims);
        }
      }
      await fh.write(new Uint8Array(out.buffer));
    }
  } finally {
    await fh.close();
  }
  return { queries, queryRows };
}
