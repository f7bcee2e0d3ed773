#!/usr/bin/env node
// Blocked vs unblocked attention (js/onnx/blocked-attention.js) on onnxruntime-node ('cpu') and
// onnxruntime-web WASM ('wasm'), same machine, same run, same generated model: XLM-R layout,
// --layers layers x 256 hidden, 16 heads, 8,194 positions (bge-m3's attention shape at 8,192
// tokens, fewer and narrower layers so it runs here).
//
//   node bench/long-inputs.bench.js [--layers 2] [--reps 5] [--devices cpu,wasm] [--unblocked-8192] [--skip-8192]
//        [--json build/bench/long-inputs.json]
//
// Per device:
//   short     embed 16 texts of 128 tokens: what the unrolled empty blocks cost
//   2048      embed one 2,048-token text
//             (both: blocked and unblocked interleaved, median and min of --reps after a warm-up)
//   8192      embed one 8,192-token text in a process of its own (tests/helpers/embed-long-text.js):
//             time and peak RSS. Unblocked: a CapacityError on WASM (the 4 GiB score tensor);
//             on cpu only with --unblocked-8192 (about 9 GB of RSS).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embedder } from '../js/index.js';
import { makeModel } from '../models/generator/index.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]?.startsWith('--') ? 'true' : (all[i + 1] ?? 'true')]);
  return acc;
}, []));
const LAYERS = Number(args.layers ?? 2);
const REPS = Number(args.reps ?? 5);
const DEVICES = (args.devices ?? 'cpu,wasm').split(',');
const HELPER = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'tests', 'helpers', 'embed-long-text.js');

const dir = path.join(os.tmpdir(), `wasmbed-long-bench-${process.pid}`);
const config = { num_hidden_layers: LAYERS, num_attention_heads: 16, hidden_size: 256, intermediate_size: 1024, max_position_embeddings: 8194 };
const models = {};
for (const [name, attentionBlock] of [['blocked', 512], ['unblocked', 0]]) {
  models[name] = (await makeModel(path.join(dir, name), { preset: 'tiny-xlm-roberta', seed: 7, config, st: { maxSeqLength: 8192 }, attentionBlock })).dir;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const words = (n) => Array(n).fill('the').join(' ');

// Blocked and unblocked runs interleaved, rep by rep, so load from other processes on the machine
// falls on both alike; median and min per side.
async function interleaved(embedders, texts, maxLength) {
  const ms = { blocked: [], unblocked: [] };
  for (const e of Object.values(embedders)) await e.embed(texts, { maxLength }); // warm-up
  for (let r = 0; r < REPS; r++) {
    for (const [name, e] of Object.entries(embedders)) {
      const t = performance.now();
      await e.embed(texts, { maxLength });
      ms[name].push(performance.now() - t);
    }
  }
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, { median: median(v), min: Math.min(...v) }]));
}

function longRun(device, model, options) {
  const out = execFileSync(process.execPath, [HELPER, device, model, '8192', JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const r = JSON.parse(out.trim().split('\n').pop());
  return r.error ? { error: `${r.name}: ${r.error}` } : { ms: r.ms, maxRssMiB: r.maxRssBytes / 2 ** 20, runAddedMiB: (r.maxRssBytes - r.rssBeforeBytes) / 2 ** 20 };
}

const results = { machine: `${os.cpus()[0]?.model} x ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`, layers: LAYERS, devices: {} };
const f = (v) => (v?.median ? `${v.median.toFixed(0)} ms (min ${v.min.toFixed(0)})` : v?.ms ? `${(v.ms / 1000).toFixed(1)} s, peak RSS ${v.maxRssMiB.toFixed(0)} MiB (${v.runAddedMiB.toFixed(0)} added by the run)` : v?.error ?? v);
for (const device of DEVICES) {
  // attentionBlock: 0 keeps the unblocked graph as it is (no load-time rewrite).
  const embedders = {};
  for (const name of ['blocked', 'unblocked']) embedders[name] = await Embedder.load(models[name], { device, attentionBlock: 0 });
  const short = await interleaved(embedders, Array.from({ length: 16 }, (_, i) => words(120 + i)), 128);
  const medium = await interleaved(embedders, [words(2100)], 2048);
  for (const e of Object.values(embedders)) await e.dispose();
  const row = {};
  for (const name of ['blocked', 'unblocked']) {
    row[name] = { short: short[name], 2048: medium[name] };
    const skip = args['skip-8192'] || (name === 'unblocked' && device === 'cpu' && !args['unblocked-8192']);
    row[name][8192] = skip ? 'skipped' : longRun(device, models[name], { attentionBlock: 0 });
    console.log(`${device} ${name.padEnd(9)}  16x128: ${f(row[name].short)}  1x2048: ${f(row[name][2048])}  1x8192: ${f(row[name][8192])}`);
  }
  results.devices[device] = row;
  console.log(`${device} median ratio blocked/unblocked: 16x128 ${(short.blocked.median / short.unblocked.median).toFixed(2)}, 1x2048 ${(medium.blocked.median / medium.unblocked.median).toFixed(2)}`);
}
console.log(results.machine);
if (args.json) {
  mkdirSync(path.dirname(args.json), { recursive: true });
  writeFileSync(args.json, JSON.stringify(results, null, 2) + '\n');
}
