// A small retrieval dataset built from the ../shared sentence corpora, for the eval tests and
// bench/eval.bench.js: consecutive distinct sentences form paragraphs (the documents); one
// sentence of some paragraphs is a query whose one relevant document is its paragraph. Lexical
// search can find those (the query's words are all in its paragraph); random weights cannot.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpus } from './shared-texts.js';

/**
 * @param {{ corpora?: string[], paragraphs?: number, perParagraph?: number, queryEvery?: number }} options
 * @returns {{ corpus: {id,title,text}[], queries: {id,text}[], qrels: {queryId,docId,score}[] } | null} null without ../shared
 */
export function paragraphDataset({ corpora = ['korsts', 'stsb-en'], paragraphs = 60, perParagraph = 4, queryEvery = 2 } = {}) {
  const sentences = [];
  for (const name of corpora) {
    const s = loadCorpus(name);
    if (!s) return null;
    sentences.push([...new Set(s.map((x) => x.trim()).filter((x) => x.length > 20))]);
  }
  const corpus = [];
  const queries = [];
  const qrels = [];
  for (let p = 0; p < paragraphs; p++) {
    const source = sentences[p % sentences.length];
    const start = Math.floor(p / sentences.length) * perParagraph;
    const parts = source.slice(start, start + perParagraph);
    const id = `doc-${String(p).padStart(4, '0')}`;
    corpus.push({ id, title: '', text: parts.join(' ') });
    if (p % queryEvery === 0) {
      const qid = `q-${String(p).padStart(4, '0')}`;
      queries.push({ id: qid, text: parts[1] });
      qrels.push({ queryId: qid, docId: id, score: 1 });
    }
  }
  return { corpus, queries, qrels };
}

/** Writes the dataset in the BEIR layout (corpus.jsonl, queries.jsonl, qrels/test.tsv) under dir. */
export function writeBeir(dir, { corpus, queries, qrels }) {
  mkdirSync(path.join(dir, 'qrels'), { recursive: true });
  writeFileSync(path.join(dir, 'corpus.jsonl'), corpus.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'queries.jsonl'), queries.map((q) => JSON.stringify({ _id: q.id, text: q.text })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\n' + qrels.map((r) => `${r.queryId}\t${r.docId}\t${r.score}`).join('\n') + '\n');
  return { corpus: path.join(dir, 'corpus.jsonl'), queries: path.join(dir, 'queries.jsonl'), qrels: path.join(dir, 'qrels', 'test.tsv') };
}
