// Protobuf wire-format writing: the codec's only varint and message encoder.
//
// A message is built as a list of parts: byte arrays, or "lazy" parts ({ length, write }) whose
// bytes are produced only when the file is written. Lengths are known up front, so a message can
// be length-prefixed without materialising multi-GB tensor payloads in memory.
import { concatBytes } from '../internal/bytes.js';
import { WIRE } from './wire-reader.js';

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
    this._push(key(field, WIRE.VARINT));
    return this._push(varint(value));
  }

  float(field, value) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this._push(key(field, WIRE.I32));
    return this._push(b);
  }

  bytes(field, data) {
    this._push(key(field, WIRE.LEN));
    this._push(varint(data.length));
    return this._push(data);
  }

  string(field, text) {
    return this.bytes(field, textEncoder.encode(text));
  }

  /**
   * An already-encoded field as a reader returned it ({ field, wire, bytes }: for LEN fields the
   * payload, for others the encoded value), copied through unchanged.
   */
  raw(field, wire, bytes) {
    if (wire === WIRE.LEN) return this.bytes(field, bytes);
    this._push(key(field, wire));
    return this._push(bytes);
  }

  /** Embedded message (a Message, possibly with lazy parts). */
  message(field, msg) {
    this._push(key(field, WIRE.LEN));
    this._push(varint(msg.length));
    for (const p of msg.parts) this._push(p);
    return this;
  }

  /** Length-delimited field whose `length` bytes come from `write(sink)` at write time. */
  lazyBytes(field, length, write) {
    this._push(key(field, WIRE.LEN));
    this._push(varint(length));
    return this._push({ length, write, lazy: true });
  }

  /** Packed repeated varints. */
  packedInts(field, values) {
    const m = new Message();
    for (const v of values) m._push(varint(v));
    this._push(key(field, WIRE.LEN));
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

  /** The encoded message as one array (small messages only: throws on a lazy part). */
  toBytes() {
    if (this.parts.some((p) => p.lazy)) throw new Error('Message.toBytes: the message has a lazy part');
    return concatBytes(this.parts, this.length);
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
