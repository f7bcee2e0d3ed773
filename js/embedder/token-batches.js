// The tokens of one embed() call, held in the C++ core (BatchEncoder in
// wasm/bindings/tokenizer_bindings.cpp): every text is tokenized in one call, only the token
// counts come back to JS, and each planned batch is then packed by one more call straight into
// ONNX Runtime's int64 layout. JS takes each input with one slice of the heap; no per-token loop,
// no BigInt conversion, no token strings or offsets.
import { InvalidArgumentError } from '../errors.js';
import { callCore } from '../internal/call-core.js';
import { boundLongTexts } from './long-texts.js';

export class TokenBatches {
  #core; #encoder; #count; #table; #order = null;

  /** The wasm module the tokens live in. */
  get core() { return this.#core; }

  /**
   * Tokenizes texts (prefix already applied). truncate 'end': cut at maxLength; 'error': refuse a
   * text with more than maxLength tokens (it is tokenized in full to count them).
   */
  constructor(core, tokenizer, texts, { maxLength, truncate }) {
    this.#core = core;
    this.#count = texts.length;
    const bounded = boundLongTexts(core, tokenizer, texts, { maxLength, truncate });
    this.#encoder = tokenizer.encodeAll(bounded, { maxLength: truncate === 'error' ? 0 : maxLength });
    try {
      const table = callCore(() => this.#encoder.table()) >>> 2; // int32 index; stays put as the heap grows
      this.#table = table;
      this.lengths = core.HEAP32.slice(table, table + texts.length);
      if (truncate === 'error') {
        const i = this.lengths.findIndex((n) => n > maxLength);
        if (i >= 0) throw new InvalidArgumentError(`embed: texts[${i}] has ${this.lengths[i]} tokens, over the limit of ${maxLength} (truncate: 'error')`);
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** Hands the planned batches' text order to the core (a plain heap write): [{ indices }]. */
  setPlan(batches) {
    const core = this.#core;
    const at = this.#table + this.#count;
    let k = 0;
    this.#order = [];
    for (const b of batches) {
      core.HEAP32.set(b.indices, at + k);
      this.#order.push(k);
      k += b.indices.length;
    }
    if (k !== this.#count) throw new InvalidArgumentError(`batch plan covers ${k} texts, expected ${this.#count}`);
  }

  /**
   * Packs planned batch b (one call into the core). Returns { ids, mask, types } (BigInt64Array,
   * [rows, seqLen] row-major, for ONNX Runtime) and the heap addresses of the int32 ids and mask,
   * valid until the next pack().
   */
  pack(b, rows, seqLen, padId) {
    const core = this.#core;
    const total = rows * seqLen;
    const block = callCore(() => this.#encoder.pack(this.#order[b], rows, seqLen, padId)) >>> 0;
    const i64 = (k) => new BigInt64Array(core.HEAPU8.slice(block + 8 * k * total, block + 8 * (k + 1) * total).buffer);
    return { ids: i64(0), mask: i64(1), types: i64(2), ids32Addr: block + 24 * total, mask32Addr: block + 28 * total };
  }

  /** Frees the core's copy of the tokens (idempotent). */
  dispose() {
    this.#encoder?.delete();
    this.#encoder = null;
  }
}
