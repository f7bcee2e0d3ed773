// How much memory one ONNX Runtime run of `count` sequences of `seqLen` tokens needs for its
// activations, worked out before ORT is called, so a length that cannot run fails with a
// CapacityError that names it (instead of ORT-web's "SafeInt ... Integer overflow" or a Node
// process swapping for minutes). Also the batch planner's cost model (js/embedder/batching.js).
//
// The estimate follows the encoder graph (js/convert/architecture.js and the Hub exports):
//   attention  count x heads x rows x seqLen float32 scores, where rows is the attention block
//              (js/onnx/blocked-attention.js) or seqLen when attention is not blocked; the
//              scores, their scaled/masked sum and the softmax are alive at once (x3).
//   hidden     count x seqLen x (HIDDEN_COPIES x hidden + INTERMEDIATE_COPIES x intermediate)
//              float32: the residual stream, q/k/v and their per-head transposes, the attention
//              context, and the feed-forward activation with its GELU temporaries.
// Weights are not activations: callers pass them separately (weightBytes) where they share the
// limit (ORT-web's 4 GiB WASM heap).
import { CapacityError, InvalidArgumentError } from '../errors.js';

/** ONNX Runtime Web's WASM heap (wasm32: 4 GiB addressable; sizes past it overflow). */
export const WASM_MEMORY_LIMIT = 4 * 2 ** 30;
const ATTENTION_COPIES = 3;
const HIDDEN_COPIES = 10;
const INTERMEDIATE_COPIES = 3;
const F32 = 4;

function positiveInt(name, v) {
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
}

/**
 * Activation bytes of one run: { attention, hidden, total, largestTensor }.
 * shape: { heads, hidden, intermediate (default 4 x hidden), block (attention rows per block;
 * 0 or null: unblocked) }.
 */
export function activationBytes(count, seqLen, { heads, hidden, intermediate = 4 * hidden, block = 0 }) {
  positiveInt('count', count);
  positiveInt('seqLen', seqLen);
  positiveInt('heads', heads);
  positiveInt('hidden', hidden);
  const rows = block ? Math.min(block, seqLen) : seqLen;
  const scores = count * heads * rows * seqLen * F32;
  const attention = scores * ATTENTION_COPIES;
  const hiddenBytes = count * seqLen * (HIDDEN_COPIES * hidden + INTERMEDIATE_COPIES * intermediate) * F32;
  const largestTensor = Math.max(scores, count * seqLen * intermediate * F32);
  return { attention, hidden: hiddenBytes, total: attention + hiddenBytes, largestTensor };
}

const gib = (b) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * The memory limit a run's activations must fit on `device`: on ORT-web ('wasm', 'webgpu' whose
 * CPU fallback shares the heap) the 4 GiB WASM heap less the weights, and any `budget` given.
 */
export function activationLimit(device, { weightBytes = 0, budget = Infinity } = {}) {
  const wasm = device === 'cpu' ? Infinity : WASM_MEMORY_LIMIT - weightBytes;
  return Math.min(wasm, budget);
}

/**
 * Throws CapacityError when a run of count x seqLen needs more than the limit for `device`
 * (activationLimit); returns the estimate otherwise. On ORT-web a single tensor of 4 GiB or more
 * cannot exist at all (32-bit sizes), whatever the budget.
 */
export function checkActivationMemory(count, seqLen, shape, { device, weightBytes = 0, budget = Infinity } = {}) {
  const need = activationBytes(count, seqLen, shape);
  const limit = activationLimit(device, { weightBytes, budget });
  const where = device === 'cpu' ? 'onnxruntime-node' : `ONNX Runtime Web (${device}, 4 GiB WASM heap, ${gib(weightBytes)} of it weights)`;
  const blocked = shape.block ? `attention in blocks of ${shape.block} rows` : 'unblocked attention';
  if (device !== 'cpu' && need.largestTensor >= WASM_MEMORY_LIMIT) {
    throw new CapacityError(`${count} x ${seqLen} tokens cannot run on ${where}: one tensor would take ${gib(need.largestTensor)}, over the 4 GiB a WASM tensor can address (${blocked})`);
  }
  if (need.total > limit) {
    const budgetNote = Number.isFinite(budget) && budget === limit ? ' (memory budget)' : '';
    throw new CapacityError(`${count} x ${seqLen} tokens need about ${gib(need.total)} of activations on ${where}, over the limit of ${gib(Math.max(0, limit))}${budgetNote} (${blocked}, ${shape.heads} heads, hidden ${shape.hidden}); embed fewer or shorter texts at once`);
  }
  return need;
}
