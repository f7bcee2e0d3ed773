// Weight quantization of transformer encoders, as an ONNX graph rewrite.
//
// Formats:
//   q8, q4       MatMul(A, W const [K, N]) -> com.microsoft MatMulNBits (bits 8 / 4, blockwise
//                asymmetric scales + zero points along K). This is ONNX Runtime's quantized
//                operator with WASM *and* WebGPU kernels, so the model stays on the GPU.
//                The word-embedding Gather -> com.microsoft GatherBlockQuantized (uint8 storage,
//                same bits and block size) unless `embeddings: false`.
//   int8-dynamic The default (DEFAULT_FORMAT). The Hub / Optimum "model_quantized.onnx" layout
//                (ONNX Runtime quantize_dynamic, int8 weights per column or per tensor):
//                DynamicQuantizeLinear + MatMulInteger + Cast + Mul, and Gather on a uint8 table +
//                DequantizeLinear; bias-corrected like q8 / q4. Int8 compute on WASM and CPU, but
//                WebGPU has no MatMulInteger kernel (peers.md item 3) and onnxruntime-web 1.30's
//                JSEP WebGPU DequantizeLinear returns garbage for uint8 codes below the zero point,
//                so this layout gives silently wrong vectors there (tests/browser/webgpu-guard.test.js).
// LayerNormalization, Softmax, attention MatMuls (no constant operand) and the outputs stay float32.
// The rewrite works on a "graph source" (nodes + tensor handles that read their payload on demand):
// an ONNX file here (quantizeModel), or a safetensors checkpoint in js/convert (quantizeGraph), so
// converting and quantizing is one streamed pass.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DataType, node as makeNode } from '../onnx/index.js';
import { closeModel, fileGraphSource, readOnnxModel, writeOnnx } from '../onnx/node.js';
import { InvalidArgumentError, ParseError, UnsupportedError, WasmbedError } from '../errors.js';
import { quantizeMatMulWeight, quantizeRows, quantizeInt8PerColumn, rangeUint8, quantizeUint8, ROUNDINGS } from './blockwise.js';
import { activationMeans } from './calibrate.js';
import { GPTQ_DEFAULTS, gptqMatMulWeight } from './gptq.js';

export const FORMATS = ['q8', 'q4', 'int8-dynamic'];
/**
 * What quantizeModel and `wasmbed quantize` write unless told: int8 compute. Measured on
 * onnxruntime-node and onnxruntime-web WASM (bench/int8-compute.bench.js, README Quantization):
 * MatMulInteger runs about 2x float32, while MatMulNBits computes no faster than float32 there
 * (WASM's MLAS has no n-bit GEMM kernels, so accuracy_level 4 changes nothing; in Node it gains
 * about 1.2x). WebGPU has no MatMulInteger kernels: the Embedder routes such files to WASM.
 */
export const DEFAULT_FORMAT = 'int8-dynamic';
const BITS = { q8: 8, q4: 4 };
const MS_DOMAIN = 'com.microsoft';
const ROW_CHUNK_BYTES = 8 << 20; // embedding tables are quantized 8 MB of float rows at a time

const isDefaultDomain = (d) => d === '' || d === 'ai.onnx';
const asBytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function checkOptions({ format, block }) {
  if (!FORMATS.includes(format)) throw new InvalidArgumentError(`unknown quantization format '${format}' (use ${FORMATS.join(', ')})`);
  if (format !== 'int8-dynamic' && (!Number.isInteger(block) || block < 16 || (block & (block - 1)) !== 0)) {
    throw new InvalidArgumentError(`block size must be a power of two >= 16 (got ${block})`);
  }
}

/**
 * 'auto': MSE-searched scales at 4 bits, where they cut the error of deep models noticeably (see
 * README, Quantization), min-max at 8 bits, where the search changes nothing measurable but time.
 */
const roundingFor = (rounding, bits) => (rounding !== 'auto' ? rounding : bits === 4 ? 'mse' : 'minmax');

/**
 * GPTQ settings for a quantization, from options.gptq: 'auto' (default) = on for q4 (at 8 bits
 * plain rounding is already within 1e-5 of float32, see README), true = on for the format's bit
 * width, false = off, or { window, damp } (on, with these settings). Returns null (off) or
 * { window, damp, bits: null | 4 } (bits: only weights of that width).
 */
export function gptqFor(format, setting = 'auto') {
  if (setting === false || !['q8', 'q4'].includes(format)) return null;
  if (setting === 'auto') return format === 'q4' ? { ...GPTQ_DEFAULTS, bits: 4 } : null;
  if (setting === true) return { ...GPTQ_DEFAULTS, bits: null };
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) throw new InvalidArgumentError(`gptq must be 'auto', true, false or { window, damp } (got ${JSON.stringify(setting)})`);
  const { window = GPTQ_DEFAULTS.window, damp = GPTQ_DEFAULTS.damp } = setting;
  if (!Number.isInteger(window) || window < 16) throw new InvalidArgumentError(`gptq.window must be an integer >= 16 (got ${window})`);
  if (!(damp > 0)) throw new InvalidArgumentError(`gptq.damp must be a positive number (got ${damp})`);
  return { window, damp, bits: null };
}

/** GPTQ's Hessian window for a block size: whole blocks (a block's scale needs all its rows). */
const gptqWindow = (gptq, block) => Math.ceil(gptq.window / block) * block;

/** An unchanged initializer, streamed from its source. */
function passthrough(t) {
  if (!t.hasPayload) return { name: t.name, dataType: t.dataType, dims: t.dims, header: t.header, byteLength: 0 };
  return { name: t.name, dataType: t.dataType, dims: t.dims, header: t.header, byteLength: t.byteLength, write: t.write };
}

const newTensor = (name, dataType, dims, byteLength, write) => ({ name, dataType, dims, byteLength, write });
const constTensor = (name, dataType, dims, bytes) => newTensor(name, dataType, dims, bytes.length, (sink) => sink.write(bytes));

/**
 * A value computed once, on first use, and dropped after `uses` reads: the three tensors of a
 * quantized weight are written one after another, so only one weight is in memory at a time.
 */
function shared(compute, uses) {
  let value = null, left = uses;
  return async () => {
    if (!value) value = await compute();
    const v = value;
    if (--left === 0) value = null;
    return v;
  };
}

/**
 * MatMul weight -> MatMulNBits node + tensors; with bias correction (`ctx.means` holds E[x] for the
 * MatMul's input and the weight has no other user), also the corrected bias: the original bias
 * minus E[x] · (dequantized W - W), written in place of the bias the graph adds to this MatMul's
 * output, or as a new Add after it when there is none.
 */
function rewriteMatMulNBits(n, w, bits, block, ctx) {
  const [K, N] = w.dims;
  const base = w.name;
  const mean = ctx.means?.get(n.input[0]) ?? null;
  const correct = Boolean(mean) && correctable(w, ctx.uses);
  if (mean && mean.length !== K) throw new InvalidArgumentError(`activation mean for '${n.input[0]}' has ${mean.length} values, the weight '${base}' needs ${K}`);
  const out = n.output[0];
  const bias = correct ? ctx.biases.get(out) : null;
  if (!ctx.done.has(base)) {
    const kBlocks = Math.ceil(K / block), blob = (block * bits) / 8, zpRow = Math.ceil((kBlocks * bits) / 8);
    // GPTQ rounding where the calibration measured this input's Hessian (q4 by default: gptqFor).
    const hessian = correctable(w, ctx.uses) && ctx.gptq && (ctx.gptq.bits ?? bits) === bits ? ctx.hessians?.get(n.input[0]) : null;
    const quantize = async () => {
      const values = await w.readFloats();
      if (hessian) { ctx.gptqApplied++; return gptqMatMulWeight(values, K, N, bits, block, roundingFor(ctx.rounding, bits), correct ? mean : null, hessian, { damp: ctx.gptq.damp }); }
      return quantizeMatMulWeight(values, K, N, bits, block, roundingFor(ctx.rounding, bits), correct ? mean : null);
    };
    const get = shared(quantize, correct ? 4 : 3);
    ctx.tensors.push(
      newTensor(`${base}_Q${bits}`, DataType.UINT8, [N, kBlocks, blob], N * kBlocks * blob, async (s) => s.write((await get()).data)),
      newTensor(`${base}_scales`, DataType.FLOAT, [N * kBlocks], N * kBlocks * 4, async (s) => s.write(asBytes((await get()).scales))),
      newTensor(`${base}_zp`, DataType.UINT8, [N * zpRow], N * zpRow, async (s) => s.write((await get()).zeroPoints)),
    );
    // The bias is written from the same quantization result (4th use), whatever the order.
    if (correct) pushCorrectedBias(n, w, N, get, ctx);
    ctx.done.add(base);
  }
  const attrs = { K, N, bits, block_size: block };
  // accuracy_level 4: ORT's CPU/WASM kernel quantizes A to int8 per block and uses integer dot
  // products (faster, slightly less exact); WebGPU ignores it. 0 / unset: float compute.
  if (ctx.accuracyLevel) attrs.accuracy_level = ctx.accuracyLevel;
  const inputs = [n.input[0], `${base}_Q${bits}`, `${base}_scales`, `${base}_zp`];
  const name = n.name || `${out}_MatMulNBits`;
  if (!correct || bias) return [makeNode('MatMulNBits', inputs, n.output, attrs, name, MS_DOMAIN)];
  return [
    makeNode('MatMulNBits', inputs, [`${out}_uncorrected`], attrs, name, MS_DOMAIN),
    makeNode('Add', [`${out}_uncorrected`, `${base}_bias_correction`], [out], {}, `${out}_bias_correction`),
  ];
}

/**
 * MatMul output name -> the bias initializer an Add node adds to it: a 1-D float tensor of the
 * MatMul's width that nothing else reads (so it can be rewritten for bias correction).
 */
function findBiases(nodes, inits, uses) {
  const producedBy = new Set(nodes.filter((n) => n.opType === 'MatMul' && isDefaultDomain(n.domain)).map((n) => n.output[0]));
  const biases = new Map();
  for (const n of nodes) {
    if (n.opType !== 'Add' || !isDefaultDomain(n.domain) || n.input.length !== 2) continue;
    for (const [a, b] of [n.input, [...n.input].reverse()]) {
      const t = inits.get(b);
      if (!producedBy.has(a) || uses.get(a) !== 1 || !t || t.dataType !== DataType.FLOAT || t.dims.length !== 1 || !t.hasPayload || uses.get(b) !== 1) continue;
      biases.set(a, t);
    }
  }
  return biases;
}

/** A graph's initializers by name and how many node inputs read each value. */
function indexGraph(graph) {
  const inits = new Map(graph.initializers.map((t) => [t.name, t]));
  const uses = new Map();
  for (const n of graph.nodes) for (const i of n.input) uses.set(i, (uses.get(i) ?? 0) + 1);
  return { inits, uses };
}

/** Bias correction needs one input per weight: a weight shared by several MatMuls is left as is. */
const correctable = (w, uses) => uses.get(w.name) === 1;

/** Whether MatMul node `n` has a constant float [K, N] weight the quantizer rewrites. */
function quantizableWeight(n, inits, minWeightElements) {
  if (n.opType !== 'MatMul' || !isDefaultDomain(n.domain)) return null;
  const w = inits.get(n.input[1]);
  const ok = w && !inits.has(n.input[0]) && w.dataType === DataType.FLOAT && w.dims.length === 2 && w.hasPayload && w.dims[0] * w.dims[1] >= minWeightElements;
  return ok ? w : null;
}

/**
 * The activations whose means bias correction needs: the inputs of the MatMuls the quantizer
 * rewrites (each weight read by one MatMul only). graph: as quantizeGraph's source.graph.
 */
export function calibrationTargets(graph, { minWeightElements = 0 } = {}) {
  const { inits, uses } = indexGraph(graph);
  const names = new Set();
  for (const n of graph.nodes) {
    const w = quantizableWeight(n, inits, minWeightElements);
    if (w && correctable(w, uses)) names.add(n.input[0]);
  }
  return [...names];
}

/**
 * Bias correction tensors for a rewritten MatMul (see rewriteMatMulNBits): the bias the graph adds
 * to its output, minus `shift` (read from `get()` when written), or a new bias when it has none.
 * Returns the name of the tensor to add when the graph had no bias, else null.
 */
function pushCorrectedBias(n, w, N, get, ctx) {
  const bias = ctx.biases.get(n.output[0]);
  const corrected = async (s) => {
    const { shift } = await get();
    const b = bias ? Float32Array.from(await bias.readFloats()) : new Float32Array(N);
    for (let i = 0; i < N; i++) b[i] -= shift[i];
    await s.write(asBytes(b));
  };
  const name = bias ? bias.name : `${w.name}_bias_correction`;
  ctx.tensors.push(newTensor(name, DataType.FLOAT, [N], N * 4, corrected));
  if (bias) ctx.correctedBiases.add(bias.name);
  ctx.corrected++;
  return bias ? null : name;
}

/** shift = mean · (dequantized W - W) for symmetric int8 codes [K, N] and scales (N or 1). */
function int8Shift(values, codes, scales, K, N, mean) {
  const shift = new Float32Array(N);
  const perChannel = scales.length === N;
  for (let k = 0; k < K; k++) {
    const m = mean[k];
    if (m === 0) continue;
    for (let j = 0, o = k * N; j < N; j++) shift[j] += m * (codes[o + j] * scales[perChannel ? j : 0] - values[o + j]);
  }
  return shift;
}

/**
 * MatMul weight -> DynamicQuantizeLinear + MatMulInteger + Cast + Mul (per-channel int8), with
 * the bias correction of rewriteMatMulNBits when ctx.means has this input's mean.
 */
function rewriteMatMulInteger(n, w, ctx) {
  const [K, N] = w.dims;
  const base = w.name;
  const mean = ctx.means?.get(n.input[0]) ?? null;
  const correct = Boolean(mean) && correctable(w, ctx.uses);
  if (mean && mean.length !== K) throw new InvalidArgumentError(`activation mean for '${n.input[0]}' has ${mean.length} values, the weight '${base}' needs ${K}`);
  let addBias = null;
  if (!ctx.done.has(base)) {
    const perChannel = ctx.perChannel;
    const get = shared(async () => {
      const values = await w.readFloats();
      const q = quantizeInt8PerColumn(values, K, N, { perChannel });
      return correct ? { ...q, shift: int8Shift(values, q.codes, q.scales, K, N, mean) } : q;
    }, correct ? 3 : 2);
    const S = perChannel ? N : 1;
    const dims = perChannel ? [N] : [];
    ctx.tensors.push(
      newTensor(`${base}_quantized`, DataType.INT8, [K, N], K * N, async (s) => s.write(asBytes((await get()).codes))),
      newTensor(`${base}_scale`, DataType.FLOAT, dims, S * 4, async (s) => s.write(asBytes((await get()).scales))),
      constTensor(`${base}_zero_point`, DataType.INT8, dims, new Uint8Array(S)),
    );
    if (correct) addBias = pushCorrectedBias(n, w, N, get, ctx);
    ctx.done.add(base);
  }
  const a = n.input[0], y = n.output[0];
  const nodes = [];
  // One DynamicQuantizeLinear per activation, shared by the MatMuls reading it (Q, K, V).
  if (!ctx.dql.has(a)) {
    const q = `${a}_quantized`;
    nodes.push(makeNode('DynamicQuantizeLinear', [a], [q, `${q}_scale`, `${q}_zero_point`], {}, `${a}_DynamicQuantizeLinear`));
    ctx.dql.set(a, q);
  }
  const q = ctx.dql.get(a);
  nodes.push(makeNode('MatMulInteger', [q, `${base}_quantized`, `${q}_zero_point`, `${base}_zero_point`], [`${y}_int32`], {}, `${y}_MatMulInteger`));
  nodes.push(makeNode('Cast', [`${y}_int32`], [`${y}_cast`], { to: DataType.FLOAT }, `${y}_Cast`));
  nodes.push(makeNode('Mul', [`${q}_scale`, `${base}_scale`], [`${y}_scale`], {}, `${y}_scale_Mul`));
  if (!addBias) {
    nodes.push(makeNode('Mul', [`${y}_cast`, `${y}_scale`], [y], {}, `${y}_Mul`));
    return nodes;
  }
  nodes.push(makeNode('Mul', [`${y}_cast`, `${y}_scale`], [`${y}_uncorrected`], {}, `${y}_Mul`));
  nodes.push(makeNode('Add', [`${y}_uncorrected`, addBias], [y], {}, `${y}_bias_correction`));
  return nodes;
}

/** Row chunks of a [R, C] float table, each at most ROW_CHUNK_BYTES. */
async function* rowChunks(t) {
  const [R, C] = t.dims;
  const rows = Math.max(1, Math.floor(ROW_CHUNK_BYTES / (C * 4)));
  for (let r0 = 0; r0 < R; r0 += rows) {
    const r1 = Math.min(R, r0 + rows);
    yield { r0, r1, values: await t.readFloats(r0, r1) };
  }
}

/** Embedding Gather -> GatherBlockQuantized (uint8 storage, blocks along the hidden axis). */
function rewriteGatherBlockQuantized(n, t, bits, block, ctx) {
  const [R, C] = t.dims;
  const base = t.name;
  const cBlocks = Math.ceil(C / block), rowBytes = Math.ceil((C * bits) / 8), zpRow = Math.ceil((cBlocks * bits) / 8);
  // Scales and zero points are collected while the codes stream out (data is written first).
  const scales = new Float32Array(R * cBlocks);
  const zeroPoints = new Uint8Array(R * zpRow);
  ctx.tensors.push(
    newTensor(`${base}_Q${bits}`, DataType.UINT8, [R, rowBytes], R * rowBytes, async (sink) => {
      for await (const { r0, r1, values } of rowChunks(t)) {
        const q = quantizeRows(values, r1 - r0, C, bits, block, roundingFor(ctx.rounding, bits));
        scales.set(q.scales, r0 * cBlocks);
        zeroPoints.set(q.zeroPoints, r0 * zpRow);
        await sink.write(q.data);
      }
    }),
    newTensor(`${base}_scales`, DataType.FLOAT, [R, cBlocks], R * cBlocks * 4, (s) => s.write(asBytes(scales))),
    newTensor(`${base}_zp`, DataType.UINT8, [R, zpRow], R * zpRow, (s) => s.write(zeroPoints)),
  );
  const attrs = { gather_axis: 0, quantize_axis: 1, block_size: block, bits };
  return makeNode('GatherBlockQuantized', [`${base}_Q${bits}`, n.input[1], `${base}_scales`, `${base}_zp`], n.output, attrs, n.name || `${n.output[0]}_GatherBlockQuantized`, MS_DOMAIN);
}

/** Embedding Gather -> Gather on a per-tensor uint8 table + DequantizeLinear (dynamic-int8 layout). */
async function rewriteGatherUint8(n, t, ctx) {
  const [R, C] = t.dims;
  let min = 0, max = 0;
  for await (const { values } of rowChunks(t)) for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  const range = rangeUint8(min, max);
  const base = t.name, y = n.output[0];
  ctx.tensors.push(
    newTensor(`${base}_quantized`, DataType.UINT8, [R, C], R * C, async (sink) => {
      for await (const { values } of rowChunks(t)) await sink.write(quantizeUint8(values, range));
    }),
    constTensor(`${base}_scale`, DataType.FLOAT, [], asBytes(Float32Array.of(range.scale))),
    constTensor(`${base}_zero_point`, DataType.UINT8, [], Uint8Array.of(range.zp)),
  );
  return [
    makeNode('Gather', [`${base}_quantized`, n.input[1]], [`${y}_quantized`], { axis: 0 }, `${y}_Gather_quantized`),
    makeNode('DequantizeLinear', [`${y}_quantized`, `${base}_scale`, `${base}_zero_point`], [y], {}, `${y}_DequantizeLinear`),
  ];
}

const attrInt = (n, name, dflt) => n.attributes.find((a) => a.name === name)?.i ?? dflt;

/** The embedding table to quantize: the largest 2-D float Gather table indexed along axis 0. */
function pickEmbedding(nodes, inits) {
  let best = null;
  for (const n of nodes) {
    if (n.opType !== 'Gather' || !isDefaultDomain(n.domain) || attrInt(n, 'axis', 0) !== 0) continue;
    const t = inits.get(n.input[0]);
    if (!t || t.dataType !== DataType.FLOAT || t.dims.length !== 2 || !t.hasPayload) continue;
    if (!best || t.dims[0] * t.dims[1] > best.dims[0] * best.dims[1]) best = t;
  }
  return best;
}

const CALIBRATED_FORMATS = ['q8', 'q4', 'int8-dynamic'];

/** What a result says about calibration: { texts, tokens, device, seconds } or { skipped }. */
export const describeCalibration = (c) => (!c ? null : c.skipped ? { skipped: c.skipped } : { texts: c.texts, tokens: c.tokens, device: c.device, seconds: c.seconds });

/**
 * Activation means for bias correction, per options.calibration:
 *   'auto' (default)  the built-in texts through the model folder's tokenizer; skipped (with the
 *                     reason) when that fails: no tokenizer, inputs other than input_ids /
 *                     attention_mask / token_type_ids, no probe can be written next to the model.
 *   true | { texts, tokenizer, maxLength, device, threads }  required: failures are errors.
 *   false             none (plain round-to-nearest, as data-free as before).
 * Returns activationMeans()'s result, { skipped }, or null (off, or a format without it).
 */
export async function calibrate(onnxFile, graph, format, options = {}) {
  const setting = options.calibration ?? 'auto';
  if (setting === false || !CALIBRATED_FORMATS.includes(format)) return null;
  if (setting !== 'auto' && setting !== true && (typeof setting !== 'object' || setting === null || Array.isArray(setting))) {
    throw new InvalidArgumentError(`calibration must be 'auto', true, false or { texts, tokenizer, maxLength, device } (got ${JSON.stringify(setting)})`);
  }
  const names = calibrationTargets(graph, options);
  const settings = typeof setting === 'object' ? setting : {};
  const onProgress = options.onProgress ?? (() => {});
  const gptq = gptqFor(options.gptqFormat ?? format, options.gptq);
  try {
    return await activationMeans(onnxFile, names, { ...settings, onProgress, hessianWindow: gptq ? gptqWindow(gptq, options.block ?? 32) : null });
  } catch (err) {
    // 'auto' must not turn a quantization that works into a failure: any error of ours (no or a
    // broken tokenizer, inputs it cannot feed, a graph ONNX Runtime will not load) skips it, with why.
    if (setting !== 'auto' || !(err instanceof WasmbedError)) throw err;
    return { skipped: err.message };
  }
}

/**
 * Quantizes the ONNX model at `inPath` into `outPath`.
 * options: format 'q8' | 'q4' | 'int8-dynamic' (default DEFAULT_FORMAT: int8-dynamic), block (32; MatMulNBits /
 * GatherBlockQuantized block size), rounding ('auto' | 'mse' | 'minmax': per-block scale choice,
 * see blockwise.js; auto = mse at 4 bits, minmax at 8), embeddings (quantize the word-embedding
 * table; default true), embeddingBits (4 | 8; default the format's), matmulBits (name, dims) -> 4 | 8
 * (per-weight bit width, for mixed-precision experiments; default the format's),
 * minWeightElements (MatMuls with fewer weight values stay float; default 0 = all),
 * perChannel (int8-dynamic: one weight scale per output column, default true; false = per tensor),
 * accuracyLevel (MatMulNBits accuracy_level: 0 = unset/float compute, 4 = int8 compute on CPU/WASM),
 * calibration ('auto' | true | false | { texts, tokenizer, maxLength, device }: bias correction of
 * q8 / q4 MatMuls from activation means, see calibrate() and calibrate.js; default 'auto'),
 * externalData ('auto' | true | false), onProgress({ stage, ... }).
 * Returns { format, bits, block, inBytes, outBytes, matmuls, biasCorrected, calibration, embedding,
 * external, ops }.
 */
export async function quantizeModel(inPath, outPath, options = {}) {
  const format = options.format ?? DEFAULT_FORMAT; // (format null, a plain copy, is for js/convert only)
  checkOptions({ format, block: options.block ?? 32 });
  if (path.resolve(inPath) === path.resolve(outPath)) throw new InvalidArgumentError('quantize: the output path must differ from the input path');
  const model = await readOnnxModel(inPath);
  try {
    const source = fileGraphSource(model);
    const calibration = await calibrate(inPath, source.graph, format, options);
    const result = await quantizeGraph(source, outPath, { ...options, format, activationMeans: calibration?.means ?? null, activationHessians: calibration?.hessians ?? null });
    return { ...result, calibration: describeCalibration(calibration) };
  } catch (err) {
    if (err instanceof RangeError) throw new ParseError(`${inPath}: ${err.message}`, { cause: err });
    throw err;
  } finally {
    await closeModel(model);
  }
}

/**
 * Quantizes a graph source into `outPath`: { label, modelFields, opsets, graph: { nodes (parsed,
 * see onnx-reader parseNode), fields, initializers (tensor handles, see fileGraphSource) }, inBytes() }.
 * `quantizeModel` passes an opened ONNX file; js/convert passes the encoder graph with tensors
 * read straight from safetensors, so conversion and quantization happen in one streamed pass.
 * Options and result as quantizeModel, except that calibration is not run here: pass its means as
 * `activationMeans` (a Map, see calibrate()). format null writes the graph unchanged (float32).
 */
export async function quantizeGraph(source, outPath, options = {}) {
  const { format = DEFAULT_FORMAT, block = 32, embeddings = true, minWeightElements = 0, externalData = 'auto', perChannel = true, accuracyLevel = 0, rounding = 'auto', onProgress = () => {} } = options;
  if (rounding !== 'auto' && !ROUNDINGS.includes(rounding)) throw new InvalidArgumentError(`rounding must be auto, ${ROUNDINGS.join(' or ')} (got ${rounding})`);
  if (format !== null) checkOptions({ format, block });
  if (![0, 1, 2, 3, 4].includes(accuracyLevel)) throw new InvalidArgumentError(`accuracyLevel must be 0..4 (got ${accuracyLevel})`);
  const { graph, label } = source;
  if (graph.nodes.some((n) => n.hasSubgraph)) throw new UnsupportedError(`${label}: graphs with subgraphs (If/Loop/Scan) are not supported by the quantizer`);
  const { inits, uses } = indexGraph(graph);
  const bits = BITS[format] ?? 8;
  const embeddingBits = options.embeddingBits ?? bits;
  if (![4, 8].includes(embeddingBits)) throw new InvalidArgumentError(`embeddingBits must be 4 or 8 (got ${embeddingBits})`);
  const matmulBits = (name, dims) => {
    const b = options.matmulBits ? options.matmulBits(name, dims) : bits;
    if (b !== 4 && b !== 8) throw new InvalidArgumentError(`matmulBits('${name}') must return 4 or 8 (got ${b})`);
    return b;
  };
  const means = format === null ? null : (options.activationMeans ?? null);
  if (means != null && !(means instanceof Map)) throw new InvalidArgumentError('activationMeans must be a Map (activation name -> Float32Array), as calibrate.js activationMeans() returns');
  const hessians = means ? (options.activationHessians ?? null) : null;
  if (hessians != null && !(hessians instanceof Map)) throw new InvalidArgumentError('activationHessians must be a Map (activation name -> { window, blocks }), as calibrate.js activationMeans() returns');
  const gptq = hessians ? gptqFor(format, options.gptq) : null;
  if (gptq && [...hessians.values()].some((h) => h.window !== gptqWindow(gptq, block))) throw new InvalidArgumentError(`the calibration's Hessian window must be gptq.window rounded up to whole blocks (${gptqWindow(gptq, block)} for block ${block})`);
  const ctx = { tensors: [], done: new Set(), dql: new Map(), perChannel, accuracyLevel, rounding, means, uses, biases: means ? findBiases(graph.nodes, inits, uses) : new Map(), correctedBiases: new Set(), corrected: 0, hessians, gptq, gptqApplied: 0 };
  const replaced = new Map(); // initializer name -> uses rewritten
  const outNodes = [];
  let matmuls = 0;
  const embedding = embeddings && format !== null ? pickEmbedding(graph.nodes, inits) : null;
  if (embedding && embeddingBits === 4 && embedding.dims[1] % 2) throw new UnsupportedError(`${label}: 4-bit embedding table '${embedding.name}' needs an even width (got ${embedding.dims[1]})`);
  for (const n of graph.nodes) {
    const w = format !== null ? quantizableWeight(n, inits, minWeightElements) : null;
    if (w) {
      await w.check();
      if (format === 'int8-dynamic') outNodes.push(...rewriteMatMulInteger(n, w, ctx));
      else outNodes.push(...rewriteMatMulNBits(n, w, matmulBits(w.name, w.dims), block, ctx));
      replaced.set(w.name, (replaced.get(w.name) ?? 0) + 1);
      matmuls++;
      continue;
    }
    if (embedding && n.opType === 'Gather' && isDefaultDomain(n.domain) && n.input[0] === embedding.name && !ctx.done.has(`gather:${embedding.name}`)) {
      await embedding.check();
      if (format === 'int8-dynamic') outNodes.push(...(await rewriteGatherUint8(n, embedding, ctx)));
      else outNodes.push(rewriteGatherBlockQuantized(n, embedding, embeddingBits, block, ctx));
      ctx.done.add(`gather:${embedding.name}`);
      replaced.set(embedding.name, (replaced.get(embedding.name) ?? 0) + 1);
      continue;
    }
    outNodes.push(n.bytes);
  }
  // Keep a float initializer while some node still reads it (a weight shared with an op we left alone).
  const stillUsed = (name) => replaced.get(name) < (uses.get(name) ?? 0);
  const kept = graph.initializers.filter((t) => (!replaced.has(t.name) || stillUsed(t.name)) && !ctx.correctedBiases.has(t.name)).map(passthrough);
  const opsets = [...source.opsets];
  if (ctx.tensors.length && format !== 'int8-dynamic' && !opsets.some((o) => o.domain === MS_DOMAIN)) opsets.push({ domain: MS_DOMAIN, version: 1 });
  const tensors = [...kept, ...ctx.tensors];
  const total = tensors.length;
  let written = 0;
  for (const t of tensors) {
    if (!t.write) continue;
    const inner = t.write;
    t.write = async (sink) => { await inner(sink); onProgress({ stage: 'write', tensor: t.name, done: ++written, total }); };
  }
  const inBytes = await source.inBytes();
  onProgress({ stage: 'start', matmuls, embedding: embedding?.name ?? null, total });
  const out = await writeOnnx(outPath, { modelFields: source.modelFields, opsets, graphFields: graph.fields, nodes: outNodes, tensors }, { externalData });
  const outBytes = (await stat(outPath)).size + (out.dataFile ? (await stat(out.dataFile)).size : 0);
  onProgress({ stage: 'done', outBytes });
  const ops = format === null ? [] : format === 'int8-dynamic' ? ['DynamicQuantizeLinear', 'MatMulInteger', ...(embedding ? ['DequantizeLinear'] : [])] : ['com.microsoft.MatMulNBits', ...(embedding ? ['com.microsoft.GatherBlockQuantized'] : [])];
  const isInt8 = format === 'int8-dynamic';
  return { format, bits: format === null ? 32 : isInt8 ? 8 : bits, block: format === null || isInt8 ? null : block, inBytes, outBytes, matmuls, biasCorrected: ctx.corrected, gptq: ctx.gptqApplied, embedding: embedding?.name ?? null, external: out.external, ops };
}
