// The throughput benchmark's corpora, built deterministically from ../shared sentences (KorSTS
// then KLUE-STS, both sentences of every pair, in file order) and measured with the model's own
// tokenizer (`count(text)` = token ids including special tokens; each model's texts are its own
// token counts of the same recipe):
//   short  `n` consecutive sentences as they come (KorSTS: about 5-60 tokens each).
//   mixed  a retrieval corpus as it comes: pages interleaved with short sentences in document
//          order, like issue #14's RAG corpus (160 texts, lengths 512, 512, 512, 488, ... down to
//          3). One text in PAGE_EVERY is a page; page k (k = 0..P-1) is built by joining
//          consecutive sentences until it reaches a heavy-tailed (Pareto, alpha 0.7) target of
//          64 / u^(1/0.7) tokens, u = (k + 0.5) / P, so the longest pages pass 512 and are
//          truncated by the model (as OCR'd report pages are). Pages take their places in a fixed
//          shuffled order; the short sentences between them are the next sentences of the stream.
//   long   `n` pages each joined to at least 512 tokens: every text runs at the model's limit.
// The same sentence stream feeds every corpus, each starting at its own fixed offset.

export const PAGE_EVERY = 13;
const ALPHA = 0.7;

/** A small fixed-seed PRNG (mulberry32), so every run builds the same corpora. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function stream(sentences, start) {
  let at = start;
  return () => sentences[at++ % sentences.length];
}

// Pages stop growing here: every model truncates far below it, and the heavy tail's first target
// passes it once a corpus has 10+ pages (160 texts: 5,990 tokens), where a count() capped lower
// (the bench counts with maxLength 4096) would never reach the target.
export const PAGE_CAP = 2048;

function page(next, count, target) {
  let text = next();
  // Counting grows with the page; stop at the target (the model truncates longer pages).
  while (count(text) < Math.min(target, PAGE_CAP)) text += ' ' + next();
  return text;
}

/** Heavy-tailed page targets (tokens), longest first. */
export function pageTargets(pages) {
  return Array.from({ length: pages }, (_, k) => Math.round(64 / ((k + 0.5) / pages) ** (1 / ALPHA)));
}

/**
 * sentences: the stream; count(text) -> tokens; sizes: { short, mixed, long } text counts.
 * Returns { short, mixed, long }: arrays of texts (a size of 0 leaves that corpus out).
 */
export function buildCorpora(sentences, count, sizes) {
  if (!sentences.length) throw new Error('buildCorpora: no sentences');
  const out = {};
  if (sizes.short) {
    const next = stream(sentences, 0);
    out.short = Array.from({ length: sizes.short }, next);
  }
  if (sizes.mixed) {
    const n = sizes.mixed;
    const pages = Math.max(1, Math.round(n / PAGE_EVERY));
    const targets = pageTargets(pages);
    const rand = prng(14);
    // Fisher-Yates with the fixed seed: where each target sits in the document.
    for (let i = targets.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [targets[i], targets[j]] = [targets[j], targets[i]];
    }
    const next = stream(sentences, 4000);
    const texts = [];
    const shorts = n - pages;
    for (let p = 0; p < pages; p++) {
      texts.push(page(next, count, targets[p]));
      // Short sentences after page p: an even share, the remainder to the first pages.
      const m = Math.floor(shorts / pages) + (p < shorts % pages ? 1 : 0);
      for (let s = 0; s < m; s++) texts.push(next());
    }
    out.mixed = texts;
  }
  if (sizes.long) {
    const next = stream(sentences, 2000);
    out.long = Array.from({ length: sizes.long }, () => page(next, count, 512));
  }
  return out;
}

/** Summary of token counts: { texts, tokens, min, median, max, top: the longest few }. */
export function describeLengths(lengths) {
  const sorted = [...lengths].sort((a, b) => b - a);
  return {
    texts: lengths.length,
    tokens: lengths.reduce((a, b) => a + b, 0),
    min: sorted.at(-1),
    median: sorted[sorted.length >> 1],
    max: sorted[0],
    top: sorted.slice(0, 8),
  };
}
