// Where wasmbed runs. Node-only code is reached through dynamic import() behind this check, so
// browser bundles never evaluate it.

/** True in Node.js (also inside worker_threads), false in browsers and Web Workers. */
export const isNode =
  typeof process !== 'undefined' && process.versions?.node != null && typeof window === 'undefined';

/**
 * The cores this realm may use: os.availableParallelism() in Node (the Node module reached by
 * dynamic import, as above), navigator.hardwareConcurrency in browsers and Web Workers.
 */
export async function availableCores() {
  if (isNode) {
    const { os } = await import('#node-builtins');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}
