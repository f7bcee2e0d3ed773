// ONNX Runtime backends: onnxruntime-node ('cpu', Node only, optional dependency) and
// onnxruntime-web ('wasm'; 'webgpu' in browsers). Picks one for device 'auto' and says why.
import { availableCores, isNode } from '../internal/env.js';
import { InvalidArgumentError, ModelLoadError, UnsupportedError, WasmLoadError } from '../errors.js';
import { prepareModel } from './prepare-model.js';
import { webgpuRoute } from './webgpu-route.js';
import { externalizeInitializers } from '../onnx/inline-to-external.js';

export const DEVICES = ['auto', 'cpu', 'wasm', 'webgpu'];

// Hub ONNX file names by dtype (the naming transformers.js and Optimum exports use).
export const DTYPE_FILES = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
  bnb4: 'model_bnb4.onnx',
};

let nodeOrt;
async function importNodeOrt() {
  if (nodeOrt === undefined) nodeOrt = await (await import('#ort-node')).importOnnxruntimeNode();
  return nodeOrt;
}

// onnxruntime-web builds (package exports), by what a session needs:
//   'wasm'    ('onnxruntime-web/wasm'): WASM only. Used for device 'wasm' in browsers: its 14 MB
//             .wasm compiles in about a third of the time of the default build's 28 MB one, and
//             its first run is faster too (measured in Chromium: session creation 5.7 vs 19 s
//             for a tiny model on a loaded 2-core machine).
//   'webgpu'  ('onnxruntime-web/webgpu'): WASM + ORT's native WebGPU provider (the one
//             transformers.js uses), which has kernels JSEP lacks (8-bit MatMulNBits: q8 files).
//             Its WASM provider lacks some CPU kernels (GatherBlockQuantized), so WASM sessions
//             never use it. A bundler emits whatever a literal import() names, and this build
//             brings its own 27 MB .wasm, so it is only named literally in js/webgpu.js
//             ('wasmbed/webgpu'), which an app imports to use device 'webgpu'.
//   'default' ('onnxruntime-web'): WASM + the JSEP WebGPU provider; Node's build ('#ort-node').
// Unbundled pages resolve bare names through their import map: there the builds are imported by
// name at run time (never seen by a bundler), and a page that maps only 'onnxruntime-web' runs
// everything on the default build. Each build is its own WASM module with its own env.
const webOrt = new Map(); // wanted build -> Promise<{ ort, build, initialized, wasmPaths }>
const buildLoaders = new Map([['wasm', () => import('onnxruntime-web/wasm')]]);

/** Makes `build` importable in bundled apps (js/webgpu.js registers 'webgpu'). */
export function registerOrtBuild(build, load) {
  buildLoaders.set(build, load);
}

const ORT_SPECIFIERS = { wasm: 'onnxruntime-web/wasm', webgpu: 'onnxruntime-web/webgpu', default: 'onnxruntime-web' };
// A specifier held in a variable: bundlers leave this import() alone, the browser resolves it
// through the page's import map.
function importByName(specifier) {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

function importWebOrt(build) {
  let p = webOrt.get(build);
  if (!p) {
    p = (async () => {
      if (isNode) return { ort: await (await import('#ort-node')).importOrtWeb(), build: 'default', initialized: false, wasmPaths: null };
      const load = buildLoaders.get(build);
      if (load) {
        try {
          return { ort: await load(), build, initialized: false, wasmPaths: build === 'wasm' ? (wasmPathsOverride ?? ortWasmPaths()) : null };
        } catch (err) {
          // An unbundled page whose import map lacks the subpath falls through to the default build.
          if (!/specifier|resolve/i.test(String(err?.message))) throw err;
        }
      }
      for (const name of build === 'default' ? ['default'] : [build, 'default']) {
        try {
          return { ort: await importByName(ORT_SPECIFIERS[name]), build: name, initialized: false, wasmPaths: null };
        } catch {
          // not in the import map (or a bundled app): try the next one
        }
      }
      throw new UnsupportedError(build === 'webgpu'
        ? "device 'webgpu' needs ONNX Runtime's WebGPU build: add `import 'wasmbed/webgpu';` to the app (bundlers then emit its 27 MB .wasm), or map 'onnxruntime-web/webgpu' in the page's import map"
        : `cannot import ONNX Runtime (${ORT_SPECIFIERS[build]}): map it in the page's import map or use a bundler`);
    })();
    p.catch(() => webOrt.delete(build)); // allow a retry
    webOrt.set(build, p);
  }
  return p;
}

// Where the WASM build's two runtime files are, written as `new URL('<package path>',
// import.meta.url)` so Vite and webpack emit them as assets and put their final URLs here.
// Given to ORT as env.wasm.wasmPaths: ORT then imports the standalone Emscripten glue (.mjs)
// instead of the copy inlined in its bundle, so its thread workers (`new Worker(import.meta.url)`
// inside the glue) start from that small file, never from the app chunk ORT was bundled into
// (which can touch `document` and never answers). Unbundled, the URLs stay package paths
// relative to this file, which do not exist: then ORT keeps its own defaults (its module's folder).
export function ortWasmPaths() {
  const mjs = new URL('onnxruntime-web/ort-wasm-simd-threaded.mjs', import.meta.url);
  const wasm = new URL('onnxruntime-web/ort-wasm-simd-threaded.wasm', import.meta.url);
  if (wasm.pathname.endsWith('/onnxruntime-web/ort-wasm-simd-threaded.wasm')) return null; // not rewritten by a bundler
  return { mjs: mjs.href, wasm: wasm.href };
}

// Set by the worker (js/worker/worker.js) to the locations the main thread resolved.
let wasmPathsOverride = null;
/** Uses these ONNX Runtime file URLs ({ mjs, wasm }) for the WASM build. Call before the first session. */
export function setOrtWasmPaths(paths) {
  wasmPathsOverride = paths ?? null;
}

async function defaultThreads() {
  // Every core, like onnxruntime-node; in a browser only when cross-origin isolated (threads need
  // SharedArrayBuffer). ORT's own default is half the cores, at most 4; embedding throughput keeps
  // scaling past that.
  return isNode || globalThis.crossOriginIsolated ? availableCores() : 1;
}

let isolationWarned = false;
/** Sets the WASM thread count before the build's first session (ORT reads it once, at init). */
async function configureThreads(entry, threads, webgpu) {
  const { ort } = entry;
  // No warning when one thread was asked for (EmbedderPool's workers): nothing is lost.
  if (!isNode && !globalThis.crossOriginIsolated && !webgpu && threads !== 1 && !isolationWarned) {
    isolationWarned = true;
    console.warn('wasmbed: the page is not cross-origin isolated (COOP/COEP headers), so ONNX Runtime WASM runs single-threaded');
  }
  if (entry.initialized) {
    const actual = ort.env.wasm.numThreads;
    if (threads != null && threads !== actual && !configureThreads.warned) {
      configureThreads.warned = true;
      console.warn(`wasmbed: ONNX Runtime WASM was already started with ${actual} thread(s) by an earlier load; threads: ${threads} is ignored`);
    }
    return;
  }
  // Without cross-origin isolation there is no SharedArrayBuffer: ORT would fall back to 1 anyway.
  // A count the app set on ort.env itself (ORT leaves it undefined until it starts) is kept.
  if (!isNode && !globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;
  else if (threads != null) ort.env.wasm.numThreads = threads;
  else if (typeof ort.env.wasm.numThreads !== 'number') ort.env.wasm.numThreads = await defaultThreads();
}

// How long ONNX Runtime's WebAssembly runtime may take to start (import its .mjs glue, fetch and
// compile its .wasm, start its thread workers) before loading fails with a WasmLoadError instead
// of waiting forever: a stalled file or a thread worker that cannot start never reports back.
// Generous: 14 MB over a slow link plus compilation on a slow phone. The `runtimeTimeoutMs` load
// option changes it; it counts for the load that starts the runtime (the first one).
export const RUNTIME_TIMEOUT_MS = 120_000;
// How long each URL check of the failure path may wait (a stalled server never answers); at most
// the runtime timeout itself, so a load fails within twice runtimeTimeoutMs at worst.
const PROBE_TIMEOUT_MS = 5_000;

/** File locations and ORT's own init timeout, before the build's first session (ORT reads them once). */
function prepareRuntime(entry, timeoutMs) {
  if (entry.initialized || isNode) return;
  const { wasm } = entry.ort.env;
  // Settings the app made on ort.env itself win.
  if (entry.wasmPaths && wasm.wasmPaths == null) wasm.wasmPaths = entry.wasmPaths;
  // ORT's timer starts only once its .mjs is imported (a stalled import waits forever), so it
  // is a second line behind the bound in startRuntime().
  if (!wasm.initTimeout) wasm.initTimeout = timeoutMs;
}

/**
 * The first InferenceSession.create of a build also starts ORT's runtime: bounded by `timeoutMs`.
 * ORT cannot be restarted after a start that did not finish (it refuses a second initialisation),
 * so the failure is kept and every later load of this build reports it.
 */
async function startRuntime(entry, create, timeoutMs) {
  let timer;
  const expired = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, TIMED_OUT); });
  const pending = create();
  try {
    const first = await Promise.race([pending, expired]);
    if (first !== TIMED_OUT) return first;
  } finally {
    clearTimeout(timer);
  }
  pending.then((session) => session.release?.(), () => {}); // should it still finish
  const threads = entry.ort.env.wasm.numThreads;
  const cause = new Error(`ONNX Runtime's WebAssembly runtime did not start within ${timeoutMs} ms`
    + (threads > 1 ? ` (${threads} threads: ONNX Runtime's ${threads - 1} thread worker${threads > 2 ? 's load' : ' loads'} its .mjs again; a thread worker that cannot load it never reports back)` : ''));
  entry.failure = await runtimeLoadError(entry, cause, Math.min(PROBE_TIMEOUT_MS, timeoutMs));
  throw entry.failure;
}
const TIMED_OUT = Symbol('timed out');

// ORT's words when its WASM runtime (not the model) failed: every backend failed to initialize
// (a missing or wrongly served .wasm / .mjs, or ORT's init timeout above).
const RUNTIME_FAILURE = /no available backend found|initializ\w* failed|failed to load|fetching of the wasm failed/i;

/** A WasmLoadError naming the runtime files ORT was told to use, and what the server says about them. */
async function runtimeLoadError(entry, err, probeMs = PROBE_TIMEOUT_MS) {
  const paths = entry.ort.env.wasm.wasmPaths;
  let urls = paths && typeof paths === 'object' ? [paths.wasm, paths.mjs].filter(Boolean).map(String) : [];
  if (!urls.length) {
    // ORT chose the location itself: next to its own module (the chunk a bundler put it in,
    // named after ort.*.mjs by default). The browser's resource timing entries hold that chunk's
    // URL, and the .wasm request itself once its (error) body was read.
    const names = globalThis.performance?.getEntriesByType?.('resource')?.map((e) => e.name) ?? [];
    const tried = names.filter((n) => /\/ort-wasm[^/]*\.wasm(\?|$)/.test(n));
    const modules = names.filter((n) => /\/ort[.-][^/]*\.m?js(\?|$)/.test(n) && !/\/ort-wasm/.test(n));
    const beside = modules.map((n) => new URL('ort-wasm-simd-threaded.wasm', n).href);
    // With threads, ORT's thread workers load its module (the glue is inlined there) again.
    urls = [...new Set([...tried, ...beside, ...(entry.ort.env.wasm.numThreads > 1 ? modules : [])])];
    if (!urls.length) urls = [`${typeof paths === 'string' ? paths : "(ONNX Runtime's module folder)/"}ort-wasm-simd-threaded.wasm`];
  }
  const findings = await Promise.all(urls.map(async (url) => ({ url, finding: await probe(url, probeMs) })));
  // The URL to name: the first that failed its check, else the first tried.
  const culprit = findings.find((f) => !f.finding.ok) ?? findings[0];
  return new WasmLoadError(
    `ONNX Runtime's WebAssembly runtime could not start (${findings.map((f) => `${f.url}: ${f.finding.text}`).join('; ')}): ${err?.message ?? err}`,
    { url: culprit.url, cause: err },
  );
}

// Only on the failure path: what a HEAD of `url` answers (status and content type), so the error
// says "404", "text/html (the app's fallback page)" or "no answer" instead of leaving the guess to
// the reader. { ok: false } when that answer explains the failure.
async function probe(url, timeoutMs) {
  if (!/^(https?|blob|data):/i.test(url)) return { ok: false, text: 'not a fetchable URL' };
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    const type = res.headers.get('content-type') ?? 'no content type';
    if (!res.ok) return { ok: false, text: `HTTP ${res.status}` };
    if (/text\/html/i.test(type)) return { ok: false, text: `served as ${type} (an HTML page, not the file)` };
    return { ok: true, text: `HTTP ${res.status} ${type}` };
  } catch (e) {
    if (e?.name === 'TimeoutError') return { ok: false, text: `no answer within ${timeoutMs} ms` };
    return { ok: false, text: `cannot be fetched (${e?.message ?? e})` };
  }
}

/** Resolves `device` to a concrete one, with the reason. */
export async function pickDevice(device = 'auto') {
  if (!DEVICES.includes(device)) throw new InvalidArgumentError(`device must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(device)}`);
  if (device === 'cpu') {
    if (!isNode) throw new UnsupportedError("device 'cpu' (onnxruntime-node) is only available in Node; use 'wasm' or 'webgpu'");
    if (!(await importNodeOrt())) throw new UnsupportedError("device 'cpu' needs the onnxruntime-node package (npm install onnxruntime-node)");
    return { device, reason: 'requested' };
  }
  if (device === 'webgpu' && isNode) throw new UnsupportedError("device 'webgpu' is only available in browsers");
  if (device !== 'auto') return { device, reason: 'requested' };
  if (isNode) {
    if (await importNodeOrt()) return { device: 'cpu', reason: 'Node with onnxruntime-node installed (native, multi-threaded)' };
    return { device: 'wasm', reason: 'Node without onnxruntime-node: onnxruntime-web WASM' };
  }
  // WebGPU is often slower than WASM for embedding-size encoders (dispatch overhead dominates
  // short sequences) and quantized graphs have given wrong results on it, so 'auto' keeps WASM.
  return { device: 'wasm', reason: 'browser: WASM is the reliable default for embedding models; ask for webgpu explicitly' };
}

/**
 * Creates a session. model: { path } (Node file, weights never pass through JS) or { bytes }
 * (+ externalData: [{ path, data }]). options: threads; attentionBlock, memoryBudget (long inputs:
 * prepare-model.js).
 * Returns { run(feeds) -> outputs, inputNames, outputNames, ort, threads, build, attention, release() }.
 */
export async function createSession(device, model, { threads, attentionBlock, memoryBudget, runtimeTimeoutMs = RUNTIME_TIMEOUT_MS } = {}) {
  if (threads != null && (!Number.isInteger(threads) || threads < 1)) throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}`);
  if (!(Number.isFinite(runtimeTimeoutMs) && runtimeTimeoutMs > 0)) throw new InvalidArgumentError(`runtimeTimeoutMs must be a positive number of milliseconds, got ${runtimeTimeoutMs}`);
  // --- Long-inputs hook (prepare-model.js): attention blocked at load time where the export has
  // it unblocked, and each run's activation memory checked (CapacityError) before ORT is called.
  const prepared = await prepareModel(device, model, { attentionBlock, memoryBudget });
  model = prepared.model;
  const route = device === 'webgpu' ? webgpuRoute(prepared.attention?.ops) : null;
  if (route) {
    // Before any GPU work: Embedder.load (openOnDevice) turns this into a WASM session and says why.
    const err = new ModelLoadError(`${model.name}: not opened on WebGPU: ${route.reason}`, { file: model.name });
    err.webgpuMissingOps = route.ops;
    throw err;
  }
  // ---
  let ort;
  let entry = null;
  const opts = { graphOptimizationLevel: 'all', ...prepared.sessionOptions };
  if (device === 'cpu') {
    ort = await importNodeOrt();
    opts.executionProviders = ['cpu'];
    // Set explicitly: ORT's own default (one thread per physical core, plus spinning) was twice
    // as slow on a shared 2-core machine (32 x 128 batch: 1,797 ms vs 936 ms with 2 threads).
    opts.intraOpNumThreads = threads ?? await defaultThreads();
    if (model.externalData?.length) opts.externalData = model.externalData;
  } else {
    entry = await importWebOrt(device === 'webgpu' ? 'webgpu' : 'wasm');
    ort = entry.ort;
    await configureThreads(entry, threads, device === 'webgpu');
    prepareRuntime(entry, runtimeTimeoutMs);
    opts.executionProviders = device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
    // Inline weights become external data viewing the same bytes: ORT-web then copies each weight
    // into its heap once instead of file + parsed proto + tensors (js/onnx/inline-to-external.js).
    const ext = model.bytes ? externalizeInitializers(model.bytes) : null;
    if (ext) model = { ...model, bytes: ext.bytes, externalData: [...(model.externalData ?? []), { path: ext.location, data: ext.data }] };
    if (model.externalData?.length) opts.externalData = model.externalData;
  }
  let session;
  try {
    if (entry?.failure) throw entry.failure; // a runtime start that did not finish (startRuntime)
    const create = () => ort.InferenceSession.create(model.path ?? model.bytes, opts);
    session = entry && !entry.initialized && !isNode ? await startRuntime(entry, create, runtimeTimeoutMs) : await create();
  } catch (err) {
    if (err instanceof WasmLoadError) throw err;
    if (entry && !entry.initialized && RUNTIME_FAILURE.test(String(err?.message))) throw await runtimeLoadError(entry, err);
    throw new ModelLoadError(`ONNX Runtime (${device}) cannot load ${model.name}: ${err?.message ?? err}`, { file: model.name, cause: err });
  } finally {
    if (entry) entry.initialized = true; // ORT initializes its WASM module on the first create()
  }
  return {
    ort,
    threads: entry ? ort.env.wasm.numThreads : opts.intraOpNumThreads,
    build: entry?.build ?? null,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    attention: prepared.attention,
    run: async (feeds) => {
      prepared.checkRun(feeds);
      return session.run(feeds);
    },
    release: () => session.release?.(),
  };
}
