// The WebGPU correctness guard (js/webgpu-guard.js) in Chromium (SwiftShader WebGPU), with the
// default onnxruntime-web bundle (what `import 'onnxruntime-web'` gives a page: WASM + JSEP
// WebGPU). onnxruntime-web 1.30's JSEP computes the Hub-style dynamic-int8 graph wrongly without
// any error (isolated: its DequantizeLinear on uint8 returns 2^31 for values below the zero
// point, which breaks the quantized embedding Gather): the guard must catch it, and must pass the
// 4-bit MatMulNBits model, which JSEP computes correctly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = await browserSkipReason();
const ROWS = [[2, 1500, 77, 9001, 420, 3]];
let tmp, server, browser, page;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(REPO_ROOT, 'build', 'webgpu-guard-'));
  await makeModel(tmp, { preset: 'tiny-bert', config: { num_hidden_layers: 1 }, seed: 5 });
  await quantizeModel(path.join(tmp, 'onnx/model.onnx'), path.join(tmp, 'onnx/model_q4.onnx'), { format: 'q4' });
  await quantizeModel(path.join(tmp, 'onnx/model.onnx'), path.join(tmp, 'onnx/model_quantized.onnx'), { format: 'int8-dynamic' });
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/gen/': tmp } });
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/ort-compare.html?bundle=ort.min.mjs`);
  await page.waitForFunction(() => window.ortReady === true, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('guard passes a q4 (MatMulNBits) model that WebGPU computes correctly', { skip, timeout: 120_000 }, async (t) => {
  const r = await page.evaluate(([u, rows]) => window.guardModel(u, rows), ['/gen/onnx/model_q4.onnx', ROWS]);
  assert.ok(!r.error, r.error);
  t.diagnostic(`q4 guard: cosine ${r.cosine} (threshold ${r.threshold})`);
  assert.equal(r.ok, true);
  assert.ok(r.cosine >= 0.9999);
});

test('guard catches the silently wrong dynamic-int8 (MatMulInteger) result of JSEP WebGPU', { skip, timeout: 120_000 }, async (t) => {
  const r = await page.evaluate(([u, rows]) => window.guardModel(u, rows), ['/gen/onnx/model_quantized.onnx', ROWS]);
  assert.ok(!r.error, r.error);
  t.diagnostic(`int8-dynamic guard: cosine ${r.cosine} (threshold ${r.threshold})`);
  // If a future onnxruntime-web fixes the kernel this flips to ok: true; then update the docs.
  assert.equal(r.ok, false, `guard let a WebGPU result through with cosine ${r.cosine}`);
});
