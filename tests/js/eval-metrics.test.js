// The retrieval measures against hand-computed cases (graded relevance, ties, short runs, queries
// without relevant documents, repeated ids) and, on random runs, against a second implementation
// written here from the textbook definitions (trec_eval 9 / AutoRAG), independently of js/eval.
import test from 'node:test';
import assert from 'node:assert/strict';
import { autoragMeasures, autoragScores, compareIds, dedupeRanked, rankHits, scoreRun, trecMeasures } from '../../js/eval/index.js';

const close = (actual, expected, what, eps = 1e-12) => assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} != ${expected}`);
const judged = (obj) => new Map(Object.entries(obj));
const ranked = (hits) => dedupeRanked(rankHits(hits)).ids;

test('graded relevance, a run shorter than k: nDCG, MAP, recall, precision, MRR, hit by hand', () => {
  // grades: a 2, b 1, c 0 (judged non-relevant), d 1 (never retrieved); e unjudged
  const q = judged({ a: 2, b: 1, c: 0, d: 1 });
  const run = ranked([{ id: 'c', score: 0.9 }, { id: 'a', score: 0.8 }, { id: 'e', score: 0.7 }, { id: 'b', score: 0.6 }]);
  assert.deepEqual(run, ['c', 'a', 'e', 'b']);
  const m = trecMeasures(run, q, [1, 3, 5]);
  // k = 1: c is judged non-relevant
  for (const name of ['ndcg', 'map', 'recall', 'precision', 'mrr', 'hit']) close(m[`${name}@1`], 0, `${name}@1`);
  // k = 3: a (grade 2) at rank 2. Ideal over all judged docs: grades 2, 1, 1.
  const idcg3 = 2 / Math.log2(2) + 1 / Math.log2(3) + 1 / Math.log2(4);
  close(m['ndcg@3'], (2 / Math.log2(3)) / idcg3, 'ndcg@3');
  close(m['recall@3'], 1 / 3, 'recall@3'); // R = 3 relevant (a, b, d)
  close(m['precision@3'], 1 / 3, 'precision@3');
  close(m['map@3'], (1 / 2) / 3, 'map@3'); // precision 1/2 at a, divided by R = 3
  close(m['mrr@3'], 1 / 2, 'mrr@3');
  assert.equal(m['hit@3'], 1);
  // k = 5 with 4 results: b at rank 4; precision still divides by 5
  close(m['ndcg@5'], (2 / Math.log2(3) + 1 / Math.log2(5)) / idcg3, 'ndcg@5');
  close(m['recall@5'], 2 / 3, 'recall@5');
  close(m['precision@5'], 2 / 5, 'precision@5');
  close(m['map@5'], (1 / 2 + 2 / 4) / 3, 'map@5');
});

test('ties are broken by doc id in descending byte order, as trec_eval does; run ranks are ignored', () => {
  const hits = [{ id: 'b', score: 0.5 }, { id: 'a', score: 0.5 }, { id: 'c', score: 0.5 }, { id: 'z', score: 0.1 }];
  assert.deepEqual(ranked(hits), ['c', 'b', 'a', 'z']);
  close(trecMeasures(ranked(hits), judged({ a: 1 }), [10])['mrr@10'], 1 / 3, 'mrr of a behind c and b');
  // string order, not numeric: "9" > "10"
  assert.deepEqual(ranked([{ id: 10, score: 1 }, { id: 9, score: 1 }]), ['9', '10']);
  // code point (UTF-8 byte) order: U+1F600 sorts after U+FF5A, though its UTF-16 lead unit is smaller
  assert.ok(compareIds('\uFF5A', '\u{1F600}') < 0);
  assert.ok(compareIds('\u{1F600}', '\uFF5A') > 0);
  assert.ok(compareIds('ab', 'a') > 0 && compareIds('a', 'a') === 0);
  assert.deepEqual(ranked([{ id: '\uFF5A', score: 0 }, { id: '\u{1F600}', score: 0 }]), ['\u{1F600}', '\uFF5A']);
});

test('a repeated doc id counts once (its best rank); AutoRAG sees the repeat as AutoRAG does', () => {
  const hits = [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.8 }, { id: 'a', score: 0.7 }];
  const { ids, duplicates } = dedupeRanked(rankHits(hits));
  assert.deepEqual(ids, ['a', 'b']);
  assert.equal(duplicates, 1);
  const m = trecMeasures(ids, judged({ a: 1 }), [3]);
  close(m['precision@3'], 1 / 3, 'precision@3');
  close(m['map@3'], 1, 'map@3');
  // AutoRAG: precision = distinct relevant / len(pred) = 1/3; ndcg counts the repeat twice and its
  // ideal has min(1 id, 3) = 1 one, so it exceeds 1 (AutoRAG's definition, kept as is).
  const s = autoragScores([['a']], ['a', 'b', 'a']);
  close(s.precision, 1 / 3, 'autorag precision');
  close(s.ndcg, 1 + 1 / Math.log2(4), 'autorag ndcg');
  const scored = scoreRun({ run: new Map([['q', hits]]), qrels: new Map([['q', judged({ a: 1 })]]), ks: [3] });
  assert.equal(scored.duplicates, 1);
});

test('queries: unjudged ones are skipped, judged ones without a relevant doc score 0 and are listed', () => {
  const qrels = new Map([['good', judged({ a: 1 })], ['none', judged({ a: 0 })], ['absent', judged({ a: 1 })]]);
  const run = new Map([
    ['good', [{ id: 'a', score: 1 }]],
    ['none', [{ id: 'a', score: 1 }]],
    ['unjudged', [{ id: 'a', score: 1 }]],
    ['empty', []],
  ]);
  qrels.set('empty', judged({ b: 1 }));
  const r = scoreRun({ run, qrels, ks: [1] });
  assert.deepEqual(r.unjudged, ['unjudged']);
  assert.deepEqual(r.noRelevant, ['none']);
  assert.deepEqual(r.notRetrieved, ['absent']);
  assert.equal(r.evaluated, 3); // good (1), none (0), empty (0: retrieved nothing)
  close(r.aggregate['ndcg@1'], 1 / 3, 'mean ndcg@1');
  close(r.aggregate['recall@1'], 1 / 3, 'mean recall@1');
  assert.equal(r.perQuery.none['map@1'], 0);
  assert.equal(r.perQuery.unjudged, undefined);
});

test("AutoRAG's documented example: gt [['test-1','test-2'],['test-3']], result [test-1, pred-1, test-2, pred-3]", () => {
  const s = autoragScores([['test-1', 'test-2'], ['test-3']], ['test-1', 'pred-1', 'test-2', 'pred-3']);
  close(s.precision, 2 / 4, 'precision');
  close(s.recall, 1 / 2, 'recall');
  close(s.f1, 0.5, 'f1');
  close(s.mrr, (1 / 1 + 0) / 2, 'mrr');
  close(s.map, ((1 / 1 + 2 / 3) / 2 + 0) / 2, 'map'); // group 1 hits at ranks 1 and 3
  close(s.ndcg, (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4)), 'ndcg'); // ideal: min(3 ids, 4) ones
  assert.equal(autoragMeasures([[]], ['x'], [1]), null);
  assert.equal(autoragMeasures([['a', '']], ['a'], [1]), null);
  const none = autoragScores([['a']], []);
  assert.deepEqual(none, { f1: 0, recall: 0, precision: 0, mrr: 0, map: 0, ndcg: 0 });
});

// ---- a second implementation, from the definitions, for random runs ------------------------------

function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// trec_eval order via UTF-8 bytes (what strcmp compares), then keep the first of each id.
function textbookOrder(hits) {
  const rows = hits.map((h) => ({ id: String(h.id), score: h.score, bytes: Buffer.from(String(h.id), 'utf8') }));
  rows.sort((x, y) => (x.score !== y.score ? y.score - x.score : Buffer.compare(y.bytes, x.bytes)));
  return rows.map((r) => r.id).filter((id, i, all) => all.indexOf(id) === i);
}

function textbookTrec(order, qrels, k) {
  const top = order.slice(0, k);
  const rel = (id) => qrels[id] ?? 0;
  const relevantIds = Object.keys(qrels).filter((id) => qrels[id] >= 1);
  const R = relevantIds.length;
  const dcg = top.reduce((s, id, i) => s + (rel(id) > 0 ? rel(id) / Math.log2(i + 2) : 0), 0);
  const ideal = Object.values(qrels).filter((g) => g > 0).sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  const hitsAt = top.map((id) => rel(id) >= 1);
  const precisions = hitsAt.map((h, i) => (h ? hitsAt.slice(0, i + 1).filter(Boolean).length / (i + 1) : 0));
  const first = hitsAt.indexOf(true);
  const found = hitsAt.filter(Boolean).length;
  return {
    ndcg: idcg ? dcg / idcg : 0,
    map: R ? precisions.reduce((a, b) => a + b, 0) / R : 0,
    recall: R ? found / R : 0,
    precision: found / k,
    mrr: first >= 0 ? 1 / (first + 1) : 0,
    hit: found > 0 ? 1 : 0,
  };
}

function textbookAutorag(groups, pred) {
  const isRel = (id) => groups.some((g) => g.includes(id));
  const distinct = [...new Set(pred)];
  const recall = groups.filter((g) => g.some((id) => distinct.includes(id))).length / groups.length;
  const precision = pred.length ? distinct.filter(isRel).length / pred.length : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const rr = groups.map((g) => { const i = pred.findIndex((id) => g.includes(id)); return i < 0 ? 0 : 1 / (i + 1); });
  const mrr = rr.some((x) => x > 0) ? rr.reduce((a, b) => a + b, 0) / groups.length : 0;
  const ap = groups.map((g) => {
    const p = [];
    let h = 0;
    pred.forEach((id, i) => { if (g.includes(id)) { h++; p.push(h / (i + 1)); } });
    return p.length ? p.reduce((a, b) => a + b, 0) / p.length : 0;
  });
  const map = ap.reduce((a, b) => a + b, 0) / groups.length;
  const dcg = pred.reduce((s, id, i) => s + (isRel(id) ? 1 : 0) / Math.log2(i + 2), 0);
  const ones = Math.min(groups.flat().length, pred.length);
  let idcg = 0;
  for (let i = 0; i < ones; i++) idcg += 1 / Math.log2(i + 2);
  return { f1, recall, precision, mrr, map, ndcg: idcg ? dcg / idcg : 0 };
}

test('random runs: trec_eval measures equal the textbook implementation', () => {
  const rand = mulberry32(17);
  const ids = ['a', 'b', 'B', 'doc-1', 'doc-10', 'doc-2', '9', '10', '한국', '한글', 'ж', '\u{1F600}', '\uFF5A', 'x y'];
  const ks = [1, 3, 5, 10, 20];
  for (let trial = 0; trial < 500; trial++) {
    const qrels = {};
    for (const id of ids) if (rand() < 0.35) qrels[id] = Math.floor(rand() * 4) - (rand() < 0.05 ? 1 : 0); // grades -1..3
    if (!Object.keys(qrels).length) qrels[ids[0]] = 1;
    const n = Math.floor(rand() * 18);
    const hits = [];
    for (let i = 0; i < n; i++) hits.push({ id: ids[Math.floor(rand() * ids.length)], score: Math.round(rand() * 5) / 5 }); // ties and repeats
    const order = textbookOrder(hits);
    const got = trecMeasures(ranked(hits), judged(qrels), ks);
    for (const k of ks) {
      const want = textbookTrec(order, qrels, k);
      for (const [name, v] of Object.entries(want)) close(got[`${name}@${k}`], v, `trial ${trial} ${name}@${k}`, 1e-12);
    }
  }
});

test('random runs: AutoRAG measures equal the textbook implementation', () => {
  const rand = mulberry32(29);
  const pool = Array.from({ length: 12 }, (_, i) => `d${i}`);
  for (let trial = 0; trial < 500; trial++) {
    const groups = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pool.filter(() => rand() < 0.2).concat(pool[Math.floor(rand() * pool.length)]));
    const pred = Array.from({ length: Math.floor(rand() * 12) }, () => pool[Math.floor(rand() * pool.length)]);
    const k = 1 + Math.floor(rand() * 10);
    const got = autoragMeasures(groups, pred, [k]);
    const want = textbookAutorag(groups, pred.slice(0, k));
    for (const [name, v] of Object.entries(want)) close(got[`autorag_${name}@${k}`], v, `trial ${trial} ${name}@${k}`, 1e-12);
  }
});

test('cutoffs and hits are validated', () => {
  assert.throws(() => scoreRun({ run: new Map(), qrels: new Map(), ks: [0] }), { name: 'InvalidArgumentError' });
  assert.throws(() => rankHits([{ id: 'a', score: NaN }]), { name: 'InvalidArgumentError', message: /score/ });
  assert.throws(() => rankHits([{ score: 1 }]), { name: 'InvalidArgumentError', message: /id/ });
});
