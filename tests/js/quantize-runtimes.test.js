// The quantized graphs this package writes, run through the real Embedder on onnxruntime-node and
// on onnxruntime-web WASM, against the float32 file: the bias-corrected dynamic-int8 layout
// (DynamicQuantizeLinear + MatMulInteger, per column and per tensor), MatMulNBits with int8
// activations (accuracy_level 4) and GPTQ-rounded q4. Each must stay close to float32 on both
// runtimes, and both runtimes must agree on the same file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { compareModels } from '../../js/quantize/evaluate.js';
import { skipUnless } from '../helpers/skip.js';

const ort = await import('onnxruntime-node').catch(() => null);
const skip = skipUnless(ort, 'onnxruntime-node is not installed');
const CALIBRATION = ['The weather is nice today.', '오늘 날씨가 맑다.', 'Сегодня хорошая погода.', 'Two dogs run across the field.'];
const TEXTS = ['A man is playing a guitar.', '고양이가 창가에서 잠을 잔다.', 'Дети играют в парке.', 'ISBN 978-3-16-148410-0', '🙂🙂 ok', 'a'];

// [file, quantizer options, minimum mean cosine, minimum worst cosine]
const FILES = [
  ['model_int8.onnx', { format: 'int8-dynamic' }, 0.999, 0.998],
  ['model_int8_pt.onnx', { format: 'int8-dynamic', perChannel: false }, 0.998, 0.995],
  ['model_q8_al4.onnx', { format: 'q8', accuracyLevel: 4 }, 0.999, 0.998],
  ['model_q4_gptq.onnx', { format: 'q4' }, 0.99, 0.98],
];

let dir;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-quant-runtimes-'));
  await makeModel(dir, { preset: 'tiny-bert', config: { num_hidden_layers: 2 }, seed: 17 });
  for (const [file, opts] of FILES) await quantizeModel(path.join(dir, 'onnx/model.onnx'), path.join(dir, 'onnx', file), { ...opts, calibration: { texts: CALIBRATION } });
});

after(() => rmSync(dir, { recursive: true, force: true }));

for (const [file, , mean, worst] of FILES) {
  test(`${file}: close to float32 on onnxruntime-node and on ORT-web WASM`, { skip }, async (t) => {
    const fp32 = path.join(dir, 'onnx/model.onnx'), q = path.join(dir, 'onnx', file);
    const cpu = await compareModels(fp32, q, TEXTS, { device: 'cpu' });
    const wasm = await compareModels(fp32, q, TEXTS, { device: 'wasm' });
    t.diagnostic(`${file}: cpu ${cpu.mean.toFixed(6)} / ${cpu.min.toFixed(6)}, wasm ${wasm.mean.toFixed(6)} / ${wasm.min.toFixed(6)}`);
    for (const [name, r] of [['cpu', cpu], ['wasm', wasm]]) {
      assert.ok(r.mean >= mean, `${name} mean cosine ${r.mean} < ${mean}`);
      assert.ok(r.min >= worst, `${name} worst cosine ${r.min} < ${worst}`);
      assert.ok(r.mean < 1 - 1e-9, `${name}: identical vectors mean nothing was quantized`);
    }
    // The two runtimes compute the same quantized graph: their cosines to float32 agree closely.
    cpu.cosines.forEach((c, i) => assert.ok(Math.abs(c - wasm.cosines[i]) < 2e-3, `text ${i}: cpu ${c} vs wasm ${wasm.cosines[i]}`));
  });
}
