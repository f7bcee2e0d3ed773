// Streams tensors into a .safetensors file: 8-byte little-endian header length, JSON header
// { name: { dtype, shape, data_offsets: [begin, end] } }, then the raw little-endian payloads.
// The file is written atomically: a failure leaves nothing under its name.
import { writeFileAtomic } from '../internal/atomic-write.js';

/**
 * entries: [{ name, shape, chunks: () => Iterable or AsyncIterable<Float32Array> }] (float32 only).
 * The header is computed from shapes, so the payload is never held in memory at once.
 */
export async function writeSafetensors(file, entries, metadata = { format: 'pt' }) {
  const header = { __metadata__: metadata };
  let offset = 0;
  for (const e of entries) {
    const bytes = e.shape.reduce((a, b) => a * b, 1) * 4;
    header[e.name] = { dtype: 'F32', shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keep the payload 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  await writeFileAtomic(file, async (fh) => {
    await fh.write(prefix);
    await fh.write(headerBytes);
    for (const e of entries) {
      for await (const c of e.chunks()) await fh.write(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    }
  });
}
