// Embedder.embed(texts, { outputs: ['dense', 'sparse', 'colbert'] }): one encoder pass per batch,
// then the BGE-M3 heads on its last_hidden_state (C++), or the post-processing of heads the ONNX
// graph already computes. The heads are a stage of the Embedder's pipeline (HeadsStage, after
// forward and pooling); head weights are looked up lazily, on the first call that needs them, so
// loading a model does no extra requests.
import { loadCore } from '../internal/core.js';
import { InvalidArgumentError, ModelLoadError, UnsupportedError } from '../errors.js';
import { BgeM3Heads } from './heads.js';
import { encodeColbert, COLBERT_DTYPES } from './colbert-storage.js';
import { colbertFromGraph, sparseFromGraph } from './graph-heads.js';
import { explicitHeadWeights, graphHeadOutputs, loadHeadWeights } from './head-weights.js';

export const OUTPUT_KINDS = ['dense', 'sparse', 'colbert'];

function tokenName(v) {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof v.content === 'string') return v.content;
  return null;
}

/**
 * Ids the sparse output never reports, as FlagEmbedding's `unused_tokens`: cls, eos, pad, unk
 * (eos falls back to sep for tokenizers that name no eos, e.g. BERT-style ones).
 */
async function droppedIds(src, tokenizer) {
  const cfg = {};
  for (const file of ['special_tokens_map.json', 'tokenizer_config.json']) {
    if (await src.exists(file)) Object.assign(cfg, await src.json(file));
  }
  const names = [cfg.cls_token ?? cfg.bos_token, cfg.eos_token ?? cfg.sep_token, cfg.pad_token, cfg.unk_token].map(tokenName);
  const fallback = ['<s>', '</s>', '<pad>', '<unk>', '[CLS]', '[SEP]', '[PAD]', '[UNK]'];
  const ids = new Set();
  for (const name of names.some(Boolean) ? names : fallback) {
    if (!name) continue;
    const id = tokenizer.tokenToId(name);
    if (id !== null) ids.add(id);
  }
  if (tokenizer.padId >= 0) ids.add(tokenizer.padId);
  return [...ids].sort((a, b) => a - b);
}

/** Per-Embedder state: where the heads come from, created lazily. */
export class M3State {
  #src; #outputNames; #tokenizer; #option; #ready = null; #heads = null; #graph = null; #dropped = null; #hiddenSize;

  /** option: the Embedder's `heads` option: undefined | 'auto' | 'graph' | 'files' | false | { sparse, colbert } | { files } */
  constructor({ src, outputNames, tokenizer, hiddenSize, option }) {
    const allowed = option === undefined || option === false || option === 'auto' || option === 'graph' || option === 'files' || (option && typeof option === 'object');
    if (!allowed) throw new InvalidArgumentError(`heads must be 'auto', 'graph', 'files', false, { sparse, colbert } weights or { files: { sparse, colbert } }, got ${JSON.stringify(option)}`);
    this.#src = src;
    this.#outputNames = outputNames;
    this.#tokenizer = tokenizer;
    this.#hiddenSize = hiddenSize;
    this.#option = option;
  }

  /** Head outputs the graph has ({ sparse?, colbert? } names). */
  get graphOutputs() { return graphHeadOutputs(this.#outputNames); }

  /** 'graph' | 'weights' once prepared. */
  get mode() { return this.#graph ? 'graph' : this.#heads ? 'weights' : null; }

  prepare() {
    if (!this.#ready) this.#ready = this.#load().catch((err) => { this.#ready = null; throw err; });
    return this.#ready;
  }

  async #load() {
    const option = this.#option;
    if (option === false) throw new UnsupportedError('sparse / ColBERT outputs are disabled for this model (heads: false)');
    this.#dropped = await droppedIds(this.#src, this.#tokenizer);
    const graph = this.graphOutputs;
    const explicit = option && typeof option === 'object' && !option.files;
    if (!explicit && option !== 'files' && graph.sparse && graph.colbert) {
      this.#graph = graph;
      return;
    }
    if (option === 'graph') throw new ModelLoadError(`the ONNX graph has no sparse / ColBERT outputs (outputs: ${this.#outputNames.join(', ')})`);
    const hidden = this.#hiddenSize;
    if (!Number.isInteger(hidden)) throw new ModelLoadError('config.json has no hidden_size, needed to check the head weights');
    const weights = explicit ? explicitHeadWeights(option, hidden) : await loadHeadWeights(this.#src, hidden, option);
    if (!weights) {
      throw new ModelLoadError(
        'this model has no BGE-M3 heads: neither sparse_linear / colbert_linear head files (.safetensors or .pt) ' +
        'next to it nor sparse / ColBERT outputs in its ONNX graph; pass them with the `heads` option', { file: 'sparse_linear.safetensors' });
    }
    const core = await loadCore();
    this.#heads = new BgeM3Heads(core, { hiddenSize: hidden, sparse: weights.sparse, colbert: weights.colbert, droppedIds: this.#dropped });
  }

  /** ONNX outputs the session must return besides last_hidden_state. */
  keep(kinds) {
    if (!this.#graph) return [];
    return kinds.filter((k) => k !== 'dense').map((k) => this.#graph[k]);
  }

  /**
   * Computes the requested heads for one batch and stores them at results[indices[r]].
   * hidden: Float32Array [n, seq, dim] (null for exports that only give pooled vectors);
   * ids / mask: Int32Array [n, seq] of the padded batch.
   */
  processBatch(core, { hidden, dims, extra, ids, mask, indices }, kinds, results, colbertDtype) {
    const [n, seq] = dims;
    let per;
    if (this.#graph) {
      per = Array.from({ length: n }, () => ({}));
      if (kinds.includes('sparse')) {
        sparseFromGraph(core, extra[this.#graph.sparse], ids, mask, n, seq, this.#dropped, `output '${this.#graph.sparse}'`).forEach((s, r) => { per[r].sparse = s; });
      }
      if (kinds.includes('colbert')) {
        colbertFromGraph(core, extra[this.#graph.colbert], mask, n, seq, `output '${this.#graph.colbert}'`).forEach((c, r) => { per[r].colbert = c; });
      }
    } else {
      if (!hidden) throw new UnsupportedError("the model outputs pooled vectors (dense_vecs), not last_hidden_state: head weights cannot be applied; use its own sparse / ColBERT outputs (heads: 'auto')");
      per = this.#heads.compute(hidden, { ids, attentionMask: mask, shape: [n, seq] }, { outputs: kinds.filter((k) => k !== 'dense') });
    }
    for (let r = 0; r < n; r++) {
      const target = results[indices[r]];
      if (per[r].sparse) target.sparse = per[r].sparse;
      if (per[r].colbert) target.colbert = colbertDtype === 'float32' ? per[r].colbert : encodeColbert(per[r].colbert, colbertDtype);
    }
  }

  dispose() {
    this.#heads?.dispose();
    this.#heads = null;
    this.#ready = null;
  }
}

/** Validates `outputs`; returns the kinds in canonical order. */
export function parseOutputs(outputs) {
  if (typeof outputs === 'string') outputs = outputs.split(',').map((s) => s.trim()).filter(Boolean);
  if (!Array.isArray(outputs) || outputs.length === 0) throw new InvalidArgumentError(`outputs must be a non-empty array of ${OUTPUT_KINDS.map((k) => `'${k}'`).join(', ')}`);
  for (const k of outputs) {
    if (!OUTPUT_KINDS.includes(k)) throw new InvalidArgumentError(`outputs: unknown output ${JSON.stringify(k)} (known: ${OUTPUT_KINDS.join(', ')})`);
  }
  return OUTPUT_KINDS.filter((k) => outputs.includes(k));
}

/**
 * The heads stage: consumes the forward stage's batches ({ hidden, batch, indices }, see
 * js/embedder/forward.js) and fills results[i].sparse / .colbert.
 */
class HeadsStage {
  #state; #core; #heads; #results; #colbertDtype;

  constructor(state, core, heads, results, colbertDtype) {
    this.#state = state;
    this.#core = core;
    this.#heads = heads;
    this.#results = results;
    this.#colbertDtype = colbertDtype;
    this.keep = state.keep(heads); // graph outputs the session must return
  }

  consume({ hidden, batch, indices }) {
    const core = this.#core;
    const { n, seqLen } = batch;
    // The padded ids and mask the forward stage packed into the heap, copied out once.
    const ints = (addr) => core.HEAP32.slice(addr >>> 2, (addr >>> 2) + n * seqLen);
    const dim = hidden.dims[hidden.pooled ? 1 : 2];
    this.#state.processBatch(core, {
      hidden: hidden.pooled ? null : hidden.data, dims: [n, seqLen, dim], extra: hidden.extra,
      ids: ints(batch.ids32Addr), mask: ints(batch.mask32Addr), indices,
    }, this.#heads, this.#results, this.#colbertDtype);
  }
}

/**
 * Sets up embed() with `outputs`: validates them, prepares the heads, and returns
 * { options: the embedFlat options without `outputs` / `colbertDtype`, stages: the stages to run
 * after pooling, keep: extra session outputs, finish(flat) -> per text { dense?, sparse?, colbert? } }.
 */
export async function prepareOutputs(state, texts, options) {
  const kinds = parseOutputs(options.outputs);
  const colbertDtype = options.colbertDtype ?? 'float32';
  if (!COLBERT_DTYPES.includes(colbertDtype)) throw new InvalidArgumentError(`colbertDtype must be one of ${COLBERT_DTYPES.join(', ')}, got ${JSON.stringify(colbertDtype)}`);
  const heads = kinds.filter((k) => k !== 'dense');
  if (heads.length) await state.prepare();
  const core = await loadCore();
  const count = typeof texts === 'string' ? 1 : Array.isArray(texts) ? texts.length : 0;
  const results = Array.from({ length: count }, () => ({}));
  const { outputs, colbertDtype: _c, ...rest } = options;
  const stages = heads.length ? [new HeadsStage(state, core, heads, results, colbertDtype)] : [];
  return {
    options: rest,
    stages,
    finish(flat) {
      if (kinds.includes('dense')) {
        for (let i = 0; i < flat.count; i++) results[i].dense = flat.data.subarray(i * flat.dims, (i + 1) * flat.dims);
      }
      return results;
    },
  };
}
