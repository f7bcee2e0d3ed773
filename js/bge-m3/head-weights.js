// Where BGE-M3's sparse and ColBERT head weights come from, in order:
//   1. explicit weights passed by the caller (`heads: { sparse: {weight, bias}, colbert: {...} }`);
//   2. separate head files next to the model, looked up through the model source:
//        sparse_linear.safetensors / colbert_linear.safetensors  (what `wasmbed convert` and the
//          test-model generator write: tensors `weight` [out, hidden] and `bias` [out], F32/F16/BF16)
//        sparse_linear.pt / colbert_linear.pt  (the original PyTorch state dicts of BAAI/bge-m3)
//      (`heads: { files: { sparse, colbert } }` names other files);
//   3. heads already inside the ONNX graph as extra outputs (see graphHeadOutputs()).
// 1 and 2 give weights that the C++ heads apply to last_hidden_state; 3 needs only post-processing.
import { halfToFloat } from '../internal/float16.js';
import { InvalidArgumentError, ModelLoadError, ParseError } from '../errors.js';
import { readTorchStateDict } from '../convert/pt-reader.js';

export const HEAD_FILES = {
  sparse: ['sparse_linear.safetensors', 'sparse_linear.pt'],
  colbert: ['colbert_linear.safetensors', 'colbert_linear.pt'],
};

// Output names third-party exports use for the heads (FlagEmbedding-style names first).
const SPARSE_OUTPUTS = ['sparse_vecs', 'sparse', 'sparse_weights', 'lexical_weights', 'token_weights'];
const COLBERT_OUTPUTS = ['colbert_vecs', 'colbert', 'colbert_vectors', 'multi_vecs'];

/** The graph's head outputs, by name: { sparse?: name, colbert?: name } (shapes are checked per run). */
export function graphHeadOutputs(outputNames) {
  const find = (names) => names.find((n) => outputNames.includes(n));
  const out = {};
  const s = find(SPARSE_OUTPUTS);
  const c = find(COLBERT_OUTPUTS);
  if (s) out.sparse = s;
  if (c) out.colbert = c;
  return out;
}


/** Parses a (small) .safetensors file held in memory: Map(name -> { shape, data: Float32Array }). */
export function readSafetensorsBytes(bytes, what = 'file.safetensors') {
  if (bytes.length < 8) throw new ParseError(`${what}: not a safetensors file (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.length) throw new ParseError(`${what}: not a safetensors file (header length ${n})`);
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new ParseError(`${what}: safetensors header is not valid JSON (${err.message})`, { cause: err });
  }
  const size = { F32: 4, F16: 2, BF16: 2, F64: 8 };
  const out = new Map();
  for (const [name, e] of Object.entries(header ?? {})) {
    if (name === '__metadata__') continue;
    if (!size[e?.dtype]) throw new ParseError(`${what}: tensor '${name}' has dtype ${e?.dtype}; head weights must be F32, F16, BF16 or F64`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = e.data_offsets;
    if (end - begin !== count * size[e.dtype] || 8 + n + end > bytes.length) {
      throw new ParseError(`${what}: tensor '${name}' data_offsets [${begin}, ${end}] do not fit its shape or the file`);
    }
    const at = 8 + n + begin;
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      if (e.dtype === 'F32') data[i] = dv.getFloat32(at + 4 * i, true);
      else if (e.dtype === 'F64') data[i] = dv.getFloat64(at + 8 * i, true);
      else if (e.dtype === 'F16') data[i] = halfToFloat(dv.getUint16(at + 2 * i, true));
      else data[i] = new Float32Array(new Uint32Array([dv.getUint16(at + 2 * i, true) << 16]).buffer)[0];
    }
    out.set(name, { shape: e.shape, data });
  }
  return out;
}

/** Reads a head file (by extension) into Map(name -> { shape, data }). */
export function readHeadFile(name, bytes) {
  if (name.endsWith('.safetensors')) return readSafetensorsBytes(bytes, name);
  if (name.endsWith('.pt') || name.endsWith('.bin') || name.endsWith('.pth')) return readTorchStateDict(bytes, name);
  throw new InvalidArgumentError(`head file ${name}: expected .safetensors or .pt`);
}

/** Picks weight [out, hidden] and bias [out] out of a state dict (plain or with a module prefix). */
function linearFrom(tensors, file, hiddenSize, expectOut) {
  const pick = (suffix) => {
    for (const [k, v] of tensors) if (k === suffix || k.endsWith(`.${suffix}`)) return v;
    return null;
  };
  const weight = pick('weight');
  const bias = pick('bias');
  if (!weight || !bias) throw new ModelLoadError(`${file} has no 'weight' and 'bias' tensors (found: ${[...tensors.keys()].join(', ')})`, { file });
  const out = weight.shape.length === 2 ? weight.shape[0] : 1;
  const inp = weight.shape.at(-1);
  if (inp !== hiddenSize) throw new ModelLoadError(`${file}: weight is ${JSON.stringify(weight.shape)}, but the encoder's hidden size is ${hiddenSize}`, { file });
  if (expectOut !== undefined && out !== expectOut) throw new ModelLoadError(`${file}: expected ${expectOut} output(s), weight is ${JSON.stringify(weight.shape)}`, { file });
  if (bias.data.length !== out) throw new ModelLoadError(`${file}: bias has ${bias.data.length} values for ${out} outputs`, { file });
  return { weight: weight.data, bias: bias.data };
}

/**
 * Loads both heads' weights for an encoder of `hiddenSize` from a model source. `option`: the
 * Embedder's `heads` option (undefined/'auto', or { files: { sparse, colbert } }).
 * Returns { sparse: { weight, bias: number }, colbert: { weight, bias }, files } or null when the
 * source has no head files.
 */
export async function loadHeadWeights(src, hiddenSize, option) {
  const named = option && typeof option === 'object' ? option.files : undefined;
  const pick = async (kind) => {
    const candidates = named?.[kind] ? [named[kind]] : HEAD_FILES[kind];
    for (const name of candidates) {
      if (await src.exists(name)) return name;
    }
    if (named?.[kind]) throw new ModelLoadError(`head file ${named[kind]} is not in the model`, { file: named[kind] });
    return null;
  };
  const sparseFile = await pick('sparse');
  const colbertFile = await pick('colbert');
  if (!sparseFile && !colbertFile) return null;
  if (!sparseFile || !colbertFile) {
    const missing = sparseFile ? HEAD_FILES.colbert : HEAD_FILES.sparse;
    throw new ModelLoadError(`the model has ${sparseFile ?? colbertFile} but not ${missing.join(' / ')}`, { file: missing[0] });
  }
  const sparse = linearFrom(readHeadFile(sparseFile, await src.bytes(sparseFile)), sparseFile, hiddenSize, 1);
  const colbert = linearFrom(readHeadFile(colbertFile, await src.bytes(colbertFile)), colbertFile, hiddenSize);
  return { sparse: { weight: sparse.weight, bias: sparse.bias[0] }, colbert, files: [sparseFile, colbertFile] };
}

/** Validates explicit weights given as the `heads` option. */
export function explicitHeadWeights(option, hiddenSize) {
  const f32 = (v, what) => {
    if (v instanceof Float32Array) return v;
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return Float32Array.from(v);
    throw new InvalidArgumentError(`heads.${what} must be a Float32Array`);
  };
  const sw = f32(option.sparse?.weight, 'sparse.weight');
  const sb = typeof option.sparse?.bias === 'number' ? option.sparse.bias : f32(option.sparse?.bias, 'sparse.bias')[0];
  const cw = f32(option.colbert?.weight, 'colbert.weight');
  const cb = f32(option.colbert?.bias, 'colbert.bias');
  if (sw.length !== hiddenSize) throw new InvalidArgumentError(`heads.sparse.weight has ${sw.length} values, expected hidden size ${hiddenSize}`);
  if (cw.length !== cb.length * hiddenSize) throw new InvalidArgumentError(`heads.colbert.weight has ${cw.length} values, expected ${cb.length} x ${hiddenSize}`);
  return { sparse: { weight: sw, bias: sb }, colbert: { weight: cw, bias: cb }, files: [] };
}
