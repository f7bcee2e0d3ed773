// Tokenizer LOAD time for a full-size XLM-R / bge-m3 vocabulary (250,002 pieces, issue 15.2):
// wasmbed (C++ -> WASM) from tokenizer.json and from sentencepiece.bpe.model, vs
// @huggingface/tokenizers (pure JS, what transformers.js uses; JSON.parse included, as it needs a
// parsed object) and @anush008/tokenizers (HF tokenizers in Rust, native addon), same file, same
// run. Each implementation loads in fresh Node processes (so heap and JIT state of one cannot help
// or hurt another), the processes of all implementations interleaved. Reported per
// implementation: cold = the first load of a process (what a page pays once; median over the
// processes), warm = the later loads (median); wall and CPU time (user + system of the process:
// on a shared machine wall time mostly measures the neighbours, so the ratios use CPU time).
// For wasmbed, the peak wasm heap of a cold load is measured too: the allocator's high-water mark
// minus the bytes in use before: for a .model that includes the file's own bytes copied into the
// heap, for tokenizer.json only the 512 KiB buffer it passes through (json_chunk_stream.h).
// Files: bench/helpers/xlmr-250k.js (generated once into models/generated/); a real XLM-R
// tokenizer.json / sentencepiece.bpe.model under ../shared/tokenizers/ is measured too if present.
// Usage: node bench/tokenizer-load.bench.js [--loads N] [--procs N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const LOADS = arg('--loads', 5);
const PROCS = arg('--procs', 3);

// CPU time of this process (user + system) for one load: on a shared machine wall time mostly
// measures the neighbours, so both are reported and the ratios use CPU time.
const cpuMs = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1000; };

async function child(impl, file) {
  const bytes = readFileSync(file);
  const times = [];
  const cpus = [];
  let heap = null;
  if (impl === 'wasmbed-json' || impl === 'wasmbed-model') {
    const { Tokenizer } = await import('../js/index.js');
    const { loadCore } = await import('../js/diagnostics.js');
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
  return { times, cpus, heap };
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3], process.argv[4]);
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}

const loadAtStart = os.loadavg();
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
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// Real XLM-R files, when ../shared has them (it has none today: see its README).
const SHARED = path.join(HERE, '..', '..', 'shared', 'tokenizers');
const real = [];
for (const dir of ['xlm-roberta-base', 'bge-m3', 'multilingual-e5-small']) {
  const json = path.join(SHARED, dir, 'tokenizer.json');
  const model = path.join(SHARED, dir, 'sentencepiece.bpe.model');
  try { statSync(json); real.push({ name: dir, json }); } catch { /* absent */ }
  try { statSync(model); real.push({ name: dir, model }); } catch { /* absent */ }
}

const plans = [];
const addJsonSet = (label, json) => {
  plans.push({ impl: `wasmbed (WASM), tokenizer.json${label}`, kind: 'wasmbed-json', file: json });
  if (has('@huggingface/tokenizers')) plans.push({ impl: `@huggingface/tokenizers (JS), tokenizer.json${label}`, kind: 'hf-js', file: json, hfJs: true });
  if (has('@anush008/tokenizers')) plans.push({ impl: `@anush008/tokenizers (Rust, native), tokenizer.json${label}`, kind: 'hf-rust', file: json, hfRust: true });
};
addJsonSet('', files.json);
plans.splice(1, 0, { impl: 'wasmbed (WASM), sentencepiece .model', kind: 'wasmbed-model', file: files.model });
for (const r of real) {
  if (r.json) addJsonSet(` (${r.name})`, r.json);
  else plans.push({ impl: `wasmbed (WASM), sentencepiece.bpe.model (${r.name})`, kind: 'wasmbed-model', file: r.model });
}

// Processes interleaved: process p of every implementation before process p + 1 of any.
const results = plans.map(() => []);
for (let p = 0; p < PROCS; p++) plans.forEach((plan, i) => results[i].push(run(plan.kind, plan.file)));

const rows = plans.map((plan, i) => {
  const ok = results[i].filter((r) => !r.error);
  const row = { impl: plan.impl, file: path.relative(path.join(HERE, '..'), plan.file), fileBytes: statSync(plan.file).size, group: plan.file };
  if (!ok.length) return { ...row, error: results[i][0].error };
  Object.assign(row, {
    processes: ok.length, loadsPerProcess: LOADS,
    coldMs: median(ok.map((r) => r.times[0])), coldCpuMs: median(ok.map((r) => r.cpus[0])),
    warmMs: median(ok.flatMap((r) => r.times.slice(1))), warmCpuMs: median(ok.flatMap((r) => r.cpus.slice(1))),
    heap: ok[0].heap, hfJs: plan.hfJs, hfRust: plan.hfRust,
  });
  if (row.heap) row.peakHeapOverFile = row.heap.peakBytes / row.fileBytes;
  return row;
});
// Ratios against the HF implementations loading the same tokenizer (its tokenizer.json: neither
// reads a .model, so the .model row is compared with them loading the equivalent tokenizer.json).
for (const r of rows) {
  if (r.error || r.hfJs || r.hfRust) continue;
  const twin = (flag) => rows.find((o) => o[flag] && !o.error && (o.group === r.group || (r.group === files.model && o.group === files.json)));
  const js = twin('hfJs'), rust = twin('hfRust');
  // CPU ratios (what the table shows) and wall ratios (wall mostly measures a loaded machine).
  const ratios = (o) => ({ cold: o.coldCpuMs / r.coldCpuMs, warm: o.warmCpuMs / r.warmCpuMs, coldWall: o.coldMs / r.coldMs, warmWall: o.warmMs / r.warmMs });
  if (js) r.vsHfJs = ratios(js);
  if (rust) r.vsHfRust = ratios(rust);
}

const load = `${loadAtStart.map((x) => x.toFixed(1)).join(' / ')} at the start, ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end`;
console.log(`\nTokenizer load, 250,002-piece XLM-R vocabulary (${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, load average ${load}; ${PROCS} processes x ${LOADS} loads each)\n`);
console.log('| implementation | file MB | cold ms (cpu) | warm ms (cpu) | x faster than @huggingface/tokenizers, cold / warm (cpu) | x faster than @anush008/tokenizers, cold / warm (cpu) | peak wasm heap MB (x file) |');
console.log('|---|---|---|---|---|---|---|');
const x = (v) => (v ? `${v.cold.toFixed(1)}x / ${v.warm.toFixed(1)}x` : '');
for (const r of rows) {
  if (r.error) { console.log(`| ${r.impl} | failed: ${r.error.replace(/\n/g, ' ')} |`); continue; }
  const heap = r.heap ? `${(r.heap.peakBytes / 2 ** 20).toFixed(1)} (${r.peakHeapOverFile.toFixed(2)}x)` : '';
  console.log(`| ${r.impl} | ${(r.fileBytes / 2 ** 20).toFixed(1)} | ${r.coldMs.toFixed(0)} (${r.coldCpuMs.toFixed(0)}) | ${r.warmMs.toFixed(0)} (${r.warmCpuMs.toFixed(0)}) | ${x(r.vsHfJs)} | ${x(r.vsHfRust)} | ${heap} |`);
}
for (const r of rows) { delete r.group; delete r.hfJs; delete r.hfRust; }
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(path.join(HERE, 'results', 'tokenizer-load.json'), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length,
  loadAverage: os.loadavg(), loadAverageAtStart: loadAtStart, processes: PROCS, loadsPerProcess: LOADS, realXlmrFiles: real.length, rows,
}, null, 2) + '\n');
