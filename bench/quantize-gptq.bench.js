// q4 accuracy with and without GPTQ rounding on an independently made model and unseen text
// (issue #14 item 2). The model is generated with its own seed (not the quantizer tests' models);
// calibration uses the package's built-in texts (default) and the evaluation uses OCR-like pages
// and odd strings built from other shared sentences (bench/helpers/hard-texts.js), so nothing
// evaluated was calibrated on. Reports quantization time and mean / worst cosine to fp32 of the
// pooled vectors, overall and per kind of text, on onnxruntime-node.
//
// Usage: node bench/quantize-gptq.bench.js [--preset multilingual-e5-small] [--seed 29]
//        [--variants plain,gptq-256,gptq-full] [--pages 48]
// Writes bench/results/quantize-gptq.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';
import { hardTexts } from './helpers/hard-texts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'multilingual-e5-small' }, seed: { type: 'string', default: '29' },
    variants: { type: 'string', default: 'plain,gptq-256,gptq-full' }, pages: { type: 'string', default: '48' },
  },
});

const VARIANTS = {
  plain: { format: 'q4', gptq: false }, // the previous default: MSE scales + bias correction
  'gptq-128': { format: 'q4', gptq: { window: 128 } },
  'gptq-256': { format: 'q4', gptq: { window: 256 } },
  'gptq-full': { format: 'q4', gptq: { window: 1 << 20 } }, // one window: the whole of K
  // 8-bit word embeddings: a text of one repeated token is mostly its embedding row's rounding.
  'plain-emb8': { format: 'q4', gptq: false, embeddingBits: 8 },
  'gptq-256-emb8': { format: 'q4', gptq: { window: 256 }, embeddingBits: 8 },
};

const dir = path.join(GEN, `gptq-${args.preset}-seed${args.seed}`);
if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'models', 'generator', 'cli.js'), dir, '--preset', args.preset, '--tokenizer', await xlmrTokenizer(), '--seed', args.seed, '--force'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('make-model failed');
}
const { quantizeModel } = await import('../js/quantize/quantize.js');
const { compareModels } = await import('../js/quantize/evaluate.js');
const items = hardTexts(Number(args.pages));
const texts = items.map((t) => t.text);
const fp32 = path.join(dir, 'onnx', 'model.onnx');
const RESULTS = path.join(ROOT, 'bench', 'results', 'quantize-gptq.json');
// Rows of earlier runs on the same model and texts are kept (one variant can take many minutes).
const { readFileSync } = await import('node:fs');
const previous = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : null;
const same = previous && previous.model.preset === args.preset && previous.model.seed === Number(args.seed);
const rows = same ? previous.rows.filter((r) => !args.variants.split(',').includes(r.variant)) : [];
for (const v of args.variants.split(',')) {
  const out = path.join(dir, 'onnx', `model_q4_${v}.onnx`);
  const t0 = performance.now();
  const q = await quantizeModel(fp32, out, VARIANTS[v]);
  const seconds = (performance.now() - t0) / 1000;
  const load = os.loadavg()[0];
  const a = await compareModels(fp32, out, texts, { device: 'cpu', batchSize: 8 });
  const byKind = {};
  for (const kind of ['page', 'odd']) {
    const cs = a.cosines.filter((_, i) => items[i].kind === kind);
    byKind[kind] = { mean: cs.reduce((x, y) => x + y, 0) / cs.length, min: Math.min(...cs) };
  }
  const row = { variant: v, date: new Date().toISOString(), seconds, loadavg: load, gptq: q.gptq, biasCorrected: q.biasCorrected, calibration: q.calibration, mean: a.mean, min: a.min, worst: a.worst.text.slice(0, 80), byKind };
  rows.push(row);
  console.error(JSON.stringify(row));
  // Written after every variant: on a loaded 2-core machine one variant can take many minutes.
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify({ date: new Date().toISOString(), machine: `${os.cpus()[0]?.model} x ${os.cpus().length}`, model: { preset: args.preset, seed: Number(args.seed) }, texts: { pages: items.filter((t) => t.kind === 'page').length, odd: items.filter((t) => t.kind === 'odd').length }, rows }, null, 2) + '\n');
}
console.log(`\n| q4 variant (${args.preset}, seed ${args.seed}) | quantize time | all: mean / worst | OCR pages: mean / worst | odd strings: mean / worst |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.variant} | ${r.seconds.toFixed(0)} s (load ${r.loadavg.toFixed(1)}) | ${r.mean.toFixed(5)} / ${r.min.toFixed(5)} | ${r.byKind.page.mean.toFixed(5)} / ${r.byKind.page.min.toFixed(5)} | ${r.byKind.odd.mean.toFixed(5)} / ${r.byKind.odd.min.toFixed(5)} |`);
