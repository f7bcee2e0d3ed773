// NumPy .npy files (format 1.0, 2.0 and 3.0: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
// the exchange format of Python embedding pipelines: a magic string, a header that is a Python
// dict literal ({'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }), then the raw array.
// Read: 2-D little-endian float32 or float16, C order; write: float32, format 1.0.
import { ParseError } from '../errors.js';
import { halfArrayToFloat32 } from '../internal/float16.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DTYPES = { '<f4': 4, '<f2': 2 };

function npyError(file, message) {
  const err = new ParseError(`${file}: ${message}`);
  err.file = file;
  return err;
}

// The header dict: only the three keys numpy writes, parsed strictly (never evaluated).
function parseHeader(text, file) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw npyError(file, `malformed .npy header ${JSON.stringify(text.trim())}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0)) throw npyError(file, `malformed .npy shape (${shapeText})`);
  return { descr, fortranOrder: fortran === 'True', shape };
}

/**
 * The header of a 2-D float32 / float16 .npy: { count, dims, dtype, itemBytes, offset (where the
 * data starts) }. `bytes` needs only hold the header (a prefix of a file too big to read whole).
 * Throws ParseError naming the file for another dtype, byte order, rank or Fortran order.
 */
export function readNpyHeader(bytes, file = '.npy') {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw npyError(file, 'not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw npyError(file, `unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (start > bytes.length) throw npyError(file, 'truncated .npy header');
  const header = parseHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, start)), file);
  const size = DTYPES[header.descr];
  if (!size) {
    const hint = header.descr === '>f4' || header.descr === '>f2' ? ' (big-endian: use arr.astype("<f4"))' : ' (use arr.astype("float32"))';
    throw npyError(file, `dtype '${header.descr}' is not supported: expected float32 '<f4' or float16 '<f2'${hint}`);
  }
  if (header.fortranOrder) throw npyError(file, 'Fortran-order arrays are not supported (use np.ascontiguousarray(arr))');
  if (header.shape.length !== 2) throw npyError(file, `expected a 2-D array (count, dims), got shape (${header.shape.join(', ')})`);
  const [count, dims] = header.shape;
  return { count, dims, dtype: size === 4 ? 'float32' : 'float16', itemBytes: size, offset: start };
}

/**
 * Reads a 2-D float32 / float16 .npy: { data: Float32Array (row-major; a view of `bytes` when
 * they hold aligned float32), count, dims, dtype }.
 * Throws ParseError naming the file for a header readNpyHeader refuses or a size that does not
 * match the shape.
 */
export function readNpy(bytes, file = '.npy') {
  const { count, dims, itemBytes: size, offset: start } = readNpyHeader(bytes, file);
  const need = count * dims * size;
  if (bytes.length - start !== need) throw npyError(file, `shape (${count}, ${dims}) needs ${need} data bytes, the file has ${bytes.length - start}`);
  // float32 data at an aligned offset is used in place (numpy pads the header to 64 bytes, so a
  // file read whole always is): a 1.5 GB file is not copied. Otherwise a copy (Uint8Array's slice:
  // a Buffer's slice would be a view).
  const at = bytes.byteOffset + start;
  let data;
  if (size === 4 && at % 4 === 0) data = new Float32Array(bytes.buffer, at, count * dims);
  else {
    const raw = Uint8Array.prototype.slice.call(bytes, start, start + need);
    data = size === 4 ? new Float32Array(raw.buffer) : halfArrayToFloat32(new Uint16Array(raw.buffer));
  }
  return { data, count, dims, dtype: size === 4 ? 'float32' : 'float16' };
}

/** The header of a float32 .npy (format 1.0) of `count` x `dims` rows, padded as numpy pads it. */
export function npyHeader(count, dims) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, ${dims}), }`;
  // numpy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/** A float32 .npy (format 1.0) of `count` x `dims` rows as bytes. */
export function npyBytes(data, count, dims) {
  const header = npyHeader(count, dims);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}
