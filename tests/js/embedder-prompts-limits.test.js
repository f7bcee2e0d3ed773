// Issue #12.9: `prompt` names one of the model's prompts (an unknown name is an error listing
// them, not text prepended silently); literal prefix text goes in `promptText`.
// A length limit that leaves no room for text after the special tokens is refused at load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Embedder, InvalidArgumentError, ModelLoadError } from '../../js/index.js';
import { makeModel } from '../../models/generator/index.js';
import { cpuModels, makeTinyModels, maxAbsDiff, tempDir } from '../helpers/embedder-models.js';

const dir = tempDir();
let models;
const { load, disposeAll } = cpuModels(Embedder);

before(async () => {
  models = await makeTinyModels(dir, ['bert']);
  await makeModel(path.join(dir, 'short'), { preset: 'tiny-bert', seed: 1, st: { maxSeqLength: 1 } });
});
after(disposeAll);

test('an unknown prompt name is an InvalidArgumentError listing the model\'s prompts', async () => {
  const model = await load(models.bert, { manifest: 'intfloat/multilingual-e5-small' });
  await assert.rejects(model.embed(['how are you'], { prompt: 'query:' }),
    (err) => err instanceof InvalidArgumentError && /"query:" is not one of this model's prompts \("query", "passage"\)/.test(err.message) && /promptText/.test(err.message));
  const plain = await load(models.bert, { manifest: false });
  assert.deepEqual(plain.info.prompts, {});
  await assert.rejects(plain.embed(['how are you'], { prompt: 'query' }), (err) => err instanceof InvalidArgumentError && /it has none/.test(err.message));
});

test('promptText prepends literal text; it cannot be combined with prompt', async () => {
  const model = await load(models.bert, { manifest: 'intfloat/multilingual-e5-small' });
  const [custom] = await model.embed(['how are you'], { promptText: 'Represent this: ' });
  const [literal] = await model.embed(['Represent this: how are you']);
  assert.ok(maxAbsDiff(custom, literal) <= 1e-6);
  const [named] = await model.embed(['how are you'], { prompt: 'query' });
  const [asText] = await model.embed(['how are you'], { promptText: 'query: ' });
  assert.ok(maxAbsDiff(named, asText) <= 1e-6);
  await assert.rejects(model.embed(['x'], { prompt: 'query', promptText: 'query: ' }), InvalidArgumentError);
  await assert.rejects(model.embed(['x'], { promptText: 3 }), InvalidArgumentError);
});

test('max_seq_length 1 in the model files is a ModelLoadError at load, not a failure on every embed', async () => {
  const sbert = JSON.parse(readFileSync(path.join(dir, 'short', 'sentence_bert_config.json'), 'utf8'));
  assert.equal(sbert.max_seq_length, 1);
  await assert.rejects(Embedder.load(path.join(dir, 'short'), { device: 'cpu' }),
    (err) => err instanceof ModelLoadError && /maxLength 1 \(from the model's sentence_bert_config.json max_seq_length\) leaves no room for text/.test(err.message));
});

test('a maxLength option at or below the special tokens count is an InvalidArgumentError at load', async () => {
  for (const maxLength of [1, 2]) {
    await assert.rejects(Embedder.load(models.bert, { device: 'cpu', maxLength }),
      (err) => err instanceof InvalidArgumentError && /the maxLength option/.test(err.message) && /adds 2 special token/.test(err.message));
  }
  const three = await load(models.bert, { maxLength: 3 });
  const [v] = await three.embed(['a long text that is cut to one token']);
  assert.equal(v.length, 64);
});

test('a sentence_bert_config.json with max_seq_length 2 (specials only) is refused too', async () => {
  const target = path.join(dir, 'two');
  await makeModel(target, { preset: 'tiny-bert', seed: 1, st: { maxSeqLength: 2 } });
  const file = path.join(target, 'sentence_bert_config.json');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).max_seq_length, 2);
  await assert.rejects(Embedder.load(target, { device: 'cpu' }), ModelLoadError);
});
