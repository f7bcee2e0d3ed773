// Splits long documents into passages that fit a model's input, by token count, with overlap.
//
// Why by tokens: a model truncates at N tokens, so a passage cut by characters either wastes the
// model's window or loses its tail. Why sentence ends: a passage that starts and stops mid-sentence
// embeds worse and reads worse in search results. Cuts therefore go, in order of preference, at a
// paragraph or sentence end (., !, ?, …, 。, ！, ？, also after closing quotes, and newlines - which
// covers Korean '…다.' / '…요?' endings), then between words, and only as a last resort between
// two tokens of one word. Passages point back to the document by id and UTF-16 character range
// (String.prototype.slice indices) into the original text.
import { InvalidArgumentError } from '../errors.js';

/**
 * @typedef {object} Passage
 * @property {string|number} docId  id of the document it came from
 * @property {number} index         0-based passage number within the document
 * @property {number} start         first UTF-16 code unit in the document text
 * @property {number} end           one past the last code unit (text.slice(start, end))
 * @property {string} text          the passage text
 * @property {number} tokenStart    first token (of the document's encoding without special tokens)
 * @property {number} tokenEnd      one past the last token
 */

const DEFAULTS = { maxTokens: 256, overlapTokens: 32, minFill: 0.5 };

// Sentence terminators that need whitespace (or the end of text) after them, so "3.14", "e.g.x" and
// URLs do not split, then closing quotes/brackets that belong to the ending sentence.
const LATIN_END = /[.!?…]+["'”’»)\]]*(?=\s|$)/gu;
// CJK full-width terminators end a sentence with no space after them.
const CJK_END = /[。！？]+["'”’」』)\]）]*/gu;
const PARAGRAPH = /\n[ \t]*\n/g;
const NEWLINE = /\n/g;

/**
 * Character positions where a new sentence may start, with a strength (2 = paragraph, 1 = sentence
 * end or line break). Exported for tests.
 * @param {string} text
 * @returns {Map<number, number>} position -> strength
 */
export function sentenceBreaks(text) {
  const breaks = new Map();
  const put = (pos, strength) => breaks.set(pos, Math.max(breaks.get(pos) ?? 0, strength));
  for (const m of text.matchAll(LATIN_END)) put(m.index + m[0].length, 1);
  for (const m of text.matchAll(CJK_END)) put(m.index + m[0].length, 1);
  for (const m of text.matchAll(NEWLINE)) put(m.index, 1);
  for (const m of text.matchAll(PARAGRAPH)) put(m.index, 2);
  return breaks;
}

/**
 * Token ids and character spans of `text`, special and zero-width tokens excluded. Spans are a flat
 * Int32Array of UTF-16 [start, end) ranges (the Tokenizer reports UTF-16 offsets).
 * @param {{ encode(text: string, options?: object): any }} tokenizer a wasmbed Tokenizer
 * @param {string} text
 * @returns {Promise<{ ids: Int32Array, spans: Int32Array }>}
 */
export async function tokenize(tokenizer, text) {
  if (!tokenizer || typeof tokenizer.encode !== 'function') {
    throw new InvalidArgumentError('chunker: tokenizer must have an encode(text, options) method (a wasmbed Tokenizer)');
  }
  const enc = await tokenizer.encode(text, { addSpecialTokens: false });
  const offsets = enc?.offsets;
  if (!offsets) throw new InvalidArgumentError('chunker: tokenizer.encode() returned no offsets');
  const flat = Int32Array.from(flattenOffsets(offsets));
  const mask = enc.specialTokensMask ?? enc.special_tokens_mask;
  const ids = [];
  const spans = [];
  for (let i = 0; i < flat.length / 2; i += 1) {
    // Special tokens (none are requested, but added tokens may be flagged) and zero-width tokens
    // carry no text and cannot anchor a cut.
    if (mask && mask[i]) continue;
    if (flat[2 * i + 1] <= flat[2 * i]) continue;
    ids.push(enc.ids ? enc.ids[i] : -1);
    spans.push(flat[2 * i], flat[2 * i + 1]);
  }
  return { ids: Int32Array.from(ids), spans: Int32Array.from(spans) };
}

/** Token character spans only (see tokenize()). */
export async function tokenSpans(tokenizer, text) {
  return (await tokenize(tokenizer, text)).spans;
}

function flattenOffsets(offsets) {
  if (offsets.length === 0) return [];
  const first = offsets[0];
  if (typeof first === 'number') return offsets; // already flat
  const flat = new Array(offsets.length * 2);
  for (let i = 0; i < offsets.length; i += 1) {
    const o = offsets[i];
    flat[2 * i] = Array.isArray(o) || ArrayBuffer.isView(o) ? o[0] : o.start;
    flat[2 * i + 1] = Array.isArray(o) || ArrayBuffer.isView(o) ? o[1] : o.end;
  }
  return flat;
}

/**
 * Core of the chunker: given a text and its token spans, returns passage token/char ranges.
 * Pure and synchronous (exported for tests and for callers with their own tokenizer).
 * @param {string} text
 * @param {Int32Array|number[]} spans flat UTF-16 [start, end] per token, in order
 * @param {{ maxTokens?: number, overlapTokens?: number, minFill?: number }} [options]
 * @returns {{ tokenStart: number, tokenEnd: number, start: number, end: number }[]}
 */
export function chunkSpans(text, spans, options = {}) {
  const { maxTokens, overlapTokens, minFill } = checkOptions(options);
  const n = spans.length / 2;
  if (n === 0) return [];
  const startOf = (i) => spans[2 * i];
  const endOf = (i) => spans[2 * i + 1];
  const range = (s, e) => ({ tokenStart: s, tokenEnd: e, start: startOf(s), end: endOf(e - 1) });
  if (n <= maxTokens) return [range(0, n)];

  // cut[i] (1 <= i < n): how good a cut before token i is. 3 paragraph, 2 sentence, 1 word, 0 inside a word.
  const breaks = sentenceBreaks(text);
  const breakPositions = [...breaks.keys()].sort((a, b) => a - b);
  const cut = new Uint8Array(n + 1);
  cut[0] = 3;
  cut[n] = 3;
  let bp = 0;
  for (let i = 1; i < n; i += 1) {
    const gapStart = endOf(i - 1);
    const gapEnd = startOf(i);
    if (gapEnd < gapStart) continue; // tokens share characters (e.g. byte pieces of one code point)
    while (bp < breakPositions.length && breakPositions[bp] < gapStart) bp += 1;
    let strength = 0;
    for (let k = bp; k < breakPositions.length && breakPositions[k] <= gapEnd; k += 1) {
      strength = Math.max(strength, breaks.get(breakPositions[k]));
    }
    if (strength > 0) cut[i] = strength + 1;
    else cut[i] = gapEnd > gapStart ? 1 : 0;
  }

  const passages = [];
  const minLen = Math.max(1, Math.floor(maxTokens * minFill));
  let s = 0;
  while (s < n) {
    if (n - s <= maxTokens) {
      passages.push(range(s, n));
      break;
    }
    // End: the strongest cut in [s + minLen, s + maxTokens], latest among equals (longest passage).
    const e = bestCut(cut, s + minLen, s + maxTokens, 'last') ?? s + maxTokens;
    passages.push(range(s, e));
    // Next start: about `overlapTokens` back from e, preferring to begin at a sentence start.
    if (overlapTokens === 0) {
      s = e;
      continue;
    }
    const next = bestCut(cut, Math.max(s + 1, e - overlapTokens), e - 1, 'first') ?? Math.max(s + 1, e - overlapTokens);
    s = next;
  }
  return passages;
}

// Index in [lo, hi] with the highest cut strength (> 0 only); ties go to the last or first one.
function bestCut(cut, lo, hi, tie) {
  let best = null;
  for (let i = lo; i <= hi; i += 1) {
    if (cut[i] === 0) continue;
    if (best === null || cut[i] > cut[best] || (tie === 'last' && cut[i] === cut[best])) best = i;
  }
  return best;
}

function checkOptions(options) {
  const o = { ...DEFAULTS, ...options };
  if (!Number.isInteger(o.maxTokens) || o.maxTokens < 1) {
    throw new InvalidArgumentError(`chunker: maxTokens must be a positive integer, got ${o.maxTokens}`);
  }
  if (!Number.isInteger(o.overlapTokens) || o.overlapTokens < 0 || o.overlapTokens >= o.maxTokens) {
    throw new InvalidArgumentError(`chunker: overlapTokens must be an integer in [0, maxTokens), got ${o.overlapTokens}`);
  }
  if (typeof o.minFill !== 'number' || !(o.minFill > 0 && o.minFill <= 1)) {
    throw new InvalidArgumentError(`chunker: minFill must be in (0, 1], got ${o.minFill}`);
  }
  return o;
}

/**
 * Splits one document into passages.
 * @param {{ id: string|number, text: string }} doc
 * @param {{ encode(text: string, options?: object): any }} tokenizer a wasmbed Tokenizer
 * @param {{ maxTokens?: number, overlapTokens?: number, minFill?: number }} [options]
 *   maxTokens: passage length limit in tokens, special tokens excluded (default 256; use the
 *   model's max length minus its special tokens at most); overlapTokens: how many tokens a passage
 *   repeats from the previous one (default 32); minFill: a cut at a sentence end is only taken when
 *   the passage is at least this fraction of maxTokens long (default 0.5).
 * @returns {Promise<Passage[]>} no passages for a text without tokens (empty or whitespace)
 */
export async function chunkDocument(doc, tokenizer, options = {}) {
  if (!doc || typeof doc !== 'object') throw new InvalidArgumentError('chunker: document must be an object { id, text }');
  if (typeof doc.text !== 'string') throw new InvalidArgumentError(`chunker: document ${String(doc.id)} has no text string`);
  checkOptions(options);
  const spans = await tokenSpans(tokenizer, doc.text);
  return chunkSpans(doc.text, spans, options).map((r, index) => ({
    docId: doc.id,
    index,
    start: r.start,
    end: r.end,
    text: doc.text.slice(r.start, r.end),
    tokenStart: r.tokenStart,
    tokenEnd: r.tokenEnd,
  }));
}

/**
 * Splits many documents; passages come out document by document, in input order.
 * @param {Iterable<{ id: string|number, text: string }>} docs
 * @returns {Promise<Passage[]>}
 */
export async function chunkDocuments(docs, tokenizer, options = {}) {
  const out = [];
  for (const doc of docs) out.push(...(await chunkDocument(doc, tokenizer, options)));
  return out;
}
