// Node-only entry point `wasmbed/convert`: Hub safetensors or pytorch_model.bin -> ONNX model folder.
export { convertModel, DTYPE_FILE } from './convert.js';
export { openSafetensors } from './safetensors-reader.js';
export { readTorchStateDict } from './pt-reader.js';
export { openTorchCheckpoint } from './pt-file.js';
