// AutoRAG's dataset layout: corpus.parquet (doc_id, contents, ...) and qa.parquet (qid, query,
// retrieval_gt, ...), read with hyparquet (pure JS, Node and browsers). retrieval_gt is a list of
// groups of doc ids; like AutoRAG's cast_retrieval_gt, a single string becomes [[id]] and a flat
// list of ids one group. Errors name the file, the row (1-based) and the column.
import { parquetReadObjects } from 'hyparquet';
import { inputName, parseError, readBytes } from './input.js';

async function rows(input, columns) {
  const file = inputName(input);
  const bytes = await readBytes(input);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let out;
  try {
    out = await parquetReadObjects({ file: buffer });
  } catch (err) {
    throw parseError(file, null, null, `not a readable parquet file (${err.message})`);
  }
  if (!out.length) throw parseError(file, null, null, 'has no rows');
  for (const c of columns) {
    if (!(c in out[0])) throw parseError(file, null, c, `column is missing (columns: ${Object.keys(out[0]).join(', ')})`);
  }
  return { file, out };
}

function idOf(value, file, row, field) {
  if (typeof value === 'string' && value !== '') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
  throw parseError(file, `row ${row}`, field, `must be a non-empty string, got ${JSON.stringify(value === undefined ? null : value)}`);
}

/** corpus.parquet -> [{ id, title: '', text }]. */
export async function readAutoragCorpus(input) {
  const { file, out } = await rows(input, ['doc_id', 'contents']);
  const seen = new Map();
  return out.map((r, i) => {
    const id = idOf(r.doc_id, file, i + 1, 'doc_id');
    if (seen.has(id)) throw parseError(file, `row ${i + 1}`, 'doc_id', `'${id}' repeats row ${seen.get(id)}`);
    seen.set(id, i + 1);
    if (typeof r.contents !== 'string') throw parseError(file, `row ${i + 1}`, 'contents', `must be a string, got ${JSON.stringify(r.contents ?? null)}`);
    return { id, title: '', text: r.contents };
  });
}

/** Normalises one retrieval_gt value to groups of ids (AutoRAG's cast_retrieval_gt). */
export function castRetrievalGt(value, file, row) {
  const bad = (why) => parseError(file, `row ${row}`, 'retrieval_gt', why);
  if (typeof value === 'string') return [[value]];
  if (!Array.isArray(value)) throw bad(`must be a list of lists of doc ids, got ${JSON.stringify(value ?? null)}`);
  if (value.length === 0) return [];
  if (value.every((x) => typeof x === 'string')) return [value.slice()];
  return value.map((group, g) => {
    if (!Array.isArray(group)) throw bad(`group ${g} must be a list of doc ids, got ${JSON.stringify(group ?? null)}`);
    return group.map((id, j) => {
      if (typeof id !== 'string') throw bad(`group ${g} item ${j} must be a string doc id, got ${JSON.stringify(id ?? null)}`);
      return id;
    });
  });
}

/** qa.parquet -> { queries: [{ id, text }], groups: Map qid -> string[][] }. */
export async function readAutoragQa(input) {
  const { file, out } = await rows(input, ['qid', 'query', 'retrieval_gt']);
  const queries = [];
  const groups = new Map();
  out.forEach((r, i) => {
    const id = idOf(r.qid, file, i + 1, 'qid');
    if (groups.has(id)) throw parseError(file, `row ${i + 1}`, 'qid', `'${id}' repeats an earlier row`);
    if (typeof r.query !== 'string') throw parseError(file, `row ${i + 1}`, 'query', `must be a string, got ${JSON.stringify(r.query ?? null)}`);
    queries.push({ id, text: r.query });
    groups.set(id, castRetrievalGt(r.retrieval_gt, file, i + 1));
  });
  return { queries, groups };
}

/** qrels equivalent of retrieval_gt: every id of every group judged relevant (grade 1). */
export function qrelsFromGroups(groups) {
  const qrels = new Map();
  for (const [qid, gs] of groups) {
    const judged = new Map();
    for (const g of gs) for (const id of g) if (id) judged.set(id, 1);
    qrels.set(qid, judged);
  }
  return qrels;
}
