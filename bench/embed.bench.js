// Embedding throughput and peak memory: wasmbed vs transformers.js, the same generated ONNX file,
// the same backend (onnxruntime-node, or onnxruntime-web WASM with --wasm), in Node, on the
// ../shared Korean texts as they come (mixed lengths), batch 32, for the ko-sroberta-multitask
// and multilingual-e5-small shapes. Each (system, model) runs in its own process so peak RSS is
// its own. Models are generated on first use into models/generated/ (gitignored).
//
// Usage: node bench/embed.bench.js [--texts N] [--wasm] [--models ko-sroberta,e5-small]
// The e5-small model gets a SentencePiece tokenizer trained here (tests/fixtures), with the real
// 250,037-row embedding table: same compute and memory as the real model; token counts differ a little.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const { values: args } = parseArgs({
  options: {
    texts: { type: 'string', default: '512' }, wasm: { type: 'boolean' }, models: { type: 'string', default: 'ko-sroberta,e5-small' },
    child: { type: 'string' }, threads: { type: 'string' },
  },
});

const MODELS = {
  'ko-sroberta': { preset: 'ko-sroberta-multitask', tokenizer: () => path.join(SHARED(), 'tokenizers', 'klue-roberta-base', 'tokenizer.json') },
  'e5-small': { preset: 'multilingual-e5-small', tokenizer: xlmrTokenizer },
};
function SHARED() { return process.env.WASMBED_SHARED ?? path.resolve(ROOT, '..', 'shared'); }

function xlmrTokenizer() {
  const file = path.join(GEN, 'xlmr-uni-all-8000.tokenizer.json');
  return import('../scripts/tokenizer-fixtures/spm-convert.js').then(({ convertSentencePiece }) => {
    if (!existsSync(file)) {
      const model = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'tokenizers', 'spm', 'uni-all-8000-bf.model'));
      mkdirSync(GEN, { recursive: true });
      writeFileSync(file, JSON.stringify(convertSentencePiece(model, 'xlm-roberta')));
    }
    return file;
  });
}

async function koreanTexts(n) {
  const { loadCorpus } = await import('../tests/helpers/shared-texts.js');
  const texts = [...(loadCorpus('korsts') ?? []), ...(loadCorpus('klue-sts') ?? [])];
  return texts.slice(0, n);
}

async function child() {
  const [system, name] = args.child.split(':');
  const dir = path.join(GEN, name);
  const texts = await koreanTexts(Number(args.texts));
  const device = args.wasm ? 'wasm' : 'cpu';
  const t0 = performance.now();
  let embedAll, first;
  if (system === 'wasmbed') {
    const { Embedder } = await import('../js/index.js');
    const model = await Embedder.load(dir, { device, threads: args.threads ? Number(args.threads) : undefined });
    first = () => model.embed([texts[0]]);
    embedAll = async () => (await model.embedFlat(texts, { batchSize: 32 })).count;
  } else {
    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = GEN + path.sep;
    const opts = { local_files_only: true, dtype: 'fp32', device };
    if (args.threads) opts.session_options = { intraOpNumThreads: Number(args.threads) };
    const extractor = await pipeline('feature-extraction', name, opts);
    const cfg = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8'));
    const pooling = cfg.pooling_mode_cls_token ? 'cls' : 'mean';
    const normalize = existsSync(path.join(dir, '2_Normalize'));
    first = () => extractor([texts[0]], { pooling, normalize });
    embedAll = async () => {
      let n = 0;
      for (let i = 0; i < texts.length; i += 32) n += (await extractor(texts.slice(i, i + 32), { pooling, normalize })).dims[0];
      return n;
    };
  }
  await first();
  const firstMs = performance.now() - t0;
  const t1 = performance.now();
  const n = await embedAll();
  const secs = (performance.now() - t1) / 1000;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ system, model: name, device, texts: n, seconds: secs, textsPerSec: n / secs, firstMs, peakMiB }) + '\n');
}

async function main() {
  if (!existsSync(path.join(SHARED(), 'texts', 'korsts'))) {
    console.log('embed bench: ../shared (Korean texts, klue tokenizer) is absent: skipped');
    return;
  }
  const { makeModel } = await import('../models/generator/index.js');
  const rows = [];
  for (const name of args.models.split(',')) {
    const spec = MODELS[name];
    if (!spec) throw new Error(`unknown model ${name}`);
    const dir = path.join(GEN, name);
    if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
      console.error(`generating ${name} (${spec.preset}) in ${dir} ...`);
      await makeModel(dir, { preset: spec.preset, tokenizer: await spec.tokenizer() });
    }
    for (const system of ['wasmbed', 'transformers.js']) {
      const argv = [fileURLToPath(import.meta.url), '--child', `${system}:${name}`, '--texts', args.texts];
      if (args.wasm) argv.push('--wasm');
      if (args.threads) argv.push('--threads', args.threads);
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (r.status !== 0 || !line) { console.error(r.stderr.slice(-2000)); throw new Error(`${system} on ${name} failed`); }
      rows.push(JSON.parse(line));
      console.error(line);
    }
  }
  console.log(`\n| model | system | device | texts | texts/s | first embedding (ms) | peak RSS (MiB) |\n|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.system} | ${r.device} | ${r.texts} | ${r.textsPerSec.toFixed(1)} | ${r.firstMs.toFixed(0)} | ${r.peakMiB.toFixed(0)} |`);
  }
  for (const name of new Set(rows.map((r) => r.model))) {
    const w = rows.find((r) => r.model === name && r.system === 'wasmbed');
    const t = rows.find((r) => r.model === name && r.system === 'transformers.js');
    console.log(`${name}: wasmbed / transformers.js = ${(w.textsPerSec / t.textsPerSec).toFixed(2)}x texts/s, peak memory ${(w.peakMiB / t.peakMiB).toFixed(2)}x`);
  }
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', `embed-${args.wasm ? 'wasm' : 'cpu'}.json`), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
}

if (args.child) await child();
else await main();
