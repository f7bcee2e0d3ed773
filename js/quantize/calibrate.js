// Activation means for quantization bias correction.
//
// Rounding a weight matrix W adds an error dW, and a layer's output error x·dW has a systematic
// part E[x]·dW that is the same for every token. In transformer encoders E[x] is far from zero
// (GELU outputs are mostly positive; hidden states share common directions), so at 4 bits this
// shift is most of the error and it adds up over layers and tokens. Bias correction (Nagel et al.
// 2019, "Data-Free Quantization Through Weight Equalization and Bias Correction"; OpenVINO NNCF
// applies it by default) folds -E[x]·dW into the layer's bias, which stays float32. E[x] is measured
// here: the float32 model runs on calibration texts with the MatMul inputs as extra graph outputs,
// and their per-token means are returned. The quantizer (quantize.js) does the folding.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DataType, GRAPH, node as makeNode, valueInfo } from '../onnx/index.js';
import { closeModel, readOnnxModel, tensorSource, writeOnnx } from '../onnx/node.js';
import { InvalidArgumentError, UnsupportedError } from '../errors.js';
import { createSession, pickDevice } from '../embedder/backend.js';
import { buildTokenizer, TOKENIZER_FILES } from '../embedder/tokenizer-files.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { probeFeeds } from '../embedder/webgpu-guard.js';
import { CALIBRATION_TEXTS } from './calibration-texts.js';
import { modelDirOf } from './evaluate.js';

export { CALIBRATION_TEXTS };
const INLINE_BELOW = 4096;
const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

/** graph.output entry for `name`: a float tensor of any shape. */
const floatOutput = (name) => ({ field: GRAPH.OUTPUT, message: valueInfo(name, DataType.FLOAT, null) });

/** The probe output holding X^T X for activation `name` (X: its tokens as rows). */
export const gramOutput = (name) => `${name}::gram`;

/**
 * Nodes that compute X^T X for activation `name` inside the probe: ONNX Runtime's GEMM does the
 * O(tokens x K^2) work, so JS only adds up the per-text results.
 */
const gramNodes = (name) => [
  makeNode('Flatten', [name], [`${name}::rows`], { axis: -1 }, `${name}::Flatten`),
  makeNode('Transpose', [`${name}::rows`], [`${name}::cols`], { perm: [1, 0] }, `${name}::Transpose`),
  makeNode('MatMul', [`${name}::cols`, `${name}::rows`], [gramOutput(name)], {}, `${name}::Gram`),
];

/**
 * Writes, next to `model.file`, a copy of its graph with `names` as extra outputs, plus the Gram
 * matrices of `gramNames`. The copy holds no weights: every initializer points at its bytes where
 * they already are (inside the original .onnx, or its external data file), so probing a 2 GB
 * model writes a few KB.
 */
async function writeProbe(model, names, gramNames = []) {
  const dir = path.dirname(model.file);
  const file = path.join(dir, `.${path.basename(model.file)}.calibration-${process.pid}-${randomBytes(4).toString('hex')}.onnx`);
  const locations = new Set();
  const tensors = model.graph.initializers.map((t) => {
    const base = { name: t.name, dataType: t.dataType, dims: t.dims, header: t.header };
    if (!t.data) return { ...base, byteLength: 0 };
    // Small constants (shapes, axes) stay inline: ONNX shape inference cannot read external data.
    if (t.data.length < INLINE_BELOW) {
      return { ...base, byteLength: t.data.length, write: async (sink) => sink.write(await (await tensorSource(model, t)).read(t.data.offset, t.data.length)) };
    }
    const location = t.data.kind === 'inline' ? path.basename(model.file) : t.data.location;
    locations.add(location);
    return { ...base, byteLength: t.data.length, external: { location, offset: t.data.offset } };
  });
  try {
    await writeOnnx(file, {
      modelFields: model.modelFields,
      opsets: model.opsets,
      graphFields: [...model.graph.fields, ...names.map(floatOutput), ...gramNames.map((n) => floatOutput(gramOutput(n)))],
      nodes: [...model.graph.nodes.map((n) => n.bytes), ...gramNames.flatMap(gramNodes)],
      tensors,
    }, { externalData: false });
  } catch (err) {
    if (!err.code) throw err;
    // ONNX Runtime resolves external data next to the graph, so the probe must live there.
    throw new UnsupportedError(`calibration writes a small probe graph next to ${model.file} and cannot (${err.code}); make the folder writable or turn calibration off`, { cause: err });
  }
  return { file, locations: [...locations] };
}

/**
 * The tokenizer calibration uses for a model file by default: tokenizer.json or
 * sentencepiece.bpe.model next to it or in the folder above (the file itself need not exist yet).
 * null when there is none.
 */
export function tokenizerFileFor(onnxFile) {
  const dir = modelDirOf(onnxFile);
  return (dir && TOKENIZER_FILES.map((f) => path.join(dir, f)).find((f) => existsSync(f))) ?? null;
}

async function loadTokenizer(tokenizer, onnxFile) {
  if (tokenizer instanceof Tokenizer) return { tok: tokenizer, owned: false };
  const file = tokenizer ?? tokenizerFileFor(onnxFile);
  if (!file) throw new InvalidArgumentError(`${onnxFile}: calibration needs the model's tokenizer (no tokenizer.json or sentencepiece.bpe.model next to it or in the folder above); pass one, or turn calibration off`);
  if (tokenizer != null) return { tok: await Tokenizer.fromFile(file), owned: true };
  // The model folder's own file: loaded as the Embedder loads it.
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InvalidArgumentError(`calibration cannot read the tokenizer ${file}: ${err.message}`, { cause: err });
  }
  return { tok: await buildTokenizer({ kind: file.endsWith('.json') ? 'json' : 'spm', bytes }), owned: true };
}

/**
 * Adds the diagonal window x window blocks of a K x K Gram matrix `g` into `acc` (one Float64Array
 * per window, the last one smaller when window does not divide K).
 */
function addGramBlocks(acc, g, K, window) {
  for (let w0 = 0, wi = 0; w0 < K; w0 += window, wi++) {
    const m = Math.min(window, K - w0), a = acc[wi];
    for (let i = 0; i < m; i++) {
      const src = (w0 + i) * K + w0, dst = i * m;
      for (let j = 0; j < m; j++) a[dst + j] += g[src + j];
    }
  }
}

/**
 * Per-token means of the float tensors `names` of the ONNX model `onnxFile`, over calibration
 * texts. options: texts (strings; default CALIBRATION_TEXTS), tokenizer (Tokenizer or file; default
 * the model folder's), maxLength (128), device ('auto': onnxruntime-node when installed, else
 * onnxruntime-web WASM), threads, onProgress({ stage: 'calibrate', done, total }),
 * hessianWindow (also collect, per name, the diagonal hessianWindow x hessianWindow blocks of
 * X^T X, the Hessian GPTQ rounding reads: gptq.js; default none).
 * Returns { means: Map(name -> Float32Array), hessians: Map(name -> { window, blocks }) | null,
 * texts, tokens, device, seconds }.
 */
export async function activationMeans(onnxFile, names, options = {}) {
  const { texts = CALIBRATION_TEXTS, maxLength = 128, threads, onProgress = () => {}, hessianWindow = null } = options;
  if (hessianWindow != null && (!Number.isInteger(hessianWindow) || hessianWindow < 1)) throw new InvalidArgumentError(`hessianWindow must be a positive integer (got ${hessianWindow})`);
  if (!Array.isArray(texts) || !texts.length || !texts.every((t) => typeof t === 'string' && t.length)) {
    throw new InvalidArgumentError('calibration texts must be a non-empty array of non-empty strings');
  }
  names = [...new Set(names)]; // one output per activation, however many MatMuls read it
  if (!names.length) return { means: new Map(), hessians: hessianWindow ? new Map() : null, texts: 0, tokens: 0, device: null, seconds: 0 };
  const t0 = performance.now();
  const { device } = await pickDevice(options.device ?? 'auto');
  const { tok, owned } = await loadTokenizer(options.tokenizer, onnxFile);
  let model = null, probe = null, session = null;
  try {
    model = await readOnnxModel(onnxFile);
    probe = await writeProbe(model, names, hessianWindow ? names : []);
    const externalData = device === 'cpu' ? undefined : probe.locations.map((loc) => ({ path: loc, data: path.join(path.dirname(onnxFile), loc) }));
    session = await createSession(device, { path: probe.file, name: onnxFile, externalData }, { threads });
    const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n));
    if (unknown.length || !session.inputNames.includes('input_ids')) {
      throw new UnsupportedError(`${onnxFile}: calibration feeds input_ids, attention_mask and token_type_ids; the model also needs ${unknown.join(', ') || 'input_ids'}`);
    }
    const { Tensor } = session.ort;
    const sums = new Map(names.map((n) => [n, null]));
    const grams = new Map(); // name -> Float64Array[] (diagonal blocks of X^T X)
    let tokens = 0;
    // One text per run: no padding, so every row of every output is a real token.
    for (const [i, text] of texts.entries()) {
      const e = tok.encode(text, { maxLength });
      const S = e.length;
      if (!S) continue;
      // One unpadded single-sequence text: mask all ones, token types all zeros, as probeFeeds makes.
      const feeds = probeFeeds(Tensor, [Array.from(e.ids)], { tokenTypes: session.inputNames.includes('token_type_ids') });
      if (!session.inputNames.includes('attention_mask')) delete feeds.attention_mask;
      const out = await session.run(feeds);
      for (const n of names) {
        const t = out[n];
        if (!t || t.type !== 'float32' || t.dims[0] !== 1 || t.dims[1] !== S) {
          throw new UnsupportedError(`${onnxFile}: activation '${n}' is not a float [1, ${S}, K] tensor (got ${t?.type} [${t?.dims}]); calibration supports token-wise MatMul inputs only`);
        }
        const d = t.data, K = d.length / S;
        let acc = sums.get(n);
        if (!acc) sums.set(n, (acc = new Float64Array(K)));
        for (let s = 0; s < S; s++) for (let k = 0, o = s * K; k < K; k++) acc[k] += d[o + k];
        t.dispose?.();
        if (hessianWindow) {
          const g = out[gramOutput(n)];
          if (!grams.has(n)) {
            const blocks = [];
            for (let w0 = 0; w0 < K; w0 += hessianWindow) blocks.push(new Float64Array(Math.min(hessianWindow, K - w0) ** 2));
            grams.set(n, blocks);
          }
          addGramBlocks(grams.get(n), g.data, K, hessianWindow);
          g.dispose?.();
        }
      }
      tokens += S;
      onProgress({ stage: 'calibrate', done: i + 1, total: texts.length });
    }
    if (!tokens) throw new InvalidArgumentError('calibration texts gave no tokens with this tokenizer');
    const means = new Map();
    for (const [n, acc] of sums) means.set(n, Float32Array.from(acc, (v) => v / tokens));
    const hessians = hessianWindow ? new Map([...grams].map(([n, blocks]) => [n, { window: hessianWindow, blocks }])) : null;
    return { means, hessians, texts: texts.length, tokens, device, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await session?.release();
    if (probe) await rm(probe.file, { force: true });
    if (model) await closeModel(model);
    if (owned) tok.dispose();
  }
}
