#!/usr/bin/env node
// A/B of the int8 search against another build of wasmbed, in one Node process (each build loads
// its own wasm instance), same rows and queries, timed in alternating rounds so that both sides
// see the same machine load. CPU time per query, median of 7 rounds.
//
//   node bench/index-ab.bench.js --baseline /path/to/other/checkout [--sizes 10000,100000]
//        [--dims 384,1024] [--metrics dot,cosine]
//
// The baseline is a checkout with its dist/ built (e.g. `git worktree add /tmp/base main` and
// `bash scripts/build-wasm.sh` there). Raw = oversample 0 (the scan alone, plus normalizing the k
// hits for cosine); default = the default shortlist rescored.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '../js/index.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const baselineDir = arg('baseline', null);
if (!baselineDir) {
  console.error('usage: node bench/index-ab.bench.js --baseline <checkout> [--sizes ...] [--dims ...] [--metrics ...]');
  process.exit(2);
}
const baseline = await import(pathToFileURL(path.resolve(baselineDir, 'js/index.js')).href);

let seed = 12345;
const fill = (a) => {
  for (let i = 0; i < a.length; i++) {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    a[i] = (seed | 0) / 2147483648;
  }
  return a;
};
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (x) => x.slice().sort((p, q) => p - q)[x.length >> 1];

for (const metric of arg('metrics', 'dot,cosine').split(',')) {
  for (const dims of arg('dims', '384,1024').split(',').map(Number)) {
    for (const n of arg('sizes', '10000,100000').split(',').map(Number)) {
      const rows = fill(new Float32Array(n * dims));
      const ids = Uint32Array.from({ length: n }, (_, i) => i);
      const queries = Array.from({ length: 16 }, () => fill(new Float32Array(dims)));
      // `rescore: false` is what both versions understand for "no float rows kept".
      const a = await baseline.VectorIndex.create({ dims, metric, storage: 'int8', rescore: false });
      const b = await current.VectorIndex.create({ dims, metric, storage: 'int8', rescore: false });
      for (let o = 0; o < n; o += 8192) {
        const m = Math.min(8192, n - o);
        a.addBatch(ids.subarray(o, o + m), rows.subarray(o * dims, (o + m) * dims));
        b.addBatch(ids.subarray(o, o + m), rows.subarray(o * dims, (o + m) * dims));
      }
      const iters = Math.max(20, Math.round(2e8 / (n * dims)));
      const time = (index, opts) => {
        const c0 = cpu();
        for (let i = 0; i < iters; i++) index.search(queries[i % 16], opts);
        return (cpu() - c0) / iters;
      };
      const raw = { k: 10, rescore: false };
      const dflt = { k: 10 };
      for (let w = 0; w < 3; w++) { time(a, raw); time(b, raw); }
      const t = { rawA: [], rawB: [], defA: [], defB: [] };
      for (let r = 0; r < 7; r++) {
        t.rawA.push(time(a, raw)); t.rawB.push(time(b, raw));
        t.defA.push(time(a, dflt)); t.defB.push(time(b, dflt));
      }
      const pct = (x, y) => `${((median(y) / median(x) - 1) * 100).toFixed(1)}%`;
      console.log(`${String(n).padStart(6)} x ${String(dims).padStart(4)} ${metric.padEnd(6)} int8 CPU ms/query: ` +
        `raw ${median(t.rawA).toFixed(3)} -> ${median(t.rawB).toFixed(3)} (${pct(t.rawA, t.rawB)}), ` +
        `default ${median(t.defA).toFixed(3)} -> ${median(t.defB).toFixed(3)} (${pct(t.defA, t.defB)})`);
      a.dispose();
      b.dispose();
    }
  }
}
