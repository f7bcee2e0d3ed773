// A tiny corpus, an e5-like tiny model and CLI runs for the indexer's resume and shard tests
// (tests/js/indexer-resume.test.js, indexer-shards.test.js). The corpus is generated from the
// committed text sample, so it needs nothing outside the repo: markdown and HTML files in a folder,
// a JSONL file with tags and a CSV file, a few dozen documents in all.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { committedSample } from './embedder-models.js';
import { REPO_ROOT } from './paths.js';

const CLI = path.join(REPO_ROOT, 'js', 'cli.js');

/** An e5-like model (mean pooling, normalized, "query: " / "passage: " prompts), 2 layers x 64. */
export async function makeE5LikeModel(dir) {
  await makeModel(dir, {
    preset: 'tiny-bert', seed: 5,
    config: { num_hidden_layers: 2, hidden_size: 64, num_attention_heads: 2, intermediate_size: 128 },
    st: { pooling: 'mean', normalize: true, prompts: { query: 'query: ', passage: 'passage: ' } },
  });
  return dir;
}

/** Writes the corpus under `dir`; returns the CLI inputs (folder, JSONL and CSV paths). */
export function writeCorpus(dir) {
  // Distinct lines of ordinary length (the sample's very long repeated lines would make many
  // identical passages).
  const lines = [...new Set(committedSample().filter((l) => l.trim() && l.length < 400))];
  const pick = (i, n) => Array.from({ length: n }, (_, k) => lines[(i * 7 + k * 3) % lines.length]).join(' ');
  mkdirSync(path.join(dir, 'docs', 'guide'), { recursive: true });
  for (let i = 0; i < 8; i++) writeFileSync(path.join(dir, 'docs', `page-${i}.md`), `# Page ${i}\n\n${pick(i, 2 + (i % 4))}\n\n${pick(i + 11, 1 + (i % 3))}\n`);
  for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, 'docs', 'guide', `g${i}.html`), `<html><head><title>Guide ${i}</title></head><body><h1>G${i}</h1><p>${pick(i + 20, 3)}</p></body></html>`);
  writeFileSync(path.join(dir, 'faq.jsonl'), Array.from({ length: 16 }, (_, i) => JSON.stringify({ id: `faq-${i}`, text: pick(i + 30, 1 + (i % 5)), tags: i % 2 ? ['odd'] : ['even', 'x'] })).join('\n') + '\n');
  const csv = ['id,title,body', ...Array.from({ length: 8 }, (_, i) => `row-${i},"Row ${i}","${pick(i + 50, 1 + (i % 2)).replaceAll('"', '""')}"`)];
  writeFileSync(path.join(dir, 'table.csv'), csv.join('\n') + '\n');
  return [path.join(dir, 'docs'), path.join(dir, 'faq.jsonl'), path.join(dir, 'table.csv')];
}

/** Runs `wasmbed ...args`; resolves { code, signal, stdout, stderr } (never rejects on failure). */
export function runCli(args, { env = {}, onStderr } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; onStderr?.(String(d), child); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, child }));
  });
}

const sha = (b) => createHash('sha256').update(b).digest('hex');

function tree(dir) {
  if (!existsSync(dir)) return null;
  const out = {};
  for (const f of readdirSync(dir, { recursive: true }).sort()) {
    const p = path.join(dir, f);
    try { out[f] = sha(readFileSync(p)); } catch { /* a folder */ }
  }
  return out;
}

/** Every file of a build folder by hash: plan, checkpoint, segments and the static index. */
export function buildFiles(dir) {
  return { build: tree(path.join(dir, 'build')), index: tree(path.join(dir, 'index')), extra: readdirSync(dir).filter((n) => n !== 'build' && n !== 'index') };
}
