// A full-size XLM-R / bge-m3 tokenizer for load benchmarks and parity tests: a SentencePiece
// unigram .model of 250,000 pieces (the size of XLM-R's sentencepiece.bpe.model) and the
// tokenizer.json transformers' XLMRobertaConverter writes for it (250,002 pieces: <s>, <pad>, </s>,
// <unk> at 0..3, <mask> last; Precompiled + Replace normalizer, Metaspace, TemplateProcessing).
//
// No real XLM-R files can be downloaded here, so the pieces are built: the committed 8k unigram
// fixture (trained by spm_train on ko+ru+en, with its real nmt_nfkc precompiled_charsmap and its
// trainer / normalizer specs copied byte for byte) plus the most frequent substrings of the
// ../shared corpora, then seeded pseudo-random pieces over Latin / Cyrillic / Hangul / CJK until
// there are 250,000. Scores continue below the fixture's like a trained model's tail. The output
// is deterministic (same bytes on every machine with the same ../shared).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GEN = path.join(ROOT, 'models', 'generated');
const BASE = path.join(ROOT, 'tests', 'fixtures', 'tokenizers', 'spm', 'uni-all-8000-bf.model');
export const XLMR_PIECES = 250000;

// ---- protobuf wire format (only what a ModelProto needs) ---------------------------------------
function varint(n) {
  const out = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}

function readVarint(bytes, p) {
  let v = 0, mul = 1, b;
  do { b = bytes[p++]; v += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
  return [v, p];
}

// Top-level fields of a ModelProto as [field, rawBytesIncludingKey].
function topFields(bytes) {
  const out = [];
  let p = 0;
  while (p < bytes.length) {
    const start = p;
    let key;
    [key, p] = readVarint(bytes, p);
    const wire = key & 7;
    if (wire === 0) [, p] = readVarint(bytes, p);
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) { let len; [len, p] = readVarint(bytes, p); p += len; }
    else throw new Error(`unexpected wire type ${wire}`);
    out.push([key >>> 3, bytes.subarray(start, p)]);
  }
  return out;
}

function pieceMessage(piece, score, type) {
  const text = Buffer.from(piece, 'utf8');
  const f32 = Buffer.alloc(4);
  f32.writeFloatLE(score);
  const body = [0x0a, ...varint(text.length), ...text, 0x15, ...f32];
  if (type !== 1) body.push(0x18, ...varint(type));
  return Buffer.from([0x0a, ...varint(body.length), ...body]);
}

// ---- pieces ------------------------------------------------------------------------------------
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function corpusSubstrings() {
  const { loadAllCorpora } = await import('../../tests/helpers/shared-texts.js');
  const corpora = loadAllCorpora();
  if (!corpora) return [];
  const counts = new Map();
  for (const line of Object.values(corpora).flat()) {
    for (const word of line.normalize('NFKC').split(/\s+/u)) {
      if (!word) continue;
      const cps = Array.from('\u2581' + word);
      for (let i = 0; i < cps.length; i++) {
        for (let n = 2; n <= 8 && i + n <= cps.length; n++) {
          const s = cps.slice(i, i + n).join('');
          counts.set(s, (counts.get(s) ?? 0) + 1);
        }
      }
    }
  }
  return [...counts].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const RANGES = [[0x61, 0x7a], [0x430, 0x44f], [0xac00, 0xd7a3], [0x4e00, 0x9fff]];

/**
 * Writes (once) models/generated/xlmr-250k.{model,tokenizer.json} and returns their paths.
 * @returns {Promise<{ model: string, json: string }>}
 */
export async function xlmr250k() {
  const model = path.join(GEN, 'xlmr-250k.model');
  const json = path.join(GEN, 'xlmr-250k.tokenizer.json');
  if (existsSync(model) && existsSync(json)) return { model, json };
  const base = readFileSync(BASE);
  const { parseModelProto, convertSentencePiece } = await import('../../scripts/tokenizer-fixtures/spm-convert.js');
  const proto = parseModelProto(base);
  const seen = new Set(proto.pieces.map((p) => p.piece));
  let score = Math.min(...proto.pieces.filter((p) => p.type === 1).map((p) => p.score));
  const extra = [];
  const add = (s) => {
    if (seen.has(s) || extra.length + proto.pieces.length >= XLMR_PIECES) return;
    seen.add(s);
    score -= 4e-5;  // a trained model's long tail: slowly falling scores
    extra.push(pieceMessage(s, score, 1));
  };
  for (const [s] of await corpusSubstrings()) add(s);
  const rand = mulberry32(250002);
  while (extra.length + proto.pieces.length < XLMR_PIECES) {
    const [lo, hi] = RANGES[Math.floor(rand() * RANGES.length)];
    const len = 1 + Math.floor(rand() * 5);
    let s = rand() < 0.5 ? '\u2581' : '';
    for (let i = 0; i < len; i++) s += String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
    add(s);
  }
  // Keep the fixture's own fields in order (pieces first, then trainer_spec / normalizer_spec /
  // whatever follows), inserting the new pieces after the last original piece.
  const parts = [];
  let inserted = false;
  for (const [field, raw] of topFields(base)) {
    if (field !== 1 && !inserted) { for (const e of extra) parts.push(e); inserted = true; }
    parts.push(raw);
  }
  if (!inserted) for (const e of extra) parts.push(e);
  const bytes = Buffer.concat(parts);
  mkdirSync(GEN, { recursive: true });
  writeFileSync(model, bytes);
  writeFileSync(json, JSON.stringify(convertSentencePiece(new Uint8Array(bytes), 'xlm-roberta-2023'), null, 2));
  return { model, json };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const p = await xlmr250k();
  for (const f of Object.values(p)) console.log(`${f} (${readFileSync(f).length} bytes)`);
}
