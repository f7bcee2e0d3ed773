// The demo's second source in headless Chromium: a static index built here by the real indexer
// (buildIndex, the code of `wasmbed index build`) from a dozen texts with the tiny test model, served
// next to the demo and opened with ?index=URL. Lexical and dense queries find known documents with
// their snippets, partitions are fetched on demand, and nothing but queries is embedded in the tab.
// An index built for another model is refused with the ModelMismatchError message and an offer
// to load the index's model. Seconds: 12 passages, a 2-layer model.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startDemoServer } from '../../demo/serve.js';
import { writeStaticIndex } from '../../js/index.js';
import { buildIndex } from '../../js/indexer/index.js';
import { makeModel } from '../../models/generator/index.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { searchDemo, waitDemoReady } from '../helpers/demo-page.js';
import { REPO_ROOT } from '../helpers/paths.js';

const skip = await browserSkipReason();
const MODELS = path.join(REPO_ROOT, 'build', 'test-models', 'demo-static');
const RARE = 'quokkaglyph';
const DOCS = [
  { id: 'ferry', title: 'Harbour ferry', text: 'The harbour ferry leaves every half hour from the north pier.' },
  { id: 'glacier', title: 'Glacier walk', text: 'Guides lead the glacier walk at dawn, before the ice softens.' },
  { id: 'sourdough', title: 'Sourdough', text: 'Feed the sourdough starter twice a day with equal flour and water.' },
  { id: 'lighthouse', title: 'Lighthouse log', text: `The keeper wrote ${RARE} in the lighthouse log on the night of the storm.` },
  { id: 'orchard', title: 'Orchard', text: 'The orchard harvest starts when the first apples drop.' },
  { id: 'ko', title: '한국어 문서', text: '안전모를 쓴 한 남자가 춤을 추고 있다.' },
  { id: 'ru', title: 'Русский текст', text: 'Мужчина в каске танцует на улице.' },
  { id: 'tram', title: 'Night tram', text: 'The night tram runs until two in the morning on weekends.' },
  { id: 'bees', title: 'Beekeeping', text: 'Bees cluster around the queen to stay warm through the winter.' },
  { id: 'maps', title: 'Old maps', text: 'Old sea charts mark shallow water with tiny dotted crosses.' },
  { id: 'kiln', title: 'Kiln', text: 'The potter fires the kiln slowly so the glaze does not crack.' },
  { id: 'choir', title: 'Choir', text: 'The choir rehearses in the chapel on Thursday evenings.' },
];
let tmp;
let server;
let browser;
let page;
const served = [];
const pageErrors = [];

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-demo-static-'));
  // The folder name is the model id the indexer records; the page's /models/demo-model/ matches it.
  const model = path.join(MODELS, 'demo-model');
  await makeModel(model, { preset: 'tiny-bert', seed: 7 });
  const corpus = path.join(tmp, 'corpus.jsonl');
  writeFileSync(corpus, DOCS.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const built = await buildIndex({ out: path.join(tmp, 'build'), inputs: [corpus], model, metadataFields: 'title', workers: 1, threads: 1 });
  mkdirSync(path.join(tmp, 'served'));
  // An index of another model (a supported one the picker knows), for the refusal.
  const other = Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 0.7));
  await writeStaticIndex(path.join(tmp, 'served', 'other'), {
    dims: 64, vectors: other, ids: ['a', 'b', 'c', 'd'], texts: ['harbour a', 'harbour b', 'glacier c', 'kiln d'],
    model: { id: 'nlpai-lab/KoE5', dtype: 'q8', pooling: 'mean', normalize: true, dims: 64 },
  });
  server = await startDemoServer({
    port: 0, modelsDir: MODELS, indexDir: built.index,
    mounts: { '/test-indexes/': path.join(tmp, 'served') }, log: (line) => served.push(line),
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // ?index= names the index; /demo-index/ is where demo/serve.js serves the prebuilt one.
  await page.goto(`${server.url}/demo/?index=/demo-index/`);
  await waitDemoReady(page);
  await page.waitForFunction(() => window.__demo.staticIndex?.state === 'open' && window.__demo.staticIndex.check?.ok === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const demoState = () => page.evaluate(() => ({ ...window.__demo }));

/**
 * One query, sent exactly once (searchDemo's typing also fires the debounced search, which would
 * fetch before the measured query does): the box is set without input events, then Enter.
 */
async function searchOnce(query, mode) {
  await page.$eval('#q', (el) => { el.value = ''; });
  await page.check(`input[name=mode][value=${mode}]`); // with an empty box: no search
  await page.$eval('#q', (el, v) => { el.value = v; }, query);
  await page.press('#q', 'Enter');
  const seq = await page.evaluate(() => window.__demo.seq);
  await page.waitForFunction((n) => window.__demo.shownSeq === n, seq, { timeout: 15_000 });
  return page.$$eval('#results .result', (items) => items.map((li) => ({
    title: li.querySelector('.result-title').textContent,
    score: li.querySelector('.result-score').textContent,
    where: li.querySelector('.result-where').textContent,
    passage: li.querySelector('.result-passage').textContent,
    marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
  })));
}

test('demo static index: ?index= opens it, shows its manifest and searches it without indexing in the tab', { skip, timeout: 60_000 }, async () => {
  const s = await demoState();
  assert.equal(s.source, 'static');
  assert.equal(s.staticIndex.count, DOCS.length);
  assert.equal(await page.textContent('#static-count'), String(DOCS.length));
  assert.match(await page.textContent('#static-model'), /^demo-model · fp32 · mean pooling/);
  assert.match(await page.textContent('#static-dims'), /^64 · cosine/);
  assert.match(await page.textContent('#static-storage'), /^int8 · BM25 segments/);
  assert.match(await page.textContent('#static-partitions'), /^\d+ /);
  assert.match(await page.textContent('#static-status'), /the model matches/);
  assert.equal(await page.isDisabled('input[name=mode][value=bge-m3]'), true, 'a static index has no BGE-M3 outputs');

  // Lexical: a word only one document has; its snippet and metadata come from the document store.
  const lexical = await searchOnce(RARE, 'lexical');
  assert.equal(lexical[0].title, 'Lighthouse log');
  assert.equal(lexical[0].passage, DOCS[3].text);
  assert.deepEqual(lexical[0].marks, [RARE]);
  assert.match(lexical[0].score, /^BM25 /);
  assert.match(lexical[0].where, /^lighthouse#0 · row 3/);
  let q = (await demoState()).lastQuery;
  assert.equal(q.source, 'static');
  assert.equal(q.fetched.partitions, 0, 'a lexical query fetches no partition');
  assert.ok(q.fetched.lexicalSegments === 1 && q.fetched.docChunks === 1, JSON.stringify(q.fetched));

  // Dense: a document's exact text embeds to its own vector, so it ranks first; partitions are fetched now.
  const dense = await searchOnce(DOCS[9].text, 'dense');
  assert.equal(dense[0].title, 'Old maps');
  assert.equal(dense[0].passage, DOCS[9].text);
  q = (await demoState()).lastQuery;
  assert.ok(q.fetched.partitions >= 1, `partitions fetched: ${JSON.stringify(q.fetched)}`);
  assert.ok(served.some((l) => /^GET \/demo-index\/part-\d+-[0-9a-f]{16}\.wbix$/.test(l)), 'the page fetched partition files');
  const meta = await page.textContent('#search-meta');
  assert.match(meta, /static index · dense · \d+\.\d ms in the worker \(query embedding \d+\.\d ms\)/);
  assert.match(meta, /fetched \d+ files? \([\d.]+ (B|KB)\): \d+ partitions?/);

  const hybrid = await searchOnce(`${RARE} storm`, 'hybrid');
  assert.equal(hybrid[0].title, 'Lighthouse log');
  assert.match(hybrid[0].score, /^RRF /);

  const after = await demoState();
  assert.equal(after.embeddedPassages, 0, 'no document was embedded in the tab');
  assert.equal(after.passages, 0, 'nothing was indexed in the tab');
  assert.ok(after.queriesEmbedded >= 2, `the dense and hybrid queries were embedded (${after.queriesEmbedded})`);
  assert.deepEqual(pageErrors, []);
});

test('demo static index: an index of another model is refused with the mismatch message and an offer to load its model', { skip, timeout: 30_000 }, async () => {
  await page.fill('#static-url', '/test-indexes/other/');
  await page.click('#static-open');
  await page.waitForSelector('#static-mismatch:not([hidden])');
  const message = await page.textContent('#static-mismatch-text');
  assert.match(message, /^StaticIndex: the query model does not match the model the index was built with: id "demo-model" \(index: "nlpai-lab\/KoE5"\)/);
  assert.match(message, /dtype "fp32" \(index: "q8"\)/);
  assert.equal(await page.textContent('#static-switch'), "Load the index's model (nlpai-lab/KoE5)");
  // (Not pressed: it would load the model from the Hub.) What it would load: the index's model and dtype.
  assert.deepEqual(await page.$eval('#static-switch', (b) => ({ ...b.dataset })), { model: 'nlpai-lab/KoE5', dtype: 'q8' });
  // Dense queries are refused; lexical search needs no model and still works.
  const results = await searchDemo(page, 'harbour', 'dense');
  assert.deepEqual(results.map((r) => r.title).sort(), ['a', 'b']);
  assert.match(await page.textContent('#search-meta'), /lexical · .*the model does not match the index/);
  assert.equal((await demoState()).embeddedPassages, 0);
});
