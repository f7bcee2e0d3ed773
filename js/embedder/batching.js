// Batching that wastes no compute: sequences are sorted by token length (longest first), cut into
// batches whose padded size (count x longest) stays under a token budget, and each batch is
// padded only to its own longest sequence. Callers put results back in input order by index.

/**
 * lengths: token count per text. Returns [{ indices, seqLen }] covering every index once.
 * batchSize caps the texts per batch; tokenBudget caps count * seqLen (at least one text per batch).
 */
export function planBatches(lengths, { batchSize = 32, tokenBudget = 16384 } = {}) {
  const order = Array.from(lengths.keys()).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches = [];
  let current = null;
  for (const i of order) {
    if (current) {
      // Sorted descending: the first text of a batch is its longest.
      const fits = current.indices.length < batchSize && (current.indices.length + 1) * current.seqLen <= tokenBudget;
      if (fits) { current.indices.push(i); continue; }
    }
    current = { indices: [i], seqLen: Math.max(lengths[i], 1) };
    batches.push(current);
  }
  return batches;
}

/**
 * Packs encodings (each with ids/typeIds Int32Array) into padded [count, seqLen] BigInt64Array
 * inputs plus an Int32Array mask for pooling.
 */
export function packBatch(encodings, indices, seqLen, padId) {
  const n = indices.length;
  const ids = new BigInt64Array(n * seqLen).fill(BigInt(padId));
  const mask64 = new BigInt64Array(n * seqLen);
  const types = new BigInt64Array(n * seqLen);
  const mask32 = new Int32Array(n * seqLen);
  for (let r = 0; r < n; r++) {
    const e = encodings[indices[r]];
    const base = r * seqLen;
    for (let t = 0; t < e.ids.length; t++) {
      ids[base + t] = BigInt(e.ids[t]);
      mask64[base + t] = 1n;
      types[base + t] = BigInt(e.typeIds[t]);
    }
    mask32.fill(1, base, base + e.ids.length);
  }
  return { ids, mask64, types, mask32 };
}
