// Protobuf wire-format decoding, the reading half of models/generator/protobuf.js.
//
// Two readers: decodeFields() walks a message held in memory (nodes, value infos: small), and
// FileCursor walks a message inside a file by offsets, so a 2 GB ONNX file can be scanned without
// reading its tensor payloads (they are recorded as { offset, length } and streamed later).
import { open } from 'node:fs/promises';
import { ParseError } from '../errors.js';

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 };

/** Reads a varint at bytes[pos]; returns [value (number, or bigint beyond 2^53), nextPos]. */
export function readVarint(bytes, pos, end = bytes.length) {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new RangeError('truncated varint');
    const b = bytes[pos++];
    if (shift < 49) result += (b & 0x7f) * 2 ** shift;
    else {
      // Values past 2^49 (negative int64 fields) are rebuilt exactly as BigInt.
      return readVarintBig(bytes, pos - i - 1, end);
    }
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
  throw new RangeError('varint longer than 10 bytes');
}

function readVarintBig(bytes, pos, end) {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new RangeError('truncated varint');
    const b = bytes[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) {
      const signed = BigInt.asIntN(64, result);
      const n = Number(signed);
      return [Number.isSafeInteger(n) ? n : signed, pos];
    }
    shift += 7n;
  }
  throw new RangeError('varint longer than 10 bytes');
}

/**
 * Decodes one message's fields: [{ field, wire, value, raw }] in file order. `value` is a number
 * (varint / fixed), or a Uint8Array view for length-delimited fields; `raw` is the encoded value
 * bytes (without the key), used to copy unknown fields through unchanged.
 */
export function decodeFields(bytes) {
  const out = [];
  let pos = 0;
  const end = bytes.length;
  while (pos < end) {
    let key;
    [key, pos] = readVarint(bytes, pos, end);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    const start = pos;
    let value;
    if (wire === WIRE.VARINT) [value, pos] = readVarint(bytes, pos, end);
    else if (wire === WIRE.I64) { value = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, true); pos += 8; }
    else if (wire === WIRE.I32) { value = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true); pos += 4; }
    else if (wire === WIRE.LEN) {
      let len;
      [len, pos] = readVarint(bytes, pos, end);
      if (pos + len > end) throw new RangeError(`field ${field}: length ${len} runs past the message end`);
      value = bytes.subarray(pos, pos + len);
      pos += len;
    } else throw new RangeError(`unsupported wire type ${wire} (field ${field})`);
    if (pos > end || field === 0) throw new RangeError(`malformed field ${field}`);
    out.push({ field, wire, value, raw: bytes.subarray(start, pos) });
  }
  return out;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
export const decodeString = (bytes) => textDecoder.decode(bytes);

/** Packed repeated varints (or a single unpacked one) as numbers. */
export function decodePackedVarints(bytes) {
  const out = [];
  let pos = 0;
  while (pos < bytes.length) {
    let v;
    [v, pos] = readVarint(bytes, pos);
    out.push(v);
  }
  return out;
}

/** Random-access reader over a file (or a Uint8Array, for tests). */
export class ByteSource {
  static async openFile(file) {
    const fh = await open(file, 'r');
    const { size } = await fh.stat();
    return new ByteSource(size, (buf, position) => fh.read(buf, 0, buf.length, position).then((r) => r.bytesRead), () => fh.close(), file);
  }

  static fromBytes(bytes, name = '<bytes>') {
    return new ByteSource(bytes.length, (buf, position) => {
      const n = Math.min(buf.length, bytes.length - position);
      buf.set(bytes.subarray(position, position + n));
      return n;
    }, () => {}, name);
  }

  constructor(size, readInto, close, name) {
    this.size = size;
    this._readInto = readInto;
    this.close = close;
    this.name = name;
  }

  /** Exactly `length` bytes at `offset` (throws RangeError when the source is shorter). */
  async read(offset, length) {
    if (offset + length > this.size) throw new RangeError(`read of ${length} bytes at ${offset} runs past the end (${this.size} bytes)`);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = await this._readInto(buf.subarray(got), offset + got);
      if (!n) throw new RangeError(`unexpected end of data at ${offset + got}`);
      got += n;
    }
    return buf;
  }

  /** Streams [offset, offset + length) in chunks of at most `chunk` bytes. */
  async *chunks(offset, length, chunk = 4 << 20) {
    for (let done = 0; done < length; done += chunk) yield this.read(offset + done, Math.min(chunk, length - done));
  }
}

/**
 * Walks the fields of a message that spans [start, end) of `source` without reading
 * length-delimited payloads: yields { field, wire, value, offset, length } where for LEN fields
 * `offset`/`length` locate the payload, and for scalar fields `value` holds it.
 */
export async function* walkFields(source, start, end) {
  let pos = start;
  while (pos < end) {
    // A key plus a length varint take at most 20 bytes; scalar values at most 10 more.
    const head = await source.read(pos, Math.min(32, end - pos));
    let key, p;
    [key, p] = readVarint(head, 0);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw new RangeError(`field number 0 at offset ${pos}`);
    if (wire === WIRE.LEN) {
      let len;
      [len, p] = readVarint(head, p);
      const offset = pos + p;
      if (offset + len > end) throw new RangeError(`field ${field} at offset ${pos}: length ${len} runs past the end of its message (${end})`);
      yield { field, wire, offset, length: len, keyOffset: pos };
      pos = offset + len;
    } else if (wire === WIRE.VARINT) {
      let v;
      const vStart = p;
      [v, p] = readVarint(head, p);
      yield { field, wire, value: v, raw: head.slice(vStart, p), keyOffset: pos };
      pos += p;
    } else if (wire === WIRE.I32 || wire === WIRE.I64) {
      const n = wire === WIRE.I32 ? 4 : 8;
      if (p + n > head.length) throw new RangeError(`truncated fixed field ${field} at offset ${pos}`);
      yield { field, wire, raw: head.slice(p, p + n), keyOffset: pos };
      pos += p + n;
    } else {
      throw new RangeError(`unsupported wire type ${wire} (field ${field}) at offset ${pos}`);
    }
  }
  if (pos !== end) throw new RangeError(`message overruns its end (${pos} > ${end})`);
}

export { ParseError };
