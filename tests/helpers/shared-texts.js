// Reads the sentence corpora in ../shared/texts (KorSTS, KLUE-STS, STS-B ru/en) as plain lists of
// sentences: both sentences of every pair, in file order. Used by the tokenizer fixture script,
// the parity tests and the tokenizer benchmark, so all three see exactly the same lines.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR } from './paths.js';

/** The corpora, in a fixed order: [{ name, file }]. */
export const CORPORA = [
  { name: 'korsts', file: 'texts/korsts/sts-dev.tsv', lang: 'ko' },
  { name: 'klue-sts', file: 'texts/klue-sts/klue-sts-v1.1_dev.json', lang: 'ko' },
  { name: 'stsb-ru', file: 'texts/stsb-ru/stsb-ru-dev.csv', lang: 'ru' },
  { name: 'stsb-en', file: 'texts/stsb-en/stsb-en-dev.csv', lang: 'en' },
];

// RFC 4180 CSV (the 'excel' dialect the STS-B files use: quoted fields, "" escapes a quote).
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** [sentence1, sentence2] per pair of a corpus file, in file order. */
function pairsOf(name, raw) {
  if (name === 'korsts') {
    // TSV with a header; fields are not quoted (quotes inside sentences are literal).
    return raw.split('\n').slice(1).filter((l) => l.length).map((l) => {
      const f = l.split('\t');
      return [f[5], f[6]];
    });
  }
  if (name === 'klue-sts') return JSON.parse(raw).map((r) => [r.sentence1, r.sentence2]);
  return parseCsv(raw).filter((r) => r.length >= 2).map((r) => [r[0], r[1]]);
}

/** The sentence pairs of one corpus ([sentence1, sentence2] per row), or null when ../shared is absent. */
export function loadPairs(name, sharedDir = SHARED_DIR) {
  const c = CORPORA.find((x) => x.name === name);
  if (!c) throw new Error(`unknown corpus ${name}`);
  let raw;
  try {
    raw = readFileSync(path.join(sharedDir, c.file), 'utf8');
  } catch {
    return null;
  }
  return pairsOf(name, raw);
}

/** Sentences of one corpus (both sentences of every pair), or null when ../shared is absent. */
export function loadCorpus(name, sharedDir = SHARED_DIR) {
  return loadPairs(name, sharedDir)?.flat() ?? null;
}

/** { name: sentences[] } for every corpus, or null when ../shared/texts is absent. */
export function loadAllCorpora(sharedDir = SHARED_DIR) {
  const out = {};
  for (const c of CORPORA) {
    const s = loadCorpus(c.name, sharedDir);
    if (!s) return null;
    out[c.name] = s;
  }
  return out;
}
