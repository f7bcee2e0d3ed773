// Sentence-pair files with gold similarity scores (KorSTS, KLUE-STS, STS-B), by extension:
//   .tsv    header row naming sentence1, sentence2 and score columns (KorSTS); fields unquoted
//   .csv    the same header, or no header and rows sentence1,sentence2,score (STS-B as in ../shared)
//   .jsonl  one object per line, .json an array of objects (KLUE-STS): sentence1, sentence2 and a
//           score in `score`, `label` or `labels.label`
// Every pair is checked; errors name the file, line (or array index) and field.
import { InvalidArgumentError } from '../index.js';
import { parseCsvRecords } from './csv.js';
import { extensionOf, inputName, parseError, readBytes, readLines } from './input.js';

const COLUMNS = ['sentence1', 'sentence2', 'score'];

function pairOf({ s1, s2, score }, file, where, names = COLUMNS) {
  if (typeof s1 !== 'string') throw parseError(file, where, names[0], 'missing or not text');
  if (typeof s2 !== 'string') throw parseError(file, where, names[1], 'missing or not text');
  const value = typeof score === 'string' && score.trim() !== '' ? Number(score) : score;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw parseError(file, where, names[2], `must be a number, got ${JSON.stringify(score ?? null)}`);
  return { sentence1: s1, sentence2: s2, score: value };
}

function fromRows(rows, file) {
  if (!rows.length) throw parseError(file, null, null, 'has no rows');
  const header = rows[0].fields.map((f) => f.trim().toLowerCase());
  let idx = COLUMNS.map((c) => header.indexOf(c));
  let body = rows.slice(1);
  if (idx.some((i) => i < 0)) {
    const numericThird = rows[0].fields.length >= 3 && Number.isFinite(Number(rows[0].fields[2])) && rows[0].fields[2].trim() !== '';
    if (!numericThird) throw parseError(file, rows[0].line, null, `expected a header with columns ${COLUMNS.join(', ')} (or headerless rows sentence1,sentence2,score), got ${JSON.stringify(rows[0].fields.slice(0, 8))}`);
    idx = [0, 1, 2];
    body = rows;
  }
  return body.map(({ fields, line }) => pairOf({ s1: fields[idx[0]], s2: fields[idx[1]], score: fields[idx[2]] }, file, line));
}

function fromObject(obj, file, where) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw parseError(file, where, null, 'must be a JSON object');
  const score = obj.score ?? obj.label ?? obj.labels?.label;
  return pairOf({ s1: obj.sentence1, s2: obj.sentence2, score }, file, where);
}

/** @returns {Promise<{ sentence1: string, sentence2: string, score: number }[]>} */
export async function readStsPairs(input) {
  const file = inputName(input);
  const ext = extensionOf(input);
  let pairs;
  if (ext === 'tsv') {
    const rows = [];
    for await (const { text, number } of readLines(input)) if (text.trim()) rows.push({ fields: text.split('\t'), line: number });
    pairs = fromRows(rows, file);
  } else if (ext === 'csv') {
    pairs = fromRows(parseCsvRecords(new TextDecoder().decode(await readBytes(input)).replace(/^\uFEFF/, ''), file), file);
  } else if (ext === 'jsonl') {
    pairs = [];
    for await (const { text, number } of readLines(input)) {
      if (!text.trim()) continue;
      let obj;
      try { obj = JSON.parse(text); } catch (err) { throw parseError(file, number, null, `not valid JSON (${err.message})`); }
      pairs.push(fromObject(obj, file, number));
    }
  } else if (ext === 'json') {
    let arr;
    try { arr = JSON.parse(new TextDecoder().decode(await readBytes(input))); } catch (err) { throw parseError(file, null, null, `not valid JSON (${err.message})`); }
    if (!Array.isArray(arr)) throw parseError(file, null, null, 'must be a JSON array of pairs');
    pairs = arr.map((o, i) => fromObject(o, file, `[${i}]`));
  } else {
    throw new InvalidArgumentError(`${file}: unknown pair file type '.${ext}' (use .tsv, .csv, .jsonl or .json)`);
  }
  if (pairs.length < 2) throw parseError(file, null, null, `has ${pairs.length} pair(s); a correlation needs at least 2`);
  return pairs;
}
