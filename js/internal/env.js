// Where wasmbed runs. Node-only code is reached through dynamic import() behind this check, so
// browser bundles never evaluate it.

/** True in Node.js (also inside worker_threads), false in browsers and Web Workers. */
export const isNode =
  typeof process !== 'undefined' && process.versions?.node != null && typeof window === 'undefined';
