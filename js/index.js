// wasmbed public API. Each capability lives in its own module; this file only re-exports.
export * from './errors.js';
export { configureCore, loadCore } from './internal/core.js';
export { l2Normalize, version } from './internal/vector.js';
export { Tokenizer } from './tokenizer/tokenizer.js';
export { BgeM3Heads, weightedScore, sparseToTokens } from './bge-m3/heads.js';
export { M3Index } from './bge-m3/m3-index.js';
export { encodeColbert, decodeColbert, colbertBytes } from './bge-m3/colbert-storage.js';
export { openModelSource, clearCache, defaultCacheDir, listExternalData } from './loader/index.js';
export { chunkDocument, chunkDocuments, chunkSpans, sentenceBreaks } from './search/chunker.js';
export { WorkerEmbedder } from './worker/client.js';
export { Embedder } from './embedder/embedder.js';
export { VectorIndex } from './search/vector-index.js';
export { LexicalIndex } from './search/lexical-index.js';
export { rrf, weightedFusion } from './search/fusion.js';
export { saveIndex, loadIndex, deleteIndex, indexFromBytes } from './search/persist/index.js';
export { compareWebGpuToWasm, guardWebGpu, probeFeeds, rowCosines, WEBGPU_GUARD_THRESHOLD } from './embedder/webgpu-guard.js';
