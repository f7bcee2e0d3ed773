// Does a model fit ONNX Runtime Web's WASM heap? Decided from the .onnx file and the external-data
// lengths its tensors state, before the weights are downloaded: a model that cannot fit fails at
// once with a CapacityError that names the limit and suggests a quantized file, instead of a tab
// that downloads gigabytes and then dies (or ORT aborts) while the session is created.
//
// What the heap holds (onnxruntime-web 1.30): external data is copied into the heap once (ORT
// reads each mounted file into its initializer), and so are inline weights, which wasmbed hands
// to ORT as external data too (js/onnx/inline-to-external.js); the graph left in the .onnx is
// small. Then one short run's activations must still fit (js/embedder/activation-memory.js).
// Measured in Chromium: the 2.27 GB fp32 bge-m3 (external data) runs, renderer peak 2.36x the file
// (bench/bge-m3-real.bench.js).
import { CapacityError, InvalidArgumentError } from '../errors.js';
import { WASM_MEMORY_LIMIT, activationBytes } from './activation-memory.js';

const gib = (b) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** Heap bytes the session needs for its weights: the .onnx file and its external data, once. */
export function weightHeapBytes({ onnxBytes, externalBytes }) {
  return (externalBytes ?? 0) + onnxBytes;
}

/**
 * Throws CapacityError when `modelFile` (onnxBytes in the .onnx, externalBytes beside it) plus one
 * run of `roomTokens` tokens cannot fit in `limit` bytes of WASM heap (default 4 GiB, wasm32).
 * `config`: the model's config.json (hidden_size, num_attention_heads) for the activation room.
 */
export function checkFitsWasmHeap({ modelFile, onnxBytes, externalBytes, config = {}, limit = WASM_MEMORY_LIMIT, roomTokens = 512 }) {
  if (!(typeof limit === 'number' && limit > 0)) throw new InvalidArgumentError(`wasmMemoryLimit must be a positive number of bytes, got ${limit}`);
  const weights = weightHeapBytes({ onnxBytes, externalBytes });
  const hidden = config.hidden_size, heads = config.num_attention_heads;
  const tokens = Math.min(roomTokens, config.max_position_embeddings ?? roomTokens);
  const room = Number.isInteger(hidden) && Number.isInteger(heads) && hidden > 0 && heads > 0
    ? activationBytes(1, tokens, { heads, hidden, intermediate: config.intermediate_size ?? 4 * hidden, block: 0 }).total : 0;
  if (weights + room <= limit) return { weights, room };
  const size = externalBytes ? `${gib(onnxBytes + externalBytes)} (${gib(externalBytes)} of it external data)` : gib(onnxBytes);
  throw new CapacityError(
    `${modelFile} is ${size}: ONNX Runtime Web needs about ${gib(weights)} of its WASM heap for these weights` +
    `${room ? ` plus ${gib(room)} for one ${tokens}-token run` : ''}, over the ${limit === WASM_MEMORY_LIMIT ? '4 GiB limit of a wasm32 heap' : `${gib(limit)} limit (wasmMemoryLimit)`}. ` +
    "Use a quantized file (dtype: 'q8' or 'q4'; `wasmbed quantize` or `wasmbed convert --dtype q8|q4` makes one), " +
    "or onnxruntime-node (device: 'cpu') in Node. Nothing past the .onnx file was downloaded.",
  );
}
