// Correlation of model similarities with gold scores, as STS benchmarks report it (MTEB and
// sentence-transformers' EmbeddingSimilarityEvaluator use scipy's spearmanr / pearsonr):
// Spearman = Pearson of the ranks, tied values sharing the average of the ranks they span.
import { InvalidArgumentError } from '../index.js';

/** 1-based ranks; tied values get the mean of their positions (scipy rankdata 'average'). */
export function averageRanks(values) {
  const order = Array.from(values, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(x, y) {
  if (x.length !== y.length) throw new InvalidArgumentError(`pearson: ${x.length} vs ${y.length} values`);
  if (x.length < 2) throw new InvalidArgumentError('pearson: needs at least 2 pairs');
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman rank correlation with average ranks for ties. */
export function spearman(x, y) {
  return pearson(averageRanks(x), averageRanks(y));
}
