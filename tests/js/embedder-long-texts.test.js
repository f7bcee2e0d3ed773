// Issue #13.7: a text far over the length limit is tokenized from a prefix, not in full (a 100 MB
// line used to take about 3 GB of wasm heap before the CapacityError). The tokens kept must be
// exactly those of the full text, on WordPiece (bert) and SentencePiece unigram (xlmr) models,
// for spaced text, text without spaces, and a single endless "word" (where the prefix is not
// enough and the full text is used).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Embedder, InvalidArgumentError } from '../../js/index.js';
import { loadCore } from '../../js/diagnostics.js';
import { TokenBatches } from '../../js/embedder/token-batches.js';
import { committedSample, cpuModels, makeTinyModels, maxAbsDiff, tempDir } from '../helpers/embedder-models.js';

const dir = tempDir();
let models, core;
const { load, disposeAll } = cpuModels(Embedder);

before(async () => {
  models = await makeTinyModels(dir, ['bert', 'xlmr']);
  core = await loadCore();
});
after(disposeAll);

/** About `chars` UTF-16 units of the committed sample's lines joined by `sep`. */
function longText(chars, sep = ' ') {
  const lines = committedSample().filter((l) => l.length > 0);
  const parts = [];
  let n = 0;
  for (let i = 0; n < chars; i++) { const l = lines[i % lines.length]; parts.push(l); n += l.length + sep.length; }
  return parts.join(sep);
}

/** The ids TokenBatches keeps for one text (what the model is fed). */
function keptIds(tokenizer, text, maxLength, padId = 0) {
  const tokens = new TokenBatches(core, tokenizer, [text], { maxLength, truncate: 'end' });
  try {
    const n = tokens.lengths[0];
    tokens.setPlan([{ indices: [0], seqLen: n }]);
    return Array.from(tokens.pack(0, 1, n, padId).ids, Number);
  } finally {
    tokens.dispose();
  }
}

test('a 30M-unit line does not grow the wasm heap by its size', async () => {
  const model = await load(models.bert);
  await model.embed(['warm up', longText(40000)]);
  const before = core.HEAPU8.byteLength;
  const huge = 'lorem ipsum dolor sit amet '.repeat(30e6 / 27);
  const [v] = await model.embed([huge]);
  const grown = core.HEAPU8.byteLength - before;
  assert.ok(grown < 16 << 20, `the heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB for a ${(huge.length / 1e6).toFixed(0)}M-unit text`);
  const [short] = await model.embed([huge.slice(0, 5000)]);
  assert.ok(maxAbsDiff(v, short) <= 1e-6, 'the same first tokens give the same vector');
});

for (const name of ['bert', 'xlmr']) {
  test(`${name}: kept tokens of long texts equal full-text tokenization`, async () => {
    const model = await load(models[name]);
    const tokenizer = model.tokenizer;
    const cases = {
      spaced: longText(200000),
      'no spaces': longText(200000, '').replace(/\s+/g, ''),
      'one endless word': 'a'.repeat(300000),
      'surrogate pairs': '😀 '.repeat(100000),
    };
    for (const maxLength of [16, 128, model.info.maxLength]) {
      for (const [label, text] of Object.entries(cases)) {
        const want = Array.from(tokenizer.encode(text, { maxLength }).ids);
        assert.deepEqual(keptIds(tokenizer, text, maxLength), want, `${label}, maxLength ${maxLength}`);
      }
    }
  });
}

test("truncate: 'error' refuses a long text from its prefix", async () => {
  const model = await load(models.bert);
  await assert.rejects(model.embed(['ok', longText(100000)], { truncate: 'error' }),
    (err) => err instanceof InvalidArgumentError && /texts\[1\] has at least \d+ tokens, over the limit of \d+/.test(err.message));
});
