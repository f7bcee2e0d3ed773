// Lexical (BM25) segments of a static index. Queries have no model tokenizer at hand (the index
// may be searched before, or without, the embedder), so terms are words: NFKC, lower-cased runs
// of letters and digits, hashed (FNV-1a, 31 bits) to the token ids LexicalIndex takes. Each
// segment is a saved LexicalIndex over LEXICAL_SEGMENT_ROWS consecutive rows (ids = row
// numbers); BM25 statistics are per segment, which for segments of tens of thousands of rows
// from one corpus barely moves scores.
import { LexicalIndex } from '../lexical-index.js';

export const LEXICAL_SEGMENT_ROWS = 65536;

function fnv1a31(word) {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x7fffffff;
}

/** Token ids of a text for the 'words-v1' lexical tokenizer (repeats kept: BM25 counts them). */
export function wordTokens(text) {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return Int32Array.from(words, fnv1a31);
}

/** Yields { firstRow, rows, bytes } per lexical segment. */
export async function* buildLexicalSegments(texts) {
  for (let first = 0; first < texts.length; first += LEXICAL_SEGMENT_ROWS) {
    const end = Math.min(texts.length, first + LEXICAL_SEGMENT_ROWS);
    const index = await LexicalIndex.create({ scoring: 'bm25' });
    try {
      for (let r = first; r < end; r++) index.add(r, wordTokens(texts[r]));
      yield { firstRow: first, rows: end - first, bytes: index.save() };
    } finally {
      index.dispose();
    }
  }
}
