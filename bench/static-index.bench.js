// Static, partitioned index at scale (issue #16): N x 384 embedding-like vectors written as .npy,
// imported through writeStaticIndex (streamed in chunks: only int8 codes stay in the wasm heap),
// then searched over 127.0.0.1 HTTP in Node and in headless Chromium.
//
//   node bench/static-index.bench.js [--n 1000000] [--dims 384] [--queries 100] [--timed 20]
//        [--nprobe 24,28,32,40] [--timed-nprobe N] [--partitions P] [--work DIR] [--index DIR] [--reuse-index] [--no-browser] [--keep]
//
// Reported: build time (import of the .npy; the .npy generation is timed apart), index bytes,
// recall@10 against exact float search and the bytes a query fetches (fresh index per query, so
// nothing is cached) per nprobe; cold (fresh StaticIndex, partitions fetched) and warm (same
// query again) query times in Node and Chromium at the chosen nprobe. The load average is
// recorded next to every phase: this machine is shared and its figures move with the load.
// Results: bench/results/static-index-<n>.json. The .npy, queries and exact answers are kept in
// the work folder (default <tmp>/wasmbed-static-bench/n<N>-d<dims>) and reused by later runs.
import fs from 'node:fs/promises';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StaticIndex, VectorIndex, writeStaticIndex } from '../js/index.js';
import { REPO_ROOT } from '../tests/helpers/paths.js';
import { fork } from 'node:child_process';
import { browserSkipReason } from '../tests/helpers/browser.js';
import { openBenchPage } from './helpers/bench-page.js';
import { npyChunks, writeClusteredNpy } from './helpers/clustered-embeddings.js';

const argv = process.argv.slice(2);
const arg = (name, def) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const N = Number(arg('n', 1_000_000));
const DIMS = Number(arg('dims', 384));
const NQ = Number(arg('queries', 100));
const TIMED = Number(arg('timed', 20));
const NPROBES = arg('nprobe', '24,28,32,40').split(',').map(Number);
const PARTITIONS = arg('partitions') === undefined ? undefined : Number(arg('partitions'));  // default: the writer's
const WORK = arg('work', path.join(os.tmpdir(), 'wasmbed-static-bench', `n${N}-d${DIMS}`));
const K = 10;
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)} load ${load().join(' ')}]`, ...a);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p90 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]; };

mkdirSync(WORK, { recursive: true });
const npy = path.join(WORK, 'vectors.npy');
const qfile = path.join(WORK, 'queries.json');
const result = { date: new Date().toISOString(), machine: `${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}`, n: N, dims: DIMS, k: K, phases: {} };

// 1. Vectors (reused when present).
if (!existsSync(npy) || !existsSync(qfile)) {
  const t = performance.now();
  const { queries, queryRows } = await writeClusteredNpy(npy, { n: N, dims: DIMS, nq: NQ, seed: 7 });
  writeFileSync(qfile, JSON.stringify({ queries: Array.from(queries), queryRows: Array.from(queryRows) }));
  result.phases.generate = { seconds: (performance.now() - t) / 1000, load: load() };
  log(`generated ${N} x ${DIMS} in ${result.phases.generate.seconds.toFixed(1)} s`);
}
const { queries: qflat } = JSON.parse(await fs.readFile(qfile, 'utf8'));
const queries = Array.from({ length: NQ }, (_, i) => Float32Array.from(qflat.slice(i * DIMS, (i + 1) * DIMS)));

// 2. Exact answers (reused): float32 VectorIndex over 131072-row slices, merged.
const truthFile = path.join(WORK, 'truth.json');
let truth;
if (existsSync(truthFile)) truth = JSON.parse(await fs.readFile(truthFile, 'utf8'));
else {
  const t = performance.now();
  const best = queries.map(() => []);
  let base = 0;
  for await (const chunk of npyChunks(npy, 131072)) {
    const rows = chunk.length / DIMS;
    const v = await VectorIndex.create({ dims: DIMS, storage: 'float32' });
    v.addBatch(Uint32Array.from({ length: rows }, (_, i) => base + i), chunk);
    queries.forEach((q, i) => { best[i].push(...v.search(q, { k: K })); });
    v.dispose();
    best.forEach((b) => { b.sort((x, y) => y.score - x.score || x.id - y.id); b.length = Math.min(b.length, K); });
    base += rows;
  }
  truth = best.map((b) => b.map((h) => h.id));
  writeFileSync(truthFile, JSON.stringify(truth));
  log(`exact answers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// 3. Build.
// --index DIR puts the index elsewhere (the vectors stay shared in WORK); --reuse-index skips the
// build when DIR already holds one (profiling the query phases without a 1-2 min rebuild each time).
const indexDir = path.resolve(arg('index', path.join(WORK, 'index')));
const ids = Array.from({ length: N }, (_, i) => `v${i}`);
if (argv.includes('--reuse-index') && existsSync(path.join(indexDir, 'manifest.json'))) {
  const manifest = JSON.parse(await fs.readFile(path.join(indexDir, 'manifest.json'), 'utf8'));
  // The build's own record, kept beside the index by the run that built it.
  const record = existsSync(`${indexDir}.build.json`) ? JSON.parse(await fs.readFile(`${indexDir}.build.json`, 'utf8')) : {};
  result.phases.build = { ...record, reused: indexDir, partitions: manifest.partitions, totalBytes: manifest.totalBytes };
  log(`reusing the index in ${indexDir}: ${manifest.partitions} partitions, ${(manifest.totalBytes / 2 ** 20).toFixed(1)} MiB`);
} else {
  const loadBefore = load();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const phaseStart = {};
  const manifest = await writeStaticIndex(indexDir, {
    dims: DIMS, vectors: npyChunks(npy), ids, partitions: PARTITIONS,
    model: { id: 'bench/clustered-embedding-like', dims: DIMS, normalize: true, pooling: 'mean', dtype: 'fp32' },
    onProgress: ({ phase }) => { phaseStart[phase] ??= (performance.now() - t) / 1000; },
  });
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of this process beside the wall time: on a shared, overloaded machine the wall
  // time mostly measures the other processes.
  result.phases.build = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadBefore, loadAfter: load(), phaseStartS: phaseStart, partitions: manifest.partitions, totalBytes: manifest.totalBytes, rssMiB: process.memoryUsage().rss / 2 ** 20 };
  writeFileSync(`${indexDir}.build.json`, JSON.stringify({ date: result.date, ...result.phases.build }));
  log(`built in ${seconds.toFixed(1)} s (${result.phases.build.cpuSeconds.toFixed(1)} s CPU): ${manifest.partitions} partitions, ${(manifest.totalBytes / 2 ** 20).toFixed(1)} MiB`, phaseStart);
}

// 4. Recall and bytes per query: a fresh index per query, so every probed partition is fetched.
const recallOf = (hits, i) => hits.filter((h) => truth[i].includes(Number(h.id.slice(1)))).length / K;
result.sweep = [];
for (const nprobe of NPROBES) {
  let recall = 0, bytes = 0, parts = 0;
  const loadBefore = load();
  for (let i = 0; i < NQ; i++) {
    const index = await StaticIndex.open(indexDir, { preload: false });
    const before = index.stats.bytesFetched;
    const hits = await index.search(queries[i], { k: K, nprobe });
    bytes += index.stats.bytesFetched - before;
    parts += index.stats.partitionsFetched;
    recall += recallOf(hits, i);
    index.dispose();
  }
  const totalBytes = result.phases.build.totalBytes;
  const row = { nprobe, recallAt10: recall / NQ, bytesPerQuery: bytes / NQ, fractionOfIndex: bytes / NQ / totalBytes, partitionsPerQuery: parts / NQ, loadBefore, loadAfter: load() };
  result.sweep.push(row);
  log(`nprobe ${nprobe}: recall@10 ${row.recallAt10.toFixed(3)}, ${(row.bytesPerQuery / 2 ** 20).toFixed(2)} MiB/query = ${(100 * row.fractionOfIndex).toFixed(2)}% of the index`);
}
const chosen = result.sweep.find((r) => r.recallAt10 >= 0.95 && r.fractionOfIndex <= 0.05) ?? result.sweep[result.sweep.length - 1];
// --timed-nprobe times another nprobe than the sweep's choice (a before/after at the same one).
const NPROBE = arg('timed-nprobe') === undefined ? chosen.nprobe : Number(arg('timed-nprobe'));

// 5. Cold and warm query times over 127.0.0.1 HTTP.
// The server runs in its own process: the Node client's CPU time is then the query's alone.
const serverProcess = fork(path.join(REPO_ROOT, 'bench', 'helpers', 'serve-folder.js'), [JSON.stringify({ '/': REPO_ROOT, '/bench-index/': indexDir })]);
const server = { url: (await new Promise((resolve) => serverProcess.once('message', resolve))).url, close: async () => serverProcess.kill() };
const indexUrl = `${server.url}/bench-index/`;
{
  const open = [], cold = [], warm = [], coldCpu = [];
  const loadBefore = load();
  for (let i = 0; i < TIMED; i++) {
    let t = performance.now();
    const index = await StaticIndex.open(indexUrl, { preload: false });
    open.push(performance.now() - t);
    t = performance.now();
    const c0 = process.cpuUsage();
    await index.search(queries[i], { k: K, nprobe: NPROBE });
    cold.push(performance.now() - t);
    const c1 = process.cpuUsage(c0);
    coldCpu.push((c1.user + c1.system) / 1000);
    for (let r = 0; r < 3; r++) {
      t = performance.now();
      await index.search(queries[i], { k: K, nprobe: NPROBE });
      warm.push(performance.now() - t);
    }
    index.dispose();
  }
  result.node = { nprobe: NPROBE, openMedianMs: median(open), coldMedianMs: median(cold), coldP90Ms: p90(cold), coldCpuMedianMs: median(coldCpu), warmMedianMs: median(warm), warmP90Ms: p90(warm), loadBefore, loadAfter: load() };
  log('node over HTTP', result.node);
}

// Chromium, cold (a fresh StaticIndex per query) and warm, in four set-ups: driven through a bare
// DevTools pipe as a visitor's browser runs a page (HTTP/1.1: 6 connections per host; HTTP/2 over
// TLS: one multiplexed connection, as static hosts and CDNs serve), the same with the Cache API
// keeping what the query fetched ({ cacheName }, an emptied cache per query), and with Playwright
// as before, whose Network instrumentation adds CPU per byte.
async function chromiumTimes({ http2 = false, playwright = false, cacheApi = false }) {
  const proc = http2
    ? fork(path.join(REPO_ROOT, 'bench', 'helpers', 'serve-folder.js'), [JSON.stringify({ '/': REPO_ROOT, '/bench-index/': indexDir }), '--http2'])
    : null;
  const base = proc ? (await new Promise((resolve) => proc.once('message', resolve))).url : server.url;
  const page = await openBenchPage(`${base}/tests/browser/pages/vector-index.html`, { playwright, ignoreCertificateErrors: http2 });
  try {
    const loadBefore = load();
    const times = await page.run(async ({ url, qs, k, nprobe, cacheApi }) => {
      const { StaticIndex } = window.wasmbed;
      const open = [], cold = [], warm = [];
      for (const q of qs) {
        const v = Float32Array.from(q);
        if (cacheApi) await caches.delete('bench');
        let t = performance.now();
        const index = await StaticIndex.open(url, { preload: false, ...(cacheApi ? { cache: { cacheName: 'bench' } } : {}) });
        open.push(performance.now() - t);
        t = performance.now();
        await index.search(v, { k, nprobe });
        cold.push(performance.now() - t);
        for (let r = 0; r < 3; r++) {
          t = performance.now();
          await index.search(v, { k, nprobe });
          warm.push(performance.now() - t);
        }
        index.dispose();
      }
      return { open, cold, warm };
    }, { url: `${base}/bench-index/`, qs: queries.slice(0, TIMED).map((q) => Array.from(q)), k: K, nprobe: NPROBE, cacheApi });
    return {
      nprobe: NPROBE, driver: playwright ? 'playwright' : 'bare DevTools pipe', protocol: http2 ? 'HTTP/2 (TLS)' : 'HTTP/1.1', cacheApi,
      openMedianMs: median(times.open), coldMedianMs: median(times.cold), coldP90Ms: p90(times.cold), warmMedianMs: median(times.warm), warmP90Ms: p90(times.warm),
      loadBefore, loadAfter: load(),
    };
  } finally {
    await page.close();
    proc?.kill();
  }
}

if (!argv.includes('--no-browser') && !(await browserSkipReason())) {
  for (const [key, setup] of [
    ['chromium', {}], ['chromiumHttp2', { http2: true }], ['chromiumCacheApi', { cacheApi: true }], ['chromiumPlaywright', { playwright: true }],
  ]) {
    result[key] = await chromiumTimes(setup);
    log(key, result[key]);
  }
}
await server.close();

const out = path.join(REPO_ROOT, 'bench', 'results', `static-index-${N}.json`);
writeFileSync(out, JSON.stringify(result, null, 1));
log(`wrote ${out}`);
if (!argv.includes('--keep')) {
  await fs.rm(indexDir, { recursive: true, force: true });
  await fs.rm(`${indexDir}.build.json`, { force: true });
}
