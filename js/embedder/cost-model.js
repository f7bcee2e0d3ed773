// A cost model of one encoder run of `count` texts padded to `seqLen` tokens, for the batch
// planner (batching.js). Units are floating-point operations of a BERT-style encoder:
//   per padded token: Q, K, V and output projections (4 h^2 multiply-adds) and the feed-forward
//     (2 h i), per layer;
//   per (query, key) pair of one text: QK^T and attention x V (2 h multiply-adds) plus the
//     softmax over every head, per layer: this is the seqLen^2 term;
//   per run: a fixed overhead (session.run set-up, kernel launches, thread wake-up), given in
//     seconds per backend and turned into operations at the backend's measured throughput.
// Only the ratios matter to the planner. The shape comes from config.json; BERT-base defaults
// stand in for a model without one.

// Per backend: sustained encoder throughput (operations / s) and fixed cost of one run (s).
// cpu: onnxruntime-node, 2 intra-op threads, multilingual-e5-small shape, on the shared 2-core
// x86-64 build machine: a least-squares fit of 15 run shapes (1..32 texts x 4..512 tokens) gave
// 2.6 ms per padded token (16e9 operations / s by the count below) and a per-run overhead lost in
// the noise (a few ms at most). wasm / webgpu: onnxruntime-web, not measured here; WebGPU pays a
// dispatch and readback per run that dominates short batches.
export const BACKEND_COSTS = {
  cpu: { opsPerSecond: 16e9, runSeconds: 1e-3 },
  wasm: { opsPerSecond: 8e9, runSeconds: 2e-3 },
  webgpu: { opsPerSecond: 200e9, runSeconds: 4e-3 },
};

// Operations per softmax element.
const SOFTMAX_OPS = 5;
// Attention runs as many small MatMuls, a Softmax and transposes, slower per operation than the
// large projections: the same fit put the seqLen^2 term at 2.4 x its operation count.
const ATTENTION_EFFICIENCY = 2.4;

/**
 * The model for one encoder (config.json fields) on one device ('cpu' | 'wasm' | 'webgpu').
 * Returns { perToken, perPair, perRun, heads, hidden, intermediate }.
 */
export function costModel(config = {}, device = 'cpu') {
  const layers = config.num_hidden_layers ?? 12;
  const hidden = config.hidden_size ?? 768;
  const heads = config.num_attention_heads ?? 12;
  const intermediate = config.intermediate_size ?? 4 * hidden;
  const backend = BACKEND_COSTS[device] ?? BACKEND_COSTS.wasm;
  return {
    perToken: layers * 2 * (4 * hidden * hidden + 2 * hidden * intermediate),
    perPair: ATTENTION_EFFICIENCY * layers * (2 * 2 * hidden + SOFTMAX_OPS * heads),
    perRun: backend.runSeconds * backend.opsPerSecond,
    heads,
    hidden,
    intermediate,
  };
}

const DEFAULT_MODEL = costModel();

/** Modelled cost (operations) of one run of count texts padded to seqLen. */
export function runCost(model = DEFAULT_MODEL, count, seqLen) {
  return count * seqLen * model.perToken + count * seqLen * seqLen * model.perPair + model.perRun;
}

/**
 * Activation memory of one run (bytes): the attention scores of one layer (count x heads x
 * seqLen^2 float32, the part that grows with seqLen^2) plus the widest hidden activations
 * (count x seqLen x max(intermediate, 3 x hidden) float32: the feed-forward's, or Q, K and V).
 */
export function runBytes(model = DEFAULT_MODEL, count, seqLen) {
  const wide = Math.max(model.intermediate, 3 * model.hidden);
  return count * (model.heads * seqLen * seqLen * 4 + seqLen * wide * 4);
}
