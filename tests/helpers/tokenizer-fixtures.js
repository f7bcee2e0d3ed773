// The tokenizer parity fixtures: which tokenizers exist, where their files are, the generated
// long inputs, and the compact form of the expected ids. Shared by
// scripts/tokenizer-fixtures/make-expectations.js (writes expectations with the oracles) and
// tests/js/tokenizer-parity.test.js (checks wasmbed against them), so both agree by construction.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { REPO_ROOT, SHARED_DIR } from './paths.js';

export const FIXTURE_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'tokenizers');
export const EXPECTED_DIR = path.join(FIXTURE_DIR, 'expected');

/**
 * Trained SentencePiece models (scripts/make-tokenizer-fixtures.sh). `corpus` names the training
 * text; character_coverage is 0.9995 unless given; every one uses nmt_nfkc except the identity one (no precompiled charsmap at all).
 */
export const SPM_MODELS = [
  // character_coverage 0.99 leaves rare Hangul out of the vocabulary: exercises <unk> handling.
  { name: 'uni-ko-1000', type: 'unigram', vocab: 1000, corpus: 'ko', byteFallback: false, rule: 'nmt_nfkc', coverage: 0.99 },
  { name: 'uni-ko-8000-bf', type: 'unigram', vocab: 8000, corpus: 'ko', byteFallback: true, rule: 'nmt_nfkc' },
  { name: 'uni-ruen-4000', type: 'unigram', vocab: 4000, corpus: 'ruen', byteFallback: false, rule: 'nmt_nfkc' },
  { name: 'uni-all-8000-bf', type: 'unigram', vocab: 8000, corpus: 'all', byteFallback: true, rule: 'nmt_nfkc' },
  { name: 'uni-en-1000-identity', type: 'unigram', vocab: 1000, corpus: 'en', byteFallback: false, rule: 'identity' },
  { name: 'bpe-all-4000-bf', type: 'bpe', vocab: 4000, corpus: 'all', byteFallback: true, rule: 'nmt_nfkc' },
];

/**
 * Every tokenizer under test. kind 'json': a tokenizer.json, either in ../shared (`shared`) or
 * converted from a committed .model (`model` + `flavor`, via scripts/tokenizer-fixtures/spm-convert.js);
 * oracle = HF tokenizers. kind 'model': the .model loaded directly (Tokenizer.fromSentencePiece);
 * oracle = SentencePiece itself for 'plain', and HF on the XLM-R-converted json for 'xlm-roberta'
 * (`expect` names that expectation file).
 */
export const FIXTURE_TOKENIZERS = [
  { name: 'klue-roberta-base', kind: 'json', shared: 'tokenizers/klue-roberta-base/tokenizer.json' },
  { name: 'all-MiniLM-L6-v2', kind: 'json', shared: 'tokenizers/all-MiniLM-L6-v2/tokenizer.json' },
  ...SPM_MODELS.map((m) => ({ name: `${m.name}.json`, kind: 'json', model: m.name, flavor: 'plain' })),
  { name: 'uni-ruen-4000.xlmr.json', kind: 'json', model: 'uni-ruen-4000', flavor: 'xlm-roberta' },
  { name: 'uni-ruen-4000.xlmr-2023.json', kind: 'json', model: 'uni-ruen-4000', flavor: 'xlm-roberta-2023' },
  { name: 'uni-ruen-4000.xlmr-legacy.json', kind: 'json', model: 'uni-ruen-4000', flavor: 'xlm-roberta-legacy' },
  ...SPM_MODELS.map((m) => ({ name: `${m.name}.model`, kind: 'model', model: m.name, flavor: 'plain' })),
  { name: 'uni-ruen-4000.model-xlmr', kind: 'model', model: 'uni-ruen-4000', flavor: 'xlm-roberta', expect: 'uni-ruen-4000.xlmr-2023.json' },
];

export const modelPath = (name) => path.join(FIXTURE_DIR, 'spm', `${name}.model`);
export const sharedTokenizerPath = (rel) => path.join(SHARED_DIR, rel);

/** Long inputs built on the fly (100k UTF-16 units each), deterministic. */
export function generatedStrings() {
  const fill = (unit, n) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  const sentence = '한국어 문장과 English words, русские слова 😀 123. ';
  return [
    { name: '100k-sentences', text: fill(sentence, 100000) },
    { name: '100k-hangul-no-spaces', text: fill('가나다라마바사아자차카타파하', 100000) },
    { name: '100k-ascii-one-word', text: fill('a', 100000) },
    { name: '100k-spaces', text: fill(' ', 100000) },
  ];
}

/** 32-bit FNV-1a over the ids (each as 4 little-endian bytes), as 8 hex digits. */
export function hashIds(ids) {
  let h = 0x811c9dc5;
  for (const id of ids) {
    for (let k = 0; k < 4; k++) {
      h ^= (id >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Every SAMPLE_EVERY-th line of each corpus keeps its full ids (and offsets) in the expectations. */
export const SAMPLE_EVERY = 50;
/** Pairs (sentence 2i, 2i+1) checked with pair encoding: every PAIR_EVERY-th pair. */
export const PAIR_EVERY = 25;

/** Converts code-point offsets (what HF's Node binding reports) to UTF-16 indices of `text`. */
export function codePointToUtf16Offsets(text, offsets) {
  const map = [0];
  let u = 0;
  for (const ch of text) {
    u += ch.length;
    map.push(u);
  }
  return offsets.map(([s, e]) => [map[s], map[e]]);
}

export function loadExpected(name) {
  return JSON.parse(gunzipSync(readFileSync(path.join(EXPECTED_DIR, `${name}.json.gz`))).toString('utf8'));
}

export function loadHostile() {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'hostile.json'), 'utf8'));
}

export const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
