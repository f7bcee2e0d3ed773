// Loads the C++ core (dist/wasmbed_core.{js,wasm}) once per realm.
//
// The Emscripten glue is built for web/worker only, so it never touches Node APIs; here we give
// it the .wasm bytes in Node and a URL next to this module in browsers. `new URL(..., import.meta.url)`
// is the pattern bundlers (Vite, webpack 5, esbuild, Rollup) recognise to copy the asset.
import createWasmbedCore from '../../dist/wasmbed_core.js';
import { WasmLoadError } from '../errors.js';
import { isNode } from './env.js';

let options = {};
let corePromise = null;

/**
 * Overrides where the .wasm comes from. Call before anything loads the core.
 * @param {{ wasmBinary?: ArrayBuffer|Uint8Array, locateFile?: (file: string, prefix: string) => string }} opts
 */
export function configureCore(opts = {}) {
  if (corePromise) throw new WasmLoadError('configureCore() must be called before the wasm core is loaded');
  options = { ...opts };
}

/** Resolves to the instantiated Embind module (shared by every wasmbed object). */
export function loadCore() {
  if (!corePromise) {
    corePromise = instantiate(options).catch((err) => {
      corePromise = null; // allow a retry (e.g. after a network error)
      throw err;
    });
  }
  return corePromise;
}

async function instantiate({ wasmBinary, locateFile }) {
  const args = {};
  if (wasmBinary) {
    args.wasmBinary = wasmBinary;
  } else if (locateFile) {
    args.locateFile = locateFile;
  } else {
    const url = new URL('../../dist/wasmbed_core.wasm', import.meta.url);
    if (isNode) {
      const { readFile } = await import('node:fs/promises');
      try {
        args.wasmBinary = await readFile(url);
      } catch (err) {
        throw new WasmLoadError(`cannot read ${url.pathname}: ${err.message} (run \`npm run build\` in a source checkout)`, { cause: err });
      }
    } else {
      args.locateFile = (file) => new URL(file, url).href;
    }
  }
  try {
    return await createWasmbedCore(args);
  } catch (err) {
    throw new WasmLoadError(`failed to instantiate the wasmbed WebAssembly module: ${err?.message ?? err}`, { cause: err });
  }
}
