// One query's results in the order trec_eval scores them: by score, highest first, ties broken by
// document id in *descending* byte order (trec_eval's comp_sim_docno: strcmp(p2->docno, p1->docno)).
// The rank a run file states is ignored, as trec_eval ignores it, so a re-scored TREC run file and
// an in-memory run give the same numbers.
import { InvalidArgumentError } from '../index.js';

/**
 * Compares two ids in Unicode code point order, which is the byte order of their UTF-8 encodings
 * (what strcmp sees). Plain `<` on JS strings compares UTF-16 units and puts U+E000..U+FFFF after
 * astral characters; this shifts surrogates above the rest of the BMP to undo that.
 */
export function compareIds(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) - codePointKey(y);
  }
  return a.length - b.length;
}

function codePointKey(unit) {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // part of a code point > U+FFFF
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Sorts one query's hits ([{ id, score }], any order) as trec_eval does; ids become strings.
 * Duplicated ids are kept here (AutoRAG's metrics see them); see dedupeRanked for trec_eval's view.
 * @returns {{ id: string, score: number }[]}
 */
export function rankHits(hits, what = 'hits') {
  if (!Array.isArray(hits)) throw new InvalidArgumentError(`${what} must be an array of { id, score }`);
  const out = hits.map((h, i) => {
    if (!h || (typeof h.id !== 'string' && typeof h.id !== 'number')) throw new InvalidArgumentError(`${what}[${i}].id must be a string or number`);
    if (typeof h.score !== 'number' || Number.isNaN(h.score)) throw new InvalidArgumentError(`${what}[${i}].score must be a number, got ${h.score}`);
    return { id: String(h.id), score: h.score };
  });
  return out.sort((a, b) => (b.score - a.score) || compareIds(b.id, a.id) || 0);
}

/**
 * trec_eval refuses a run that lists a document twice for one query; wasmbed keeps each id's first
 * (best-ranked) occurrence instead and says how many were dropped, so one repeated passage does
 * not stop an evaluation. Input must already be ranked (rankHits).
 * @returns {{ ids: string[], duplicates: number }}
 */
export function dedupeRanked(ranked) {
  const seen = new Set();
  const ids = [];
  for (const { id } of ranked) {
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  return { ids, duplicates: ranked.length - ids.length };
}
