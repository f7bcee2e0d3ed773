#!/usr/bin/env node
// Builds the demo's prebuilt static index (what `npm start` serves at /demo-index/): a sample of
// the multilingual sentence corpora in ../shared/texts (KorSTS and KLUE-STS in Korean, STS-B in
// English and Russian) written to one JSONL file, then embedded and indexed by the real indexer
// CLI (`wasmbed index build`) with the demo's model, so the page's model check passes. Without
// ../shared it says so and indexes the committed demo/sample-docs.jsonl instead: `npm start`
// never fails for want of the corpora.
//
//   node scripts/build-demo-index.js [--out DIR] [--model DIR] [--shared DIR] [--per-corpus N] [--quiet]
//
// The index lands in DIR/index (DIR/build holds the indexer's resumable state, DIR/corpus.jsonl
// its input). A rerun with the same input resumes or finds the build complete.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPairs } from '../tests/helpers/shared-texts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = path.join(ROOT, 'models', 'generated', 'demo-index');
export const DEFAULT_MODEL = path.join(ROOT, 'models', 'generated', 'demo-model');
export const DEFAULT_SHARED = path.resolve(ROOT, '..', 'shared');
// Sentences taken from each corpus: 4 x 1000 = 4000 passages (KLUE-STS has 1038), seconds to embed with the
// tiny demo model on 2 cores, enough for partitions and lexical search to matter.
export const DEFAULT_PER_CORPUS = 1000;

// The corpora of ../shared/texts (read by tests/helpers/shared-texts.js, as the parity tests and
// benchmarks read them), in the demo's order, with their display names.
const CORPORA = [
  { name: 'korsts', lang: 'ko', label: 'KorSTS dev' },
  { name: 'klue-sts', lang: 'ko', label: 'KLUE-STS dev' },
  { name: 'stsb-en', lang: 'en', label: 'STS-B dev (English)' },
  { name: 'stsb-ru', lang: 'ru', label: 'STS-B dev (Russian)' },
];

/**
 * The demo corpus: up to `perCorpus` distinct sentences of each corpus as JSONL records
 * { id, text, title, source, lang, tags: [lang] }, or null when a corpus file is missing.
 */
export function sharedCorpusRecords(sharedDir, perCorpus = DEFAULT_PER_CORPUS) {
  const records = [];
  for (const c of CORPORA) {
    // Pairs are numbered by row: KorSTS repeats its own ids across genres.
    const pairs = loadPairs(c.name, sharedDir);
    if (!pairs) return null;
    const seen = new Set();
    let taken = 0;
    for (const [pair, sentences] of pairs.entries()) {
      sentences.forEach((s, k) => {
        const text = (s ?? '').trim();
        if (taken >= perCorpus || !text || seen.has(text)) return;
        seen.add(text);
        taken += 1;
        records.push({ id: `${c.name}/${pair}/${k + 1}`, text, title: `${c.label} · pair ${pair} · sentence ${k + 1}`, source: c.label, lang: c.lang, tags: [c.lang] });
      });
      if (taken >= perCorpus) break;
    }
  }
  return records;
}

/**
 * demo/sample-docs.jsonl as indexer records. Its ids are the datasets' own, and a few repeat (the
 * long documents reuse sentences' ids): a repeat gets "~2", "~3"... (the indexer needs unique ids).
 */
export function sampleRecords() {
  const seen = new Map();
  return readFileSync(path.join(ROOT, 'demo', 'sample-docs.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => {
    const r = JSON.parse(l);
    const n = (seen.get(r.id) ?? 0) + 1;
    seen.set(r.id, n);
    return { ...r, id: n === 1 ? r.id : `${r.id}~${n}`, title: r.title ?? r.id, tags: [] };
  });
}

/** Runs `wasmbed index build` (js/cli.js) as a child process; rejects when it fails. */
function runIndexer(args, { quiet }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'js', 'cli.js'), 'index', 'build', ...args], {
      stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr?.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
      else reject(new Error(`wasmbed index build failed (${signal ?? `exit ${code}`})${stderr ? `:\n${stderr.trim()}` : ''}`));
    });
  });
}

/**
 * Builds the demo index in `out` (the static index in out/index). Resolves to
 * { index, count, source: 'shared' | 'sample', corpus } (count: the indexer's row count).
 */
export async function buildDemoIndex({
  out = DEFAULT_OUT, model = DEFAULT_MODEL, shared = DEFAULT_SHARED, perCorpus = DEFAULT_PER_CORPUS, quiet = false, log = console.error,
} = {}) {
  if (!existsSync(path.join(model, 'onnx', 'model.onnx'))) throw new Error(`build-demo-index: no model at ${model} (run npm start, or node models/generator/cli.js ${model} --preset tiny-bert --seed 1)`);
  mkdirSync(out, { recursive: true });
  let records = sharedCorpusRecords(shared, perCorpus);
  let source = 'shared';
  if (!records) {
    log(`build-demo-index: ${shared}/texts is missing (see ../shared/README.md): indexing demo/sample-docs.jsonl instead`);
    records = sampleRecords();
    source = 'sample';
  }
  const corpus = path.join(out, 'corpus.jsonl');
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  // Rewritten only when it changes: the indexer fingerprints its inputs, and a changed corpus
  // needs --restart (a new build) rather than a resume.
  const changed = !existsSync(corpus) || readFileSync(corpus, 'utf8') !== text;
  if (changed) writeFileSync(corpus, text);
  const result = await runIndexer([
    '--out', out, '--model', model, '--metadata-fields', 'title,source,lang', '--tags-field', 'tags',
    ...(changed ? ['--restart'] : []), ...(quiet ? ['--quiet'] : []), corpus,
  ], { quiet });
  return { index: result.index, count: result.count, source, corpus };
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' }, model: { type: 'string' }, shared: { type: 'string' },
      'per-corpus': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: node scripts/build-demo-index.js [--out DIR] [--model DIR] [--shared DIR] [--per-corpus N] [--quiet]');
    return;
  }
  const perCorpus = values['per-corpus'] === undefined ? DEFAULT_PER_CORPUS : Number(values['per-corpus']);
  if (!Number.isInteger(perCorpus) || perCorpus < 1) throw new Error(`--per-corpus must be a positive integer, got ${values['per-corpus']}`);
  const started = Date.now();
  const r = await buildDemoIndex({
    out: values.out ? path.resolve(values.out) : DEFAULT_OUT,
    model: values.model ? path.resolve(values.model) : DEFAULT_MODEL,
    shared: values.shared ? path.resolve(values.shared) : DEFAULT_SHARED,
    perCorpus, quiet: values.quiet,
  });
  console.error(`build-demo-index: ${r.count} passages from ${r.source === 'shared' ? '../shared/texts' : 'demo/sample-docs.jsonl'} in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${r.index}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
