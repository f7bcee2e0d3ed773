// Per-query retrieval measures with trec_eval's definitions (trec_eval 9.0.x, as pytrec_eval, BEIR
// and MTEB compute them), at cutoffs k. Relevance: a qrels value >= 1 is relevant (trec_eval's
// default relevance_level 1); values are integer grades.
//   ndcg@k       sum_{r<=k} rel(d_r) / log2(r + 1), divided by the same sum over the ideal ranking
//                of *all judged documents* of the query (grades sorted high to low) — trec_eval's
//                ndcg_cut. 0 when the query has no document with a grade above 0.
//   map@k        sum over relevant d_r with r <= k of (relevant in top r) / r, divided by R, the
//                number of relevant judged documents of the query (not by min(k, R)): trec_eval's
//                map_cut. 0 when R = 0.
//   recall@k     relevant in top k / R (0 when R = 0): trec_eval's recall_k.
//   precision@k  relevant in top k / k, also when fewer than k were retrieved: trec_eval's P_k.
//   mrr@k        1 / rank of the first relevant document within the top k, else 0 (BEIR's mrr@k;
//                trec_eval's recip_rank is the uncut version).
//   hit@k        1 when a relevant document is within the top k, else 0 (trec_eval's success_k).
// Ranked ids must be unique and in trec_eval order (ranking.js).

export const TREC_MEASURES = ['ndcg', 'map', 'recall', 'precision', 'mrr', 'hit'];

/**
 * @param {string[]} rankedIds  unique ids, best first
 * @param {Map<string, number>} judgments  doc id -> integer grade (the query's qrels)
 * @param {number[]} ks  cutoffs (positive integers)
 * @returns {Record<string, number>}  e.g. { 'ndcg@10': 0.5, ... }
 */
export function trecMeasures(rankedIds, judgments, ks) {
  let relevantTotal = 0;
  const grades = [];
  for (const g of judgments.values()) {
    if (g >= 1) relevantTotal++;
    if (g > 0) grades.push(g);
  }
  grades.sort((a, b) => b - a);
  const out = {};
  for (const k of ks) {
    let dcg = 0;
    let found = 0;
    let apSum = 0;
    let firstRank = 0;
    const n = Math.min(k, rankedIds.length);
    for (let i = 0; i < n; i++) {
      const g = judgments.get(rankedIds[i]) ?? 0;
      if (g > 0) dcg += g / Math.log2(i + 2);
      if (g >= 1) {
        found++;
        apSum += found / (i + 1);
        if (!firstRank) firstRank = i + 1;
      }
    }
    let idcg = 0;
    for (let i = 0; i < Math.min(k, grades.length); i++) idcg += grades[i] / Math.log2(i + 2);
    out[`ndcg@${k}`] = idcg > 0 ? dcg / idcg : 0;
    out[`map@${k}`] = relevantTotal ? apSum / relevantTotal : 0;
    out[`recall@${k}`] = relevantTotal ? found / relevantTotal : 0;
    out[`precision@${k}`] = found / k;
    out[`mrr@${k}`] = firstRank ? 1 / firstRank : 0;
    out[`hit@${k}`] = found ? 1 : 0;
  }
  return out;
}
