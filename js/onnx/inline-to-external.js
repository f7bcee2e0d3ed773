// Hands an inline model's weights to ONNX Runtime Web as external data that points into the bytes
// already in hand, so ORT copies each weight into the WASM heap once.
//
// Why: given an inline .onnx, onnxruntime-web copies the whole file into its heap, parses it
// (protobuf copies every raw_data payload) and then builds the initializer tensors, so a q8 bge-m3
// (567 MB) peaked at 4.3x its size in Node (bench/bge-m3-real.bench.js). Here every initializer's
// raw_data becomes an external_data reference { location, offset, length } into the original
// bytes, which are passed as that one external file (a view: no copy in JS); the ModelProto ORT
// parses shrinks to the graph. The numbers are the same (the same bytes become the same tensors).
// Browser-safe.
import { GRAPH, MODEL, TENSOR } from './schema.js';
import { WIRE, walkFields } from './wire-reader.js';
import { ByteSource } from './byte-source.js';
import { Message } from './wire-writer.js';
import { externalData } from './builders.js';

/** Initializers smaller than this stay inline (shape constants, biases of tiny models). */
const MIN_BYTES = 1024;

const fieldBytes = (bytes, f) => (f.wire === WIRE.LEN ? bytes.subarray(f.offset, f.offset + f.length) : f.raw);

/**
 * Rewrites `bytes` (a whole inline ModelProto) so its graph initializers' raw_data are external
 * data in `location` = the same bytes. Returns { bytes (the small new ModelProto), location,
 * data (= the input bytes), moved (count), movedBytes }, or null when no initializer of at least
 * minBytes has raw_data (nothing to gain).
 */
export function externalizeInitializers(bytes, { location = 'wasmbed-inline-weights.bin', minBytes = MIN_BYTES } = {}) {
  const src = ByteSource.fromBytes(bytes);
  let moved = 0, movedBytes = 0;
  const tensorMsg = (f) => {
    let raw = null, hasLocation = false;
    for (const t of walkFields(src, f.offset, f.offset + f.length)) {
      if (t.field === TENSOR.RAW_DATA) raw = t;
      else if (t.field === TENSOR.DATA_LOCATION || t.field === TENSOR.EXTERNAL_DATA) hasLocation = true;
    }
    if (!raw || hasLocation || raw.length < minBytes) return null;
    const m = new Message();
    for (const t of walkFields(src, f.offset, f.offset + f.length)) if (t !== raw && t.field !== TENSOR.RAW_DATA) m.raw(t.field, t.wire, fieldBytes(bytes, t));
    externalData(m, { location, offset: raw.offset, length: raw.length });
    moved++;
    movedBytes += raw.length;
    return m;
  };
  const graphMsg = (f) => {
    const g = new Message();
    for (const t of walkFields(src, f.offset, f.offset + f.length)) {
      const ext = t.field === GRAPH.INITIALIZER ? tensorMsg(t) : null;
      if (ext) g.message(GRAPH.INITIALIZER, ext);
      else g.raw(t.field, t.wire, fieldBytes(bytes, t));
    }
    return g;
  };
  const out = new Message();
  for (const f of walkFields(src, 0, bytes.length)) {
    if (f.field === MODEL.GRAPH) out.message(MODEL.GRAPH, graphMsg(f));
    else out.raw(f.field, f.wire, fieldBytes(bytes, f));
  }
  if (!moved) return null;
  return { bytes: out.toBytes(), location, data: bytes, moved, movedBytes };
}
