// LexicalIndex (BM25 over token ids, sparse dot) through WASM in Node, against hand computations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LexicalIndex, CorruptDataError, InvalidArgumentError } from '../../js/index.js';
import { crc32 } from '../../js/internal/crc32.js';

const close = (a, b, msg) => assert.ok(Math.abs(a - b) < 1e-5, `${msg}: ${a} vs ${b}`);

test('BM25 scores equal the hand-computed formula', async () => {
  const index = await LexicalIndex.create();
  index.add(1, [1, 2, 3]);
  index.add(2, new Int32Array([1, 1, 4, 5]));
  index.add(3, [6, 7]);
  // N = 3, avgdl = 3, k1 = 1.2, b = 0.75 (see tests/cpp/lexical_index_test.cpp for the derivation)
  const hits = index.search(new Int32Array([1, 4]));
  assert.deepEqual(hits.map((h) => h.id), [2, 1]);
  close(hits[0].score, Math.log(1.6) * 2 * 2.2 / 3.5 + Math.log(8 / 3) * 2.2 / 2.5, 'doc 2');
  close(hits[1].score, Math.log(1.6), 'doc 1');
  assert.equal(index.documentFrequency(1), 2);
  assert.deepEqual(index.search([1, 4], { filter: (id) => id !== 2 }).map((h) => h.id), [1]);
  assert.deepEqual(index.search([99]), []);
  assert.equal(index.remove(2), true);
  assert.equal(index.documentFrequency(1), 1);
  assert.throws(() => index.add(1, [5]), InvalidArgumentError);
  assert.throws(() => index.add(9, [1.5]), InvalidArgumentError);
  assert.throws(() => index.add(9, { ids: [1], weights: [1] }), InvalidArgumentError);
  index.dispose();
});

test('custom k1 / b change the score as the formula says', async () => {
  const index = await LexicalIndex.create({ k1: 2, b: 0 });
  index.add(1, [7, 7, 8]);
  index.add(2, [9]);
  const [hit] = index.search([7]);
  // b = 0: no length normalisation; idf = ln(1 + 1.5 / 1.5) = ln 2; tf = 2
  close(hit.score, Math.log(2) * 2 * 3 / (2 + 2), 'k1=2 b=0');
  index.dispose();
});

test('sparse scoring (BGE-M3 lexical weights) and save/load', async () => {
  const index = await LexicalIndex.create({ scoring: 'sparse' });
  index.add(1, { ids: new Int32Array([10, 20, 10, 30]), weights: new Float32Array([0.5, 0.2, 0.8, -1]) });
  index.add(2, { ids: [20, 30], weights: [0.9, 0.4] });
  const hits = index.search({ ids: [10, 20, 30], weights: [1, 2, 0.5] });
  assert.deepEqual(hits.map((h) => h.id), [2, 1]);
  close(hits[0].score, 2 * 0.9 + 0.5 * 0.4, 'doc 2');
  close(hits[1].score, 0.8 + 2 * 0.2, 'doc 1 (max weight of repeated id, negative dropped)');
  const bytes = index.save();
  const back = await LexicalIndex.load(bytes);
  assert.equal(back.scoring, 'sparse');
  assert.deepEqual(back.search({ ids: [10, 20, 30], weights: [1, 2, 0.5] }), hits);
  const bad = bytes.slice();
  bad[bytes.length - 6] ^= 1;
  await assert.rejects(LexicalIndex.load(bad), CorruptDataError);
  await assert.rejects(LexicalIndex.load(bytes.subarray(0, 20)), /truncated/);
  index.dispose();
  back.dispose();
});

test('sparse: non-finite weights and malformed filters are InvalidArgumentError; NaN stored weights are corrupt', async () => {
  const index = await LexicalIndex.create({ scoring: 'sparse' });
  index.add(1, { ids: [10, 20], weights: [0.5, 0.2] });
  index.add(2, { ids: [20, 30], weights: [0.9, 0.4] });
  const q = { ids: [10, 20, 30], weights: [1, 2, 0.5] };
  const before = { size: index.size, hits: index.search(q) };
  const unchanged = () => assert.deepEqual({ size: index.size, hits: index.search(q) }, before);
  assert.throws(() => index.add(3, { ids: [10], weights: [NaN] }), (e) => e instanceof InvalidArgumentError && /weights\[0\] is NaN/.test(e.message));
  unchanged();
  assert.throws(() => index.search({ ids: [10, 20], weights: [1, Infinity] }), /query.weights\[1\] is Infinity/);
  assert.throws(() => index.search(q, { filter: { ids: 5 } }), (e) => e instanceof InvalidArgumentError && /filter.ids must be an iterable/.test(e.message));
  assert.throws(() => index.search(q, { filter: { ids: [1.5] } }), InvalidArgumentError);
  assert.throws(() => index.search(q, { filter: 'x' }), InvalidArgumentError);
  unchanged();
  // An empty index checks the query as well.
  const empty = await LexicalIndex.create({ scoring: 'sparse' });
  assert.throws(() => empty.search({ ids: [1], weights: [NaN] }), InvalidArgumentError);
  empty.dispose();
  // The last 4 bytes before the CRC are the last document's last term weight.
  const bytes = index.save();
  for (const value of [NaN, Infinity]) {
    const bad = bytes.slice();
    new DataView(bad.buffer).setFloat32(bad.length - 8, value, true);
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad.subarray(0, bad.length - 4)), true);
    await assert.rejects(LexicalIndex.load(bad), CorruptDataError);
  }
  index.dispose();
});
