// Protobuf wire-format reading: the codec's only varint and field decoder.
//
// readFieldHead() decodes one field's key and length (or scalar value) from a byte array; on it
// sit decodeFields() for a message held in memory (nodes, value infos: small) and walkFields()
// for a message inside a ByteSource, walked by offsets without reading length-delimited payloads,
// so a 2 GB ONNX file is scanned by its field headers (payloads are streamed later, or skipped).
// Browser-safe: no Node imports.

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 };

// An unsigned varint at bytes[pos]: [value, nextPos], value a number below 2^53 and an exact
// BigInt above; null when `end` comes first. Throws past 10 bytes.
function unsignedVarint(bytes, pos, end) {
  let result = 0;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) return null;
    const b = bytes[pos + i];
    result += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (Number.isSafeInteger(result)) return [result, pos + i + 1];
      // Past 2^53 the float sum is inexact: rebuild the value as BigInt.
      let big = 0n;
      for (let j = i; j >= 0; j--) big = (big << 7n) | BigInt(bytes[pos + j] & 0x7f);
      return [BigInt.asUintN(64, big), pos + i + 1];
    }
  }
  throw new RangeError('varint longer than 10 bytes');
}

/**
 * Reads an int64 varint at bytes[pos]: [value, nextPos], value a number, or a BigInt where it is
 * not a safe integer (negative int64 fields come back as negative numbers). Throws RangeError
 * when the varint is truncated.
 */
export function readVarint(bytes, pos, end = bytes.length) {
  const r = unsignedVarint(bytes, pos, end);
  if (!r) throw new RangeError('truncated varint');
  return [int64(r[0]), r[1]];
}

// An unsigned varint value read as int64 (two's complement), as a number where it is safe.
function int64(value) {
  if (typeof value !== 'bigint') return value;
  const signed = BigInt.asIntN(64, value);
  const n = Number(signed);
  return Number.isSafeInteger(n) ? n : signed;
}

/** A field's key at bytes[pos]: { field, wire, next }, or null when `end` comes first. */
export function readKey(bytes, pos, end = bytes.length) {
  const r = unsignedVarint(bytes, pos, end);
  if (!r) return null;
  if (typeof r[0] === 'bigint') throw new RangeError(`field key ${r[0]} out of range`);
  return { field: Math.floor(r[0] / 8), wire: r[0] % 8, next: r[1] };
}

/**
 * The field at bytes[pos], all but a length-delimited payload: { field, wire, keyOffset, keyEnd,
 * valueOffset, next } plus `value` (varint) or `length` (LEN; the payload is
 * [valueOffset, next), which may lie past `end`: callers decide). Null when `end` comes before the
 * header (or a scalar value) is complete. Throws RangeError on an unknown wire type.
 */
export function readFieldHead(bytes, pos, end = bytes.length) {
  const key = readKey(bytes, pos, end);
  if (!key) return null;
  const { field, wire } = key;
  const head = { field, wire, keyOffset: pos, keyEnd: key.next, valueOffset: key.next, next: 0 };
  if (wire === WIRE.VARINT) {
    const v = unsignedVarint(bytes, key.next, end);
    if (!v) return null;
    head.value = int64(v[0]);
    head.next = v[1];
  } else if (wire === WIRE.LEN) {
    const len = unsignedVarint(bytes, key.next, end);
    if (!len) return null;
    if (typeof len[0] === 'bigint') throw new RangeError(`field ${field}: length ${len[0]} out of range`);
    head.length = len[0];
    head.valueOffset = len[1];
    head.next = len[1] + len[0];
  } else if (wire === WIRE.I32 || wire === WIRE.I64) {
    head.next = key.next + (wire === WIRE.I32 ? 4 : 8);
    if (head.next > end) return null;
  } else {
    throw new RangeError(`unsupported wire type ${wire} (field ${field})`);
  }
  return head;
}

/**
 * Decodes one message's fields: [{ field, wire, value, raw }] in file order. `value` is a number
 * (varint, float64 / float32 for fixed fields), or a Uint8Array view for length-delimited fields;
 * `raw` is the encoded value bytes (without the key), used to copy fields through unchanged.
 */
export function decodeFields(bytes) {
  const out = [];
  let pos = 0;
  const end = bytes.length;
  while (pos < end) {
    const h = readFieldHead(bytes, pos, end);
    if (!h) throw new RangeError(`truncated field at byte ${pos}`);
    if (h.field === 0) throw new RangeError(`field number 0 at byte ${pos}`);
    if (h.next > end) throw new RangeError(`field ${h.field}: length ${h.length} runs past the message end`);
    let value = h.value;
    if (h.wire === WIRE.LEN) value = bytes.subarray(h.valueOffset, h.next);
    else if (h.wire === WIRE.I64) value = new DataView(bytes.buffer, bytes.byteOffset + h.valueOffset, 8).getFloat64(0, true);
    else if (h.wire === WIRE.I32) value = new DataView(bytes.buffer, bytes.byteOffset + h.valueOffset, 4).getFloat32(0, true);
    out.push({ field: h.field, wire: h.wire, value, raw: bytes.subarray(h.keyEnd, h.next) });
    pos = h.next;
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

/**
 * Walks the fields of a message that spans [start, end) of `source` (a ByteSource) without
 * reading length-delimited payloads: yields { field, wire, keyOffset } plus, for LEN fields,
 * `offset`/`length` locating the payload; for varints `value`; for scalars `raw` (the encoded
 * value bytes). Throws RangeError on a malformed or overrunning field.
 */
export function* walkFields(source, start, end) {
  let pos = start;
  while (pos < end) {
    // A key plus a length varint take at most 20 bytes; scalar values at most 10 more.
    const head = source.peek(pos, Math.min(32, end - pos)) ?? source.read(pos, Math.min(32, end - pos));
    const h = readFieldHead(head, 0);
    if (!h) throw new RangeError(`truncated field at offset ${pos}`);
    if (h.field === 0) throw new RangeError(`field number 0 at offset ${pos}`);
    if (h.wire === WIRE.LEN) {
      const offset = pos + h.valueOffset;
      if (offset + h.length > end) throw new RangeError(`field ${h.field} at offset ${pos}: length ${h.length} runs past the end of its message (${end})`);
      yield { field: h.field, wire: h.wire, offset, length: h.length, keyOffset: pos };
    } else if (h.wire === WIRE.VARINT) {
      yield { field: h.field, wire: h.wire, value: h.value, raw: head.slice(h.valueOffset, h.next), keyOffset: pos };
    } else {
      yield { field: h.field, wire: h.wire, raw: head.slice(h.valueOffset, h.next), keyOffset: pos };
    }
    pos += h.next;
  }
  if (pos !== end) throw new RangeError(`message overruns its end (${pos} > ${end})`);
}
