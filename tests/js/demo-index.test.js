// The demo's prebuilt static index: scripts/build-demo-index.js (what `npm start` runs when the
// index is missing) builds it with the indexer CLI from ../shared/texts, or from the committed
// demo/sample-docs.jsonl without them, and StaticIndex opens what it wrote; demo/serve.js serves it
// at /demo-index/ with immutable caching for the content-hashed files only. A few seconds: 25
// sentences per corpus and the 2-layer generated model.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startDemoServer } from '../../demo/serve.js';
import { StaticIndex } from '../../js/index.js';
import { makeModel } from '../../models/generator/index.js';
import { buildDemoIndex, sampleRecords, sharedCorpusRecords } from '../../scripts/build-demo-index.js';
import { REPO_ROOT, SHARED_DIR, skipUnlessShared } from '../helpers/paths.js';

const skipShared = skipUnlessShared('texts');
let tmp;
let model;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-demo-index-'));
  // Named like the demo's model: the indexer records the folder name as the model id.
  model = path.join(tmp, 'demo-model');
  await makeModel(model, { preset: 'tiny-bert', seed: 1 });
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('build-demo-index: a multilingual sample of ../shared/texts, indexed by the CLI, opens with StaticIndex', { skip: skipShared, timeout: 60_000 }, async () => {
  const records = sharedCorpusRecords(SHARED_DIR, 25);
  assert.equal(records.length, 100);
  assert.deepEqual([...new Set(records.map((r) => r.lang))], ['ko', 'en', 'ru']);
  assert.equal(new Set(records.map((r) => r.id)).size, 100, 'ids are unique');
  const logs = [];
  const built = await buildDemoIndex({ out: path.join(tmp, 'shared'), model, shared: SHARED_DIR, perCorpus: 25, quiet: true, log: (l) => logs.push(l) });
  assert.equal(built.source, 'shared');
  assert.equal(built.count, 100);
  assert.deepEqual(logs, []);
  const index = await StaticIndex.open(built.index, { preload: false });
  try {
    const m = index.manifest;
    assert.equal(m.count, 100);
    assert.equal(m.model.id, 'demo-model');
    assert.equal(m.dims, 64);
    assert.deepEqual([...m.tags].sort(), ['en', 'ko', 'ru']);
    // The demo page's model record (demo/static-source.js) passes the model check.
    index.checkModel({ id: 'demo-model', dtype: 'fp32', pooling: 'mean', normalize: true, dims: 64 });
    const en = records.find((r) => r.lang === 'en');
    const [hit] = await index.lexicalSearch(en.text, { k: 1, documents: true });
    assert.equal(hit.id, `${en.id}#0`);
    assert.equal(hit.text, en.text);
    assert.deepEqual(hit.metadata, { title: en.title, source: 'STS-B dev (English)', lang: 'en', tags: ['en'] });
    const ko = records.find((r) => r.source === 'KLUE-STS dev');
    const [koHit] = await index.lexicalSearch(ko.text, { k: 1, filter: { tags: ['ko'] } });
    assert.equal(koHit.id, `${ko.id}#0`);
  } finally {
    index.dispose();
  }
});

test('build-demo-index: without ../shared it says so and indexes demo/sample-docs.jsonl', { timeout: 60_000 }, async () => {
  const logs = [];
  const built = await buildDemoIndex({ out: path.join(tmp, 'sample'), model, shared: path.join(tmp, 'no-shared'), quiet: true, log: (l) => logs.push(l) });
  assert.equal(built.source, 'sample');
  assert.match(logs.join('\n'), /no-shared\/texts is missing .*indexing demo\/sample-docs\.jsonl instead/);
  const lines = readFileSync(path.join(REPO_ROOT, 'demo', 'sample-docs.jsonl'), 'utf8').split('\n').filter(Boolean);
  const sample = sampleRecords();
  assert.equal(sample.length, lines.length);
  assert.equal(new Set(sample.map((r) => r.id)).size, sample.length, 'repeated ids are made unique');
  const index = await StaticIndex.open(built.index);
  try {
    assert.ok(index.manifest.count >= sample.length, `${index.manifest.count} passages of ${sample.length} documents`);
    const [hit] = await index.lexicalSearch(sample[5].text, { k: 1, documents: true });
    assert.equal(hit.id, `${sample[5].id}#0`);
  } finally {
    index.dispose();
  }

  // demo/serve.js serves it at /demo-index/: the manifest revalidated, content-hashed files forever.
  const server = await startDemoServer({ port: 0, indexDir: built.index });
  try {
    const manifest = await fetch(`${server.url}/demo-index/manifest.json`);
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('cache-control'), 'no-cache');
    const { centroids, docs } = await manifest.json();
    for (const file of [centroids.file, docs.chunks[0].file]) {
      const res = await fetch(`${server.url}/demo-index/${file}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', file);
      await res.arrayBuffer();
    }
  } finally {
    await server.close();
  }
});
