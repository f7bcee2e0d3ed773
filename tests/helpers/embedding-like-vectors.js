// Seeded generator of anisotropic, embedding-like vectors for index recall tests and benchmarks.
//
// Sentence embeddings (e5, bge, MiniLM) are far from isotropic: every vector shares a large mean
// direction (two unrelated texts still have cosine ~0.6-0.8), most of the remaining variance lives
// in a low-rank "topic" subspace, and dimensions differ in scale, with a few outlier dimensions
// much larger than the rest. The recipe (mirrored in tests/cpp/index_test_util.h):
//
//   x = MEAN * m + (B z + NOISE * e) / sqrt(dims),   then x[d] *= s[d]
//
//   m      a fixed random unit vector (the shared mean direction), MEAN = 1.8 (unrelated rows: cosine ~0.77)
//   B      dims x RANK (24) Gaussian matrix with entries N(0, 1 / RANK); z ~ N(0, I_RANK) per row
//          (topics; ||B z / sqrt(dims)|| ~ 1)
//   e      ~ N(0, I_dims) per row, NOISE = 0.35 (||noise|| ~ 0.35)
//   s[d]   exp(N(0, 0.5)) (log-normal spread, ~2.7x between the 16th and 84th percentiles), and
//          every 97th dimension x 6 (outlier features)
//
// Queries are paraphrases of stored rows: the latent (z, e) of a random row plus N(0, 0.5) noise
// on each, through the same map. All randomness comes from one sfc32 stream per seed.
const RANK = 24;
const MEAN = 1.8;
const NOISE = 0.35;
const QUERY_NOISE = 0.5;

function gaussianStream(seed) {
  // sfc32 (Chris Doty-Humphrey's small fast counting generator: 128-bit state, passes PractRand),
  // then Box-Muller.
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const uniform = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b | 0) + d | 0;
    d = d + 1 | 0;
    a = b ^ (b >>> 9);
    b = c + (c << 3) | 0;
    c = (c << 21) | (c >>> 11);
    c = c + t | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) uniform();
  let spare = null;
  return () => {
    if (spare !== null) { const v = spare; spare = null; return v; }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Builds a generator for `dims`-dimensional vectors. rows(n) and queries(n, rows) return
 * Float32Arrays of n * dims values (not normalized: the index normalizes for cosine).
 */
export function embeddingLikeVectors(dims, seed = 1) {
  const g = gaussianStream(seed);
  const m = new Float64Array(dims);
  let norm = 0;
  for (let d = 0; d < dims; d++) { m[d] = g(); norm += m[d] * m[d]; }
  for (let d = 0; d < dims; d++) m[d] /= Math.sqrt(norm);
  const B = new Float64Array(dims * RANK);
  for (let i = 0; i < B.length; i++) B[i] = g() / Math.sqrt(RANK);
  const s = new Float64Array(dims);
  for (let d = 0; d < dims; d++) s[d] = Math.exp(0.5 * g()) * (d % 97 === 0 ? 6 : 1);
  const latents = [];
  const emit = (z, e, out, o) => {
    for (let d = 0; d < dims; d++) {
      let t = NOISE * e[d];
      for (let r = 0; r < RANK; r++) t += B[d * RANK + r] * z[r];
      out[o + d] = (MEAN * m[d] + t / Math.sqrt(dims)) * s[d];
    }
  };
  return {
    dims,
    /** n stored rows; their latents are remembered so queries can paraphrase them. */
    rows(n) {
      const out = new Float32Array(n * dims);
      for (let i = 0; i < n; i++) {
        const z = Float64Array.from({ length: RANK }, g);
        const e = Float64Array.from({ length: dims }, g);
        latents.push({ z, e });
        emit(z, e, out, i * dims);
      }
      return out;
    },
    /** n queries, each near a random stored row (call rows() first). */
    queries(n) {
      if (latents.length === 0) throw new Error('embeddingLikeVectors: queries() needs rows() first');
      const out = new Float32Array(n * dims);
      for (let i = 0; i < n; i++) {
        const src = latents[Math.floor(Math.abs(g()) * 1e6) % latents.length];
        const z = src.z.map((v) => v + QUERY_NOISE * g());
        const e = src.e.map((v) => v + QUERY_NOISE * g());
        emit(z, e, out, i * dims);
      }
      return out;
    },
  };
}
