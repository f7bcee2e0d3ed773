// StaticIndex in Chromium: a small static index written in Node is opened by URL over 127.0.0.1;
// a query fetches only the partitions it probes, a stored row finds itself, hybrid and tag
// filters work in the page, and with { cacheName } a second open reads partitions from the Cache API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeStaticIndex } from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { embeddingLikeVectors } from '../helpers/embedding-like-vectors.js';

const skip = await browserSkipReason();
const DIMS = 32;
const N = 2000;
let tmp, server, browser, page;
const requests = [];

before(async () => {
  if (skip) return;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmbed-static-browser-'));
  const rows = embeddingLikeVectors(DIMS, 5).rows(N);
  const ids = Array.from({ length: N }, (_, i) => `p${i}`);
  await writeStaticIndex(path.join(tmp, 'idx'), {
    dims: DIMS, vectors: rows, ids, partitions: 40,
    texts: ids.map((id, i) => `${id} ${i % 2 ? 'lighthouse keeper' : 'orchard harvest'} ${i}`),
    metadata: ids.map((_, i) => ({ tags: [i % 2 ? 'odd' : 'even'] })),
    model: { id: 'test/browser-static', dims: DIMS },
  });
  await fs.writeFile(path.join(tmp, 'row.json'), JSON.stringify(Array.from(rows.subarray(1234 * DIMS, 1235 * DIMS))));
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/static/': tmp }, log: (l) => requests.push(l) });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/vector-index.html`);
  await page.waitForFunction(() => window.indexPageReady === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

test('a static index opened by URL in Chromium fetches only the probed partitions', { skip }, async () => {
  requests.length = 0;
  const result = await page.evaluate(async () => {
    const { StaticIndex, ModelMismatchError } = window.wasmbed;
    const row = Float32Array.from(await (await fetch('/static/row.json')).json());
    const index = await StaticIndex.open('/static/idx/', { preload: false, cache: { cacheName: 'static-test' } });
    const hits = await index.search(row, { k: 3, nprobe: 4, documents: true });
    const stats = index.stats;
    const odd = await index.search(row, { k: 5, nprobe: 40, filter: { tags: ['odd'] } });
    const hybrid = await index.search(row, { k: 5, nprobe: 4, hybrid: true, text: 'lighthouse 777' });
    let mismatch = null;
    try { index.checkModel({ id: 'other/model' }); } catch (e) { mismatch = e instanceof ModelMismatchError; }
    index.dispose();
    const again = await StaticIndex.open('/static/idx/', { preload: false, cache: { cacheName: 'static-test' } });
    await again.search(row, { k: 3, nprobe: 4 });
    const cached = again.stats;
    again.dispose();
    return { hits, stats, odd: odd.map((h) => h.row), hybrid: hybrid.map((h) => h.id), mismatch, cached };
  });
  assert.equal(result.hits[0].id, 'p1234');
  assert.equal(result.hits[0].text, 'p1234 orchard harvest 1234');
  assert.deepEqual(result.hits[0].metadata, { tags: ['even'] });
  assert.equal(result.stats.partitionsFetched, 4);
  const firstOpen = requests.filter((r) => r.startsWith('GET /static/idx/'));
  assert.equal(firstOpen.filter((r) => r.includes('/part-')).length >= 4, true);
  assert.ok(result.odd.length === 5 && result.odd.every((r) => r % 2 === 1));
  assert.ok(result.hybrid.includes('p777'), result.hybrid.join(' '));
  assert.equal(result.mismatch, true);
  assert.equal(result.cached.partitionsFetched, 0, 'the second open reads partitions from the Cache API');
  assert.equal(result.cached.cacheHits, 5, 'centroids + 4 partitions');
});
