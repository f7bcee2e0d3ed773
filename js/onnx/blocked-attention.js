// Exact attention a block of query rows at a time, in plain ONNX ops.
//
// softmax(q·kᵀ·scale + mask)·v is computed row by row, so splitting the queries into blocks of
// `block` rows and concatenating the results along the sequence axis gives the same numbers while
// the largest intermediate is [B, heads, block, S] instead of [B, heads, S, S] (16 heads at 8,192
// tokens: 256 MiB per 512-row block instead of 4 GiB, which overflows ONNX Runtime Web's 32-bit
// sizes). The blocks are a static unroll over ceil(maxLength / block), so one graph serves every
// length; a block past the end of the sequence repeats its last row (never empty: WebGPU cannot
// run an empty Softmax) and the concatenated result is cut back to the sequence's rows.
//
//   blockedAttentionNodes()    the nodes for one attention, used by js/convert/architecture.js
//   blockAttentionInModel()    load-time rewrite of a Hub export's bytes (Optimum / transformers.js
//                              MatMul-Div-Add-Softmax-MatMul, com.microsoft MultiHeadAttention)
//   describeAttention()        what a model's attention looks like (sites, heads, block), for the
//                              activation-memory estimate
import { DataType, GRAPH, MODEL, TENSOR } from './schema.js';
import { WIRE, decodeFields, decodePackedVarints, decodeString, walkFields } from './wire-reader.js';
import { ByteSource } from './byte-source.js';
import { Message } from './wire-writer.js';
import { node, tensor } from './builders.js';
import { parseNode } from './node-proto.js';

/** Default rows per query block: 16 heads x 512 x 8,192 float32 scores = 256 MiB. */
export const DEFAULT_ATTENTION_BLOCK = 512;
/** Models with more positions than this get blocked attention by default. */
export const BLOCKING_THRESHOLD = 1024;

const I64 = DataType.INT64;

/**
 * Slice bounds for block i of `block` rows on `axis`: constant initializers shared by every
 * attention of a graph ([starts], [ends], [axes]). `constant(name, type, dims, values)` declares
 * one once and returns its name.
 */
function blockBounds(constant, prefix, i, block, axis) {
  return {
    starts: constant(`${prefix}block_start_${i}`, I64, [1], [i * block]),
    ends: constant(`${prefix}block_end_${i}`, I64, [1], [(i + 1) * block]),
    axes: constant(`${prefix}block_axis_${axis}`, I64, [1], [axis]),
  };
}

/**
 * Nodes for softmax(q · kT (*|/) scale + mask) · v, `block` query rows at a time.
 *   q [B, nh, S, hd], kT [B, nh, hd, S], v [B, nh, S, hd]; scale: { name, op: 'Mul' | 'Div' } or
 *   null; mask: a tensor broadcast against the [B, nh, S, S] scores (its query axis, -2, of size
 *   1 or S: `maskRows: 'one'` when it is known to be 1, else it is sliced with the block when its
 *   size there is not 1), or null. maxLength: the longest sequence (sets the block count).
 * op(type, inputs, attrs) appends a node and returns its output name; constant() as above.
 * Returns the name of the [B, nh, S, hd] result.
 */
export function blockedAttentionNodes({ q, kT, v, scale = null, mask = null, maskRows = 'any', block, maxLength, op, constant, prefix = '' }) {
  if (!Number.isInteger(block) || block < 1) throw new RangeError(`attention block must be a positive integer, got ${block}`);
  const count = Math.ceil(maxLength / block);
  // A mask whose query axis may be S is sliced with the block; where it is 1 the bounds collapse
  // to [0, 1): f = min(rows - 1, 1) is 0 or 1, start' = start * f, end' = max(end * f, 1).
  let rowsFactor = null;
  if (mask && maskRows !== 'one') {
    const one = constant(`${prefix}one_i64_1d`, I64, [1], [1]);
    const rows = op('Slice', [op('Shape', [mask]), constant(`${prefix}minus_two_1d`, I64, [1], [-2]), constant(`${prefix}minus_one_1d`, I64, [1], [-1])]);
    rowsFactor = op('Min', [op('Sub', [rows, one]), one]);
  }
  // Blocks past the end of the sequence start at its last row (S - 1) instead of being empty:
  // ONNX Runtime Web's WebGPU provider cannot dispatch a Softmax over an empty tensor ("Invalid
  // dispatch group size (0, 1, 1)"), so every text shorter than the unroll failed there. Each such
  // block recomputes that one row, appended after the real rows, and the final Slice keeps the
  // first S rows: the real rows come from their own blocks as before (exact).
  let seqLen = null, lastRow = null;
  if (count > 1) {
    seqLen = op('Slice', [op('Shape', [q]), constant(`${prefix}two_1d`, I64, [1], [2]), constant(`${prefix}three_1d`, I64, [1], [3])]);
    lastRow = op('Sub', [seqLen, constant(`${prefix}one_i64_1d`, I64, [1], [1])]);
  }
  const parts = [];
  for (let i = 0; i < count; i++) {
    const b = blockBounds(constant, prefix, i, block, 2);
    const start = i === 0 ? b.starts : op('Min', [b.starts, lastRow]);
    let scores = op('MatMul', [op('Slice', [q, start, b.ends, b.axes]), kT]);
    if (scale) scores = op(scale.op, [scores, scale.name]);
    if (mask) {
      let m = mask;
      if (rowsFactor) {
        const mb = blockBounds(constant, prefix, i, block, -2);
        const mStart = op('Mul', [start, rowsFactor]);
        const end = op('Max', [op('Mul', [mb.ends, rowsFactor]), constant(`${prefix}one_i64_1d`, I64, [1], [1])]);
        m = op('Slice', [mask, mStart, end, mb.axes]);
      }
      scores = op('Add', [scores, m]);
    }
    parts.push(op('MatMul', [op('Softmax', [scores], { axis: -1 }), v]));
  }
  if (count === 1) return parts[0];
  const all = op('Concat', parts, { axis: 2 });
  return op('Slice', [all, constant(`${prefix}zero_i64_1d`, I64, [1], [0]), seqLen, blockBounds(constant, prefix, 0, block, 2).axes]);
}

// ---------------------------------------------------------------------------------------------
// Load-time rewrite of exported models.

/** A graph node as the matchers below read it: parseNode's fields plus attributes by name. */
function graphNode(bytes) {
  const n = parseNode(bytes);
  return { ...n, inputs: n.input, outputs: n.output, attrs: new Map(n.attributes.map((a) => [a.name, a])) };
}

/** An initializer's name, dims, type and, for small int64 tensors, values (payloads not read). */
function parseInitializer(source, offset, length) {
  const t = { name: '', dims: [], dataType: 0 };
  let raw = null;
  for (const f of walkFields(source, offset, offset + length)) {
    if (f.field === TENSOR.NAME) t.name = decodeString(source.read(f.offset, f.length));
    else if (f.field === TENSOR.DIMS) t.dims.push(...(f.wire === WIRE.LEN ? decodePackedVarints(source.read(f.offset, f.length)) : [f.value]));
    else if (f.field === TENSOR.DATA_TYPE) t.dataType = f.value;
    else if (f.field === TENSOR.RAW_DATA && f.length <= 64) raw = source.read(f.offset, f.length);
    else if (f.field === TENSOR.INT64_DATA) t.values = (t.values ?? []).concat(f.wire === WIRE.LEN ? decodePackedVarints(source.read(f.offset, f.length)) : [f.value]);
  }
  if (raw && t.dataType === I64) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    t.values = Array.from({ length: raw.length / 8 }, (_, i) => Number(dv.getBigInt64(i * 8, true)));
  }
  return t;
}

/**
 * The graph at [offset, offset + length) of `source` (a ByteSource over bytes or a file): its
 * fields, nodes parsed, initializers' names and dims (weight payloads are never read), and
 * indexes of producers and consumers.
 */
function parseGraph(source, offset, length) {
  const fields = [];
  const nodes = [];
  const initializers = new Map();
  const outputs = new Set();
  for (const f of walkFields(source, offset, offset + length)) {
    fields.push(f);
    if (f.field === GRAPH.NODE) nodes.push(graphNode(source.read(f.offset, f.length)));
    else if (f.field === GRAPH.INITIALIZER) {
      const t = parseInitializer(source, f.offset, f.length);
      initializers.set(t.name, t);
    } else if (f.field === GRAPH.OUTPUT) {
      const name = decodeFields(source.read(f.offset, f.length)).find((g) => g.field === 1);
      if (name) outputs.add(decodeString(name.value));
    }
  }
  const producer = new Map();
  const consumers = new Map();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i).push(n);
    }
  }
  return { fields, nodes, initializers, outputs, producer, consumers };
}

const isDefaultDomain = (n) => n.domain === '' || n.domain === 'ai.onnx';
/** Is `name` used by exactly one node and not a graph output? */
const singleUse = (g, name) => (g.consumers.get(name)?.length ?? 0) === 1 && !g.outputs.has(name);

/**
 * Optimum / transformers.js attention: MatMul(q, kT) -> [Mul | Div](scale) -> [Add](mask) ->
 * Softmax(last axis) -> MatMul(., v), each intermediate used once. Returns the match or null.
 */
function matchMatMulAttention(g, softmax) {
  if (softmax.opType !== 'Softmax' || !isDefaultDomain(softmax)) return null;
  const axis = softmax.attrs.get('axis')?.i;
  if (axis !== -1 && axis !== 3) return null; // opset < 13 defaults to axis 1: not attention
  const uses = g.consumers.get(softmax.outputs[0]) ?? [];
  if (uses.length !== 1 || g.outputs.has(softmax.outputs[0])) return null;
  const out = uses[0];
  if (out.opType !== 'MatMul' || out.inputs[0] !== softmax.outputs[0]) return null;
  const removed = [softmax, out];
  let cur = g.producer.get(softmax.inputs[0]);
  let mask = null;
  let scale = null;
  if (cur?.opType === 'Add' && singleUse(g, cur.outputs[0])) {
    const [a, b] = cur.inputs;
    const pa = g.producer.get(a), pb = g.producer.get(b);
    // The scores side is the one a Mul/Div/MatMul produces; the other is the mask.
    const scoresFirst = pa && ['Mul', 'Div', 'MatMul'].includes(pa.opType) && singleUse(g, a);
    const scoresSecond = pb && ['Mul', 'Div', 'MatMul'].includes(pb.opType) && singleUse(g, b);
    if (!scoresFirst && !scoresSecond) return null;
    mask = scoresFirst ? b : a;
    removed.push(cur);
    cur = scoresFirst ? pa : pb;
  }
  if ((cur?.opType === 'Mul' || cur?.opType === 'Div') && singleUse(g, cur.outputs[0])) {
    const [a, b] = cur.inputs;
    const pa = g.producer.get(a);
    const scoresFirst = pa?.opType === 'MatMul';
    if (cur.opType === 'Div' && !scoresFirst) return null;
    const scaleName = scoresFirst ? b : a;
    const init = g.initializers.get(scaleName);
    const constNode = g.producer.get(scaleName);
    const scalar = init ? init.dims.reduce((x, y) => x * y, 1) === 1 : constNode?.opType === 'Constant';
    if (!scalar) return null;
    scale = { name: scaleName, op: cur.opType };
    removed.push(cur);
    cur = scoresFirst ? pa : g.producer.get(b);
  }
  if (cur?.opType !== 'MatMul' || !singleUse(g, cur.outputs[0])) return null;
  // A query that is a Slice is a block of an already blocked attention.
  if (g.producer.get(cur.inputs[0])?.opType === 'Slice') return null;
  removed.push(cur);
  return { kind: 'matmul', q: cur.inputs[0], kT: cur.inputs[1], v: out.inputs[1], scale, mask, output: out.outputs[0], removed, anchor: out };
}

/**
 * com.microsoft MultiHeadAttention with separate query [B, S, D], key and value, no past state:
 * the same node runs once per block of query rows (key_padding_mask unchanged, attention_bias
 * sliced on its query axis), results concatenated on the sequence axis.
 */
function matchMultiHeadAttention(g, n) {
  if (n.opType !== 'MultiHeadAttention' || n.domain !== 'com.microsoft') return null;
  const [query, key, value, , , , pastKey, pastValue] = n.inputs;
  if (!query || !key || !value || pastKey || pastValue) return null; // packed QKV or past state
  if (n.outputs.length > 1 && n.outputs.slice(1).some(Boolean)) return null; // present_* wanted
  if (n.attrs.get('unidirectional')?.i) return null;
  return { kind: 'mha', node: n, output: n.outputs[0], removed: [n], anchor: n };
}

function heads(g, m) {
  if (m.kind === 'mha') return m.node.attrs.get('num_heads')?.i ?? null;
  // q = Transpose(Reshape(x, [0, 0, nh, hd])): the shape constant names the head count.
  const t = g.producer.get(m.q);
  const r = t?.opType === 'Transpose' ? g.producer.get(t.inputs[0]) : null;
  const shape = r?.opType === 'Reshape' ? g.initializers.get(r.inputs[1])?.values : null;
  return shape?.length === 4 && shape[2] > 0 ? shape[2] : null;
}

/** Blocked-attention sites the project's graphs carry: Concat of per-block attention outputs. */
function blockedSites(g) {
  let block = null, sites = 0, nh = null;
  for (const n of g.nodes) {
    if (n.opType !== 'Concat' || n.inputs.length < 2) continue;
    const mm = g.producer.get(n.inputs[0]);
    const sm = mm?.opType === 'MatMul' ? g.producer.get(mm.inputs[0]) : null;
    if (sm?.opType !== 'Softmax') continue;
    // Walk back from the softmax to the query Slice; its end constant is the block size.
    let cur = g.producer.get(sm.inputs[0]);
    while (cur && cur.opType !== 'MatMul') cur = g.producer.get(cur.inputs[0]);
    const slice = cur && g.producer.get(cur.inputs[0]);
    if (slice?.opType !== 'Slice') continue;
    const end = g.initializers.get(slice.inputs[2])?.values?.[0];
    if (!end) continue;
    sites++;
    block = end;
    nh ??= heads(g, { kind: 'matmul', q: slice.inputs[0] });
  }
  return { sites, block, heads: nh };
}

/**
 * The embedding tables: hidden (columns of the word table, the one a Gather on input_ids reads)
 * and positions (rows of the largest other [N, hidden] table a Gather reads: the position
 * embeddings; token types have 1 or 2 rows). Null where the graph has no such tables.
 */
function embeddingSizes(g) {
  let hidden = null, word = null;
  for (const n of g.nodes) {
    const t = n.opType === 'Gather' && n.inputs[1] === 'input_ids' ? g.initializers.get(n.inputs[0]) : null;
    if (t?.dims.length === 2) { hidden = t.dims[1]; word = t.name; break; }
  }
  let positions = null;
  for (const n of g.nodes) {
    const t = n.opType === 'Gather' && n.inputs[0] !== word ? g.initializers.get(n.inputs[0]) : null;
    if (t?.dims.length === 2 && t.dims[1] === hidden && t.dims[0] > (positions ?? 2)) positions = t.dims[0];
  }
  return { hidden, positions };
}

/** The ModelProto's fields (walked, payloads not read) and its graph field. */
function modelGraph(source) {
  const fields = [...walkFields(source, 0, source.size)];
  const graphField = fields.find((f) => f.field === MODEL.GRAPH);
  if (!graphField) throw new RangeError('the model has no graph');
  return { fields, graphField };
}

const sourceOf = (model) => (model instanceof ByteSource ? model : ByteSource.fromBytes(model));

/**
 * What a model's attention looks like: { sites, layouts, blockedSites, block, heads, hidden,
 * positions }. sites: unblocked attentions the rewrite can block ('matmul' and/or 'mha'
 * layouts); blockedSites: those already blocked, `block` rows each; heads, hidden and positions
 * are null where the graph does not say. model: the bytes, or a ByteSource (a file: only the
 * graph's structure is read, never its weights).
 */
export function describeAttention(model) {
  const source = sourceOf(model);
  const { graphField } = modelGraph(source);
  const g = parseGraph(source, graphField.offset, graphField.length);
  const matches = findSites(g);
  const blocked = blockedSites(g);
  const nh = matches.map((m) => heads(g, m)).find((h) => h) ?? blocked.heads;
  return {
    sites: matches.length,
    // Every operator the graph uses ('MatMulInteger', 'com.microsoft.MatMulNBits'): the WebGPU
    // route (js/embedder/webgpu-route.js) reads it.
    ops: [...new Set(g.nodes.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType)))].sort(),
    layouts: [...new Set(matches.map((m) => m.kind))],
    blockedSites: blocked.sites,
    block: blocked.block,
    heads: nh ?? null,
    ...embeddingSizes(g),
  };
}

function findSites(g) {
  const out = [];
  for (const n of g.nodes) {
    const m = matchMatMulAttention(g, n) ?? matchMultiHeadAttention(g, n);
    if (m) out.push(m);
  }
  return out;
}

/**
 * Rewrites every attention in `bytes` (an ONNX ModelProto with inline or external weights) to the
 * blocked form: returns { bytes, sites } with the new model, or { bytes (unchanged), sites: 0 }
 * when it has no attention the rewrite knows. maxLength: the longest sequence the model takes
 * (default: its position table's rows); block: query rows per block.
 */
export function blockAttentionInModel(bytes, { maxLength, block = DEFAULT_ATTENTION_BLOCK } = {}) {
  const source = ByteSource.fromBytes(bytes);
  const { fields, graphField } = modelGraph(source);
  const g = parseGraph(source, graphField.offset, graphField.length);
  const matches = findSites(g);
  if (!matches.length) return { bytes, sites: 0 };
  maxLength ??= embeddingSizes(g).positions;
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`maxLength must be a positive integer (the graph has no position table to take it from), got ${maxLength}`);

  const taken = new Set(g.nodes.map((n) => n.outputs).flat().concat([...g.initializers.keys()]));
  let counter = 0;
  const fresh = (hint) => {
    let name;
    do name = `/wasmbed_blocked/${hint}_${counter++}`; while (taken.has(name));
    taken.add(name);
    return name;
  };
  const constants = [];
  const declared = new Map();
  const constant = (name, type, dims, values) => {
    if (!declared.has(name)) {
      const unique = taken.has(name) ? fresh(name) : name;
      taken.add(unique);
      declared.set(name, unique);
      constants.push(tensor(unique, type, dims, values));
    }
    return declared.get(name);
  };
  const removed = new Set(matches.flatMap((m) => m.removed));
  const replacement = new Map(); // anchor node -> new NodeProto messages
  for (const m of matches) {
    const emitted = [];
    const op = (type, inputs, attrs = {}, out = fresh(type), domain = '') => {
      emitted.push(node(type, inputs, [out], attrs, out.slice(1), domain));
      return out;
    };
    if (m.kind === 'matmul') {
      const result = blockedAttentionNodes({ q: m.q, kT: m.kT, v: m.v, scale: m.scale, mask: m.mask, block, maxLength, op, constant, prefix: 'wasmbed_' });
      emitted.push(node('Identity', [result], [m.output], {}, fresh('Identity').slice(1)));
    } else {
      emitted.push(...blockedMultiHeadAttention(m.node, { block, maxLength, op, constant, fresh }));
    }
    replacement.set(m.anchor, emitted);
  }

  // The graph again, field by field: nodes in their order with the matched ones replaced (at the
  // position of their last node, where all inputs exist), the new constants appended.
  const graphMsg = new Message();
  let nodeIndex = 0;
  for (const f of g.fields) {
    if (f.field === GRAPH.NODE) {
      const n = g.nodes[nodeIndex++];
      if (replacement.has(n)) for (const r of replacement.get(n)) graphMsg.message(GRAPH.NODE, r);
      else if (!removed.has(n)) graphMsg.raw(GRAPH.NODE, WIRE.LEN, n.bytes);
      continue;
    }
    graphMsg.raw(f.field, f.wire, fieldBytes(bytes, f));
  }
  for (const c of constants) graphMsg.message(GRAPH.INITIALIZER, c);
  const modelMsg = new Message();
  for (const f of fields) {
    if (f.field === MODEL.GRAPH) modelMsg.message(MODEL.GRAPH, graphMsg);
    else modelMsg.raw(f.field, f.wire, fieldBytes(bytes, f));
  }
  return { bytes: modelMsg.toBytes(), sites: matches.length };
}

// A walked field's value bytes (a LEN payload: a view of `bytes`, not a copy).
const fieldBytes = (bytes, f) => (f.wire === WIRE.LEN ? bytes.subarray(f.offset, f.offset + f.length) : f.raw);

/** One MultiHeadAttention per block of query rows, concatenated on the sequence axis. */
function blockedMultiHeadAttention(n, { block, maxLength, op, constant, fresh }) {
  const count = Math.ceil(maxLength / block);
  const [query, ...rest] = n.inputs;
  const attentionBias = rest[4]; // inputs: query key value bias key_padding_mask attention_bias
  const attrs = {};
  for (const [name, a] of n.attrs) {
    if (a.i !== undefined) attrs[name] = a.i;
    else if (a.f !== undefined) attrs[name] = { float: a.f };
  }
  const emitted = [];
  const parts = [];
  let rowsFactor = null;
  if (attentionBias) {
    const one = constant('wasmbed_one_i64_1d', I64, [1], [1]);
    const rows = op('Slice', [op('Shape', [attentionBias]), constant('wasmbed_minus_two_1d', I64, [1], [-2]), constant('wasmbed_minus_one_1d', I64, [1], [-1])]);
    rowsFactor = op('Min', [op('Sub', [rows, one]), one]);
  }
  // As in blockedAttentionNodes: blocks past the end repeat the last row instead of being empty
  // (WebGPU cannot dispatch empty kernels), and the result is cut back to the sequence's rows.
  let seqLen = null, lastRow = null;
  if (count > 1) {
    seqLen = op('Slice', [op('Shape', [query]), constant('wasmbed_one_i64_1d', I64, [1], [1]), constant('wasmbed_two_1d', I64, [1], [2])]);
    lastRow = op('Sub', [seqLen, constant('wasmbed_one_i64_1d', I64, [1], [1])]);
  }
  for (let i = 0; i < count; i++) {
    const b = blockBounds(constant, 'wasmbed_', i, block, 1);
    const qStart = i === 0 ? b.starts : op('Min', [b.starts, lastRow]);
    const inputs = [op('Slice', [query, qStart, b.ends, b.axes]), ...rest.slice(0, 4)];
    if (attentionBias) {
      const mb = blockBounds(constant, 'wasmbed_', i, block, -2);
      const start = op('Mul', [qStart, rowsFactor]);
      const end = op('Max', [op('Mul', [mb.ends, rowsFactor]), constant('wasmbed_one_i64_1d', I64, [1], [1])]);
      inputs.push(op('Slice', [attentionBias, start, end, mb.axes]));
    }
    while (inputs.length && !inputs[inputs.length - 1]) inputs.pop();
    parts.push(op('MultiHeadAttention', inputs, attrs, fresh('MultiHeadAttention'), 'com.microsoft'));
  }
  if (count === 1) {
    emitted.push(node('Identity', parts, [n.outputs[0]], {}, fresh('Identity').slice(1)));
    return emitted;
  }
  const all = op('Concat', parts, { axis: 1 });
  const axis = blockBounds(constant, 'wasmbed_', 0, block, 1).axes;
  emitted.push(node('Slice', [all, constant('wasmbed_zero_i64_1d', I64, [1], [0]), seqLen, axis], [n.outputs[0]], {}, fresh('Slice').slice(1)));
  return emitted;
}
