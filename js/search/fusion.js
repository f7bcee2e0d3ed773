// Hybrid ranking: combine ranked result lists ([{ id, score }], best first) from dense and lexical
// search. Pure JS and synchronous: the lists are short (k to a few hundred), so crossing into
// wasm would cost more than the arithmetic.
import { InvalidArgumentError } from '../errors.js';

function checkLists(lists, weights) {
  if (!Array.isArray(lists) || lists.some((l) => !Array.isArray(l))) {
    throw new InvalidArgumentError('fusion: lists must be an array of result arrays [{ id, score }]');
  }
  const w = weights ?? lists.map(() => 1);
  if (!Array.isArray(w) || w.length !== lists.length || w.some((x) => !(Number.isFinite(x) && x >= 0))) {
    throw new InvalidArgumentError(`fusion: weights must be ${lists.length} finite numbers >= 0`);
  }
  return w;
}

function finish(map, limit) {
  const out = [...map.values()];
  out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return limit === undefined ? out : out.slice(0, limit);
}

/**
 * Reciprocal-rank fusion (Cormack et al. 2009): score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1.
 * Scores of the inputs are ignored, so lists on different scales combine safely.
 * @returns {{ id: any, score: number, ranks: (number|null)[] }[]} best first
 */
export function rrf(lists, { k = 60, weights, limit } = {}) {
  const w = checkLists(lists, weights);
  if (!(Number.isFinite(k) && k >= 0)) throw new InvalidArgumentError(`rrf: k must be a number >= 0, got ${k}`);
  const map = new Map();
  lists.forEach((list, i) => {
    list.forEach((hit, r) => {
      let e = map.get(hit.id);
      if (!e) map.set(hit.id, (e = { id: hit.id, score: 0, ranks: lists.map(() => null) }));
      if (e.ranks[i] !== null) return;  // a repeated id keeps its best rank
      e.ranks[i] = r + 1;
      e.score += w[i] / (k + r + 1);
    });
  });
  return finish(map, limit);
}

/**
 * Weighted score fusion: each list's scores are min-max normalised to [0, 1] (all-equal scores
 * become 1), then score(d) = sum_i w_i * norm_i(d) / sum_i w_i, with 0 for lists missing d.
 * @returns {{ id: any, score: number, scores: (number|null)[] }[]} best first; `scores` holds the raw inputs
 */
export function weightedFusion(lists, { weights, limit } = {}) {
  const w = checkLists(lists, weights);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new InvalidArgumentError('weightedFusion: weights must not all be 0');
  const map = new Map();
  lists.forEach((list, i) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const h of list) {
      if (!Number.isFinite(h.score)) throw new InvalidArgumentError(`weightedFusion: list ${i} has a non-finite score`);
      lo = Math.min(lo, h.score);
      hi = Math.max(hi, h.score);
    }
    for (const h of list) {
      let e = map.get(h.id);
      if (!e) map.set(h.id, (e = { id: h.id, score: 0, scores: lists.map(() => null) }));
      if (e.scores[i] !== null) continue;
      e.scores[i] = h.score;
      const norm = hi > lo ? (h.score - lo) / (hi - lo) : 1;
      e.score += (w[i] * norm) / total;
    }
  });
  return finish(map, limit);
}
