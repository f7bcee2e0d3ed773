// bge-m3 at its real shape (XLM-R large: 24 x 1024, 16 heads, 250,002-piece vocabulary, 8,194
// positions; generated random weights, 2.27 GB fp32) in Node and headless Chromium, against
// transformers.js on the same Hub-style int8-dynamic file, with the same thread count.
//
// Files (made on first use under models/generated/bge-m3-real/, git-ignored):
//   fp32   onnx/model.onnx + model.onnx_data   make-model --preset bge-m3 --external-data
//   q8     onnx/model_nbits_q8.onnx            wasmbed quantize --format q8 (MatMulNBits 8-bit)
//   q4     onnx/model_q4.onnx                  wasmbed quantize --format q4 (MatMulNBits 4-bit)
//   int8   onnx/model_quantized.onnx           wasmbed quantize --format int8-dynamic (the Hub's
//                                              model_quantized.onnx layout; transformers.js dtype q8)
// The quantized files are made with --no-calibration (bias correction changes accuracy, not speed).
//
// Environments (--envs):
//   node-cpu    onnxruntime-node 1.30 (wasmbed device 'cpu'; transformers.js's Node build)
//   node-wasm   onnxruntime-web WASM in Node (wasmbed device 'wasm'; transformers.js's web build,
//               fetching from a local HTTP server)
//   chromium    headless Chromium, ONNX Runtime Web WASM, cross-origin isolated (threads), the
//               browser cache on (wasmbed: Cache API; transformers.js: its Cache API cache)
// Phases (both in fresh processes / browsers): cold = a fresh process whose model files were first dropped from the OS page cache
// (`dd iflag=nocache count=0`, this file only) / a fresh Chromium profile (empty Cache API, the
// model comes over HTTP from 127.0.0.1); warm = a fresh process with the files in the page cache /
// the same profile relaunched (model from the Cache API). Cold runs time the first embedding and
// peak memory only; query latency and throughput come from the warm run.
//
// Per run: time to first embedding (from process start / navigation start: runtime import, model
// load, one 16-token query), peak memory (Node: process.resourceUsage().maxRSS; Chromium: the
// largest renderer VmHWM from /proc/<pid>/status), query latency (16 tokens, median of --queries),
// passage throughput (--p256 texts of 256 tokens, --p512 of 512, each set in one embed call).
//
// Usage: node bench/bge-m3-real.bench.js [--envs node-cpu,node-wasm,chromium] [--dtypes q8,q4,int8,fp32]
//        [--systems wasmbed,transformers.js] [--phases cold,warm] [--threads 2] [--queries 3]
//        [--p256 2] [--p512 1] [--tag TEXT] [--table]
// --tag: appended to the environment's name in the results (e.g. '(1 thread)'), so a variant run
// does not replace the default one.
// Each run is merged into bench/results/bge-m3-real.json (keyed by env, system, dtype, phase), so
// the matrix can be run in parts; --table only prints the markdown table from that file.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const NAME = 'bge-m3-real';
const DIR = path.join(GEN, NAME);
const RESULTS = path.join(ROOT, 'bench', 'results', 'bge-m3-real.json');
const TJS_DIR = path.join(ROOT, 'node_modules', '@huggingface', 'transformers');
const TJS_ORT_DIST = path.join(TJS_DIR, 'node_modules', 'onnxruntime-web', 'dist');

// dtype -> the file, wasmbed's load options for it, and transformers.js's dtype (null: not run).
const DTYPES = {
  fp32: { file: 'onnx/model.onnx', wasmbed: { dtype: 'fp32' }, tjs: null, make: null },
  q8: { file: 'onnx/model_nbits_q8.onnx', wasmbed: { modelFile: 'onnx/model_nbits_q8.onnx' }, tjs: null, make: 'q8' },
  q4: { file: 'onnx/model_q4.onnx', wasmbed: { dtype: 'q4' }, tjs: null, make: 'q4' },
  int8: { file: 'onnx/model_quantized.onnx', wasmbed: { dtype: 'q8' }, tjs: 'q8', make: 'int8-dynamic' },
};

const { values: args } = parseArgs({
  options: {
    envs: { type: 'string', default: 'node-cpu,node-wasm,chromium' },
    dtypes: { type: 'string', default: 'q8,q4,int8,fp32' },
    systems: { type: 'string', default: 'wasmbed,transformers.js' },
    phases: { type: 'string', default: 'cold,warm' },
    threads: { type: 'string', default: '2' },
    queries: { type: 'string', default: '2' },
    p256: { type: 'string', default: '2' },
    p512: { type: 'string', default: '1' },
    table: { type: 'boolean' },
    tag: { type: 'string' },
    child: { type: 'string' },
  },
});

const fileBytes = (rel) => {
  const f = path.join(DIR, rel);
  return statSync(f).size + (existsSync(`${f}_data`) ? statSync(`${f}_data`).size : 0);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---------------------------------------------------------------------------------------------
// Model files and texts

function ensureModels(dtypes) {
  const cli = path.join(ROOT, 'js', 'cli.js');
  if (!existsSync(path.join(DIR, 'onnx', 'model.onnx'))) {
    const tokenizer = path.join(GEN, 'xlmr-250k.tokenizer.json'); // bench/helpers/xlmr-250k.js writes it
    if (!existsSync(tokenizer)) throw new Error(`${tokenizer} is missing: run node bench/tokenizer-load.bench.js once (it writes the 250k tokenizer)`);
    console.error(`generating ${DIR} (2.27 GB fp32, external data) ...`);
    execFileSync(process.execPath, [path.join(ROOT, 'models', 'generator', 'cli.js'), DIR, '--preset', 'bge-m3', '--tokenizer', tokenizer, '--external-data'], { stdio: 'inherit' });
  }
  for (const d of dtypes) {
    const { file, make } = DTYPES[d];
    if (!make || existsSync(path.join(DIR, file))) continue;
    console.error(`quantizing ${file} (${make}) ...`);
    execFileSync(process.execPath, [cli, 'quantize', path.join(DIR, 'onnx', 'model.onnx'), path.join(DIR, file), '--format', make, '--no-calibration'], { stdio: 'inherit' });
  }
}

/** Texts of exactly n tokens (specials included) for this model's tokenizer: shared STS sentences, ko/ru/en mixed. */
async function textsOfTokens(n, count, offset) {
  const { Tokenizer } = await import('../js/index.js');
  const { loadAllCorpora } = await import('../tests/helpers/shared-texts.js');
  const corpora = Object.values(loadAllCorpora() ?? {});
  if (!corpora.length) throw new Error('../shared texts are missing');
  const pool = corpora.flat();
  const tok = await Tokenizer.fromFile(path.join(DIR, 'tokenizer.json'));
  const out = [];
  try {
    let at = offset * 997;
    for (let k = 0; k < count; k++) {
      let text = '';
      while (tok.encode(text).ids.length < n) text += (text ? ' ' : '') + pool[at++ % pool.length];
      // Shorten by characters until the count is exactly n (a piece may span characters).
      let lo = 0, hi = text.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (tok.encode(text.slice(0, mid)).ids.length <= n) lo = mid; else hi = mid - 1;
      }
      text = text.slice(0, lo);
      if (tok.encode(text).ids.length !== n) text = text.slice(0, -1);
      out.push(text);
    }
  } finally {
    tok.dispose();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Node child: one (env, system, dtype) in its own process

async function serveModels() {
  const { startStaticServer } = await import('../scripts/static-server.js');
  return startStaticServer({ mounts: { '/': GEN }, isolate: false });
}

/** transformers.js's browser build in Node: it picks the web code paths (fetch, onnxruntime-web). */
async function importTransformersWeb() {
  const release = Object.getOwnPropertyDescriptor(process, 'release');
  // The build decides "Node" from process.release.name at import time; hide it for the import.
  Object.defineProperty(process, 'release', { value: { name: 'web-like' }, configurable: true });
  try {
    return await import(pathToFileURL(path.join(TJS_DIR, 'dist', 'transformers.web.js')).href);
  } finally {
    Object.defineProperty(process, 'release', release);
  }
}

async function openNode(job) {
  const threads = job.threads;
  if (job.system === 'wasmbed') {
    const { Embedder } = await import('../js/index.js');
    const model = await Embedder.load(DIR, { device: job.env === 'node-cpu' ? 'cpu' : 'wasm', threads, localFilesOnly: true, ...DTYPES[job.dtype].wasmbed });
    return { embed: (t) => model.embed(t), runtime: `${model.info.backend} ${model.info.device}`, threads: model.info.threads };
  }
  let tjs, opts, id;
  if (job.env === 'node-cpu') {
    tjs = await import('@huggingface/transformers');
    tjs.env.allowRemoteModels = false;
    tjs.env.localModelPath = GEN + path.sep;
    opts = { dtype: DTYPES[job.dtype].tjs, local_files_only: true, device: 'cpu', session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } };
    id = NAME;
  } else {
    tjs = await importTransformersWeb();
    const server = await serveModels();
    server.server?.unref?.();
    tjs.env.allowLocalModels = false;
    tjs.env.allowRemoteModels = true;
    tjs.env.remoteHost = `${server.url}/`;
    tjs.env.remotePathTemplate = '{model}/';
    tjs.env.useBrowserCache = false;
    tjs.env.useWasmCache = false;
    const wasm = tjs.env.backends.onnx.wasm;
    // The .mjs is imported (a file: URL); Emscripten in Node reads the .wasm with fs, so a plain
    // path (a file: URL goes to fetch, which has no file: in Node; an http: URL to fs).
    wasm.wasmPaths = {
      mjs: pathToFileURL(path.join(TJS_ORT_DIST, 'ort-wasm-simd-threaded.asyncify.mjs')).href,
      wasm: path.join(TJS_ORT_DIST, 'ort-wasm-simd-threaded.asyncify.wasm'),
    };
    wasm.numThreads = threads;
    opts = { dtype: DTYPES[job.dtype].tjs, device: 'wasm' };
    id = NAME;
  }
  const extractor = await tjs.pipeline('feature-extraction', id, opts);
  return { embed: (t) => extractor(t, { pooling: 'cls', normalize: true }), runtime: job.env === 'node-cpu' ? 'onnxruntime-node (transformers.js)' : 'onnxruntime-web WASM (transformers.js web build)', threads };
}

async function child(job) {
  const sys = await openNode(job);
  await sys.embed([job.query]);
  const firstMs = performance.now(); // since process start
  const r = await measure(sys, job);
  process.stdout.write(JSON.stringify({ firstMs, ...r, runtime: sys.runtime, threadsUsed: sys.threads, peakMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0); // ORT-web's worker threads would keep the process alive
}

async function measure(sys, job) {
  const queryMs = [];
  for (let i = 0; i < job.queries; i++) {
    const t = performance.now();
    await sys.embed([job.query]);
    queryMs.push(performance.now() - t);
  }
  const timed = async (texts) => {
    if (!texts.length) return null;
    const t = performance.now();
    await sys.embed(texts);
    return performance.now() - t;
  };
  return { queryMs, p256Ms: await timed(job.p256), p512Ms: await timed(job.p512) };
}

/** Drops the model's files from the OS page cache (GNU dd: count=0 with nocache drops the whole file). */
function dropPageCache(dtype) {
  const f = path.join(DIR, DTYPES[dtype].file);
  for (const x of [f, `${f}_data`]) if (existsSync(x)) spawnSync('dd', [`if=${x}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
}

function runNode(job) {
  if (job.phase === 'cold') dropPageCache(job.dtype);
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 3_600_000 });
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) {
    const lines = (r.stderr ?? '').trim().split('\n');
    // The thrown error's own line (minified sources print a code line first; skip long lines).
    const message = lines.find((l) => /ERROR_MESSAGE|^\w*Error:|abort\(/.test(l) && l.length < 2000) ?? lines.find((l) => /Error/.test(l)) ?? lines.at(-1) ?? '';
    return { error: `exit ${r.status ?? r.signal}: ${message.trim().slice(0, 600)}`, stderrTail: lines.slice(-12).join('\n').slice(0, 3000) };
  }
  return JSON.parse(line);
}

// ---------------------------------------------------------------------------------------------
// Chromium: one persistent profile per (system, dtype); cold = first launch, warm = relaunch

function descendants(rootPid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {}
  }
  const out = [];
  const walk = (p) => { for (const k of kids.get(p) ?? []) { out.push(k); walk(k); } };
  walk(rootPid);
  return out;
}

/** Largest VmHWM (MiB) of the renderer processes under the Chromium started with this profile. */
function rendererPeakMiB(profile) {
  const browsers = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      return cmd.includes(`--user-data-dir=${profile}`) && !cmd.includes('--type=');
    } catch { return false; }
  });
  const peaks = [];
  for (const b of browsers) {
    for (const pid of descendants(Number(b))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
        const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) peaks.push(Number(m[1]) / 1024);
      } catch {}
    }
  }
  return peaks.length ? Math.max(...peaks) : null;
}

async function runChromium(job, profile, server) {
  const { chromium } = await import('playwright-core');
  const { CHROMIUM } = await import('../tests/helpers/browser.js');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let crashed = false;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(3_600_000);
    page.on('crash', () => { crashed = true; });
    await page.goto(`${server.url}/bench/browser/bge-m3-real.html`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 120_000 });
    const r = await page.evaluate((o) => window.runBench(o), {
      system: job.system, dtype: DTYPES[job.dtype].tjs ?? DTYPES[job.dtype].wasmbed.dtype, modelFile: job.system === 'wasmbed' ? DTYPES[job.dtype].wasmbed.modelFile : undefined,
      threads: job.threads, modelUrl: `${server.url}/bench-models/${NAME}/`, modelRoot: '/bench-models/', modelId: NAME,
      query: job.query, queries: job.queries, p256: job.p256, p512: job.p512,
    }).catch((err) => ({ error: `${crashed ? 'renderer crashed (tab died)' : 'page failed'}: ${err.message.slice(0, 400)}`, crashed }));
    return { ...r, peakMiB: rendererPeakMiB(profile), runtime: 'onnxruntime-web WASM (Chromium)' };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Results and table

function loadResults() {
  try { return JSON.parse(readFileSync(RESULTS, 'utf8')); } catch { return { rows: [] }; }
}

function saveRow(row) {
  const res = loadResults();
  const key = (r) => [r.env, r.system, r.dtype, r.phase].join('|');
  res.rows = res.rows.filter((r) => key(r) !== key(row)).concat([row]);
  res.machine = `${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}`;
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(res, null, 2) + '\n');
}

function printTable() {
  const { rows, machine } = loadResults();
  const f0 = (x) => (x == null ? '–' : x.toFixed(0));
  const f1 = (x) => (x == null ? '–' : x.toFixed(1));
  const s = (ms) => (ms == null ? '–' : (ms / 1000).toFixed(1));
  const get = (env, system, dtype, phase) => rows.find((r) => r.env === env && r.system === system && r.dtype === dtype && r.phase === phase);
  const tps = (r, n, k) => (r?.[`p${n}Ms`] ? (n * k) / (r[`p${n}Ms`] / 1000) : null);
  console.log(`\nMachine: ${machine}. Threads ${rows[0]?.threads ?? '?'}. Load average (1 min) at each run in brackets.\n`);
  console.log('| where | system | file | MiB | first embedding cold / warm (s) | peak MiB cold / warm | peak / file | query 16 tok (ms) | 256-tok passages (tok/s) | 512-tok (tok/s) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const seen = new Set();
  for (const r of rows) {
    const k = [r.env, r.system, r.dtype].join('|');
    if (seen.has(k)) continue;
    seen.add(k);
    const cold = get(r.env, r.system, r.dtype, 'cold');
    const warm = get(r.env, r.system, r.dtype, 'warm');
    const w = warm?.error ? cold : warm ?? cold;
    const mib = r.fileBytes / 2 ** 20;
    const err = [cold, warm].find((x) => x?.error);
    if (err && !w?.firstMs) {
      console.log(`| ${r.env} | ${r.system} | ${r.dtype} | ${f0(mib)} | failed: ${err.error.slice(0, 160).replace(/\|/g, '/')} [${err.load1.toFixed(1)}] | ${f0(err.peakMiB)} | | | | |`);
      continue;
    }
    const peak = Math.max(cold?.peakMiB ?? 0, warm?.peakMiB ?? 0);
    console.log(`| ${r.env} | ${r.system} | ${r.dtype} | ${f0(mib)} | ${s(cold?.firstMs)} / ${s(warm?.firstMs)} [${f1(cold?.load1)} / ${f1(warm?.load1)}] | ${f0(cold?.peakMiB)} / ${f0(warm?.peakMiB)} | ${(peak / mib).toFixed(2)} | ${f0(w?.queryMs?.length ? median(w.queryMs) : null)} | ${f1(tps(w, 256, w?.p256n))} | ${f1(tps(w, 512, w?.p512n))} |`);
  }
  // Ratios against transformers.js on the same int8-dynamic file, same environment and threads.
  console.log('\n| where | wasmbed / transformers.js (int8-dynamic) | first embedding cold | warm | peak memory | query latency | 256-tok throughput | 512-tok throughput |\n|---|---|---|---|---|---|---|---|');
  for (const env of [...new Set(rows.map((r) => r.env))]) {
    const [wc, ww, tc, tw] = [get(env, 'wasmbed', 'int8', 'cold'), get(env, 'wasmbed', 'int8', 'warm'), get(env, 'transformers.js', 'int8', 'cold'), get(env, 'transformers.js', 'int8', 'warm')];
    if (!ww || !tw || ww.error || tw.error) continue;
    const ratio = (a, b) => (a != null && b != null ? (a / b).toFixed(2) : '–');
    console.log(`| ${env} | time or memory: < 1 is better for wasmbed; throughput: > 1 | ${ratio(wc?.firstMs, tc?.firstMs)} | ${ratio(ww.firstMs, tw.firstMs)} | ${ratio(Math.max(wc?.peakMiB ?? 0, ww.peakMiB), Math.max(tc?.peakMiB ?? 0, tw.peakMiB))} | ${ratio(median(ww.queryMs), median(tw.queryMs))} | ${ratio(tps(ww, 256, ww.p256n), tps(tw, 256, tw.p256n))} | ${ratio(tps(ww, 512, ww.p512n), tps(tw, 512, tw.p512n))} |`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (args.child) return child(JSON.parse(args.child));
  if (args.table) return printTable();
  const dtypes = args.dtypes.split(',');
  for (const d of dtypes) if (!DTYPES[d]) throw new Error(`unknown dtype ${d} (known: ${Object.keys(DTYPES).join(', ')})`);
  ensureModels(dtypes);
  const common = {
    threads: Number(args.threads), queries: Number(args.queries),
    query: (await textsOfTokens(16, 1, 0))[0], p256: await textsOfTokens(256, Number(args.p256), 1), p512: await textsOfTokens(512, Number(args.p512), 2),
  };
  const systems = args.systems.split(',');
  const phases = args.phases.split(',');
  let server = null;
  const tmpProfiles = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-bge-m3-real-'));
  try {
    for (const env of args.envs.split(',')) {
      for (const dtype of dtypes) {
        for (const system of systems) {
          if (system === 'transformers.js' && !DTYPES[dtype].tjs) continue;
          if (env === 'chromium' && !server) {
            const { startStaticServer } = await import('../scripts/static-server.js');
            server = await startStaticServer({ mounts: { '/': ROOT, '/bench-models/': GEN }, isolate: true });
          }
          const profile = path.join(tmpProfiles, `${system}-${dtype}`);
          for (const phase of phases) {
            const job = { env, system, dtype, phase, ...common };
            // Cold runs measure the start only (first embedding, peak memory); the steady state
            // (queries, passages) comes from the warm run. So does the fp32 attempt in a tab.
            if (phase === 'cold' || (env === 'chromium' && dtype === 'fp32')) Object.assign(job, { queries: phase === 'cold' ? 0 : 1, p256: [], p512: [] });
            const load1 = os.loadavg()[0];
            console.error(`${env} ${system} ${dtype} ${phase} (load ${load1.toFixed(1)}) ...`);
            const t = performance.now();
            const r = env === 'chromium' ? await runChromium(job, profile, server) : runNode(job);
            const row = {
              env: args.tag ? `${env} ${args.tag}` : env, system, dtype, phase, threads: job.threads, load1, loadavg: os.loadavg(), date: new Date().toISOString(),
              file: DTYPES[dtype].file, fileBytes: fileBytes(DTYPES[dtype].file), p256n: job.p256.length, p512n: job.p512.length,
              wallMs: performance.now() - t, ...r,
            };
            console.error(JSON.stringify({ ...row, stack: undefined }).slice(0, 600));
            saveRow(row);
          }
        }
      }
    }
  } finally {
    await server?.close();
    rmSync(tmpProfiles, { recursive: true, force: true });
  }
  printTable();
}

await main();
