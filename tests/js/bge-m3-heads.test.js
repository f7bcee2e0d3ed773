// BGE-M3 heads (C++/WASM) vs an independent plain-JS reference written from the definitions in
// ../shared/reference/bge-m3.md, on a padded batch with repeated and special ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BgeM3Heads, weightedScore, InvalidArgumentError } from '../../js/index.js';

function rng(seed) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
}

const SPECIAL = [0, 1, 2, 3]; // <s>, <pad>, </s>, <unk> in XLM-R's fairseq ids

function referenceSparse(hidden, ids, mask, seq, dim, w, b, t0) {
  const best = new Map();
  for (let t = 0; t < seq; t++) {
    if (!mask[t0 + t]) continue;
    const id = ids[t0 + t];
    let s = b;
    for (let i = 0; i < dim; i++) s += hidden[(t0 + t) * dim + i] * w[i];
    const weight = Math.max(0, s);
    if (SPECIAL.includes(id) || weight <= 0) continue;
    if (!best.has(id) || weight > best.get(id)) best.set(id, weight);
  }
  return new Map([...best].sort((a, c) => a[0] - c[0]));
}

function referenceColbert(hidden, mask, seq, dim, W, bias, out, t0) {
  const vecs = [];
  for (let t = 1; t < seq; t++) {
    if (!mask[t0 + t]) continue;
    const v = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let s = bias[o];
      for (let i = 0; i < dim; i++) s += hidden[(t0 + t) * dim + i] * W[o * dim + i];
      v[o] = s;
    }
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    vecs.push(v.map((x) => x / n));
  }
  return vecs;
}

test('sparse and ColBERT heads match the reference on a padded batch', async () => {
  const r = rng(11);
  const dim = 32, out = 24, batch = 3, seq = 9;
  const sparseW = Float32Array.from({ length: dim }, r);
  const colbertW = Float32Array.from({ length: out * dim }, r);
  const colbertB = Float32Array.from({ length: out }, r);
  const heads = await BgeM3Heads.create({ hiddenSize: dim, sparse: { weight: sparseW, bias: 0.05 }, colbert: { weight: colbertW, bias: colbertB }, droppedIds: SPECIAL });
  const lengths = [9, 5, 3];
  const ids = new Int32Array(batch * seq).fill(1);
  const mask = new Int32Array(batch * seq);
  const rows = [[0, 50, 51, 50, 3, 52, 50, 51, 2], [0, 60, 60, 61, 2], [0, 70, 2]];
  rows.forEach((row, b) => row.forEach((id, t) => { ids[b * seq + t] = id; mask[b * seq + t] = 1; }));
  const hidden = Float32Array.from({ length: batch * seq * dim }, () => r() * 4);
  const results = heads.compute(hidden, { ids, attentionMask: mask, shape: [batch, seq] });
  for (let b = 0; b < batch; b++) {
    const want = referenceSparse(hidden, ids, mask, seq, dim, sparseW, 0.05, b * seq);
    assert.deepEqual([...results[b].sparse.ids], [...want.keys()]);
    [...want.values()].forEach((w, k) => assert.ok(Math.abs(results[b].sparse.weights[k] - w) < 1e-5));
    for (const id of results[b].sparse.ids) assert.ok(!SPECIAL.includes(id), `special id ${id} in sparse output`);
    const cv = referenceColbert(hidden, mask, seq, dim, colbertW, colbertB, out, b * seq);
    assert.equal(results[b].colbert.count, lengths[b] - 1);
    assert.equal(cv.length, lengths[b] - 1);
    cv.forEach((v, j) => v.forEach((x, o) => assert.ok(Math.abs(results[b].colbert.vectors[j * out + o] - x) < 1e-5)));
  }
  // Scores follow the definitions.
  const [a, c] = [results[0], results[1]];
  const q = new Map(Array.from(a.sparse.ids, (id, k) => [id, a.sparse.weights[k]]));
  let lex = 0;
  c.sparse.ids.forEach((id, k) => { if (q.has(id)) lex += q.get(id) * c.sparse.weights[k]; });
  assert.ok(Math.abs(heads.sparseScore(a.sparse, c.sparse) - lex) < 1e-5);
  let col = 0;
  for (let i = 0; i < a.colbert.count; i++) {
    let best = -Infinity;
    for (let j = 0; j < c.colbert.count; j++) {
      let d = 0;
      for (let o = 0; o < out; o++) d += a.colbert.vectors[i * out + o] * c.colbert.vectors[j * out + o];
      best = Math.max(best, d);
    }
    col += best;
  }
  assert.ok(Math.abs(heads.colbertScore(a.colbert, c.colbert) - col / a.colbert.count) < 1e-5);
  heads.dispose();
  assert.throws(() => heads.compute(hidden, { ids, attentionMask: mask, shape: [batch, seq] }), InvalidArgumentError);
});

test('weightedScore reproduces sum(w*s)/sum(w)', () => {
  assert.ok(Math.abs(weightedScore({ dense: 0.626, sparse: 0.1956, colbert: 0.7796 }) - (0.4 * 0.626 + 0.2 * 0.1956 + 0.4 * 0.7796)) < 1e-12);
  assert.equal(weightedScore({ dense: 0.5, colbert: 0.25 }, { dense: 1, colbert: 3 }), (0.5 + 0.75) / 4);
  assert.throws(() => weightedScore({ dense: 1 }, { dense: 0 }), InvalidArgumentError);
});

test('BgeM3Heads.create validates shapes', async () => {
  await assert.rejects(BgeM3Heads.create({ hiddenSize: 4, sparse: { weight: new Float32Array(3), bias: 0 }, colbert: { weight: new Float32Array(16), bias: new Float32Array(4) }, droppedIds: [] }), /sparse.weight has 3 values/);
});
