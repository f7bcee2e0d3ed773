// WorkerEmbedder: the Embedder API, running in a Web Worker (browsers) or a worker_threads
// Worker (Node), so the calling thread stays responsive. See js/worker.js for the protocol.
import { AbortError, DisposedError, InternalError, InvalidArgumentError, WasmLoadError } from '../errors.js';
import { deserializeError } from './protocol.js';
import { isNode } from '../internal/env.js';
import { coreWasmUrl } from '../internal/core.js';
import { ortWasmPaths } from '../embedder/backend.js';
import { setWorkerLoader } from '../embedder/embedder.js';

// Request ids are unique per realm, so two clients sharing one worker never take each other's answers.
let nextRequestId = 1;


/**
 * An Embedder that lives in a worker. Same methods as Embedder (embed, dispose); plain-data
 * properties of the loaded model (dims, device, backend, ...) are copied onto the instance.
 */
export class WorkerEmbedder {
  #rpc;
  #owned;

  /**
   * Loads a model inside a worker.
   * @param {string|URL|Record<string, ArrayBuffer|Uint8Array|Blob>|Map<string, ArrayBuffer|Uint8Array|Blob>} source
   *   as for Embedder.load (a local directory path works in Node only)
   * @param {object} [options] Embedder.load options, plus `worker`: true (default: start
   *   js/worker.js), a Worker you created from 'wasmbed/worker', or the URL of a worker script.
   *   `onProgress` and `signal` work as for Embedder.load; every other option must be
   *   structured-cloneable (no functions).
   * @returns {Promise<WorkerEmbedder>}
   */
  static async load(source, options = {}) {
    const { worker, onProgress, signal, ...rest } = options;
    if (rest.workers !== undefined) throw new InvalidArgumentError('WorkerEmbedder.load: one worker per WorkerEmbedder; for several use EmbedderPool.load or Embedder.load(source, { workers })');
    if (signal?.aborted) throw abortError(signal);
    const { port, owned } = await openPort(worker);
    const rpc = new Rpc(port);
    try {
      const message = { op: 'load', source: cloneableSource(source), options: rest, assets: workerAssets() };
      const info = await rpc.request(message, { onProgress, signal });
      return new WorkerEmbedder(rpc, info ?? {}, owned);
    } catch (err) {
      if (owned) rpc.terminate();
      throw err;
    }
  }

  /** @private use WorkerEmbedder.load */
  constructor(rpc, description, owned) {
    this.#rpc = rpc;
    this.#owned = owned;
    const { info = {}, ...rest } = description;
    /** The worker's Embedder#info: device, pooling, normalize, maxLength, prompts, hiddenSize ... */
    this.info = info;
    for (const [key, value] of Object.entries(rest)) {
      if (!(key in this)) this[key] = value;
    }
  }

  /**
   * Same as Embedder#embed, run in the worker; the vectors are transferred, not copied.
   * @param {string[]} texts
   * @param {object} [options] Embedder#embed options (prompt, batchSize, ...), `onProgress`, `signal`
   * @returns {Promise<Float32Array[]>}
   */
  embed(texts, options = {}) {
    return this.call('embed', [texts], options);
  }

  /** Same as Embedder#embedFlat, run in the worker: { data, dims, count } with data transferred. */
  embedFlat(texts, options = {}) {
    return this.call('embedFlat', [texts], options);
  }

  /**
   * Calls any other public method of the worker's Embedder: model[method](...args, options).
   * Arguments and the result must be structured-cloneable.
   */
  call(method, args = [], options = {}) {
    if (!this.#rpc) return Promise.reject(new DisposedError('WorkerEmbedder: this WorkerEmbedder has been disposed'));
    const { onProgress, signal, ...rest } = options ?? {};
    return this.#rpc.request({ op: 'call', method, args, options: rest, progress: typeof onProgress === 'function' }, { onProgress, signal });
  }

  /** Frees the model in the worker and stops the worker if this object started it. */
  async dispose() {
    const rpc = this.#rpc;
    if (!rpc) return;
    this.#rpc = null;
    try {
      await rpc.request({ op: 'dispose' }, {});
    } finally {
      if (this.#owned) rpc.terminate();
    }
  }
}

// Request/response bookkeeping over a port; rejects everything pending if the worker dies.
class Rpc {
  constructor(port) {
    this.port = port;
    this.pending = new Map();
    this.dead = null;
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    port.onMessage((msg) => this.#receive(msg));
    port.onFailure((err) => this.#fail(err));
    // A worker that is already running sent its start-up 'ready' long ago: ask again.
    port.post({ op: 'ping' });
  }

  #receive(msg) {
    if (msg?.kind === 'ready') return this.readyResolve();
    const entry = this.pending.get(msg?.id);
    if (!entry) return; // answer to an aborted request
    if (msg.kind === 'progress') {
      try {
        entry.onProgress?.(msg.data);
      } catch (err) {
        queueMicrotask(() => { throw err; }); // a throwing callback must not break the protocol
      }
      return;
    }
    this.#settle(msg.id);
    if (msg.kind === 'ok') entry.resolve(msg.value);
    else entry.reject(deserializeError(msg.error));
  }

  #fail(err) {
    this.dead = err;
    this.readyReject(err);
    for (const id of [...this.pending.keys()]) {
      const entry = this.pending.get(id);
      this.#settle(id);
      entry.reject(err);
    }
  }

  #settle(id) {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    entry?.cleanup?.();
  }

  async request(message, { onProgress, signal }) {
    if (this.dead) throw this.dead;
    if (signal?.aborted) throw abortError(signal);
    const id = nextRequestId++;
    const result = new Promise((resolve, reject) => {
      const entry = { resolve, reject, onProgress };
      if (signal) {
        const onAbort = () => {
          if (!this.pending.has(id)) return;
          this.#settle(id);
          reject(abortError(signal));
          try {
            this.port.post({ op: 'abort', target: id });
          } catch {
            // the worker is gone; nothing left to stop
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(id, entry);
    });
    await Promise.race([this.ready, result]);
    if (this.pending.has(id)) {
      try {
        this.port.post({ id, ...message });
      } catch (err) {
        this.#settle(id);
        throw new InvalidArgumentError(`cannot send this request to the worker: ${err.message} (options must be structured-cloneable: no functions or class instances)`, { cause: err });
      }
    }
    return result;
  }

  terminate() {
    this.#fail(new AbortError('the wasmbed worker was terminated'));
    this.port.terminate();
  }
}

/** The AbortError for an aborted signal, with its reason as the cause (also EmbedderPool's). */
export function abortError(signal) {
  const reason = signal.reason;
  return new AbortError(reason?.message ? `aborted: ${reason.message}` : 'the operation was aborted', reason ? { cause: reason } : undefined);
}

// The core's and ONNX Runtime's file URLs as this realm resolves them (the bundler's emitted
// assets), for the worker: a worker chunk's own import.meta.url may sit elsewhere, and a worker
// the app created itself may come from another build. Node workers read the files from disk.
function workerAssets() {
  if (isNode) return undefined;
  return { core: coreWasmUrl(), ort: ortWasmPaths() };
}

function cloneableSource(source) {
  if (source instanceof URL) return source.href;
  // A URL path relative to the page ('./model/'): resolved here, since relative to the worker's
  // own location (its chunk's URL) it names another folder.
  if (typeof source === 'string' && !isNode && /^\.{0,2}\//.test(source)) return new URL(source, globalThis.location?.href).href;
  if (typeof source === 'string' || source instanceof Map) return source;
  if (source && typeof source === 'object') return { ...source };
  throw new InvalidArgumentError('WorkerEmbedder.load: source must be a Hub id, URL, path or a map of file name -> bytes');
}

async function openPort(worker) {
  if (worker && typeof worker === 'object' && !(worker instanceof URL)) return { port: adapt(worker), owned: false };
  const custom = worker instanceof URL || typeof worker === 'string';
  if (isNode) {
    const { Worker } = (await import('#node-builtins')).workerThreads;
    const here = import.meta.url; // a variable: bundlers only rewrite new URL('literal', import.meta.url)
    return { port: adapt(new Worker(custom ? new URL(worker, here) : new URL('./worker.js', here))), owned: true };
  }
  if (typeof Worker === 'undefined') throw new WasmLoadError('Web Workers are not available in this environment');
  if (custom) return { port: adapt(new Worker(new URL(worker, globalThis.location?.href), { type: 'module', name: 'wasmbed-embedder' })), owned: true };
  // Exactly the pattern Vite and webpack build as a module worker (its own chunk); keep it literal.
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'wasmbed-embedder' });
  return { port: adapt(w), owned: true };
}

setWorkerLoader((source, options) => WorkerEmbedder.load(source, options));

// One interface over a Web Worker and a Node worker_threads Worker.
function adapt(w) {
  if (typeof w.on === 'function' && typeof w.addEventListener !== 'function') {
    return {
      post: (msg) => w.postMessage(msg),
      onMessage: (fn) => w.on('message', fn),
      onFailure: (fn) => {
        w.on('error', (err) => fn(new WasmLoadError(`the wasmbed worker failed: ${err?.message ?? err}`, { cause: err })));
        w.on('exit', (code) => fn(new InternalError(`the wasmbed worker exited (code ${code})`)));
      },
      terminate: () => w.terminate(),
    };
  }
  return {
    post: (msg) => w.postMessage(msg),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onFailure: (fn) => {
      w.addEventListener('error', (e) => {
        e.preventDefault?.();
        fn(new WasmLoadError(`the wasmbed worker failed: ${e.message || 'script error (check that the worker URL serves JavaScript)'}`));
      });
      w.addEventListener('messageerror', () => fn(new InternalError('a message from the wasmbed worker could not be deserialized')));
    },
    terminate: () => w.terminate(),
  };
}
