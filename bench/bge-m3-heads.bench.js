#!/usr/bin/env node
// What BGE-M3's sparse + ColBERT outputs cost on top of the dense one, at bge-m3's hidden size
// (1024) and 128 / 512 tokens, and what the ColBERT vectors take in memory per 1k passages.
//
//   node bench/bge-m3-heads.bench.js [--layers 2] [--batch 8] [--lengths 128,512] [--reps 5]
//        [--json build/bench/bge-m3-heads.json]
//
// The model is generated (seeded random weights) with bge-m3's width (hidden 1024, 16 heads,
// FFN 4096) but fewer layers than its 24: generating and running the full 2.2 GB encoder is too
// slow for this machine. The heads' cost depends only on hidden size, sequence length and batch,
// so it is measured directly; the encoder's time is measured for `--layers` layers and scaled
// linearly to 24 (the embeddings and the heads are outside the per-layer cost). Both the
// measured-layers and the extrapolated 24-layer percentages are printed.
//
// Three timings per length, each the median of --reps interleaved runs over the same batch:
//   dense     embed(texts)                                   (encoder + CLS pooling)
//   all       embed(texts, { outputs: dense,sparse,colbert }) (heads from files: C++ WASM SIMD)
//   graph     the same with onnx/model_with_heads.onnx        (projections by ORT, post-processing C++)
//   heads     BgeM3Heads.compute on the same hidden states    (C++ heads alone)
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Embedder, BgeM3Heads, encodeColbert, colbertBytes } from '../js/index.js';
import { makeModel } from '../models/generator/index.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const LAYERS = Number(args.layers ?? 2);
const BATCH = Number(args.batch ?? 8);
const LENGTHS = (args.lengths ?? '128,512').split(',').map(Number);
const REPS = Number(args.reps ?? 5);
const JSON_OUT = args.json ?? 'build/bench/bge-m3-heads.json';
const FULL_LAYERS = 24;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Runs the functions interleaved (one round = each once), so machine load drifts hit all alike; medians. */
async function timeInterleaved(fns) {
  for (const fn of fns) await fn(); // warm-up
  const runs = fns.map(() => []);
  for (let r = 0; r < REPS; r++) {
    for (let i = 0; i < fns.length; i++) {
      const t0 = performance.now();
      await fns[i]();
      runs[i].push(performance.now() - t0);
    }
  }
  return runs.map(median);
}

const dir = path.join(tmpdir(), `wasmbed-m3-bench-${process.pid}`);
process.stderr.write(`generating a ${LAYERS}-layer 1024-wide XLM-R encoder with BGE-M3 heads in ${dir} ...\n`);
await makeModel(dir, {
  preset: 'tiny-xlm-roberta', heads: true, seed: 1,
  config: { hidden_size: 1024, num_hidden_layers: LAYERS, num_attention_heads: 16, intermediate_size: 4096, max_position_embeddings: 514 },
  st: { pooling: 'cls', normalize: true, maxSeqLength: 512 },
});
const model = await Embedder.load(dir, { device: 'cpu' });
// The same weights with the heads as extra ONNX outputs (ORT computes the projections).
const graphModel = await Embedder.load(dir, { device: 'cpu', modelFile: 'onnx/model_with_heads.onnx' });
const words = 'the of and to in is was for on that with as by at from it an be this are or people music water city model search vector'.split(' ');
const text = (seed) => Array.from({ length: 600 }, (_, i) => words[(i * 7 + seed * 13) % words.length]).join(' ');
const texts = Array.from({ length: BATCH }, (_, i) => text(i));

// The heads alone, on hidden states of the same shape (weights as the model's files hold them).
const hidden = 1024;
const rand = (n, s = 0.02) => Float32Array.from({ length: n }, () => (Math.random() - 0.5) * 2 * s);
const heads = await BgeM3Heads.create({
  hiddenSize: hidden, sparse: { weight: rand(hidden, 0.2), bias: 0.01 }, colbert: { weight: rand(hidden * hidden), bias: rand(hidden) }, droppedIds: [0, 1, 2, 3],
});

const rows = [];
for (const len of LENGTHS) {
  const opts = { maxLength: len, batchSize: BATCH };
  const h = rand(BATCH * len * hidden, 1);
  const ids = Int32Array.from({ length: BATCH * len }, (_, i) => 4 + (i % 500));
  const mask = new Int32Array(BATCH * len).fill(1);
  const [dense, all, graphAll, headsMs] = await timeInterleaved([
    () => model.embed(texts, opts),
    () => model.embed(texts, { ...opts, outputs: ['dense', 'sparse', 'colbert'] }),
    () => graphModel.embed(texts, { ...opts, outputs: ['dense', 'sparse', 'colbert'] }),
    () => heads.compute(h, { ids, attentionMask: mask, shape: [BATCH, len] }),
  ]);
  // Extrapolate the encoder to 24 layers: (dense - heads-free fixed part) scales with layers; the
  // fixed part (embeddings, tokenization, pooling) is small and kept as measured.
  const dense24 = dense * (FULL_LAYERS / LAYERS);
  const [sample] = await model.embed([texts[0]], { maxLength: len, outputs: ['colbert'] });
  const mem = {};
  for (const dtype of ['float32', 'float16', 'int8']) mem[dtype] = (colbertBytes(encodeColbert(sample.colbert, dtype)) * 1000) / 2 ** 20;
  rows.push({
    tokens: len, batch: BATCH, layers: LAYERS,
    denseMs: dense, allMs: all, graphAllMs: graphAll, headsMs,
    extraPct: (100 * (all - dense)) / all,
    headsPctMeasured: (100 * headsMs) / (dense + headsMs),
    headsPct24: (100 * headsMs) / (dense24 + headsMs),
    colbertMiBPer1k: mem, vectorsPerPassage: sample.colbert.count,
  });
}
await model.dispose();
await graphModel.dispose();
heads.dispose();

const f = (x, d = 1) => x.toFixed(d);
console.log(`\nBGE-M3 heads on top of dense, hidden 1024, batch ${BATCH}, Node onnxruntime-node (cpu) + wasmbed WASM heads`);
console.log(`| tokens | dense ms (${LAYERS} layers) | dense+sparse+colbert ms (WASM heads) | same, heads in ONNX graph ms | heads alone ms | heads % of total (${LAYERS} layers, measured) | heads % of total (24 layers, extrapolated) |`);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.tokens} | ${f(r.denseMs)} | ${f(r.allMs)} | ${f(r.graphAllMs)} | ${f(r.headsMs)} | ${f(r.extraPct)} (end to end) / ${f(r.headsPctMeasured)} (heads alone) | ${f(r.headsPct24)} |`);
console.log('\nColBERT vectors per 1k passages (vectors = tokens - 1, dim 1024):');
console.log('| passage tokens | float32 MiB | float16 MiB | int8 MiB (+ scales) |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.tokens} | ${f(r.colbertMiBPer1k.float32)} | ${f(r.colbertMiBPer1k.float16)} | ${f(r.colbertMiBPer1k.int8)} |`);
mkdirSync(path.dirname(JSON_OUT), { recursive: true });
writeFileSync(JSON_OUT, JSON.stringify({ rows }, null, 2));
const { rm } = await import('node:fs/promises');
await rm(dir, { recursive: true, force: true });
