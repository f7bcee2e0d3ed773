// The encoder graph of a checkpoint (safetensors or pytorch_model.bin, opened by
// checkpoint-files.js) as a quantizer graph source (see js/quantize/quantize.js quantizeGraph):
// the generator's graph builder supplies nodes and small constants, the checkpoint supplies the
// weights as tensor handles that read the weight file on demand. Writing it with format null
// gives the float32 model.onnx; with q8 / q4 the weights go from the checkpoint straight into
// MatMulNBits / GatherBlockQuantized initializers, with no float32 ONNX file in between. The
// layout (field order, initializer order) is exactly what reading the float32 file back would
// give, so both routes produce byte-identical quantized files.
import { buildGraph, parameterSpecs } from './architecture.js';
import { DataType, GRAPH, MODEL, TENSOR, WIRE, decodeFields, varint } from '../onnx/index.js';
import { parseNode } from '../onnx/node.js';
import { ParseError, UnsupportedError } from '../errors.js';

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);
const utf8 = new TextEncoder();
const CHUNK_ELEMENTS = 1 << 20; // untransposed tensors are written 4 MB at a time

/** A small constant TensorProto (Message) as a tensor handle holding its bytes in memory. */
function constantHandle(msg) {
  const t = { name: '', dataType: 0, dims: [], header: [], payload: null };
  for (const f of decodeFields(msg.toBytes())) {
    if (f.field === TENSOR.DIMS) t.dims.push(f.value);
    else if (f.field === TENSOR.DATA_TYPE) t.dataType = f.value;
    else if (f.field === TENSOR.NAME) t.header.push({ field: TENSOR.NAME, wire: WIRE.LEN, bytes: f.value });
    else if (f.field === TENSOR.RAW_DATA) t.payload = f.value;
    else throw new Error(`constant tensor: unexpected field ${f.field}`);
  }
  t.name = new TextDecoder().decode(t.header[0].bytes);
  return {
    name: t.name, dataType: t.dataType, dims: t.dims, header: t.header,
    byteLength: t.payload.length, hasPayload: true,
    check: async () => {},
    readFloats: async () => new Float32Array(t.payload.slice().buffer),
    write: (sink) => sink.write(t.payload),
  };
}

/** Finds a parameter in the checkpoint: plain names, task-model prefixes, old gamma/beta names. */
function lookup(tensors, name, modelType) {
  const prefixes = ['', `${modelType === 'bert' ? 'bert' : 'roberta'}.`, 'model.', `${modelType}.`];
  const alt = [name, name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')];
  for (const p of prefixes) for (const a of alt) if (tensors.has(p + a)) return tensors.get(p + a);
  return null;
}

/**
 * A checkpoint parameter as a tensor handle in ONNX layout (nn.Linear weights transposed). `found`
 * is a checkpoint-files.js entry: { name, file, dtype, shape, read(start, count) -> Float32Array }.
 */
function weightHandle(spec, found) {
  if (JSON.stringify(found.shape) !== JSON.stringify(spec.shape)) throw new ParseError(`${found.file}: tensor '${found.name}' has shape ${JSON.stringify(found.shape)}, config.json implies ${JSON.stringify(spec.shape)}`);
  if (!FLOAT_DTYPES.has(found.dtype)) throw new ParseError(`${found.file}: tensor '${found.name}' is ${found.dtype}, expected F32, F16 or BF16`);
  const numel = spec.shape.reduce((a, b) => a * b, 1);
  const dims = spec.transpose ? [spec.shape[1], spec.shape[0]] : spec.shape;
  const rowElements = dims.slice(1).reduce((a, b) => a * b, 1);
  // nn.Linear stores [out, in]; MatMul wants [in, out]. Linear weights are small (<= 64 MB for
  // bge-m3's 4096 x 1024 float32), so they are transposed whole.
  const transposed = async () => {
    const [out, inp] = spec.shape;
    const w = await found.read(0, numel);
    const t = new Float32Array(numel);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + i];
    return t;
  };
  // The checkpoint was validated against the file size at open; a file cut or replaced since then
  // surfaces here, mid-write, as a ParseError naming the tensor.
  const guard = (fn) => async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof RangeError) throw new ParseError(`${found.file}: tensor '${found.name}' cannot be read (${err.message}); was the file changed during the conversion?`, { cause: err });
      throw err;
    }
  };
  const bytesOf = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return {
    name: spec.name, dataType: DataType.FLOAT, dims, header: [{ field: TENSOR.NAME, wire: WIRE.LEN, bytes: utf8.encode(spec.name) }],
    byteLength: numel * 4, hasPayload: true,
    check: async () => {},
    // Rows [r0, r1) of the ONNX-layout tensor; untransposed tables (the 250k-row embeddings) are
    // read by row range only, so they are never held whole.
    readFloats: guard(async (r0 = 0, r1 = dims[0]) => {
      if (spec.transpose) return (await transposed()).subarray(r0 * rowElements, r1 * rowElements);
      return found.read(r0 * rowElements, (r1 - r0) * rowElements);
    }),
    write: guard(spec.transpose
      ? async (sink) => { await sink.write(bytesOf(await transposed())); }
      : async (sink) => {
        for (let i = 0; i < numel; i += CHUNK_ELEMENTS) await sink.write(bytesOf(await found.read(i, Math.min(CHUNK_ELEMENTS, numel - i))));
      }),
  };
}

/**
 * Graph source for quantizeGraph from a config.json object and an opened checkpoint
 * (checkpoint-files.js openCheckpoint: { tensors: Map(name -> entry), sources: [ByteSource] }). Throws ParseError for missing
 * tensors or shapes that disagree with the config, UnsupportedError for configs the builder rejects.
 */
export function checkpointGraphSource(config, ckpt, label) {
  let graph;
  try {
    graph = buildGraph(config);
  } catch (err) {
    throw new UnsupportedError(`config.json: ${err.message}`, { cause: err });
  }
  const weights = parameterSpecs(config).map((spec) => {
    const found = lookup(ckpt.tensors, spec.name, config.model_type);
    if (!found) throw new ParseError(`checkpoint has no tensor '${spec.name}' (needed by a ${config.model_type} encoder)`);
    return weightHandle(spec, found);
  });
  const raw = (field, bytes) => ({ field, wire: WIRE.LEN, bytes });
  return {
    label,
    modelFields: [
      { field: MODEL.IR_VERSION, wire: WIRE.VARINT, bytes: varint(8) }, // ir_version 8 (opset 17)
      raw(MODEL.PRODUCER_NAME, utf8.encode('wasmbed-convert')),
    ],
    opsets: [{ domain: '', version: 17 }],
    graph: {
      nodes: graph.nodes.map((m) => parseNode(m.toBytes())),
      fields: [
        raw(GRAPH.NAME, utf8.encode(`wasmbed_${config.model_type}`)),
        ...graph.inputs.map((m) => raw(GRAPH.INPUT, m.toBytes())),
        ...graph.outputs.map((m) => raw(GRAPH.OUTPUT, m.toBytes())),
      ],
      initializers: [...graph.constants.map(constantHandle), ...weights],
    },
    inBytes: async () => ckpt.sources.reduce((a, s) => a + s.size, 0),
  };
}
