// Embedding throughput on three corpora (bench/helpers/corpora.js: short sentences, a mixed
// retrieval corpus of heavy-tailed pages among short sentences, long pages), three model shapes
// and three runtimes, against transformers.js and against one text per run, at equal threads:
//
//   env node-cpu   onnxruntime-node. Systems: wasmbed (Embedder.embed, the cost planner),
//                  one text per run (the same Embedder and session, batchSize 1), and
//                  transformers.js 4.3.1 (feature-extraction pipeline, fp32, onnxruntime-node,
//                  batches of 32 in input order, its documented usage), each in its own process.
//   env node-wasm  onnxruntime-web's WASM build in Node (worker threads): wasmbed and one text per
//                  run (transformers.js's Node build runs onnxruntime-node only).
//   env chromium   headless Chromium, page cross-origin isolated (WASM threads): wasmbed and one
//                  text per run (default onnxruntime-web build), transformers.js (its web build,
//                  its own onnxruntime-web), one browser per system.
//   system 'pool'  (any env; --systems ...,pool) wasmbed's EmbedderPool: --workers workers (default
//                  every core), each one session with threads / workers intra-op threads, in its
//                  own process (Node: worker_threads) or its own Chromium (Web Workers), so the
//                  total thread count equals the others'.
//
// Every system loads the same generated model folder (models/generated/<shape>), fp32, with the
// same thread count (--threads, default every core). Corpora are built once per model with its
// tokenizer; per corpus, each system gets an untimed warm-up pass over a sample (ORT allocates
// its arena on the first runs of each new shape), then --repeat timed passes, interleaved across
// systems; the median is reported, with the load average at each pass.
//
// Reported per row: texts/s, real tokens/s, padded/real tokens (the tokens the runs computed,
// padding included, over the texts' own token counts), effective GFLOP/s (real tokens x the
// model's FLOPs per token, attention's seqLen^2 term per text, bench/helpers/model-flops.js, over
// wall time), and peak memory (Node: the process's peak RSS; Chromium: the renderer's VmHWM; both
// cumulative over the corpora run so far in that process, in the order short, mixed, long). Beside
// them, the fp32 GEMM peak (one 2048 x 1024 x 1024 MatMul graph) of the same runtime and threads,
// measured in the wasmbed process between passes.
//
// Usage: node bench/throughput.bench.js [--quick] [--models e5-small,ko-sroberta,bge-m3]
//          [--env node-cpu,node-wasm,chromium] [--corpora short,mixed,long]
//          [--sizes short:320,mixed:160,long:24] [--repeat 3] [--threads N]
//          [--warmup sample|full|none] [--workers N]
//          [--systems wasmbed,single,transformers.js,pool] (leave some out, e.g. transformers.js on
//          bge-m3's mixed corpus, where it pads every text of a batch to 512 tokens)
//   --quick: e5-small, node-cpu, sizes short:64,mixed:40,long:2, repeat 2 (a few minutes).
// Writes bench/results/throughput.json (throughput-quick.json with --quick).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCorpora, describeLengths } from './helpers/corpora.js';
import { corpusFlops } from './helpers/model-flops.js';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const SHARED = process.env.WASMBED_SHARED ?? path.resolve(ROOT, '..', 'shared');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    models: { type: 'string' },
    env: { type: 'string' },
    corpora: { type: 'string', default: 'short,mixed,long' },
    sizes: { type: 'string' },
    repeat: { type: 'string' },
    threads: { type: 'string' },
    gemm: { type: 'string', default: '2048x1024x1024' },
    out: { type: 'string' },
    systems: { type: 'string', default: 'wasmbed,single,transformers.js' },
    warmup: { type: 'string', default: 'sample' },
    workers: { type: 'string' },
  },
});
const quick = Boolean(args.quick);
const MODEL_NAMES = (args.models ?? (quick ? 'e5-small' : 'e5-small,ko-sroberta,bge-m3')).split(',');
const ENVS = (args.env ?? (quick ? 'node-cpu' : 'node-cpu,node-wasm,chromium')).split(',');
const CORPORA = args.corpora.split(',');
const SIZES = Object.fromEntries((args.sizes ?? (quick ? 'short:64,mixed:40,long:2' : 'short:320,mixed:160,long:24')).split(',').map((kv) => {
  const [k, v] = kv.split(':');
  return [k, Number(v)];
}));
const REPEAT = Number(args.repeat ?? (quick ? 2 : 3));
const THREADS = Number(args.threads ?? os.availableParallelism());
const [GM, GK, GN] = args.gemm.split('x').map(Number);
const SYSTEMS = args.systems.split(',');
const WORKERS = Number(args.workers ?? THREADS);
if (!['sample', 'full', 'none'].includes(args.warmup)) throw new Error(`--warmup must be sample, full or none, got ${args.warmup}`);

// The seed models' shapes. bge-m3 keeps its 24 x 1024 encoder with the 8k-piece test vocabulary
// (the embedding table does not change the per-token compute) and 512 tokens, as the corpora are.
const MODELS = {
  'e5-small': { dir: 'e5-small', preset: 'multilingual-e5-small', tokenizer: xlmrTokenizer },
  'ko-sroberta': { dir: 'ko-sroberta', preset: 'ko-sroberta-multitask', tokenizer: () => path.join(SHARED, 'tokenizers', 'klue-roberta-base', 'tokenizer.json') },
  'bge-m3': { dir: 'bge-m3-8k', preset: 'bge-m3', tokenizer: xlmrTokenizer, config: { vocab_size: null, max_position_embeddings: 514 }, st: { maxSeqLength: 512 } },
};

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load1 = () => Number(os.loadavg()[0].toFixed(2));

async function ensureModel(name) {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model ${name} (known: ${Object.keys(MODELS).join(', ')})`);
  const dir = path.join(GEN, spec.dir);
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    const { makeModel } = await import('../models/generator/index.js');
    console.error(`generating ${name} (${spec.preset}) in ${dir} ...`);
    await makeModel(dir, { preset: spec.preset, tokenizer: await spec.tokenizer(), config: spec.config, st: spec.st });
  }
  return dir;
}

/** The corpora for one model, with each text's token count (truncated at the model's limit). */
async function corporaFor(dir, sentences) {
  const { Tokenizer } = await import('../js/index.js');
  const tok = await Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  const st = JSON.parse(readFileSync(path.join(dir, 'sentence_bert_config.json'), 'utf8'));
  const limit = st.max_seq_length;
  const count = (t) => tok.encode(t, { maxLength: 4096 }).ids.length;
  const sizes = Object.fromEntries(CORPORA.map((c) => [c, SIZES[c] ?? 0]));
  const built = buildCorpora(sentences, count, sizes);
  const out = {};
  for (const c of CORPORA) {
    const texts = built[c];
    const lengths = texts.map((t) => tok.encode(t, { maxLength: limit }).ids.length);
    out[c] = { texts, lengths, summary: describeLengths(lengths) };
  }
  tok.dispose();
  return { corpora: out, limit };
}

/** Tokens each system's runs compute, padding included. */
async function paddedTokens(mode, lengths, config, device, texts) {
  if (mode === 'single') return lengths.reduce((a, b) => a + b, 0);
  if (mode === 'pool') {
    // Each worker plans its own chunks (js/worker/split.js), as one Embedder would plan that chunk.
    const { splitWork } = await import('../js/worker/split.js');
    let p = 0;
    for (const chunk of splitWork(texts, { workers: WORKERS, batchSize: 32 })) p += await paddedTokens('planned', chunk.map((i) => lengths[i]), config, device);
    return p;
  }
  if (mode === 'batch32') {
    let p = 0;
    for (let i = 0; i < lengths.length; i += 32) {
      const part = lengths.slice(i, i + 32);
      p += part.length * Math.max(...part);
    }
    return p;
  }
  const { planBatches } = await import('../js/embedder/batching.js');
  const { costModel } = await import('../js/embedder/cost-model.js');
  // As Embedder.embed plans them: its device's cost model and its default memory budget (128 MiB).
  const plan = planBatches(lengths, { batchSize: 32, model: costModel(config, device === 'cpu' ? 'cpu' : 'wasm'), memoryBudget: 128 << 20 });
  return plan.reduce((a, b) => a + b.indices.length * b.seqLen, 0);
}

// ---- systems: Node child processes or Chromium pages, one interface --------------------------

function nodeSystem(system, dir, device) {
  const child = fork(path.join(ROOT, 'bench', 'helpers', 'throughput-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending = null;
  child.on('message', (m) => { const p = pending; pending = null; p?.(m); });
  child.on('exit', (code) => { if (pending) pending({ ok: false, error: `child exited with ${code}` }); });
  const call = (msg) => new Promise((resolve, reject) => {
    pending = (m) => (m.ok ? resolve(m) : reject(new Error(`${system} (${device}): ${m.error}`)));
    child.send(msg);
  });
  return {
    async open() { return call({ cmd: 'load', system, modelDir: dir, device, threads: THREADS, workers: WORKERS }); },
    async run(mode, texts) { return call({ cmd: 'run', mode, texts }); },
    async gemm() { return call({ cmd: 'gemm', m: GM, k: GK, n: GN, reps: 3 }); },
    async peakMiB(last) { return last?.peakMiB ?? null; },
    async close() { child.send({ cmd: 'exit' }); await new Promise((r) => child.once('exit', r)); },
  };
}

function chromiumSystem(system, dir) {
  let page;
  return {
    async open() {
      const { openInChromium } = await import('./helpers/browser-embed.js');
      page = await openInChromium({ system, modelDir: dir, threads: THREADS, workers: WORKERS });
      if (!page.isolated) throw new Error('the benchmark page is not cross-origin isolated');
      return { threadsUsed: page.threads };
    },
    run: (mode, texts) => page.run(mode, texts),
    gemm: () => page.gemm({ m: GM, k: GK, n: GN, reps: 3 }),
    peakMiB: () => page.peakMiB(),
    close: () => page?.close(),
  };
}

/** [{ name, mode, system }] for one env: wasmbed's two modes share one process. */
function systemsFor(env, dir) {
  const make = (system, device) => (env === 'chromium' ? chromiumSystem(system, dir) : nodeSystem(system, dir, device));
  const device = env === 'node-wasm' ? 'wasm' : env === 'chromium' ? 'wasm' : 'cpu';
  const wasmbed = make('wasmbed', device);
  // wasmbed's process always runs (it measures the GEMM peak), its planned mode first.
  const list = [{ name: 'wasmbed', mode: 'planned', sys: wasmbed }];
  if (SYSTEMS.includes('single')) list.push({ name: 'one text per run', mode: 'single', sys: wasmbed });
  if (env !== 'node-wasm' && SYSTEMS.includes('transformers.js')) list.push({ name: 'transformers.js', mode: 'batch32', sys: make('transformers.js', 'cpu') });
  if (SYSTEMS.includes('pool')) list.push({ name: `wasmbed pool (${WORKERS} workers)`, mode: 'pool', sys: make('wasmbed-pool', device) });
  return list;
}

// ---- main --------------------------------------------------------------------------------------

async function benchModel(name, sentences, rows, gemms) {
  const dir = await ensureModel(name);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const { corpora, limit } = await corporaFor(dir, sentences);
  for (const [c, { summary }] of Object.entries(corpora)) {
    console.error(`${name} ${c}: ${summary.texts} texts, ${summary.tokens} tokens, lengths ${summary.max}..${summary.min} (median ${summary.median}; longest ${summary.top.join(', ')})`);
  }
  for (const env of ENVS) {
    const systems = systemsFor(env, dir);
    const opened = new Map();
    try {
      for (const s of systems) {
        if (!opened.has(s.sys)) opened.set(s.sys, await s.sys.open());
      }
      const threadsUsed = opened.get(systems[0].sys).threadsUsed;
      const gemmRuns = [];
      for (const c of CORPORA) {
        const { texts, lengths, summary } = corpora[c];
        // Warm-up: every mode once over a sample holding the corpus's longest and shortest texts
        // ('sample'), over the whole corpus ('full': every run shape seen once, steady state), or
        // not at all ('none': the first pass pays ORT's first run of each new shape).
        const order = Array.from(lengths.keys()).sort((a, b) => lengths[b] - lengths[a]);
        const sample = args.warmup === 'full' ? texts : [...order.slice(0, 2), ...order.slice(-6)].map((i) => texts[i]);
        if (args.warmup !== 'none') for (const s of systems) await s.sys.run(s.mode, sample);
        const times = new Map(systems.map((s) => [s, []]));
        const loads = [];
        const last = new Map();
        for (let r = 0; r < REPEAT; r++) {
          loads.push(load1());
          for (const s of systems) {
            const res = await s.sys.run(s.mode, texts);
            times.get(s).push(res.ms);
            last.set(s, res);
          }
          gemmRuns.push(await systems[0].sys.gemm());
        }
        const flops = corpusFlops(config, lengths);
        for (const s of systems) {
          const ms = median(times.get(s));
          const padded = await paddedTokens(s.mode, lengths, config, env === 'node-cpu' ? 'cpu' : env === 'node-wasm' ? 'wasm-node' : 'wasm-browser', texts);
          const row = {
            model: name, env, corpus: c, system: s.name, threads: THREADS, threadsUsed: opened.get(s.sys).threadsUsed ?? threadsUsed,
            workers: s.mode === 'pool' ? WORKERS : 1,
            texts: summary.texts, tokens: summary.tokens, padded, paddedRatio: padded / summary.tokens,
            ms, allMs: times.get(s), textsPerSec: summary.texts / (ms / 1000), tokensPerSec: summary.tokens / (ms / 1000),
            gflops: flops / (ms / 1000) / 1e9, peakMiB: await s.sys.peakMiB(last.get(s)), load: loads,
          };
          rows.push(row);
          console.error(`${name} ${env} ${c} ${s.name}: ${row.textsPerSec.toFixed(1)} texts/s, ${row.gflops.toFixed(1)} GFLOP/s, padded/real ${row.paddedRatio.toFixed(3)} (ms ${row.allMs.map((x) => x.toFixed(0)).join(' ')}; load ${loads.join(' ')})`);
        }
      }
      const best = Math.max(...gemmRuns.map((g) => g.gflops));
      gemms.push({ model: name, env, threads: THREADS, shape: gemmRuns[0].shape, gflops: best, medianGflops: median(gemmRuns.map((g) => g.medianGflops)) });
      console.error(`${name} ${env}: fp32 GEMM ${gemmRuns[0].shape} peak ${best.toFixed(1)} GFLOP/s`);
    } finally {
      for (const sys of new Set(systems.map((s) => s.sys))) await sys.close().catch(() => {});
    }
  }
  return { limit, corpora: Object.fromEntries(Object.entries(corpora).map(([c, v]) => [c, v.summary])) };
}

function report(rows, gemms) {
  const lines = [];
  lines.push(`load average (1 min) at each pass is in the JSON; now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${os.cpus().length} cores, threads ${THREADS}`);
  lines.push('\n| model | env | corpus | system | texts/s | tokens/s | padded/real | GFLOP/s (% of GEMM) | peak MiB | vs transformers.js | vs one per run | vs wasmbed |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const peer = (sys) => rows.find((x) => x.model === r.model && x.env === r.env && x.corpus === r.corpus && x.system === sys);
    const g = gemms.find((x) => x.model === r.model && x.env === r.env);
    const tjs = peer('transformers.js');
    const one = peer('one text per run');
    const single = peer('wasmbed');
    const ratio = (p) => (p && p !== r ? `${(r.textsPerSec / p.textsPerSec).toFixed(2)}x` : '');
    lines.push(`| ${r.model} | ${r.env} | ${r.corpus} | ${r.system} | ${r.textsPerSec.toFixed(1)} | ${r.tokensPerSec.toFixed(0)} | ${r.paddedRatio.toFixed(3)} | ${r.gflops.toFixed(1)} (${g ? ((100 * r.gflops) / g.gflops).toFixed(0) : '?'}%) | ${r.peakMiB?.toFixed(0) ?? ''} | ${ratio(tjs)} | ${ratio(one)} | ${ratio(single)} |`);
  }
  lines.push('\n| model | env | fp32 GEMM | peak GFLOP/s | median GFLOP/s |\n|---|---|---|---|---|');
  for (const g of gemms) lines.push(`| ${g.model} | ${g.env} | ${g.shape} | ${g.gflops.toFixed(1)} | ${g.medianGflops.toFixed(1)} |`);
  console.log(lines.join('\n'));
}

async function main() {
  const { loadCorpus } = await import('../tests/helpers/shared-texts.js');
  const sentences = [...(loadCorpus('korsts') ?? []), ...(loadCorpus('klue-sts') ?? [])];
  if (!sentences.length) {
    console.log('throughput bench: ../shared texts (KorSTS, KLUE-STS) are absent: skipped');
    return;
  }
  const rows = [];
  const gemms = [];
  const models = {};
  const started = new Date().toISOString();
  for (const name of MODEL_NAMES) models[name] = await benchModel(name, sentences, rows, gemms);
  report(rows, gemms);
  const file = args.out ?? path.join(ROOT, 'bench', 'results', quick ? 'throughput-quick.json' : 'throughput.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({
    started, finished: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, threads: THREADS,
    args: { quick, models: MODEL_NAMES, envs: ENVS, corpora: CORPORA, sizes: SIZES, repeat: REPEAT, gemm: args.gemm, warmup: args.warmup, systems: SYSTEMS, workers: WORKERS },
    models, gemms, rows,
  }, null, 2) + '\n');
  console.error(`wrote ${path.relative(ROOT, file)}`);
}

await main();
