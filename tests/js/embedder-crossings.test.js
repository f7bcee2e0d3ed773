// Issue #18: embedding a batch crosses the JS/WASM boundary a constant number of times, not once
// per text. Every call into the core is counted (tests/helpers/core-crossings.js) while the
// Embedder embeds 4 or 32 texts in one batch, and 32 texts in several batches.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Embedder } from '../../js/index.js';
import { loadCore } from '../../js/diagnostics.js';
import { makeTinyModels, tempDir } from '../helpers/embedder-models.js';
import { countCrossings } from '../helpers/core-crossings.js';

const dir = tempDir();
let model, core, counter;

before(async () => {
  const models = await makeTinyModels(dir, ['bert']);
  model = await Embedder.load(models.bert, { device: 'cpu' });
  core = await loadCore();
  // Texts of one length, so every plan is one batch per batchSize texts.
  await model.embed(Array.from({ length: 64 }, (_, i) => `text number ${i % 10} here`)); // warm the scratch areas
  counter = countCrossings(core);
});
after(async () => { counter?.restore(); await model?.dispose(); });

const texts = (n) => Array.from({ length: n }, (_, i) => `text number ${i % 10} here`);

async function crossings(n, options = {}) {
  counter.reset();
  await model.embedFlat(texts(n), options);
  return { total: counter.total, batches: counter.of('BatchEncoder.pack'), calls: counter.snapshot() };
}

test('one batch of 32 texts crosses as often as one batch of 4, a few times per batch', async () => {
  const four = await crossings(4);
  const many = await crossings(32);
  assert.equal(four.batches, 1);
  assert.equal(many.batches, 1);
  assert.equal(many.total, four.total, `4 texts: ${JSON.stringify(four.calls)}; 32 texts: ${JSON.stringify(many.calls)}`);
  assert.ok(many.total <= 8, `32 texts in one batch made ${many.total} calls: ${JSON.stringify(many.calls)}`);
  assert.equal(many.calls['TokenizerHandle.encodeAll'], 1, 'all texts are tokenized in one call');
});

test('crossings grow with the number of batches, not of texts', async () => {
  const one = await crossings(32, { batchSize: 32 });
  const four = await crossings(32, { batchSize: 8 });
  const fourSmall = await crossings(16, { batchSize: 4 });
  assert.equal(four.batches, 4);
  assert.equal(fourSmall.batches, 4);
  assert.equal(four.total, fourSmall.total, `${JSON.stringify(four.calls)} vs ${JSON.stringify(fourSmall.calls)}`);
  const perBatch = (four.total - one.total) / 3;
  assert.ok(Number.isInteger(perBatch) && perBatch >= 1 && perBatch <= 3, `${perBatch} calls per extra batch: ${JSON.stringify(four.calls)}`);
});
