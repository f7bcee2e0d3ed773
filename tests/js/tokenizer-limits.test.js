// Issues 13 and 15.2 through the public API: a hostile tokenizer.json (10,000 nested Sequences in
// any section, huge padToLength) is a typed error and leaves the wasm core usable (a fresh
// Tokenizer and VectorIndex in the same process still work); a 250,002-piece XLM-R tokenizer
// (bench/helpers/xlmr-250k.js), loaded from tokenizer.json and from the .model, encodes every
// ../shared sentence exactly as HF tokenizers (Rust, @anush008/tokenizers) does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CapacityError, Tokenizer, VectorIndex } from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { loadAllCorpora } from '../helpers/shared-texts.js';

const TINY = readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'tokenizers', 'tiny-wordpiece.json'), 'utf8');

function nested(listKey, depth, leaf) {
  return `{"type":"Sequence","${listKey}":[`.repeat(depth) + leaf + ']}'.repeat(depth);
}

function withSection(section, valueText) {
  const j = JSON.parse(TINY);
  j[section] = '@@SECTION@@';
  return JSON.stringify(j).replace('"@@SECTION@@"', valueText);
}

async function coreStillWorks() {
  const tok = await Tokenizer.fromJSON(TINY);
  assert.ok(tok.encode('hello world').ids.length > 0);
  tok.dispose();
  const index = await VectorIndex.create({ dims: 4 });
  index.add(7, [1, 0, 0, 0]);
  assert.equal(index.search([1, 0, 0, 0], { k: 1 })[0].id, 7);
  index.dispose();
}

const SECTIONS = [
  ['normalizer', 'normalizers', '{"type":"Lowercase"}'],
  ['pre_tokenizer', 'pretokenizers', '{"type":"Whitespace"}'],
  ['post_processor', 'processors', '{"type":"ByteLevel"}'],
  ['decoder', 'decoders', '{"type":"Fuse"}'],
];

for (const [section, listKey, leaf] of SECTIONS) {
  test(`10,000 nested ${section} Sequences are a CapacityError and the core stays usable`, async () => {
    await assert.rejects(Tokenizer.fromJSON(withSection(section, nested(listKey, 10000, leaf))),
      (err) => err instanceof CapacityError && /nesting deeper than \d+ levels/.test(err.message));
    await assert.rejects(Tokenizer.fromJSON(withSection(section, nested(listKey, 65, leaf))),
      (err) => err instanceof CapacityError && err.message === `tokenizer.json: ${section} nesting deeper than 64 levels`);
    await coreStillWorks();
  });
}

test('encodeBatch padToLength 2**31-1 is a CapacityError naming the limit', async () => {
  const tok = await Tokenizer.fromJSON(TINY);
  assert.throws(() => tok.encodeBatch(['hello'], { padToLength: 2 ** 31 - 1 }),
    (err) => err instanceof CapacityError && /padToLength 2147483647 is larger than the limit of 1048576/.test(err.message));
  assert.deepEqual(tok.encodeBatch(['hello'], { padToLength: 8 }).shape, [1, 8]);
  tok.dispose();
  await coreStillWorks();
});

test('a vocabulary id of 300,000,000 loads without a dense id table', async () => {
  const j = JSON.parse(TINY);
  j.model.vocab.zzhuge = 300000000;
  const tok = await Tokenizer.fromJSON(j);
  assert.equal(tok.tokenToId('zzhuge'), 300000000);
  assert.equal(tok.idToToken(300000000), 'zzhuge');
  tok.dispose();
});

let HfRust = null;
try { ({ Tokenizer: HfRust } = await import('@anush008/tokenizers')); } catch { /* oracle not installed */ }
const corpora = loadAllCorpora();

test('250,002-piece XLM-R tokenizer (json and .model) encodes ../shared texts like HF tokenizers', {
  skip: !HfRust ? '@anush008/tokenizers is not installed' : !corpora ? '../shared/texts is absent' : false,
  timeout: 600_000,
}, async () => {
  const { xlmr250k } = await import('../../bench/helpers/xlmr-250k.js');
  const files = await xlmr250k();
  const json = readFileSync(files.json, 'utf8');
  const fromJson = await Tokenizer.fromJSON(json);
  const fromModel = await Tokenizer.fromSentencePiece(readFileSync(files.model), { flavor: 'xlm-roberta' });
  assert.equal(fromJson.vocabSize, 250002);
  assert.equal(fromModel.vocabSize, 250002);
  const hf = HfRust.fromString(json);
  hf.disablePadding();
  const texts = Object.values(corpora).flat();
  const encs = await hf.encodeBatch(texts, { addSpecialTokens: true });
  let mismatches = 0;
  let first = null;
  texts.forEach((text, i) => {
    const want = encs[i].getIds();
    for (const [name, tok] of [['json', fromJson], ['model', fromModel]]) {
      const got = Array.from(tok.encode(text).ids);
      if (got.length !== want.length || got.some((x, k) => x !== want[k])) {
        mismatches++;
        first ??= { name, text, want, got };
      }
    }
  });
  assert.equal(mismatches, 0, first && `${first.name}: ${JSON.stringify(first.text)}\nwant ${first.want}\ngot  ${first.got}`);
  fromJson.dispose();
  fromModel.dispose();
});
