// Embedding throughput, time to first embedding and peak memory: wasmbed vs transformers.js, the
// same generated ONNX file, the same backend, batch 32, for the ko-sroberta-multitask (12x768,
// vocab 32000) and multilingual-e5-small (12x384, vocab 250037) shapes.
//
// Environments (--env):
//   node      onnxruntime-node 'cpu' for both (transformers.js's Node build cannot run 'wasm').
//             Each (system, model, case) runs in its own process, so peak RSS (maxRSS) is its own.
//   chromium  headless Chromium, ONNX Runtime Web's WASM execution provider for both, the page
//             cross-origin isolated (COOP/COEP) so both may use WASM threads; one fresh browser
//             per run (bench/helpers/browser-embed.js). Peak memory there is the renderer
//             process's VmHWM (peak RSS, /proc/<pid>/status; the ORT thread workers live in it).
//             wasmbed uses the default onnxruntime-web build, transformers.js its own import
//             ('onnxruntime-web/webgpu', asyncify build); both with device 'wasm'.
// Cases (--cases):
//   mixed     the shared Korean texts (KorSTS + KLUE-STS) as they come: lengths vary, which is
//             where transformers.js pads every batch to its longest text.
//   uniform   texts that all have the same token count (the corpus median, by the model's own
//             tokenizer), repeated to the same count: no padding waste for anyone.
// Threads (--threads default,1,2): 'default' is each library's own choice (wasmbed: every core;
// transformers.js / ORT-web: half the cores, at most 4; onnxruntime-node: physical cores); a
// number sets both to it. Report the equal-thread and default-thread rows separately.
//
// Time to first embedding (Node): a separate process that loads from the local model folder (the
// warm-cache case: files on disk, OS cache warm after an untimed run) and embeds one text,
// measured from process start (performance.now()). In Chromium it is the page's load + first
// embedding, files from 127.0.0.1 (cache: false for both).
//
// Batch planner (--planner): wasmbed alone, onnxruntime-node, one session, e5-small shape, a RAG
// corpus (pages of 64-512 tokens made by joining consecutive ../shared sentences, interleaved in
// document order with short sentences). The same texts, the same session and thread count, three
// plans: the cost planner (js/embedder/batching.js planBatches), the previous token-budget planner
// (planByTokenBudget, batch 32, 16384 tokens) and one text per run. Each plan runs --repeat times,
// interleaved; the median is reported. Writes bench/results/embed-planner.json.
//
// Usage: node bench/embed.bench.js [--texts N|all] [--env node,chromium] [--cases mixed,uniform]
//          [--models ko-sroberta,e5-small] [--threads default,2] [--no-first]
//        node bench/embed.bench.js --planner [--pages 24] [--threads 2] [--repeat 3]
// Writes bench/results/embed-<env>.json. The e5-small model gets a SentencePiece tokenizer trained
// here (tests/fixtures), with the real 250,037-row embedding table: the same compute and memory as
// the real model; token counts differ a little.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const { values: args } = parseArgs({
  options: {
    texts: { type: 'string', default: '512' }, models: { type: 'string', default: 'ko-sroberta,e5-small' },
    env: { type: 'string', default: 'node' }, cases: { type: 'string', default: 'mixed,uniform' },
    threads: { type: 'string', default: 'default' }, 'no-first': { type: 'boolean' },
    child: { type: 'string' }, 'texts-file': { type: 'string' }, 'first-only': { type: 'boolean' },
    planner: { type: 'boolean' }, pages: { type: 'string', default: '24' }, repeat: { type: 'string', default: '3' },
  },
});

const MODELS = {
  'ko-sroberta': { preset: 'ko-sroberta-multitask', tokenizer: () => path.join(SHARED(), 'tokenizers', 'klue-roberta-base', 'tokenizer.json') },
  'e5-small': { preset: 'multilingual-e5-small', tokenizer: xlmrTokenizer },
};
function SHARED() { return process.env.WASMBED_SHARED ?? path.resolve(ROOT, '..', 'shared'); }

/** All shared Korean sentences (KorSTS + KLUE-STS, both sentences of each pair), or the first n. */
async function koreanTexts(n) {
  const { loadCorpus } = await import('../tests/helpers/shared-texts.js');
  const texts = [...(loadCorpus('korsts') ?? []), ...(loadCorpus('klue-sts') ?? [])];
  return n === 'all' ? texts : texts.slice(0, Number(n));
}

/** `count` texts with the same token count (the median of `texts`, by the model's tokenizer). */
async function uniformTexts(dir, texts, count) {
  const { Tokenizer } = await import('../js/index.js');
  const tok = await Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  const lens = texts.map((t) => tok.encode(t, { maxLength: 512 }).ids.length);
  tok.dispose();
  const sorted = [...lens].sort((a, b) => a - b);
  const target = sorted[Math.floor(sorted.length / 2)];
  const same = texts.filter((_, i) => lens[i] === target);
  return { tokens: target, distinct: same.length, texts: Array.from({ length: count }, (_, i) => same[i % same.length]) };
}

function modelSettings(dir) {
  const cfg = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8'));
  return { pooling: cfg.pooling_mode_cls_token ? 'cls' : 'mean', normalize: existsSync(path.join(dir, '2_Normalize')) };
}

// ---- Node child process: one system, one model, one text list --------------------------------

async function child() {
  const [system, name, threadsArg] = args.child.split(':');
  const threads = threadsArg === 'default' ? undefined : Number(threadsArg);
  const dir = path.join(GEN, name);
  const texts = JSON.parse(readFileSync(args['texts-file'], 'utf8'));
  let embedAll, first;
  if (system === 'wasmbed') {
    const { Embedder } = await import('../js/index.js');
    const model = await Embedder.load(dir, { device: 'cpu', threads });
    first = () => model.embed([texts[0]]);
    embedAll = async () => (await model.embedFlat(texts, { batchSize: 32 })).count;
  } else {
    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = GEN + path.sep;
    const opts = { local_files_only: true, dtype: 'fp32', device: 'cpu' };
    if (threads) opts.session_options = { intraOpNumThreads: threads };
    const extractor = await pipeline('feature-extraction', name, opts);
    const { pooling, normalize } = modelSettings(dir);
    first = () => extractor([texts[0]], { pooling, normalize });
    embedAll = async () => {
      let n = 0;
      for (let i = 0; i < texts.length; i += 32) n += (await extractor(texts.slice(i, i + 32), { pooling, normalize })).dims[0];
      return n;
    };
  }
  await first();
  // performance.now() counts from process start: module loading, model load and one embedding.
  const firstMs = performance.now();
  if (args['first-only']) {
    process.stdout.write(JSON.stringify({ firstMs, peakMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
    return;
  }
  const t1 = performance.now();
  const n = await embedAll();
  const seconds = (performance.now() - t1) / 1000;
  process.stdout.write(JSON.stringify({ texts: n, seconds, textsPerSec: n / seconds, firstMs, peakMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function runChild(system, name, threads, textsFile, extra = []) {
  const argv = [fileURLToPath(import.meta.url), '--child', `${system}:${name}:${threads}`, '--texts-file', textsFile, ...extra];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) { console.error(r.stderr.slice(-3000)); throw new Error(`${system} on ${name} failed`); }
  return JSON.parse(line);
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(path.join(SHARED(), 'texts', 'korsts'))) {
    console.log('embed bench: ../shared (Korean texts, klue tokenizer) is absent: skipped');
    return;
  }
  const { makeModel } = await import('../models/generator/index.js');
  const corpus = await koreanTexts(args.texts);
  const envs = args.env.split(',');
  const cases = args.cases.split(',');
  const threadList = args.threads.split(',');
  const tmp = path.join(ROOT, 'build', 'bench');
  mkdirSync(tmp, { recursive: true });
  const rows = [];
  const log = (r) => { rows.push(r); console.error(JSON.stringify(r)); };
  for (const name of args.models.split(',')) {
    const spec = MODELS[name];
    if (!spec) throw new Error(`unknown model ${name}`);
    const dir = path.join(GEN, name);
    if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
      console.error(`generating ${name} (${spec.preset}) in ${dir} ...`);
      await makeModel(dir, { preset: spec.preset, tokenizer: await spec.tokenizer() });
    }
    for (const c of cases) {
      let texts = corpus;
      let note = 'mixed lengths';
      if (c === 'uniform') {
        const u = await uniformTexts(dir, corpus, corpus.length);
        texts = u.texts;
        note = `all ${u.tokens} tokens (${u.distinct} distinct texts)`;
      }
      const textsFile = path.join(tmp, `embed-texts-${name}-${c}.json`);
      writeFileSync(textsFile, JSON.stringify(texts));
      for (const threads of threadList) {
        for (const env of envs) {
          for (const system of ['wasmbed', 'transformers.js']) {
            const base = { env, case: c, note, model: name, system, threads };
            if (env === 'node') {
              log({ ...base, device: 'cpu', ...runChild(system, name, threads, textsFile) });
            } else if (env === 'chromium') {
              const { runInChromium } = await import('./helpers/browser-embed.js');
              const r = await runInChromium({ system, modelDir: dir, texts, batchSize: 32, threads: threads === 'default' ? undefined : Number(threads) });
              log({ ...base, device: 'wasm', threadsUsed: r.threads, texts: r.texts, seconds: r.seconds, textsPerSec: r.textsPerSec, firstMs: r.firstMs, peakMiB: r.peakMiB });
            } else throw new Error(`unknown env ${env}`);
          }
        }
      }
    }
    if (envs.includes('node') && !args['no-first']) {
      // Time to first embedding, second process start (disk cache warm): one untimed run, then measure.
      const textsFile = path.join(tmp, `embed-texts-${name}-mixed.json`);
      if (!existsSync(textsFile)) writeFileSync(textsFile, JSON.stringify(corpus));
      for (const system of ['wasmbed', 'transformers.js']) {
        runChild(system, name, 'default', textsFile, ['--first-only']);
        const r = runChild(system, name, 'default', textsFile, ['--first-only']);
        log({ env: 'node', case: 'first', model: name, system, threads: 'default', device: 'cpu', firstMs: r.firstMs, peakMiB: r.peakMiB });
      }
    }
  }
  report(rows);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  for (const env of envs) {
    const file = path.join(ROOT, 'bench', 'results', `embed-${env}.json`);
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), load: os.loadavg(), args, rows: rows.filter((r) => r.env === env) }, null, 2) + '\n');
  }
}

function report(rows) {
  console.log(`\nload average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${os.cpus().length} cores\n`);
  console.log('| env | model | case | threads | system | texts | texts/s | first embedding (ms) | peak (MiB) |\n|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const t = r.threadsUsed != null ? `${r.threads} (${r.threadsUsed})` : r.threads;
    console.log(`| ${r.env} | ${r.model} | ${r.case} | ${t} | ${r.system} | ${r.texts ?? ''} | ${r.textsPerSec?.toFixed(1) ?? ''} | ${r.firstMs.toFixed(0)} | ${r.peakMiB.toFixed(0)} |`);
  }
  console.log('');
  const key = (r) => `${r.env} ${r.model} ${r.case} threads=${r.threads}`;
  for (const k of new Set(rows.map(key))) {
    const w = rows.find((r) => key(r) === k && r.system === 'wasmbed');
    const t = rows.find((r) => key(r) === k && r.system === 'transformers.js');
    if (!w || !t) continue;
    const speed = w.textsPerSec ? `${(w.textsPerSec / t.textsPerSec).toFixed(2)}x texts/s, ` : '';
    console.log(`${k}: wasmbed / transformers.js = ${speed}first embedding ${(w.firstMs / t.firstMs).toFixed(2)}x, peak memory ${(w.peakMiB / t.peakMiB).toFixed(2)}x`);
  }
}

// ---- batch planner: cost planner vs token-budget planner vs one text per run --------------------

/**
 * Pages of 64..512 tokens (consecutive sentences joined, target lengths spread evenly over the
 * range in a fixed shuffled order) interleaved with 1-3 short sentences, in document order.
 */
function ragCorpus(sentences, count, pages) {
  const out = [];
  let at = 0;
  const next = () => sentences[at++ % sentences.length];
  for (let p = 0; p < pages; p++) {
    const target = 64 + ((p * 7) % pages) * Math.floor(448 / Math.max(1, pages - 1));
    let page = next();
    while (count(page) < target) page += ' ' + next();
    out.push(page);
    for (let k = 0; k < 1 + (p % 3); k++) out.push(next());
  }
  return out;
}

async function plannerBench() {
  const { loadCorpus } = await import('../tests/helpers/shared-texts.js');
  const sentences = [...(loadCorpus('korsts') ?? []), ...(loadCorpus('stsb-en') ?? [])];
  if (!sentences.length) { console.log('planner bench: ../shared texts are absent: skipped'); return; }
  const { makeModel } = await import('../models/generator/index.js');
  const { loadModel } = await import('../js/embedder/load.js');
  const { SessionRunner } = await import('../js/embedder/session-runner.js');
  const { TokenBatches } = await import('../js/embedder/token-batches.js');
  const { forward } = await import('../js/embedder/forward.js');
  const { PoolStage } = await import('../js/embedder/pool.js');
  const { planBatches, planByTokenBudget, planCost } = await import('../js/embedder/batching.js');
  const { costModel, runBytes } = await import('../js/embedder/cost-model.js');
  const name = 'e5-small';
  const dir = path.join(GEN, name);
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    console.error(`generating ${name} in ${dir} ...`);
    await makeModel(dir, { preset: MODELS[name].preset, tokenizer: await MODELS[name].tokenizer() });
  }
  const threads = args.threads === 'default' ? 2 : Number(args.threads.split(',')[0]);
  const parts = await loadModel(dir, { device: 'cpu', threads });
  const { core, tokenizer, settings } = parts;
  const runner = new SessionRunner(parts.session, parts.output);
  const maxLength = settings.maxLength;
  const count = (t) => tokenizer.encode(t, { maxLength: 1024 }).ids.length;
  const texts = ragCorpus(sentences, count, Number(args.pages)).map((t) => 'passage: ' + t);
  const model = costModel(parts.config, 'cpu');
  const probe = new TokenBatches(core, tokenizer, texts, { maxLength, truncate: 'end' });
  const lengths = probe.lengths;
  probe.dispose();
  const plans = {
    cost: planBatches(lengths, { batchSize: 32, model, memoryBudget: 1 << 30 }),
    'token budget (old)': planByTokenBudget(lengths, { batchSize: 32, tokenBudget: 16384 }),
    'one per run': lengths.length ? Array.from(lengths.keys(), (i) => ({ indices: [i], seqLen: Math.max(1, lengths[i]) })) : [],
  };
  async function runPlan(plan, list = texts) {
    const tokens = new TokenBatches(core, tokenizer, list, { maxLength, truncate: 'end' });
    const pool = new PoolStage(core, { count: list.length, pooling: settings.pooling, normalize: settings.normalize });
    const t0 = performance.now();
    for await (const out of forward({ runner, tokens, plan, padId: parts.padId })) pool.consume(out);
    const ms = performance.now() - t0;
    pool.dispose();
    tokens.dispose();
    return { ms, data: pool.data };
  }
  const short = texts.filter((t, i) => lengths[i] < 64).slice(0, 4);
  await runPlan([{ indices: [0, 1, 2, 3], seqLen: 64 }], short); // warm-up (first runs allocate)
  const times = Object.fromEntries(Object.keys(plans).map((k) => [k, []]));
  const results = {};
  for (let r = 0; r < Number(args.repeat); r++) {
    for (const [k, plan] of Object.entries(plans)) {
      const { ms, data } = await runPlan(plan);
      times[k].push(ms);
      results[k] = data;
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const tokensTotal = lengths.reduce((a, b) => a + b, 0);
  const sorted = [...lengths].sort((a, b) => a - b);
  console.log(`\nplanner bench: ${texts.length} texts (${Number(args.pages)} pages + short sentences), ${tokensTotal} tokens, lengths ${sorted[0]}..${sorted.at(-1)} (median ${sorted[sorted.length >> 1]})`);
  console.log(`e5-small shape (12 x 384), onnxruntime-node, ${threads} intra-op threads, ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  console.log('| plan | runs | padded tokens | modelled cost (rel.) | peak run memory (MiB) | median ms | texts/s | vs one per run |\n|---|---|---|---|---|---|---|---|');
  const base = median(times['one per run']);
  const rows = [];
  let maxDiff = 0;
  for (const [k, plan] of Object.entries(plans)) {
    const padded = plan.reduce((a, b) => a + b.indices.length * b.seqLen, 0);
    const mem = Math.max(...plan.map((b) => runBytes(model, b.indices.length, b.seqLen))) / 2 ** 20;
    const ms = median(times[k]);
    const row = { plan: k, runs: plan.length, padded, cost: planCost(model, plan) / planCost(model, plans['one per run']), peakRunMiB: mem, ms, all: times[k], textsPerSec: texts.length / (ms / 1000), speedup: base / ms };
    rows.push(row);
    console.log(`| ${k} | ${row.runs} | ${padded} | ${row.cost.toFixed(3)} | ${mem.toFixed(0)} | ${ms.toFixed(0)} | ${row.textsPerSec.toFixed(1)} | ${row.speedup.toFixed(2)}x |`);
    for (let i = 0; i < results[k].length; i++) maxDiff = Math.max(maxDiff, Math.abs(results[k][i] - results['one per run'][i]));
  }
  console.log(`\nlargest difference between the plans' vectors: ${maxDiff.toExponential(2)}`);
  await runner.dispose();
  tokenizer.dispose();
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'embed-planner.json'), JSON.stringify({ date: new Date().toISOString(), load: os.loadavg(), cores: os.cpus().length, threads, texts: texts.length, tokens: tokensTotal, rows, maxDiff }, null, 2) + '\n');
}

if (args.child) await child();
else if (args.planner) await plannerBench();
else await main();
