// Blocked attention (js/onnx/blocked-attention.js: a block of query rows at a time, plain ONNX
// ops) on WebGPU: a 1-layer model with 1,200 positions, attention in blocks of 256 rows, run
// on Chromium's SwiftShader WebGPU with the load-time guard off (so the raw WebGPU result is
// compared) and on WASM: a text past 1,024 tokens (five blocks, the last one partial) and short
// texts must give the same vectors. Small shapes keep this a few seconds; bge-m3's own graph is
// measured in bench/bge-m3-real.bench.js.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { Tokenizer } from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { committedSample, maxAbsDiff } from '../helpers/embedder-models.js';

const skip = await browserSkipReason();
const POSITIONS = 1200;
let tmp, server, browser, page;

before(async () => {
  if (skip) return;
  mkdirSync(path.join(REPO_ROOT, 'build'), { recursive: true });
  tmp = mkdtempSync(path.join(REPO_ROOT, 'build', 'webgpu-blocked-'));
  await makeModel(path.join(tmp, 'm'), {
    preset: 'tiny-bert', seed: 9, config: { num_hidden_layers: 1, max_position_embeddings: POSITIONS },
    st: { maxSeqLength: POSITIONS }, attentionBlock: 256,
  });
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/gen/': tmp } });
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/embedder.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('a blocked-attention graph past 1,024 tokens runs on WebGPU and equals WASM', { skip, timeout: 180_000 }, async (t) => {
  const sample = committedSample();
  const long = sample.join(' ');
  const texts = [long, sample[0], sample[3]];
  const url = `${server.url}/gen/m/`;
  const wasm = await page.evaluate(([u, x]) => window.embedWith(u, 'wasm', x), [url, texts]);
  assert.ok(!wasm.error, wasm.error);
  const gpu = await page.evaluate(([u, x]) => window.embedWith(u, 'webgpu', x, { webgpuGuard: false, strictDevice: true }), [url, texts]);
  if (gpu.error && /adapter|no available backend|webgpu is not/i.test(gpu.error)) {
    t.skip(`WebGPU unavailable in this Chromium: ${gpu.error}`);
    return;
  }
  assert.ok(!gpu.error, gpu.error);
  assert.equal(gpu.info.device, 'webgpu');
  const tokenizer = await Tokenizer.fromFile(path.join(tmp, 'm', 'tokenizer.json'));
  const tokens = tokenizer.encode(long).ids.length;
  tokenizer.dispose();
  assert.ok(tokens > 1024, `the long text is ${tokens} tokens`);
  const diffs = texts.map((_, i) => maxAbsDiff(gpu.vectors[i], wasm.vectors[i]));
  t.diagnostic(`long text ${Math.min(tokens, POSITIONS)} tokens; max |WebGPU - WASM| per text: ${diffs.map((d) => d.toExponential(2)).join(', ')}`);
  for (const [i, d] of diffs.entries()) assert.ok(d < 1e-4, `text ${i}: WebGPU differs from WASM by ${d}`);
});
