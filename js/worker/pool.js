// EmbedderPool: the WorkerEmbedder API over several workers, each with its own Embedder (its own
// ONNX Runtime session, by default one intra-op thread each, so workers x threads = the cores).
//
// Why: ORT-web's WASM intra-op threads parallelise the small ops of an encoder run poorly, and
// batching gains little there (its kernels run about as fast at any shape), while whole runs in
// parallel scale with the cores: on the 2-core development machine two one-thread workers beat
// one two-thread session (README "Embedding throughput"). In browsers a one-thread session also
// needs no cross-origin isolation, so a page that is not isolated (most are) uses every core.
// The cost: each worker holds its own copy of the model (info.workers says how many).
//
// One embed call is cut into chunks of similar-length texts, longest first (split.js), which idle
// workers take from one queue shared by every call; each worker's planner batches inside its
// chunk; the rows are put back in input order.
import { DisposedError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../internal/describe.js';
import { availableCores } from '../internal/env.js';
import { setPoolLoader } from '../embedder/embedder.js';
import { WorkerEmbedder, abortError } from './client.js';
import { splitWork } from './split.js';

const CONSTRUCT = Symbol('EmbedderPool.construct');

/** The pool size and the threads of each worker's session: { workers, threads }. */
export function poolShape({ workers, threads }, cores) {
  const n = workers === 'auto' || workers === undefined ? cores : workers;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`workers must be a positive integer or 'auto', got ${typeof workers === 'string' ? JSON.stringify(workers) : typeof workers === 'number' ? workers : describeValue(workers)}`);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}`);
  return { workers: n, threads: threads ?? Math.max(1, Math.floor(cores / n)) };
}

export class EmbedderPool {
  #workers;
  #idle;
  #queue = []; // { job, chunk } in the order workers take them
  #jobs = new Set();
  #disposed = false;

  /**
   * Starts `workers` workers (default 'auto': one per core) and loads the model in each, with
   * `threads` intra-op threads per worker (default: the cores divided between the workers, at
   * least 1). The first worker loads alone (it downloads and caches the files; its onProgress is
   * reported), then the others together, from the cache. Other options as WorkerEmbedder.load.
   */
  static async load(source, options = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('EmbedderPool.load: options must be an object');
    const { workers, threads, worker = true, onProgress, signal, ...rest } = options;
    if (worker && typeof worker === 'object' && !(worker instanceof URL)) {
      throw new InvalidArgumentError('EmbedderPool.load: the pool starts its own workers; pass worker: true or the URL of the worker script, not a Worker');
    }
    const shape = poolShape({ workers, threads }, await availableCores());
    const each = { ...rest, worker: worker === false ? true : worker, threads: shape.threads };
    const started = [await WorkerEmbedder.load(source, { ...each, onProgress, signal })];
    try {
      const others = await Promise.allSettled(Array.from({ length: shape.workers - 1 }, () => WorkerEmbedder.load(source, { ...each, signal })));
      for (const r of others) if (r.status === 'fulfilled') started.push(r.value);
      const failed = others.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (err) {
      await Promise.allSettled(started.map((w) => w.dispose()));
      throw err;
    }
    return new EmbedderPool(CONSTRUCT, started);
  }

  /** @private use EmbedderPool.load */
  constructor(key, workers) {
    if (key !== CONSTRUCT) throw new InvalidArgumentError('use EmbedderPool.load(source, options)');
    this.#workers = workers;
    this.#idle = [...workers];
    const first = workers[0];
    /** The first worker's Embedder#info, plus `workers`: how many copies of the model are loaded. */
    this.info = { ...first.info, workers: workers.length };
    for (const [key2, value] of Object.entries(first)) {
      if (!(key2 in this)) this[key2] = value;
    }
  }

  /** Same as Embedder#embed, the texts shared between the workers; results in input order. */
  async embed(texts, options = {}) {
    if (options?.outputs !== undefined) return this.#run('embed', texts, options);
    const { data, dims, count } = await this.#run('embedFlat', texts, options);
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = data.subarray(i * dims, (i + 1) * dims);
    return out;
  }

  /** Same as Embedder#embedFlat: { data, dims, count }, row i = texts[i]. */
  embedFlat(texts, options = {}) {
    return this.#run('embedFlat', texts, options);
  }

  /** Calls another public method of the first worker's Embedder: model[method](...args, options). */
  call(method, args = [], options = {}) {
    if (this.#disposed) return Promise.reject(new DisposedError('EmbedderPool: this EmbedderPool has been disposed'));
    return this.#workers[0].call(method, args, options);
  }

  /** Stops every worker (their models are freed); calls still running reject with DisposedError. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    const err = new DisposedError('EmbedderPool: disposed while embedding');
    for (const job of [...this.#jobs]) this.#finish(job, err);
    this.#queue = [];
    await Promise.allSettled(this.#workers.map((w) => w.dispose()));
  }

  #run(method, texts, options) {
    if (this.#disposed) return Promise.reject(new DisposedError('EmbedderPool.embed: this EmbedderPool has been disposed'));
    if (typeof texts === 'string') texts = [texts];
    // Checked here, where input indices are known: a worker sees only its chunk.
    if (!Array.isArray(texts)) return Promise.reject(new InvalidArgumentError(`embed: texts must be an array of strings, got ${describeValue(texts)}`));
    for (let i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== 'string') return Promise.reject(new InvalidArgumentError(`embed: texts[${i}] must be a string, got ${describeValue(texts[i])}`));
    }
    if (options === null || typeof options !== 'object') return Promise.reject(new InvalidArgumentError('embed: options must be an object'));
    const { onProgress, signal, ...rest } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const batchSize = Number.isInteger(rest.batchSize) && rest.batchSize > 0 ? rest.batchSize : 32;
    const maxLength = Number.isInteger(rest.maxLength) ? rest.maxLength : this.info.maxLength;
    const chunks = texts.length < 2 || this.#workers.length === 1
      ? [Array.from(texts.keys())]
      : splitWork(texts, { workers: this.#workers.length, batchSize, maxLength });
    return new Promise((resolve, reject) => {
      const controller = new AbortController();
      const job = {
        method, texts, options: rest, chunks, controller, resolve, reject,
        left: chunks.length, settled: false, out: null, dims: 0,
        onProgress: typeof onProgress === 'function' ? onProgress : null,
        doneIn: new Array(chunks.length).fill(0), done: 0,
        cleanup: () => {},
      };
      if (signal) {
        const onAbort = () => this.#finish(job, abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        job.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#jobs.add(job);
      chunks.forEach((chunk, c) => this.#queue.push({ job, chunk, c }));
      this.#dispatch();
    });
  }

  #dispatch() {
    while (this.#idle.length && this.#queue.length) {
      const task = this.#queue.shift();
      if (task.job.settled) continue;
      this.#work(this.#idle.shift(), task);
    }
  }

  async #work(worker, { job, chunk, c }) {
    try {
      const opts = { ...job.options, signal: job.controller.signal };
      if (job.onProgress) opts.onProgress = (p) => this.#progress(job, c, Math.min(chunk.length, p?.done ?? 0));
      const value = await worker.call(job.method, [chunk.map((i) => job.texts[i])], opts);
      if (!job.settled) this.#place(job, chunk, c, value);
    } catch (err) {
      this.#finish(job, err);
    } finally {
      if (!this.#disposed) {
        this.#idle.push(worker);
        this.#dispatch();
      }
    }
  }

  #progress(job, c, done) {
    if (job.settled || done <= job.doneIn[c]) return;
    job.done += done - job.doneIn[c];
    job.doneIn[c] = done;
    job.onProgress({ done: job.done, total: job.texts.length });
  }

  #place(job, chunk, c, value) {
    if (job.method === 'embedFlat') {
      const { data, dims } = value;
      if (!job.out) {
        job.dims = dims;
        job.out = new Float32Array(job.texts.length * dims);
      }
      for (let j = 0; j < chunk.length; j++) job.out.set(data.subarray(j * dims, (j + 1) * dims), chunk[j] * dims);
    } else {
      job.out ??= new Array(job.texts.length);
      for (let j = 0; j < chunk.length; j++) job.out[chunk[j]] = value[j];
    }
    if (job.onProgress) this.#progress(job, c, chunk.length);
    if (--job.left === 0) {
      const result = job.method === 'embedFlat' ? { data: job.out ?? new Float32Array(0), dims: job.dims, count: job.texts.length } : job.out;
      this.#finish(job, null, result);
    }
  }

  // Settles a call once: its result, or its first error (the other chunks are then cancelled).
  #finish(job, err, result) {
    if (job.settled) return;
    job.settled = true;
    this.#jobs.delete(job);
    job.cleanup();
    if (err) {
      job.controller.abort();
      job.reject(err);
    } else {
      job.resolve(result);
    }
  }
}

setPoolLoader((source, options) => EmbedderPool.load(source, options));
