// BGE-M3 outputs in Chromium: ORT-web WASM + the C++ heads give the same sparse / ColBERT outputs
// as Node, for both head sources (separate files, heads inside the graph), and hybrid search over
// an M3Index (float16 ColBERT storage) returns the exact-text document first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Embedder } from '../../js/index.js';
import { makeModel } from '../../models/generator/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = await browserSkipReason();
const DOCS = [
  'the dog the dog the dog music music water water city city',
  'a cat sitting on the water',
  'query embedding model search vector',
  'people playing music in the city',
  'water music for the people',
  'a dog and a cat in the house',
];
let tmp, server, browser, page;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(REPO_ROOT, 'build', 'bge-m3-browser-'));
  await makeModel(tmp, { preset: 'tiny-xlm-roberta', heads: true, seed: 7 });
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/gen/': tmp } });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/bge-m3.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('Chromium: hybrid search returns the exact-text document first; outputs match Node', { skip, timeout: 120_000 }, async () => {
  const node = await Embedder.load(tmp, { device: 'cpu' });
  const [want] = await node.embed([DOCS[0]], { outputs: ['sparse', 'colbert'] });
  await node.dispose();
  for (const modelFile of ['onnx/model.onnx', 'onnx/model_with_heads.onnx']) {
    const r = await page.evaluate(([u, d, f]) => window.m3Search(u, d, d, f), [`${server.url}/gen/`, DOCS, modelFile]);
    assert.ok(!r.error, r.error);
    r.tops.forEach((top, i) => assert.equal(top[0], i, `${modelFile}: query ${i} -> ${top}`));
    assert.deepEqual(r.first.sparseIds, Array.from(want.sparse.ids));
    r.first.sparseWeights.forEach((w, k) => assert.ok(Math.abs(w - want.sparse.weights[k]) < 1e-4));
    assert.equal(r.first.count, want.colbert.count);
    r.first.colbert.forEach((x, k) => assert.ok(Math.abs(x - want.colbert.vectors[k]) < 1e-4));
  }
});
