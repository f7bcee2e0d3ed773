// The WebGPU route (js/embedder/webgpu-route.js): a graph whose MatMuls are int8 compute
// (MatMulInteger / DynamicQuantizeLinear, which ONNX Runtime Web's WebGPU has no kernels for)
// is refused for WebGPU before any session is made, naming the operators, so Embedder.load runs it
// on WASM with the reason in info; MatMulNBits graphs still go to WebGPU (and its guard).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { ByteSource, describeAttention } from '../../js/onnx/index.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { createSession } from '../../js/embedder/backend.js';
import { webgpuRoute } from '../../js/embedder/webgpu-route.js';
import { ModelLoadError } from '../../js/errors.js';

let tmp;
const opsOf = (file) => describeAttention(ByteSource.fromBytes(new Uint8Array(readFileSync(file)))).ops;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-webgpu-route-'));
  await makeModel(tmp, { preset: 'tiny-bert', config: { num_hidden_layers: 1 }, seed: 9 });
  const fp32 = path.join(tmp, 'onnx/model.onnx');
  await quantizeModel(fp32, path.join(tmp, 'onnx/model_int8.onnx'), { format: 'int8-dynamic', calibration: false });
  await quantizeModel(fp32, path.join(tmp, 'onnx/model_q4.onnx'), { format: 'q4', calibration: false });
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('the decision: int8-compute operators go to WASM, MatMulNBits and float graphs may try WebGPU', () => {
  const int8 = opsOf(path.join(tmp, 'onnx/model_int8.onnx'));
  const q4 = opsOf(path.join(tmp, 'onnx/model_q4.onnx'));
  const fp32 = opsOf(path.join(tmp, 'onnx/model.onnx'));
  assert.ok(int8.includes('MatMulInteger') && int8.includes('DynamicQuantizeLinear'), int8.join());
  assert.ok(q4.includes('com.microsoft.MatMulNBits'), q4.join());
  const r = webgpuRoute(int8);
  assert.deepEqual(r.ops, ['MatMulInteger', 'DynamicQuantizeLinear']);
  assert.match(r.reason, /MatMulInteger, DynamicQuantizeLinear/);
  assert.equal(webgpuRoute(q4), null);
  assert.equal(webgpuRoute(fp32), null);
  assert.equal(webgpuRoute(undefined), null);
});

test("createSession('webgpu') refuses the int8 file before loading a WebGPU runtime, naming the operators", async () => {
  const file = path.join(tmp, 'onnx/model_int8.onnx');
  await assert.rejects(createSession('webgpu', { name: 'onnx/model_int8.onnx', bytes: new Uint8Array(readFileSync(file)) }), (e) => {
    assert.ok(e instanceof ModelLoadError);
    assert.deepEqual(e.webgpuMissingOps, ['MatMulInteger', 'DynamicQuantizeLinear']);
    assert.match(e.message, /not opened on WebGPU/);
    return true;
  });
});
