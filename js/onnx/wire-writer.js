// Minimal protobuf wire-format encoder, enough to write ONNX ModelProto files.
//
// A message is built as a list of parts: byte arrays, or "lazy" parts ({ length, write }) whose
// bytes are produced only when the file is written. Lengths are known up front, so a message can
// be length-prefixed without materialising multi-GB tensor payloads in memory.

const textEncoder = new TextEncoder();

/** Bytes of an unsigned varint (int64 fields take JS numbers up to 2^53). */
export function varint(value) {
  if (typeof value === 'bigint') value = Number(value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
  if (value < 0) {
    // Negative int64 values are 10-byte two's complement varints.
    let v = BigInt.asUintN(64, BigInt(value));
    const out = [];
    while (v >= 0x80n) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
    out.push(Number(v));
    return Uint8Array.from(out);
  }
  const out = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Uint8Array.from(out);
}

const key = (field, wireType) => varint(field * 8 + wireType);

/** A message under construction. */
export class Message {
  constructor() {
    this.parts = [];
    this.length = 0;
  }

  _push(part) {
    this.parts.push(part);
    this.length += part.length;
    return this;
  }

  int(field, value) {
    this._push(key(field, 0));
    return this._push(varint(value));
  }

  float(field, value) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this._push(key(field, 5));
    return this._push(b);
  }

  bytes(field, data) {
    this._push(key(field, 2));
    this._push(varint(data.length));
    return this._push(data);
  }

  string(field, text) {
    return this.bytes(field, textEncoder.encode(text));
  }

  /** Embedded message (a Message, possibly with lazy parts). */
  message(field, msg) {
    this._push(key(field, 2));
    this._push(varint(msg.length));
    for (const p of msg.parts) this._push(p);
    return this;
  }

  /** Length-delimited field whose `length` bytes come from `write(sink)` at write time. */
  lazyBytes(field, length, write) {
    this._push(key(field, 2));
    this._push(varint(length));
    return this._push({ length, write, lazy: true });
  }

  /** Packed repeated varints. */
  packedInts(field, values) {
    const m = new Message();
    for (const v of values) m._push(varint(v));
    this._push(key(field, 2));
    this._push(varint(m.length));
    for (const p of m.parts) this._push(p);
    return this;
  }

  /** Packed repeated floats. */
  packedFloats(field, values) {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }
}

/**
 * Writes a message to `sink` ({ write(Uint8Array): Promise|void }), coalescing small parts into
 * 1 MiB blocks so the file gets few large writes.
 */
export async function writeMessage(msg, sink) {
  const BLOCK = 1 << 20;
  let buf = new Uint8Array(BLOCK);
  let used = 0;
  const flush = async () => {
    if (used) await sink.write(buf.slice(0, used));
    used = 0;
  };
  for (const p of msg.parts) {
    if (p.lazy) {
      await flush();
      let written = 0;
      await p.write({
        write: async (chunk) => {
          written += chunk.length;
          await sink.write(chunk);
        },
      });
      if (written !== p.length) throw new Error(`lazy part wrote ${written} bytes, declared ${p.length}`);
      continue;
    }
    if (used + p.length > BLOCK) await flush();
    if (p.length > BLOCK) await sink.write(p);
    else { buf.set(p, used); used += p.length; }
  }
  await flush();
}
