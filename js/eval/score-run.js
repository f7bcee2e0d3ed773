// Scores a whole run (query id -> hits) against qrels (and AutoRAG's retrieval_gt groups when the
// data has them): per-query measures and their means. Which queries count follows trec_eval:
//   - a query with no qrels lines is skipped (trec_eval evaluates only judged queries) and listed
//     in `unjudged`;
//   - a judged query the run has no results for is skipped too (trec_eval without -c), listed in
//     `notRetrieved`;
//   - a judged query without any relevant document (all grades 0) is scored (every measure 0, as
//     in trec_eval) and listed in `noRelevant`, so it can be found and filtered.
import { InvalidArgumentError } from '../index.js';
import { dedupeRanked, rankHits } from './ranking.js';
import { TREC_MEASURES, trecMeasures } from './trec-metrics.js';
import { AUTORAG_MEASURES, autoragMeasures } from './autorag-metrics.js';

export function checkCutoffs(ks) {
  if (!Array.isArray(ks) || ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new InvalidArgumentError(`ks must be a non-empty list of positive integers, got ${JSON.stringify(ks)}`);
  }
  return [...new Set(ks)].sort((a, b) => a - b);
}

/** Measure names in table order, e.g. ['ndcg@1', ..., 'hit@10']. */
export function measureNames(ks, { autorag = false } = {}) {
  const names = TREC_MEASURES.flatMap((m) => ks.map((k) => `${m}@${k}`));
  if (autorag) names.push(...AUTORAG_MEASURES.flatMap((m) => ks.map((k) => `${m}@${k}`)));
  return names;
}

/**
 * @param {{ run: Map<string, {id: string|number, score: number}[]>, qrels: Map<string, Map<string, number>>,
 *   groups?: Map<string, string[][]> | null, ks: number[] }} input
 * @returns {{ aggregate: Record<string, number>, perQuery: Record<string, Record<string, number>>,
 *   evaluated: number, autoragEvaluated: number, unjudged: string[], notRetrieved: string[],
 *   noRelevant: string[], duplicates: number }}
 */
export function scoreRun({ run, qrels, groups = null, ks }) {
  ks = checkCutoffs(ks);
  const perQuery = {};
  const sums = {};
  const counts = {};
  const unjudged = [];
  const notRetrieved = [];
  const noRelevant = [];
  let duplicates = 0;
  let evaluated = 0;
  let autoragEvaluated = 0;
  const add = (values) => {
    for (const [name, v] of Object.entries(values)) {
      sums[name] = (sums[name] ?? 0) + v;
      counts[name] = (counts[name] ?? 0) + 1;
    }
  };
  for (const [qid, hits] of run) {
    const judgments = qrels.get(qid);
    if (!judgments || judgments.size === 0) { unjudged.push(qid); continue; }
    const ranked = rankHits(hits, `run[${qid}]`);
    const { ids, duplicates: d } = dedupeRanked(ranked);
    duplicates += d;
    const values = trecMeasures(ids, judgments, ks);
    if (![...judgments.values()].some((g) => g >= 1)) noRelevant.push(qid);
    const g = groups?.get(qid);
    const extra = g ? autoragMeasures(g, ranked.map((h) => h.id), ks) : null;
    if (extra) { Object.assign(values, extra); autoragEvaluated++; }
    perQuery[qid] = values;
    add(values);
    evaluated++;
  }
  for (const qid of qrels.keys()) if (!run.has(qid)) notRetrieved.push(qid);
  const aggregate = {};
  for (const name of measureNames(ks, { autorag: autoragEvaluated > 0 })) {
    if (counts[name]) aggregate[name] = sums[name] / counts[name];
  }
  return { aggregate, perQuery, evaluated, autoragEvaluated, unjudged, notRetrieved, noRelevant, duplicates };
}
