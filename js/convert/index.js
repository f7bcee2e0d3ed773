// Node-only entry point `wasmbed/convert`: Hub safetensors -> ONNX model folder.
export { convertModel, DTYPE_FILE } from './convert.js';
export { openSafetensors } from './safetensors-reader.js';
export { readTorchStateDict } from './pt-reader.js';
