// Texts far longer than the model can take (a 100 MB line) are not tokenized in full: only
// maxLength tokens are kept, yet the whole text used to be copied into the wasm heap as UTF-8 and
// tokenized, with all its intermediate buffers (about 3 GB for 100 MB). Such a text is cut to a
// prefix first, and the prefix is used only when it yields well over maxLength tokens, so the
// kept tokens lie far before the cut, where the cut cannot change them (normalizers and
// pre-tokenizers are local); otherwise the prefix is grown, up to the full text.
import { InvalidArgumentError } from '../errors.js';
import { callCore } from '../internal/call-core.js';

// First prefix: this many UTF-16 units per token of the limit (real text: 1.5-6 per token).
const UNITS_PER_TOKEN = 64;
// A prefix is used when its tokens number at least twice the limit plus this.
const MARGIN = 16;
// Each retry makes the prefix this many times longer.
const GROWTH = 8;

/** text's first `units` UTF-16 units, never splitting a surrogate pair. */
function cut(text, units) {
  const c = text.charCodeAt(units - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? units - 1 : units);
}

/** Untruncated token counts of texts: one call into the core. */
function countTokens(core, tokenizer, texts) {
  const encoder = tokenizer.encodeAll(texts, { maxLength: 0 });
  try {
    const table = callCore(() => encoder.table()) >>> 2;
    return core.HEAP32.slice(table, table + texts.length);
  } finally {
    encoder.delete();
  }
}

/**
 * texts, with every text longer than maxLength x 64 UTF-16 units replaced by a prefix that
 * tokenizes to the same first maxLength tokens. truncate 'error': a text whose prefix alone is
 * over the limit is refused here. Returns `texts` itself when none is that long.
 */
export function boundLongTexts(core, tokenizer, texts, { maxLength, truncate }) {
  let units = maxLength * UNITS_PER_TOKEN;
  let pending = [];
  for (let i = 0; i < texts.length; i++) if (texts[i].length > units) pending.push(i);
  if (!pending.length) return texts;
  const out = texts.slice();
  while (pending.length) {
    const prefixes = pending.map((i) => cut(texts[i], units));
    const counts = countTokens(core, tokenizer, prefixes);
    const next = [];
    pending.forEach((i, k) => {
      if (counts[k] >= 2 * maxLength + MARGIN) {
        if (truncate === 'error') {
          throw new InvalidArgumentError(`embed: texts[${i}] has at least ${counts[k]} tokens, over the limit of ${maxLength} (truncate: 'error')`);
        }
        out[i] = prefixes[k];
      } else if (texts[i].length > units * GROWTH) {
        next.push(i);
      } // else: the full text, which out[i] already is
    });
    units *= GROWTH;
    pending = next;
  }
  return out;
}
