// The WebGPU correctness guard's comparison logic, with real onnxruntime-web WASM sessions on both
// sides (the browser test tests/browser/webgpu-guard.test.js runs it against real WebGPU).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { WEBGPU_GUARD_THRESHOLD, compareWebGpuToWasm, guardWebGpu, probeFeeds, rowCosines } from '../../js/diagnostics.js';

let tmp, ort;
before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-guard-'));
  await makeModel(tmp, { preset: 'tiny-roberta', config: { num_hidden_layers: 1 }, seed: 3 });
  await quantizeModel(path.join(tmp, 'onnx/model.onnx'), path.join(tmp, 'onnx/model_q4.onnx'), { format: 'q4' });
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('rowCosines: per-row minimum, zero rows, NaN propagates', () => {
  const a = Float32Array.of(1, 0, 0, 1, 0, 0);
  assert.deepEqual(rowCosines(a, Float32Array.of(2, 0, 0, 1, 0, 0), 2), { min: 1, mean: 1, rows: 3 });
  const r = rowCosines(a, Float32Array.of(1, 0, 1, 0, 0, 0), 2);
  assert.equal(r.min, 0);
  assert.ok(Math.abs(r.mean - 2 / 3) < 1e-12);
  // A zero row against a non-zero one has no defined cosine: NaN, which never passes a threshold.
  assert.ok(Number.isNaN(rowCosines(Float32Array.of(1, 1), Float32Array.of(0, 0), 2).min));
  assert.ok(Number.isNaN(rowCosines(Float32Array.of(1, NaN), Float32Array.of(1, 1), 2).min));
  assert.throws(() => rowCosines(a, Float32Array.of(1), 2), RangeError);
});

test('probeFeeds: int64 tensors of the right shape; ragged rows rejected', () => {
  const f = probeFeeds(ort.Tensor, [[0, 5, 2], [0, 6, 2]]);
  assert.deepEqual(f.input_ids.dims, [2, 3]);
  assert.equal(f.input_ids.type, 'int64');
  assert.deepEqual([...f.attention_mask.data], [1n, 1n, 1n, 1n, 1n, 1n]);
  assert.ok(f.token_type_ids);
  assert.equal(probeFeeds(ort.Tensor, [[1]], { tokenTypes: false }).token_type_ids, undefined);
  assert.throws(() => probeFeeds(ort.Tensor, [[1, 2], [3]]), RangeError);
});

test('compareWebGpuToWasm: same model passes; a different model fails a strict threshold', async () => {
  const open = (f) => ort.InferenceSession.create(readFileSync(path.join(tmp, 'onnx', f)));
  const fp32 = await open('model.onnx');
  const q4 = await open('model_q4.onnx');
  const feeds = probeFeeds(ort.Tensor, [[0, 1500, 77, 9001, 420, 2]], { tokenTypes: false });
  const same = await compareWebGpuToWasm(fp32, fp32, feeds);
  assert.equal(same.ok, true);
  assert.equal(same.threshold, WEBGPU_GUARD_THRESHOLD);
  assert.ok(same.cosine > 1 - 1e-9);
  const strict = await compareWebGpuToWasm(q4, fp32, feeds, { threshold: 0.9999999 });
  assert.equal(strict.ok, false, `q4 vs fp32 token cosine ${strict.cosine} should be below 0.9999999`);
  assert.ok(strict.cosine > 0.9, 'q4 stays close to fp32');
  await assert.rejects(compareWebGpuToWasm(fp32, fp32, feeds, { output: 'nope' }), /output 'nope' missing/);
});

test('guardWebGpu: keeps a matching session, falls back to WASM (or only warns) on a mismatch', async () => {
  const released = [];
  const open = async (f) => {
    const s = await ort.InferenceSession.create(readFileSync(path.join(tmp, 'onnx', f)));
    return { run: (feeds) => s.run(feeds), release: () => { released.push(f); return s.release(); } };
  };
  const feeds = probeFeeds(ort.Tensor, [[0, 31, 4000, 2]], { tokenTypes: false });
  const warnings = [];
  const warn = (m) => warnings.push(m);
  // Stand-in for a WebGPU session: the q4 model, compared with fp32 on WASM under a threshold it misses.
  const keep = await guardWebGpu({ session: await open('model.onnx'), openWasm: () => open('model.onnx'), feeds, warn });
  assert.equal(keep.device, 'webgpu');
  assert.equal(keep.guard.ok, true);
  assert.deepEqual(released, ['model.onnx'], 'the probe WASM session is released');
  assert.deepEqual(warnings, []);
  const strict = 0.9999999;
  const fell = await guardWebGpu({ session: await open('model_q4.onnx'), openWasm: () => open('model.onnx'), feeds, threshold: strict, warn });
  assert.equal(fell.device, 'wasm');
  assert.equal(fell.guard.fellBack, true);
  assert.equal(fell.guard.threshold, strict);
  assert.ok(fell.guard.cosine < strict);
  assert.match(warnings[0], /falling back to WASM/);
  assert.ok(released.includes('model_q4.onnx'), 'the replaced WebGPU session is released');
  const out = await fell.session.run(feeds);
  assert.ok(out.last_hidden_state.data.length > 0, 'the fallback session works');
  const kept = await guardWebGpu({ session: await open('model_q4.onnx'), openWasm: () => open('model.onnx'), feeds, threshold: strict, fallback: false, warn });
  assert.equal(kept.device, 'webgpu');
  assert.equal(kept.guard.ok, false);
  assert.match(warnings[1], /keeping WebGPU/);
});
