// wasmbed public API. Each capability lives in its own module; this file only re-exports.
export * from './errors.js';
export { configureCore, loadCore } from './core.js';
export { l2Normalize, version } from './vector.js';
