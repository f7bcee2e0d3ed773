// Saved M3Index bytes: a versioned, checksummed container around the dense and lexical index
// bytes (each already a checksummed WBIX container) and the per-passage sparse weights and ColBERT
// multi-vectors, which live in JS.
//
//   offset  size  field
//   0       4     magic "WBM3"
//   4       4     format version (M3_FORMAT_VERSION)
//   8       8     payload length P (u32 low, u32 high)
//   16      P     payload
//   16+P    4     CRC-32 of bytes [0, 16+P)
//
// Payload, little-endian:
//   u32 length + UTF-8 JSON { dims, colbertStorage, colbertDim, weights, count }
//   u32 length + dense VectorIndex bytes;  u32 length + sparse LexicalIndex bytes
//   count x entry: u32 id, u32 n, n x i32 sparse ids, n x f32 sparse weights,
//                  u32 colbert rows, rows*dim values (f32 | u16 half bits | i8), int8: rows x f32 scales
// Loading checks size, magic, declared vs actual length, checksum, then version, and reads the
// payload through a bounds-checked cursor: any bad byte string gives CorruptDataError, a newer
// version UnsupportedError.
import { CorruptDataError, UnsupportedError } from '../errors.js';
import { crc32 } from '../internal/crc32.js';

export const M3_MAGIC = 'WBM3';
export const M3_FORMAT_VERSION = 1;
const HEADER = 16;
const ELEMENT = { float32: [Float32Array, 4], float16: [Uint16Array, 2], int8: [Int8Array, 1] };

const corrupt = (what) => new CorruptDataError(`M3Index bytes are corrupt: ${what}`);
// Checksums prove the bytes are what was written, not that the writer was right: a NaN stored
// here would make every later search throw.
function finite(values, what) {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw corrupt(`${what} [${bad}] is ${values[bad]}`);
}

/** True when `bytes` start like a saved M3Index. */
export function isM3Bytes(bytes) {
  return bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === M3_MAGIC;
}

/**
 * @param {{ meta: object, dense: Uint8Array, sparse: Uint8Array,
 *   entries: Array<{ id: number, sparse: { ids: Int32Array, weights: Float32Array }, colbert: { vectors, scales?, count: number } }> }} m
 */
export function encodeM3({ meta, dense, sparse, entries }) {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  let size = 4 + json.length + 4 + dense.length + 4 + sparse.length;
  for (const e of entries) {
    size += 8 + e.sparse.ids.byteLength + e.sparse.weights.byteLength + 4 + e.colbert.vectors.byteLength;
    if (e.colbert.scales) size += e.colbert.scales.byteLength;
  }
  const out = new Uint8Array(HEADER + size + 4);
  const view = new DataView(out.buffer);
  let at = 0;
  const u32 = (v) => { view.setUint32(at, v, true); at += 4; };
  const raw = (typed) => { out.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), at); at += typed.byteLength; };
  for (let i = 0; i < 4; i++) out[i] = M3_MAGIC.charCodeAt(i);
  at = 4;
  u32(M3_FORMAT_VERSION);
  u32(size % 2 ** 32);
  u32(Math.floor(size / 2 ** 32));
  u32(json.length); raw(json);
  u32(dense.length); raw(dense);
  u32(sparse.length); raw(sparse);
  for (const e of entries) {
    u32(e.id);
    u32(e.sparse.ids.length); raw(e.sparse.ids); raw(e.sparse.weights);
    u32(e.colbert.count); raw(e.colbert.vectors);
    if (e.colbert.scales) raw(e.colbert.scales);
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/** Parses saved bytes back to { meta, dense, sparse, entries } (typed arrays are copies). */
export function decodeM3(bytes) {
  if (bytes.length < HEADER + 4) throw corrupt(`truncated (${bytes.length} bytes)`);
  if (!isM3Bytes(bytes)) throw corrupt('bad magic (not a saved M3Index)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(8, true) + view.getUint32(12, true) * 2 ** 32;
  if (HEADER + size + 4 > bytes.length) throw corrupt(`truncated: header declares ${HEADER + size + 4} bytes, got ${bytes.length}`);
  if (HEADER + size + 4 < bytes.length) throw corrupt(`${bytes.length - (HEADER + size + 4)} trailing bytes after the checksum`);
  if (crc32(bytes.subarray(0, HEADER + size)) !== view.getUint32(HEADER + size, true)) throw corrupt('checksum mismatch');
  const version = view.getUint32(4, true);
  if (version !== M3_FORMAT_VERSION) {
    throw new UnsupportedError(`M3Index bytes have format version ${version}; this build reads version ${M3_FORMAT_VERSION}`);
  }
  const end = HEADER + size;
  let at = HEADER;
  const need = (n, what) => { if (n > end - at) throw corrupt(`${what} extends past the payload`); };
  const u32 = (what) => { need(4, what); const v = view.getUint32(at, true); at += 4; return v; };
  const take = (n, what) => { need(n, what); const b = bytes.slice(at, at + n); at += n; return b; };
  const array = (Type, count, what) => new Type(take(count * Type.BYTES_PER_ELEMENT, what).buffer);

  let meta;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(take(u32('header length'), 'header')));
  } catch (err) {
    if (err instanceof CorruptDataError) throw err;
    throw corrupt(`header is not JSON (${err.message})`);
  }
  const { count, colbertStorage, colbertDim } = meta ?? {};
  if (!Number.isInteger(count) || count < 0) throw corrupt(`entry count ${count}`);
  if (!ELEMENT[colbertStorage]) throw corrupt(`unknown ColBERT storage ${JSON.stringify(colbertStorage)}`);
  if (count > 0 && !(Number.isInteger(colbertDim) && colbertDim > 0)) throw corrupt(`ColBERT dim ${colbertDim}`);
  const dense = take(u32('dense index length'), 'dense index');
  const sparse = take(u32('sparse index length'), 'sparse index');
  const [Type] = ELEMENT[colbertStorage];
  const entries = [];
  for (let i = 0; i < count; i++) {
    const id = u32('entry id');
    const n = u32('sparse length');
    need(n * 8, `entry ${id} sparse weights`);
    const ids = array(Int32Array, n, 'sparse ids');
    const weights = array(Float32Array, n, 'sparse weights');
    finite(weights, `entry ${id} sparse weights`);
    const rows = u32('ColBERT rows');
    need(rows * colbertDim * Type.BYTES_PER_ELEMENT, `entry ${id} ColBERT vectors`);
    const colbert = { dtype: colbertStorage, vectors: array(Type, rows * colbertDim, 'ColBERT vectors'), count: rows, dim: colbertDim };
    if (colbertStorage === 'float32') finite(colbert.vectors, `entry ${id} ColBERT vectors`);
    if (colbertStorage === 'float16') {
      // exponent bits all ones: an infinity or NaN
      const bad = colbert.vectors.findIndex((h) => (h & 0x7c00) === 0x7c00);
      if (bad >= 0) throw corrupt(`entry ${id} ColBERT vectors [${bad}] is not finite`);
    }
    if (colbertStorage === 'int8') {
      colbert.scales = array(Float32Array, rows, 'ColBERT scales');
      finite(colbert.scales, `entry ${id} ColBERT scales`);
    }
    entries.push({ id, sparse: { ids, weights }, colbert });
  }
  if (at !== end) throw corrupt(`${end - at} unread payload bytes`);
  return { meta, dense, sparse, entries };
}
