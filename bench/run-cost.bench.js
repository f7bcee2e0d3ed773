// What one encoder run costs by shape, measured, for the batch planner's cost model
// (js/embedder/cost-model.js BACKEND_COSTS). Runs a grid of (texts per run x tokens per text)
// batches of synthetic ids through one session (the Embedder's own loading and SessionRunner),
// round-robin over the shapes so load changes hit them all alike, after one untimed run of each
// shape (ORT allocates its arena on the first run of a new shape). The median time of each shape
// is fitted by least squares (relative errors) to
//     t = perRun + perPaddedToken x (count x seqLen) + perPair x (count x seqLen^2)
// and the fit is given in the cost model's units: opsPerSecond (its per-token operation count /
// perPaddedToken), runSeconds (perRun) and attentionEfficiency (measured perPair / the
// per-pair operation count at that rate).
//
// Usage: node bench/run-cost.bench.js [--device cpu|wasm] [--model e5-small] [--threads N]
//          [--repeat 5] [--shapes 1x8,4x8,...]
// Writes bench/results/run-cost-<device>.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    model: { type: 'string', default: 'e5-small' },
    threads: { type: 'string' },
    repeat: { type: 'string', default: '5' },
    shapes: { type: 'string', default: '1x4,1x16,1x64,1x128,1x256,1x512,4x16,8x16,16x16,32x16,8x64,32x64,4x128,8x256,2x512' },
  },
});
const THREADS = Number(args.threads ?? os.availableParallelism());
const PRESETS = { 'e5-small': 'multilingual-e5-small' };

/**
 * Least squares for y = X b (normal equations), each row weighted by 1 / y^2: relative errors,
 * so the small runs (where per-run overhead shows) count as much as the big ones.
 */
function leastSquares(X, y) {
  const k = X[0].length;
  const A = Array.from({ length: k }, () => new Array(k + 1).fill(0));
  for (let r = 0; r < X.length; r++) {
    for (let i = 0; i < k; i++) {
      const w = 1 / (y[r] * y[r]);
      for (let j = 0; j < k; j++) A[i][j] += w * X[r][i] * X[r][j];
      A[i][k] += w * X[r][i] * y[r];
    }
  }
  for (let i = 0; i < k; i++) {
    let p = i;
    for (let r = i + 1; r < k; r++) if (Math.abs(A[r][i]) > Math.abs(A[p][i])) p = r;
    [A[i], A[p]] = [A[p], A[i]];
    for (let r = 0; r < k; r++) {
      if (r === i) continue;
      const f = A[r][i] / A[i][i];
      for (let c = i; c <= k; c++) A[r][c] -= f * A[i][c];
    }
  }
  return A.map((row, i) => row[k] / row[i]);
}

async function main() {
  const dir = path.join(ROOT, 'models', 'generated', args.model);
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    const { makeModel } = await import('../models/generator/index.js');
    await makeModel(dir, { preset: PRESETS[args.model], tokenizer: await xlmrTokenizer() });
  }
  const { loadModel } = await import('../js/embedder/load.js');
  const { SessionRunner } = await import('../js/embedder/session-runner.js');
  const { costModel } = await import('../js/embedder/cost-model.js');
  const parts = await loadModel(dir, { device: args.device, threads: THREADS });
  const runner = new SessionRunner(parts.session, parts.output);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const shapes = args.shapes.split(',').map((s) => s.split('x').map(Number));
  const inputsFor = (n, L) => {
    const ids = new BigInt64Array(n * L);
    for (let i = 0; i < ids.length; i++) ids[i] = BigInt(5 + ((i * 37) % 1000));
    return { ids, mask: new BigInt64Array(n * L).fill(1n), types: new BigInt64Array(n * L) };
  };
  const feeds = shapes.map(([n, L]) => inputsFor(n, L));
  for (let s = 0; s < shapes.length; s++) await runner.run(feeds[s], ...shapes[s]); // first run of each shape: untimed
  const times = shapes.map(() => []);
  const loads = [];
  for (let r = 0; r < Number(args.repeat); r++) {
    loads.push(os.loadavg()[0]);
    for (let s = 0; s < shapes.length; s++) {
      const t0 = performance.now();
      await runner.run(feeds[s], ...shapes[s]);
      times[s].push(performance.now() - t0);
    }
  }
  await runner.dispose();
  parts.tokenizer.dispose();
  const med = times.map((t) => [...t].sort((a, b) => a - b)[t.length >> 1]);
  const X = shapes.map(([n, L]) => [1, n * L, n * L * L]);
  const [perRun, perToken, perPair] = leastSquares(X, med);
  const model = costModel(config, args.device);
  // The cost model's operation counts at unit efficiency (attention efficiency 1).
  const opsPerToken = model.perToken;
  const opsPerPair = model.perPair / model.attentionEfficiency;
  const fit = {
    runSeconds: perRun / 1000,
    opsPerSecond: opsPerToken / (perToken / 1000),
    attentionEfficiency: perPair / 1000 * (opsPerToken / (perToken / 1000)) / opsPerPair,
  };
  console.log(`${args.model} on ${args.device}, ${THREADS} threads, load ${loads.map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| texts x tokens | median ms | fitted ms | ms per padded token |\n|---|---|---|---|');
  shapes.forEach(([n, L], s) => {
    const f = perRun + perToken * n * L + perPair * n * L * L;
    console.log(`| ${n} x ${L} | ${med[s].toFixed(1)} | ${f.toFixed(1)} | ${(med[s] / (n * L)).toFixed(3)} |`);
  });
  console.log(`\nfit: per run ${perRun.toFixed(2)} ms, per padded token ${perToken.toFixed(4)} ms, per (query, key) pair ${(perPair * 1e6).toFixed(2)} ns`);
  console.log(`cost model units: ${JSON.stringify(fit)}`);
  const out = path.join(ROOT, 'bench', 'results', `run-cost-${args.device}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), model: args.model, device: args.device, threads: THREADS, cores: os.cpus().length, loads, shapes: shapes.map(([n, L], s) => ({ count: n, seqLen: L, medianMs: med[s], ms: times[s] })), fit: { perRunMs: perRun, perTokenMs: perToken, perPairMs: perPair, ...fit } }, null, 2) + '\n');
}

await main();
