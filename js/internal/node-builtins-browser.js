// What '#node-builtins' is in browser bundles (see node-builtins.js). Browser code never takes
// the Node-only paths (they sit behind isNode checks), so reaching one of these objects is a
// wasmbed bug or a Node-only call from a page: it fails with an UnsupportedError naming the API.
import { UnsupportedError } from '../errors.js';

function nodeOnly(name) {
  return new Proxy(Object.create(null), {
    get(_target, prop) {
      if (typeof prop === 'symbol' || prop === 'then') return undefined; // not a thenable
      throw new UnsupportedError(`${name} ${String(prop)}() is only available in Node, not in browsers`);
    },
  });
}

export const fs = nodeOnly('node:fs/promises');
export const path = nodeOnly('node:path');
export const os = nodeOnly('node:os');
export const url = nodeOnly('node:url');
export const workerThreads = nodeOnly('node:worker_threads');
