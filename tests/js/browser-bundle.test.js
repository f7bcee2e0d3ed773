// The browser graph, checked in a second with esbuild's API (tests/browser/examples.test.js
// builds and runs the real apps): bundling wasmbed for the browser platform resolves no Node
// built-in and never reaches onnxruntime-node, and pulls in ONNX Runtime's WASM-only build only;
// its WebGPU build comes in with 'wasmbed/webgpu'.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { build } from 'esbuild';
import { REPO_ROOT } from '../helpers/paths.js';

async function browserInputs(entryPoints) {
  const result = await build({
    entryPoints: entryPoints.map((e) => path.join(REPO_ROOT, e)),
    bundle: true, splitting: true, format: 'esm', platform: 'browser', write: false,
    outdir: path.join(REPO_ROOT, 'build', 'browser-bundle-test'), metafile: true, logLevel: 'silent',
  });
  assert.deepEqual(result.errors, []);
  return Object.keys(result.metafile.inputs);
}

test('wasmbed and its worker bundle for browsers without Node-only modules', async () => {
  const inputs = await browserInputs(['js/index.js', 'js/worker/worker.js']);
  assert.ok(!inputs.some((i) => i.startsWith('node:') || i.includes('onnxruntime-node')), inputs.filter((i) => /node:|onnxruntime-node/.test(i)).join(', '));
  assert.ok(inputs.includes('js/internal/node-builtins-browser.js') && !inputs.includes('js/internal/node-builtins.js'));
  assert.ok(inputs.includes('js/embedder/ort-node-browser.js') && !inputs.includes('js/embedder/ort-node.js'));
  const ort = inputs.filter((i) => i.includes('onnxruntime-web/dist/'));
  assert.deepEqual(ort.map((i) => path.basename(i)), ['ort.wasm.bundle.min.mjs']);
});

test("ONNX Runtime's WebGPU build only with 'wasmbed/webgpu'", async () => {
  const inputs = await browserInputs(['js/index.js', 'js/webgpu.js']);
  const ort = inputs.filter((i) => i.includes('onnxruntime-web/dist/')).map((i) => path.basename(i)).sort();
  assert.deepEqual(ort, ['ort.wasm.bundle.min.mjs', 'ort.webgpu.bundle.min.mjs']);
});

test("the browser side of '#node-builtins' and '#ort-node' fails with UnsupportedError naming the API", async () => {
  const { fs, workerThreads } = await import('../../js/internal/node-builtins-browser.js');
  const { importOnnxruntimeNode } = await import('../../js/embedder/ort-node-browser.js');
  const { UnsupportedError } = await import('../../js/errors.js');
  assert.throws(() => fs.readFile, (e) => e instanceof UnsupportedError && /node:fs\/promises readFile\(\) is only available in Node/.test(e.message));
  assert.throws(() => { const { Worker } = workerThreads; return Worker; }, UnsupportedError);
  await assert.rejects(importOnnxruntimeNode(), (e) => e instanceof UnsupportedError && /onnxruntime-node/.test(e.message));
});
