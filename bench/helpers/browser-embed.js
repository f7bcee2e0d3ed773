// Runs one embedding benchmark in headless Chromium: wasmbed or transformers.js (web build), the
// same model folder, ONNX Runtime Web's WASM execution provider, served from 127.0.0.1 with or
// without cross-origin isolation (COOP/COEP; WASM threads need it). Nothing is fetched from the
// network: the page maps every import to this repository's node_modules.
//
// Each call launches its own Chromium (fresh profile), so the memory figure belongs to one run.
//
// Peak memory: the renderer process's peak resident set size, VmHWM in /proc/<pid>/status (Linux),
// read after the run. The renderer's pid comes from the DevTools protocol (SystemInfo.
// getProcessInfo, type 'renderer'). ORT's WASM threads are Web Workers, which live in the same
// renderer process, so its VmHWM covers the WASM heap, JS heaps and worker stacks. The browser and
// GPU processes are not counted (they are the same for both systems). With several renderers
// (a spare one Chromium keeps ready), the largest VmHWM is the page's.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from '../../tests/helpers/browser.js';
import { startStaticServer } from '../../scripts/static-server.js';
import { readImportMap, rewriteBareImports } from '../../demo/serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function modelSettings(modelDir) {
  let pooling = 'mean';
  try {
    const cfg = JSON.parse(readFileSync(path.join(modelDir, '1_Pooling', 'config.json'), 'utf8'));
    if (cfg.pooling_mode_cls_token) pooling = 'cls';
  } catch {}
  let normalize = false;
  try {
    normalize = JSON.parse(readFileSync(path.join(modelDir, 'modules.json'), 'utf8')).some((m) => /Normalize/.test(m.type));
  } catch {}
  return { pooling, normalize };
}

// Chromium sets its own process priorities (renderers at nice 0), so `nice -n -20 node bench/...`
// would not reach the page. Every thread of the renderers (Linux nice is per thread: the page's
// Web Workers and ORT's threads are threads of the renderer) is given this process's priority,
// before each timed pass, since workers start threads later. Without the permission: left as is.
function matchPriority(pids) {
  const prio = os.getPriority();
  for (const pid of pids) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {}
    for (const tid of tids) {
      try {
        os.setPriority(tid, prio);
      } catch {}
    }
  }
}

function vmHwmMiB(pid) {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

/**
 * @param {object} o { system: 'wasmbed'|'transformers.js', modelDir, dtype = 'fp32', texts,
 *   batchSize = 32, threads (undefined: each library's default), isolated = true, timeoutMs }
 * @returns {Promise<{ texts, seconds, textsPerSec, firstMs, peakMiB, threads, isolated, info }>}
 */
export async function runInChromium({ system, modelDir, dtype = 'fp32', texts, batchSize = 32, threads, isolated = true, timeoutMs = 3_600_000 }) {
  if (system !== 'wasmbed' && system !== 'transformers.js') throw new Error(`unknown system ${system}`);
  modelDir = path.resolve(modelDir);
  const modelId = path.basename(modelDir);
  const server = await startStaticServer({ mounts: { '/': ROOT, '/bench-models/': path.dirname(modelDir) }, isolate: isolated });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeoutMs);
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}/bench/browser/embed.html`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
    const r = await page.evaluate((opts) => window.runBench(opts), {
      system, dtype, texts, batchSize, threads,
      modelUrl: `${server.url}/bench-models/${modelId}/`, modelRoot: '/bench-models/', modelId,
      ...modelSettings(modelDir),
    });
    if (r.error) throw new Error(`${system} in Chromium failed: ${r.error}${errors.length ? `\npage errors: ${errors.join('\n')}` : ''}`);
    const cdp = await browser.newBrowserCDPSession();
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    const peaks = processInfo.filter((p) => p.type === 'renderer').map((p) => vmHwmMiB(p.id)).filter((x) => x != null);
    if (!peaks.length) throw new Error('no renderer process found to measure');
    return { ...r, threads: r.info.ortThreads ?? null, peakMiB: Math.max(...peaks) };
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * A system loaded in its own headless Chromium and kept open, for interleaved, repeated runs
 * (bench/throughput.bench.js). batchSize: wasmbed's batchSize cap for 'planned' runs and
 * transformers.js's batch size. Returns { threads, isolated, run(mode, texts) -> { ms },
 * gemm({ m, k, n, reps }) (wasmbed only), peakMiB() (renderer VmHWM so far), close() }.
 */
export async function openInChromium({ system, modelDir, dtype = 'fp32', batchSize = 32, threads, workers, isolated = true, timeoutMs = 3_600_000 }) {
  modelDir = path.resolve(modelDir);
  const modelId = path.basename(modelDir);
  // Web Workers do not see the page's import map: wasmbed's own modules are served with their bare
  // specifiers ('onnxruntime-web') rewritten to the map's files, as a dev server would (demo/serve.js).
  const imports = readImportMap(readFileSync(path.join(ROOT, 'bench', 'browser', 'embed.html'), 'utf8'));
  const ownCode = path.join(ROOT, 'js') + path.sep;
  const server = await startStaticServer({
    mounts: { '/': ROOT, '/bench-models/': path.dirname(modelDir) },
    isolate: isolated,
    transform: (file, text) => (/\.m?js$/.test(file) && file.startsWith(ownCode) ? rewriteBareImports(text, imports) : undefined),
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const close = async () => { await browser.close(); await server.close(); };
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeoutMs);
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}/bench/browser/embed.html`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
    const fail = (what, r) => new Error(`${system} in Chromium: ${what} failed: ${r.error}${errors.length ? `\npage errors: ${errors.join('\n')}` : ''}`);
    const opened = await page.evaluate((opts) => window.openSystem(opts), {
      system, dtype, batchSize, threads, workers,
      modelUrl: `${server.url}/bench-models/${modelId}/`, modelRoot: '/bench-models/', modelId,
      ...modelSettings(modelDir),
    });
    if (opened.error) throw fail('load', opened);
    const cdp = await browser.newBrowserCDPSession();
    const renderers = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    return {
      threads: opened.threads,
      isolated: opened.isolated,
      async run(mode, texts) {
        matchPriority(await renderers());
        const r = await page.evaluate(([m, t]) => window.runMode(m, t), [mode, texts]);
        if (r.error) throw fail(mode, r);
        return r;
      },
      async gemm(shape) {
        const r = await page.evaluate((s) => window.gemmPeak(s), shape);
        if (r.error) throw fail('gemm', r);
        return r;
      },
      async peakMiB() {
        const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
        const peaks = processInfo.filter((p) => p.type === 'renderer').map((p) => vmHwmMiB(p.id)).filter((x) => x != null);
        return peaks.length ? Math.max(...peaks) : null;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
