// Hub weights -> browser-ready ONNX without Python: reads config.json and model.safetensors or
// PyTorch's pytorch_model.bin (either sharded with its .index.json; see checkpoint-files.js) and
// fills the same graph builder the test model generator uses (architecture.js here: BERT,
// RoBERTa, XLM-RoBERTa) with the real tensors, streamed one at a time. q8 / q4 are quantized in
// the same pass: each weight goes from the checkpoint straight into its MatMulNBits /
// GatherBlockQuantized initializers (no float32 ONNX is written and read back), one tensor in
// memory at a time.
// Everything is written into a temporary sibling folder that is renamed at the end, so a failure
// leaves no partial output directory.
import { copyFile, mkdir, rename, rm, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ARCHITECTURES } from './architecture.js';
import { InvalidArgumentError, ParseError, UnsupportedError } from '../errors.js';
import { openModelSource } from '../loader/index.js';
import { calibrate, describeCalibration, quantizeGraph } from '../quantize/quantize.js';
import { checkpointGraphSource } from './checkpoint-graph.js';
import { openCheckpoint } from './checkpoint-files.js';
import { tokenizerFileFor } from '../quantize/calibrate.js';
import { readTorchStateDict } from './pt-reader.js';
import { writeSafetensors } from './safetensors-writer.js';

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
// The quantizer format each dtype is written in (js/quantize/quantize.js FORMATS; null: float32).
// q8 is model_quantized.onnx, which on the Hub is the dynamic-int8 layout: int8 compute, the
// fastest file on WASM and onnxruntime-node (quantize.js DEFAULT_FORMAT).
export const DTYPE_FORMAT = { fp32: null, q8: 'int8-dynamic', q4: 'q4' };

function checkConfig(config) {
  const type = config?.model_type;
  if (!ARCHITECTURES.includes(type)) throw new UnsupportedError(`config.json: unsupported architecture model_type '${type}' (supported: ${ARCHITECTURES.join(', ')})`);
  if (config.hidden_act && config.hidden_act !== 'gelu') throw new UnsupportedError(`config.json: unsupported hidden_act '${config.hidden_act}' (gelu only)`);
  if (config.position_embedding_type && config.position_embedding_type !== 'absolute') throw new UnsupportedError(`config.json: unsupported position_embedding_type '${config.position_embedding_type}'`);
  for (const k of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'vocab_size', 'max_position_embeddings']) {
    if (!Number.isInteger(config[k]) || config[k] < 0) throw new ParseError(`config.json: ${k} must be a non-negative integer (got ${JSON.stringify(config[k])})`);
  }
}

/**
 * Converts `source` (local folder, Hub id or URL, as Embedder.load accepts) into `outDir`.
 * options: dtype 'fp32' | 'q8' | 'q4' or a list of them (default 'fp32'; each dtype writes its
 * file straight from the checkpoint: q8 / q4 without a float32 model.onnx unless 'fp32' is listed
 * too), block, externalData, calibration (bias correction of q8 / q4, as quantizeModel: 'auto'
 * (default), true, false or { texts, ... }; it writes the float32 model first, temporarily when
 * fp32 is not asked for), onProgress, and openModelSource options (revision, hubHost, cacheDir, ...).
 * Returns { outDir, files, config, onnx: { [dtype]: 'onnx/<file>' }, calibration }.
 */
export async function convertModel(source, outDir, options = {}) {
  const { dtype = 'fp32', block = 32, externalData = 'auto', onProgress = () => {} } = options;
  const dtypes = [...new Set(Array.isArray(dtype) ? dtype : [dtype])];
  if (!dtypes.length || !dtypes.every((d) => Object.hasOwn(DTYPE_FILE, d))) throw new InvalidArgumentError(`dtype must be one of ${Object.keys(DTYPE_FILE).join(', ')} or a list of them (got ${JSON.stringify(dtype)})`);
  if (dtypes.some((d) => d !== 'fp32') && (!Number.isInteger(block) || block < 16 || (block & (block - 1)) !== 0)) throw new InvalidArgumentError(`block size must be a power of two >= 16 (got ${block})`);
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
    // Missing tensors and shape mismatches fail here, before any ONNX file is started.
    const graphSource = checkpointGraphSource(config, ckpt, String(source));
    const onnx = {};
    const writeDtype = async (d, file, activationMeans = null, activationHessians = null) => {
      onProgress({ stage: 'file', dtype: d, file: path.relative(tmp, file).split(path.sep).join('/') });
      await quantizeGraph(graphSource, file, {
        format: DTYPE_FORMAT[d], block, externalData, activationMeans, activationHessians,
        onProgress: (p) => { if (p.stage === 'write') onProgress({ stage: 'weights', dtype: d, tensor: p.tensor, done: p.done, total: p.total }); },
      });
    };
    // Bias correction (see js/quantize/calibrate.js) runs the float32 model on calibration texts:
    // it is written first, as onnx/model.onnx when asked for, else as a temporary file.
    // Under 'auto' without a tokenizer it would be skipped anyway: then no float32 file is written.
    let calibration = null;
    const quantized = dtypes.filter((d) => d !== 'fp32');
    const keep = dtypes.includes('fp32');
    const fp32 = path.join(tmp, 'onnx', keep ? DTYPE_FILE.fp32 : '.calibration-model.onnx');
    if (quantized.length && (options.calibration ?? 'auto') === 'auto' && !tokenizerFileFor(fp32)) {
      calibration = { skipped: 'the source has no tokenizer.json or sentencepiece.bpe.model to run calibration texts through' };
    } else if (quantized.length && options.calibration !== false) {
      await writeDtype('fp32', fp32);
      if (keep) onnx.fp32 = `onnx/${DTYPE_FILE.fp32}`;
      // One calibration for every dtype: it also collects the Gram matrices GPTQ needs when q4 is
      // among them (quantize.js gptqFor), so each file equals `quantize` on the float32 one.
      const gptqFormat = quantized.includes('q4') ? 'q4' : DTYPE_FORMAT[quantized[0]];
      calibration = await calibrate(fp32, graphSource.graph, DTYPE_FORMAT[quantized[0]], { calibration: options.calibration, onProgress, gptqFormat, block });
      if (!keep) await Promise.all([rm(fp32, { force: true }), rm(`${fp32}_data`, { force: true })]);
    }
    for (const d of dtypes) {
      if (onnx[d]) continue;
      await writeDtype(d, path.join(tmp, 'onnx', DTYPE_FILE[d]), calibration?.means ?? null, calibration?.hessians ?? null);
      onnx[d] = `onnx/${DTYPE_FILE[d]}`;
    }
    await ckpt.close();
    await rm(outDir, { recursive: true, force: true }); // empty or absent (checked above)
    await rename(tmp, outDir);
    onProgress({ stage: 'done' });
    return { outDir, files, config, onnx, calibration: describeCalibration(calibration) };
  } catch (err) {
    await ckpt.close().catch(() => {});
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

