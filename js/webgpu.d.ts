// Side-effect import: registers ONNX Runtime's WebGPU build for device 'webgpu' (see js/webgpu.js).
export {};
