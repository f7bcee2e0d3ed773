// Accuracy of a quantized model against its float32 original: both ONNX files are loaded through
// the real Embedder (same tokenizer, pooling and normalization a user gets) and a text set is
// embedded with each; reports file sizes and the mean / minimum cosine between paired vectors.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { TOKENIZER_FILES } from '../embedder/tokenizer-files.js';

/** The model folder (holding tokenizer.json) that contains an ONNX file: its folder or the one above. */
export function modelDirOf(onnxFile) {
  let dir = path.dirname(path.resolve(onnxFile));
  for (let i = 0; i < 2; i++) {
    if (TOKENIZER_FILES.some((f) => existsSync(path.join(dir, f)))) return dir;
    dir = path.dirname(dir);
  }
  return null;
}

/** Size of an ONNX file plus its external data file (<name>_data) if present. */
export function onnxBytes(file) {
  const data = `${file}_data`;
  return statSync(file).size + (existsSync(data) ? statSync(data).size : 0);
}

const cosine = (a, b) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
};

/**
 * Embeds `texts` with the reference and the candidate ONNX file of one model folder.
 * options: device ('wasm' default; 'cpu' for onnxruntime-node), batchSize, maxLength.
 * Returns { count, mean, min, worst: { index, text, cosine }, cosines, referenceBytes, candidateBytes, ratio }.
 */
export async function compareModels(reference, candidate, texts, { device = 'wasm', batchSize = 16, maxLength, modelDir } = {}) {
  if (!Array.isArray(texts) || !texts.length) throw new InvalidArgumentError('compareModels: texts must be a non-empty array of strings');
  const dir = modelDir ?? modelDirOf(reference);
  if (!dir) throw new InvalidArgumentError(`${reference}: no tokenizer.json next to it or in the folder above; accuracy needs the model folder`);
  const rel = (f) => {
    const r = path.relative(dir, path.resolve(f));
    if (r.startsWith('..') || path.isAbsolute(r)) throw new InvalidArgumentError(`${f} is outside the model folder ${dir}; write the quantized model inside it (e.g. ${dir}/onnx/model_q8.onnx) to evaluate it`);
    return r.split(path.sep).join('/');
  };
  const { Embedder } = await import('../embedder/embedder.js');
  const embed = async (file) => {
    const model = await Embedder.load(dir, { device, modelFile: rel(file), localFilesOnly: true });
    try {
      return await model.embed(texts, { batchSize, ...(maxLength ? { maxLength } : {}) });
    } finally {
      await model.dispose();
    }
  };
  const ref = await embed(reference);
  const got = await embed(candidate);
  let sum = 0, worst = { index: -1, cosine: Infinity };
  const cosines = [];
  for (let i = 0; i < texts.length; i++) {
    const c = cosine(ref[i], got[i]);
    cosines.push(c);
    sum += c;
    if (!(c >= worst.cosine)) worst = { index: i, text: texts[i], cosine: c };
  }
  const referenceBytes = onnxBytes(reference), candidateBytes = onnxBytes(candidate);
  return { count: texts.length, mean: sum / texts.length, min: worst.cosine, worst, cosines, referenceBytes, candidateBytes, ratio: candidateBytes / referenceBytes };
}
