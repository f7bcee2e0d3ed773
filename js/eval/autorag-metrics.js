// AutoRAG's retrieval measures (autorag/evaluation/metric/retrieval.py), reimplemented with the
// same definitions so numbers line up with AutoRAG's Korean retrieval tables. Ground truth is
// `retrieval_gt`: a list of groups of doc ids; a group is found when any of its ids is retrieved.
// `pred` is the top-k id list as retrieved (AutoRAG evaluates the node's top_k results; a
// repeated id stays repeated, which matters for precision and ndcg below).
//   autorag_recall     groups found anywhere in pred / number of groups
//   autorag_precision  distinct pred ids that are in some group / len(pred)  (len counts repeats)
//   autorag_f1         2PR / (P + R), 0 when both are 0
//   autorag_mrr        per group 1 / rank of its first id in pred (groups never found add 0),
//                      summed and divided by the number of groups
//   autorag_map        per group: mean of precision@r over the ranks r where pred holds an id of
//                      that group (divided by the hits of that group, not by its size; 0 without
//                      hits); then the mean over groups
//   autorag_ndcg       binary gain 2^rel - 1 at log2(r + 1) over pred (a repeated relevant id
//                      counts each time); ideal: min(number of ids in all groups, len(pred)) ones
// A query whose retrieval_gt is [[]] or contains an empty id gets no value (AutoRAG's None) and is
// left out of the averages; [] (no groups) gives 0 everywhere, as in AutoRAG.

export const AUTORAG_MEASURES = ['autorag_f1', 'autorag_recall', 'autorag_precision', 'autorag_mrr', 'autorag_map', 'autorag_ndcg'];

/** True when AutoRAG scores this ground truth (false: it would return None). */
export function autoragScorable(groups) {
  if (groups.length === 1 && groups[0].length === 0) return false;
  return !groups.some((g) => g.some((id) => id === '' || id === null || id === undefined));
}

/**
 * @param {string[][]} groups  retrieval_gt of one query
 * @param {string[]} pred  retrieved ids, best first, already cut to k
 * @returns {{ f1: number, recall: number, precision: number, mrr: number, map: number, ndcg: number }}
 */
export function autoragScores(groups, pred) {
  const sets = groups.map((g) => new Set(g));
  const inAnyGroup = (id) => sets.some((s) => s.has(id));
  const distinct = new Set(pred);

  const groupsFound = sets.filter((s) => [...distinct].some((id) => s.has(id))).length;
  const recall = groups.length ? groupsFound / groups.length : 0;
  const relevantDistinct = [...distinct].filter(inAnyGroup).length;
  const precision = pred.length ? relevantDistinct / pred.length : 0;
  const f1 = recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);

  let rrSum = 0;
  let anyFound = false;
  let apSum = 0;
  for (const s of sets) {
    const first = pred.findIndex((id) => s.has(id));
    if (first >= 0) { rrSum += 1 / (first + 1); anyFound = true; }
    let hits = 0;
    let precisionSum = 0;
    pred.forEach((id, i) => {
      if (s.has(id)) { hits++; precisionSum += hits / (i + 1); }
    });
    apSum += hits ? precisionSum / hits : 0;
  }
  const mrr = anyFound ? rrSum / sets.length : 0;
  const map = sets.length ? apSum / sets.length : 0;

  let dcg = 0;
  pred.forEach((id, i) => { if (inAnyGroup(id)) dcg += 1 / Math.log2(i + 2); });
  const idealOnes = Math.min(groups.reduce((n, g) => n + g.length, 0), pred.length);
  let idcg = 0;
  for (let i = 0; i < idealOnes; i++) idcg += 1 / Math.log2(i + 2);
  const ndcg = idcg > 0 ? dcg / idcg : 0;
  return { f1, recall, precision, mrr, map, ndcg };
}

/** autoragScores at each cutoff, keyed 'autorag_recall@5' ...; null when AutoRAG gives None. */
export function autoragMeasures(groups, rankedIds, ks) {
  if (!autoragScorable(groups)) return null;
  const out = {};
  for (const k of ks) {
    const s = autoragScores(groups, rankedIds.slice(0, k));
    for (const [name, v] of Object.entries(s)) out[`autorag_${name}@${k}`] = v;
  }
  return out;
}
