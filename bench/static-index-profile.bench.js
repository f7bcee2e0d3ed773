// Where a cold static-index query's time goes in headless Chromium (issue #16), and A/B of two
// checkouts in the same page: opens a built index (bench/static-index.bench.js --keep --index DIR)
// over 127.0.0.1 and, per cold query (a fresh StaticIndex), reads the page's Resource Timing of
// every partition it fetched next to the query's start and end.
//
//   node bench/static-index-profile.bench.js --index DIR [--queries-from WORK] [--timed 10]
//        [--nprobe 32] [--compare-with /path/to/other/checkout] [--http2] [--playwright] [--cache-api]
//        [--node]
//
// The page runs in Chromium driven through a bare DevTools pipe (bench/helpers/bare-chromium.js),
// as a visitor's browser runs it; --playwright drives it with Playwright instead, whose Network
// instrumentation adds CPU time per byte fetched (compare cpuMsPerColdQuery). --cache-api opens
// with { cache: { cacheName } } (an empty Cache API cache per query), as a site that keeps what
// it fetched does. --node runs the A/B in Node instead (cold query medians only).
// --compare-with loads that checkout's js/ too and alternates cold queries between the two (same
// page, same server, same load). --http2 serves over HTTP/2 (TLS, a self-signed certificate made
// with openssl now; Chromium runs with --ignore-certificate-errors), else HTTP/1.1.
// Per query, in ms from the search() call: total; firstRequest / lastRequestSent (the last
// partition request left: requests wait for one of Chromium's 6 HTTP/1.1 connections per host);
// lastResponseEnd (the last partition byte arrived); after (lastResponseEnd -> answer: the page's
// own work after the network); per request medians: queued (fetch() -> request sent), ttfb
// (request sent -> first byte), download (first -> last byte).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from '../tests/helpers/paths.js';
import { CHROMIUM } from '../tests/helpers/browser.js';
import { openBenchPage } from './helpers/bench-page.js';

const argv = process.argv.slice(2);
const arg = (name, def) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const indexDir = path.resolve(arg('index', ''));
const WORK = arg('queries-from', path.join(os.tmpdir(), 'wasmbed-static-bench', 'n1000000-d384'));
const TIMED = Number(arg('timed', 10));
const NPROBE = Number(arg('nprobe', 32));
const OTHER = arg('compare-with', null);
const HTTP2 = argv.includes('--http2');
const PLAYWRIGHT = argv.includes('--playwright');
const CACHE_API = argv.includes('--cache-api');
/**
 * CPU ms (user + system, /proc, Linux) of the server and of each Chromium process type: on a
 * loaded machine a query's wall time follows the CPU each side needs.
 */
function cpuByProcess(serverPid) {
  const tick = 10;  // ms per clock tick (USER_HZ 100)
  const out = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd, stat;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');  // Chromium rewrites its argv into one string
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch { continue; }
    let name = null;
    if (Number(pid) === serverPid) name = 'server';
    else if (cmd.startsWith(CHROMIUM) || cmd.startsWith('/usr/lib/chromium/chromium') || cmd.startsWith('/proc/self/exe --type=')) {
      const type = cmd.match(/--type=(\S+)/)?.[1] ?? 'browser';
      const sub = cmd.match(/--utility-sub-type=(\S+)/)?.[1].split('.').pop();
      name = `chromium ${sub ?? type}`;
    }
    if (!name) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) * tick;
  }
  return out;
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));

const manifest = JSON.parse(await fs.readFile(path.join(indexDir, 'manifest.json'), 'utf8'));
const { queries: qflat } = JSON.parse(await fs.readFile(path.join(WORK, 'queries.json'), 'utf8'));
const dims = manifest.dims;
const queries = Array.from({ length: TIMED }, (_, i) => qflat.slice(i * dims, (i + 1) * dims));

const mounts = { '/': REPO_ROOT, '/bench-index/': indexDir, ...(OTHER ? { '/other/': path.resolve(OTHER) } : {}) };
const serverProcess = fork(path.join(REPO_ROOT, 'bench', 'helpers', 'serve-folder.js'), [JSON.stringify(mounts), ...(HTTP2 ? ['--http2'] : [])]);
const { url } = await new Promise((resolve) => serverProcess.once('message', resolve));
const pageUrl = `${url}/tests/browser/pages/vector-index.html`;
if (argv.includes('--node')) {
  // The same A/B in this Node process (fetch over 127.0.0.1 HTTP/1.1): cold query medians.
  const libs = { this: await import('../js/index.js') };
  if (OTHER) libs.other = await import(pathToFileURL(path.join(path.resolve(OTHER), 'js', 'index.js')).href);
  const totals = Object.fromEntries(Object.keys(libs).map((k) => [k, []]));
  const loadBefore = load();
  for (const q of queries) {
    for (const [name, lib] of Object.entries(libs)) {
      const index = await lib.StaticIndex.open(`${url}/bench-index/`, { preload: false });
      const t0 = performance.now();
      await index.search(Float32Array.from(q), { k: 10, nprobe: NPROBE });
      totals[name].push(performance.now() - t0);
      index.dispose();
    }
  }
  console.log(JSON.stringify({ nprobe: NPROBE, node: process.version, queries: TIMED, loadBefore, loadAfter: load(),
    coldMedianMs: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Number(median(v).toFixed(1))])) }));
  serverProcess.kill();
  process.exit(0);
}
const page = await openBenchPage(pageUrl, { playwright: PLAYWRIGHT, ignoreCertificateErrors: HTTP2 });
try {
  const loadBefore = load();
  const cpu0 = cpuByProcess(serverProcess.pid);
  const runs = await page.run(async ({ indexUrl, qs, nprobe, other, cacheApi }) => {
    const libs = { this: window.wasmbed };
    if (other) libs.other = await import('/other/js/index.js');
    performance.setResourceTimingBufferSize(100000);
    const out = [];
    for (const q of qs) {
      for (const [name, lib] of Object.entries(libs)) {
        const v = Float32Array.from(q);
        const cacheName = `profile-${name}`;
        if (cacheApi) await caches.delete(cacheName);
        const index = await lib.StaticIndex.open(indexUrl, { preload: false, ...(cacheApi ? { cache: { cacheName } } : {}) });
        performance.clearResourceTimings();
        const t0 = performance.now();
        await index.search(v, { k: 10, nprobe });
        const t1 = performance.now();
        const res = performance.getEntriesByType('resource').filter((e) => e.name.includes('/part-')).map((e) => ({
          start: e.startTime - t0, requestStart: e.requestStart - t0, responseStart: e.responseStart - t0,
          responseEnd: e.responseEnd - t0, protocol: e.nextHopProtocol,
        }));
        out.push({ name, total: t1 - t0, res });
        index.dispose();
      }
    }
    return out;
  }, { indexUrl: `${url}/bench-index/`, qs: queries, nprobe: NPROBE, other: Boolean(OTHER), cacheApi: CACHE_API });
  const cpu1 = cpuByProcess(serverProcess.pid);
  const cpuPerQuery = Object.fromEntries(Object.keys(cpu1).map((k) => [k, Math.round((cpu1[k] - (cpu0[k] ?? 0)) / runs.length)]));
  const rows = runs.map(({ name, total, res }) => ({
    name,
    total,
    requests: res.length,
    protocol: res[0]?.protocol,
    firstRequest: Math.min(...res.map((e) => e.start)),
    lastRequestSent: Math.max(...res.map((e) => e.requestStart)),
    lastResponseEnd: Math.max(...res.map((e) => e.responseEnd)),
    after: total - Math.max(...res.map((e) => e.responseEnd)),
    queued: median(res.map((e) => e.requestStart - e.start)),
    ttfb: median(res.map((e) => e.responseStart - e.requestStart)),
    download: median(res.map((e) => e.responseEnd - e.responseStart)),
  }));
  const fmt = (x) => (typeof x === 'number' ? Number(x.toFixed(1)) : x);
  const summary = {};
  for (const name of new Set(rows.map((r) => r.name))) {
    const mine = rows.filter((r) => r.name === name);
    summary[name] = Object.fromEntries(Object.keys(mine[0]).filter((k) => typeof mine[0][k] === 'number').map((k) => [k, fmt(median(mine.map((r) => r[k])))]));
    summary[name].totals = mine.map((r) => Math.round(r.total)).join(' ');
    summary[name].protocol = mine[0].protocol;
  }
  console.log(JSON.stringify({ nprobe: NPROBE, http2: HTTP2, driver: PLAYWRIGHT ? 'playwright' : 'bare DevTools pipe', cacheApi: CACHE_API, queries: TIMED, loadBefore, loadAfter: load(), cpuMsPerColdQuery: cpuPerQuery, medians: summary }, null, 1));
} finally {
  await page.close();
  serverProcess.kill();
}
