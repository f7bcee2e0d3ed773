// 'wasmbed/diagnostics': lower-level pieces for checking what wasmbed does — the raw wasm core
// (heap statistics), the chunker's internals, ONNX external-data listing and the WebGPU-vs-WASM
// comparison the Embedder runs at load. Not needed to embed or search; kept out of the main entry
// so its surface stays small.
export { loadCore } from './internal/core.js';
export { chunkSpans, sentenceBreaks } from './search/chunker.js';
export { listExternalData } from './onnx/index.js';
export { compareWebGpuToWasm, guardWebGpu, probeFeeds, rowCosines, WEBGPU_GUARD_THRESHOLD } from './embedder/webgpu-guard.js';
