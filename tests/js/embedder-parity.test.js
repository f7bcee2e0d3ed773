// Parity with the main peer: wasmbed's Embedder vs @huggingface/transformers feature-extraction on
// the same generated ONNX files (BERT, RoBERTa, XLM-R), same pooling and normalization, over the
// ../shared texts (a sample of each corpus) or the committed sample; and onnxruntime-node vs
// onnxruntime-web WASM.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Embedder } from '../../js/index.js';
import { cosine, makeTinyModels, maxAbsDiff, parityTexts, tempDir } from '../helpers/embedder-models.js';

const dir = tempDir();
let models;
const { texts, shared } = parityTexts({ perCorpus: 20 });
const loaded = [];

before(async () => {
  models = await makeTinyModels(dir);
  if (!shared) console.log('# ../shared/texts absent: parity runs on the committed sample only');
});
after(async () => { for (const m of loaded) await m.dispose(); });

async function load(name, options) {
  const m = await Embedder.load(models[name], options);
  loaded.push(m);
  return m;
}

describe('parity with transformers.js (same ONNX file, onnxruntime-node)', () => {
  for (const name of ['bert', 'roberta', 'xlmr']) {
    test(`${name}: max abs difference <= 1e-5 on ${texts.length} texts`, async () => {
      const { pipeline, env } = await import('@huggingface/transformers');
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = dir + path.sep;
      const model = await load(name, { device: 'cpu' });
      const extractor = await pipeline('feature-extraction', name, { local_files_only: true, dtype: 'fp32', device: 'cpu' });
      try {
        // transformers.js 4.3 truncates after adding special tokens and so drops the final
        // [SEP] / </s> of over-long inputs (Python's tokenizers keep it, as wasmbed does): compare
        // only texts within the limit here; truncation is checked against Python's rule below.
        const limit = model.info.maxLength;
        const within = texts.filter((t) => model.tokenizer.encode(t).ids.length <= limit);
        assert.ok(within.length >= texts.length - 5, 'most sample texts fit the limit');
        const mine = await model.embed(within);
        const { pooling, normalize } = model.info;
        let worst = 0;
        // transformers.js pads each call to its longest input: feed it modest chunks.
        for (let i = 0; i < within.length; i += 16) {
          const chunk = within.slice(i, i + 16);
          const ref = (await extractor(chunk, { pooling, normalize })).tolist();
          for (let j = 0; j < chunk.length; j++) {
            assert.equal(mine[i + j].length, ref[j].length);
            const d = maxAbsDiff(mine[i + j], ref[j]);
            worst = Math.max(worst, d);
            assert.ok(d <= 1e-5, `text ${i + j} (${JSON.stringify(chunk[j].slice(0, 40))}): max abs diff ${d}`);
          }
        }
        console.log(`# ${name} (${pooling}, normalize ${normalize}): worst max abs diff ${worst.toExponential(2)}`);
      } finally {
        await extractor.dispose();
      }
    });
  }
});

describe('onnxruntime-node and onnxruntime-web WASM agree', () => {
  for (const name of ['bert', 'roberta', 'xlmr']) {
    test(`${name}: cosine >= 0.9999 per text`, async () => {
      const node = await load(name, { device: 'cpu' });
      const web = await load(name, { device: 'wasm' });
      assert.equal(node.info.backend, 'onnxruntime-node');
      assert.equal(web.info.backend, 'onnxruntime-web');
      const sample = texts.slice(0, 80);
      const [a, b] = await Promise.all([node.embed(sample), web.embed(sample)]);
      for (let i = 0; i < sample.length; i++) {
        const c = cosine(a[i], b[i]);
        assert.ok(c >= 0.9999, `text ${i}: cosine ${c}`);
      }
    });
  }
});
