// Tokenizer throughput, one thread: wasmbed (C++ -> WASM) vs @huggingface/tokenizers (pure JS,
// what transformers.js uses) vs @anush008/tokenizers (HF tokenizers in Rust, native Node addon),
// same tokenizer.json, same corpus (every sentence of ../shared/texts). Prints markdown tables:
//   1. tokens/s for single texts and for padded batches of 32 (ids + attention mask as Int32Array);
//   2. linear-time check: time per byte of one 1 MB line (and 1 MB without spaces) relative to the
//      10 KB version (1.0 = perfectly linear).
// Writes the same numbers to bench/results/tokenizer.json.
// Usage: node bench/tokenizer.bench.js [--quick]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// One thread for the native oracle too: rayon (encode_batch) and the libuv pool (async napi
// calls) must be pinned before the addon starts them, so re-run this script with the env set.
if (process.env.WASMBED_BENCH_CHILD !== '1') {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, WASMBED_BENCH_CHILD: '1', RAYON_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false', UV_THREADPOOL_SIZE: '1' },
  });
  process.exit(r.status ?? 1);
}

const { Tokenizer } = await import('../js/index.js');
const { HAS_SHARED, SHARED_DIR } = await import('../tests/helpers/paths.js');
const { loadAllCorpora } = await import('../tests/helpers/shared-texts.js');
const { convertSentencePiece } = await import('../scripts/tokenizer-fixtures/spm-convert.js');
const { modelPath } = await import('../tests/helpers/tokenizer-fixtures.js');

const quick = process.argv.includes('--quick');
if (!HAS_SHARED) {
  console.log('tokenizer bench: ../shared is absent (needs ../shared/texts and ../shared/tokenizers): skipped');
  process.exit(0);
}
const corpus = Object.values(loadAllCorpora()).flat();
let HfJs = null, HfRust = null;
try { ({ Tokenizer: HfJs } = await import('@huggingface/tokenizers')); } catch { /* not installed */ }
try { ({ Tokenizer: HfRust } = await import('@anush008/tokenizers')); } catch { /* not installed */ }

const TOKENIZERS = [
  { name: 'WordPiece (klue/roberta-base)', json: readFileSync(path.join(SHARED_DIR, 'tokenizers/klue-roberta-base/tokenizer.json'), 'utf8') },
  { name: 'Unigram (spm nmt_nfkc 8k, ko+ru+en)', json: JSON.stringify(convertSentencePiece(readFileSync(modelPath('uni-all-8000-bf')), 'plain')) },
];
const MIN_SECONDS = quick ? 0.3 : 1.5;
const BATCH = 32;

/** Runs fn (one pass over the corpus, returns tokens) until MIN_SECONDS; returns tokens/s. */
async function rate(fn) {
  await fn(); // warm-up (JIT, caches)
  let tokens = 0, passes = 0;
  const t0 = performance.now();
  do { tokens += await fn(); passes++; } while ((performance.now() - t0) / 1000 < MIN_SECONDS);
  return tokens / ((performance.now() - t0) / 1000);
}

function padRows(rows) {
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * seq);
  const mask = new Int32Array(rows.length * seq);
  rows.forEach((r, i) => { ids.set(r, i * seq); mask.fill(1, i * seq, i * seq + r.length); });
  return { ids, mask };
}

// Each implementation: single(text) -> token count; batch(texts) -> token count (padded arrays built).
async function implementations(json) {
  const impls = [];
  const w = await Tokenizer.fromJSON(json);
  impls.push({
    name: 'wasmbed (WASM)',
    single: (s) => w.encode(s).ids.length,
    batch: (b) => { const r = w.encodeBatch(b); return r.lengths.reduce((a, x) => a + x, 0); },
    long: (s) => w.encode(s, { maxLength: 0x7fffffff }).ids.length,
    dispose: () => w.dispose(),
  });
  if (HfJs) {
    const j = new HfJs(JSON.parse(json), {});
    impls.push({
      name: '@huggingface/tokenizers (JS)',
      single: (s) => j.encode(s).ids.length,
      batch: (b) => { const rows = b.map((s) => j.encode(s).ids); padRows(rows); return rows.reduce((a, r) => a + r.length, 0); },
      long: (s) => j.encode(s).ids.length,
    });
  }
  if (HfRust) {
    const r = HfRust.fromString(json);
    r.disablePadding();
    const rb = HfRust.fromString(json);
    rb.setPadding({});
    const rl = HfRust.fromString(json);
    rl.disablePadding();
    rl.disableTruncation();
    impls.push({
      name: '@anush008/tokenizers (Rust, native)',
      single: async (s) => (await r.encode(s, null, { addSpecialTokens: true })).getIds().length,
      batch: async (b) => {
        const encs = await rb.encodeBatch(b, { addSpecialTokens: true });
        const seq = encs[0]?.getLength() ?? 0;
        const ids = new Int32Array(encs.length * seq), mask = new Int32Array(encs.length * seq);
        let n = 0;
        encs.forEach((e, i) => { ids.set(e.getIds(), i * seq); const m = e.getAttentionMask(); mask.set(m, i * seq); n += m.reduce((a, x) => a + x, 0); });
        return n;
      },
      long: async (s) => (await rl.encode(s, null, { addSpecialTokens: true })).getIds().length,
    });
  }
  return impls;
}

function fillBytes(unit, bytes) {
  // Repeats `unit` until its UTF-8 size reaches `bytes`, cut on a character boundary.
  const enc = new TextEncoder().encode(unit);
  const reps = Math.ceil(bytes / enc.length);
  const all = new Uint8Array(reps * enc.length);
  for (let i = 0; i < reps; i++) all.set(enc, i * enc.length);
  let cut = bytes;
  while (cut > 0 && (all[cut] & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(all.subarray(0, cut));
}

const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`);
const lines = [];
const out = (s = '') => { lines.push(s); console.log(s); };

out(`## Tokenizer throughput (Node ${process.version}, one thread, ${os.cpus().length} cores ${os.cpus()[0]?.model ?? ''}, ${corpus.length} sentences of ../shared/texts)`);
out();
out('| tokenizer | implementation | single texts (tokens/s) | batches of 32 (tokens/s) | single vs JS | batch vs JS | single vs Rust | batch vs Rust |');
out('|---|---|---:|---:|---:|---:|---:|---:|');
const longResults = [];
const throughput = [];
for (const tk of TOKENIZERS) {
  const impls = await implementations(tk.json);
  const res = {};
  for (const im of impls) {
    const single = await rate(async () => { let n = 0; for (const s of corpus) n += await im.single(s); return n; });
    const batch = await rate(async () => { let n = 0; for (let i = 0; i < corpus.length; i += BATCH) n += await im.batch(corpus.slice(i, i + BATCH)); return n; });
    res[im.name] = { single, batch };
  }
  const js = res['@huggingface/tokenizers (JS)'], rust = res['@anush008/tokenizers (Rust, native)'];
  for (const im of impls) {
    const r = res[im.name];
    const vs = (o, k) => (o ? `${(r[k] / o[k]).toFixed(2)}x` : 'n/a');
    out(`| ${tk.name} | ${im.name} | ${fmt(r.single)} | ${fmt(r.batch)} | ${vs(js, 'single')} | ${vs(js, 'batch')} | ${vs(rust, 'single')} | ${vs(rust, 'batch')} |`);
    throughput.push({ tokenizer: tk.name, implementation: im.name, singleTokensPerSecond: r.single, batchTokensPerSecond: r.batch });
  }

  tk.impls = impls;
}

// Linear time: 10 KB vs 100 KB vs 1 MB, one line with spaces and one without.
for (const tk of TOKENIZERS) {
  const impls = tk.impls;
  const text = corpus.join(' ');
  for (const [kind, unit] of [['one line', text.slice(0, 200000)], ['no spaces', text.slice(0, 200000).replace(/\s+/g, '')]]) {
    for (const im of impls) {
      const times = {};
      for (const size of [10_000, 100_000, 1_000_000]) {
        const s = fillBytes(unit, size);
        const reps = size <= 10_000 ? 20 : 1;
        let t0;
        try {
          await im.long(s); // warm
          t0 = performance.now();
          for (let k = 0; k < reps; k++) await im.long(s);
        } catch (err) {
          // e.g. @huggingface/tokenizers overflows the JS stack on 100 KB without spaces.
          times[size] = `${err.name}`;
          break;
        }
        times[size] = (performance.now() - t0) / reps;
        // Budget: a 10x larger input that would take > ~30 s (this machine is shared) is skipped
        // and reported as such; the 100 KB ratio still shows whether the cost per byte grows.
        if (times[size] > (quick ? 1_000 : 3_000)) break;
      }
      longResults.push({ tk: tk.name, kind, impl: im.name, times });
      console.error(`  linear-time ${tk.name} / ${kind} / ${im.name}: ${JSON.stringify(times)}`);
    }
  }
  for (const im of impls) im.dispose?.();
}

out();
out('## Linear time: cost per byte relative to the 10 KB text (1.00 = linear)');
out();
out('| tokenizer | input | implementation | 10 KB (ms) | 100 KB (ms) | 1 MB (ms) | 100 KB ratio | 1 MB ratio |');
out('|---|---|---|---:|---:|---:|---:|---:|');
for (const r of longResults) {
  const t = r.times;
  const bad = (size) => (t[size] === undefined ? 'skipped' : typeof t[size] === 'string' ? `fails (${t[size]})` : null);
  const ratio = (size) => bad(size) ?? (t[size] / t[10_000] / (size / 10_000)).toFixed(2);
  const ms = (size) => bad(size) ?? t[size].toFixed(1);
  out(`| ${r.tk} | ${r.kind} | ${r.impl} | ${ms(10_000)} | ${ms(100_000)} | ${ms(1_000_000)} | ${ratio(100_000)} | ${ratio(1_000_000)} |`);
}

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'tokenizer.json'), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? '', cores: os.cpus().length,
  loadAverage: os.loadavg(), quick, sentences: corpus.length, throughput, linearTime: longResults,
}, null, 2) + '\n');
