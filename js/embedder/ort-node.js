// ONNX Runtime in Node, behind the package import '#ort-node' (package.json "imports"): Node
// resolves it to this file, bundlers building for browsers to ort-node-browser.js. So neither
// onnxruntime-node (an optional dependency, absent under --omit=optional) nor onnxruntime-web's
// Node build is ever part of a browser graph.

/** onnxruntime-node, or null when it is not installed (or its native binding cannot load). */
export async function importOnnxruntimeNode() {
  try {
    return await import('onnxruntime-node');
  } catch {
    return null;
  }
}

/** onnxruntime-web's Node build ('node' export condition): WASM in worker_threads. */
export function importOrtWeb() {
  return import('onnxruntime-web');
}
