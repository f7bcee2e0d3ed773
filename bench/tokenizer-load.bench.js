// Tokenizer LOAD time for a full-size XLM-R / bge-m3 vocabulary (250,002 pieces, issue 15.2):
// wasmbed (C++ -> WASM) from tokenizer.json and from sentencepiece.bpe.model, vs
// @huggingface/tokenizers (pure JS, what transformers.js uses; JSON.parse included, as it needs a
// parsed object) and @anush008/tokenizers (HF tokenizers in Rust, native addon), same file, same
// run. Each implementation loads in its own fresh Node process (so heap and JIT state of one
// cannot help or hurt another): the first load is reported (what a page pays once) and the best
// of the following ones. For wasmbed, the peak wasm heap of the first load is measured too: the
// allocator's high-water mark minus the bytes in use before, which includes the file's own bytes
// copied into the heap.
// Files: bench/helpers/xlmr-250k.js (generated once into models/generated/).
// Usage: node bench/tokenizer-load.bench.js [--loads N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const argLoads = process.argv.indexOf('--loads');
const LOADS = argLoads > 0 ? Number(process.argv[argLoads + 1]) : 4;

// CPU time of this process (user + system) for one load: on a shared machine wall time mostly
// measures the neighbours, so both are reported and the ratios use CPU time.
const cpuMs = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1000; };

async function child(impl, file) {
  const bytes = readFileSync(file);
  const times = [];
  const cpus = [];
  let heap = null;
  if (impl === 'wasmbed-json' || impl === 'wasmbed-model') {
    const { Tokenizer, loadCore } = await import('../js/index.js');
    const core = await loadCore();
    for (let i = 0; i < LOADS; i++) {
      const before = core.heapBytesInUse();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const tok = impl === 'wasmbed-json'
        ? await Tokenizer.fromJSON(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        : await Tokenizer.fromSentencePiece(bytes, { flavor: 'xlm-roberta' });
      times.push(performance.now() - t0);
      cpus.push(cpuMs(c0));
      if (i === 0) heap = { peakBytes: core.heapPeakBytes() - before, retainedBytes: core.heapBytesInUse() - before, vocab: tok.vocabSize };
      tok.dispose();
    }
  } else if (impl === 'hf-js') {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    for (let i = 0; i < LOADS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const t = new Tokenizer(JSON.parse(bytes.toString('utf8')), {});
      times.push(performance.now() - t0);
      cpus.push(cpuMs(c0));
      if (!t) throw new Error('no tokenizer');
    }
  } else if (impl === 'hf-rust') {
    const { Tokenizer } = await import('@anush008/tokenizers');
    const text = bytes.toString('utf8');
    for (let i = 0; i < LOADS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const t = Tokenizer.fromString(text);
      times.push(performance.now() - t0);
      cpus.push(cpuMs(c0));
      if (!t) throw new Error('no tokenizer');
    }
  }
  const best = (xs) => Math.min(...(xs.length > 1 ? xs.slice(1) : xs));
  return { firstMs: times[0], bestMs: best(times), firstCpuMs: cpus[0], bestCpuMs: best(cpus), loads: times.length, heap };
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3], process.argv[4]);
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}

const { xlmr250k } = await import('./helpers/xlmr-250k.js');
const files = await xlmr250k();
const run = (impl, file) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', impl, file, '--loads', String(LOADS)], {
    encoding: 'utf8', env: { ...process.env, RAYON_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false' }, maxBuffer: 1 << 20,
  });
  if (r.status !== 0) return { error: (r.stderr || '').split('\n').slice(-5).join('\n') };
  return JSON.parse(r.stdout);
};
const has = (name) => { try { import.meta.resolve(name); return true; } catch { return false; } };

const rows = [
  { impl: 'wasmbed (WASM), tokenizer.json', file: files.json, ...run('wasmbed-json', files.json) },
  { impl: 'wasmbed (WASM), sentencepiece .model', file: files.model, ...run('wasmbed-model', files.model) },
];
if (has('@huggingface/tokenizers')) rows.push({ impl: '@huggingface/tokenizers (JS), tokenizer.json', file: files.json, ...run('hf-js', files.json) });
if (has('@anush008/tokenizers')) rows.push({ impl: '@anush008/tokenizers (Rust, native), tokenizer.json', file: files.json, ...run('hf-rust', files.json) });
const hfJs = rows.find((r) => r.impl.startsWith('@huggingface'));
for (const r of rows) {
  r.fileBytes = statSync(r.file).size;
  r.file = path.relative(path.join(HERE, '..'), r.file);
  if (hfJs?.bestCpuMs && r.bestCpuMs) r.speedupVsHfJs = hfJs.bestCpuMs / r.bestCpuMs;
  if (r.heap) r.peakHeapOverFile = r.heap.peakBytes / r.fileBytes;
}

console.log(`\nTokenizer load, 250,002-piece XLM-R vocabulary (${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(2)})\n`);
console.log('| implementation | file MB | first load ms (cpu) | best load ms (cpu) | vs @huggingface/tokenizers (cpu) | peak wasm heap MB (x file) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  if (r.error) { console.log(`| ${r.impl} | failed: ${r.error.replace(/\n/g, ' ')} |`); continue; }
  const heap = r.heap ? `${(r.heap.peakBytes / 2 ** 20).toFixed(1)} (${r.peakHeapOverFile.toFixed(2)}x)` : '';
  console.log(`| ${r.impl} | ${(r.fileBytes / 2 ** 20).toFixed(1)} | ${r.firstMs.toFixed(0)} (${r.firstCpuMs.toFixed(0)}) | ${r.bestMs.toFixed(0)} (${r.bestCpuMs.toFixed(0)}) | ${r.speedupVsHfJs ? r.speedupVsHfJs.toFixed(1) + 'x' : ''} | ${heap} |`);
}
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(path.join(HERE, 'results', 'tokenizer-load.json'), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length,
  loadAverage: os.loadavg(), loadsPerProcess: LOADS, rows,
}, null, 2) + '\n');
