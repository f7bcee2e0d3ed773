// The search demo, end to end in headless Chromium: a generated tiny model served from
// 127.0.0.1 by demo/serve.js, the committed sample documents (356 KorSTS / KLUE-STS / STS-B
// texts), indexing in the page's Web Worker, dense / lexical / hybrid search, upload, cancel,
// persistence across a reload, HTML injection, keyboard navigation and a phone-width layout.
// Also takes the README's screenshot: build/demo.png, and docs/demo.png when
// WASMBED_UPDATE_SCREENSHOT=1 (so ordinary test runs do not rewrite a committed file).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startDemoServer } from '../../demo/serve.js';
import { makeModel } from '../../models/generator/index.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { searchDemo, waitDemoReady } from '../helpers/demo-page.js';
import { REPO_ROOT } from '../helpers/paths.js';

const skip = await browserSkipReason();
const MODELS = path.join(REPO_ROOT, 'build', 'test-models', 'demo');
const SAMPLE = readFileSync(path.join(REPO_ROOT, 'demo', 'sample-docs.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l));
let server;
let browser;
let page;
const pageErrors = [];
const served = []; // "GET /path" for every request the demo server answered

before(async () => {
  if (skip) return;
  await makeModel(path.join(MODELS, 'demo-model'), { preset: 'tiny-bert', seed: 7 });
  // The same model without the generator's random-weights marker (as a converted model has none).
  const plain = path.join(MODELS, 'plain-model');
  rmSync(plain, { recursive: true, force: true });
  cpSync(path.join(MODELS, 'demo-model'), plain, { recursive: true });
  const config = JSON.parse(readFileSync(path.join(plain, 'config.json'), 'utf8'));
  delete config.wasmbed_generated;
  writeFileSync(path.join(plain, 'config.json'), JSON.stringify(config));
  server = await startDemoServer({ port: 0, modelsDir: MODELS, log: (line) => served.push(line) });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(`${server.url}/demo/`);
  await waitReady();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const demoState = () => page.evaluate(() => ({ ...window.__demo }));

const waitReady = (timeout) => waitDemoReady(page, timeout);

async function waitIndexed(docs, timeout = 60_000) {
  await page.waitForFunction((n) => window.__demo.docs === n && !window.__demo.indexing, docs, { timeout });
}

const search = (query, mode) => searchDemo(page, query, mode);

async function addPaste(text) {
  const { docs } = await demoState();
  await page.fill('#paste', text);
  await page.click('#add-paste');
  await waitIndexed(docs + 1);
}

test('demo: loads the model, shows backend and isolation, indexes the sample in the worker', { skip, timeout: 120_000 }, async () => {
  assert.equal(await page.textContent('#env-isolated'), 'yes', 'demo/serve.js sends COOP/COEP');
  assert.notEqual(await page.textContent('#env-backend'), '–');
  // Isolated, ONNX Runtime WASM runs on every core: wasmbed sets numThreads to
  // hardwareConcurrency (ORT's own default, half the cores, showed "1 / 2 cores" here, issue #14.3).
  const threads = (await page.textContent('#env-threads')).match(/^(\d+) \/ (\d+) cores$/);
  assert.ok(threads, `threads shown as "N / M cores": ${await page.textContent('#env-threads')}`);
  assert.match(await page.textContent('#env-backend'), /^wasm/);
  assert.equal(Number(threads[1]), Number(threads[2]), 'the demo uses every core');
  assert.equal(Number(threads[2]), await page.evaluate(() => navigator.hardwareConcurrency));
  // ...and ORT really started them: its pool is one Web Worker per thread beyond the calling one
  // (the demo's search worker), each running ORT's module.
  const ortWorkers = page.workers().filter((w) => /\/onnxruntime-web\//.test(w.url()));
  assert.equal(ortWorkers.length, Number(threads[1]) - 1, `ORT thread workers: ${ortWorkers.map((w) => w.url()).join(', ')}`);
  const t0 = Date.now();
  await page.click('#load-sample');
  await page.waitForSelector('#index-progress:not([hidden])', { state: 'attached' });
  await waitIndexed(SAMPLE.length);
  const ms = Date.now() - t0;
  const s = await demoState();
  assert.ok(s.passages > SAMPLE.length, `long sample documents are split into passages (${s.passages})`);
  console.log(`indexed ${SAMPLE.length} documents / ${s.passages} passages in ${ms} ms`);
});

test('demo: says the generated model has random weights; offers the supported models by name with download sizes', { skip }, async () => {
  assert.equal(await page.isVisible('#model-notice'), true, 'the random-weights notice is shown for the generated model');
  assert.match(await page.textContent('#model-notice'), /random weights.*meaningless.*Lexical search/s);
  const names = await page.$$eval('#model-pick option', (os) => os.map((o) => o.textContent));
  for (const name of ['multilingual-e5-small', 'KoE5', 'bge-m3-ko', 'USER-bge-m3', 'ko-sroberta-multitask', 'all-MiniLM-L6-v2']) {
    assert.ok(names.some((n) => n.startsWith(name)), `${name} is offered (${names.join(', ')})`);
  }
  await page.selectOption('#model-pick', 'nlpai-lab/KoE5');
  assert.equal(await page.inputValue('#model-source'), 'nlpai-lab/KoE5');
  const dtypes = await page.$$eval('#model-dtype option', (os) => os.map((o) => o.textContent));
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'models', 'manifests', 'nlpai-lab--KoE5.json'), 'utf8'));
  assert.deepEqual(dtypes, ['q8', 'q4', 'fp16', 'fp32'].map((d) => `${d} · ${manifest.download[d] >= 1e9 ? `${(manifest.download[d] / 1e9).toFixed(2)} GB` : `${Math.round(manifest.download[d] / 1e6)} MB`}`));
  assert.match(await page.textContent('#model-size'), /nlpai-lab\/KoE5 · 1024 dims .*q8 download 560 MB/);
  // Back to the loaded model without loading anything.
  await page.selectOption('#model-pick', '/models/demo-model/');
  assert.equal(await page.inputValue('#model-source'), '/models/demo-model/');
  assert.deepEqual(await page.$$eval('#model-dtype option', (os) => os.map((o) => o.value)), ['fp32']);
});

test('demo: a document\'s exact text ranks it first (dense, hybrid)', { skip }, async () => {
  for (const [i, mode] of [[12, 'dense'], [170, 'dense'], [300, 'hybrid'], [40, 'hybrid']]) {
    const doc = SAMPLE[i];
    const results = await search(doc.text, mode);
    assert.ok(results.length > 0, `${mode}: results for ${doc.id}`);
    assert.equal(results[0].title, doc.title ?? doc.id, `${mode}: ${doc.text}`);
    assert.equal(results[0].passage, doc.text);
  }
  assert.match(await page.textContent('#search-meta'), /\d+(\.\d+)? ms in the worker/);
});

test('demo: lexical mode finds a rare token and highlights it', { skip }, async () => {
  const rare = '뷁꿻';
  assert.ok(!SAMPLE.some((d) => d.text.includes('뷁') || d.text.includes('꿻')), 'the token is absent from the sample');
  await addPaste(`Lexical probe\nThe access code for the archive is ${rare}, written on the last page.`);
  const results = await search(rare, 'lexical');
  assert.equal(results[0].title, 'Lexical probe');
  assert.ok(results[0].marks.join('').includes('뷁'), `highlighted: ${JSON.stringify(results[0].marks)}`);
  assert.match(results[0].score, /BM25/);
});

test('demo: document content is rendered as text, never as HTML', { skip }, async () => {
  const evil = '<img src=x onerror=window.__pwned=1> <script>window.__pwned=2</script> payload 뷂뷃';
  await addPaste(evil);
  const results = await search('뷂뷃', 'lexical');
  assert.equal(results[0].passage, evil);
  assert.equal(await page.$$eval('#results img, #results script', (n) => n.length), 0);
  await page.click('#results .result'); // expand: the whole document, also as text
  await page.waitForFunction(() => !document.querySelector('#results .result.expanded[data-pending]'));
  assert.equal(await page.$$eval('#results img, #results script', (n) => n.length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
});

test('demo: uploading a .md file adds a document', { skip }, async () => {
  const { docs } = await demoState();
  const text = '# Field notes\n\nThe heron waited by the weir for an hour before the first trout rose. 쀍쀎 marks the spot.';
  await page.setInputFiles('#files', { name: 'field-notes.md', mimeType: 'text/markdown', buffer: Buffer.from(text) });
  await waitIndexed(docs + 1);
  const results = await search(text, 'dense');
  assert.equal(results[0].title, 'field-notes.md');
});

test('demo: keyboard navigation through results', { skip }, async () => {
  await search(SAMPLE[5].text, 'hybrid');
  await page.focus('#q');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.rank), '1');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.rank), '2');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
  await page.keyboard.press('Escape');
});

test('demo: cancel stops indexing and keeps only whole documents', { skip, timeout: 60_000 }, async () => {
  const { docs } = await demoState();
  const lines = [];
  for (let i = 0; i < 1500; i += 1) lines.push(JSON.stringify({ id: `bulk-${i}`, text: `${SAMPLE[i % SAMPLE.length].text} (copy ${i})` }));
  await page.setInputFiles('#files', { name: 'bulk.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) });
  await page.waitForFunction(() => window.__demo.indexing && document.querySelector('#index-progress').value > 0, null, { timeout: 20_000 });
  assert.match(await page.textContent('#index-eta'), /passages/);
  await page.click('#cancel');
  await page.waitForFunction(() => !window.__demo.indexing, null, { timeout: 20_000 });
  const s = await demoState();
  assert.ok(s.docs > docs && s.docs < docs + 1500, `some but not all documents indexed (${s.docs - docs})`);
  assert.match(await page.textContent('#index-status'), /cancelled/);
  assert.equal(s.passages >= s.docs, true);
});

test('demo: after a reload the index is still there and searchable, offline', { skip, timeout: 120_000 }, async () => {
  const { docs, passages } = await demoState();
  // Offline: the model server is gone; the model must come from the browser's cache.
  let modelRequests = 0;
  await page.route('**/models/**', (route) => {
    modelRequests += 1;
    return route.abort('internetdisconnected');
  });
  const servedBefore = served.length;
  try {
    await page.reload();
    await page.waitForFunction((n) => window.__demo?.docs === n, docs, { timeout: 20_000 });
    const restored = await demoState();
    assert.equal(restored.passages, passages);
    assert.equal(restored.restored, true);
    await waitReady();
    assert.match(await page.textContent('#model-status'), /from cache/);
    const results = await search(SAMPLE[77].text, 'dense');
    assert.equal(results[0].title, SAMPLE[77].title ?? SAMPLE[77].id);
    const lexical = await search('뷁꿻', 'lexical');
    assert.equal(lexical[0].title, 'Lexical probe');
    const fromServer = served.slice(servedBefore).filter((l) => l.includes(' /models/'));
    assert.deepEqual(fromServer, [], 'no model file was fetched from the server after the reload');
    console.log(`offline reload: ${modelRequests} model request(s) refused, all model files came from the browser cache`);
  } finally {
    await page.unroute('**/models/**');
  }
});

test('demo: readable at phone width (no horizontal scrolling)', { skip }, async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await search(SAMPLE[3].text, 'hybrid');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
  await page.setViewportSize({ width: 1280, height: 860 });
});

test('demo: screenshot for the README', { skip }, async () => {
  await search('한 남자가 기타를 치고 있다.', 'hybrid');
  const target = process.env.WASMBED_UPDATE_SCREENSHOT === '1' ? path.join(REPO_ROOT, 'docs', 'demo.png') : path.join(REPO_ROOT, 'build', 'demo.png');
  mkdirSync(path.dirname(target), { recursive: true });
  await page.screenshot({ path: target });
  assert.deepEqual(pageErrors, []);
});

test('demo: a local model folder picked with the directory picker loads; re-indexing pauses and resumes', { skip, timeout: 120_000 }, async () => {
  const before = await demoState();
  await page.setInputFiles('#model-folder', path.join(MODELS, 'demo-model'));
  await page.waitForFunction(() => window.__demo.model?.state === 'ready' && /local folder/.test(window.__demo.model.name), null, { timeout: 60_000 });
  // Vectors from another model source are rebuilt from the stored documents. Cancelling pauses
  // the rebuild: no document is lost, and Resume finishes it.
  await page.waitForFunction(() => window.__demo.indexing && window.__demo.docs >= 20, null, { timeout: 30_000 });
  await page.click('#cancel');
  await page.waitForFunction(() => !window.__demo.indexing, null, { timeout: 20_000 });
  const paused = await demoState();
  assert.ok(paused.paused > 0, 'some documents are paused');
  assert.equal(paused.docs + paused.paused, before.docs, 'cancel during a re-index loses no document');
  const results = await search(SAMPLE[0].text, 'dense');
  assert.equal(results[0].title, SAMPLE[0].title ?? SAMPLE[0].id);
  await page.click('#resume');
  await page.waitForFunction(() => window.__demo.indexing && window.__demo.paused === 0, null, { timeout: 10_000 });
  assert.deepEqual(pageErrors, []);
});

test('demo: a model without the generator marker shows no random-weights notice', { skip, timeout: 120_000 }, async () => {
  // After the resumed re-index: each status from the worker puts a local folder's name back in
  // the source box, so the value is set and submitted in one step.
  await waitReady(120_000);
  await page.evaluate(() => {
    document.getElementById('model-source').value = '/models/plain-model/';
    document.getElementById('model-form').requestSubmit();
  });
  await page.waitForFunction(() => window.__demo.model?.state === 'ready' && window.__demo.model.name.includes('plain-model'), null, { timeout: 60_000 })
    .catch(async (err) => assert.fail(`${err.message}: ${JSON.stringify(await demoState())}`));
  assert.equal(await page.isVisible('#model-notice'), false);
  assert.equal((await demoState()).model.generated, false);
});
