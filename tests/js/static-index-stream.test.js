// StaticIndex streams each partition's body into the wasm heap as it arrives (js/search/static/
// source.js stream, static-index.js #receiveSegment): bodies cut into odd-sized chunks give the
// same answers as whole files, a body longer or shorter than the manifest lists is a
// CorruptDataError naming the file (and the longer one's download is cancelled), and a fetch whose
// responses have no body stream (only arrayBuffer()) still works. 1.5k x 32 rows: milliseconds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CorruptDataError, StaticIndex, writeStaticIndex } from '../../js/index.js';
import { embeddingLikeVectors } from '../helpers/embedding-like-vectors.js';

const DIMS = 32;
const N = 1500;
const gen = embeddingLikeVectors(DIMS, 5);
const rows = gen.rows(N);
const queries = gen.queries(6);
const query = (i) => queries.subarray(i * DIMS, (i + 1) * DIMS);
const BASE = 'https://static-index.invalid/idx/';
let tmp, dir, manifest;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmbed-static-stream-'));
  dir = path.join(tmp, 'idx');
  await writeStaticIndex(dir, {
    dims: DIMS, vectors: rows, ids: Array.from({ length: N }, (_, i) => `r${i}`), partitions: 12,
    model: { id: 'test/static-stream', dims: DIMS },
  });
  manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
});

after(() => fs.rm(tmp, { recursive: true, force: true }));

/**
 * A fetch() over the index folder whose bodies arrive as a ReadableStream in chunks of `chunk`
 * bytes; `edit(file, bytes)` may change a file's bytes. Records cancelled bodies.
 */
function folderFetch({ chunk = 7, edit = (f, b) => b, cancelled = [] } = {}) {
  return async (url) => {
    const file = url.slice(BASE.length);
    const bytes = edit(file, new Uint8Array(await fs.readFile(path.join(dir, file))));
    let at = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, at + chunk));
        at += chunk;
      },
      cancel() { cancelled.push(file); },
    });
    return new Response(body, { status: 200 });
  };
}

test('bodies streamed in odd-sized chunks give the answers of whole files', async () => {
  const whole = await StaticIndex.open(dir, { preload: false });
  const streamed = await StaticIndex.open(BASE, { fetch: folderFetch({ chunk: 4093 }), preload: false });
  const tiny = await StaticIndex.open(BASE, { fetch: folderFetch({ chunk: 7 }), preload: false });
  for (let i = 0; i < 6; i++) {
    const want = await whole.search(query(i), { k: 10, nprobe: 4 });
    assert.deepEqual(await streamed.search(query(i), { k: 10, nprobe: 4 }), want);
    assert.deepEqual(await tiny.search(query(i), { k: 10, nprobe: 4 }), want);
  }
  assert.equal(streamed.stats.bytesFetched, tiny.stats.bytesFetched);
  assert.equal(streamed.stats.requests, tiny.stats.requests);
  for (const ix of [whole, streamed, tiny]) ix.dispose();
});

test('a body longer or shorter than the manifest lists is refused, naming the file; the longer one is cancelled', async () => {
  const first = manifest.partitionTable.map((e) => e.file);
  const cancelled = [];
  const longer = await StaticIndex.open(BASE, {
    preload: false,
    fetch: folderFetch({ chunk: 1000, cancelled, edit: (f, b) => (first.includes(f) ? Uint8Array.from([...b, ...new Uint8Array(5000)]) : b) }),
  });
  await assert.rejects(longer.search(query(0), { k: 5, nprobe: 2 }),
    (err) => err instanceof CorruptDataError && /part-\d+-[0-9a-f]{16}\.wbix has more than the \d+ bytes the manifest lists/.test(err.message));
  assert.ok(cancelled.length >= 1 && cancelled.every((f) => first.includes(f)), cancelled.join(' '));
  longer.dispose();

  const shorter = await StaticIndex.open(BASE, { preload: false, fetch: folderFetch({ edit: (f, b) => (first.includes(f) ? b.subarray(0, b.length - 9) : b) }) });
  await assert.rejects(shorter.search(query(0), { k: 5, nprobe: 2 }),
    (err) => err instanceof CorruptDataError && /has \d+ bytes, the manifest lists \d+ \(truncated/.test(err.message));
  shorter.dispose();
});

test('a fetch whose responses have no body stream (arrayBuffer() only) still loads partitions', async () => {
  const plain = async (url) => {
    const bytes = await fs.readFile(path.join(dir, url.slice(BASE.length)));
    return { ok: true, status: 200, body: null, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) };
  };
  const whole = await StaticIndex.open(dir, { preload: false });
  const index = await StaticIndex.open(BASE, { fetch: plain, preload: false });
  assert.deepEqual(await index.search(query(1), { k: 10, nprobe: 3 }), await whole.search(query(1), { k: 10, nprobe: 3 }));
  assert.equal(index.stats.partitionsFetched, 3);
  index.dispose();
  whole.dispose();
});
