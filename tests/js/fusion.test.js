// Hybrid fusion helpers against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rrf, weightedFusion, InvalidArgumentError } from '../../js/index.js';

const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
const dense = [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.8 }, { id: 'c', score: 0.5 }];
const lexical = [{ id: 'c', score: 12 }, { id: 'd', score: 3 }];

test('reciprocal-rank fusion', () => {
  const out = rrf([dense, lexical], { k: 60 });
  // c: 1/63 + 1/61; a: 1/61; b: 1/62; d: 1/62 (ties by id)
  assert.deepEqual(out.map((h) => h.id), ['c', 'a', 'b', 'd']);
  close(out[0].score, 1 / 63 + 1 / 61);
  assert.deepEqual(out[0].ranks, [3, 1]);
  assert.deepEqual(out[3].ranks, [null, 2]);
  const weighted = rrf([dense, lexical], { k: 0, weights: [1, 0.5], limit: 2 });
  assert.deepEqual(weighted.map((h) => h.id), ['a', 'c']);  // a: 1, c: 1/3 + 0.5 = 0.833, b: 1/2
  close(weighted[0].score, 1);
});

test('weighted score fusion with min-max normalisation', () => {
  const out = weightedFusion([dense, lexical], { weights: [3, 1] });
  // dense norm: a 1, b 0.75, c 0; lexical norm: c 1, d 0; divided by 4
  close(out.find((h) => h.id === 'a').score, 3 / 4);
  close(out.find((h) => h.id === 'b').score, (3 * 0.75) / 4);
  close(out.find((h) => h.id === 'c').score, 1 / 4);
  close(out.find((h) => h.id === 'd').score, 0);
  assert.deepEqual(out.map((h) => h.id), ['a', 'b', 'c', 'd']);
  assert.deepEqual(out.find((h) => h.id === 'c').scores, [0.5, 12]);
  // A single-element list normalises to 1.
  close(weightedFusion([[{ id: 1, score: -4 }]])[0].score, 1);
  assert.throws(() => weightedFusion([dense], { weights: [1, 2] }), InvalidArgumentError);
  assert.throws(() => rrf('x'), InvalidArgumentError);
});
