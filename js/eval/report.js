// What an evaluation prints and writes: markdown tables for a terminal or a README, the JSON
// report (aggregate and per-query values), and TREC run files that trec_eval, pytrec_eval or
// ranx can re-score ("qid Q0 docid rank score tag", ranks from 1 in trec_eval's order).
import { rankHits } from './ranking.js';

const TREC_COLUMNS = [['ndcg', 'nDCG'], ['recall', 'Recall'], ['precision', 'Precision'], ['mrr', 'MRR'], ['map', 'MAP'], ['hit', 'Hit']];
const AUTORAG_COLUMNS = [['autorag_f1', 'F1'], ['autorag_recall', 'Recall'], ['autorag_precision', 'Precision'], ['autorag_mrr', 'mRR'], ['autorag_map', 'mAP'], ['autorag_ndcg', 'NDCG']];

const fmt = (v) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v.toFixed(4));
const row = (cells) => `| ${cells.join(' | ')} |\n`;

function table(title, lead, columns, rows) {
  let out = title ? `${title}\n\n` : '';
  out += row([...lead, ...columns.map(([, label]) => label)]);
  out += row([...lead, ...columns].map(() => '---'));
  for (const { cells, values, k } of rows) out += row([...cells, ...columns.map(([m]) => fmt(values[`${m}@${k}`]))]);
  return out;
}

/** Markdown tables of one evaluateRetrieval() result: trec_eval measures, then AutoRAG's if any. */
export function retrievalTables(result) {
  const rows = [];
  for (const mode of result.modes) for (const k of result.ks) rows.push({ cells: [mode, String(k)], values: result.results[mode].aggregate, k });
  const judged = result.results[result.modes[0]].evaluated;
  let out = table(`trec_eval measures (${judged} judged queries, ${result.counts.documents} documents)`, ['mode', 'k'], TREC_COLUMNS, rows);
  const autorag = result.results[result.modes[0]].autoragEvaluated;
  if (autorag) out += '\n' + table(`AutoRAG measures (retrieval_gt groups, ${autorag} queries)`, ['mode', 'k'], AUTORAG_COLUMNS, rows);
  return out;
}

/** One table for several evaluateRetrieval() results (models x dtypes x modes) at cutoff k. */
export function compareRetrievalTable(results, k) {
  const rows = [];
  for (const r of results) for (const mode of r.modes) rows.push({ cells: [r.model, r.dtype, mode], values: r.results[mode].aggregate, k });
  const autorag = results.some((r) => r.results[r.modes[0]].autoragEvaluated);
  const columns = autorag ? [...TREC_COLUMNS, ...AUTORAG_COLUMNS.map(([m, label]) => [m, `AutoRAG ${label}`])] : TREC_COLUMNS;
  return table(`at k = ${k}`, ['model', 'dtype', 'mode'], columns, rows);
}

/** One table for several evaluateSts() results. */
export function stsTable(results) {
  let out = row(['model', 'dtype', 'pairs', 'Spearman x100', 'Pearson x100', 'seconds']);
  out += row(Array(6).fill('---'));
  for (const r of results) out += row([r.model, r.dtype, String(r.pairs), (r.spearman * 100).toFixed(2), (r.pearson * 100).toFixed(2), r.seconds.toFixed(1)]);
  return out;
}

/** TREC run text for one run (Map qid -> hits); tag names the system. */
export function trecRunText(run, tag) {
  const safeTag = String(tag).replace(/\s+/g, '_');
  let out = '';
  for (const [qid, hits] of run) {
    rankHits(hits).forEach((h, i) => { out += `${qid} Q0 ${h.id} ${i + 1} ${h.score} ${safeTag}\n`; });
  }
  return out;
}

/** The JSON report: everything but the raw runs (those go to --run-out). */
export function retrievalJson(result) {
  const results = {};
  for (const [mode, r] of Object.entries(result.results)) {
    const { run, ...rest } = r;
    results[mode] = rest;
  }
  return { ...result, results };
}
