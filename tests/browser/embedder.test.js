// The Embedder in Chromium: browser WASM matches Node's onnxruntime-node, and WebGPU
// (SwiftShader) either agrees with WASM (cosine >= 0.9999 per text) or is caught by the load-time
// guard, which falls back to WASM — the vectors a user gets are right either way.
// Found here (onnxruntime-web 1.30, JSEP WebGPU): LayerNorm(Add(x, row)) with a broadcast [1, H]
// row is fused into SkipLayerNormalization and computed wrongly (token cosine ~0.46 to WASM). The
// generator now orders the embedding adds to avoid it, so both graphs must pass the guard here;
// Hub exports with that pattern are caught by the guard and fall back to WASM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Embedder } from '../../js/index.js';
import { makeModel } from '../../models/generator/index.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { committedSample, cosine, maxAbsDiff } from '../helpers/embedder-models.js';

const skip = await browserSkipReason();
const texts = committedSample().filter((t) => t.length < 300);
const PRESETS = ['tiny-bert', 'tiny-xlm-roberta'];
let tmp, server, browser, page, jsepPage;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(REPO_ROOT, 'build', 'embedder-browser-'));
  for (const preset of PRESETS) await makeModel(path.join(tmp, preset), { preset, seed: 11, config: { num_hidden_layers: 1 } });
  // q8 = 8-bit MatMulNBits, a kernel the JSEP WebGPU build lacks (the native WebGPU build has it).
  await quantizeModel(path.join(tmp, 'tiny-bert/onnx/model.onnx'), path.join(tmp, 'tiny-bert/onnx/model_quantized.onnx'), { format: 'q8', block: 32 });
  // int8 compute (MatMulInteger), the default quantized layout: WebGPU has no kernels for it.
  await quantizeModel(path.join(tmp, 'tiny-bert/onnx/model.onnx'), path.join(tmp, 'tiny-bert/onnx/model_int8.onnx'), { format: 'int8-dynamic', calibration: false });
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/gen/': tmp } });
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/embedder.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
  jsepPage = await browser.newPage();
  await jsepPage.goto(`${server.url}/tests/browser/pages/embedder.html?builds=default`);
  await jsepPage.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

for (const preset of PRESETS) {
  test(`${preset}: Chromium WASM matches Node; WebGPU agrees with WASM or falls back`, { skip, timeout: 240_000 }, async (t) => {
    const url = `${server.url}/gen/${preset}/`;
    const wasm = await page.evaluate(([u, x]) => window.embedWith(u, 'wasm', x), [url, texts]);
    assert.ok(!wasm.error, wasm.error);
    assert.equal(wasm.info.device, 'wasm');
    const node = await Embedder.load(path.join(tmp, preset), { device: 'cpu' });
    const want = await node.embed(texts);
    await node.dispose();
    texts.forEach((_, i) => assert.ok(maxAbsDiff(wasm.vectors[i], want[i]) < 1e-4, `browser WASM vs Node, text ${i}`));

    const gpu = await page.evaluate(([u, x]) => window.embedWith(u, 'webgpu', x), [url, texts]);
    if (gpu.error && /webgpu|adapter|gpu/i.test(gpu.error)) {
      t.skip(`WebGPU unavailable in this Chromium: ${gpu.error}`);
      return;
    }
    assert.ok(!gpu.error, gpu.error);
    const guard = gpu.info.webgpuGuard;
    t.diagnostic(`webgpu guard: ${JSON.stringify(guard)}; device ${gpu.info.device}`);
    assert.ok(guard, 'the WebGPU load-time check ran');
    assert.equal(gpu.info.device, guard.ok ? 'webgpu' : 'wasm');
    assert.equal(guard.ok, true, `the generated fp32 ${preset} graph is computed correctly on WebGPU`);
    let worst = 1;
    texts.forEach((_, i) => {
      const c = cosine(gpu.vectors[i], wasm.vectors[i]);
      worst = Math.min(worst, c);
      assert.ok(c >= 0.9999, `text ${i}: cosine ${c}`);
    });
    t.diagnostic(`worst WASM/WebGPU-session cosine ${worst}`);
  });
}

// Session creation on WebGPU fails for some models on some builds. wasmbed tries the native
// WebGPU build first (it has 8-bit MatMulNBits); where only the JSEP build is available, the
// failure falls back to WASM with the reason in info, or is an error with strictDevice.
test('q8 on WebGPU: the native WebGPU build runs it; with only the JSEP build it falls back to WASM, or fails with strictDevice', { skip, timeout: 300_000 }, async (t) => {
  const url = `${server.url}/gen/tiny-bert/`;
  const q8 = { dtype: 'q8' };
  const wasm = await page.evaluate(([u, x, o]) => window.embedWith(u, 'wasm', x, o), [url, texts, q8]);
  assert.ok(!wasm.error, wasm.error);
  assert.equal(wasm.info.ortBuild, 'wasm');

  const gpu = await page.evaluate(([u, x, o]) => window.embedWith(u, 'webgpu', x, o), [url, texts, q8]);
  if (gpu.error && /adapter|no available backend/i.test(gpu.error)) {
    t.skip(`WebGPU unavailable in this Chromium: ${gpu.error}`);
    return;
  }
  assert.ok(!gpu.error, gpu.error);
  t.diagnostic(`native build: device ${gpu.info.device}, guard ${JSON.stringify(gpu.info.webgpuGuard)}, fallback ${JSON.stringify(gpu.info.deviceFallback)}`);
  assert.equal(gpu.info.ortBuild, 'webgpu');
  assert.equal(gpu.info.deviceFallback, null, 'the native WebGPU build creates the q8 session');
  assert.equal(gpu.info.webgpuGuard?.ok, true);
  assert.equal(gpu.info.device, 'webgpu');
  texts.forEach((_, i) => assert.ok(cosine(gpu.vectors[i], wasm.vectors[i]) >= 0.999, `q8 WebGPU vs WASM, text ${i}`));

  const jsep = await jsepPage.evaluate(([u, x, o]) => window.embedWith(u, 'webgpu', x, o), [url, texts, q8]);
  assert.ok(!jsep.error, jsep.error);
  t.diagnostic(`JSEP build: device ${jsep.info.device}, reason: ${jsep.info.deviceReason}`);
  assert.equal(jsep.info.ortBuild, 'default');
  assert.equal(jsep.info.device, 'wasm');
  assert.equal(jsep.info.deviceFallback?.from, 'webgpu');
  assert.match(jsep.info.deviceReason, /WebGPU session creation failed/);
  texts.forEach((_, i) => assert.ok(maxAbsDiff(jsep.vectors[i], wasm.vectors[i]) < 1e-4, `JSEP fallback vs WASM, text ${i}`));

  const strict = await jsepPage.evaluate(([u, x, o]) => window.embedWith(u, 'webgpu', x, o), [url, texts, { ...q8, strictDevice: true }]);
  assert.match(strict.error ?? '', /^ModelLoadError: ONNX Runtime \(webgpu\) cannot load onnx\/model_quantized\.onnx/);
});

test('int8 compute on WebGPU: routed to WASM before any WebGPU session, with the operators in info; strictDevice makes it an error', { skip, timeout: 240_000 }, async (t) => {
  const url = `${server.url}/gen/tiny-bert/`;
  const int8 = { dtype: 'int8' };
  const wasm = await page.evaluate(([u, x, o]) => window.embedWith(u, 'wasm', x, o), [url, texts, int8]);
  assert.ok(!wasm.error, wasm.error);
  const gpu = await page.evaluate(([u, x, o]) => window.embedWith(u, 'webgpu', x, o), [url, texts, int8]);
  assert.ok(!gpu.error, gpu.error);
  t.diagnostic(`int8 on webgpu: device ${gpu.info.device}, reason: ${gpu.info.deviceReason}`);
  assert.equal(gpu.info.device, 'wasm');
  assert.deepEqual(gpu.info.deviceFallback?.missingOps, ['MatMulInteger', 'DynamicQuantizeLinear']);
  assert.match(gpu.info.deviceReason, /^routed to WASM: .*MatMulInteger/);
  assert.equal(gpu.info.webgpuGuard, null, 'no WebGPU session was made, so there was nothing to guard');
  texts.forEach((_, i) => assert.ok(maxAbsDiff(gpu.vectors[i], wasm.vectors[i]) < 1e-4, `routed int8 vs WASM, text ${i}`));
  const strict = await page.evaluate(([u, x, o]) => window.embedWith(u, 'webgpu', x, o), [url, texts, { ...int8, strictDevice: true }]);
  assert.match(strict.error ?? '', /^ModelLoadError: .*not opened on WebGPU/);
});
