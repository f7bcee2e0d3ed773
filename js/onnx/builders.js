// ONNX message builders (field numbers from schema.js) on top of wire-writer.js: tensors, nodes,
// attributes, value infos, graphs and models, for the generator, convert, quantize and tests.
import { ATTR, AttrType, DATA_LOCATION, DIM, DataType, ELEMENT_SIZE, ENTRY, GRAPH, MODEL, NODE, OPSET, SHAPE, TENSOR, TENSOR_TYPE, TYPE, VALUE_INFO } from './schema.js';
import { Message } from './wire-writer.js';

/** Little-endian bytes of a small constant tensor's values. */
function rawBytes(dataType, values) {
  const n = values.length;
  const b = new Uint8Array(n * ELEMENT_SIZE[dataType]);
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
  for (const d of dims) m.int(TENSOR.DIMS, d);
  m.int(TENSOR.DATA_TYPE, dataType);
  m.string(TENSOR.NAME, name);
  const length = dims.reduce((a, b) => a * b, 1) * ELEMENT_SIZE[dataType];
  if (external) {
    externalData(m, external);
  } else if (Array.isArray(data)) {
    m.bytes(TENSOR.RAW_DATA, rawBytes(dataType, data));
  } else if (data instanceof Uint8Array) {
    if (data.length !== length) throw new Error(`tensor ${name}: ${data.length} bytes, expected ${length}`);
    m.bytes(TENSOR.RAW_DATA, data);
  } else {
    m.lazyBytes(TENSOR.RAW_DATA, length, data.write);
  }
  return m;
}

/**
 * Appends a TensorProto's external_data entries (location, offset, length) and
 * data_location = EXTERNAL: its payload lies in `location`, a file beside the model.
 */
export function externalData(tensorMsg, { location, offset, length }) {
  const entry = (k, v) => new Message().string(ENTRY.KEY, k).string(ENTRY.VALUE, String(v));
  tensorMsg.message(TENSOR.EXTERNAL_DATA, entry('location', location));
  tensorMsg.message(TENSOR.EXTERNAL_DATA, entry('offset', offset));
  tensorMsg.message(TENSOR.EXTERNAL_DATA, entry('length', length));
  return tensorMsg.int(TENSOR.DATA_LOCATION, DATA_LOCATION.EXTERNAL);
}

function attribute(name, value) {
  const m = new Message().string(ATTR.NAME, name);
  if (value instanceof Message) return m.message(ATTR.T, value).int(ATTR.TYPE, AttrType.TENSOR);
  if (typeof value === 'string') return m.string(ATTR.S, value).int(ATTR.TYPE, AttrType.STRING);
  if (Array.isArray(value)) {
    if (value.every(Number.isInteger)) return m.packedInts(ATTR.INTS, value).int(ATTR.TYPE, AttrType.INTS);
    return m.packedFloats(ATTR.FLOATS, value).int(ATTR.TYPE, AttrType.FLOATS);
  }
  if (typeof value === 'object' && value && 'float' in value) return m.float(ATTR.F, value.float).int(ATTR.TYPE, AttrType.FLOAT);
  if (Number.isInteger(value)) return m.int(ATTR.I, value).int(ATTR.TYPE, AttrType.INT);
  return m.float(ATTR.F, value).int(ATTR.TYPE, AttrType.FLOAT);
}

/** NodeProto. attrs: { name: int | float | {float} | string | int[] | float[] | TensorProto }. */
export function node(opType, inputs, outputs, attrs = {}, name = '', domain = '') {
  const m = new Message();
  for (const i of inputs) m.string(NODE.INPUT, i);
  for (const o of outputs) m.string(NODE.OUTPUT, o);
  if (name) m.string(NODE.NAME, name);
  m.string(NODE.OP_TYPE, opType);
  for (const [k, v] of Object.entries(attrs)) m.message(NODE.ATTRIBUTE, attribute(k, v));
  if (domain) m.string(NODE.DOMAIN, domain);
  return m;
}

/** ValueInfoProto for a tensor; dims are numbers or symbolic names, or null: shape unknown. */
export function valueInfo(name, elemType, dims) {
  const tensorType = new Message().int(TENSOR_TYPE.ELEM_TYPE, elemType);
  if (dims) {
    const shape = new Message();
    for (const d of dims) {
      const dim = new Message();
      if (typeof d === 'string') dim.string(DIM.PARAM, d);
      else dim.int(DIM.VALUE, d);
      shape.message(SHAPE.DIM, dim);
    }
    tensorType.message(TENSOR_TYPE.SHAPE, shape);
  }
  return new Message().string(VALUE_INFO.NAME, name).message(VALUE_INFO.TYPE, new Message().message(TYPE.TENSOR_TYPE, tensorType));
}

export function graph({ name, nodes, initializers, inputs, outputs }) {
  const m = new Message();
  for (const n of nodes) m.message(GRAPH.NODE, n);
  m.string(GRAPH.NAME, name);
  for (const t of initializers) m.message(GRAPH.INITIALIZER, t);
  for (const i of inputs) m.message(GRAPH.INPUT, i);
  for (const o of outputs) m.message(GRAPH.OUTPUT, o);
  return m;
}

/** OperatorSetIdProto; the default domain ('') is written out only when `always` (as model() does). */
export function opsetImport(domain, version, { always = false } = {}) {
  const m = new Message();
  if (domain || always) m.string(OPSET.DOMAIN, domain);
  return m.int(OPSET.VERSION, version);
}

/** ModelProto around a graph; an empty producerVersion leaves that field out. */
export function model(graphMsg, { opset = 17, producer = 'wasmbed-generator', producerVersion = '1' } = {}) {
  const m = new Message()
    .int(MODEL.IR_VERSION, 8) // ir_version 8 (ONNX 1.13+, opset 17/18)
    .string(MODEL.PRODUCER_NAME, producer);
  if (producerVersion) m.string(MODEL.PRODUCER_VERSION, producerVersion);
  return m
    .message(MODEL.GRAPH, graphMsg)
    .message(MODEL.OPSET_IMPORT, opsetImport('', opset, { always: true }));
}
