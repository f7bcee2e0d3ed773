// BGE-M3 heads at the real hidden size: an XLM-R encoder with bge-m3's width (hidden 1024, 16 heads,
// intermediate 4096; 1 layer instead of 24 and a small vocabulary keep it fast — the heads depend
// only on the hidden states) and seeded 1024 -> 1 / 1024 -> 1024 heads. embed({ outputs }) must equal
// a plain-JS reference computed from the definitions over ONNX Runtime's last_hidden_state.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Embedder } from '../../js/index.js';
import { makeModel } from '../../models/generator/index.js';
import { tempDir } from '../helpers/embedder-models.js';
import { skipUnless } from '../helpers/skip.js';

const ort = await import('onnxruntime-node').catch(() => null);
const skip = skipUnless(ort, 'onnxruntime-node is not installed');
const dir = tempDir('wasmbed-m3-real-');
after(() => rmSync(dir, { recursive: true, force: true }));

function readSafetensors(file) {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const get = (name) => {
    const [b, e] = header[name].data_offsets;
    return new Float32Array(new Uint8Array(bytes.subarray(8 + n + b, 8 + n + e)).buffer);
  };
  return { weight: get('weight'), bias: get('bias') };
}

test('sparse and ColBERT at hidden 1024 match the reference (single texts and a padded batch)', { skip, timeout: 120_000 }, async () => {
  const model = path.join(dir, 'm3-1024');
  await makeModel(model, {
    preset: 'tiny-xlm-roberta', heads: true, seed: 3,
    config: { hidden_size: 1024, num_attention_heads: 16, intermediate_size: 4096, num_hidden_layers: 1 },
  });
  const sparse = readSafetensors(path.join(model, 'sparse_linear.safetensors'));
  const colbert = readSafetensors(path.join(model, 'colbert_linear.safetensors'));
  const H = 1024, OUT = colbert.bias.length;
  assert.equal(sparse.weight.length, H);
  assert.equal(OUT, 1024);
  const m = await Embedder.load(model, { device: 'cpu' });
  const session = await ort.InferenceSession.create(path.join(model, 'onnx', 'model.onnx'));
  try {
    const texts = ['music music water city city music', 'a cat on the water', 'x'];
    const batched = await m.embed(texts, { outputs: ['dense', 'sparse', 'colbert'] });
    for (const [t, text] of texts.entries()) {
      const [single] = await m.embed([text], { outputs: ['sparse', 'colbert'] });
      const enc = m.tokenizer.encode(text);
      const len = enc.ids.length;
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(enc.ids, BigInt), [1, len]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(len).fill(1n), [1, len]),
      };
      const hidden = (await session.run(feeds)).last_hidden_state.data;
      // Reference sparse: relu(h.w + b), max per id, specials (0..3) and weights <= 0 dropped.
      const best = new Map();
      for (let i = 0; i < len; i++) {
        let s = sparse.bias[0];
        for (let k = 0; k < H; k++) s += hidden[i * H + k] * sparse.weight[k];
        const id = enc.ids[i];
        if (s <= 0 || id <= 3) continue;
        if (!best.has(id) || s > best.get(id)) best.set(id, s);
      }
      const ids = [...best.keys()].sort((a, b) => a - b);
      for (const got of [single, batched[t]]) {
        assert.deepEqual([...got.sparse.ids], ids);
        ids.forEach((id, k) => assert.ok(Math.abs(got.sparse.weights[k] - best.get(id)) < 1e-5, `sparse ${id}`));
        assert.equal(got.colbert.count, len - 1);
        assert.equal(got.colbert.dim, OUT);
      }
      // Reference ColBERT: linear on positions 1.., L2-normalized.
      for (let i = 1; i < len; i++) {
        const v = new Float64Array(OUT);
        for (let o = 0; o < OUT; o++) {
          let s = colbert.bias[o];
          for (let k = 0; k < H; k++) s += hidden[i * H + k] * colbert.weight[o * H + k];
          v[o] = s;
        }
        const norm = Math.hypot(...v);
        for (const got of [single, batched[t]]) {
          let worst = 0;
          for (let o = 0; o < OUT; o++) worst = Math.max(worst, Math.abs(got.colbert.vectors[(i - 1) * OUT + o] - v[o] / norm));
          assert.ok(worst < 1e-5, `text ${t} vector ${i}: max diff ${worst}`);
        }
      }
    }
  } finally {
    await m.dispose();
    await session.release();
  }
});
