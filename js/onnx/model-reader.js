// Reads an ONNX ModelProto from a file without loading tensor payloads: every initializer keeps
// only where its bytes are (inline offset in the .onnx file, or a range of an external data file),
// so multi-GB models (bge-m3 fp32: 2.3 GB with model.onnx_data) are scanned in a few MB of memory
// and their weights are streamed later, one tensor at a time.
import path from 'node:path';
import { ParseError } from '../errors.js';
import { openFileSource } from './file-source.js';
import { parseNode } from './node-proto.js';
import { DATA_LOCATION, ELEMENT_SIZE, ENTRY, GRAPH, MODEL, OPSET, TENSOR } from './schema.js';
import { WIRE, decodeFields, decodePackedVarints, decodeString, walkFields } from './wire-reader.js';

export { parseNode };

/**
 * Parses a TensorProto located at [offset, offset + length) of `source` (payload not read).
 * Returns { name, dataType, dims, header: [{ field, wire, bytes }], data } where data is
 * { kind: 'inline', offset, length } | { kind: 'external', location, offset, length } | null.
 */
function parseTensor(source, offset, length) {
  const t = { name: '', dataType: 0, dims: [], header: [], data: null };
  const external = {};
  let dataLocation = 0;
  for (const f of walkFields(source, offset, offset + length)) {
    const isPayload = f.field === TENSOR.RAW_DATA || ((f.field === TENSOR.FLOAT_DATA || f.field === TENSOR.INT32_DATA || f.field === TENSOR.INT64_DATA) && f.wire === WIRE.LEN);
    if (isPayload && f.field === TENSOR.RAW_DATA) {
      t.data = { kind: 'inline', offset: f.offset, length: f.length };
      continue;
    }
    if (isPayload && f.field === TENSOR.FLOAT_DATA) {
      // Packed float_data is byte-identical to raw_data (little-endian float32s).
      t.data = { kind: 'inline', offset: f.offset, length: f.length };
      continue;
    }
    if (isPayload) {
      // Packed int32/int64 data are varints: small constants only, decode them in memory.
      const bytes = source.read(f.offset, f.length);
      t.header.push({ field: f.field, wire: f.wire, bytes });
      t.varintData = decodePackedVarints(bytes);
      continue;
    }
    const bytes = f.wire === WIRE.LEN ? source.read(f.offset, f.length) : f.raw;
    if (f.field === TENSOR.DIMS) {
      if (f.wire === WIRE.LEN) t.dims.push(...decodePackedVarints(bytes));
      else t.dims.push(f.value);
      continue;
    }
    if (f.field === TENSOR.DATA_TYPE) { t.dataType = f.value; continue; }
    if (f.field === TENSOR.NAME) t.name = decodeString(bytes);
    if (f.field === TENSOR.EXTERNAL_DATA) {
      let k = '', v = '';
      for (const e of decodeFields(bytes)) {
        if (e.field === ENTRY.KEY) k = decodeString(e.value);
        else if (e.field === ENTRY.VALUE) v = decodeString(e.value);
      }
      external[k] = v;
      continue;
    }
    if (f.field === TENSOR.DATA_LOCATION) { dataLocation = f.value; continue; }
    t.header.push({ field: f.field, wire: f.wire, bytes });
  }
  if (dataLocation === DATA_LOCATION.EXTERNAL) {
    if (!external.location) throw new RangeError(`tensor '${t.name}' is external but names no location`);
    const size = t.dims.reduce((a, b) => a * b, 1) * (ELEMENT_SIZE[t.dataType] ?? 0);
    t.data = { kind: 'external', location: external.location, offset: Number(external.offset ?? 0), length: external.length != null ? Number(external.length) : size };
  }
  return t;
}

/**
 * Opens and scans an ONNX model. Returns { file, source, irVersion, opsets, modelFields, graph }
 * with graph = { nodes, initializers, fields }; `fields` lists the other graph fields (name,
 * inputs, outputs, value_info, ...) as { field, wire, bytes } in file order.
 * Close with `closeModel()`. Throws ParseError naming the file when it is not a valid ONNX model.
 */
export async function readOnnxModel(file) {
  const source = openFileSource(file);
  try {
    return scanModel(source, file);
  } catch (err) {
    source.close();
    if (err instanceof ParseError) throw err;
    throw new ParseError(`${file}: not a valid ONNX model (${err.message})`, { cause: err });
  }
}

function scanModel(source, file) {
  const model = { file, dir: path.dirname(file), source, irVersion: null, opsets: [], modelFields: [], graph: null, externalSources: new Map() };
  for (const f of walkFields(source, 0, source.size)) {
    if (f.field === MODEL.GRAPH && f.wire === WIRE.LEN) {
      model.graph = scanGraph(source, f.offset, f.length);
      continue;
    }
    const bytes = f.wire === WIRE.LEN ? source.read(f.offset, f.length) : f.raw;
    if (f.field === MODEL.IR_VERSION && f.wire === WIRE.VARINT) model.irVersion = f.value;
    if (f.field === MODEL.OPSET_IMPORT && f.wire === WIRE.LEN) {
      const op = { domain: '', version: 0 };
      for (const e of decodeFields(bytes)) {
        if (e.field === OPSET.DOMAIN) op.domain = decodeString(e.value);
        else if (e.field === OPSET.VERSION) op.version = e.value;
      }
      model.opsets.push(op);
      continue;
    }
    model.modelFields.push({ field: f.field, wire: f.wire, bytes });
  }
  if (model.irVersion == null || !model.graph) throw new ParseError(`${file}: not an ONNX model (no ${model.graph ? 'ir_version' : 'graph'} field)`);
  if (!model.graph.nodes.length) throw new ParseError(`${file}: ONNX graph has no nodes`);
  if (!model.opsets.length) throw new ParseError(`${file}: ONNX model has no opset_import (truncated?)`);
  return model;
}

function scanGraph(source, offset, length) {
  const graph = { nodes: [], initializers: [], fields: [] };
  for (const f of walkFields(source, offset, offset + length)) {
    if (f.field === GRAPH.INITIALIZER && f.wire === WIRE.LEN) {
      graph.initializers.push(parseTensor(source, f.offset, f.length));
      continue;
    }
    const bytes = f.wire === WIRE.LEN ? source.read(f.offset, f.length) : f.raw;
    if (f.field === GRAPH.NODE && f.wire === WIRE.LEN) graph.nodes.push(parseNode(bytes));
    else graph.fields.push({ field: f.field, wire: f.wire, bytes });
  }
  return graph;
}

/** The ByteSource holding a tensor's payload (external data files are opened on first use). */
export async function tensorSource(model, tensor) {
  if (!tensor.data) throw new ParseError(`${model.file}: tensor '${tensor.name}' has no data`);
  if (tensor.data.kind === 'inline') return model.source;
  const loc = tensor.data.location;
  if (path.isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) throw new ParseError(`${model.file}: tensor '${tensor.name}' has an unsafe external data location '${loc}'`);
  let src = model.externalSources.get(loc);
  if (!src) {
    const p = path.join(model.dir, loc);
    try {
      src = openFileSource(p);
    } catch (err) {
      throw new ParseError(`${model.file}: external data file ${p} for tensor '${tensor.name}' cannot be opened (${err.code ?? err.message})`, { cause: err });
    }
    model.externalSources.set(loc, src);
  }
  if (tensor.data.offset + tensor.data.length > src.size) {
    throw new ParseError(`${src.name}: tensor '${tensor.name}' needs bytes ${tensor.data.offset}..${tensor.data.offset + tensor.data.length} but the file has ${src.size}`);
  }
  return src;
}

/** Checks that a float32 tensor's payload has the size its dims promise. */
export function expectPayload(model, tensor) {
  const expected = tensor.dims.reduce((a, b) => a * b, 1) * (ELEMENT_SIZE[tensor.dataType] ?? 0);
  if (!tensor.data || tensor.data.length !== expected) {
    throw new ParseError(`${model.file}: tensor '${tensor.name}' has ${tensor.data?.length ?? 0} data bytes, its shape [${tensor.dims}] needs ${expected}`);
  }
}

/** Reads a float32 tensor's values (rows [r0, r1) of a 2-D tensor when given). */
export async function readFloats(model, tensor, r0 = 0, r1 = tensor.dims[0]) {
  const src = await tensorSource(model, tensor);
  const rowBytes = tensor.dims.length >= 2 ? (tensor.dims.slice(1).reduce((a, b) => a * b, 1) * 4) : 4;
  const bytes = src.read(tensor.data.offset + r0 * rowBytes, (r1 - r0) * rowBytes);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

export async function closeModel(model) {
  model.source.close();
  for (const s of model.externalSources.values()) s.close();
}

/**
 * The quantizer's view of an opened ONNX file: initializers as tensor handles
 * ({ name, dataType, dims, header, byteLength, hasPayload, check(), readFloats(r0, r1), write(sink) })
 * so the same rewrite also runs on tensors that come from elsewhere (js/convert reads them
 * straight from safetensors, with no ONNX file in between).
 */
export function fileGraphSource(model) {
  const handle = (t) => ({
    name: t.name, dataType: t.dataType, dims: t.dims, header: t.header,
    byteLength: t.data ? t.data.length : 0,
    hasPayload: Boolean(t.data),
    // Fails early (size disagreeing with the shape, missing external file) rather than mid-write.
    check: async () => { expectPayload(model, t); await tensorSource(model, t); },
    readFloats: (r0, r1) => readFloats(model, t, r0, r1),
    write: t.data ? async (sink) => {
      const src = await tensorSource(model, t);
      for (const c of src.chunks(t.data.offset, t.data.length)) await sink.write(c);
    } : null,
  });
  return {
    label: model.file,
    modelFields: model.modelFields,
    opsets: model.opsets,
    graph: { nodes: model.graph.nodes, fields: model.graph.fields, initializers: model.graph.initializers.map(handle) },
    inBytes: async () => {
      let total = model.source.size;
      const seen = new Set();
      for (const t of model.graph.initializers) {
        if (t.data?.kind !== 'external' || seen.has(t.data.location)) continue;
        seen.add(t.data.location);
        total += (await tensorSource(model, t)).size;
      }
      return total;
    },
  };
}
