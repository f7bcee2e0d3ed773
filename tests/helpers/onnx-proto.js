// ONNX models for loader tests, built with the codec's builders (js/onnx): Y = X + W with X, W
// float[n]. W is stored inline or in external data files, so tests can check external-data
// discovery and that ONNX Runtime loads a model plus its external data from the cache folder.
import { DataType, graph, model, node, tensor, valueInfo } from '../../js/onnx/index.js';

/**
 * ONNX bytes for Y = X + W (float[n]). `w` is a Float32Array; with `external` ({ location,
 * offset }) W's data lives in that file instead (the caller writes w's bytes there).
 * `extraExternal` adds Constant nodes whose tensors name those external files (the walker must
 * find tensors inside node attributes too).
 */
export function makeAddModel({ w = Float32Array.of(1, 2, 3), external = null, extraExternal = [] } = {}) {
  const n = w.length;
  const weights = external
    ? tensor('W', DataType.FLOAT, [n], null, { location: external.location, offset: external.offset ?? 0, length: n * 4 })
    : tensor('W', DataType.FLOAT, [n], new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  const nodes = [node('Add', ['X', 'W'], ['Y'], {}, 'add')];
  extraExternal.forEach((location, i) => {
    const constant = tensor(`C${i}`, DataType.FLOAT, [1], null, { location, offset: 0, length: 4 });
    nodes.push(node('Constant', [], [`C${i}`], { value: constant }, `const${i}`));
  });
  const g = graph({
    name: 'g', nodes, initializers: [weights],
    inputs: [valueInfo('X', DataType.FLOAT, [n])], outputs: [valueInfo('Y', DataType.FLOAT, [n])],
  });
  // No producer_version, so the graph field's length lies in the first 20 bytes: loader-errors
  // cuts the file there and expects 'longer than the file'.
  return model(g, { producer: 'wasmbed-test', producerVersion: '' }).toBytes();
}
