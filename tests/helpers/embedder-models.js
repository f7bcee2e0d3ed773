// Tiny generated models (one per architecture) and text samples for the Embedder tests.
// Models are written to a fresh temporary folder per test file (node --test runs files in
// parallel), in about a second each.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { convertSentencePiece } from '../../scripts/tokenizer-fixtures/spm-convert.js';
import { REPO_ROOT } from './paths.js';
import { loadCorpus } from './shared-texts.js';

export const SAMPLE_FILE = path.join(REPO_ROOT, 'tests', 'fixtures', 'texts', 'embedder-sample.txt');

/** The committed text sample (mixed scripts and lengths, empty and long lines). */
export function committedSample() {
  return readFileSync(SAMPLE_FILE, 'utf8').split('\n').slice(0, -1);
}

/**
 * Texts for parity runs: every `step`-th sentence of each ../shared corpus plus the committed
 * sample, or the committed sample alone when ../shared is absent. Returns { texts, shared }.
 */
export function parityTexts({ perCorpus = 60 } = {}) {
  const texts = committedSample();
  let shared = false;
  for (const name of ['korsts', 'klue-sts', 'stsb-ru', 'stsb-en']) {
    const s = loadCorpus(name);
    if (!s) continue;
    shared = true;
    const step = Math.max(1, Math.floor(s.length / perCorpus));
    for (let i = 0; i < s.length; i += step) texts.push(s[i]);
  }
  return { texts, shared };
}

/** A temporary folder removed when the process exits. */
export function tempDir(prefix = 'wasmbed-emb-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** XLM-R style tokenizer.json converted from a committed SentencePiece fixture. */
function xlmrTokenizerFile(dir) {
  const model = readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'tokenizers', 'spm', 'uni-all-8000-bf.model'));
  const file = path.join(dir, 'xlmr-tokenizer.json');
  writeFileSync(file, JSON.stringify(convertSentencePiece(model, 'xlm-roberta')));
  return file;
}

/**
 * Generates the tiny test models: bert (WordPiece, token_type_ids), roberta (WordPiece, pad id 1,
 * not normalized), xlmr (SentencePiece unigram with XLM-R ids, CLS pooling). Returns name -> dir.
 */
export async function makeTinyModels(dir, names = ['bert', 'roberta', 'xlmr'], extra = {}) {
  const out = {};
  for (const name of names) {
    const target = path.join(dir, name);
    if (name === 'bert') await makeModel(target, { preset: 'tiny-bert', seed: 1, ...extra });
    else if (name === 'roberta') await makeModel(target, { preset: 'tiny-roberta', seed: 2, ...extra });
    else if (name === 'xlmr') await makeModel(target, { preset: 'tiny-xlm-roberta', seed: 3, tokenizer: xlmrTokenizerFile(dir), ...extra });
    else throw new Error(`unknown tiny model ${name}`);
    out[name] = target;
  }
  return out;
}

export function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

export const norm = (a) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

/**
 * Loads Embedders on onnxruntime-node for a test file and disposes them all at the end:
 * `const { load } = cpuModels(); ... after(disposeAll)`.
 */
export function cpuModels(Embedder) {
  const open = [];
  return {
    async load(source, options = {}) {
      const m = await Embedder.load(source, { device: 'cpu', ...options });
      open.push(m);
      return m;
    },
    async disposeAll() {
      for (const m of open.splice(0)) await m.dispose();
    },
  };
}
