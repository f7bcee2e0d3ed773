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
