// Batch planning. Texts are sorted by token count (longest first) and cut into runs of
// consecutive texts; each run is padded to its own longest text. Where to cut is decided by a cost
// model of one encoder run (cost-model.js): padded tokens pay for the projections and the
// feed-forward, attention grows with seqLen^2, and every run pays a fixed overhead. A dynamic
// program over the sorted lengths finds the cheapest cuts, so a 512-token page is not batched
// with 32-token sentences padded to 512 (which made batch 32 slower than one text per run on
// mixed RAG corpora, issue #14.1), while runs of similar short texts still share their overhead.
import { runBytes, runCost } from './cost-model.js';

/** Text indices sorted by token count, longest first (ties: input order). */
function sortedOrder(lengths) {
  return Array.from(lengths.keys()).sort((a, b) => lengths[b] - lengths[a] || a - b);
}

// Most padding a run may carry, as padded / real tokens: a run of texts padded to its longest
// computes at most 10% more tokens than its texts hold, so a whole plan does too (issue #14's
// bound). Single texts carry none, so a plan always exists.
export const MAX_PADDING = 1.1;

/**
 * lengths: token count per text. Returns [{ indices, seqLen }] covering every index once.
 * options: batchSize (most texts per run), model (cost-model.js costModel()), memoryBudget (bytes
 * of activations one run may need, runBytes(); a single text always runs), tokenBudget (most
 * count x seqLen per run, when given), maxPadding (most padded / real tokens of one run; Infinity
 * lifts the bound and plans by cost alone).
 * Cost: O(n log n) sort + O(n x batchSize) for the cuts.
 */
export function planBatches(lengths, { batchSize = 32, model, memoryBudget = Infinity, tokenBudget = Infinity, maxPadding = MAX_PADDING } = {}) {
  const order = sortedOrder(lengths);
  const n = order.length;
  const len = order.map((i) => Math.max(lengths[i], 1));
  // best[j]: least cost of running sorted texts [0, j); cut[j]: where the last run starts.
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    let real = 0;
    for (let i = j - 1; i >= 0 && j - i <= batchSize; i--) {
      const count = j - i;
      const seqLen = len[i]; // the run's longest text
      real += len[i];
      // Moving i down only adds texts at least as long: once over a cap, stay over.
      if (count > 1 && (count * seqLen > tokenBudget || runBytes(model, count, seqLen) > memoryBudget)) break;
      // Padding is not monotonic in i (more long texts dilute it): skip, do not stop.
      if (count * seqLen > maxPadding * real) continue;
      const c = best[i] + runCost(model, count, seqLen);
      if (c < best[j]) { best[j] = c; cut[j] = i; }
    }
  }
  const batches = [];
  for (let j = n; j > 0; j = cut[j]) batches.push({ indices: order.slice(cut[j], j), seqLen: len[cut[j]] });
  return batches.reverse();
}

/**
 * The previous planner, kept as the baseline the cost planner is tested and benchmarked against:
 * greedy, longest first, a run grows while count <= batchSize and count x seqLen <= tokenBudget.
 */
export function planByTokenBudget(lengths, { batchSize = 32, tokenBudget = 16384 } = {}) {
  const batches = [];
  let current = null;
  for (const i of sortedOrder(lengths)) {
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

/** Modelled cost of a whole plan (sum of runCost), for tests and benchmarks. */
export function planCost(model, batches) {
  let c = 0;
  for (const b of batches) c += runCost(model, b.indices.length, b.seqLen);
  return c;
}
