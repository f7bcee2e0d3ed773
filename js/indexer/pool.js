// The indexer's pool of embedding workers (embed-worker.js), one block at a time per worker.
// workers x threads = the machine's cores (os.availableParallelism()): by default one worker per
// core with one intra-op thread each. Measured on the shared 2-core machine (bench/indexer.bench.js,
// README "Indexing a corpus"): small per-passage ONNX runs scale worse across intra-op threads
// than whole runs across workers, which also overlap one worker's chunking with another's runs.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import * as errors from '../errors.js';

const WORKER_URL = new URL('./embed-worker.js', import.meta.url);

/** The default split of `cores` between workers and intra-op threads: { workers, threads }. */
export function defaultSplit(cores = os.availableParallelism?.() ?? os.cpus().length, workers) {
  const w = Math.max(1, Math.min(workers ?? cores, cores));
  return { workers: w, threads: Math.max(1, Math.floor(cores / w)) };
}

function typedError({ name, message }) {
  const Cls = Object.hasOwn(errors, name) && typeof errors[name] === 'function' ? errors[name] : errors.WasmbedError;
  const err = new Cls(message);
  return err;
}

export class EmbedPool {
  #workers = [];
  #idle = [];
  #queue = [];
  #pending = new Map(); // worker -> { resolve, reject }
  #failed = null;
  ready; // what the first worker reported: { info, dims, prefix, room }

  /**
   * Starts `workers` workers, each loading `source` with `threads` intra-op threads.
   * options: { load (Embedder.load options), prompt, promptText, dimensions, batchSize }.
   */
  static async start(source, { workers, threads, load = {}, ...embed }) {
    const pool = new EmbedPool();
    const readies = [];
    for (let i = 0; i < workers; i++) {
      const w = new Worker(WORKER_URL, { workerData: { source, load: { ...load, threads }, ...embed } });
      w.exited = new Promise((resolve) => w.once('exit', resolve));
      pool.#workers.push(w);
      readies.push(new Promise((resolve, reject) => {
        const first = (msg) => {
          w.off('message', first);
          if (msg.type === 'ready') resolve(msg);
          else reject(typedError(msg.error));
        };
        w.on('message', first);
        w.once('error', reject);
      }));
    }
    try {
      const all = await Promise.all(readies);
      pool.ready = all[0];
    } catch (err) {
      await pool.close();
      throw err;
    }
    for (const w of pool.#workers) {
      w.on('message', (msg) => pool.#settle(w, msg));
      w.on('error', (err) => pool.#fail(err));
      w.on('exit', (code) => { if (code !== 0) pool.#fail(new errors.InternalError(`an embedding worker exited with code ${code}`)); });
      pool.#idle.push(w);
    }
    return pool;
  }

  /** Embeds one block: { records, vectors }. */
  run(block, docs, chunk) {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#queue.push({ msg: { type: 'block', block, docs, chunk }, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch() {
    while (this.#idle.length && this.#queue.length) {
      const w = this.#idle.shift();
      const task = this.#queue.shift();
      this.#pending.set(w, task);
      w.postMessage(task.msg);
    }
  }

  #settle(w, msg) {
    const task = this.#pending.get(w);
    if (!task) return;
    this.#pending.delete(w);
    this.#idle.push(w);
    if (msg.type === 'done') task.resolve({ records: msg.records, vectors: msg.vectors });
    else task.reject(typedError(msg.error));
    this.#dispatch();
  }

  #fail(err) {
    if (this.#failed) return;
    this.#failed = err;
    for (const task of [...this.#pending.values(), ...this.#queue]) task.reject(err);
    this.#pending.clear();
    this.#queue = [];
  }

  async close() {
    this.#failed ??= new errors.InternalError('the embedding pool is closed');
    // A worker that does not finish its close (stuck in a run) is terminated after 5 s.
    await Promise.all(this.#workers.map((w) => {
      w.postMessage({ type: 'close' });
      const timer = setTimeout(() => w.terminate(), 5000);
      return w.exited.finally(() => clearTimeout(timer));
    }));
  }
}
