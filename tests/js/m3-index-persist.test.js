// M3Index save / load: a round trip gives the same search results in every mode and ColBERT
// storage; truncated, corrupted or newer-version bytes fail with typed errors; saveIndex /
// loadIndex store and restore it like the other indexes. Entries are synthetic (no model needed):
// what is checked is that every stored number comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CorruptDataError, InvalidArgumentError, M3Index, UnsupportedError, loadIndex, saveIndex } from '../../js/index.js';
import { crc32 } from '../../js/internal/crc32.js';

const DIMS = 16;
const COLBERT_DIM = 8;
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;

function unit(n) {
  const v = Float32Array.from({ length: n }, rand);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function entry(tokens) {
  const ids = [...new Set(Array.from({ length: tokens }, () => 5 + Math.floor((rand() + 0.5) * 40)))].sort((a, b) => a - b);
  const vectors = new Float32Array(tokens * COLBERT_DIM);
  for (let t = 0; t < tokens; t++) vectors.set(unit(COLBERT_DIM), t * COLBERT_DIM);
  return {
    dense: unit(DIMS),
    sparse: { ids: Int32Array.from(ids), weights: Float32Array.from(ids, () => 0.05 + (rand() + 0.5) * 0.2) },
    colbert: { vectors, count: tokens, dim: COLBERT_DIM },
  };
}

const ENTRIES = Array.from({ length: 40 }, (_, i) => entry(3 + (i % 7)));
const QUERIES = [entry(4), entry(6), ENTRIES[11]];

async function build(colbertStorage) {
  const index = await M3Index.create({ dims: DIMS, colbertStorage, weights: { dense: 0.5, sparse: 0.1, colbert: 0.4 } });
  ENTRIES.forEach((e, i) => index.add(100 + i * 3, e));
  index.remove(103); // a removed passage must stay removed
  return index;
}

for (const colbertStorage of ['float32', 'float16', 'int8']) {
  test(`M3Index round trip (${colbertStorage} ColBERT): same results in every mode`, async () => {
    const index = await build(colbertStorage);
    const bytes = index.save();
    const back = await M3Index.load(bytes);
    assert.equal(back.size, index.size);
    assert.equal(back.colbertStorage, colbertStorage);
    assert.equal(back.colbertBytes, index.colbertBytes);
    for (const q of QUERIES) {
      for (const mode of ['hybrid', 'colbert', 'dense', 'sparse']) {
        const want = index.search(q, { k: 10, mode });
        assert.ok(want.length > 0);
        assert.deepEqual(back.search(q, { k: 10, mode }), want, `${mode}`);
      }
    }
    assert.ok(!back.search(ENTRIES[1], { k: 40 }).some((h) => h.id === 103));
    // The restored index keeps working: add, remove, save again to identical bytes.
    assert.deepEqual(back.save(), bytes);
    back.add(999, ENTRIES[0]);
    assert.equal(back.search(ENTRIES[0], { k: 2, mode: 'colbert' }).map((h) => h.id).sort().join(), '100,999');
    index.dispose();
    back.dispose();
  });
}

test('an empty M3Index round-trips', async () => {
  const index = await M3Index.create({ dims: DIMS });
  const back = await M3Index.load(index.save());
  assert.equal(back.size, 0);
  assert.deepEqual(back.search(QUERIES[0], { k: 3 }), []);
  back.add(1, ENTRIES[0]);
  assert.equal(back.search(ENTRIES[0], { k: 1 })[0].id, 1);
});

test('damaged M3Index bytes fail with CorruptDataError, a newer version with UnsupportedError', async () => {
  const index = await build('float16');
  const bytes = index.save();
  const expectCorrupt = (b, re) => assert.rejects(M3Index.load(b), (err) => err instanceof CorruptDataError && re.test(err.message));
  await expectCorrupt(bytes.subarray(0, 10), /truncated/);
  await expectCorrupt(bytes.subarray(0, bytes.length - 1), /truncated/);
  await expectCorrupt(bytes.subarray(0, bytes.length >> 1), /truncated/);
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  await expectCorrupt(longer, /trailing/);
  for (const at of [20, bytes.length >> 1, bytes.length - 5]) {
    const flipped = bytes.slice();
    flipped[at] ^= 0x10;
    await expectCorrupt(flipped, /checksum/);
  }
  const magic = bytes.slice();
  magic[0] = 0x58;
  await expectCorrupt(magic, /magic/);
  // A newer format version with a valid checksum: not corrupt, but not readable by this build.
  const newer = bytes.slice();
  new DataView(newer.buffer).setUint32(4, 2, true);
  new DataView(newer.buffer).setUint32(newer.length - 4, crc32(newer.subarray(0, newer.length - 4)), true);
  await assert.rejects(M3Index.load(newer), UnsupportedError);
  // A payload that lies about its entry count (checksum fixed up): caught by the bounded reader.
  const json = new TextDecoder().decode(bytes.subarray(20, 20 + new DataView(bytes.buffer).getUint32(16, true)));
  const lying = bytes.slice();
  const lie = json.replace(/"count":\d+/, (m) => `"count":${Number(m.slice(8)) + 1}`.padEnd(m.length, ' '));
  assert.equal(lie.length, json.length, '39 -> 40 entries keeps the header length');
  lying.set(new TextEncoder().encode(lie), 20);
  new DataView(lying.buffer).setUint32(lying.length - 4, crc32(lying.subarray(0, lying.length - 4)), true);
  await expectCorrupt(lying, /past the payload|unread|entries/);
  index.dispose();
});

test('saveIndex / loadIndex store an M3Index in a file atomically', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-m3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'm3.bin');
  const index = await build('int8');
  await saveIndex(index, file);
  index.add(5000, ENTRIES[2]);
  await saveIndex(index, file); // replaces the previous file
  assert.deepEqual(readdirSync(dir), ['m3.bin']);
  const back = await loadIndex(file);
  assert.ok(back instanceof M3Index);
  assert.equal(back.size, index.size);
  assert.deepEqual(back.search(QUERIES[1], { k: 5 }), index.search(QUERIES[1], { k: 5 }));
});

test('M3Index.add refuses non-finite dense / sparse / ColBERT values and leaves the index unchanged', async () => {
  const index = await build('float32');
  const observe = () => ({ size: index.size, hits: QUERIES.map((q) => index.search(q, { k: 5 })), bytes: [...index.save()] });
  const before = observe();
  const poisoned = (part, at, value) => {
    const e = entry(5);
    const copy = { dense: e.dense.slice(), sparse: { ids: e.sparse.ids, weights: e.sparse.weights.slice() }, colbert: { ...e.colbert, vectors: e.colbert.vectors.slice() } };
    if (part === 'dense') copy.dense[at] = value;
    if (part === 'sparse') copy.sparse.weights[at] = value;
    if (part === 'colbert') copy.colbert.vectors[at] = value;
    return copy;
  };
  for (const [part, at, value, re] of [
    ['colbert', 9, NaN, /entry.colbert.vectors\[9\] is NaN/],
    ['colbert', 0, -Infinity, /entry.colbert.vectors\[0\] is -Infinity/],
    ['sparse', 1, NaN, /entry.sparse.weights\[1\] is NaN/],
    ['dense', 3, Infinity, /entry.dense\[3\] is Infinity/],
  ]) {
    assert.throws(() => index.add(900, poisoned(part, at, value)), (e) => e instanceof InvalidArgumentError && re.test(e.message), String(re));
    assert.deepEqual(observe(), before, `changed by a ${part} ${value}`);
  }
  // Queries too: a NaN ColBERT query vector used to make the search throw a TypeError or rank NaN.
  assert.throws(() => index.search(poisoned('colbert', 2, NaN)), InvalidArgumentError);
  index.dispose();
});

test('M3Index bytes holding NaN / Infinity are CorruptDataError even with a recomputed CRC', async () => {
  const fix = (b) => {
    new DataView(b.buffer).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
    return b;
  };
  // One entry: sparse n = 2, one ColBERT row of 8; its bytes are the last of the payload.
  const one = { dense: unit(DIMS), sparse: { ids: Int32Array.of(5, 9), weights: Float32Array.of(0.3, 0.1) }, colbert: { vectors: unit(COLBERT_DIM), count: 1, dim: COLBERT_DIM } };
  for (const colbertStorage of ['float32', 'float16', 'int8']) {
    const index = await M3Index.create({ dims: DIMS, colbertStorage });
    index.add(7, one);
    const bytes = index.save();
    index.dispose();
    (await M3Index.load(bytes)).dispose();
    const valueBytes = { float32: 32, float16: 16, int8: 8 + 4 }[colbertStorage];
    const weightAt = bytes.length - 4 - valueBytes - 4 - 8;
    const bad = bytes.slice();
    new DataView(bad.buffer).setFloat32(weightAt, NaN, true);
    await assert.rejects(M3Index.load(fix(bad)), (e) => e instanceof CorruptDataError && /sparse weights/.test(e.message), `${colbertStorage} sparse`);
    const badColbert = bytes.slice();
    const view = new DataView(badColbert.buffer);
    if (colbertStorage === 'float32') view.setFloat32(bytes.length - 8, Infinity, true);
    if (colbertStorage === 'float16') view.setUint16(bytes.length - 6, 0x7e00, true); // a half NaN
    if (colbertStorage === 'int8') view.setFloat32(bytes.length - 8, NaN, true); // the row's scale
    await assert.rejects(M3Index.load(fix(badColbert)), (e) => e instanceof CorruptDataError && /ColBERT/.test(e.message), `${colbertStorage} ColBERT`);
  }
});
