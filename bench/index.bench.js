#!/usr/bin/env node
// Vector index benchmark in Node: search latency / throughput / achieved scan bandwidth of the WASM
// SIMD index for 10k / 100k / 1M rows at 384 and 1024 dims, float32 / int8 / binary, against a
// plain JavaScript typed-array scan of the same data in the same process, plus a memory-bandwidth
// reference: a SIMD copy loop inside the same WASM module. The measurement itself lives in
// bench/index-bench-core.js, shared with the Chromium runner (--browser, or
// bench/index-browser.bench.js).
//
//   node bench/index.bench.js [--quick] [--browser] [--sizes 10000,100000,1000000] [--dims 384,1024]
//        [--storages float32,int8,binary] [--k 10] [--budget-ms 300] [--json path]
//
// --quick: 10k and 100k rows only, shorter timing budget. Prints a markdown table and writes
// bench/results/index-node[-quick].json. Times are CPU time of this single-threaded process per
// query (robust to a shared machine); the wall-clock medians are in the JSON.
// 1M x 1024 float32 is 3.8 GiB of rows, beyond the wasm32 address space: reported as such.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../js/internal/core.js';
import { VectorIndex } from '../js/search/vector-index.js';
import { formatTable, parseOptions, runIndexBench } from './index-bench-core.js';

const opts = parseOptions(process.argv.slice(2));
if (opts.browser) {
  await import('./index-browser.bench.js');
} else {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const jsonOut = opts.json ?? path.join(root, 'bench', 'results', `index-node${opts.quick ? '-quick' : ''}.json`);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const core = await loadCore();
  const run = await runIndexBench({ core, VectorIndex, ...opts, cpuMs, log: (line) => console.log(line) });
  const environment = `node ${process.version}, ${process.arch}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`;
  console.log('\n' + formatTable(run, { timeLabel: 'CPU', environment }));
  mkdirSync(path.dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), cpus: os.cpus().length, runtime: 'node', environment, k: opts.k, ...run }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), jsonOut)}`);
}
