// The demo's 'bge-m3' mode in headless Chromium: with a generated tiny BGE-M3-architecture model
// (XLM-R encoder + sparse_linear / colbert_linear head files) the worker indexes every passage's
// dense, lexical and ColBERT outputs, and a document's exact text ranks it first under the
// weighted dense + lexical + ColBERT score. The BGE-M3 index (with its ColBERT multi-vectors) is
// saved with the others: after a reload the mode answers at once, with the same scores.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startDemoServer } from '../../demo/serve.js';
import { makeModel } from '../../models/generator/index.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { searchDemo, waitDemoReady } from '../helpers/demo-page.js';
import { REPO_ROOT } from '../helpers/paths.js';

const skip = await browserSkipReason();
const MODELS = path.join(REPO_ROOT, 'build', 'test-models', 'demo-bge-m3');
const SAMPLE = readFileSync(path.join(REPO_ROOT, 'demo', 'sample-docs.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l));
let server;
let browser;
let page;

before(async () => {
  if (skip) return;
  await makeModel(path.join(MODELS, 'demo-model'), { preset: 'tiny-xlm-roberta', heads: true, seed: 7 });
  scaleSparseHead(path.join(MODELS, 'demo-model', 'sparse_linear.safetensors'), 0.1);
  server = await startDemoServer({ port: 0, modelsDir: MODELS, log: () => {} });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}/demo/`);
  await waitDemoReady(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(MODELS, { recursive: true, force: true });
});

/**
 * The generator's random sparse head gives lexical weights around 1-2 per token, ten times
 * bge-m3's (0.04-0.27 in its README example); unnormalized lexical scores of that size would drown
 * the dense and ColBERT terms of the weighted score. Scale it to bge-m3's range, in place.
 */
function scaleSparseHead(file, factor) {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    for (let at = 8 + n + e.data_offsets[0]; at < 8 + n + e.data_offsets[1]; at += 4) bytes.writeFloatLE(bytes.readFloatLE(at) * factor, at);
  }
  writeFileSync(file, bytes);
}

const search = (query, mode) => searchDemo(page, query, mode);

test('demo bge-m3 mode: a document\'s exact text ranks it first', { skip, timeout: 180_000 }, async () => {
  await page.click('#load-sample');
  await page.waitForFunction((n) => window.__demo.docs === n && !window.__demo.indexing, SAMPLE.length, { timeout: 120_000 });
  for (const i of [12, 170, 300, 40]) {
    const doc = SAMPLE[i];
    const results = await search(doc.text, 'bge-m3');
    const meta = await page.textContent('#search-meta');
    assert.doesNotMatch(meta, /hybrid used/, 'the model has heads: no fallback');
    assert.match(meta, /bge-m3/);
    assert.equal(results[0].title, doc.title ?? doc.id, `bge-m3: ${doc.text}`);
    assert.equal(results[0].passage, doc.text);
    assert.match(results[0].score, /BGE-M3/);
  }
});

test('demo bge-m3 mode: the ColBERT index survives a reload', { skip, timeout: 180_000 }, async () => {
  const probes = [SAMPLE[12], SAMPLE[170], SAMPLE[333]];
  const before = [];
  for (const doc of probes) before.push(await search(doc.text, 'bge-m3'));
  const docs = await page.evaluate(() => window.__demo.docs);
  assert.equal(docs, SAMPLE.length);
  await page.reload();
  await waitDemoReady(page);
  const state = await page.evaluate(() => ({ docs: window.__demo.docs, restored: window.__demo.restored, m3: window.__demo.model.m3 }));
  assert.deepEqual(state, { docs, restored: true, m3: true });
  for (const [i, doc] of probes.entries()) {
    const results = await search(doc.text, 'bge-m3');
    const meta = await page.textContent('#search-meta');
    assert.doesNotMatch(meta, /hybrid used/, `restored BGE-M3 index covers every passage: ${meta}`);
    assert.match(meta, /bge-m3/);
    assert.equal(results[0].title, doc.title ?? doc.id);
    // Identical ranking and scores: the dense, lexical and ColBERT data all came back as saved.
    assert.deepEqual(results, before[i], `same results after the reload for ${doc.id}`);
  }
});
