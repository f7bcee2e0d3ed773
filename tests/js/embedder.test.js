// Embedder behaviour on generated tiny models: padding invariance, configuration precedence
// (explicit options > model files > manifest), prompts, Matryoshka dimensions, bad input,
// concurrency and memory (no wasm heap growth over many calls).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Embedder, InvalidArgumentError } from '../../js/index.js';
import { loadCore } from '../../js/diagnostics.js';
import { makeModel } from '../../models/generator/index.js';
import { committedSample, cpuModels, makeTinyModels, maxAbsDiff, norm, tempDir } from '../helpers/embedder-models.js';

const dir = tempDir();
let models;
const { load, disposeAll } = cpuModels(Embedder);

before(async () => {
  models = await makeTinyModels(dir, ['bert', 'roberta']);
  // ko-sroberta-multitask's settings: RoBERTa, mean pooling, NOT normalized, 128 tokens.
  await makeModel(path.join(dir, 'ko-sroberta'), { preset: 'tiny-roberta', seed: 5, st: { pooling: 'mean', normalize: false, maxSeqLength: 128 } });
  // A model with no sentence-transformers files at all (plain Hugging Face export).
  await makeModel(path.join(dir, 'plain'), { preset: 'tiny-bert', seed: 6 });
  for (const f of ['modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', '1_Pooling', '2_Normalize']) {
    rmSync(path.join(dir, 'plain', f), { recursive: true, force: true });
  }
});
after(disposeAll);

describe('padding invariance and batching', () => {
  for (const device of ['cpu', 'wasm']) {
    test(`${device}: a text alone equals the same text inside a batch of longer texts (1e-5)`, async () => {
      const model = await load(models.roberta, { device });
      const sample = committedSample();
      const long = sample.filter((t) => t.length > 200);
      const short = sample.filter((t) => t.length > 0 && t.length < 60).slice(0, 4);
      for (const text of short) {
        const [alone] = await model.embed([text]);
        const inBatch = await model.embed([long[0], text, long[1], 'x'], { batchSize: 4, tokenBudget: 1 << 20 });
        const d = maxAbsDiff(alone, inBatch[1]);
        assert.ok(d <= 1e-5, `${JSON.stringify(text)}: ${d}`);
      }
    });
  }

  test('results come back in input order whatever the batch plan', async () => {
    const model = await load(models.bert);
    const texts = committedSample().filter((t) => t.length < 400); // mixed lengths, no 512-token ones
    const one = await model.embed(texts, { batchSize: 1 });
    for (const options of [{ batchSize: 32 }, { batchSize: 5 }, { tokenBudget: 64 }]) {
      const got = await model.embed(texts, options);
      for (let i = 0; i < texts.length; i++) assert.ok(maxAbsDiff(got[i], one[i]) <= 1e-5, `${JSON.stringify(options)} text ${i}`);
    }
  });

  test('embedFlat returns one row per text and progress reaches the total', async () => {
    const model = await load(models.bert);
    const events = [];
    const texts = committedSample();
    const flat = await model.embedFlat(texts, { batchSize: 4, onProgress: (p) => events.push(p) });
    assert.equal(flat.count, texts.length);
    assert.equal(flat.dims, 64);
    assert.equal(flat.data.length, texts.length * 64);
    assert.deepEqual(events.at(-1), { done: texts.length, total: texts.length });
    const rows = await model.embed(texts.slice(0, 3));
    assert.ok(maxAbsDiff(flat.data.subarray(64, 128), rows[1]) <= 1e-6);
  });

  test('concurrent embed() calls on one model return the sequential results', async () => {
    for (const device of ['cpu', 'wasm']) {
      const model = await load(models.bert, { device });
      const texts = committedSample();
      const groups = Array.from({ length: 8 }, (_, g) => texts.filter((_, i) => i % 8 === g));
      const sequential = [];
      for (const g of groups) sequential.push(await model.embed(g));
      const parallel = await Promise.all(groups.map((g) => model.embed(g, { batchSize: 2 })));
      groups.forEach((g, k) => g.forEach((_, i) => assert.ok(maxAbsDiff(parallel[k][i], sequential[k][i]) <= 1e-5, `${device} group ${k} text ${i}`)));
    }
  });
});

describe('configuration', () => {
  test('ko-sroberta settings: mean pooling, vectors not unit length, 128-token limit', async () => {
    const model = await load(path.join(dir, 'ko-sroberta'));
    assert.equal(model.info.pooling, 'mean');
    assert.equal(model.info.normalize, false);
    assert.equal(model.info.maxLength, 128);
    const vectors = await model.embed(['한국어 문장입니다.', 'A sentence.', '']);
    for (const v of vectors) assert.ok(Math.abs(norm(v) - 1) > 1e-3, `norm ${norm(v)} should not be 1`);
    // Over-long input is cut at 128 tokens: appending more text past the limit changes nothing.
    const base = '가 '.repeat(300);
    const [a, b] = await model.embed([base, base + ' 추가 문장']);
    assert.ok(maxAbsDiff(a, b) <= 1e-6);
  });

  test('e5 manifest: prompt "query" prepends "query: " and vectors are unit length', async () => {
    const model = await load(models.bert, { manifest: 'intfloat/multilingual-e5-small' });
    assert.deepEqual(model.info.prompts, { query: 'query: ', passage: 'passage: ' });
    assert.equal(model.info.manifest, 'intfloat/multilingual-e5-small');
    const [q] = await model.embed(['how are you'], { prompt: 'query' });
    const [literal] = await model.embed(['query: how are you']);
    const [plain] = await model.embed(['how are you']);
    assert.ok(maxAbsDiff(q, literal) <= 1e-6);
    assert.ok(maxAbsDiff(q, plain) > 1e-4);
    assert.ok(Math.abs(norm(q) - 1) < 1e-5);
    const [custom] = await model.embed(['how are you'], { promptText: 'Represent this: ' });
    const [customLiteral] = await model.embed(['Represent this: how are you']);
    assert.ok(maxAbsDiff(custom, customLiteral) <= 1e-6);
  });

  test('precedence: explicit options > model files > manifest > defaults', async () => {
    // Model files say mean + normalize; the ko-sroberta manifest says not normalized, 128.
    const fromFiles = await load(models.bert, { manifest: 'jhgan/ko-sroberta-multitask' });
    assert.equal(fromFiles.info.normalize, true);
    assert.equal(fromFiles.info.settingsFrom.normalize, 'model');
    assert.equal(fromFiles.info.maxLength, 512); // sentence_bert_config.json wins over the manifest
    const explicit = await load(models.bert, { pooling: 'cls', normalize: false, maxLength: 64 });
    assert.deepEqual([explicit.info.pooling, explicit.info.normalize, explicit.info.maxLength], ['cls', false, 64]);
    // No sentence-transformers files: the manifest fills in; without one, ST's defaults.
    const viaManifest = await load(path.join(dir, 'plain'), { manifest: 'BAAI/bge-m3' });
    assert.deepEqual([viaManifest.info.pooling, viaManifest.info.normalize, viaManifest.info.settingsFrom.pooling], ['cls', true, 'manifest']);
    assert.equal(viaManifest.info.maxLength, 512); // capped by the model's 512 positions
    const defaults = await load(path.join(dir, 'plain'));
    assert.deepEqual([defaults.info.pooling, defaults.info.normalize], ['mean', false]);
    await assert.rejects(load(models.bert, { manifest: 'nobody/unknown-model' }), InvalidArgumentError);
    await assert.rejects(load(models.bert, { pooling: 'median' }), InvalidArgumentError);
  });

  test('dimensions truncates and re-normalizes (Matryoshka)', async () => {
    const model = await load(models.bert);
    const [full] = await model.embed(['matryoshka test']);
    const [short] = await model.embed(['matryoshka test'], { dimensions: 16 });
    assert.equal(short.length, 16);
    assert.ok(Math.abs(norm(short) - 1) < 1e-5);
    const n = norm(Array.from(full.subarray(0, 16)));
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(short[i] - full[i] / n) < 1e-5);
    await assert.rejects(model.embed(['x'], { dimensions: 65 }), InvalidArgumentError);
    await assert.rejects(model.embed(['x'], { dimensions: 0 }), InvalidArgumentError);
  });
});

describe('bad input', () => {
  test('empty array, empty string, non-strings, huge and malformed strings', async () => {
    const model = await load(models.bert);
    assert.deepEqual(await model.embed([]), []);
    const [empty] = await model.embed(['']);
    assert.equal(empty.length, 64);
    assert.ok(empty.every(Number.isFinite));
    for (const bad of [[1], [null], [undefined], [{}], ['ok', 5]]) {
      await assert.rejects(model.embed(bad), InvalidArgumentError, JSON.stringify(bad));
    }
    await assert.rejects(model.embed(42), InvalidArgumentError);
    await assert.rejects(model.embed(['x'], { batchSize: 0 }), InvalidArgumentError);
    await assert.rejects(model.embed(['x'], { truncate: 'middle' }), InvalidArgumentError);
    // 1 MB: truncated to the model's limit, not an error.
    const huge = 'word '.repeat(200_000);
    const started = Date.now();
    const [v] = await model.embed([huge]);
    assert.ok(v.every(Number.isFinite));
    assert.ok(Date.now() - started < 20000, 'a 1 MB string should embed in well under 20 s');
    await assert.rejects(model.embed([huge], { truncate: 'error' }), /over the limit of 512/);
    // A lone surrogate is encoded as U+FFFD (what TextEncoder and HF's Node binding do).
    const [lone] = await model.embed(['ab\uD800cd']);
    const [replaced] = await model.embed(['ab\uFFFDcd']);
    assert.ok(maxAbsDiff(lone, replaced) <= 1e-6);
  });

  test('a disposed model refuses to embed', async () => {
    const model = await Embedder.load(models.bert, { device: 'cpu' });
    await model.dispose();
    await assert.rejects(model.embed(['x']), InvalidArgumentError);
  });
});

describe('memory', () => {
  test('10,000 sequential embed calls leave the wasm heap flat', async () => {
    const core = await loadCore();
    const model = await load(models.bert);
    const texts = ['short text', '안녕하세요', 'a somewhat longer sentence with more tokens in it'];
    for (let i = 0; i < 50; i++) await model.embed(texts);
    const heapBefore = core.heapBytesInUse();
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 10000; i++) await model.embed([texts[i % 3]]);
    const heapAfter = core.heapBytesInUse();
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    assert.equal(heapAfter, heapBefore, 'malloc bytes in use changed');
    assert.ok(rssGrowth < 64 * 2 ** 20, `RSS grew by ${(rssGrowth / 2 ** 20).toFixed(1)} MiB`);
  });
});
