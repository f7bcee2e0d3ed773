// Reads .safetensors files (single or sharded with model.safetensors.index.json) by offsets, after
// validating the header against the file: every tensor's byte range must match its dtype and
// shape, lie inside the file and not overlap another. Payloads are streamed, never loaded whole.
import { ParseError } from '../errors.js';
import { openFileSource } from '../onnx/node.js';
import { widenToFloat32 } from './float-widen.js';

const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_HEADER = 100 * 2 ** 20; // the format caps headers at 100 MB

/** Opens and validates one .safetensors file: { source, tensors: Map(name -> entry) }. */
export async function openSafetensors(file) {
  const source = openFileSource(file);
  try {
    if (source.size < 8) throw new ParseError(`${file}: not a safetensors file (${source.size} bytes)`);
    const n = Number(new DataView(source.read(0, 8).buffer).getBigUint64(0, true));
    if (n < 2 || n > MAX_HEADER || 8 + n > source.size) throw new ParseError(`${file}: not a safetensors file (header length ${n} for a ${source.size}-byte file)`);
    let header;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(source.read(8, n)));
    } catch (err) {
      throw new ParseError(`${file}: safetensors header is not valid JSON (${err.message})`, { cause: err });
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) throw new ParseError(`${file}: safetensors header is not a JSON object`);
    const dataStart = 8 + n;
    const dataSize = source.size - dataStart;
    const tensors = new Map();
    for (const [name, e] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const bytes = DTYPE_BYTES[e?.dtype];
      if (!bytes) throw new ParseError(`${file}: tensor '${name}' has unknown dtype ${JSON.stringify(e?.dtype)}`);
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ParseError(`${file}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[1] < off[0]) {
        throw new ParseError(`${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
      }
      const need = e.shape.reduce((a, b) => a * b, 1) * bytes;
      if (off[1] - off[0] !== need) throw new ParseError(`${file}: tensor '${name}' data_offsets [${off}] span ${off[1] - off[0]} bytes, but ${e.dtype} ${JSON.stringify(e.shape)} needs ${need}`);
      if (off[1] > dataSize) throw new ParseError(`${file}: tensor '${name}' data_offsets [${off}] run past the end of the data (${dataSize} bytes): the file is truncated or the header lies`);
      tensors.set(name, { name, dtype: e.dtype, shape: e.shape, offset: dataStart + off[0], length: need, begin: off[0], end: off[1], file });
    }
    const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].begin < sorted[i - 1].end) throw new ParseError(`${file}: tensor '${sorted[i].name}' overlaps tensor '${sorted[i - 1].name}' (data_offsets ${sorted[i - 1].begin}..${sorted[i - 1].end} and ${sorted[i].begin}..${sorted[i].end})`);
    }
    return { file, source, tensors };
  } catch (err) {
    source.close();
    throw err;
  }
}


/** A tensor's values as float32 (F32 copied; F16 / BF16 widened). */
export async function readTensorFloat32(st, entry) {
  if (!['F32', 'F16', 'BF16'].includes(entry.dtype)) throw new ParseError(`${st.file}: tensor '${entry.name}' is ${entry.dtype}, expected a float type`);
  return widenToFloat32(st.source.read(entry.offset, entry.length), entry.dtype);
}
