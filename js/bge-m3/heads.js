// BGE-M3 sparse (lexical weights) and ColBERT heads over an encoder's last hidden state.
// The numeric work runs in C++ (wasm/heads/bge_m3.cpp); head weights stay resident in the wasm
// heap for the life of the object.
import { loadCore } from '../internal/core.js';
import { heapCopy, HeapTemps, readArray, withHeapCopies } from '../internal/heap.js';
import { InvalidArgumentError } from '../errors.js';
import { callCore } from '../internal/call-core.js';
import { NativeHandle } from '../internal/native-handle.js';

function checkF32(name, value, length) {
  if (!(value instanceof Float32Array)) throw new InvalidArgumentError(`${name} must be a Float32Array`);
  if (length !== undefined && value.length !== length) {
    throw new InvalidArgumentError(`${name} has ${value.length} values, expected ${length}`);
  }
}

/** ColBERT rows the core wrote for a batch: `counts` int32 per text, vectors packed one text after another. */
export function readColbertBatch(core, out, counts, n, dim) {
  const countView = readArray(core, Int32Array, counts, n);
  const results = [];
  let offset = 0;
  for (let b = 0; b < n; b++) {
    const len = countView[b] * dim;
    results.push({ vectors: readArray(core, Float32Array, out + offset * 4, len), count: countView[b], dim });
    offset += len;
  }
  return results;
}

export class BgeM3Heads extends NativeHandle {
  #addresses; #hidden; #colbertDim; #sparseBias; #dropped;

  /**
   * @param {object} weights
   * @param {number} weights.hiddenSize  encoder hidden size (1024 for bge-m3)
   * @param {{ weight: Float32Array, bias: number }} weights.sparse  Linear(hidden -> 1)
   * @param {{ weight: Float32Array, bias: Float32Array }} weights.colbert  Linear(hidden -> out), weight [out, hidden]
   * @param {number[]} weights.droppedIds  ids never reported in sparse output (cls, eos, pad, unk)
   */
  static async create({ hiddenSize, sparse, colbert, droppedIds }) {
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new InvalidArgumentError('hiddenSize must be a positive integer');
    checkF32('sparse.weight', sparse?.weight, hiddenSize);
    if (!Number.isFinite(sparse.bias)) throw new InvalidArgumentError('sparse.bias must be a number');
    checkF32('colbert.bias', colbert?.bias);
    checkF32('colbert.weight', colbert.weight, colbert.bias.length * hiddenSize);
    if (!Array.isArray(droppedIds) || !droppedIds.every(Number.isInteger)) throw new InvalidArgumentError('droppedIds must be an array of token ids');
    const core = await loadCore();
    return new BgeM3Heads(core, { hiddenSize, sparse, colbert, droppedIds });
  }

  /** @private use BgeM3Heads.create() */
  constructor(core, { hiddenSize, sparse, colbert, droppedIds }) {
    const addresses = [];
    try {
      for (const w of [sparse.weight, colbert.weight, colbert.bias]) addresses.push(heapCopy(core, w, 'BGE-M3 head weights'));
    } catch (err) {
      addresses.forEach((a) => core._free(a));
      throw err;
    }
    super(core, 'BgeM3Heads', { addresses });
    this.#addresses = addresses;
    this.#hidden = hiddenSize;
    this.#colbertDim = colbert.bias.length;
    this.#sparseBias = sparse.bias;
    this.#dropped = [...droppedIds];
  }

  get colbertDim() { return this.#colbertDim; }

  /**
   * Computes the requested heads for a padded batch.
   * @param {Float32Array} hidden  last_hidden_state, [batch, seq, hiddenSize]
   * @param {{ ids: Int32Array, attentionMask: Int32Array, shape: [number, number] }} batch
   * @param {{ outputs?: ('sparse'|'colbert')[] }} [options]
   * @returns {{ sparse?: { ids: Int32Array, weights: Float32Array }, colbert?: { vectors: Float32Array, count: number, dim: number } }[]}
   */
  compute(hidden, { ids, attentionMask, shape }, { outputs = ['sparse', 'colbert'] } = {}) {
    this.native('compute');
    const [batch, seq] = shape;
    checkF32('hidden', hidden, batch * seq * this.#hidden);
    if (!(ids instanceof Int32Array) || ids.length !== batch * seq) throw new InvalidArgumentError('ids must be an Int32Array of batch * seq');
    if (!(attentionMask instanceof Int32Array) || attentionMask.length !== batch * seq) throw new InvalidArgumentError('attentionMask must be an Int32Array of batch * seq');
    const core = this.core;
    const results = Array.from({ length: batch }, () => ({}));
    const temps = new HeapTemps(core);
    try {
      const h = temps.copy(hidden, 'hidden states'), i = temps.copy(ids, 'token ids'), m = temps.copy(attentionMask, 'attention mask');
      const [sw, cw, cb] = this.#addresses;
      if (outputs.includes('sparse')) {
        const sparse = callCore(() => core.bgeM3SparseBatch(h, i, m, batch, seq, this.#hidden, sw, this.#sparseBias, this.#dropped));
        sparse.forEach((s, b) => { results[b].sparse = s; });
      }
      if (outputs.includes('colbert')) {
        const out = temps.alloc(batch * seq * this.#colbertDim * 4, 'ColBERT vectors');
        const counts = temps.alloc(batch * 4, 'ColBERT counts');
        callCore(() => core.bgeM3ColbertBatch(h, i, m, batch, seq, this.#hidden, cw, cb, this.#colbertDim, out, counts));
        readColbertBatch(core, out, counts, batch, this.#colbertDim).forEach((c, b) => { results[b].colbert = c; });
      }
      return results;
    } finally {
      temps.freeAll();
    }
  }

  /** Lexical score: sum over shared ids of w_q * w_p. */
  sparseScore(q, p) {
    this.native('sparseScore');
    return withHeapCopies(this.core, [q.ids, q.weights, p.ids, p.weights], ([qi, qw, pi, pw]) =>
      callCore(() => this.core.sparseScore(qi, qw, q.ids.length, pi, pw, p.ids.length)));
  }

  /** ColBERT score: mean over query vectors of the max dot product with any passage vector. */
  colbertScore(q, p) {
    if (q.dim !== p.dim) throw new InvalidArgumentError(`ColBERT dims differ: ${q.dim} vs ${p.dim}`);
    this.native('colbertScore');
    return withHeapCopies(this.core, [q.vectors, p.vectors], ([qa, pa]) => callCore(() => this.core.colbertScore(qa, q.count, pa, p.count, q.dim)));
  }
}

/**
 * BGE-M3's combined score: sum(w_k * s_k) / sum(w_k).
 * @param {{ dense?: number, sparse?: number, colbert?: number }} scores
 * @param {{ dense?: number, sparse?: number, colbert?: number }} [weights] defaults to the BGE-M3 README's 0.4 / 0.2 / 0.4
 */
export function weightedScore(scores, weights = { dense: 0.4, sparse: 0.2, colbert: 0.4 }) {
  let num = 0;
  let den = 0;
  for (const [k, w] of Object.entries(weights)) {
    if (!(k in scores)) continue;
    if (!Number.isFinite(w) || !Number.isFinite(scores[k])) throw new InvalidArgumentError(`score and weight for '${k}' must be finite numbers`);
    num += w * scores[k];
    den += w;
  }
  if (den === 0) throw new InvalidArgumentError('weightedScore: the weights of the given scores sum to zero');
  return num / den;
}

/** Maps sparse output ids back to token strings with a Tokenizer: [{ token, id, weight }]. */
export function sparseToTokens(sparse, tokenizer) {
  return Array.from(sparse.ids, (id, k) => ({ id, token: tokenizer.idToToken(id), weight: sparse.weights[k] }));
}
