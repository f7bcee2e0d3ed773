// Embedder: text in, sentence-transformers vectors out, over ONNX Runtime (Node native, WASM,
// WebGPU) with tokenization and post-processing in the C++ core. embedFlat is an explicit
// pipeline: tokenize every text in one call (token-batches.js), plan the batches (batching.js),
// then per batch forward (pack + session run, forward.js) -> pool (pool.js) -> any further stage
// (the BGE-M3 heads when embed() asks for `outputs`).
import { DisposedError, InvalidArgumentError, UnsupportedError } from '../errors.js';
import { planBatches } from './batching.js';
import { costModel } from './cost-model.js';
import { forward } from './forward.js';
import { checkAbort, loadModel } from './load.js';
import { PoolStage } from './pool.js';
import { SessionRunner } from './session-runner.js';
import { TokenBatches } from './token-batches.js';
import { prepareOutputs } from '../bge-m3/outputs.js';
import { describeValue } from '../internal/describe.js';

const CONSTRUCT = Symbol('Embedder.construct');

// WorkerEmbedder.load, registered by js/worker/client.js when the main entry loads it. Not an
// import: the worker bundle contains this file, and a path from it back to the client (which
// starts the worker) would make bundlers build the worker inside itself (a chunk cycle).
let workerLoader = null;
/** @param {(source: unknown, options: object) => Promise<unknown>} load */
export function setWorkerLoader(load) {
  workerLoader = load;
}
// EmbedderPool.load, registered by js/worker/pool.js the same way.
let poolLoader = null;
/** @param {(source: unknown, options: object) => Promise<unknown>} load */
export function setPoolLoader(load) {
  poolLoader = load;
}
// Activation memory one encoder run may use (EmbedOptions.memoryBudget), one default for every
// backend: larger runs gain nothing. On an idle 2-core machine (onnxruntime-node, e5-small shape,
// 24 texts of 512 tokens) runs of 1, 2, 4, 8 and 16 texts took the same time per text, while one
// run of 24 (377 MB of activations) was 4% slower in steady state and 40% slower the first time
// (ORT allocating for the new shape); ORT-web's WASM kernels are as fast at any shape. 128 MiB
// holds 8 such texts (bge-m3: 5) and 32 texts of 128 tokens, and leaves a wasm32 heap its room.
const DEFAULT_MEMORY_BUDGET = 128 << 20;

export class Embedder {
  #core; #tokenizer; #runner; #ort; #settings; #info; #padId; #idLimit; #m3; #cost; #disposed = false;

  /** @private use Embedder.load() */
  constructor(key, parts) {
    if (key !== CONSTRUCT) throw new InvalidArgumentError('use Embedder.load(source, options)');
    this.#core = parts.core;
    this.#tokenizer = parts.tokenizer;
    this.#runner = new SessionRunner(parts.session, parts.output);
    this.#ort = parts.session.ort;
    this.#settings = parts.settings;
    this.#info = parts.info;
    this.#padId = parts.padId;
    this.#idLimit = parts.idLimit ?? null;
    this.#m3 = parts.m3; // BGE-M3 sparse / ColBERT heads (js/bge-m3/outputs.js), loaded on first use
    this.#cost = costModel(parts.config, parts.info.device); // what one run costs, for the batch planner
  }

  /**
   * Loads a model. source: Hub id ("org/name"), base URL, local folder (Node), or a map of file
   * name -> bytes. See index.d.ts (EmbedderOptions) for the options.
   */
  static async load(source, options = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('Embedder.load: options must be an object');
    if (options.workers !== undefined) {
      // Several workers, each with its own copy of the model (js/worker/pool.js).
      if (!poolLoader) throw new UnsupportedError("Embedder.load: { workers } needs the EmbedderPool from 'wasmbed' (it cannot be used inside the wasmbed worker)");
      return poolLoader(source, options);
    }
    if (options.worker) {
      // Off the main thread: the same API, computed in a Web Worker (js/worker/worker.js).
      if (!workerLoader) throw new UnsupportedError("Embedder.load: { worker } needs the WorkerEmbedder from 'wasmbed' (it cannot be used inside the wasmbed worker)");
      return workerLoader(source, options);
    }
    return new Embedder(CONSTRUCT, await loadModel(source, options));
  }

  /** What was loaded and how it will be used (device picked, pooling, limits, prompts ...). */
  get info() { return { ...this.#info, prompts: { ...this.#info.prompts } }; }

  /** The ONNX Runtime module in use (advanced use). */
  get ort() { return this.#ort; }

  /** The tokenizer (advanced use; owned by the Embedder). */
  get tokenizer() { return this.#tokenizer; }

  /**
   * The text put before every input: `promptText` as given, else the model's prompt named by
   * `prompt` (an unknown name is an error, not text), else the model's default prompt.
   */
  #prefix({ prompt, promptText }) {
    const { prompts, defaultPrompt } = this.#settings;
    if (promptText !== undefined) {
      if (typeof promptText !== 'string') throw new InvalidArgumentError(`promptText must be a string, got ${describeValue(promptText)}`);
      if (prompt !== undefined && prompt !== null) throw new InvalidArgumentError('pass either prompt (a prompt name) or promptText (literal text), not both');
      return promptText;
    }
    if (prompt === undefined) return defaultPrompt && prompts[defaultPrompt] ? prompts[defaultPrompt] : '';
    if (prompt === null || prompt === '') return '';
    if (typeof prompt !== 'string') throw new InvalidArgumentError(`prompt must be a prompt name, got ${describeValue(prompt)}`);
    if (Object.prototype.hasOwnProperty.call(prompts, prompt)) return prompts[prompt];
    const names = Object.keys(prompts);
    throw new InvalidArgumentError(`prompt ${JSON.stringify(prompt)} is not one of this model's prompts (${names.length ? names.map((n) => JSON.stringify(n)).join(', ') : 'it has none'}); pass literal text as promptText`);
  }

  /**
   * Embeds texts as one flat Float32Array: { data, dims, count }, row i = texts[i].
   * options: prompt, promptText, batchSize, tokenBudget, memoryBudget, maxLength, dimensions,
   * truncate ('end' | 'error'), onProgress({ done, total }), signal.
   */
  embedFlat(texts, options = {}) {
    return this.#embed(texts, options, []);
  }

  /** The pipeline: tokenize -> plan -> per batch: forward -> pool -> stages. */
  async #embed(texts, options, stages) {
    if (this.#disposed) throw new DisposedError('Embedder.embed: this Embedder has been disposed');
    if (typeof texts === 'string') texts = [texts];
    if (!Array.isArray(texts)) throw new InvalidArgumentError(`embed: texts must be an array of strings, got ${describeValue(texts)}`);
    for (let i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== 'string') throw new InvalidArgumentError(`embed: texts[${i}] must be a string, got ${describeValue(texts[i])}`);
    }
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('embed: options must be an object');
    const { batchSize = 32, tokenBudget = Infinity, memoryBudget = DEFAULT_MEMORY_BUDGET, truncate = 'end', signal, onProgress } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
    if (tokenBudget !== Infinity && (!Number.isInteger(tokenBudget) || tokenBudget < 1)) throw new InvalidArgumentError(`tokenBudget must be a positive integer, got ${tokenBudget}`);
    if (typeof memoryBudget !== 'number' || !(memoryBudget > 0)) throw new InvalidArgumentError(`memoryBudget must be a positive number of bytes, got ${memoryBudget}`);
    if (truncate !== 'end' && truncate !== 'error') throw new InvalidArgumentError(`truncate must be 'end' or 'error', got ${JSON.stringify(truncate)}`);
    const limit = this.#info.maxLength;
    const maxLength = options.maxLength ?? limit;
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new InvalidArgumentError(`maxLength must be an integer >= 2, got ${maxLength}`);
    if (maxLength > limit) throw new InvalidArgumentError(`maxLength ${maxLength} exceeds the model's limit of ${limit} tokens`);
    const hidden = this.#info.hiddenSize;
    const dims = options.dimensions;
    if (dims !== undefined && (!Number.isInteger(dims) || dims < 1 || (hidden && dims > hidden))) {
      throw new InvalidArgumentError(`dimensions must be an integer in 1..${hidden ?? 'hidden size'}, got ${dims}`);
    }
    const prefix = this.#prefix(options);
    checkAbort(signal);
    if (texts.length === 0) return { data: new Float32Array(0), dims: dims ?? hidden ?? 0, count: 0 };

    // 1. Tokenize everything in one call into the core, truncating at the limit unless asked to refuse.
    const tokens = new TokenBatches(this.#core, this.#tokenizer, prefix ? texts.map((t) => prefix + t) : texts, { maxLength, truncate });
    const pool = new PoolStage(this.#core, { count: texts.length, pooling: this.#settings.pooling, normalize: this.#settings.normalize, dimensions: dims });
    try {
      // 2. Sort by length and cut into the runs the cost model finds cheapest, each padded to its own longest.
      const plan = planBatches(tokens.lengths, { batchSize, tokenBudget, memoryBudget, model: this.#cost });
      // 3. Per batch: forward -> pool -> the caller's stages (BGE-M3 heads).
      const keep = stages.flatMap((s) => s.keep ?? []);
      let done = 0;
      for await (const out of forward({ runner: this.#runner, tokens, plan, padId: this.#padId, idLimit: this.#idLimit, keep, signal })) {
        pool.consume(out);
        for (const stage of stages) stage.consume(out);
        done += out.batch.n;
        if (onProgress) onProgress({ done, total: texts.length });
      }
      return { data: pool.data, dims: pool.dims, count: texts.length };
    } finally {
      pool.dispose();
      tokens.dispose();
    }
  }

  /** Embeds texts: one Float32Array per text, in input order (see embedFlat for options). */
  async embed(texts, options = {}) {
    // { outputs: ['dense', 'sparse', 'colbert'] }: per text { dense, sparse, colbert } (BGE-M3).
    if (options?.outputs !== undefined) {
      const outputs = await prepareOutputs(this.#m3, texts, options);
      return outputs.finish(await this.#embed(texts, outputs.options, outputs.stages));
    }
    const { data, dims, count } = await this.embedFlat(texts, options);
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = data.subarray(i * dims, (i + 1) * dims);
    return out;
  }

  /** Releases the ONNX Runtime session and the tokenizer. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#runner.dispose();
    this.#m3?.dispose();
    this.#tokenizer.dispose();
  }
}
