// ONNX message builders (onnx.proto3 field numbers) on top of wire-writer.js: tensors, nodes,
// attributes, value infos, graphs and models, for the generator, convert, quantize and tests.
import { Message } from './wire-writer.js';

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 };
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 };
const BYTES_PER = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 10: 2 };

/** Little-endian bytes of a small constant tensor's values. */
function rawBytes(dataType, values) {
  const n = values.length;
  const b = new Uint8Array(n * BYTES_PER[dataType]);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    if (dataType === DataType.FLOAT) dv.setFloat32(i * 4, values[i], true);
    else if (dataType === DataType.INT64) dv.setBigInt64(i * 8, BigInt(values[i]), true);
    else if (dataType === DataType.INT32) dv.setInt32(i * 4, values[i], true);
    else if (dataType === DataType.BOOL || dataType === DataType.UINT8) b[i] = values[i];
    else if (dataType === DataType.INT8) dv.setInt8(i, values[i]);
    else throw new Error(`rawBytes: unsupported data type ${dataType}`);
  }
  return b;
}

/**
 * TensorProto. `data` is an array of numbers (small constants), a Uint8Array of raw little-endian
 * bytes, or { write(sink) } producing the bytes lazily; `external` = { location, offset, length }
 * stores the payload outside the model file instead.
 */
export function tensor(name, dataType, dims, data, external) {
  const m = new Message();
  for (const d of dims) m.int(1, d);
  m.int(2, dataType);
  m.string(8, name);
  const length = dims.reduce((a, b) => a * b, 1) * BYTES_PER[dataType];
  if (external) {
    externalData(m, external);
  } else if (Array.isArray(data)) {
    m.bytes(9, rawBytes(dataType, data));
  } else if (data instanceof Uint8Array) {
    if (data.length !== length) throw new Error(`tensor ${name}: ${data.length} bytes, expected ${length}`);
    m.bytes(9, data);
  } else {
    m.lazyBytes(9, length, data.write);
  }
  return m;
}

/**
 * Appends a TensorProto's external_data entries (location, offset, length) and
 * data_location = EXTERNAL: its payload lies in `location`, a file beside the model.
 */
export function externalData(tensorMsg, { location, offset, length }) {
  const entry = (k, v) => new Message().string(1, k).string(2, String(v));
  tensorMsg.message(13, entry('location', location));
  tensorMsg.message(13, entry('offset', offset));
  tensorMsg.message(13, entry('length', length));
  return tensorMsg.int(14, 1);
}

function attribute(name, value) {
  const m = new Message().string(1, name);
  if (value instanceof Message) return m.message(5, value).int(20, AttrType.TENSOR);
  if (typeof value === 'string') return m.string(4, value).int(20, AttrType.STRING);
  if (Array.isArray(value)) {
    if (value.every(Number.isInteger)) return m.packedInts(8, value).int(20, AttrType.INTS);
    return m.packedFloats(7, value).int(20, AttrType.FLOATS);
  }
  if (typeof value === 'object' && value && 'float' in value) return m.float(2, value.float).int(20, AttrType.FLOAT);
  if (Number.isInteger(value)) return m.int(3, value).int(20, AttrType.INT);
  return m.float(2, value).int(20, AttrType.FLOAT);
}

/** NodeProto. attrs: { name: int | float | {float} | string | int[] | float[] | TensorProto }. */
export function node(opType, inputs, outputs, attrs = {}, name = '', domain = '') {
  const m = new Message();
  for (const i of inputs) m.string(1, i);
  for (const o of outputs) m.string(2, o);
  if (name) m.string(3, name);
  m.string(4, opType);
  for (const [k, v] of Object.entries(attrs)) m.message(5, attribute(k, v));
  if (domain) m.string(7, domain);
  return m;
}

/** ValueInfoProto for a tensor; dims are numbers or symbolic names. */
export function valueInfo(name, elemType, dims) {
  const shape = new Message();
  for (const d of dims) {
    const dim = new Message();
    if (typeof d === 'string') dim.string(2, d);
    else dim.int(1, d);
    shape.message(1, dim);
  }
  const tt = new Message().int(1, elemType).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tt));
}

export function graph({ name, nodes, initializers, inputs, outputs }) {
  const m = new Message();
  for (const n of nodes) m.message(1, n);
  m.string(2, name);
  for (const t of initializers) m.message(5, t);
  for (const i of inputs) m.message(11, i);
  for (const o of outputs) m.message(12, o);
  return m;
}

/** ModelProto around a graph; an empty producerVersion leaves that field out. */
export function model(graphMsg, { opset = 17, producer = 'wasmbed-generator', producerVersion = '1' } = {}) {
  const m = new Message()
    .int(1, 8) // ir_version 8 (ONNX 1.13+, opset 17/18)
    .string(2, producer);
  if (producerVersion) m.string(3, producerVersion);
  return m
    .message(7, graphMsg)
    .message(8, new Message().string(1, '').int(2, opset));
}
