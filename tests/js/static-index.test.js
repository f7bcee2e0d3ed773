// The static, partitioned index (js/search/static/): writeStaticIndex + StaticIndex.open over a
// folder and over 127.0.0.1 HTTP, on 5k x 64 embedding-like vectors (seconds, not minutes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CorruptDataError, InvalidArgumentError, ModelMismatchError, StaticIndex, VectorIndex, writeStaticIndex,
} from '../../js/index.js';
import { embeddingLikeVectors } from '../helpers/embedding-like-vectors.js';
import { startStaticServer } from '../helpers/server.js';

const DIMS = 64;
const N = 5000;
const MODEL = { id: 'test/static-model', revision: 'r1', dtype: 'fp32', pooling: 'mean', normalize: true, dims: DIMS };
const gen = embeddingLikeVectors(DIMS, 21);
const rows = gen.rows(N);
const queries = gen.queries(30);
const ids = Array.from({ length: N }, (_, i) => `doc-${i}`);
const TOPICS = ['harbour ferry timetable', 'alpine glacier retreat', 'sourdough starter feeding'];
const texts = ids.map((id, i) => `${id} notes on ${TOPICS[i % 3]} number ${i}`);
const metadata = ids.map((_, i) => ({ tags: [i % 2 ? 'odd' : 'even', ...(i % 5 === 0 ? ['five'] : [])], n: i }));

let tmp, dir, server;
const requests = [];

async function write(out, extra = {}) {
  return writeStaticIndex(out, { dims: DIMS, vectors: rows, ids, texts, metadata, model: MODEL, partitions: 50, ...extra });
}

async function filesOf(d) {
  const names = (await fs.readdir(d)).sort();
  return Promise.all(names.map(async (n) => [n, await fs.readFile(path.join(d, n))]));
}

/** Exact cosine top-k ids by brute force over the float rows. */
function exactTop(q, k) {
  const scored = [];
  let qn = 0;
  for (let d = 0; d < DIMS; d++) qn += q[d] * q[d];
  for (let i = 0; i < N; i++) {
    let dot = 0, xn = 0;
    for (let d = 0; d < DIMS; d++) { dot += rows[i * DIMS + d] * q[d]; xn += rows[i * DIMS + d] ** 2; }
    scored.push([dot / Math.sqrt(xn * qn), i]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return scored.slice(0, k).map(([, i]) => `doc-${i}`);
}

const query = (i) => queries.subarray(i * DIMS, (i + 1) * DIMS);

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmbed-static-'));
  dir = path.join(tmp, 'index');
  await write(dir);
  server = await startStaticServer({ mounts: { '/': tmp }, log: (line) => requests.push(line) });
});

after(async () => {
  await server?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

test('the same input and seed give byte-identical files; content-hashed names; streaming input', async () => {
  const again = path.join(tmp, 'again');
  async function* chunks() { for (let r = 0; r < N; r += 777) yield rows.subarray(r * DIMS, Math.min(N, r + 777) * DIMS); }
  const progress = new Set();
  await write(again, { vectors: chunks(), onProgress: (p) => progress.add(p.phase) });
  assert.deepEqual(await filesOf(again), await filesOf(dir));
  assert.deepEqual([...progress].sort(), ['assign', 'documents', 'encode', 'kmeans', 'lexical', 'segments']);
  const names = (await fs.readdir(dir)).filter((n) => n !== 'manifest.json');
  assert.ok(names.every((n) => /-[0-9a-f]{16}\.(wbix|json)$/.test(n)), names.join(' '));
  const other = path.join(tmp, 'other-seed');
  await write(other, { seed: 2 });
  assert.notDeepEqual(await filesOf(other), await filesOf(dir));
  await fs.rm(other, { recursive: true });
  await fs.rm(again, { recursive: true });
  assert.deepEqual((await fs.readdir(tmp)).sort(), ['index'], 'no temporary folder is left behind');
});

test('recall@10 against exact search, and every partition probed with float rows is exact', async () => {
  const index = await StaticIndex.open(dir);
  let recall = 0;
  for (let i = 0; i < 30; i++) {
    const want = new Set(exactTop(query(i), 10));
    const hits = await index.search(query(i), { k: 10, nprobe: 8 });
    recall += hits.filter((h) => want.has(h.id)).length / 10;
  }
  assert.ok(recall / 30 >= 0.9, `recall@10 ${recall / 30}`);
  index.dispose();

  const exactDir = path.join(tmp, 'float');
  await write(exactDir, { keepFloat: true, partitions: 20 });
  const exact = await StaticIndex.open(exactDir);
  for (let i = 0; i < 5; i++) {
    const hits = await exact.search(query(i), { k: 10, nprobe: 20, oversample: N });
    assert.deepEqual(hits.map((h) => h.id), exactTop(query(i), 10));
  }
  exact.dispose();
  await fs.rm(exactDir, { recursive: true });
});

test('nprobe = every partition without rescoring is the exact int8 ranking of a VectorIndex over the same codes', async () => {
  // The static index's int8 codes decoded back (search over all partitions, k = N, raw scores)
  // must rank exactly as the scan over all of them: the top 10 of the full list equals k = 10.
  const index = await StaticIndex.open(dir);
  for (let i = 0; i < 3; i++) {
    const all = await index.search(query(i), { k: N, nprobe: 50, oversample: 0 });
    assert.equal(all.length, N);
    const top = await index.search(query(i), { k: 10, nprobe: 50, oversample: 0 });
    assert.deepEqual(top.map((h) => h.id), all.slice(0, 10).map((h) => h.id));
    // ... and the raw int8 scores track the exact cosine closely.
    const v = await VectorIndex.create({ dims: DIMS, storage: 'float32' });
    const sample = top.map((h) => h.row);
    v.addBatch(sample, Float32Array.from(sample.flatMap((r) => Array.from(rows.subarray(r * DIMS, (r + 1) * DIMS)))));
    const exact = new Map(v.search(query(i), { k: 10 }).map((h) => [h.id, h.score]));
    for (const h of top) assert.ok(Math.abs(exact.get(h.row) - h.score) < 0.01, `${h.score} vs ${exact.get(h.row)}`);
    v.dispose();
  }
  index.dispose();
});

test('over HTTP only the probed partitions are fetched, once; { dir } cache serves a second open', async () => {
  requests.length = 0;
  const index = await StaticIndex.open(`${server.url}/index/`, { preload: false });
  assert.deepEqual(requests.map((r) => r.replace(/-[0-9a-f]{16}/, '')), ['GET /index/manifest.json', 'GET /index/centroids.wbix']);
  requests.length = 0;
  await index.search(query(0), { k: 10, nprobe: 3 });
  const parts = requests.filter((r) => r.includes('/part-'));
  assert.equal(parts.length, 3, requests.join('\n'));
  assert.equal(requests.length, 3);
  assert.equal(index.stats.partitionsFetched, 3);
  requests.length = 0;
  await index.search(query(0), { k: 10, nprobe: 3 });
  assert.deepEqual(requests, [], 'a repeated query fetches nothing');
  const hits = await index.search(query(0), { k: 3, nprobe: 3, documents: true });
  assert.equal(requests.filter((r) => r.includes('/docs-')).length, new Set(hits.map((h) => Math.floor(h.row / 1024))).size);
  assert.equal(hits[0].text.startsWith(hits[0].id), true);
  assert.equal(hits[0].metadata.n, hits[0].row);
  assert.ok(index.stats.bytesFetched < index.manifest.totalBytes / 4);
  index.dispose();

  const cacheDir = path.join(tmp, 'cache');
  const first = await StaticIndex.open(`${server.url}/index/`, { cache: { dir: cacheDir }, preload: false });
  await first.search(query(1), { k: 5, nprobe: 4 });
  first.dispose();
  requests.length = 0;
  const second = await StaticIndex.open(`${server.url}/index/`, { cache: { dir: cacheDir }, preload: false });
  await second.search(query(1), { k: 5, nprobe: 4 });
  assert.deepEqual(requests, ['GET /index/manifest.json'], 'centroids and partitions come from the cache');
  assert.equal(second.stats.partitionsFetched, 0);
  second.dispose();
  // Cache writes come after the answers (deferred): wait for the 5 files before removing the folder.
  for (let i = 0; i < 200 && (await fs.readdir(cacheDir)).filter((f) => /^(centroids|part-\d+)-[0-9a-f]{16}\.wbix$/.test(f)).length < 5; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  await fs.rm(cacheDir, { recursive: true, maxRetries: 10 });
});

test('maxCacheBytes bounds the partitions kept in the heap (least recently used dropped first)', async () => {
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
  const biggest = Math.max(...manifest.partitionTable.map((e) => e.bytes));
  const index = await StaticIndex.open(dir, { preload: false, maxCacheBytes: 4 * biggest });
  const exact = await StaticIndex.open(dir, { preload: false, maxCacheBytes: Infinity });
  for (let i = 0; i < 10; i++) {
    const hits = await index.search(query(i), { k: 10, nprobe: 3 });
    assert.deepEqual(hits, await exact.search(query(i), { k: 10, nprobe: 3 }));
    assert.ok(index.stats.partitionsLoaded - index.stats.partitionsEvicted <= 4 + 3);
  }
  assert.ok(index.stats.partitionsEvicted > 0);
  assert.equal(exact.stats.partitionsEvicted, 0);
  index.dispose();
  exact.dispose();
});

test('damaged, truncated and swapped files are CorruptDataErrors naming the file', async () => {
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
  const entry = manifest.partitionTable[7];
  /** A copy of the index with partition 7's file changed by `mutate(file)`; searching it must fail. */
  async function expectCorrupt(mutate) {
    const bad = path.join(tmp, 'bad');
    await fs.cp(dir, bad, { recursive: true });
    await mutate(path.join(bad, entry.file));
    const index = await StaticIndex.open(bad, { preload: false });
    await assert.rejects(index.search(query(0), { k: 1, nprobe: 50 }),
      (err) => err instanceof CorruptDataError && err.message.includes(entry.file));
    index.dispose();
    await fs.rm(bad, { recursive: true });
  }
  await expectCorrupt(async (f) => { const b = await fs.readFile(f); b[b.length >> 1] ^= 0x10; await fs.writeFile(f, b); });
  await expectCorrupt(async (f) => { const b = await fs.readFile(f); b[b.length - 2] ^= 0x01; await fs.writeFile(f, b); });  // the CRC itself
  await expectCorrupt((f) => fs.truncate(f, entry.bytes - 7));
  // Another partition's file under this name, padded to the listed size.
  await expectCorrupt(async (f) => {
    const other = await fs.readFile(path.join(dir, manifest.partitionTable[8].file));
    const same = new Uint8Array(entry.bytes);
    same.set(other.subarray(0, entry.bytes));
    await fs.writeFile(f, same);
  });
  // A document chunk and the manifest itself.
  const bad = path.join(tmp, 'bad');
  await fs.cp(dir, bad, { recursive: true });
  await fs.writeFile(path.join(bad, manifest.docs.chunks[0].file), '[["x"]]');
  const index = await StaticIndex.open(bad);
  await assert.rejects(index.document(0), (err) => err instanceof CorruptDataError && err.message.includes(manifest.docs.chunks[0].file));
  index.dispose();
  await fs.writeFile(path.join(bad, 'manifest.json'), JSON.stringify({ ...manifest, dims: 65 }));
  await assert.rejects(StaticIndex.open(bad), CorruptDataError);
  await fs.writeFile(path.join(bad, 'manifest.json'), '{"format":');
  await assert.rejects(StaticIndex.open(bad), CorruptDataError);
  await fs.rm(bad, { recursive: true });
});

test('a query model that differs from the manifest is refused', async () => {
  const index = await StaticIndex.open(dir);
  assert.deepEqual(index.manifest.model, MODEL);
  index.checkModel({ id: MODEL.id, dtype: 'fp32' });
  assert.throws(() => index.checkModel({ id: 'other/model' }), (err) => err instanceof ModelMismatchError && /id "other\/model"/.test(err.message));
  assert.throws(() => index.checkModel({ info: { dtype: 'q8', pooling: 'mean', normalize: true } }), ModelMismatchError);
  const embedder = { info: { dtype: 'fp32', pooling: 'cls', normalize: true }, embed: async () => [query(0)] };
  await assert.rejects(index.search('ferry', { embedder }), ModelMismatchError);
  index.dispose();
});

test('tag filters and hybrid lexical + dense search', async () => {
  const index = await StaticIndex.open(dir);
  const odd = await index.search(query(2), { k: 10, nprobe: 10, filter: { tags: ['odd'] } });
  assert.equal(odd.length, 10);
  assert.ok(odd.every((h) => h.row % 2 === 1));
  const both = await index.search(query(2), { k: 5, nprobe: 50, filter: { tags: ['odd', 'five'], all: true } });
  assert.ok(both.length === 5 && both.every((h) => h.row % 10 === 5));
  assert.deepEqual(await index.search(query(2), { k: 5, filter: { tags: ['no-such-tag'] } }), []);
  // The lexical side finds the one row whose number is in the text, whatever the vector.
  const hybrid = await index.search(query(2), { k: 5, nprobe: 4, hybrid: true, text: 'glacier number 4321' });
  assert.ok(hybrid.some((h) => h.id === 'doc-4321'), JSON.stringify(hybrid));
  const lexicalOnlyTagged = await index.search(query(2), { k: 5, hybrid: true, text: 'glacier 4321', filter: { tags: ['even'] } });
  assert.ok(lexicalOnlyTagged.every((h) => h.row % 2 === 0));
  index.dispose();
});

test('lexicalSearch ranks by BM25 alone: no query vector, no partition fetched', async () => {
  const index = await StaticIndex.open(dir, { preload: false });
  const hits = await index.lexicalSearch('sourdough number 4322', { k: 3, documents: true });
  assert.equal(hits[0].id, 'doc-4322');
  assert.equal(hits[0].text, texts[4322]);
  assert.deepEqual(hits[0].metadata, metadata[4322]);
  assert.ok(hits.length === 3 && hits[0].score > hits[1].score);
  assert.equal(index.stats.partitionsFetched, 0, 'no partition is needed');
  const even = await index.lexicalSearch('glacier 4321', { k: 4, filter: { tags: ['even'] } });
  assert.ok(even.length === 4 && even.every((h) => h.row % 2 === 0 && h.text === undefined), JSON.stringify(even));
  await assert.rejects(index.lexicalSearch('x', { k: 0 }), InvalidArgumentError);
  await assert.rejects(index.lexicalSearch(42), InvalidArgumentError);
  index.dispose();
});
