// wasmbed/indexer (Node only): build an index from a corpus on every core, resumable and sharded;
// merge shard builds; export vectors for Python tools and vector databases. See index.d.ts.
export { buildIndex } from './build.js';
export { mergeIndexes } from './merge.js';
export { exportIndex, readBuild } from './export.js';
export { readNpy, npyBytes } from './npy.js';
