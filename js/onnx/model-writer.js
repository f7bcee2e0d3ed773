// Writes a (rewritten) ONNX model whose tensor payloads are produced lazily, one tensor at a time,
// inline in the .onnx file or, above the 2 GB protobuf limit, in a `<name>_data` external file.
// Both files are written atomically (js/internal/atomic-write.js) and appear together at the end:
// a failure never leaves a half-written model under the requested name.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { openAtomic } from '../internal/atomic-write.js';
import { externalData as externalDataEntries, opsetImport } from './builders.js';
import { GRAPH, MODEL, TENSOR } from './schema.js';
import { Message, writeMessage } from './wire-writer.js';

// Protobuf messages are limited to 2 GiB; stay well below it with inline tensors.
export const INLINE_LIMIT = 2 ** 31 - 128 * 2 ** 20;
// Tensors smaller than this stay inline even in external-data mode (shapes, scalars).
const EXTERNAL_MIN = 1024;

/**
 * Output tensor description: { name, dataType, dims, byteLength, header?, write(sink) } where
 * `header` holds extra passthrough fields and `write` streams exactly byteLength bytes
 * (byteLength 0 and no write: the header carries the values, e.g. packed int64_data), or
 * `external: { location, offset }` (no write: the bytes already lie in that file, next to the model;
 * js/quantize/calibrate.js points a probe graph at the original model's payloads this way).
 */
function tensorMessage(t, external) {
  const m = new Message();
  for (const d of t.dims) m.int(TENSOR.DIMS, d);
  m.int(TENSOR.DATA_TYPE, t.dataType);
  let named = false;
  for (const h of t.header ?? []) {
    if (h.field === TENSOR.NAME) named = true;
    m.raw(h.field, h.wire, h.bytes);
  }
  if (!named) m.string(TENSOR.NAME, t.name);
  if (external) {
    externalDataEntries(m, { location: external.location, offset: external.offset, length: t.byteLength });
  } else if (t.write) {
    m.lazyBytes(TENSOR.RAW_DATA, t.byteLength, t.write);
  }
  return m;
}

/**
 * Writes the model. parts: { modelFields, opsets, graphFields, nodes (encoded Messages or
 * Uint8Arrays), tensors }; modelFields / graphFields entries are { field, wire, bytes } (copied)
 * or { field, message } (a Message). Returns { modelBytes, dataBytes, external }.
 */
export async function writeOnnx(outFile, { modelFields, opsets, graphFields, nodes, tensors }, { externalData = 'auto' } = {}) {
  const payload = tensors.reduce((a, t) => a + (t.write ? t.byteLength : 0), 0);
  const external = externalData === 'auto' ? payload > INLINE_LIMIT : Boolean(externalData);
  const dataName = `${path.basename(outFile)}_data`;
  const dataFile = path.join(path.dirname(outFile), dataName);
  let data = null;
  let onnx = null;
  try {
    const placements = new Map();
    let dataBytes = 0;
    if (external) {
      // Data first: offsets must be known before the graph is encoded.
      data = await openAtomic(dataFile);
      for (const t of tensors) {
        if (!t.write || t.byteLength < EXTERNAL_MIN) continue;
        const pad = (16 - (dataBytes % 16)) % 16; // 16-byte aligned payloads
        if (pad) { await data.write(new Uint8Array(pad)); dataBytes += pad; }
        placements.set(t, { location: dataName, offset: dataBytes });
        let wrote = 0;
        await t.write({ write: async (c) => { wrote += c.length; await data.write(c); } });
        if (wrote !== t.byteLength) throw new Error(`tensor ${t.name}: wrote ${wrote} bytes, declared ${t.byteLength}`);
        dataBytes += wrote;
      }
    }
    const graph = new Message();
    for (const n of nodes) {
      if (n instanceof Message) graph.message(GRAPH.NODE, n);
      else graph.bytes(GRAPH.NODE, n);
    }
    // Fields copied from a source model ({ field, wire, bytes }) or built here ({ field, message }).
    for (const f of graphFields) {
      if (f.message) graph.message(f.field, f.message);
      else graph.raw(f.field, f.wire, f.bytes);
    }
    for (const t of tensors) graph.message(GRAPH.INITIALIZER, tensorMessage(t, placements.get(t) ?? t.external));
    const model = new Message();
    for (const f of modelFields) {
      if (f.message) model.message(f.field, f.message);
      else model.raw(f.field, f.wire, f.bytes);
    }
    model.message(MODEL.GRAPH, graph);
    for (const op of opsets) model.message(MODEL.OPSET_IMPORT, opsetImport(op.domain, op.version));
    onnx = await openAtomic(outFile);
    await writeMessage(model, onnx);
    if (external) await data.commit();
    else await rm(dataFile, { force: true }); // a stale data file from an earlier run would mislead
    await onnx.commit();
    return { modelBytes: model.length, dataBytes, external, dataFile: external ? dataFile : null };
  } catch (err) {
    await Promise.all([data?.abort(), onnx?.abort()]);
    throw err;
  }
}
