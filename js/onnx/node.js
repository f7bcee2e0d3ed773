// The ONNX codec's Node-only surface (it opens files): see index.js for the browser-safe rest.
export { openFileSource } from './file-source.js';
export { closeModel, expectPayload, fileGraphSource, parseNode, readFloats, readOnnxModel, tensorSource } from './model-reader.js';
export { INLINE_LIMIT, writeOnnx } from './model-writer.js';
