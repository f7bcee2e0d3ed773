// Indexer throughput: the worker pool (js/indexer/pool.js) against a single worker, the same
// corpus, model and options, in the same run, interleaved, several repetitions.
//
// Configurations (workers x intra-op threads):
//   pool     cores x 1   (the default: one worker per core, one ONNX thread each)
//   single   1 x 1       (one worker, one thread: the baseline the issue's >= 1.8x compares with)
//   single2  1 x cores   (one worker using every core through ONNX Runtime's intra-op threads)
// Rate = passages per second of the embedding stage (first to last progress event: chunking and
// embedding, worker start-up excluded), build state only (writeIndex: false). Also the CPU time
// of the process (all threads) per passage over the same stage: on a machine loaded by others the
// wall-clock ratio measures the scheduler's share as much as the pool, while equal CPU per passage
// says the pool adds no work, so on idle cores its rate scales with them. The load average is
// recorded next to every repetition: this machine is shared.
//
// Corpus: ../shared/texts/stsb-en sentences joined 6 at a time into documents (JSONL), the
// all-MiniLM-L6-v2 shape (6 x 384, bert-base-uncased WordPiece from ../shared), passages of at
// most 128 tokens.
//
// Usage: node bench/indexer.bench.js [--docs 160] [--repeat 3] [--configs pool,single,single2]
// Writes bench/results/indexer.json.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildIndex } from '../js/indexer/index.js';
import { loadCorpus } from '../tests/helpers/shared-texts.js';
import { SHARED_DIR } from '../tests/helpers/paths.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { docs: { type: 'string', default: '160' }, repeat: { type: 'string', default: '3' }, configs: { type: 'string', default: 'pool,single,single2' } },
});
const cores = os.availableParallelism();
const CONFIGS = { pool: { workers: cores, threads: 1 }, single: { workers: 1, threads: 1 }, single2: { workers: 1, threads: cores } };

const sentences = loadCorpus('stsb-en');
if (!sentences) throw new Error(`${SHARED_DIR}/texts/stsb-en is missing: the benchmark needs ../shared`);
const modelDir = path.join(ROOT, 'models', 'generated', 'all-MiniLM-L6-v2');
if (!existsSync(path.join(modelDir, 'onnx', 'model.onnx'))) {
  const { makeModel } = await import('../models/generator/index.js');
  await makeModel(modelDir, { preset: 'all-MiniLM-L6-v2', tokenizer: path.join(SHARED_DIR, 'tokenizers', 'all-MiniLM-L6-v2') });
}
const work = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-indexer-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const docs = Number(args.docs);
const corpus = path.join(work, 'corpus.jsonl');
writeFileSync(corpus, Array.from({ length: docs }, (_, i) => JSON.stringify({ id: `d${i}`, text: sentences.slice(i * 6, i * 6 + 6).join(' ') })).join('\n') + '\n');

async function once(name) {
  const { workers, threads } = CONFIGS[name];
  const out = path.join(work, `out-${name}`);
  rmSync(out, { recursive: true, force: true });
  let start = null;
  let end = null;
  let cpuStart = null;
  let cpu = null;
  const t0 = performance.now();
  const r = await buildIndex({
    out, inputs: [corpus], model: modelDir, device: 'cpu', workers, threads, maxTokens: 128, blockDocs: 8, writeIndex: false,
    onProgress: ({ stage, done, total }) => {
      if (stage !== 'embed') return;
      if (done === 0) { start = performance.now(); cpuStart = process.cpuUsage(); }
      if (done === total) { end = performance.now(); cpu = process.cpuUsage(cpuStart); }
    },
  });
  const cpuSeconds = (cpu.user + cpu.system) / 1e6; // every thread of the process, workers included
  return { passages: r.count, embedSeconds: (end - start) / 1000, cpuSeconds, cpuMsPerPassage: (cpuSeconds * 1000) / r.count, totalSeconds: (performance.now() - t0) / 1000, rate: r.count / ((end - start) / 1000), load: os.loadavg()[0] };
}

const names = args.configs.split(',');
const runs = Object.fromEntries(names.map((n) => [n, []]));
await once('single'); // warm-up: OS file cache, model pages
for (let rep = 0; rep < Number(args.repeat); rep++) {
  for (const name of names) {
    const r = await once(name);
    runs[name].push(r);
    console.log(`${name.padEnd(8)} rep ${rep}: ${r.passages} passages in ${r.embedSeconds.toFixed(2)} s = ${r.rate.toFixed(1)}/s, CPU ${r.cpuMsPerPassage.toFixed(1)} ms/passage (total ${r.totalSeconds.toFixed(2)} s, load ${r.load.toFixed(2)})`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(names.map((n) => [n, {
  ...CONFIGS[n], medianRate: median(runs[n].map((r) => r.rate)), medianCpuMsPerPassage: median(runs[n].map((r) => r.cpuMsPerPassage)), runs: runs[n],
}]));
const speedup = summary.pool && summary.single ? summary.pool.medianRate / summary.single.medianRate : null;
const speedup2 = summary.pool && summary.single2 ? summary.pool.medianRate / summary.single2.medianRate : null;
console.log(`pool / single (1 thread): ${speedup?.toFixed(2)}x; pool / single (${cores} threads): ${speedup2?.toFixed(2)}x`);
for (const n of names) console.log(`${n}: median ${summary[n].medianRate.toFixed(1)} passages/s, ${summary[n].medianCpuMsPerPassage.toFixed(1)} CPU ms/passage`);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'indexer.json'), JSON.stringify({
  date: new Date().toISOString(), machine: `${os.cpus()[0]?.model} x ${cores}, ${os.platform()} ${os.arch()}, node ${process.version}`,
  corpus: `stsb-en, ${docs} documents of 6 sentences`, model: 'all-MiniLM-L6-v2 shape (generated), onnxruntime-node', maxTokens: 128, blockDocs: 8,
  speedupOverSingle: speedup, speedupOverSingleAllThreads: speedup2, configs: summary,
}, null, 1) + '\n');
