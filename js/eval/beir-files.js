// The BEIR layout MTEB also reads: corpus.jsonl ({"_id", "title", "text"} per line),
// queries.jsonl ({"_id", "text"}), and qrels as TSV with the header `query-id corpus-id score`
// (also accepted: TREC qrels lines `qid iteration docid relevance`). Ids are strings (a JSON
// number id becomes its decimal text); grades are integers, as trec_eval requires.
import { parseError, inputName, readLines } from './input.js';

function idOf(value, file, line, field) {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw parseError(file, line, field, value === undefined ? 'missing' : `must be a non-empty string, got ${JSON.stringify(value)}`);
}

function textOf(value, file, line, field, { optional = false } = {}) {
  if (typeof value === 'string') return value;
  if (optional && (value === undefined || value === null)) return '';
  throw parseError(file, line, field, value === undefined ? 'missing' : `must be a string, got ${JSON.stringify(value)}`);
}

async function* jsonObjects(input) {
  const file = inputName(input);
  for await (const { text, number } of readLines(input)) {
    if (!text.trim()) continue;
    let obj;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw parseError(file, number, null, `not valid JSON (${err.message})`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw parseError(file, number, null, 'each line must be a JSON object');
    yield { obj, number, file };
  }
}

// One record per JSON line with a unique `_id`: { id, ...fields(obj, file, line) }, in file order.
async function readIdRecords(input, { one, many }, fields) {
  const records = [];
  const seen = new Map();
  for await (const { obj, number, file } of jsonObjects(input)) {
    const id = idOf(obj._id, file, number, '_id');
    if (seen.has(id)) throw parseError(file, number, '_id', `'${id}' repeats the ${one} of line ${seen.get(id)}`);
    seen.set(id, number);
    records.push({ id, ...fields(obj, file, number) });
  }
  if (!records.length) throw parseError(inputName(input), null, null, `has no ${many}`);
  return records;
}

/** corpus.jsonl -> [{ id, title, text }] in file order. */
export function readBeirCorpus(input) {
  return readIdRecords(input, { one: 'document', many: 'documents' }, (obj, file, number) => ({
    title: textOf(obj.title, file, number, 'title', { optional: true }), text: textOf(obj.text, file, number, 'text'),
  }));
}

/** queries.jsonl -> [{ id, text }] in file order. */
export function readBeirQueries(input) {
  return readIdRecords(input, { one: 'query', many: 'queries' }, (obj, file, number) => ({ text: textOf(obj.text, file, number, 'text') }));
}

/** qrels (BEIR TSV or TREC) -> Map query id -> Map doc id -> grade. */
export async function readQrels(input) {
  const file = inputName(input);
  const qrels = new Map();
  const where = new Map();
  let columns = null; // [query, doc, score] field indexes
  for await (const { text, number } of readLines(input)) {
    if (!text.trim()) continue;
    const fields = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
    if (!columns) {
      if (fields.length === 4 && /^-?\d+$/.test(fields[3])) columns = [0, 2, 3]; // TREC: qid iter docid rel
      else if (fields.length === 3 && /^-?\d+$/.test(fields[2])) columns = [0, 1, 2]; // headerless TSV
      else {
        const names = fields.map((f) => f.trim().toLowerCase());
        const q = names.indexOf('query-id');
        const d = names.indexOf('corpus-id');
        const s = names.indexOf('score');
        if (q < 0 || d < 0 || s < 0) throw parseError(file, number, null, `expected the header 'query-id<TAB>corpus-id<TAB>score' or TREC qrels lines, got ${JSON.stringify(text.slice(0, 80))}`);
        columns = [q, d, s];
        continue;
      }
    }
    const [qi, di, si] = columns;
    const need = Math.max(qi, di, si) + 1;
    if (fields.length < need) throw parseError(file, number, null, `has ${fields.length} fields, expected ${need}`);
    const qid = fields[qi].trim();
    const docId = fields[di].trim();
    const raw = fields[si].trim();
    if (!qid) throw parseError(file, number, 'query-id', 'is empty');
    if (!docId) throw parseError(file, number, 'corpus-id', 'is empty');
    if (!/^-?\d+$/.test(raw)) throw parseError(file, number, 'score', `must be an integer grade, got ${JSON.stringify(raw)}`);
    let judged = qrels.get(qid);
    if (!judged) qrels.set(qid, (judged = new Map()));
    const key = `${qid}\u0000${docId}`;
    if (judged.has(docId)) throw parseError(file, number, 'corpus-id', `'${docId}' is judged twice for query '${qid}' (first on line ${where.get(key)})`);
    where.set(key, number);
    judged.set(docId, Number(raw));
  }
  if (!qrels.size) throw parseError(file, null, null, 'has no judgments');
  return qrels;
}
