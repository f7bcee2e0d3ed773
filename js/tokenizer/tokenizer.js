// Tokenizer: HF tokenizer.json / SentencePiece .model tokenization in the C++ core.
//
// Text goes to the core as UTF-8 written straight into the wasm heap with TextEncoder.encodeInto
// (a lone UTF-16 surrogate becomes U+FFFD there, exactly as HF's Node binding and every
// TextEncoder do). The core answers with the address of a small table of uint32 words describing
// arrays it owns (see wasm/bindings/tokenizer_bindings.cpp); each array is copied out with one
// TypedArray.slice(), never element by element. Offsets come back as UTF-16 indices of the JS string.
import { loadCore } from '../internal/core.js';
import { isNode } from '../internal/env.js';
import { InvalidArgumentError, UnsupportedError } from '../errors.js';
import { callCore, fromCore } from '../internal/call-core.js';
import { HeapScratch, heapCopy } from '../internal/heap.js';
import { NativeHandle } from '../internal/native-handle.js';
import { describeValue } from '../internal/describe.js';

const FLAVORS = { plain: 0, 'xlm-roberta': 1 };
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const KEEP_SCRATCH_BYTES = 4 << 20; // larger scratch areas are freed after the call
// tokenizer.json is handed to the core in chunks of this size (see #fromJsonChunks): 128 pages.
const JSON_CHUNK_BYTES = 512 << 10;

// One growable scratch area per core instance for the UTF-8 input; JS calls into the core are
// synchronous, so a single area per realm is never used by two calls at once. Areas above
// KEEP_SCRATCH_BYTES are freed after the call.
const scratchByCore = new WeakMap();
function scratchOf(core) {
  let s = scratchByCore.get(core);
  if (!s) scratchByCore.set(core, (s = new HeapScratch(core, 'tokenizer input')));
  return s;
}
const reserve = (core, bytes) => scratchOf(core).ensure(Math.max(bytes, 1024));
const scratchView = (core) => scratchOf(core).view();
const releaseLargeScratch = (core) => scratchOf(core).release(KEEP_SCRATCH_BYTES);

/**
 * Writes strings as UTF-8 into the scratch area in one block, after a table of [offset, length]
 * uint32 pairs (offsets relative to textBase), the layout encode_batch / encode_all read.
 * cap: an upper bound of the UTF-8 size (3 bytes per UTF-16 unit).
 */
function writeTextBlock(core, all, cap) {
  const spansBytes = all.length * 8;
  const base = reserve(core, spansBytes + cap);
  const spans = base; // 8-byte aligned (malloc), before the text
  const textBase = base + spansBytes;
  const heap = core.HEAPU8;
  const u32 = core.HEAPU32;
  let at = 0;
  for (let i = 0; i < all.length; i++) {
    const written = utf8Encoder.encodeInto(all[i], heap.subarray(textBase + at, textBase + cap)).written;
    u32[(spans >>> 2) + 2 * i] = at;
    u32[(spans >>> 2) + 2 * i + 1] = written;
    at += written;
  }
  return { spans, textBase };
}

const CONSTRUCT = Symbol('Tokenizer.construct');

function checkString(where, name, value) {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${where}: ${name} must be a string, got ${describeValue(value)}`);
  }
}

function checkLength(where, name, value) {
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new InvalidArgumentError(`${where}: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function toBytes(where, bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new InvalidArgumentError(`${where}: expected a Uint8Array or ArrayBuffer, got ${describeValue(bytes)}`);
}

/**
 * One encoded input. The core's result block (see EncodeTable in
 * wasm/bindings/tokenizer_bindings.cpp) is copied out with ONE slice; each array is a view into
 * that copy made on first access, and `tokens` / `offsets` are materialised on first access.
 */
class TokenizerEncoding {
  #buf;
  #n;
  #tokenBytes;
  #views = [];
  #tokens = null;
  #pairs = null;

  constructor(buf, n, tokenBytes) {
    this.#buf = buf;
    this.#n = n;
    this.#tokenBytes = tokenBytes;
  }

  // k-th int32 array of the block (0 ids, 1 type ids, 2 attention, 3 special, 4 sequence ids,
  // 5 UTF-16 token lengths, 6 offsets as 2n values).
  #ints(k) {
    return (this.#views[k] ??= new Int32Array(this.#buf, 4 * k * this.#n, k === 6 ? 2 * this.#n : this.#n));
  }

  get ids() { return this.#ints(0); }
  get typeIds() { return this.#ints(1); }
  get attentionMask() { return this.#ints(2); }
  get specialTokensMask() { return this.#ints(3); }
  get sequenceIds() { return this.#ints(4); }
  get length() { return this.#n; }

  get tokens() {
    if (!this.#tokens) {
      const units = this.#ints(5);
      const all = utf8Decoder.decode(new Uint8Array(this.#buf, 32 * this.#n, this.#tokenBytes));
      const out = new Array(units.length);
      let at = 0;
      for (let i = 0; i < out.length; i++) {
        out[i] = all.slice(at, at + units[i]);
        at += units[i];
      }
      this.#tokens = out;
    }
    return this.#tokens;
  }

  get offsets() {
    if (!this.#pairs) {
      const o = this.#ints(6);
      this.#pairs = Array.from({ length: o.length >> 1 }, (_, i) => [o[2 * i], o[2 * i + 1]]);
    }
    return this.#pairs;
  }

  /** Plain-object form (all fields materialised), e.g. for JSON.stringify / structuredClone. */
  toJSON() {
    return {
      ids: Array.from(this.ids), typeIds: Array.from(this.typeIds), attentionMask: Array.from(this.attentionMask),
      specialTokensMask: Array.from(this.specialTokensMask), sequenceIds: Array.from(this.sequenceIds),
      tokens: this.tokens, offsets: this.offsets,
    };
  }
}

function readEncoding(core, table) {
  const u32 = core.HEAPU32;
  const t = table >>> 2;
  const at = u32[t + 1];
  return new TokenizerEncoding(core.HEAPU8.slice(at, at + u32[t + 2]).buffer, u32[t], u32[t + 3]);
}

export class Tokenizer extends NativeHandle {
  #address; // the C++ object's address, for the direct wasmbed_tokenizer_encode export

  /** @private Use Tokenizer.fromJSON / fromSentencePiece / fromFile. */
  constructor(key, core, handle) {
    if (key !== CONSTRUCT) {
      handle?.delete?.();
      throw new InvalidArgumentError('use Tokenizer.fromJSON(), fromSentencePiece() or fromFile()');
    }
    super(core, 'Tokenizer', { native: handle });
    this.#address = handle.address() >>> 0;
  }

  /** Parses a HF tokenizer.json given as text, bytes or an already-parsed object. */
  static async fromJSON(json) {
    let bytes;
    if (typeof json === 'string') bytes = utf8Encoder.encode(json);
    else if (json instanceof Uint8Array || json instanceof ArrayBuffer) bytes = toBytes('Tokenizer.fromJSON', json);
    else if (json !== null && typeof json === 'object' && !ArrayBuffer.isView(json) && !Array.isArray(json)) {
      bytes = utf8Encoder.encode(JSON.stringify(json));
    } else {
      throw new InvalidArgumentError(`Tokenizer.fromJSON: expected tokenizer.json text, bytes or object, got ${describeValue(json)}`);
    }
    const core = await loadCore();
    return Tokenizer.#fromJsonChunks(core, bytes);
  }

  /** Loads a SentencePiece .model (unigram or BPE). flavor 'xlm-roberta' applies the fairseq ids. */
  static async fromSentencePiece(bytes, { flavor = 'plain' } = {}) {
    const data = toBytes('Tokenizer.fromSentencePiece', bytes);
    if (!(flavor in FLAVORS)) {
      throw new InvalidArgumentError(`Tokenizer.fromSentencePiece: flavor must be 'plain' or 'xlm-roberta', got ${String(flavor)}`);
    }
    const core = await loadCore();
    return Tokenizer.#create(core, data, (address) => core.TokenizerHandle.fromSentencePiece(address, data.length, FLAVORS[flavor]));
  }

  /**
   * Node only: loads a tokenizer file by extension (.json -> tokenizer.json, .model ->
   * SentencePiece) or a folder containing tokenizer.json.
   */
  static async fromFile(file, { flavor } = {}) {
    if (!isNode) throw new UnsupportedError('Tokenizer.fromFile is only available in Node; use fromJSON() or fromSentencePiece() with fetched bytes');
    checkString('Tokenizer.fromFile', 'path', file);
    const { fs: { readFile, stat }, path } = await import('#node-builtins');
    let target = file;
    try {
      if ((await stat(file)).isDirectory()) target = path.join(file, 'tokenizer.json');
    } catch (err) {
      throw new InvalidArgumentError(`Tokenizer.fromFile: cannot read ${file}: ${err.message}`, { cause: err });
    }
    let bytes;
    try {
      bytes = await readFile(target);
    } catch (err) {
      throw new InvalidArgumentError(`Tokenizer.fromFile: cannot read ${target}: ${err.message}`, { cause: err });
    }
    const ext = path.extname(target).toLowerCase();
    if (ext === '.json') return Tokenizer.fromJSON(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (ext === '.model') return Tokenizer.fromSentencePiece(bytes, { flavor: flavor ?? 'plain' });
    throw new InvalidArgumentError(`Tokenizer.fromFile: ${target}: unknown extension '${ext}' (expected .json or .model)`);
  }

  // tokenizer.json goes into the heap JSON_CHUNK_BYTES at a time, through one buffer the core
  // reads it from: a whole 17 MB XLM-R file copied into fresh heap pages cost a third of a first
  // load in page faults, and was the load's peak memory.
  static #fromJsonChunks(core, bytes) {
    let offset = 0;
    const next = (address, capacity) => {
      const n = Math.min(capacity, bytes.length - offset);
      core.HEAPU8.set(bytes.subarray(offset, offset + n), address >>> 0);
      offset += n;
      return n;
    };
    const chunk = Math.max(1, Math.min(JSON_CHUNK_BYTES, bytes.length));
    return new Tokenizer(CONSTRUCT, core, callCore(() => core.TokenizerHandle.fromJsonChunks(bytes.length, chunk, next)));
  }

  // The file goes into its own allocation, not the encode scratch: the core takes it and frees it
  // as soon as it has read it (before building the vocabulary trie), on success or error.
  static #create(core, bytes, make) {
    const address = heapCopy(core, bytes, 'tokenizer file');
    return new Tokenizer(CONSTRUCT, core, callCore(() => make(address)));
  }

  #live(where) {
    return this.native(where);
  }

  /**
   * Encodes one text (or a pair). Offsets are [start, end) UTF-16 indices into the text the token
   * came from (`sequenceIds` says which: 0 = text, 1 = pair, -1 = added special token).
   */
  encode(text, { addSpecialTokens = true, maxLength, pair } = {}) {
    this.#live('encode');
    checkString('Tokenizer.encode', 'text', text);
    const hasPair = pair !== undefined && pair !== null;
    if (hasPair) checkString('Tokenizer.encode', 'pair', pair);
    const max = checkLength('Tokenizer.encode', 'maxLength', maxLength);
    const core = this.core;
    const capA = text.length * 3;
    const capB = hasPair ? pair.length * 3 : 0;
    const base = reserve(core, capA + capB);
    const view = scratchView(core);
    const lenA = utf8Encoder.encodeInto(text, view).written;
    const lenB = hasPair ? utf8Encoder.encodeInto(pair, view.subarray(lenA)).written : 0;
    // No callCore closure on this hot path: the same conversion of core errors, inline.
    let table;
    try {
      table = core._wasmbed_tokenizer_encode(this.#address, base, lenA, base + lenA, lenB, hasPair ? 1 : 0, addSpecialTokens ? 1 : 0, max, 0) >>> 0;
    } catch (err) {
      releaseLargeScratch(core);
      throw fromCore(err);
    }
    const enc = readEncoding(core, table);
    releaseLargeScratch(core);
    return enc;
  }

  /**
   * Encodes raw UTF-8 bytes. Invalid sequences are replaced by U+FFFD (one per maximal invalid
   * subpart, as TextDecoder does); offsets index `new TextDecoder().decode(bytes)`.
   */
  encodeBytes(bytes, { addSpecialTokens = true, maxLength } = {}) {
    const handle = this.#live('encodeBytes');
    const data = toBytes('Tokenizer.encodeBytes', bytes);
    const max = checkLength('Tokenizer.encodeBytes', 'maxLength', maxLength);
    const core = this.core;
    const base = reserve(core, data.length);
    core.HEAPU8.set(data, base);
    try {
      const table = callCore(() => handle.encode(base, data.length, base, 0, false, !!addSpecialTokens, max, true));
      return readEncoding(core, table);
    } finally {
      releaseLargeScratch(core);
    }
  }

  /**
   * Encodes many texts into flat, padded Int32Arrays ([batch, seqLen] row-major), ready to be
   * wrapped in ONNX Runtime tensors. Padding uses the tokenizer's pad id, to the longest sequence
   * of the batch or to `padToLength` when given.
   */
  encodeBatch(texts, { addSpecialTokens = true, maxLength, padToLength, pairs } = {}) {
    const handle = this.#live('encodeBatch');
    if (!Array.isArray(texts)) throw new InvalidArgumentError(`Tokenizer.encodeBatch: texts must be an array of strings, got ${describeValue(texts)}`);
    const hasPairs = pairs !== undefined && pairs !== null;
    if (hasPairs && (!Array.isArray(pairs) || pairs.length !== texts.length)) {
      throw new InvalidArgumentError('Tokenizer.encodeBatch: pairs must be an array of strings as long as texts');
    }
    const all = hasPairs ? texts.concat(pairs) : texts;
    let cap = 0;
    for (let i = 0; i < all.length; i++) {
      if (typeof all[i] !== 'string') {
        const which = i < texts.length ? `texts[${i}]` : `pairs[${i - texts.length}]`;
        throw new InvalidArgumentError(`Tokenizer.encodeBatch: ${which} must be a string, got ${describeValue(all[i])}`);
      }
      cap += all[i].length * 3;
    }
    const max = checkLength('Tokenizer.encodeBatch', 'maxLength', maxLength);
    const padTo = checkLength('Tokenizer.encodeBatch', 'padToLength', padToLength);
    const core = this.core;
    const { spans, textBase } = writeTextBlock(core, all, cap);
    try {
      const table = callCore(() => handle.encodeBatch(textBase, spans, texts.length, hasPairs, !!addSpecialTokens, max, padTo));
      const t32 = core.HEAPU32;
      const t = table >>> 2;
      const batch = t32[t];
      const seqLen = t32[t + 1];
      const i32 = core.HEAP32;
      const ints = (address, count) => i32.slice(address >>> 2, (address >>> 2) + count);
      return {
        ids: ints(t32[t + 2], batch * seqLen),
        attentionMask: ints(t32[t + 3], batch * seqLen),
        typeIds: ints(t32[t + 4], batch * seqLen),
        shape: [batch, seqLen],
        lengths: ints(t32[t + 5], batch),
      };
    } finally {
      releaseLargeScratch(core);
    }
  }

  /**
   * Encodes every text in ONE call into the core and returns the core's BatchEncoder (Embind
   * object, see wasm/bindings/tokenizer_bindings.cpp) holding their ids, for the Embedder's
   * forward stage to pack batch by batch; the caller delete()s it. Texts must be strings (not
   * checked here). maxLength 0: the tokenizer's own truncation only.
   */
  encodeAll(texts, { addSpecialTokens = true, maxLength = 0 } = {}) {
    const handle = this.#live('encodeAll');
    let cap = 0;
    for (let i = 0; i < texts.length; i++) cap += texts[i].length * 3;
    const core = this.core;
    const { spans, textBase } = writeTextBlock(core, texts, cap);
    try {
      return callCore(() => handle.encodeAll(textBase, spans, texts.length, !!addSpecialTokens, maxLength));
    } finally {
      releaseLargeScratch(core);
    }
  }

  /** Turns ids back into text (the tokenizer's decoder). Ids outside the vocabulary are skipped, as in HF. */
  decode(ids, { skipSpecialTokens = false } = {}) {
    const handle = this.#live('decode');
    let arr;
    if (ids instanceof Int32Array) arr = ids;
    else if (Array.isArray(ids) || ArrayBuffer.isView(ids)) {
      arr = new Int32Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const v = Number(ids[i]);
        if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
          throw new InvalidArgumentError(`Tokenizer.decode: ids[${i}] is not an integer id (${String(ids[i])})`);
        }
        arr[i] = v;
      }
    } else {
      throw new InvalidArgumentError(`Tokenizer.decode: ids must be an array or Int32Array, got ${describeValue(ids)}`);
    }
    const core = this.core;
    const base = reserve(core, arr.byteLength);
    core.HEAP32.set(arr, base >>> 2);
    try {
      return callCore(() => handle.decode(base, arr.length, !!skipSpecialTokens));
    } finally {
      releaseLargeScratch(core);
    }
  }

  /** Id of a token (added tokens included), or null. */
  tokenToId(token) {
    const handle = this.#live('tokenToId');
    checkString('Tokenizer.tokenToId', 'token', token);
    const id = callCore(() => handle.tokenToId(token));
    return id < 0 ? null : id;
  }

  /** Token string of an id, or null when the id is out of range. */
  idToToken(id) {
    const handle = this.#live('idToToken');
    if (!Number.isInteger(id)) throw new InvalidArgumentError(`Tokenizer.idToToken: id must be an integer, got ${String(id)}`);
    if (id < 0 || id > 0x7fffffff) return null;
    const s = callCore(() => handle.idToToken(id));
    return s === '' ? null : s;
  }

  /** Vocabulary size including added tokens. */
  get vocabSize() { return this.#live('vocabSize').vocabSize(); }
  /** Id used to pad batches. */
  get padId() { return this.#live('padId').padId(); }
  /** max_length of the tokenizer.json truncation section, 0 when there is none. */
  get modelMaxLength() { return this.#live('modelMaxLength').modelMaxLength(); }
  /** Number of special tokens the post-processor adds to a single text (or a pair). */
  numSpecialTokens(pair = false) { const h = this.#live('numSpecialTokens'); return callCore(() => h.numSpecialTokens(!!pair)); }
}

export { TokenizerEncoding };
