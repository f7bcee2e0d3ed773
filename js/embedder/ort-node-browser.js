// What '#ort-node' is in browser bundles (see ort-node.js): browsers use onnxruntime-web's
// browser builds (backend.js), and device 'cpu' is refused before anything here is called.
import { UnsupportedError } from '../errors.js';

const nodeOnly = (what) => async () => {
  throw new UnsupportedError(`${what} is only available in Node`);
};

export const importOnnxruntimeNode = nodeOnly('onnxruntime-node');
export const importOrtWeb = nodeOnly("onnxruntime-web's Node build");
