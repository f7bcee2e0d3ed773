// The chunked document store of a static index: rows [firstRow, firstRow + rows) of the index
// in one JSON file each, as [[id, snippet | null, metadata | null], ...]. A result needs only the
// chunk holding its row, so a page fetches a few small files rather than every document.
import { CorruptDataError } from '../../errors.js';

export const DOC_CHUNK_ROWS = 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Yields { firstRow, rows, bytes } per chunk of DOC_CHUNK_ROWS rows. */
export function* buildDocChunks(ids, texts, metadata, snippetChars) {
  for (let first = 0; first < ids.length; first += DOC_CHUNK_ROWS) {
    const end = Math.min(ids.length, first + DOC_CHUNK_ROWS);
    const rows = [];
    for (let r = first; r < end; r++) {
      const text = texts ? texts[r].slice(0, snippetChars) : null;
      rows.push([ids[r], text, metadata?.[r] ?? null]);
    }
    yield { firstRow: first, rows: end - first, bytes: encoder.encode(JSON.stringify(rows)) };
  }
}

/** Parses a chunk file and checks it holds `rows` well-formed entries; CorruptDataError names the file. */
export function parseDocChunk(bytes, file, rows) {
  let parsed;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new CorruptDataError(`static index: document chunk ${file} is not valid UTF-8 JSON (${err.message})`, { cause: err });
  }
  if (!Array.isArray(parsed) || parsed.length !== rows) {
    throw new CorruptDataError(`static index: document chunk ${file} should hold ${rows} rows, holds ${Array.isArray(parsed) ? parsed.length : 'no array'}`);
  }
  parsed.forEach((e, i) => {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string' || (e[1] !== null && typeof e[1] !== 'string')) {
      throw new CorruptDataError(`static index: document chunk ${file} row ${i} is not [id, text | null, metadata | null]`);
    }
  });
  return parsed;
}
