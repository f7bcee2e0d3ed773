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

// Per backend: sustained encoder throughput (operations / s by the count above), the fixed cost
// of one run (s: session.run set-up, one thread hand-off per kernel, allocation) and how much
// slower than the projections attention's many small MatMuls and Softmax run per operation.
// Measured, not estimated (bench/run-cost.bench.js: a grid of 15 run shapes, 1..32 texts x
// 4..512 tokens, one session, round-robin, fitted by least squares on relative error), with the
// multilingual-e5-small shape on the shared 2-core x86-64 build machine, every core:
//   cpu  onnxruntime-node 1.30: 0.96 ms per padded token, 33 ms per run (load average 11-12,
//        where thread hand-offs are slow: an idle machine pays less per run, and batching short
//        texts is then worth less, never more).
//   wasm onnxruntime-web 1.30 WASM in Node (worker threads; the same build browsers run): 12-15
//        ms per padded token on runs of 512+ tokens, but 26 ms per token on one 16-token text: its
//        kernels lose far more on small runs than the relative-error fit's 82 ms per run says.
//        The constants here are the marginal costs of the grid, 1 x 16 against 32 x 16 tokens:
//        12.2 ms per token and 230 ms per run (load average 13-23); in Chromium, transformers.js's
//        batches of 32 short texts (40% padding) beat runs of 5-13 texts planned with 82 ms.
//        Attention fitted at 0.23x the projections' cost per operation (its GEMMs run far below
//        onnxruntime-node's, its attention less so).
//   webgpu: not measured here (no GPU); WebGPU pays a dispatch and readback per run that dominates
//        short batches.
// The planner uses only their ratios (per run against per token against per pair), and a run's
// padding is bounded separately (batching.js MAX_PADDING), so a per-run cost that is off by 2x
// moves few cuts.
export const BACKEND_COSTS = {
  cpu: { opsPerSecond: 44e9, runSeconds: 33e-3, attentionEfficiency: 2.1 },
  wasm: { opsPerSecond: 3.5e9, runSeconds: 230e-3, attentionEfficiency: 0.23 },
  webgpu: { opsPerSecond: 200e9, runSeconds: 4e-3, attentionEfficiency: 2.4 },
};

// Operations per softmax element.
const SOFTMAX_OPS = 5;

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
    perPair: backend.attentionEfficiency * layers * (2 * 2 * hidden + SOFTMAX_OPS * heads),
    attentionEfficiency: backend.attentionEfficiency,
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
