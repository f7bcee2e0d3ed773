// `wasmbed eval` on this machine: retrieval measures for a generated model in fp32 / q8 / q4 on a
// BEIR-layout dataset built from the ../shared sentence corpora (documents = paragraphs of 4
// consecutive distinct sentences, queries = one sentence of every other paragraph, its relevant
// document = that paragraph), the same data in the AutoRAG parquet layout, a tiny model with BGE-M3
// heads for the bge-m3 mode, and KorSTS dev Spearman. Model weights are random (nothing can be
// downloaded here): the dense, hybrid and bge-m3 numbers say nothing about any real model; the
// lexical (BM25) numbers are real, since they depend only on the tokenizer.
//
// Usage: node bench/eval.bench.js [--paragraphs N] [--sts-pairs N]
// Writes bench/results/eval.json and prints markdown tables. Models go to models/generated/eval-*.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeModel } from '../models/generator/index.js';
import { compareRetrievalTable, evaluateRetrieval, evaluateSts, retrievalJson, retrievalTables, stsTable } from '../js/eval/index.js';
import { paragraphDataset, writeAutoragParquet, writeBeir } from '../tests/helpers/eval-dataset.js';
import { xlmrTokenizer } from './helpers/xlmr-tokenizer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const SHARED = path.resolve(ROOT, '..', 'shared');
const { values: args } = parseArgs({ options: { paragraphs: { type: 'string', default: '400' }, 'sts-pairs': { type: 'string', default: '1500' } } });

function cli(...argv) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'js', 'cli.js'), ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wasmbed ${argv.join(' ')} failed:\n${r.stderr}`);
}

async function koSroberta() {
  const dir = path.join(GEN, 'eval-ko-sroberta');
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    await makeModel(dir, { preset: 'ko-sroberta-multitask', tokenizer: path.join(SHARED, 'tokenizers', 'klue-roberta-base'), seed: 0 });
  }
  for (const [format, file] of [['q8', 'model_quantized.onnx'], ['q4', 'model_q4.onnx']]) {
    if (!existsSync(path.join(dir, 'onnx', file))) cli('quantize', path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', file), '--format', format);
  }
  return dir;
}

async function tinyM3() {
  const dir = path.join(GEN, 'eval-tiny-xlmr-m3');
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) await makeModel(dir, { preset: 'tiny-xlm-roberta', tokenizer: await xlmrTokenizer(), seed: 3, heads: true });
  return dir;
}

// The dataset's single-document judgments as AutoRAG groups of one id each.
function writeAutorag(dir, { corpus, queries, qrels }) {
  const groups = new Map(queries.map((q) => [q.id, []]));
  for (const r of qrels) groups.get(r.queryId).push([r.docId]);
  return writeAutoragParquet(dir, { corpus: corpus.map((d) => [d.id, d.text]), qa: queries.map((q) => [q.id, q.text, groups.get(q.id)]) });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-eval-bench-'));
try {
  const data = paragraphDataset({ corpora: ['korsts', 'klue-sts', 'stsb-ru', 'stsb-en'], paragraphs: Number(args.paragraphs) });
  if (!data) throw new Error('../shared/texts is needed');
  const beir = writeBeir(path.join(work, 'beir'), data);
  const autorag = writeAutorag(work, data);
  const cacheDir = path.join(work, 'cache');
  const ko = await koSroberta();
  const m3 = await tinyM3();
  const results = [];
  const timings = [];
  for (const dtype of ['fp32', 'q8', 'q4']) {
    const t0 = Date.now();
    const r = await evaluateRetrieval({ model: ko, dtype, device: 'wasm', ...beir, modes: ['dense', 'lexical', 'hybrid'], cacheDir });
    const t1 = Date.now();
    const again = await evaluateRetrieval({ model: ko, dtype, device: 'wasm', ...beir, modes: ['dense'], ks: [10], cacheDir });
    timings.push({ dtype, firstSeconds: (t1 - t0) / 1000, cachedSeconds: (Date.now() - t1) / 1000, corpusFrom: again.cache.corpus.source });
    r.model = 'ko-sroberta shape (random)';
    results.push(r);
    console.error(`${dtype}: ${((t1 - t0) / 1000).toFixed(1)} s, again from the cache ${timings.at(-1).cachedSeconds.toFixed(1)} s`);
  }
  const m3Result = await evaluateRetrieval({ model: m3, device: 'wasm', ...beir, modes: ['bge-m3', 'dense', 'lexical'], cache: false });
  m3Result.model = 'tiny-xlm-roberta + BGE-M3 heads (random)';
  results.push(m3Result);
  const autoragResult = await evaluateRetrieval({ model: ko, device: 'wasm', ...autorag, modes: ['lexical', 'hybrid'], cacheDir });
  autoragResult.model = 'ko-sroberta shape (random)';

  const stsPairs = path.join(SHARED, 'texts', 'korsts', 'sts-dev.tsv');
  const lines = readFileSync(stsPairs, 'utf8').split('\n');
  const stsFile = path.join(work, 'korsts.tsv');
  writeFileSync(stsFile, lines.slice(0, Number(args['sts-pairs']) + 1).join('\n') + '\n');
  const sts = [];
  for (const dtype of ['fp32', 'q8', 'q4']) {
    const r = await evaluateSts({ model: ko, dtype, device: 'wasm', pairs: stsFile });
    r.model = 'ko-sroberta shape (random)';
    sts.push(r);
  }

  const env = `${os.cpus().length} cores (${os.cpus()[0].model.trim()}), Node ${process.versions.node}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`;
  let out = `## Retrieval, BEIR layout: ${data.corpus.length} paragraphs, ${data.queries.length} queries (../shared KorSTS, KLUE-STS, STS-B ru/en), ONNX Runtime WASM\n\n`;
  out += compareRetrievalTable(results, 10) + '\n';
  out += `Time per dtype (first run embeds the corpus; the second, other k, reads it from the cache):\n\n| dtype | first run | second run | corpus on the second run |\n| --- | --- | --- | --- |\n`;
  for (const t of timings) out += `| ${t.dtype} | ${t.firstSeconds.toFixed(1)} s | ${t.cachedSeconds.toFixed(1)} s | ${t.corpusFrom} |\n`;
  out += `\n## The same data in the AutoRAG layout (parquet, one group per query), fp32\n\n${retrievalTables(autoragResult)}\n`;
  out += `## KorSTS dev (${sts[0].pairs} pairs)\n\n${stsTable(sts)}\n${env}\n`;
  console.log(out);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const strip = (r) => { const j = retrievalJson(r); for (const m of Object.values(j.results)) delete m.perQuery; return j; };
  writeFileSync(path.join(ROOT, 'bench', 'results', 'eval.json'), JSON.stringify({
    date: new Date().toISOString(), environment: env, load: os.loadavg(), args,
    retrieval: results.map(strip), autorag: strip(autoragResult), timings, sts: sts.map(({ perPair, ...rest }) => rest),
  }, null, 1) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
