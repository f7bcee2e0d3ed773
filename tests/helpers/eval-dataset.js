// A small retrieval dataset built from the ../shared sentence corpora, for the eval tests and
// bench/eval.bench.js: consecutive distinct sentences form paragraphs (the documents); one
// sentence of some paragraphs is a query whose one relevant document is its paragraph. Lexical
// search can find those (the query's words are all in its paragraph); random weights cannot.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
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

const utf8Column = (name) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });

/**
 * Writes the AutoRAG layout under dir, in the schema AutoRAG's pandas/pyarrow files have:
 * corpus.parquet (doc_id, contents) and qa.parquet (qid, query, retrieval_gt as
 * list<list<string>>: groups of alternative doc ids). corpus: [[docId, text]]; qa: [[qid, query, groups]].
 */
export function writeAutoragParquet(dir, { corpus, qa }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'corpus.parquet'), new Uint8Array(parquetWriteBuffer({
    columnData: [{ name: 'doc_id', data: corpus.map((r) => r[0]) }, { name: 'contents', data: corpus.map((r) => r[1]) }],
    schema: [{ name: 'schema', num_children: 2 }, utf8Column('doc_id'), utf8Column('contents')],
  })));
  writeFileSync(path.join(dir, 'qa.parquet'), new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'qid', data: qa.map((r) => r[0]) },
      { name: 'query', data: qa.map((r) => r[1]) },
      { name: 'retrieval_gt', data: qa.map((r) => r[2]) },
    ],
    schema: [
      { name: 'schema', num_children: 3 }, utf8Column('qid'), utf8Column('query'),
      { name: 'retrieval_gt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      utf8Column('element'),
    ],
  })));
  return { corpus: path.join(dir, 'corpus.parquet'), queries: path.join(dir, 'qa.parquet') };
}
