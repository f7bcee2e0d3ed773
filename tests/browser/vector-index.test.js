// VectorIndex / LexicalIndex in Chromium: the page imports /js/index.js from the repo root, runs a
// search checked against an in-page brute force, and persists to OPFS and IndexedDB; after a
// reload both indexes load back, and corrupted bytes raise CorruptDataError.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = await browserSkipReason();
let server, browser, page;

async function open() {
  await page.goto(`${server.url}/tests/browser/pages/vector-index.html`);
  await page.waitForFunction(() => window.indexPageReady === true, null, { timeout: 30_000 });
}

before(async () => {
  if (skip) return;
  server = await startStaticServer({ mounts: { '/': REPO_ROOT } });
  browser = await launchBrowser();
  page = await browser.newPage();
  await open();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('search in the browser matches a brute force, and persists across reloads', { skip }, async () => {
  const result = await page.evaluate(async () => {
    const { VectorIndex, LexicalIndex, saveIndex } = window.wasmbed;
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const dims = 64;
    const n = 300;
    const rows = Float32Array.from({ length: n * dims }, rand);
    const ids = Uint32Array.from({ length: n }, (_, i) => i + 1);
    const index = await VectorIndex.create({ dims, storage: 'float32' });
    index.addBatch(ids, rows);
    const q = rows.slice(17 * dims, 18 * dims);
    const t0 = performance.now();
    const hits = index.search(q, { k: 5 });
    const ms = performance.now() - t0;
    const ref = [];
    for (let i = 0; i < n; i++) {
      let dot = 0, a = 0, b = 0;
      for (let d = 0; d < dims; d++) {
        dot += rows[i * dims + d] * q[d];
        a += rows[i * dims + d] ** 2;
        b += q[d] ** 2;
      }
      ref.push({ id: ids[i], score: dot / Math.sqrt(a * b) });
    }
    ref.sort((x, y) => y.score - x.score);
    const lex = await LexicalIndex.create();
    lex.add(1, [10, 11, 12]);
    lex.add(2, [13, 14]);
    await saveIndex(index, 'docs-vectors');
    await saveIndex(lex, 'docs-lexical', { backend: 'indexeddb' });
    return { hits, ref: ref.slice(0, 5), ms };
  });
  assert.deepEqual(result.hits.map((h) => h.id), result.ref.map((h) => h.id));
  assert.equal(result.hits[0].id, 18);
  result.hits.forEach((h, i) => assert.ok(Math.abs(h.score - result.ref[i].score) < 1e-5));

  await open();  // a fresh page: only OPFS / IndexedDB remember the indexes
  const loaded = await page.evaluate(async () => {
    const { loadIndex, saveIndex, VectorIndex, CorruptDataError } = window.wasmbed;
    const vec = await loadIndex('docs-vectors');
    const lex = await loadIndex('docs-lexical', { backend: 'indexeddb' });
    const missing = await loadIndex('nothing-here');
    const bytes = vec.save();
    bytes[100] ^= 1;
    let corrupt = null;
    try {
      await VectorIndex.load(bytes);
    } catch (e) {
      corrupt = { isCorrupt: e instanceof CorruptDataError, message: e.message };
    }
    // Overwrite: the pointer moves to the new entry and the old file is removed.
    await saveIndex(vec, 'docs-vectors');
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('wasmbed-indexes');
    const files = [];
    for await (const name of dir.keys()) files.push(name);
    return {
      vecSize: vec.size, vecIsVector: vec instanceof VectorIndex, lexTop: lex.search([13])[0].id,
      missing, corrupt, files: files.sort(),
    };
  });
  assert.equal(loaded.vecSize, 300);
  assert.equal(loaded.vecIsVector, true);
  assert.equal(loaded.lexTop, 2);
  assert.equal(loaded.missing, null);
  assert.equal(loaded.corrupt.isCorrupt, true);
  assert.match(loaded.corrupt.message, /checksum/);
  assert.equal(loaded.files.length, 2, `one data file + one pointer: ${loaded.files}`);
  assert.ok(loaded.files.includes('docs-vectors.ptr'));
});
