// Quantized models on WebGPU (SwiftShader in headless Chromium) must compute what WASM computes:
// the check that would have caught the peers' silently wrong WebGPU vectors (peers.md item 2).
// Reference: the same quantized file run by onnxruntime-web's WASM backend in Node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { probeFeeds, rowCosines } from '../../js/embedder/webgpu-guard.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = await browserSkipReason();
// Two short probes of different content, same length (one batch).
const ROWS = [[2, 1500, 77, 9001, 420, 3], [2, 64, 22000, 5, 3100, 3]];
// SwiftShader compiles every WebGPU kernel on the CPU (~10 s a model on 2 cores), so the default
// run checks BERT; WASMBED_WEBGPU_ALL=1 checks all three architectures.
const PRESETS = process.env.WASMBED_WEBGPU_ALL ? ['tiny-bert', 'tiny-roberta', 'tiny-xlm-roberta'] : ['tiny-bert'];
let tmp, server, browser, page;
const files = {};

async function wasmOutput(file) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(readFileSync(file));
  const out = await session.run(probeFeeds(ort.Tensor, ROWS, { tokenTypes: session.inputNames.includes('token_type_ids') }));
  await session.release();
  return out.last_hidden_state.data;
}

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(REPO_ROOT, 'build', 'quantize-webgpu-'));
  for (const preset of PRESETS) {
    await makeModel(path.join(tmp, preset), { preset, config: { num_hidden_layers: 1 }, seed: 11 });
    for (const format of ['q8', 'q4']) {
      files[`${preset}-${format}`] = `${preset}/onnx/model_${format}.onnx`;
      await quantizeModel(path.join(tmp, preset, 'onnx/model.onnx'), path.join(tmp, files[`${preset}-${format}`]), { format, block: 32 });
    }
  }
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/gen/': tmp } });
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage();
  // The native WebGPU execution provider build: it has 8-bit MatMulNBits (the JSEP build has not).
  await page.goto(`${server.url}/tests/browser/pages/ort-compare.html?bundle=ort.webgpu.min.mjs`);
  await page.waitForFunction(() => window.ortReady === true, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

for (const [preset, format] of PRESETS.flatMap((p) => [[p, 'q8'], [p, 'q4']])) {
  test(`${preset} ${format} MatMulNBits + GatherBlockQuantized on WebGPU equals WASM (cosine >= 0.9999 per token)`, { skip, timeout: 120_000 }, async (t) => {
    assert.equal(await page.evaluate(() => window.gpuAdapter()), true, 'Chromium exposes no WebGPU adapter');
    const file = files[`${preset}-${format}`];
    const gpu = await page.evaluate(([u, rows]) => window.runModel(u, 'webgpu', rows), [`/gen/${file}`, ROWS]);
    assert.ok(!gpu.error, `WebGPU session failed: ${gpu.error}`);
    const ref = await wasmOutput(path.join(tmp, file));
    const { min, mean } = rowCosines(gpu.output, ref, 64);
    t.diagnostic(`${preset} ${format}: WebGPU vs WASM token cosine min ${min.toFixed(7)} mean ${mean.toFixed(7)}`);
    assert.ok(min >= 0.9999, `WebGPU output differs from WASM: min cosine ${min}`);
  });
}
