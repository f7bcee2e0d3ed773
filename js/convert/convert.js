// Hub weights -> browser-ready ONNX without Python: reads config.json and model.safetensors (or
// sharded safetensors with model.safetensors.index.json) and fills the same graph builder the test
// model generator uses (models/generator/architecture.js: BERT, RoBERTa, XLM-RoBERTa) with the
// real tensors, streamed one at a time. Optionally quantizes (q8 / q4) in a second streamed pass.
// Everything is written into a temporary sibling folder that is renamed at the end, so a failure
// leaves no partial output directory.
import { copyFile, mkdir, rename, rm, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ARCHITECTURES, buildGraph, parameterSpecs } from '../../models/generator/architecture.js';
import { varint } from '../../models/generator/protobuf.js';
import { DataType } from '../../models/generator/onnx.js';
import { InvalidArgumentError, ParseError, UnsupportedError } from '../errors.js';
import { openModelSource } from '../loader/index.js';
import { quantizeModel } from '../quantize/quantize.js';
import { writeOnnx } from '../quantize/onnx-writer.js';
import { WIRE } from '../quantize/protobuf-reader.js';
import { float32Chunks, openSafetensors, readTensorFloat32 } from './safetensors-reader.js';
import { readTorchStateDict } from '../bge-m3/pt-reader.js';
import { writeSafetensors } from '../../models/generator/safetensors.js';

// Files copied as they are when the source has them (tokenizer + sentence-transformers layout).
const COPY = [
  'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'sentencepiece.bpe.model',
  'vocab.txt', 'merges.txt', 'vocab.json', 'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json',
  '1_Pooling/config.json',
];
// BGE-M3 heads (PyTorch zip checkpoints of nn.Linear state dicts): rewritten as safetensors.
const HEADS = ['sparse_linear', 'colbert_linear'];
// ONNX file names by dtype, as the Embedder (and transformers.js) look them up.
export const DTYPE_FILE = { fp32: 'model.onnx', q8: 'model_quantized.onnx', q4: 'model_q4.onnx' };

/** Finds a parameter in the checkpoint: plain names, task-model prefixes, old gamma/beta names. */
function lookup(tensors, name, modelType) {
  const prefixes = ['', `${modelType === 'bert' ? 'bert' : 'roberta'}.`, 'model.', `${modelType}.`];
  const alt = [name, name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')];
  for (const p of prefixes) for (const a of alt) if (tensors.has(p + a)) return tensors.get(p + a);
  return null;
}

/** Opens every safetensors shard: Map(name -> { st, entry }). */
async function openCheckpoint(src) {
  const opened = [];
  const all = new Map();
  const add = async (file) => {
    const p = await src.localPath(file);
    if (!p) throw new UnsupportedError(`cannot get a local copy of ${file} (converting needs Node and a disk cache)`);
    const st = await openSafetensors(p);
    opened.push(st);
    for (const [name, entry] of st.tensors) all.set(name, { st, entry });
  };
  try {
    if (await src.exists('model.safetensors.index.json')) {
      const index = await src.json('model.safetensors.index.json');
      const shards = [...new Set(Object.values(index?.weight_map ?? {}))];
      if (!shards.length) throw new ParseError('model.safetensors.index.json: empty weight_map');
      for (const s of shards) {
        if (typeof s !== 'string' || s.includes('..') || path.isAbsolute(s)) throw new ParseError(`model.safetensors.index.json: bad shard name ${JSON.stringify(s)}`);
        await add(s);
      }
    } else if (await src.exists('model.safetensors')) {
      await add('model.safetensors');
    } else {
      throw new UnsupportedError('the source has no model.safetensors (nor model.safetensors.index.json); PyTorch .bin checkpoints are not supported');
    }
  } catch (err) {
    for (const st of opened) await st.source.close();
    throw err;
  }
  return { tensors: all, close: async () => { for (const st of opened) await st.source.close(); } };
}

function checkConfig(config) {
  const type = config?.model_type;
  if (!ARCHITECTURES.includes(type)) throw new UnsupportedError(`config.json: unsupported architecture model_type '${type}' (supported: ${ARCHITECTURES.join(', ')})`);
  if (config.hidden_act && config.hidden_act !== 'gelu') throw new UnsupportedError(`config.json: unsupported hidden_act '${config.hidden_act}' (gelu only)`);
  if (config.position_embedding_type && config.position_embedding_type !== 'absolute') throw new UnsupportedError(`config.json: unsupported position_embedding_type '${config.position_embedding_type}'`);
  for (const k of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'vocab_size', 'max_position_embeddings']) {
    if (!Number.isInteger(config[k]) || config[k] < 0) throw new ParseError(`config.json: ${k} must be a non-negative integer (got ${JSON.stringify(config[k])})`);
  }
}

/** Output tensor descriptors for the ONNX writer: weights in ONNX layout, streamed from the checkpoint. */
function weightTensors(specs, ckpt, modelType) {
  return specs.map((spec) => {
    const found = lookup(ckpt.tensors, spec.name, modelType);
    if (!found) throw new ParseError(`checkpoint has no tensor '${spec.name}' (needed by a ${modelType} encoder)`);
    const { st, entry } = found;
    if (JSON.stringify(entry.shape) !== JSON.stringify(spec.shape)) throw new ParseError(`${entry.file}: tensor '${entry.name}' has shape ${JSON.stringify(entry.shape)}, config.json implies ${JSON.stringify(spec.shape)}`);
    const numel = spec.shape.reduce((a, b) => a * b, 1);
    const dims = spec.transpose ? [spec.shape[1], spec.shape[0]] : spec.shape;
    const write = spec.transpose
      ? async (sink) => {
        // nn.Linear stores [out, in]; MatMul wants [in, out]. Linear weights are small (<= 64 MB).
        const [out, inp] = spec.shape;
        const w = await readTensorFloat32(st, entry);
        const t = new Float32Array(numel);
        for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + i];
        await sink.write(new Uint8Array(t.buffer));
      }
      : async (sink) => { for await (const c of float32Chunks(st, entry)) await sink.write(c); };
    return { name: spec.name, dataType: DataType.FLOAT, dims, byteLength: numel * 4, write };
  });
}

/**
 * Converts `source` (local folder, Hub id or URL, as Embedder.load accepts) into `outDir`.
 * options: dtype 'fp32' | 'q8' | 'q4' (fp32 is always written; q8/q4 add their file), block,
 * externalData, onProgress, and openModelSource options (revision, hubHost, cacheDir, ...).
 * Returns { outDir, files, config, onnx: { fp32, [dtype] } }.
 */
export async function convertModel(source, outDir, options = {}) {
  const { dtype = 'fp32', block = 32, externalData = 'auto', onProgress = () => {} } = options;
  if (!DTYPE_FILE[dtype]) throw new InvalidArgumentError(`dtype must be one of ${Object.keys(DTYPE_FILE).join(', ')} (got ${JSON.stringify(dtype)})`);
  const existing = await readdir(outDir).catch(() => null);
  if (existing?.length) throw new InvalidArgumentError(`${outDir} exists and is not empty; choose a new output folder`);
  const src = await openModelSource(source, { revision: options.revision, hubHost: options.hubHost, cacheDir: options.cacheDir, localFilesOnly: options.localFilesOnly, onProgress: options.onDownload });
  if (!(await src.exists('config.json'))) throw new ParseError('the source has no config.json');
  const config = await src.json('config.json');
  checkConfig(config);
  const ckpt = await openCheckpoint(src);
  const tmp = path.join(path.dirname(path.resolve(outDir)), `.${path.basename(outDir)}.partial-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  try {
    await mkdir(path.join(tmp, 'onnx'), { recursive: true });
    const files = [];
    for (const f of COPY) {
      if (!(await src.exists(f))) continue;
      const p = await src.localPath(f);
      await mkdir(path.dirname(path.join(tmp, f)), { recursive: true });
      if (p) await copyFile(p, path.join(tmp, f));
      else await writeFile(path.join(tmp, f), await src.bytes(f));
      files.push(f);
    }
    // sentence-transformers' Normalize module has no files, only its folder.
    if (files.includes('modules.json')) {
      const modules = await src.json('modules.json');
      for (const m of Array.isArray(modules) ? modules : []) {
        if (typeof m?.path === 'string' && m.path && !m.path.includes('..')) await mkdir(path.join(tmp, m.path), { recursive: true });
      }
    }
    // BGE-M3 sparse / ColBERT heads: { weight, bias } float32, readable with openSafetensors().
    for (const head of HEADS) {
      if (!(await src.exists(`${head}.pt`))) continue;
      // Head checkpoints are small (colbert_linear is 4 MB for bge-m3): read them whole.
      const tensors = readTorchStateDict(await src.bytes(`${head}.pt`), `${head}.pt`);
      for (const need of ['weight', 'bias']) if (!tensors.has(need)) throw new ParseError(`${head}.pt: no '${need}' tensor (expected an nn.Linear state dict)`);
      await writeSafetensors(path.join(tmp, `${head}.safetensors`), [...tensors].map(([name, t]) => ({ name, shape: t.shape, chunks: () => [t.data] })));
      files.push(`${head}.safetensors`);
    }
    let graph;
    try {
      graph = buildGraph(config);
    } catch (err) {
      throw new UnsupportedError(`config.json: ${err.message}`, { cause: err });
    }
    const specs = parameterSpecs(config);
    const constantFields = graph.constants.map((message) => ({ field: 5, message }));
    const weights = weightTensors(specs, ckpt, config.model_type);
    let done = 0;
    for (const t of weights) {
      const inner = t.write;
      t.write = async (sink) => { await inner(sink); onProgress({ stage: 'weights', tensor: t.name, done: ++done, total: weights.length }); };
    }
    const onnxFile = path.join(tmp, 'onnx', DTYPE_FILE.fp32);
    await writeOnnx(onnxFile, {
      modelFields: [
        { field: 1, wire: WIRE.VARINT, bytes: varint(8) }, // ir_version 8 (opset 17)
        { field: 2, wire: WIRE.LEN, bytes: new TextEncoder().encode('wasmbed-convert') },
      ],
      opsets: [{ domain: '', version: 17 }],
      graphFields: [
        { field: 2, wire: WIRE.LEN, bytes: new TextEncoder().encode(`wasmbed_${config.model_type}`) },
        ...graph.inputs.map((message) => ({ field: 11, message })),
        ...graph.outputs.map((message) => ({ field: 12, message })),
        ...constantFields,
      ],
      nodes: graph.nodes,
      tensors: weights,
    }, { externalData });
    await ckpt.close();
    const onnx = { fp32: `onnx/${DTYPE_FILE.fp32}` };
    if (dtype !== 'fp32') {
      onProgress({ stage: 'quantize', dtype });
      await quantizeModel(onnxFile, path.join(tmp, 'onnx', DTYPE_FILE[dtype]), { format: dtype, block, externalData });
      onnx[dtype] = `onnx/${DTYPE_FILE[dtype]}`;
    }
    await rm(outDir, { recursive: true, force: true }); // empty or absent (checked above)
    await rename(tmp, outDir);
    onProgress({ stage: 'done' });
    return { outDir, files, config, onnx };
  } catch (err) {
    await ckpt.close().catch(() => {});
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

