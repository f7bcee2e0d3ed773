#!/usr/bin/env node
// The vector index benchmark (bench/index-bench-core.js) inside headless Chromium: the repo is
// served from 127.0.0.1 with COOP/COEP (as the browser tests do), bench/index-bench.html runs the
// measurement in the page, and this script prints the same markdown table as the Node runner and
// writes bench/results/index-chromium[-quick].json.
//
//   node bench/index-browser.bench.js [--quick] [--sizes ...] [--dims ...] [--storages ...] [--k 10]
//        [--budget-ms 300] [--stat median|min] [--json path]   (also: node bench/index.bench.js --browser ...)
//
// Times are wall clock per query (a page has no CPU clock), from the median timed sample (default)
// or with --stat min the fastest one: on a loaded machine most samples include waiting for a core,
// and the fastest is the nearest a page gets to CPU time. wasm and JS always use the same statistic.
// Chromium: /usr/bin/chromium or $WASMBED_CHROMIUM, driven by playwright-core.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../tests/helpers/paths.js';
import { startStaticServer } from '../tests/helpers/server.js';
import { browserSkipReason, launchBrowser } from '../tests/helpers/browser.js';
import { formatTable, parseOptions } from './index-bench-core.js';

const opts = parseOptions(process.argv.slice(2));
const unavailable = await browserSkipReason();
if (unavailable) {
  console.error(unavailable.replace(': browser test skipped', ''));
  process.exit(1);
}
const jsonOut = opts.json ?? path.join(REPO_ROOT, 'bench', 'results', `index-chromium${opts.quick ? '-quick' : ''}.json`);
const server = await startStaticServer({ mounts: { '/': REPO_ROOT } });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('[bench] ')) console.log(text.slice(8));
    else if (msg.type() === 'error') console.error(`[page] ${text}`);
  });
  let crashed = null;
  page.on('crash', () => { crashed = new Error('the Chromium tab crashed (out of memory?)'); });
  await page.goto(`${server.url}/bench/index-bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  const userAgent = await page.evaluate(() => navigator.userAgent);
  const isolated = await page.evaluate(() => window.crossOriginIsolated);
  const chrome = /Chrom(?:e|ium)\/([\d.]+)/.exec(userAgent)?.[1] ?? userAgent;
  const { sizes, dims, storages, k, budgetMs } = opts;
  const stat = opts.stat ?? 'median';
  if (!['median', 'min'].includes(stat)) throw new Error(`--stat must be median or min, got ${stat}`);
  const run = await page.evaluate((o) => window.runBench(o), { sizes, dims, storages, k, budgetMs, stat }).catch((err) => {
    throw crashed ?? err;
  });
  const environment = `Chromium ${chrome} (headless, crossOriginIsolated: ${isolated}), served from ${server.url}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`;
  console.log('\n' + formatTable(run, { timeLabel: stat === 'min' ? 'wall (fastest sample)' : 'wall (median)', environment }));
  mkdirSync(path.dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), cpus: os.cpus().length, runtime: 'chromium', environment, k, stat, ...run }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), jsonOut)}`);
} finally {
  await browser.close();
  await server.close();
}
