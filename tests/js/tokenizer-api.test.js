// The Tokenizer JS API: typed errors, UTF-16 offsets (astral characters, lone surrogates, raw
// bytes), batch padding for ONNX Runtime, truncation, decode, dispose, and the `wasmbed tokenize`
// CLI. Uses a small hand-written WordPiece tokenizer.json and the committed SentencePiece fixtures,
// so nothing here needs ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, ParseError, Tokenizer, UnsupportedError, WasmbedError } from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { FIXTURE_DIR, loadHostile, modelPath } from '../helpers/tokenizer-fixtures.js';
import { convertSentencePiece } from '../../scripts/tokenizer-fixtures/spm-convert.js';

// A 15-token WordPiece tokenizer.json written by hand (tests/fixtures/tokenizers/tiny-wordpiece.json;
// the ids asserted below were checked against HF tokenizers when it was written).
const WORDPIECE = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'tiny-wordpiece.json'), 'utf8'));
const VOCAB_SIZE = Object.keys(WORDPIECE.model.vocab).length;

const wordpiece = () => Tokenizer.fromJSON(WORDPIECE);
const unigram = () => Tokenizer.fromJSON(convertSentencePiece(readFileSync(modelPath('uni-ko-8000-bf')), 'plain'));

test('construction errors are typed and name the problem', async () => {
  await assert.rejects(Tokenizer.fromJSON('{"model": '), ParseError);
  await assert.rejects(Tokenizer.fromJSON('not json at all'), (e) => e instanceof ParseError && /tokenizer\.json/.test(e.message));
  await assert.rejects(Tokenizer.fromJSON({ ...WORDPIECE, model: { type: 'Foo' } }),
    (e) => e instanceof UnsupportedError && /model type 'Foo' is not supported/.test(e.message));
  await assert.rejects(Tokenizer.fromJSON({ ...WORDPIECE, normalizer: { type: 'Bar' } }),
    (e) => e instanceof UnsupportedError && /Bar/.test(e.message));
  await assert.rejects(Tokenizer.fromJSON(42), InvalidArgumentError);
  await assert.rejects(Tokenizer.fromJSON(null), InvalidArgumentError);
  await assert.rejects(Tokenizer.fromSentencePiece(new Uint8Array([1, 2, 3, 255, 255])), (e) => e instanceof WasmbedError && !(e instanceof InvalidArgumentError));
  await assert.rejects(Tokenizer.fromSentencePiece('abc'), InvalidArgumentError);
  await assert.rejects(Tokenizer.fromSentencePiece(readFileSync(modelPath('uni-en-1000-identity')), { flavor: 'gpt' }), InvalidArgumentError);
  await assert.rejects(Tokenizer.fromFile('/nonexistent/tokenizer.json'), InvalidArgumentError);
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmbed-tok-'));
  writeFileSync(path.join(dir, 'vocab.txt'), 'a\n');
  await assert.rejects(Tokenizer.fromFile(path.join(dir, 'vocab.txt')), /unknown extension/);
});

test('call errors are typed', async () => {
  const tok = await wordpiece();
  assert.throws(() => tok.encode(42), InvalidArgumentError);
  assert.throws(() => tok.encode(undefined), /text must be a string, got undefined/);
  assert.throws(() => tok.encode('a', { pair: 7 }), InvalidArgumentError);
  assert.throws(() => tok.encode('a', { maxLength: -1 }), InvalidArgumentError);
  assert.throws(() => tok.encode('a', { maxLength: 1.5 }), InvalidArgumentError);
  assert.throws(() => tok.encodeBatch('a'), InvalidArgumentError);
  assert.throws(() => tok.encodeBatch(['a', 3]), /texts\[1\] must be a string/);
  assert.throws(() => tok.encodeBatch(['a'], { pairs: ['b', 'c'] }), InvalidArgumentError);
  assert.throws(() => tok.encodeBytes('abc'), InvalidArgumentError);
  assert.throws(() => tok.decode('1 2'), InvalidArgumentError);
  assert.throws(() => tok.decode([1.5]), InvalidArgumentError);
  assert.throws(() => tok.tokenToId(5), InvalidArgumentError);
  tok.dispose();
});

test('ids, tokens and UTF-16 offsets, astral characters included', async () => {
  const tok = await wordpiece();
  const text = 'Hello x😀y 😀 worlds!';
  const enc = tok.encode(text);
  assert.deepEqual(enc.tokens, ['[CLS]', 'hello', '[UNK]', '😀', 'world', '##s', '!', '[SEP]']);
  assert.deepEqual(Array.from(enc.ids), [0, 4, 3, 7, 5, 9, 13, 2]);
  // 'x😀y' is one word with no WordPiece split -> [UNK] over the whole word (4 UTF-16 units).
  assert.deepEqual(enc.offsets, [[0, 0], [0, 5], [6, 10], [11, 13], [14, 19], [19, 20], [20, 21], [0, 0]]);
  assert.deepEqual(Array.from(enc.specialTokensMask), [1, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(enc.attentionMask), [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(text.slice(11, 13), '😀');
  // Lone surrogates become U+FFFD, one UTF-16 unit each, so later offsets still index the original
  // string (BertNormalizer's clean_text then drops U+FFFD, as HF does).
  const lone = tok.encode('x \ud800 y');
  assert.deepEqual(lone.tokens, ['[CLS]', 'x', 'y', '[SEP]']);
  assert.deepEqual(lone.offsets, [[0, 0], [0, 1], [4, 5], [0, 0]]);
  // Fields are computed on first access from the encoding's own copy of the core's result, so
  // they stay right after later calls reuse the core's buffers; toJSON gives them all.
  const later = tok.encode('worlds worlds worlds');
  assert.deepEqual(Array.from(enc.typeIds), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(enc.sequenceIds), [-1, 0, 0, 0, 0, 0, 0, -1]);
  assert.equal(enc.length, 8);
  assert.deepEqual(JSON.parse(JSON.stringify(enc)).tokens, enc.tokens);
  assert.deepEqual(JSON.parse(JSON.stringify(enc)).ids, Array.from(enc.ids));
  assert.equal(later.ids.length, 8);
  tok.dispose();
});

test('offsets are well-formed UTF-16 ranges on every hostile string (unigram, byte fallback)', async () => {
  const tok = await unigram();
  for (const { name, text } of [...loadHostile().strings, ...loadHostile().loneSurrogates]) {
    const enc = tok.encode(text, { addSpecialTokens: false });
    let last = 0;
    enc.offsets.forEach(([s, e], i) => {
      assert.ok(s <= e && e <= text.length, `${name}: token ${i} offsets [${s}, ${e}] outside 0..${text.length}`);
      assert.ok(s >= last || e === s, `${name}: token ${i} starts before the previous one`);
      // Never inside a surrogate pair.
      for (const x of [s, e]) {
        const c = text.charCodeAt(x - 1);
        assert.ok(!(x > 0 && x < text.length && c >= 0xd800 && c <= 0xdbff && text.charCodeAt(x) >= 0xdc00 && text.charCodeAt(x) <= 0xdfff),
          `${name}: offset ${x} splits a surrogate pair`);
      }
      last = s;
    });
  }
  tok.dispose();
});

test('encodeBytes replaces invalid UTF-8 like TextDecoder and indexes the decoded string', async () => {
  const tok = await wordpiece();
  const bytes = Uint8Array.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0xff, 0x20, 0xf0, 0x9f, 0x98, 0x80, 0x20, 0xe4, 0xbd, 0x79]);
  const decoded = new TextDecoder().decode(bytes); // 'hello \ufffd 😀 \ufffdy'
  const a = tok.encodeBytes(bytes);
  const b = tok.encode(decoded);
  assert.deepEqual(Array.from(a.ids), Array.from(b.ids));
  assert.deepEqual(a.offsets, b.offsets);
  assert.deepEqual(tok.encodeBytes(new TextEncoder().encode('hello world')).tokens, ['[CLS]', 'hello', 'world', '[SEP]']);
  tok.dispose();
});

test('encodeBatch gives flat padded Int32Arrays equal to per-text encode', async () => {
  const tok = await wordpiece();
  assert.equal(tok.padId, 1);
  const texts = ['hello', 'hello world x y', '', 'a😀 world'];
  const batch = tok.encodeBatch(texts);
  const singles = texts.map((s) => tok.encode(s));
  const seqLen = Math.max(...singles.map((e) => e.length));
  assert.deepEqual(batch.shape, [4, seqLen]);
  assert.ok(batch.ids instanceof Int32Array && batch.attentionMask instanceof Int32Array && batch.typeIds instanceof Int32Array);
  assert.deepEqual(Array.from(batch.lengths), singles.map((e) => e.length));
  singles.forEach((e, r) => {
    const row = (a) => Array.from(a.subarray(r * seqLen, (r + 1) * seqLen));
    const pad = seqLen - e.length;
    assert.deepEqual(row(batch.ids), [...e.ids, ...Array(pad).fill(1)]);
    assert.deepEqual(row(batch.attentionMask), [...Array(e.length).fill(1), ...Array(pad).fill(0)]);
    assert.deepEqual(row(batch.typeIds), [...e.typeIds, ...Array(pad).fill(0)]);
  });
  const fixed = tok.encodeBatch(['hello'], { padToLength: 8 });
  assert.deepEqual(fixed.shape, [1, 8]);
  assert.deepEqual(Array.from(fixed.ids), [0, 4, 2, 1, 1, 1, 1, 1]);
  assert.throws(() => tok.encodeBatch(['hello world x y'], { padToLength: 3 }), (e) => e instanceof InvalidArgumentError && /padToLength 3/.test(e.message));
  const truncated = tok.encodeBatch(['hello world x y', 'x'], { maxLength: 4 });
  assert.deepEqual(truncated.shape, [2, 4]);
  assert.deepEqual(Array.from(truncated.ids), [0, 4, 5, 2, 0, 6, 2, 1]);
  const pairs = tok.encodeBatch(['hello', 'x'], { pairs: ['world', 'y a'] });
  assert.deepEqual(pairs.shape, [2, 6]);
  assert.deepEqual(Array.from(pairs.ids), [0, 4, 2, 5, 2, 1, 0, 6, 2, 8, 10, 2]);
  assert.deepEqual(Array.from(pairs.typeIds), [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(tok.encodeBatch([]).shape, [0, 0]);
  tok.dispose();
});

test('pairs, truncation, special tokens switch', async () => {
  const tok = await wordpiece();
  const p = tok.encode('hello x', { pair: 'world' });
  assert.deepEqual(Array.from(p.ids), [0, 4, 6, 2, 5, 2]);
  assert.deepEqual(Array.from(p.typeIds), [0, 0, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(p.sequenceIds), [-1, 0, 0, -1, 1, -1]);
  assert.deepEqual(p.offsets, [[0, 0], [0, 5], [6, 7], [0, 0], [0, 5], [0, 0]]);
  assert.deepEqual(Array.from(tok.encode('hello world x y', { maxLength: 4 }).ids), [0, 4, 5, 2]);
  assert.deepEqual(Array.from(tok.encode('hello world', { addSpecialTokens: false }).ids), [4, 5]);
  assert.equal(tok.numSpecialTokens(), 2);
  assert.equal(tok.numSpecialTokens(true), 3);
  tok.dispose();
});

test('decode, vocabulary lookups, 100k-char input', async () => {
  const tok = await wordpiece();
  assert.equal(tok.decode(tok.encode('Hello worlds!').ids, { skipSpecialTokens: true }), 'hello worlds!');
  assert.equal(tok.decode([0, 4, 2]), '[CLS] hello [SEP]');
  assert.equal(tok.decode([4, 1_000_000, -1, 5]), 'hello world'); // unknown ids are skipped, as in HF
  assert.equal(tok.tokenToId('world'), 5);
  assert.equal(tok.tokenToId('[PAD]'), 1);
  assert.equal(tok.tokenToId('nope'), null);
  assert.equal(tok.idToToken(7), '😀');
  assert.equal(tok.idToToken(100000), null);
  assert.equal(tok.vocabSize, VOCAB_SIZE);
  const long = 'hello world '.repeat(10000);
  assert.equal(tok.encode(long).length, 20002);
  tok.dispose();
});

test('dispose frees the tokenizer; later calls throw', async () => {
  const tok = await wordpiece();
  assert.equal(tok.disposed, false);
  tok.dispose();
  tok.dispose(); // idempotent
  assert.equal(tok.disposed, true);
  assert.throws(() => tok.encode('hello'), (e) => e instanceof InvalidArgumentError && /disposed/.test(e.message));
  assert.throws(() => tok.encodeBatch(['hello']), InvalidArgumentError);
  assert.throws(() => tok.vocabSize, InvalidArgumentError);
});

test('fromFile loads .json, .model and folders', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmbed-tok-'));
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(WORDPIECE));
  for (const p of [dir, path.join(dir, 'tokenizer.json')]) {
    const t = await Tokenizer.fromFile(p);
    assert.deepEqual(Array.from(t.encode('hello').ids), [0, 4, 2]);
    t.dispose();
  }
  const spm = await Tokenizer.fromFile(modelPath('uni-ruen-4000'));
  const xlmr = await Tokenizer.fromFile(modelPath('uni-ruen-4000'), { flavor: 'xlm-roberta' });
  const a = Array.from(spm.encode('Мужчина играет на гитаре.').ids);
  const b = Array.from(xlmr.encode('Мужчина играет на гитаре.').ids);
  // fairseq mapping: <s> piece+1 ... </s>
  assert.deepEqual(b, [0, ...a.map((id) => (id === 0 ? 3 : id + 1)), 2]);
  assert.equal(xlmr.tokenToId('<mask>'), xlmr.vocabSize - 1);
  spm.dispose();
  xlmr.dispose();
});

test('wasmbed tokenize CLI: stdin lines -> JSON lines', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmbed-cli-'));
  const file = path.join(dir, 'tokenizer.json');
  writeFileSync(file, JSON.stringify(WORDPIECE));
  const cli = path.join(REPO_ROOT, 'js', 'cli.js');
  const run = (args, input) => spawnSync(process.execPath, [cli, 'tokenize', ...args], { input, encoding: 'utf8' });
  const r = run(['--tokenizer', file], 'hello world\r\nx😀y\n\nworlds!');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { ids: [0, 4, 5, 2], tokens: ['[CLS]', 'hello', 'world', '[SEP]'] },
    { ids: [0, 3, 2], tokens: ['[CLS]', '[UNK]', '[SEP]'] },
    { ids: [0, 2], tokens: ['[CLS]', '[SEP]'] },
    { ids: [0, 5, 9, 13, 2], tokens: ['[CLS]', 'world', '##s', '!', '[SEP]'] },
  ]);
  const ns = run(['--tokenizer', file, '--no-special', '--max-length', '1'], 'hello world\n');
  assert.equal(ns.status, 0, ns.stderr);
  assert.deepEqual(JSON.parse(ns.stdout), { ids: [4], tokens: ['hello'] });
  const model = run(['--tokenizer', modelPath('uni-ko-8000-bf')], '안녕하세요\n');
  assert.equal(model.status, 0, model.stderr);
  assert.ok(JSON.parse(model.stdout).ids.length > 0);
  assert.equal(run([], '').status, 2);
  assert.equal(run(['--tokenizer', file, '--max-length', 'x'], '').status, 2);
  const bad = run(['--tokenizer', path.join(dir, 'missing.json')], '');
  assert.equal(bad.status, 2, 'a --tokenizer path that cannot be read is a usage error');
  assert.match(bad.stderr, /InvalidArgumentError/);
});
