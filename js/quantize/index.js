// Node-only entry point `wasmbed/quantize`: ONNX weight quantization and accuracy checks.
// (Kept out of the main entry: it reads and writes files with node:fs.)
export { quantizeModel, FORMATS, DEFAULT_FORMAT } from './quantize.js';
export { compareModels } from './evaluate.js';
export { CALIBRATION_TEXTS } from './calibration-texts.js';
