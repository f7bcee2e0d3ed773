// Loads the C++ core (dist/wasmbed_core.{js,wasm}) once per realm.
//
// The Emscripten glue is built for web/worker only, so it never touches Node APIs; here we give
// it the .wasm bytes in Node and a URL in browsers: configureCore's wasmUrl, else
// `new URL('../../dist/wasmbed_core.wasm', import.meta.url)`, the pattern Vite, webpack 5 and
// Rollup replace with the asset they emit (esbuild copies nothing: its apps set wasmUrl).
import createWasmbedCore from '../../dist/wasmbed_core.js';
import { WasmLoadError } from '../errors.js';
import { isNode } from './env.js';

let options = {};
let corePromise = null;
let current = null; // the module corePromise resolved to
// Modules that trapped (stack overflow, out-of-bounds access): after a trap the module's state
// (allocator, stack pointer) cannot be trusted, so it is retired: objects made on it fail with a
// typed error, and the next loadCore() instantiates a fresh module for new objects.
const trapped = new WeakMap();

/** Retires the current module after a trap (see `trapped`); the next loadCore() makes a new one. */
export function retireCore(err) {
  if (current) trapped.set(current, err);
  current = null;
  corePromise = null;
}

/** The trap that retired `core`, or undefined while it is healthy. */
export function trapOf(core) {
  return trapped.get(core);
}

/**
 * Overrides where the .wasm comes from. Call before anything loads the core.
 * @param {{ wasmBinary?: ArrayBuffer|Uint8Array, wasmUrl?: string|URL, locateFile?: (file: string, prefix: string) => string }} opts
 */
export function configureCore(opts = {}) {
  if (corePromise) throw new WasmLoadError('configureCore() must be called before the wasm core is loaded');
  options = { ...opts };
}

/**
 * The URL the core's .wasm is loaded from in this realm: configureCore's wasmUrl, else the file
 * next to this module as the bundler emitted it. The worker client sends it to the worker.
 */
export function coreWasmUrl() {
  if (options.wasmUrl) return new URL(options.wasmUrl, globalThis.location?.href).href;
  // Literally `new URL('<relative path>', import.meta.url)`, and used as is: Vite and webpack
  // replace the expression with the URL of the asset they emit (content-hashed name), so the
  // name must never be rebuilt from 'wasmbed_core.wasm' later.
  return new URL('../../dist/wasmbed_core.wasm', import.meta.url).href;
}

/** Resolves to the instantiated Embind module (shared by every wasmbed object). */
export function loadCore() {
  if (!corePromise) {
    const p = instantiate(options).then((core) => {
      if (corePromise === p) current = core;
      return core;
    }, (err) => {
      if (corePromise === p) corePromise = null; // allow a retry (e.g. after a network error)
      throw err;
    });
    corePromise = p;
  }
  return corePromise;
}

async function instantiate({ wasmBinary, locateFile }) {
  const args = {};
  let url = null;
  if (wasmBinary) {
    args.wasmBinary = wasmBinary;
  } else if (locateFile) {
    args.locateFile = locateFile;
  } else if (isNode) {
    url = coreWasmUrl();
    const { readFile } = (await import('#node-builtins')).fs;
    try {
      args.wasmBinary = await readFile(new URL(url));
    } catch (err) {
      throw new WasmLoadError(`cannot read ${new URL(url).pathname}: ${err.message} (run \`npm run build\` in a source checkout)`, { url, cause: err });
    }
  } else {
    url = coreWasmUrl();
    args.locateFile = (file) => (file.endsWith('.wasm') ? url : file);
  }
  try {
    return await createWasmbedCore(args);
  } catch (err) {
    const where = url ? ` from ${url}${await describeResponse(url)}` : '';
    throw new WasmLoadError(`failed to instantiate the wasmbed WebAssembly module${where}: ${err?.message ?? err}`, { url: url ?? undefined, cause: err });
  }
}

// Only on the failure path: what the server answers for `url`, e.g. " (HTTP 404)" or " (served as
// text/html: an HTML page, not the .wasm)", the usual causes of "expected magic word 00 61 73 6d".
async function describeResponse(url) {
  if (isNode || !/^https?:/i.test(url)) return '';
  try {
    const res = await fetch(url, { method: 'HEAD' });
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) return ` (HTTP ${res.status})`;
    if (/text\/html/i.test(type)) return ` (served as ${type}: an HTML page, not the .wasm)`;
    return '';
  } catch (e) {
    return ` (cannot be fetched: ${e?.message ?? e})`;
  }
}
