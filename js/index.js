// wasmbed's public API: named exports only, each from the subsystem that owns it (js/README.md).
// Diagnostics and test helpers live in 'wasmbed/diagnostics' (js/diagnostics.js).
export {
  WasmbedError, InvalidArgumentError, DisposedError, ParseError, UnsupportedError, CorruptDataError,
  CapacityError, WasmLoadError, InternalError, ModelLoadError, AbortError, StorageError,
  ModelMismatchError,
} from './errors.js';
export { configureCore } from './internal/core.js';
export { l2Normalize, version } from './internal/vector.js';
export { Tokenizer } from './tokenizer/tokenizer.js';
export { Embedder } from './embedder/embedder.js';
export { WorkerEmbedder } from './worker/client.js';
export { EmbedderPool } from './worker/pool.js';
export { openModelSource, clearCache, defaultCacheDir } from './loader/index.js';
export { VectorIndex } from './search/vector-index.js';
export { LexicalIndex } from './search/lexical-index.js';
export { rrf, weightedFusion } from './search/fusion.js';
export { chunkDocument, chunkDocuments } from './search/chunker.js';
export { saveIndex, loadIndex, deleteIndex, indexFromBytes } from './search/persist/index.js';
export { StaticIndex } from './search/static/static-index.js';
export { writeStaticIndex } from './search/static/write.js';
export { BgeM3Heads, weightedScore, sparseToTokens } from './bge-m3/heads.js';
export { M3Index } from './bge-m3/m3-index.js';
export { encodeColbert, decodeColbert, colbertBytes } from './bge-m3/colbert-storage.js';
