// Writes tests/fixtures/tokenizers/expected/<tokenizer>.json.gz: what the ORACLES say for every
// fixture tokenizer (tests/helpers/tokenizer-fixtures.js) on the hostile strings, the generated
// 100k-char strings and every sentence of ../shared/texts.
//   - tokenizer.json files: HF tokenizers (Rust) through @anush008/tokenizers;
//   - SentencePiece .model files: python3-sentencepiece (scripts/tokenizer-fixtures/spm_oracle.py).
// Shared-text expectations are a hash per line (plus full ids for a sample) to keep the committed
// files small; hostile strings keep full ids, tokens and UTF-16 offsets.
// Usage: node scripts/tokenizer-fixtures/make-expectations.js   (after the .model files exist)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@anush008/tokenizers';
import { convertSentencePiece } from './spm-convert.js';
import { loadAllCorpora } from '../../tests/helpers/shared-texts.js';
import {
  EXPECTED_DIR, FIXTURE_TOKENIZERS, PAIR_EVERY, SAMPLE_EVERY, codePointToUtf16Offsets, generatedStrings,
  hashIds, hexToBytes, loadHostile, modelPath, sharedTokenizerPath,
} from '../../tests/helpers/tokenizer-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const hostile = loadHostile();
const generated = generatedStrings();
const corpora = loadAllCorpora();
if (!corpora) console.warn('make-expectations: ../shared/texts is absent: only hostile/generated expectations are written');
mkdirSync(EXPECTED_DIR, { recursive: true });

const decodeLossy = (hex) => new TextDecoder('utf-8').decode(hexToBytes(hex));

// ---- HF tokenizers oracle -----------------------------------------------------------------------
async function hfFull(tok, text) {
  const e = await tok.encode(text, null, { addSpecialTokens: true });
  const n = await tok.encode(text, null, { addSpecialTokens: false });
  // The Node binding reports offsets in code points; wasmbed's JS API reports UTF-16 indices.
  // A lone surrogate reaches Rust as U+FFFD (one code point, one UTF-16 unit): indices agree.
  return {
    ids: e.getIds(), tokens: e.getTokens(), offsets: codePointToUtf16Offsets(text, e.getOffsets()),
    idsNoSpecial: n.getIds(),
  };
}

async function hfExpectations(tok) {
  const out = { oracle: 'HF tokenizers 0.22 (Rust) via @anush008/tokenizers 0.6.0', strings: {}, loneSurrogates: {}, invalidUtf8: {}, generated: {} };
  for (const { name, text } of hostile.strings) out.strings[name] = await hfFull(tok, text);
  for (const { name, text } of hostile.loneSurrogates) out.loneSurrogates[name] = await hfFull(tok, text);
  for (const { name, hex } of hostile.invalidUtf8) {
    out.invalidUtf8[name] = { ids: (await tok.encode(decodeLossy(hex), null, { addSpecialTokens: true })).getIds() };
  }
  for (const { name, text } of generated) {
    const ids = (await tok.encode(text, null, { addSpecialTokens: true })).getIds();
    out.generated[name] = { length: ids.length, hash: hashIds(ids) };
  }
  if (corpora) {
    out.corpora = {};
    for (const [cname, lines] of Object.entries(corpora)) {
      const encs = await tok.encodeBatch(lines, { addSpecialTokens: true });
      const c = { count: lines.length, hashes: [], sample: {}, pairs: {} };
      encs.forEach((e, i) => {
        const ids = e.getIds();
        c.hashes.push(hashIds(ids));
        if (i % SAMPLE_EVERY === 0) c.sample[i] = { ids, offsets: codePointToUtf16Offsets(lines[i], e.getOffsets()) };
      });
      for (let p = 0; 2 * p + 1 < lines.length; p += PAIR_EVERY) {
        const e = await tok.encode(lines[2 * p], lines[2 * p + 1], { addSpecialTokens: true });
        c.pairs[p] = { ids: e.getIds(), typeIds: e.getTypeIds() };
      }
      out.corpora[cname] = c;
    }
  }
  return out;
}

// ---- SentencePiece oracle -----------------------------------------------------------------------
function spmEncode(model, texts) {
  const stdout = execFileSync('/usr/bin/python3', [path.join(here, 'spm_oracle.py')], {
    input: JSON.stringify({ model, texts }), maxBuffer: 1 << 30,
  });
  return JSON.parse(stdout.toString('utf8'));
}

function spmExpectations(model) {
  const out = { oracle: 'SentencePiece (python3-sentencepiece, Debian)', strings: {}, loneSurrogates: {}, invalidUtf8: {}, generated: {} };
  // Python cannot hold lone surrogates in UTF-8: give it the U+FFFD text the JS boundary produces.
  const jobs = [
    ...hostile.strings.map(({ name, text }) => ['strings', name, text]),
    ...hostile.loneSurrogates.map(({ name, text }) => ['loneSurrogates', name, text.toWellFormed()]),
    ...hostile.invalidUtf8.map(({ name, hex }) => ['invalidUtf8', name, decodeLossy(hex)]),
    ...generated.map(({ name, text }) => ['generated', name, text]),
  ];
  const ids = spmEncode(model, jobs.map((j) => j[2]));
  jobs.forEach(([group, name], i) => {
    out[group][name] = group === 'generated' ? { length: ids[i].length, hash: hashIds(ids[i]) } : { ids: ids[i] };
  });
  if (corpora) {
    out.corpora = {};
    for (const [cname, lines] of Object.entries(corpora)) {
      const all = spmEncode(model, lines);
      const c = { count: lines.length, hashes: all.map(hashIds), sample: {} };
      all.forEach((x, i) => { if (i % SAMPLE_EVERY === 0) c.sample[i] = { ids: x }; });
      out.corpora[cname] = c;
    }
  }
  return out;
}

for (const spec of FIXTURE_TOKENIZERS) {
  if (spec.expect) continue; // shares another tokenizer's expectations
  let result;
  if (spec.kind === 'json') {
    let tok;
    if (spec.shared) {
      const file = sharedTokenizerPath(spec.shared);
      if (!existsSync(file)) { console.warn(`skip ${spec.name}: ${file} is absent`); continue; }
      tok = HfTokenizer.fromFile(file);
    } else {
      tok = HfTokenizer.fromString(JSON.stringify(convertSentencePiece(readFileSync(modelPath(spec.model)), spec.flavor)));
    }
    // A tokenizer.json "padding" section (all-MiniLM-L6-v2 has Fixed 128) makes HF pad every
    // single encode; wasmbed's encode() never pads (encodeBatch pads to the batch), so the oracle
    // runs without it. The "truncation" section stays in force on both sides.
    tok.disablePadding();
    result = await hfExpectations(tok);
  } else {
    result = spmExpectations(modelPath(spec.model));
  }
  result.tokenizer = spec.name;
  const file = path.join(EXPECTED_DIR, `${spec.name}.json.gz`);
  writeFileSync(file, gzipSync(JSON.stringify(result), { level: 9 }));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
