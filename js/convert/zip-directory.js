// The table of contents of a zip archive as torch.save writes it (entries stored uncompressed,
// ZIP64 past 4 GB): name -> byte range of the entry's data in the file. Only the end records, the
// central directory and each entry's 30-byte local header are read, so a 2 GB pytorch_model.bin
// is indexed with a few hundred small reads and its storages can then be streamed by offset.
// The parsing is written once as a generator that asks for byte ranges; readZipDirectory() feeds
// it from a file (async), zipDirectoryOfBytes() from bytes already in memory (sync).
import { ParseError, UnsupportedError } from '../errors.js';

const EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
const MAX_DIRECTORY = 64 * 2 ** 20; // a central directory larger than this is not a checkpoint's

const u64 = (dv, at) => {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('64-bit zip field too large');
  return Number(v);
};

/**
 * Generator: yields { offset, length } requests, receives the bytes, returns Map(name -> { name,
 * offset, size }) where [offset, offset + size) is the entry's data in a file of `size` bytes.
 */
function* directorySteps(fileSize, what) {
  const damaged = (why) => new ParseError(`${what}: damaged zip archive (${why}); is the file truncated?`);
  if (fileSize < 22) throw new ParseError(`${what}: not a zip archive (${fileSize} bytes)`);
  // End of central directory: within the last 64 KiB + 22 bytes (the comment is at most 64 KiB).
  const tailStart = Math.max(0, fileSize - 65557);
  const tail = yield { offset: tailStart, length: fileSize - tailStart };
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tv.getUint32(i, true) === EOCD) { eocd = i; break; }
  if (eocd < 0) {
    // torch.save before 1.6 (or _use_new_zipfile_serialization=False) wrote a bare pickle stream.
    const head = yield { offset: 0, length: Math.min(fileSize, 2) };
    if (head[0] === 0x80) throw new UnsupportedError(`${what}: legacy (pre-1.6, non-zip) torch.save format; load and re-save it with torch >= 1.6, or convert it to safetensors`);
    throw new ParseError(`${what}: not a zip archive (no end-of-central-directory record); is the file truncated?`);
  }
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocd < 20 || tv.getUint32(eocd - 20, true) !== ZIP64_LOCATOR) throw damaged('ZIP64 locator missing');
    const z = u64(tv, eocd - 12);
    if (z + 56 > fileSize) throw damaged('ZIP64 end record outside the file');
    const rec = yield { offset: z, length: 56 };
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) throw damaged('bad ZIP64 end record');
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
  }
  if (cdSize > MAX_DIRECTORY || cdOffset + cdSize > fileSize || count * 46 > cdSize) throw damaged(`central directory of ${count} entries, ${cdSize} bytes at ${cdOffset} in a ${fileSize}-byte file`);
  const cd = yield { offset: cdOffset, length: cdSize };
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const names = new TextDecoder('utf-8', { fatal: false });
  const entries = new Map();
  for (let k = 0, p = 0; k < count; k++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL) throw damaged(`central directory entry ${k}`);
    const flags = dv.getUint16(p + 8, true), method = dv.getUint16(p + 10, true);
    let compressed = dv.getUint32(p + 20, true), size = dv.getUint32(p + 24, true), local = dv.getUint32(p + 42, true);
    const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true), commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw damaged(`central directory entry ${k}`);
    const name = names.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field (id 1): 64-bit values, in this order, for the fields saturated at 0xffffffff.
    for (let e = p + 46 + nameLen, end = e + extraLen; e + 4 <= end;) {
      const id = dv.getUint16(e, true), len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const next = () => { if (q + 8 > e + 4 + len) throw damaged(`ZIP64 field of ${name}`); const v = u64(dv, q); q += 8; return v; };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + len;
    }
    if (flags & 1) throw new UnsupportedError(`${what}: zip entry ${name} is encrypted`);
    if (method !== 0 || compressed !== size) throw new UnsupportedError(`${what}: zip entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (entries.has(name)) throw new ParseError(`${what}: zip entry ${name} appears twice`);
    if (local + 30 > fileSize) throw damaged(`entry ${name} starts past the end of the file`);
    entries.set(name, { name, local, size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  // The data starts after the local header, whose name / extra lengths differ from the central
  // directory's (torch pads the local extra field so storages are 64-byte aligned).
  for (const e of entries.values()) {
    const lh = yield { offset: e.local, length: 30 };
    const lv = new DataView(lh.buffer, lh.byteOffset, lh.byteLength);
    if (lv.getUint32(0, true) !== LOCAL) throw damaged(`no local header for ${e.name}`);
    e.offset = e.local + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
    if (e.offset + e.size > fileSize) throw damaged(`entry ${e.name} (${e.size} bytes at ${e.offset}) runs past the end of the ${fileSize}-byte file`);
    delete e.local;
  }
  return entries;
}

function drive(steps, read, what) {
  try {
    let r = steps.next();
    while (!r.done) r = steps.next(read(r.value));
    return r.value;
  } catch (err) {
    if (err instanceof RangeError) throw new ParseError(`${what}: damaged zip archive (${err.message})`, { cause: err });
    throw err;
  }
}

/** Entry index of the zip archive in a ByteSource (js/onnx/byte-source.js): Map(name -> { name, offset, size }). */
export async function readZipDirectory(source, what = source.name) {
  const steps = directorySteps(source.size, what);
  try {
    let r = steps.next();
    while (!r.done) r = steps.next(await source.read(r.value.offset, r.value.length));
    return r.value;
  } catch (err) {
    if (err instanceof RangeError) throw new ParseError(`${what}: damaged zip archive (${err.message})`, { cause: err });
    throw err;
  }
}

/** The same index for an archive held in memory. */
export function zipDirectoryOfBytes(bytes, what = 'archive') {
  return drive(directorySteps(bytes.length, what), ({ offset, length }) => bytes.subarray(offset, offset + length), what);
}
