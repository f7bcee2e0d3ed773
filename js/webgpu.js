// `import 'wasmbed/webgpu';` makes device 'webgpu' available in bundled apps. It names ONNX
// Runtime's WebGPU build in a literal import(), which is what makes a bundler emit that build
// (its JS and its 27 MB .wasm); wasmbed's main entry does not, so an app that never asks for
// WebGPU ships only the WASM build. The build is still fetched only when a WebGPU session starts.
import { registerOrtBuild } from './embedder/backend.js';

registerOrtBuild('webgpu', () => import('onnxruntime-web/webgpu'));
