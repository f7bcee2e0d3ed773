// VectorIndex through the WASM module in Node: exact top-k vs a plain JS float64 brute force,
// quantized recall, mutations, filters, typed errors, save/load and corruption detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  VectorIndex, CapacityError, CorruptDataError, InvalidArgumentError, WasmbedError,
} from '../../js/index.js';
import { crc32 } from '../../js/internal/crc32.js';
import { embeddingLikeVectors } from '../helpers/embedding-like-vectors.js';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Clustered rows (topical corpus) so nearest neighbours are well defined.
function clustered(n, dims, seed) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: 8 }, () => Float64Array.from({ length: dims }, gauss));
  const rows = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const c = centres[Math.floor(r() * 8)];
    for (let d = 0; d < dims; d++) rows[i * dims + d] = c[d] + 0.8 * gauss();
  }
  return rows;
}

function bruteForce(rows, ids, q, dims, cosine) {
  let qn = 0;
  for (let d = 0; d < dims; d++) qn += q[d] * q[d];
  const out = [];
  for (let i = 0; i < ids.length; i++) {
    let dot = 0;
    let rn = 0;
    for (let d = 0; d < dims; d++) {
      dot += rows[i * dims + d] * q[d];
      rn += rows[i * dims + d] ** 2;
    }
    out.push({ id: ids[i], score: cosine ? dot / Math.sqrt(rn * qn) : dot });
  }
  return out.sort((a, b) => b.score - a.score || a.id - b.id);
}

test('float32 top-k equals a JS float64 brute force (cosine and dot)', async () => {
  const dims = 96;
  const n = 800;
  const rows = clustered(n, dims, 1);
  const ids = Uint32Array.from({ length: n }, (_, i) => 5000 + i * 3);
  for (const metric of ['cosine', 'dot']) {
    const index = await VectorIndex.create({ dims, metric });
    index.addBatch(ids, rows);
    assert.equal(index.size, n);
    const queries = clustered(10, dims, 2);
    for (let qi = 0; qi < 10; qi++) {
      const q = queries.subarray(qi * dims, (qi + 1) * dims);
      const hits = index.search(q, { k: 10 });
      const ref = bruteForce(rows, ids, q, dims, metric === 'cosine');
      const tol = metric === 'dot' ? 2e-5 * Math.abs(ref[0].score) : 2e-5;
      assert.equal(hits.length, 10);
      hits.forEach((h, r) => {
        assert.ok(Math.abs(h.score - ref[r].score) <= tol, `${metric} rank ${r}: ${h.score} vs ${ref[r].score}`);
        const tie = (r > 0 && ref[r - 1].score - ref[r].score < tol) || ref[r].score - ref[r + 1].score < tol;
        if (!tie) assert.equal(h.id, ref[r].id, `${metric} rank ${r}`);
      });
    }
    index.dispose();
  }
});

test('raw binary search is the exact Hamming top-k in the wasm kernel (every width path, ties, filters)', async () => {
  for (const dims of [384, 512, 1024, 200]) {
    for (const n of [901, 900]) {
      const rows = clustered(n, dims, dims + n);
      // Every 10th row repeats an earlier one, so equal distances straddle the k-th place.
      for (let i = 10; i < n; i += 10) rows.copyWithin(i * dims, (i - 7) * dims, (i - 6) * dims);
      const ids = Uint32Array.from({ length: n }, (_, i) => 5 + 3 * i);
      const index = await VectorIndex.create({ dims, metric: 'dot', storage: 'binary', rescore: false, maxBytes: 1 << 18 });  // small blocks
      index.addBatch(ids, rows);
      for (const qi of [4, 333]) {
        const q = rows.subarray(qi * dims, (qi + 1) * dims);
        for (const keep of [null, (id) => id % 2 === 0]) {
          const ref = [];
          for (let i = 0; i < n; i++) {
            if (keep && !keep(ids[i])) continue;
            let h = 0;
            for (let d = 0; d < dims; d++) h += (rows[i * dims + d] > 0) !== (q[d] > 0) ? 1 : 0;
            ref.push({ id: ids[i], h });
          }
          ref.sort((a, b) => a.h - b.h || a.id - b.id);
          const hits = index.search(q, { k: 25, rescore: false, ...(keep ? { filter: keep } : {}) });
          assert.deepEqual(hits.map((x) => x.id), ref.slice(0, 25).map((x) => x.id), `${dims} bits, n ${n}, q ${qi}, filtered ${Boolean(keep)}`);
          hits.forEach((x, i) => assert.ok(Math.abs(x.score - (dims - 2 * ref[i].h) / dims) < 1e-6));
        }
      }
      index.dispose();
    }
  }
});

test('int8 and binary recall@10 after rescoring', async () => {
  const dims = 128;
  const n = 1500;
  const rows = clustered(n, dims, 3);
  const ids = Uint32Array.from({ length: n }, (_, i) => i);
  const r = rng(9);
  const queries = [];
  for (let qi = 0; qi < 20; qi++) {
    const src = Math.floor(r() * n);
    queries.push(Float32Array.from({ length: dims }, (_, d) => rows[src * dims + d] + (r() - 0.5)));
  }
  const recall = (index, opts) => {
    let found = 0;
    for (const q of queries) {
      const want = new Set(bruteForce(rows, ids, q, dims, true).slice(0, 10).map((h) => h.id));
      for (const h of index.search(q, { k: 10, ...opts })) found += want.has(h.id) ? 1 : 0;
    }
    return found / (queries.length * 10);
  };
  const int8 = await VectorIndex.create({ dims, storage: 'int8' });
  int8.addBatch(ids, rows);
  const binary = await VectorIndex.create({ dims, storage: 'binary' });
  binary.addBatch(ids, rows);
  assert.equal(binary.rescore, true, 'binary keeps float rows by default');
  const results = {
    int8: recall(int8, {}), int8Raw: recall(int8, { rescore: false }),
    binary: recall(binary, {}), binaryRaw: recall(binary, { rescore: false }),
  };
  console.log('recall@10', JSON.stringify(results));
  assert.ok(results.int8 >= 0.95, `int8 recall ${results.int8}`);
  assert.ok(results.binary >= 0.9, `binary recall ${results.binary}`);
  assert.ok(results.binary > results.binaryRaw, 'rescoring improves binary recall');
  int8.dispose();
  binary.dispose();
});

test('add / remove / update / get by id, with typed errors', async () => {
  const index = await VectorIndex.create({ dims: 3, metric: 'dot' });
  index.add(10, [1, 0, 0]);
  index.add(20, new Float32Array([0, 1, 0]), { tags: ['x'] });
  index.add(30, [0, 0, 1]);
  assert.throws(() => index.add(20, [1, 1, 1]), InvalidArgumentError);
  assert.throws(() => index.add(40, [1, 1]), /3 dimensions/);
  assert.throws(() => index.add(-1, [1, 1, 1]), InvalidArgumentError);
  assert.throws(() => index.add(41, [1, NaN, 1]), /component 1 is NaN/);
  assert.equal(index.remove(10), true);
  assert.equal(index.remove(10), false);
  assert.equal(index.has(10), false);
  assert.deepEqual([...index.ids()].sort(), [20, 30]);
  index.update(20, [0, 0, 2]);
  assert.deepEqual([...index.get(20)], [0, 0, 2]);
  assert.deepEqual(index.tags(20), ['x']);
  const hits = index.search([0, 0, 1], { k: 5 });
  assert.deepEqual(hits.map((h) => h.id), [20, 30]);
  assert.deepEqual(hits.map((h) => h.score), [2, 1]);
  assert.throws(() => index.update(99, [1, 1, 1]), /no vector with id 99/);
  assert.throws(() => index.search([1, 1, 1], { k: -1 }), InvalidArgumentError);
  assert.deepEqual(index.search([1, 1, 1], { k: 0 }), []);
  await assert.rejects(VectorIndex.create({ dims: 0 }), InvalidArgumentError);
  await assert.rejects(VectorIndex.create({ dims: 4, metric: 'l2' }), InvalidArgumentError);
  index.dispose();
  assert.throws(() => index.size, WasmbedError);
});

test('filters: stored tags (any / all), predicate, id allow-list', async () => {
  const index = await VectorIndex.create({ dims: 2, metric: 'dot', storage: 'int8' });
  index.add(1, [1, 0], { tags: ['ko', 'news'] });
  index.add(2, [0.9, 0], { tags: ['en', 'news'] });
  index.add(3, [0.8, 0], { tags: ['ko'] });
  index.add(4, [0.7, 0]);
  const ids = (opts) => index.search([1, 0], { k: 10, ...opts }).map((h) => h.id);
  assert.deepEqual(ids({ filter: { tags: ['ko'] } }), [1, 3]);
  assert.deepEqual(ids({ filter: { tags: ['ko', 'news'], match: 'all' } }), [1]);
  assert.deepEqual(ids({ filter: { tags: ['en', 'ko'] } }), [1, 2, 3]);
  assert.deepEqual(ids({ filter: { tags: ['missing'] } }), []);
  assert.deepEqual(ids({ filter: { tags: ['ko', 'missing'], match: 'all' } }), []);
  assert.deepEqual(ids({ filter: (id) => id % 2 === 0 }), [2, 4]);
  assert.deepEqual(ids({ filter: { ids: [4, 3] } }), [3, 4]);
  index.setTags(4, ['ko']);
  index.remove(1);
  assert.deepEqual(ids({ filter: { tags: ['ko'] } }), [3, 4]);
  assert.throws(() => index.search([1, 0], { filter: 'ko' }), InvalidArgumentError);
  index.dispose();
});

test('CapacityError names the configured limit', async () => {
  const index = await VectorIndex.create({ dims: 128, maxBytes: 200_000 });
  const v = new Float32Array(128).fill(1);
  let err;
  let added = 0;
  try {
    for (let i = 0; i < 10_000; i++, added++) index.add(i, v);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CapacityError, String(err));
  assert.match(err.message, /maxBytes/);
  assert.equal(index.size, added);
  assert.ok(added > 100);
  index.dispose();
});

test('save / load round trip, corruption and truncation are CorruptDataError', async () => {
  for (const storage of ['float32', 'int8', 'binary']) {
    const dims = 33;
    const rows = clustered(40, dims, 7);
    const index = await VectorIndex.create({ dims, storage });
    index.addBatch(Uint32Array.from({ length: 40 }, (_, i) => i * 11), rows, {
      tags: Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? ['quarter'] : [])),
    });
    index.remove(11);
    const bytes = index.save();
    const back = await VectorIndex.load(bytes);
    assert.equal(back.size, 39);
    assert.equal(back.storage, storage);
    const q = rows.subarray(5 * dims, 6 * dims);
    assert.deepEqual(back.search(q, { k: 5 }), index.search(q, { k: 5 }));
    assert.deepEqual(back.search(q, { k: 50, filter: { tags: ['quarter'] } }).map((h) => h.id).sort((a, b) => a - b),
      [0, 44, 88, 132, 176, 220, 264, 308, 352, 396]);
    assert.deepEqual(back.save(), bytes);
    for (const i of [0, 5, 9, 20, 40, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const bad = bytes.slice();
      bad[i] ^= 0x10;
      await assert.rejects(VectorIndex.load(bad), CorruptDataError, `flipped byte ${i}`);
    }
    for (const n of [0, 3, 31, 36, bytes.length - 5, bytes.length - 1]) {
      await assert.rejects(VectorIndex.load(bytes.subarray(0, n)), (e) => e instanceof CorruptDataError && /truncated/.test(e.message), `prefix ${n}`);
    }
    index.dispose();
    back.dispose();
  }
  await assert.rejects(VectorIndex.load([1, 2, 3]), InvalidArgumentError);
});

test('option names match the C++ (keepFloat, oversample); the former names still work the same', async () => {
  const rows = Float32Array.from({ length: 64 * 8 }, (_, i) => Math.sin(i * 0.7) + (i % 8) * 0.01);
  const q = rows.slice(8, 16);
  const a = await VectorIndex.create({ dims: 8, storage: 'int8', keepFloat: true });
  const b = await VectorIndex.create({ dims: 8, storage: 'int8', rescore: true });
  a.addBatch(Uint32Array.from({ length: 64 }, (_, i) => i), rows);
  b.addBatch(Uint32Array.from({ length: 64 }, (_, i) => i), rows);
  assert.equal(a.keepFloat, true);
  assert.equal(b.rescore, true);
  assert.deepEqual(a.search(q, { k: 5, oversample: 0 }), b.search(q, { k: 5, rescore: false }));
  assert.deepEqual(a.search(q, { k: 5, oversample: 3 }), b.search(q, { k: 5, rescore: 3 }));
  assert.deepEqual(a.search(q, { k: 5 }), b.search(q, { k: 5, rescore: true }));
  assert.throws(() => a.search(q, { oversample: -1 }), InvalidArgumentError);
  a.dispose();
  b.dispose();
});

// ---------------------------------------------------------------- int8 on embedding-like vectors

test('int8 reaches recall@10 >= 0.99 on anisotropic embedding-like vectors, cosine scores stay in [-1, 1]', async () => {
  // Format 1 (per-row codes of the raw vector) measured 0.976 on this data (bench/index-recall.bench.js).
  const dims = 384;
  const n = 4000;
  const gen = embeddingLikeVectors(dims, 21);
  const rows = gen.rows(n);
  const queries = gen.queries(40);
  const ids = Uint32Array.from({ length: n }, (_, i) => i);
  const exact = await VectorIndex.create({ dims, storage: 'float32' });
  const int8 = await VectorIndex.create({ dims, storage: 'int8' });
  exact.addBatch(ids, rows);
  int8.addBatch(ids, rows);
  let found = 0;
  for (let qi = 0; qi < 40; qi++) {
    const q = queries.subarray(qi * dims, (qi + 1) * dims);
    const want = new Set(exact.search(q, { k: 10 }).map((h) => h.id));
    for (const h of int8.search(q, { k: 10 })) found += want.has(h.id) ? 1 : 0;
  }
  const recall = found / 400;
  console.log('int8 recall@10 on embedding-like vectors', recall);
  assert.ok(recall >= 0.99, `int8 recall ${recall}`);
  // A query equal to a stored row: the dequantized row scores ~1 against it, never above.
  for (let i = 0; i < n; i += 97) {
    const q = rows.subarray(i * dims, (i + 1) * dims);
    for (const rescore of [true, false]) {
      const hits = int8.search(q, { k: 3, rescore });
      assert.ok(hits.every((h) => h.score <= 1 && h.score >= -1), `row ${i}: ${JSON.stringify(hits)}`);
    }
  }
  exact.dispose();
  int8.dispose();
});

// ---------------------------------------------------------------- all or nothing

// Everything a caller can see of an index: size, slot order, stored vectors, tags, searches.
function observe(index) {
  const dims = index.dims;
  const q = Float32Array.from({ length: dims }, (_, d) => Math.sin(d * 0.7));
  return {
    size: index.size,
    ids: [...index.ids()],
    vectors: [...index.ids()].map((id) => [...index.get(id)]),
    tags: [...index.ids()].map((id) => index.tags(id)),
    hits: index.search(q, { k: 10 }),
    raw: index.search(q, { k: 10, rescore: false }),
    tagged: index.search(q, { k: 10, filter: { tags: ['a'] } }),
  };
}

for (const storage of ['float32', 'int8', 'binary']) {
  test(`${storage}: every refused add / addBatch / update leaves the index unchanged, with typed errors`, async () => {
    const dims = 8;
    const index = await VectorIndex.create({ dims, storage });
    const rows = clustered(20, dims, 5);
    index.addBatch(Uint32Array.from({ length: 20 }, (_, i) => i), rows, { tags: Array.from({ length: 20 }, (_, i) => (i % 2 ? ['a'] : null)) });
    const before = observe(index);
    const row = new Float32Array(dims).fill(0.5);
    const nanRow = row.slice();
    nanRow[3] = NaN;
    const two = new Float32Array(2 * dims).fill(0.25);
    two[dims + 6] = Infinity;
    const refused = (fn, re) => {
      assert.throws(fn, (e) => e instanceof InvalidArgumentError && re.test(e.message), String(re));
      assert.deepEqual(observe(index), before, `changed by the call that failed with ${re}`);
    };
    // Issue #13.5: the tags used to be set after the rows went in, so id 600 stayed.
    refused(() => index.addBatch([600], row, { tags: [[5]] }), /tags\[0\]\[0\] must be a string/);
    refused(() => index.addBatch([600, 601], two, { tags: [['x'], 'y'] }), /tags\[1\] must be an array/);
    refused(() => index.addBatch([600, 601], two, { tags: [['x']] }), /one entry per id/);
    refused(() => index.addBatch([600, 601], two), /row 1 \(id 601\) component 6 is infinite/);
    refused(() => index.addBatch([600, 600], new Float32Array(2 * dims)), /appears twice in the batch/);
    refused(() => index.addBatch([600, 3], new Float32Array(2 * dims)), /id 3 already exists/);
    refused(() => index.addBatch([600, -1], new Float32Array(2 * dims)), /ids\[1\] must be an integer/);
    refused(() => index.addBatch(600, row), /ids must be an array/);
    refused(() => index.add(600, nanRow), /component 3 is NaN/);
    refused(() => index.add(600, row, { tags: ['ok', 7] }), /tags\[1\] must be a string/);
    refused(() => index.add(600, [1, 2, 3, 4, 5, 6, 7, 'x']), /component 7 is NaN/);
    refused(() => index.update(4, nanRow), /component 3 is NaN/);
    refused(() => index.update(4, row, { tags: 'a' }), /tags must be an array of strings/);
    refused(() => index.update(4, row, { tags: [null] }), /tags\[0\] must be a string/);
    refused(() => index.update(999, row), /no vector with id 999/);
    // Queries and filters: typed errors, nothing changes.
    refused(() => index.search(nanRow), /query component 3 is NaN/);
    refused(() => index.search(row, { filter: { ids: 5 } }), /filter.ids must be an iterable/);
    refused(() => index.search(row, { filter: { ids: 'abc' } }), /filter.ids must be an iterable/);
    refused(() => index.search(row, { filter: { ids: [1, -2] } }), /filter.ids entry must be an integer/);
    refused(() => index.search(row, { filter: { tags: 'a' } }), /filter.tags must be an array/);
    refused(() => index.search(row, { filter: { tags: [1] } }), /filter.tags\[0\] must be a string/);
    refused(() => index.search(row, { filter: { tags: ['a'], ids: [1] } }), /not both/);
    refused(() => index.search(row, { filter: { tag: ['a'] } }), /needs `tags` or `ids`/);
    refused(() => index.search(row, { filter: 5 }), /filter must be a function/);
    // The same batch, well formed, goes in whole, tags included; update with tags is one step.
    index.addBatch([600, 601], new Float32Array(2 * dims).fill(0.25), { tags: [['x'], undefined] });
    assert.equal(index.size, 22);
    assert.deepEqual(index.tags(600), ['x']);
    assert.deepEqual(index.tags(601), []);
    index.update(601, row, { tags: ['y'] });
    assert.deepEqual(index.tags(601), ['y']);
    index.dispose();
    // An empty index refuses a NaN query too, rather than answering [].
    const empty = await VectorIndex.create({ dims, storage });
    assert.throws(() => empty.search(nanRow), InvalidArgumentError);
    empty.dispose();
  });
}

// ---------------------------------------------------------------- stored values and old files

function fixCrc(bytes) {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

test('saved bytes holding NaN / Infinity are CorruptDataError even with a recomputed CRC', async () => {
  const dims = 16;
  for (const [storage, rescore, n, from] of [
    ['float32', false, 10, 8], // a row component
    ['int8', false, 10, 8], // a float row kept until the fit
    ['int8', false, 1100, 16 * 4 * 2 - 4], // the fitted center
    ['int8', true, 10, 4], // a float row kept for rescoring
    ['binary', true, 10, 4],
  ]) {
    const index = await VectorIndex.create({ dims, storage, rescore });
    const gen = embeddingLikeVectors(dims, 3);
    index.addBatch(Uint32Array.from({ length: n }, (_, i) => i), gen.rows(n));
    const bytes = index.save();
    index.dispose();
    const back = await VectorIndex.load(bytes);
    back.dispose();
    for (const value of [NaN, Infinity, -Infinity]) {
      const bad = bytes.slice();
      new DataView(bad.buffer).setFloat32(bad.length - 4 - from, value, true);
      await assert.rejects(VectorIndex.load(fixCrc(bad)), (e) => e instanceof CorruptDataError && /not finite|non-finite/.test(e.message),
        `${storage} n=${n} at -${from} = ${value}`);
    }
  }
});

test('format-version-1 files still load and answer as version 1 did', async () => {
  const dir = new URL('../fixtures/index-v1/', import.meta.url);
  const fixture = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));
  for (const [name, want] of Object.entries(fixture.expected)) {
    const bytes = new Uint8Array(readFileSync(new URL(`vector-${name}.wbix`, dir)));
    assert.equal(bytes[4], 1, `${name} is a version-1 file`);
    const index = await VectorIndex.load(bytes);
    assert.equal(index.size, want.size);
    assert.deepEqual([...index.ids()], want.ids);
    for (const id of want.ids) {
      assert.deepEqual([...index.get(id)], want.get[id], `${name} get(${id})`);
      assert.deepEqual(index.tags(id), want.tags[id]);
    }
    fixture.queries.forEach((q, qi) => {
      const close = (got, exp, what) => {
        assert.deepEqual(got.map((h) => h.id), exp.map((h) => h.id), what);
        got.forEach((h, i) => assert.ok(Math.abs(h.score - exp[i].score) < 2e-6, `${what} #${i}: ${h.score} vs ${exp[i].score}`));
      };
      close(index.search(Float32Array.from(q), { k: 5 }), want.search[qi].rescored, `${name} q${qi} rescored`);
      close(index.search(Float32Array.from(q), { k: 5, rescore: false }), want.search[qi].raw, `${name} q${qi} raw`);
    });
    // Saved again it is a version-2 file with the same content.
    const again = index.save();
    assert.equal(again[4], 2);
    const back = await VectorIndex.load(again);
    assert.deepEqual(observe(back), observe(index));
    back.dispose();
    index.dispose();
  }
});
