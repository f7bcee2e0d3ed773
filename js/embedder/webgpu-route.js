// Which graphs go to WASM before a WebGPU session is even tried. ONNX Runtime Web 1.30's WebGPU
// execution provider has no kernel for the int8-compute operators of the dynamic-int8 layout
// (onnxruntime-web docs/webgpu-operators.md lists MatMulNBits and DequantizeLinear, not
// MatMulInteger or DynamicQuantizeLinear): such nodes run on the CPU inside the WebGPU session,
// with a GPU <-> CPU copy around every one of them, and the default bundle's WebGPU
// DequantizeLinear computes that layout's embedding table wrongly (README, Quantization). WASM
// runs the same file at full int8 speed, so it goes there, with the reason in `info`; the
// load-time guard (webgpu-guard.js) still checks every graph that does open on WebGPU.

/** Operators with no WebGPU kernel in onnxruntime-web 1.30 that carry a model's MatMuls. */
export const WEBGPU_MISSING_OPS = ['MatMulInteger', 'DynamicQuantizeLinear', 'com.microsoft.DynamicQuantizeMatMul', 'com.microsoft.MatMulIntegerToFloat'];

/**
 * The decision for a graph's operator list (describeAttention's `ops`): null when WebGPU may try
 * it, else { ops, reason } naming the operators WebGPU lacks.
 */
export function webgpuRoute(ops) {
  const missing = WEBGPU_MISSING_OPS.filter((op) => ops?.includes(op));
  if (!missing.length) return null;
  return {
    ops: missing,
    reason: `ONNX Runtime Web's WebGPU has no kernel for ${missing.join(', ')} (the int8 file's MatMuls); WASM runs them with int8 kernels. For WebGPU use a MatMulNBits file (dtype 'q4')`,
  };
}
