// wasmbed's Web Worker entry: runs an Embedder off the main thread, so tokenization, the ONNX
// session and pooling never block the page. The main thread talks to it through WorkerEmbedder
// (js/worker-client.js), which has the same API as Embedder:
//
//   import { WorkerEmbedder } from 'wasmbed';
//   const model = await WorkerEmbedder.load('Xenova/all-MiniLM-L6-v2', { onProgress, signal });
//   const [vec] = await model.embed(['hello'], { prompt: 'query' });
//
// or, to own the Worker (bundlers recognise this pattern and emit the worker chunk):
//
//   const worker = new Worker(new URL('wasmbed/worker', import.meta.url), { type: 'module' });
//   const model = await WorkerEmbedder.load(source, { worker });
//
// It also runs as a Node worker_threads worker (same protocol), which is how the protocol is tested.
//
// Protocol (structured clone; one request id per call):
//   main -> worker  { op: 'ping' }                            answered by { kind: 'ready' } (also sent at start)
//                   { id, op: 'load', source, options, assets }
//                                                             options without functions/signals;
//                                                             assets: { core, ort } file URLs the
//                                                             main thread resolved (browsers)
//                   { id, op: 'call', method, args, options, progress }
//                                                             model[method](...args, { ...options, signal, onProgress })
//                   { id, op: 'abort', target }               abort request `target` (AbortSignal on main)
//                   { id, op: 'dispose' }
//   worker -> main  { id, kind: 'progress', data }            from options.onProgress
//                   { id, kind: 'ok', value }                 Float32Array buffers are transferred
//                   { id, kind: 'error', error: { name, message, file, url, status, code } }
import { Embedder } from '../embedder/embedder.js';
import { setOrtWasmPaths } from '../embedder/backend.js';
import { configureCore } from '../internal/core.js';
import { InvalidArgumentError } from '../errors.js';
import { describe, plain, serializeError, transferables } from './protocol.js';

/** @type {Embedder|null} */
let model = null;
let coreLoaded = false;
const controllers = new Map(); // request id -> AbortController

// No top-level await: bundlers that build workers as classic scripts (Vite's default 'iife'
// worker format) reject it. A Web Worker listens synchronously, before any await, so no early
// message is missed; Node's parentPort queues messages until a listener is attached.
const web = webPort();
if (web) serve(web);
else nodePort().then(serve);

function serve(port) {
  port.onMessage((msg) => receive(port, msg));
  port.post({ kind: 'ready' });
}

async function receive(port, msg) {
  if (!msg || typeof msg !== 'object' || typeof msg.op !== 'string') return;
  if (msg.op === 'ping') {
    port.post({ kind: 'ready' }); // a client attaching to a worker that is already running
    return;
  }
  if (msg.op === 'abort') {
    controllers.get(msg.target)?.abort();
    return;
  }
  const controller = new AbortController();
  controllers.set(msg.id, controller);
  try {
    const value = await handle(port, msg, controller.signal);
    try {
      port.post({ id: msg.id, kind: 'ok', value }, transferables(value));
    } catch {
      port.post({ id: msg.id, kind: 'ok', value }); // a buffer that cannot be detached: copy instead
    }
  } catch (err) {
    port.post({ id: msg.id, kind: 'error', error: serializeError(err) });
  } finally {
    controllers.delete(msg.id);
  }
}

async function handle(port, msg, signal) {
  const onProgress = (data) => port.post({ id: msg.id, kind: 'progress', data: plain(data) });
  switch (msg.op) {
    case 'load': {
      if (model) await model.dispose?.();
      model = null;
      useAssets(msg.assets);
      model = await Embedder.load(msg.source, { ...msg.options, onProgress, signal });
      return describe(model);
    }
    case 'call': {
      if (!model) throw new InvalidArgumentError('the worker has no model loaded (call load first)');
      const method = String(msg.method);
      const fn = model[method];
      if (typeof fn !== 'function' || method.startsWith('_') || method === 'constructor' || method === 'dispose') {
        throw new InvalidArgumentError(`Embedder has no method "${method}"`);
      }
      const args = Array.isArray(msg.args) ? msg.args : [];
      return fn.apply(model, [...args, { ...msg.options, signal, ...(msg.progress ? { onProgress } : {}) }]);
    }
    case 'dispose': {
      const m = model;
      model = null;
      await m?.dispose?.();
      return null;
    }
    default:
      throw new InvalidArgumentError(`unknown worker op "${msg.op}"`);
  }
}

// The main thread's resolved file URLs, so the worker fetches the very files the page's bundle
// emitted (and the HTTP cache already holds) instead of working them out from its own chunk URL.
function useAssets(assets) {
  if (!assets) return;
  if (assets.core && !coreLoaded) {
    configureCore({ wasmUrl: assets.core });
    coreLoaded = true; // configureCore may only run before the core loads: the first load decides
  }
  if (assets.ort) setOrtWasmPaths(assets.ort);
}

// A message port over either a Web Worker global or a Node worker_threads parentPort.
function webPort() {
  if (typeof WorkerGlobalScope === 'undefined' || !(globalThis instanceof WorkerGlobalScope)) return null;
  const queue = [];
  let deliver = (m) => queue.push(m);
  self.addEventListener('message', (e) => deliver(e.data));
  return {
    post: (msg, transfer = []) => self.postMessage(msg, transfer),
    onMessage: (fn) => {
      deliver = fn;
      queue.splice(0).forEach(fn);
    },
  };
}

async function nodePort() {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error("wasmbed/worker is a worker entry: start it with new Worker(new URL('wasmbed/worker', import.meta.url), { type: 'module' }), do not import it");
  }
  const { parentPort } = (await import('#node-builtins')).workerThreads;
  if (!parentPort) throw new Error('wasmbed/worker must run inside a Worker (new Worker(...)), not be imported on the main thread');
  return {
    post: (msg, transfer = []) => parentPort.postMessage(msg, transfer),
    onMessage: (fn) => parentPort.on('message', fn),
  };
}
