// Writes `download` into each models/manifests/*.json: the size of the model's ONNX file per dtype
// in the Hub's layout (onnx/model.onnx, model_fp16.onnx, model_quantized.onnx, model_q4.onnx),
// for the demo's model picker. These machines cannot reach the Hub, so the sizes are COMPUTED from
// each real architecture's parameter count (the configs below, as published in the repositories'
// config.json), not read from the Hub:
//   fp32  4 bytes per parameter            fp16  2 bytes per parameter
//   q8    Hub int8-dynamic (model_quantized.onnx): 1 byte per MatMul weight and embedding-table
//         entry; LayerNorm weights and biases stay float32
//   q4    MatMulNBits 4-bit, block 32 (model_q4.onnx): 0.5 byte + a float32 scale per 32 MatMul
//         weights; embeddings, LayerNorm and biases stay float32 (as transformers.js's q4 files)
// The graph itself (node list) adds well under 1 MB and is left out. The encoder only: the pooler
// is not in the sentence-transformers exports; BGE-M3's sparse / ColBERT heads are separate files.
//
// Usage: node scripts/manifest-sizes.js [--check]   (--check: exit 1 when a manifest is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parameterSpecs } from '../js/convert/architecture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, 'models', 'manifests');

const bert = (layers, hidden, vocab, positions, typeVocab = 2) => ({
  num_hidden_layers: layers, hidden_size: hidden, intermediate_size: 4 * hidden, vocab_size: vocab,
  max_position_embeddings: positions, type_vocab_size: typeVocab,
});
const XLMR_LARGE = bert(24, 1024, 250002, 514, 1);
const BGE_M3 = { ...XLMR_LARGE, max_position_embeddings: 8194 };

// The published config.json shapes (layers, hidden, vocabulary, positions, token types).
const ARCHITECTURES = {
  'BAAI/bge-m3': BGE_M3,
  'dragonkue/bge-m3-ko': BGE_M3,
  // bge-m3 with its vocabulary cut to Russian and English pieces.
  'deepvk/USER-bge-m3': { ...BGE_M3, vocab_size: 46166 },
  'intfloat/multilingual-e5-small': bert(12, 384, 250037, 512),
  'intfloat/multilingual-e5-base': bert(12, 768, 250002, 514, 1),
  'intfloat/multilingual-e5-large': XLMR_LARGE,
  'nlpai-lab/KoE5': XLMR_LARGE,
  'jhgan/ko-sroberta-multitask': bert(12, 768, 32000, 514, 1),
  'sentence-transformers/all-MiniLM-L6-v2': bert(6, 384, 30522, 512),
};

/** { parameters, fp32, fp16, q8, q4 } bytes for one architecture. */
export function downloadSizes(cfg) {
  let all = 0, matmul = 0, embeddings = 0;
  for (const s of parameterSpecs(cfg)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    all += n;
    if (s.transpose) matmul += n;
    else if (s.name.startsWith('embeddings.') && s.shape.length === 2) embeddings += n;
  }
  const rest = all - matmul - embeddings;
  return {
    parameters: all,
    fp32: 4 * all,
    fp16: 2 * all,
    q8: matmul + embeddings + 4 * rest,
    q4: Math.ceil(matmul * (0.5 + 4 / 32)) + 4 * (embeddings + rest),
  };
}

const NOTE = 'ONNX file bytes per dtype (Hub layout: onnx/model.onnx, model_fp16.onnx, model_quantized.onnx, model_q4.onnx), computed from the architecture\'s parameter count by scripts/manifest-sizes.js, not read from the Hub';

function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [id, arch] of Object.entries(ARCHITECTURES)) {
    const file = path.join(DIR, `${id.replace('/', '--')}.json`);
    const m = JSON.parse(readFileSync(file, 'utf8'));
    const { parameters, ...bytes } = downloadSizes(arch);
    const next = { ...m, parameters, download: { ...bytes, note: NOTE } };
    const text = JSON.stringify(next, null, 2) + '\n';
    if (text === readFileSync(file, 'utf8')) continue;
    stale++;
    if (!check) writeFileSync(file, text);
    console.log(`${check ? 'out of date' : 'wrote'} ${path.relative(ROOT, file)}: ${(parameters / 1e6).toFixed(1)}M parameters, fp32 ${(bytes.fp32 / 1e6).toFixed(0)} MB, q8 ${(bytes.q8 / 1e6).toFixed(0)} MB, q4 ${(bytes.q4 / 1e6).toFixed(0)} MB`);
  }
  if (check && stale) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
