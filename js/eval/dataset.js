// Loads a retrieval dataset in either layout into one shape, and checks it:
//   { layout, corpus: [{ id, title, text }], queries: [{ id, text }],
//     qrels: Map qid -> Map docId -> grade, groups: Map qid -> string[][] | null, problems }
// `problems` reports what does not line up instead of dropping it silently: judged doc ids that
// are not in the corpus (they still count as relevant, so recall cannot reach 1, exactly as in
// trec_eval) and judged query ids that are not among the queries.
import { InvalidArgumentError } from '../index.js';
import { extensionOf } from './input.js';
import { readBeirCorpus, readBeirQueries, readQrels } from './beir-files.js';
import { qrelsFromGroups, readAutoragCorpus, readAutoragQa } from './autorag-files.js';

const EXAMPLES = 5; // ids listed per problem; the counts are always complete

/**
 * @param {{ corpus: string|object, queries: string|object, qrels?: string|object }} files paths or { name, data }
 */
export async function loadRetrievalDataset({ corpus, queries, qrels }) {
  if (!corpus || !queries) throw new InvalidArgumentError('a retrieval dataset needs corpus and queries (and qrels for the BEIR layout)');
  if (extensionOf(corpus) === 'parquet') {
    if (qrels) throw new InvalidArgumentError('the AutoRAG layout (corpus.parquet) takes its judgments from qa.parquet retrieval_gt: drop qrels');
    const [docs, qa] = await Promise.all([readAutoragCorpus(corpus), readAutoragQa(queries)]);
    return withProblems({ layout: 'autorag', corpus: docs, queries: qa.queries, qrels: qrelsFromGroups(qa.groups), groups: qa.groups });
  }
  if (!qrels) throw new InvalidArgumentError('the BEIR layout needs qrels (a TSV with query-id, corpus-id, score)');
  const [docs, qs, judged] = await Promise.all([readBeirCorpus(corpus), readBeirQueries(queries), readQrels(qrels)]);
  return withProblems({ layout: 'beir', corpus: docs, queries: qs, qrels: judged, groups: null });
}

/**
 * A dataset from in-memory arrays: corpus [{ id, title?, text }], queries [{ id, text }], and
 * qrels (Map qid -> Map docId -> grade, or [{ queryId, docId, score }]) or AutoRAG groups
 * (Map or object qid -> string[][]).
 */
export function datasetFromArrays({ corpus, queries, qrels, groups }) {
  if (!Array.isArray(corpus) || !Array.isArray(queries)) throw new InvalidArgumentError('corpus and queries must be arrays');
  const docs = corpus.map((d, i) => {
    if (!d || (typeof d.id !== 'string' && typeof d.id !== 'number') || typeof d.text !== 'string') throw new InvalidArgumentError(`corpus[${i}] must be { id, title?, text }`);
    return { id: String(d.id), title: typeof d.title === 'string' ? d.title : '', text: d.text };
  });
  const qs = queries.map((q, i) => {
    if (!q || (typeof q.id !== 'string' && typeof q.id !== 'number') || typeof q.text !== 'string') throw new InvalidArgumentError(`queries[${i}] must be { id, text }`);
    return { id: String(q.id), text: q.text };
  });
  let g = null;
  if (groups) g = groups instanceof Map ? new Map([...groups].map(([k, v]) => [String(k), v])) : new Map(Object.entries(groups));
  let judged;
  if (qrels instanceof Map) judged = qrels;
  else if (Array.isArray(qrels)) {
    judged = new Map();
    qrels.forEach((r, i) => {
      if (!r || !Number.isInteger(r.score)) throw new InvalidArgumentError(`qrels[${i}] must be { queryId, docId, score } with an integer score`);
      const q = String(r.queryId);
      if (!judged.has(q)) judged.set(q, new Map());
      judged.get(q).set(String(r.docId), r.score);
    });
  } else if (g) judged = qrelsFromGroups(g);
  else throw new InvalidArgumentError('give qrels or groups');
  return withProblems({ layout: g ? 'autorag' : 'beir', corpus: docs, queries: qs, qrels: judged, groups: g });
}

function withProblems(ds) {
  const docIds = new Set(ds.corpus.map((d) => d.id));
  const queryIds = new Set(ds.queries.map((q) => q.id));
  const missingDocs = { count: 0, examples: [] };
  for (const [qid, judged] of ds.qrels) {
    for (const docId of judged.keys()) {
      if (docIds.has(docId)) continue;
      missingDocs.count++;
      if (missingDocs.examples.length < EXAMPLES) missingDocs.examples.push({ query: qid, doc: docId });
    }
  }
  const missing = [...ds.qrels.keys()].filter((q) => !queryIds.has(q));
  const missingQueries = { count: missing.length, examples: missing.slice(0, EXAMPLES) };
  return { ...ds, problems: { missingDocs, missingQueries } };
}

/** Human-readable warnings for a dataset's problems ([] when none). */
export function datasetWarnings({ problems }) {
  const out = [];
  const { missingDocs, missingQueries } = problems;
  if (missingDocs.count) {
    out.push(`${missingDocs.count} judged doc id(s) are not in the corpus (they still count as relevant), e.g. ${missingDocs.examples.map((e) => `${e.doc} (query ${e.query})`).join(', ')}`);
  }
  if (missingQueries.count) {
    out.push(`${missingQueries.count} judged query id(s) are not among the queries (not evaluated), e.g. ${missingQueries.examples.join(', ')}`);
  }
  return out;
}

/** The text a document is embedded and indexed as: BEIR / MTEB join title and text with a space. */
export function documentText(doc) {
  return (doc.title ? `${doc.title} ${doc.text}` : doc.text).trim();
}
