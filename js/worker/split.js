// How EmbedderPool (pool.js) shares one embed call between its workers so they finish together:
// texts sorted longest first and cut into chunks, which idle workers take from one shared queue
// in that order (longest processing time first, LPT). Each worker's own planner then batches
// inside its chunk. The expensive chunks go out first and the cheapest last, so when the queue
// runs dry the other workers are at most one small chunk from done.
//
// A text's cost is estimated from its characters, without tokenizing on this thread (that would
// load the core and the tokenizer here too): one token per CHARS_PER_TOKEN characters, at most
// the model's limit (longer texts are cut there), plus attention's cost that grows with the
// square of the length, plus a fixed cost per text. The estimate orders and cuts the work; a
// wrong guess costs balance, never correctness.

const CHARS_PER_TOKEN = 4;
// Tokens of work one text costs besides its own tokens (its share of a run's fixed costs).
const PER_TEXT_TOKENS = 8;
// Attention's seqLen^2 term, relative to the per-token term, at 512 tokens (e5-small-shaped
// encoders on ORT-web WASM: about a third of a 512-token text's work).
const ATTENTION_AT_512 = 0.35;
// Chunks per worker a call is cut into at least: enough that the last chunks are small next to
// a worker's share, few enough that each worker's planner still sees runs of similar lengths.
const CHUNKS_PER_WORKER = 6;

/** The estimated cost of one text (token units), for `maxLength` tokens at most. */
export function textCost(text, maxLength = 512) {
  const tokens = Math.min(maxLength, 2 + Math.ceil(text.length / CHARS_PER_TOKEN));
  return PER_TEXT_TOKENS + tokens * (1 + (ATTENTION_AT_512 * tokens) / 512);
}

/**
 * Cuts `texts` into chunks for `workers` workers: arrays of input indices, the most expensive
 * chunk first. A chunk holds texts of neighbouring lengths, at most `batchSize` of them and, unless
 * one text alone is over it, at most 1 / (workers x CHUNKS_PER_WORKER) of the total cost.
 * @param {string[]} texts
 * @param {{ workers: number, batchSize?: number, maxLength?: number }} options
 * @returns {number[][]}
 */
export function splitWork(texts, { workers, batchSize = 32, maxLength = 512 }) {
  const costs = texts.map((t) => textCost(t, maxLength));
  const order = Array.from(costs.keys()).sort((a, b) => costs[b] - costs[a] || a - b);
  const total = costs.reduce((a, b) => a + b, 0);
  const target = total / (Math.max(1, workers) * CHUNKS_PER_WORKER);
  const chunks = [];
  let chunk = [];
  let cost = 0;
  for (const i of order) {
    if (chunk.length && (chunk.length >= batchSize || cost + costs[i] > target)) {
      chunks.push(chunk);
      chunk = [];
      cost = 0;
    }
    chunk.push(i);
    cost += costs[i];
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}
