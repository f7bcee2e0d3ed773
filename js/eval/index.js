// wasmbed evaluation: retrieval (BEIR / AutoRAG layouts, trec_eval and AutoRAG measures) and STS
// (Spearman / Pearson). Also reachable from the CLI as `wasmbed eval`.
export { evaluateRetrieval, DEFAULT_CUTOFFS } from './evaluate-retrieval.js';
export { evaluateSts } from './evaluate-sts.js';
export { loadRetrievalDataset, datasetFromArrays, datasetWarnings, documentText } from './dataset.js';
export { readBeirCorpus, readBeirQueries, readQrels } from './beir-files.js';
export { readAutoragCorpus, readAutoragQa, castRetrievalGt, qrelsFromGroups } from './autorag-files.js';
export { readStsPairs } from './sts-files.js';
export { scoreRun, measureNames } from './score-run.js';
export { trecMeasures, TREC_MEASURES } from './trec-metrics.js';
export { autoragMeasures, autoragScores, autoragScorable, AUTORAG_MEASURES } from './autorag-metrics.js';
export { rankHits, dedupeRanked, compareIds } from './ranking.js';
export { spearman, pearson, averageRanks } from './correlation.js';
export { RETRIEVAL_MODES } from './retrieve.js';
export { VectorCache } from './vector-cache.js';
export { retrievalTables, compareRetrievalTable, stsTable, trecRunText, retrievalJson } from './report.js';
export { progressPrinter } from './progress.js';
