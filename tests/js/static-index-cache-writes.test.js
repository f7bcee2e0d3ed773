// StaticIndex writes what a query fetched into its persistent cache after the answer, not before
// it (js/search/static/source.js deferredWrites): when search() resolves, nothing has been written
// yet; a second index on the same cache meanwhile reads the queued bytes instead of fetching them;
// the files then land in the cache, and a cached centroids file is not written again on open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StaticIndex, writeStaticIndex } from '../../js/index.js';
import { embeddingLikeVectors } from '../helpers/embedding-like-vectors.js';
import { startStaticServer } from '../helpers/server.js';

const DIMS = 32;
const N = 1500;
const gen = embeddingLikeVectors(DIMS, 9);
const rows = gen.rows(N);
const query = gen.queries(1);
let tmp, server;
const requests = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmbed-static-cache-writes-'));
  await writeStaticIndex(path.join(tmp, 'idx'), {
    dims: DIMS, vectors: rows, ids: Array.from({ length: N }, (_, i) => `r${i}`), partitions: 12,
    model: { id: 'test/static-cache-writes', dims: DIMS },
  });
  server = await startStaticServer({ mounts: { '/': tmp }, log: (line) => requests.push(line) });
});

after(async () => {
  await server?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('cache writes start after the answer; a second index reads queued bytes; then they are on disk', async () => {
  const cacheDir = path.join(tmp, 'cache');
  const url = `${server.url}/idx/`;
  const first = await StaticIndex.open(url, { cache: { dir: cacheDir }, preload: false });
  const hits = await first.search(query, { k: 5, nprobe: 3 });
  // Synchronously after the answer: no partition is in the cache folder yet.
  assert.deepEqual(readdirSync(cacheDir).filter((f) => f.startsWith('part-')), []);
  first.dispose();

  requests.length = 0;
  const second = await StaticIndex.open(url, { cache: { dir: cacheDir }, preload: false });
  assert.deepEqual(await second.search(query, { k: 5, nprobe: 3 }), hits);
  assert.deepEqual(requests, ['GET /idx/manifest.json'], 'centroids and partitions come from the queued cache writes');
  assert.equal(second.stats.partitionsFetched, 0);
  assert.equal(second.stats.cacheHits, 4);
  second.dispose();

  await until(() => readdirSync(cacheDir).filter((f) => f.startsWith('part-') || f.startsWith('centroids-')).length === 4, 'the 4 cache files');
  const centroids = readdirSync(cacheDir).find((f) => f.startsWith('centroids-'));
  const before = (await fs.stat(path.join(cacheDir, centroids))).mtimeMs;
  await new Promise((r) => setTimeout(r, 30));
  const third = await StaticIndex.open(url, { cache: { dir: cacheDir }, preload: false });
  await third.search(query, { k: 5, nprobe: 3 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await fs.stat(path.join(cacheDir, centroids))).mtimeMs, before, 'a cached file is not written again');
  assert.equal(third.stats.partitionsFetched, 0);
  third.dispose();
});

test('lexicalSearch writes the lexical segments it fetched to the cache, also when nothing matches', async () => {
  const cacheDir = path.join(tmp, 'cache-lexical');
  await writeStaticIndex(path.join(tmp, 'idx-texts'), {
    dims: DIMS, vectors: rows.subarray(0, 200 * DIMS), ids: Array.from({ length: 200 }, (_, i) => `t${i}`),
    texts: Array.from({ length: 200 }, (_, i) => `harbour ferry note ${i}`), partitions: 4,
    model: { id: 'test/static-cache-writes', dims: DIMS },
  });
  const index = await StaticIndex.open(`${server.url}/idx-texts/`, { cache: { dir: cacheDir }, preload: false });
  // The writes open() queued are done first, so no earlier flush carries the segment along.
  await until(() => readdirSync(cacheDir).some((f) => f.startsWith('centroids-')), 'the centroids in the cache');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(await index.lexicalSearch('glacier', { k: 3 }), []);
  assert.equal(index.stats.lexicalSegmentsFetched, 1);
  index.dispose();
  await until(() => readdirSync(cacheDir).some((f) => f.startsWith('lex-')), 'the lexical segment in the cache');
});
