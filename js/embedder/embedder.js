// Embedder: text in, sentence-transformers vectors out, over ONNX Runtime (Node native, WASM,
// WebGPU) with tokenization and post-processing in the C++ core.
import { loadCore } from '../internal/core.js';
import { AbortError, DisposedError, InvalidArgumentError, ModelLoadError, ParseError, UnsupportedError } from '../errors.js';
import { openModelSource } from '../loader/index.js';
import { DTYPE_FILES, createSession, pickDevice } from './backend.js';
import { buildTokenizer, readTokenizerFile } from './tokenizer-files.js';
import { packBatch, planBatches } from './batching.js';
import { manifestFor, positionLimit, readModelSettings, resolveSettings } from './config.js';
import { halfArrayToFloat32 } from '../internal/float16.js';
import { poolInto } from './pool.js';
import { guardWebGpu, probeFeeds } from './webgpu-guard.js';
import { BATCH_HOOK, KEEP_OUTPUTS, M3State, embedWithOutputs } from '../bge-m3/outputs.js';

// Load-time WebGPU check: mixed scripts, so embeddings of several kinds of tokens are compared.
const WEBGPU_PROBE = 'wasmbed WebGPU probe: 서울은 대한민국의 수도이다. Москва — столица России.';

const CONSTRUCT = Symbol('Embedder.construct');

// WorkerEmbedder.load, registered by js/worker/client.js when the main entry loads it. Not an
// import: the worker bundle contains this file, and a path from it back to the client (which
// starts the worker) would make bundlers build the worker inside itself (a chunk cycle).
let workerLoader = null;
/** @param {(source: unknown, options: object) => Promise<unknown>} load */
export function setWorkerLoader(load) {
  workerLoader = load;
}
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

function describe(x) {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

function checkAbort(signal) {
  if (signal?.aborted) throw new AbortError('the operation was aborted', { cause: signal.reason });
}

/** Finds the ONNX file for a dtype: onnx/<name> as on the Hub, else <name> at the root. */
async function findModelFile(src, dtype, explicit) {
  if (explicit) return explicit;
  const name = DTYPE_FILES[dtype];
  if (!name) throw new InvalidArgumentError(`dtype must be one of ${Object.keys(DTYPE_FILES).join(', ')}, got ${JSON.stringify(dtype)}`);
  for (const candidate of [`onnx/${name}`, name]) {
    if (await src.exists(candidate)) return candidate;
  }
  throw new ModelLoadError(`the model has no ${dtype} ONNX file (looked for onnx/${name} and ${name})`, { file: `onnx/${name}` });
}

/**
 * Opens the model's session on `device`; WebGPU session creation can fail for a model (a kernel
 * the build lacks, no adapter): then it runs on WASM and says so, unless strictDevice is set.
 * Returns { session, device, deviceFallback }.
 */
async function openOnDevice(src, modelFile, device, options) {
  try {
    return { session: await openSessionOnce(src, modelFile, device, options), device, deviceFallback: null };
  } catch (err) {
    if (device !== 'webgpu' || options.strictDevice || !(err instanceof ModelLoadError) || isUnparsable(err)) throw err;
    const deviceFallback = { from: 'webgpu', to: 'wasm', error: err.cause?.message ?? err.message };
    console.warn(`wasmbed: WebGPU cannot run ${modelFile} (${deviceFallback.error}); using WASM instead (strictDevice: true makes this an error)`);
    // A WASM build's provider: the native-WebGPU build's lacks CPU kernels such as
    // GatherBlockQuantized (q8 / q4 embedding tables).
    return { session: await openSessionOnce(src, modelFile, 'wasm', options), device: 'wasm', deviceFallback };
  }
}

export class Embedder {
  #core; #tokenizer; #session; #settings; #info; #padId; #m3; #queue = Promise.resolve(); #disposed = false;

  /** @private use Embedder.load() */
  constructor(key, parts) {
    if (key !== CONSTRUCT) throw new InvalidArgumentError('use Embedder.load(source, options)');
    this.#core = parts.core;
    this.#tokenizer = parts.tokenizer;
    this.#session = parts.session;
    this.#settings = parts.settings;
    this.#info = parts.info;
    this.#padId = parts.padId;
    this.#m3 = parts.m3; // BGE-M3 sparse / ColBERT heads (js/bge-m3/outputs.js), loaded on first use
  }

  /**
   * Loads a model. source: Hub id ("org/name"), base URL, local folder (Node), or a map of file
   * name -> bytes. See index.d.ts (EmbedderOptions) for the options.
   */
  static async load(source, options = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('Embedder.load: options must be an object');
    if (options.worker) {
      // Off the main thread: the same API, computed in a Web Worker (js/worker/worker.js).
      if (!workerLoader) throw new UnsupportedError("Embedder.load: { worker } needs the WorkerEmbedder from 'wasmbed' (it cannot be used inside the wasmbed worker)");
      return workerLoader(source, options);
    }
    const { device = 'auto', dtype = 'fp32', signal } = options;
    checkAbort(signal);
    const picked = await pickDevice(device);
    const src = await openModelSource(source, pickSourceOptions(options));
    // The small files first (a missing or broken config or tokenizer fails before the model is
    // downloaded), then ONNX Runtime's session creation — most of the load time — overlapping
    // the wasm core and tokenizer set-up.
    const corePromise = loadCore();
    corePromise.catch(() => {}); // awaited below
    const [config, files, tokenizerFile, modelFile] = await Promise.all([
      src.exists('config.json').then((e) => (e ? src.json('config.json') : {})),
      readModelSettings(src),
      readTokenizerFile(src),
      findModelFile(src, dtype, options.modelFile),
    ]);
    checkAbort(signal);
    const opening = openOnDevice(src, modelFile, picked.device, options);
    opening.catch(() => {}); // awaited below, after the tokenizer: not an unhandled rejection meanwhile
    let tokenizer, core;
    try {
      [core, tokenizer] = await Promise.all([corePromise, buildTokenizer(tokenizerFile)]);
    } catch (err) {
      opening.then(({ session }) => session.release?.(), () => {});
      throw err;
    }
    let session;
    try {
      let device, deviceFallback;
      ({ session, device, deviceFallback } = await opening);
      const sourceId = typeof source === 'string' && HUB_ID.test(source) ? source : config._name_or_path;
      const manifest = await manifestFor(sourceId, options.manifest);
      const settings = resolveSettings({ options, files, manifest, limit: positionLimit(config) });
      let webgpuGuard = null;
      if (device === 'webgpu' && options.webgpuGuard !== false) {
        // Quantized graphs have given silently wrong vectors on WebGPU: compare one probe with
        // WASM and fall back to WASM below the threshold (issue: peers.md items 2 and 3).
        const guardOptions = typeof options.webgpuGuard === 'object' ? options.webgpuGuard : {};
        const probe = Array.from(tokenizer.encode(WEBGPU_PROBE, { maxLength: 64 }).ids);
        const feeds = probeFeeds(session.ort.Tensor, [probe], { tokenTypes: session.inputNames.includes('token_type_ids') });
        const guarded = await guardWebGpu({
          session, feeds, threshold: guardOptions.threshold, fallback: guardOptions.fallback ?? true,
          output: session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0],
          openWasm: () => openSession(src, modelFile, 'wasm', options),
        });
        session = guarded.session;
        device = guarded.device;
        webgpuGuard = guarded.guard;
      }
      const inputs = session.inputNames;
      for (const need of ['input_ids', 'attention_mask']) {
        if (!inputs.includes(need)) throw new ModelLoadError(`${modelFile} has no '${need}' input (inputs: ${inputs.join(', ')})`, { file: modelFile });
      }
      const output = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0];
      const padId = tokenizer.padId >= 0 ? tokenizer.padId : (config.pad_token_id ?? 0);
      const info = {
        device,
        deviceReason: webgpuGuard?.fellBack ? 'WebGPU output failed the load-time check against WASM'
          : deviceFallback ? `WebGPU session creation failed: ${deviceFallback.error}` : picked.reason,
        backend: device === 'cpu' ? 'onnxruntime-node' : 'onnxruntime-web',
        // onnxruntime-web build: 'wasm' (WASM only), 'default' (WASM + JSEP), 'webgpu' (native WebGPU).
        ortBuild: session.build,
        // Intra-op threads; null on onnxruntime-node's default (one per physical core).
        threads: session.threads,
        deviceFallback,
        webgpuGuard,
        dtype,
        modelFile,
        output,
        architecture: config.model_type ?? null,
        hiddenSize: config.hidden_size ?? null,
        pooling: settings.pooling,
        normalize: settings.normalize,
        maxLength: settings.maxLength,
        prompts: settings.prompts,
        defaultPrompt: settings.defaultPrompt,
        settingsFrom: settings.sources,
        manifest: manifest?.id ?? null,
      };
      const m3 = new M3State({ src, outputNames: session.outputNames, tokenizer, hiddenSize: config.hidden_size, option: options.heads });
      return new Embedder(CONSTRUCT, { core, tokenizer, session: { ...session, output }, settings, info, padId, m3 });
    } catch (err) {
      await session?.release?.();
      tokenizer.dispose();
      throw err;
    }
  }

  /** What was loaded and how it will be used (device picked, pooling, limits, prompts ...). */
  get info() { return { ...this.#info, prompts: { ...this.#info.prompts } }; }

  /** The ONNX Runtime module in use (advanced use). */
  get ort() { return this.#session.ort; }

  /** The tokenizer (advanced use; owned by the Embedder). */
  get tokenizer() { return this.#tokenizer; }

  #prefix(prompt) {
    const { prompts, defaultPrompt } = this.#settings;
    if (prompt === undefined) return defaultPrompt && prompts[defaultPrompt] ? prompts[defaultPrompt] : '';
    if (prompt === null || prompt === '') return '';
    if (typeof prompt !== 'string') throw new InvalidArgumentError(`prompt must be a prompt name or text, got ${describe(prompt)}`);
    return Object.prototype.hasOwnProperty.call(prompts, prompt) ? prompts[prompt] : prompt;
  }

  /**
   * Embeds texts as one flat Float32Array: { data, dims, count }, row i = texts[i].
   * options: prompt, batchSize, tokenBudget, maxLength, dimensions, truncate ('end' | 'error'),
   * onProgress({ done, total }), signal.
   */
  async embedFlat(texts, options = {}) {
    if (this.#disposed) throw new DisposedError('Embedder.embed: used after dispose()');
    if (typeof texts === 'string') texts = [texts];
    if (!Array.isArray(texts)) throw new InvalidArgumentError(`embed: texts must be an array of strings, got ${describe(texts)}`);
    for (let i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== 'string') throw new InvalidArgumentError(`embed: texts[${i}] must be a string, got ${describe(texts[i])}`);
    }
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('embed: options must be an object');
    const { batchSize = 32, tokenBudget = 16384, truncate = 'end', signal, onProgress } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(tokenBudget) || tokenBudget < 1) throw new InvalidArgumentError(`tokenBudget must be a positive integer, got ${tokenBudget}`);
    if (truncate !== 'end' && truncate !== 'error') throw new InvalidArgumentError(`truncate must be 'end' or 'error', got ${JSON.stringify(truncate)}`);
    const limit = this.#info.maxLength;
    const maxLength = options.maxLength ?? limit;
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new InvalidArgumentError(`maxLength must be an integer >= 2, got ${maxLength}`);
    if (maxLength > limit) throw new InvalidArgumentError(`maxLength ${maxLength} exceeds the model's limit of ${limit} tokens`);
    const hidden = this.#info.hiddenSize;
    let dims = options.dimensions;
    if (dims !== undefined && (!Number.isInteger(dims) || dims < 1 || (hidden && dims > hidden))) {
      throw new InvalidArgumentError(`dimensions must be an integer in 1..${hidden ?? 'hidden size'}, got ${dims}`);
    }
    checkAbort(signal);
    if (texts.length === 0) return { data: new Float32Array(0), dims: dims ?? hidden ?? 0, count: 0 };

    // 1. Tokenize everything (C++), truncating at the limit unless asked to refuse.
    const prefix = this.#prefix(options.prompt);
    const encodings = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const text = prefix + texts[i];
      if (truncate === 'error') {
        const e = this.#tokenizer.encode(text);
        if (e.ids.length > maxLength) {
          throw new InvalidArgumentError(`embed: texts[${i}] has ${e.ids.length} tokens, over the limit of ${maxLength} (truncate: 'error')`);
        }
        encodings[i] = e;
      } else {
        encodings[i] = this.#tokenizer.encode(text, { maxLength });
      }
    }
    // 2. Sort by length, cut into batches by token budget, pad each batch to its own longest.
    const lengths = encodings.map((e) => e.ids.length);
    const batches = planBatches(lengths, { batchSize, tokenBudget });
    let data = null;
    let done = 0;
    for (const batch of batches) {
      checkAbort(signal);
      const { indices, seqLen } = batch;
      const n = indices.length;
      const packed = packBatch(encodings, indices, seqLen, this.#padId);
      const hiddenState = await this.#run(packed, n, seqLen, options[KEEP_OUTPUTS]);
      // Exports whose output is already one vector per text (BGE-M3's dense_vecs) are pooled as
      // one-token sequences, so truncation / normalization still apply.
      const pooled = hiddenState.dims.length === 2;
      const dim = hiddenState.dims[pooled ? 1 : 2];
      const outDim = dims ?? dim;
      if (outDim > dim) throw new InvalidArgumentError(`dimensions ${outDim} exceeds the model's ${dim}`);
      if (!data) { dims = outDim; data = new Float32Array(texts.length * outDim); }
      let values = hiddenState.data;
      if (values instanceof Uint16Array) values = halfArrayToFloat32(values);
      else if (!(values instanceof Float32Array)) values = Float32Array.from(values);
      poolInto(this.#core, {
        hidden: values, mask: pooled ? new Int32Array(n).fill(1) : packed.mask32, n, seqLen: pooled ? 1 : seqLen, dim,
        pooling: pooled ? 'cls' : this.#settings.pooling, outDim, normalize: this.#settings.normalize, out: data, rowIndex: indices,
      });
      // BGE-M3 heads (embed with `outputs`): the same hidden states and padded batch.
      options[BATCH_HOOK]?.({ hidden: pooled ? null : values, dims: [n, seqLen, dim], extra: hiddenState.extra, packed, indices });
      done += n;
      if (onProgress) onProgress({ done, total: texts.length });
    }
    return { data, dims, count: texts.length };
  }

  /** Embeds texts: one Float32Array per text, in input order (see embedFlat for options). */
  async embed(texts, options = {}) {
    // { outputs: ['dense', 'sparse', 'colbert'] }: per text { dense, sparse, colbert } (BGE-M3).
    if (options?.outputs !== undefined) return embedWithOutputs(this.#m3, texts, options, (o) => this.embedFlat(texts, o));
    const { data, dims, count } = await this.embedFlat(texts, options);
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = data.subarray(i * dims, (i + 1) * dims);
    return out;
  }

  // Session runs are serialized per model: ONNX Runtime Web rejects overlapping run() calls on
  // one session, and onnxruntime-node already spreads one run over all cores.
  #run(packed, n, seqLen, keep = []) {
    const s = this.#session;
    const task = this.#queue.then(async () => {
      if (this.#disposed) throw new DisposedError('Embedder.embed: used after dispose()');
      const { Tensor } = s.ort;
      const feeds = {
        input_ids: new Tensor('int64', packed.ids, [n, seqLen]),
        attention_mask: new Tensor('int64', packed.mask64, [n, seqLen]),
      };
      if (s.inputNames.includes('token_type_ids')) feeds.token_type_ids = new Tensor('int64', packed.types, [n, seqLen]);
      const outputs = await s.run(feeds);
      const t = outputs[s.output];
      const pooledOutput = t?.dims.length === 2 && s.output === 'dense_vecs'; // BGE-M3 exports without last_hidden_state
      if (!t || (t.dims.length !== 3 && !pooledOutput)) throw new UnsupportedError(`model output '${s.output}' is not [batch, sequence, hidden]`);
      const extra = {}; // graph outputs asked for besides the hidden state (BGE-M3 heads)
      for (const name of keep) {
        const o = outputs[name];
        if (!o) throw new UnsupportedError(`model has no output '${name}'`);
        extra[name] = { data: o.data instanceof Uint16Array ? halfArrayToFloat32(o.data) : o.data, dims: o.dims };
      }
      for (const [name, other] of Object.entries(outputs)) if (name !== s.output && !keep.includes(name)) other.dispose?.();
      const result = { data: t.data, dims: t.dims, extra };
      return result;
    });
    this.#queue = task.catch(() => {});
    return task;
  }

  /** Releases the ONNX Runtime session and the tokenizer. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    await this.#session.release?.();
    this.#m3?.dispose();
    this.#tokenizer.dispose();
  }
}

const SOURCE_OPTIONS = [
  'revision', 'hubHost', 'cache', 'cacheDir', 'localFilesOnly', 'fetch', 'stallTimeoutMs', 'retries',
  'retryDelayMs', 'accessToken', 'headers', 'onRetry',
];
/** The Embedder.load options that belong to the loader (index.d.ts ModelSourceOptions). */
function pickSourceOptions(options) {
  const out = { onProgress: options.onProgress, signal: options.signal };
  for (const k of SOURCE_OPTIONS) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

// ORT's (and our walker's) verdict that the .onnx bytes are not a protobuf ModelProto at all, as
// opposed to a valid file ORT cannot run (unsupported op, bad graph), which re-downloading won't fix.
function isUnparsable(err) {
  if (!(err instanceof ModelLoadError)) return false;
  if (err.cause instanceof ParseError) return true;
  return /protobuf parsing failed/i.test(String(err.cause?.message ?? err.message));
}

/**
 * openSession, but a cached .onnx that does not parse (bit rot, a truncated file written by an
 * older version, disk trouble) is evicted from the cache and downloaded again, once.
 */
async function openSessionOnce(src, modelFile, device, options) {
  try {
    return await openSession(src, modelFile, device, options);
  } catch (err) {
    if (!isUnparsable(err) || src.describeFiles?.()[modelFile]?.from !== 'cache') throw err;
    console.warn(`wasmbed: the cached ${modelFile} is corrupt (${err.message}); downloading it again`);
    await src.evict(modelFile);
    try {
      return await openSession(src, modelFile, device, options);
    } catch (retryErr) {
      if (retryErr instanceof AbortError) throw retryErr;
      throw new ModelLoadError(`${modelFile}: the cached copy was corrupt and was removed; loading it again failed: ${retryErr.message}`, { file: modelFile, cause: retryErr });
    }
  }
}

/**
 * Opens the ONNX Runtime session. Node 'cpu': ORT reads the file itself from disk (local folder
 * or the download cache), so the weights never pass through JS. Otherwise the bytes (and any
 * external data) are handed to ORT-web and dropped when this function returns.
 */
async function openSession(src, modelFile, device, options) {
  if (device === 'cpu') {
    const external = await src.externalDataFiles(modelFile);
    const path = await src.localPath(modelFile);
    for (const e of external) await src.localPath(e.file); // fetched next to the model in the cache
    if (path) return createSession(device, { name: modelFile, path }, options);
  }
  // Only `model` references the weights: createSession drops them when done. Listing external
  // data walks the bytes already in hand (a second read would be a second download in an
  // uncached browser load).
  const model = { name: modelFile, bytes: await src.bytes(modelFile), externalData: [] };
  for (const e of await src.externalDataFiles(modelFile, model.bytes)) {
    model.externalData.push({ path: e.location, data: await src.bytes(e.file) });
  }
  return createSession(device, model, options);
}
