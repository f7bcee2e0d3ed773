// Int8 compute: which quantized graph runs fastest per runtime, at what accuracy (issue #14 item 2).
//
// Per model shape (generated weights, real shapes), the same fp32 file is rewritten into:
//   fp32            the float graph
//   q8 / q4 al0     MatMulNBits, accuracy_level unset: float compute on dequantized weights
//   q8 / q4 al4     MatMulNBits, accuracy_level 4: int8 activations (MLAS CompInt8 kernels)
//   int8 pc / pt    DynamicQuantizeLinear + MatMulInteger, per-column / per-tensor weight scales
// and each file is timed with session.run on fixed token batches (32 x 128 and 1 x 512 by
// default), in one child process per runtime (onnxruntime-node; onnxruntime-web WASM in Node),
// all variants loaded at once and run interleaved, round after round in a rotating order, so the
// machine's load hits every variant alike. Speed is reported as the median over rounds of each
// round's ratio to fp32. Accuracy: mean / min cosine of the pooled, normalized vectors to fp32
// over shared texts (onnxruntime-node).
//
// Usage: node bench/int8-compute.bench.js [--models e5-small,ko-sroberta] [--runtimes cpu,wasm]
//        [--variants fp32,q8-al0,...] [--shapes 32x128,1x512] [--rounds 3] [--threads 2]
//        [--texts 128] [--no-accuracy] [--no-calibration]
// Writes bench/results/int8-compute.json and prints markdown tables. Models are generated on
// first use into models/generated/int8-<name>/ (gitignored); quantized files are kept there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const SHARED = process.env.WASMBED_SHARED ?? path.resolve(ROOT, '..', 'shared');

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'e5-small,ko-sroberta' }, runtimes: { type: 'string', default: 'cpu,wasm' },
    variants: { type: 'string' }, shapes: { type: 'string', default: '32x128,1x512' }, rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' }, texts: { type: 'string', default: '128' }, 'no-accuracy': { type: 'boolean' },
    'no-calibration': { type: 'boolean' },
    child: { type: 'string' },
  },
});

const MODELS = {
  'e5-small': { preset: 'multilingual-e5-small', tokenizer: xlmrTokenizer },
  'ko-sroberta': { preset: 'ko-sroberta-multitask', tokenizer: async () => path.join(SHARED, 'tokenizers', 'klue-roberta-base', 'tokenizer.json') },
};

export const VARIANTS = {
  fp32: null,
  'q8-al0': { format: 'q8' },
  'q8-al4': { format: 'q8', accuracyLevel: 4 },
  'q4-al0': { format: 'q4' },
  'q4-al4': { format: 'q4', accuracyLevel: 4 },
  'int8-pc': { format: 'int8-dynamic', perChannel: true },
  'int8-pt': { format: 'int8-dynamic', perChannel: false },
};
const fileOf = (v) => (v === 'fp32' ? 'model.onnx' : `model_${v}.onnx`);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Child: one runtime, every variant of one model loaded, timed interleaved. */
async function child() {
  const job = JSON.parse(args.child);
  const { createSession } = await import('../js/embedder/backend.js');
  const sessions = {};
  for (const v of job.variants) {
    const file = path.join(job.dir, 'onnx', fileOf(v));
    sessions[v] = await createSession(job.runtime, job.runtime === 'cpu' ? { path: file, name: file } : { bytes: readFileSync(file), name: file }, { threads: job.threads });
  }
  const { Tensor } = sessions[job.variants[0]].ort;
  // Fixed pseudo-random ids (a linear congruential sequence): every variant sees the same batch.
  let seed = 12345;
  const nextId = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return 5 + (seed % (job.vocab - 5)); };
  const feedsFor = (B, S, s) => {
    const ids = BigInt64Array.from({ length: B * S }, () => BigInt(nextId()));
    const f = { input_ids: new Tensor('int64', ids, [B, S]), attention_mask: new Tensor('int64', new BigInt64Array(B * S).fill(1n), [B, S]) };
    if (s.inputNames.includes('token_type_ids')) f.token_type_ids = new Tensor('int64', new BigInt64Array(B * S), [B, S]);
    return f;
  };
  const rows = [];
  for (const shape of job.shapes) {
    const [B, S] = shape.split('x').map(Number);
    const feeds = Object.fromEntries(job.variants.map((v) => [v, feedsFor(B, S, sessions[v])]));
    // Same ids for all variants.
    for (const v of job.variants) feeds[v].input_ids = feeds[job.variants[0]].input_ids;
    for (const v of job.variants) await sessions[v].run(feeds[v]); // warm-up (kernel packing, arenas)
    const times = Object.fromEntries(job.variants.map((v) => [v, []]));
    for (let r = 0; r < job.rounds; r++) {
      const order = job.variants.map((_, i) => job.variants[(i + r) % job.variants.length]);
      for (const v of order) {
        const t0 = performance.now();
        await sessions[v].run(feeds[v]);
        times[v].push(performance.now() - t0);
      }
    }
    for (const v of job.variants) {
      const ratios = times[v].map((t, r) => times.fp32[r] / t);
      rows.push({ shape, variant: v, ms: median(times[v]), times: times[v], speedup: median(ratios), textsPerSec: (B * 1000) / median(times[v]) });
    }
  }
  for (const s of Object.values(sessions)) await s.release();
  process.stdout.write(JSON.stringify({ rows, loadavg: os.loadavg() }) + '\n');
}

async function makeModel(name) {
  const spec = MODELS[name];
  const dir = path.join(GEN, `int8-${name}`);
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    console.error(`generating ${dir} ...`);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'models', 'generator', 'cli.js'), dir, '--preset', spec.preset, '--tokenizer', await spec.tokenizer(), '--seed', '3', '--force'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`make-model ${name} failed`);
  }
  return dir;
}

async function makeVariants(dir, variants) {
  const { quantizeModel } = await import('../js/quantize/quantize.js');
  const made = {};
  for (const v of variants) {
    const out = path.join(dir, 'onnx', fileOf(v));
    if (VARIANTS[v] && !existsSync(out)) {
      const t0 = performance.now();
      // --no-calibration: plain rounding, for speed-only runs (the graph is the same but for an Add
      // where a MatMul has no bias; the generated encoders have biases everywhere).
      const r = await quantizeModel(path.join(dir, 'onnx', 'model.onnx'), out, { ...VARIANTS[v], ...(args['no-calibration'] ? { calibration: false } : {}) });
      made[v] = { seconds: (performance.now() - t0) / 1000, outBytes: r.outBytes, biasCorrected: r.biasCorrected };
      console.error(`${v}: ${JSON.stringify(made[v])}`);
    }
  }
  return made;
}

async function accuracy(dir, variants, n) {
  const { compareModels } = await import('../js/quantize/evaluate.js');
  const { loadAllCorpora } = await import('../tests/helpers/shared-texts.js');
  const corpora = Object.values(loadAllCorpora() ?? {});
  const texts = [];
  // The second half of each corpus: the built-in calibration texts are the package's own.
  for (let i = 0; texts.length < n; i++) for (const c of corpora) if (texts.length < n) texts.push(c[c.length - 1 - i]);
  const out = {};
  for (const v of variants) {
    if (v === 'fp32') continue;
    const r = await compareModels(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', fileOf(v)), texts, { device: 'cpu' });
    out[v] = { mean: r.mean, min: r.min, bytes: r.candidateBytes };
    console.error(`${v}: cosine ${r.mean.toFixed(6)} / ${r.min.toFixed(6)}`);
  }
  return out;
}

async function main() {
  if (args.child) return child();
  const variants = args.variants ? args.variants.split(',') : Object.keys(VARIANTS);
  if (!variants.includes('fp32')) variants.unshift('fp32');
  // Results accumulate in one file, per model and runtime, so runs of parts of the matrix (the
  // 2-core machine takes hours for all of it under load) add up; each entry keeps its own date.
  const file = path.join(ROOT, 'bench', 'results', 'int8-compute.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { machine: `${os.cpus()[0]?.model} x ${os.cpus().length}`, node: process.version, threads: Number(args.threads), models: {} };
  const save = () => { mkdirSync(path.dirname(file), { recursive: true }); writeFileSync(file, JSON.stringify(results, null, 2) + '\n'); };
  for (const name of args.models.split(',')) {
    const dir = await makeModel(name);
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    const made = await makeVariants(dir, variants);
    const entry = results.models[name] ?? { runtimes: {} };
    results.models[name] = entry;
    entry.made = { ...entry.made, ...made };
    for (const runtime of args.runtimes.split(',')) {
      const job = { dir, runtime, variants, shapes: args.shapes.split(','), rounds: Number(args.rounds), threads: Number(args.threads), vocab: config.vocab_size };
      const before = os.loadavg();
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (r.status !== 0 || !line) throw new Error(`${name} ${runtime} failed: ${r.stderr.slice(-2000)}`);
      entry.runtimes[runtime] = { date: new Date().toISOString(), rounds: job.rounds, ...JSON.parse(line), loadavgBefore: before };
      save();
      for (const row of entry.runtimes[runtime].rows) console.error(`${name} ${runtime} ${row.shape} ${row.variant}: ${row.ms.toFixed(0)} ms, ${row.speedup.toFixed(2)}x fp32`);
    }
    if (!args['no-accuracy']) { entry.accuracy = { ...entry.accuracy, ...(await accuracy(dir, variants, Number(args.texts))) }; save(); }
  }
  save();
  for (const [name, m] of Object.entries(results.models)) {
    const shapes = args.shapes.split(',');
    const rts = Object.keys(m.runtimes);
    const all = Object.keys(VARIANTS);
    console.log(`\n${name} (${args.threads} threads; load ${rts.map((r) => m.runtimes[r].loadavg[0].toFixed(1)).join(' / ')})\n`);
    console.log(`| variant | ${rts.flatMap((r) => shapes.map((s) => `${r} ${s}: ms (x fp32)`)).join(' | ')} | cosine mean / min |`);
    console.log(`|---|${rts.flatMap(() => shapes.map(() => '---')).join('|')}|---|`);
    for (const v of all) {
      const cells = rts.flatMap((r) => shapes.map((s) => { const x = m.runtimes[r].rows.find((y) => y.shape === s && y.variant === v); return x ? `${x.ms.toFixed(0)} (${x.speedup.toFixed(2)}x)` : '-'; }));
      const a = m.accuracy?.[v];
      console.log(`| ${v} | ${cells.join(' | ')} | ${a ? `${a.mean.toFixed(6)} / ${a.min.toFixed(6)}` : '-'} |`);
    }
  }
}

await main();
