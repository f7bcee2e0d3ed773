// wasmbed public API. Each capability lives in its own module; this file only re-exports.
export * from './errors.js';
export { configureCore, loadCore } from './core.js';
export { l2Normalize, version } from './vector.js';
export { Tokenizer } from './tokenizer.js';
export { BgeM3Heads, weightedScore, sparseToTokens } from './bge-m3.js';
export { M3Index } from './bge-m3-search.js';
export { encodeColbert, decodeColbert, colbertBytes } from './bge-m3/colbert-storage.js';
export { openModelSource, clearCache, defaultCacheDir, listExternalData } from './loader/index.js';
export { chunkDocument, chunkDocuments, chunkSpans, sentenceBreaks } from './chunker.js';
export { WorkerEmbedder } from './worker-client.js';
export { Embedder } from './embedder.js';
export { VectorIndex } from './vector-index.js';
export { LexicalIndex } from './lexical-index.js';
export { rrf, weightedFusion } from './fusion.js';
export { saveIndex, loadIndex, deleteIndex, indexFromBytes } from './persist.js';
export { compareWebGpuToWasm, guardWebGpu, probeFeeds, rowCosines, WEBGPU_GUARD_THRESHOLD } from './webgpu-guard.js';
