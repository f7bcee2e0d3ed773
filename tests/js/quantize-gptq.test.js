// GPTQ rounding (js/quantize/gptq.js) and the Gram matrices calibration collects for it
// (calibrate.js hessianWindow). Checked independently of the code under test: the inverse-Hessian
// factor against its definition, the Gram matrix against the embedding rows of the tokens
// (tokenized here), and the layer output error through ONNX Runtime's own MatMulNBits kernel on
// texts the calibration never saw.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { DataType, graph as graphMsg, model as modelMsg, node, tensor, valueInfo, writeMessage } from '../../js/onnx/index.js';
import { InvalidArgumentError } from '../../js/errors.js';
import { activationMeans } from '../../js/quantize/calibrate.js';
import { inverseCholeskyUpper } from '../../js/quantize/gptq.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { Tokenizer } from '../../js/tokenizer/tokenizer.js';
import { skipUnless } from '../helpers/skip.js';

const ort = await import('onnxruntime-node').catch(() => null);

const CALIBRATION = ['오늘 날씨가 맑다.', 'Сегодня хорошая погода.', 'The weather is nice today.', 'A man plays the guitar on a street corner.', 'Two dogs run across the field.', '서울은 대한민국의 수도이다.'];
const HELD_OUT = ['A woman is slicing an onion in the kitchen.', 'Дети играют в парке после школы.', '고양이가 창가에서 잠을 잔다.', 'The train leaves at seven in the morning.'];

let tmp, own, vocab, K, N, E;

/** Deterministic uniform numbers in [-0.5, 0.5). */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32 - 0.5; };
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-gptq-'));
  const dir = path.join(tmp, 'tiny');
  await makeModel(dir, { preset: 'tiny-bert', config: { num_hidden_layers: 1 }, seed: 11 });
  vocab = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).vocab_size;
  // input_ids -> Gather(E) -> MatMul(W) -> y. The rows of E are correlated, as real activations
  // are (a few shared directions plus a little noise, and a non-zero mean): the case where
  // rounding errors of one input can be compensated by the others.
  own = path.join(tmp, 'linear');
  mkdirSync(path.join(own, 'onnx'), { recursive: true });
  copyFileSync(path.join(dir, 'tokenizer.json'), path.join(own, 'tokenizer.json'));
  K = 96; N = 48;
  const r = rng(7), R = 6;
  const Z = Float32Array.from({ length: vocab * R }, r), A = Float32Array.from({ length: R * K }, r);
  E = new Float32Array(vocab * K);
  for (let v = 0; v < vocab; v++) {
    for (let k = 0; k < K; k++) {
      let x = 0.3 + 0.05 * r();
      for (let j = 0; j < R; j++) x += Z[v * R + j] * A[j * K + k];
      E[v * K + k] = x;
    }
  }
  const W = Float32Array.from({ length: K * N }, r);
  const bytes = (a) => new Uint8Array(a.buffer);
  const g = graphMsg({
    name: 'linear',
    nodes: [node('Gather', ['E', 'input_ids'], ['x'], { axis: 0 }, 'gather'), node('MatMul', ['x', 'W'], ['y'], {}, 'matmul')],
    initializers: [tensor('E', DataType.FLOAT, [vocab, K], bytes(E)), tensor('W', DataType.FLOAT, [K, N], bytes(W))],
    inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq'])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'seq', N])],
  });
  const chunks = [];
  await writeMessage(modelMsg(g), { write: (c) => chunks.push(c) });
  writeFileSync(path.join(own, 'onnx/model.onnx'), Buffer.concat(chunks));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('GPTQ', () => {
  test('inverseCholeskyUpper gives upper U with U^T U = A^-1', () => {
    const m = 37, r = rng(3);
    const B = Float64Array.from({ length: m * m }, r);
    const A = new Float64Array(m * m); // B B^T + I: symmetric positive definite
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) { let s = i === j ? 1 : 0; for (let k = 0; k < m; k++) s += B[i * m + k] * B[j * m + k]; A[i * m + j] = s; }
    const U = inverseCholeskyUpper(Float64Array.from(A), m);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < i; j++) assert.equal(U[i * m + j], 0);
      for (let j = 0; j < m; j++) {
        // (U^T U A)[i][j] should be the identity.
        let s = 0;
        for (let k = 0; k < m; k++) { let utu = 0; for (let t = 0; t < m; t++) utu += U[t * m + i] * U[t * m + k]; s += utu * A[k * m + j]; }
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    assert.ok(worst < 1e-9, `U^T U A off the identity by ${worst}`);
    assert.throws(() => inverseCholeskyUpper(new Float64Array([1, 2, 2, 1]), 2), RangeError);
  });

  test("calibration's Gram blocks equal the sum of x x^T over the calibration tokens", async () => {
    const file = path.join(own, 'onnx/model.onnx');
    const window = 64; // 96 = 64 + 32: a full block and a partial one
    const { hessians, tokens } = await activationMeans(file, ['x'], { texts: CALIBRATION, hessianWindow: window });
    const tok = await Tokenizer.fromFile(path.join(own, 'tokenizer.json'));
    const ids = CALIBRATION.flatMap((t) => Array.from(tok.encode(t, { maxLength: 128 }).ids));
    tok.dispose();
    assert.equal(ids.length, tokens);
    const h = hessians.get('x');
    assert.equal(h.window, window);
    assert.deepEqual(h.blocks.map((b) => b.length), [64 * 64, 32 * 32]);
    let worst = 0;
    for (const [w0, m, blk] of [[0, 64, h.blocks[0]], [64, 32, h.blocks[1]]]) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (const id of ids) s += E[id * K + w0 + i] * E[id * K + w0 + j];
          worst = Math.max(worst, Math.abs(blk[i * m + j] - s) / (Math.abs(s) + 1));
        }
      }
    }
    assert.ok(worst < 1e-4, `Gram block off by ${worst} (relative)`);
    await assert.rejects(activationMeans(file, ['x'], { texts: CALIBRATION, hessianWindow: 0 }), InvalidArgumentError);
  });

  test('q4 with GPTQ has a smaller output error than plain rounding on held-out text, in ONNX Runtime', { skip: skipUnless(ort, 'onnxruntime-node is not installed') }, async () => {
    const file = path.join(own, 'onnx/model.onnx');
    const outs = {};
    for (const [name, gptq] of [['gptq', { window: 96 }], ['gptq-window-32', { window: 32 }], ['plain', false]]) {
      outs[name] = path.join(own, `onnx/model_q4_${name}.onnx`);
      const r = await quantizeModel(file, outs[name], { format: 'q4', embeddings: false, calibration: { texts: CALIBRATION }, gptq });
      assert.equal(r.biasCorrected, 1, name);
      assert.equal(r.gptq, gptq ? 1 : 0, name);
    }
    const tok = await Tokenizer.fromFile(path.join(own, 'tokenizer.json'));
    const ids = HELD_OUT.flatMap((t) => Array.from(tok.encode(t, { maxLength: 128 }).ids));
    tok.dispose();
    const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) };
    const run = async (f) => { const s = await ort.InferenceSession.create(f); try { return (await s.run(feeds)).y.data; } finally { await s.release(); } };
    const ref = await run(file);
    const sqErr = async (f) => { const y = await run(f); let e = 0; for (let i = 0; i < y.length; i++) e += (y[i] - ref[i]) ** 2; return e; };
    const plain = await sqErr(outs.plain), full = await sqErr(outs.gptq), windowed = await sqErr(outs['gptq-window-32']);
    assert.ok(full < 0.7 * plain, `GPTQ output error ${full} vs plain ${plain}`);
    assert.ok(windowed < plain, `windowed GPTQ output error ${windowed} vs plain ${plain}`);
    assert.ok(full <= windowed * 1.05, `full-window GPTQ ${full} vs 32-row windows ${windowed}`);
  });

  test('gptq option checks', async () => {
    const file = path.join(own, 'onnx/model.onnx');
    for (const bad of ['yes', { window: 8 }, { damp: 0 }]) {
      await assert.rejects(quantizeModel(file, path.join(own, 'onnx/bad.onnx'), { format: 'q4', calibration: { texts: CALIBRATION }, gptq: bad }), InvalidArgumentError);
    }
    // A window smaller than the block size is rounded up to whole blocks (q4 with block 128).
    const big = await quantizeModel(file, path.join(own, 'onnx/model_q4_b128.onnx'), { format: 'q4', block: 128, embeddings: false, calibration: { texts: CALIBRATION }, gptq: { window: 32 } });
    assert.equal(big.gptq, 1);
    // q8 by default: bias correction only, no GPTQ.
    const r = await quantizeModel(file, path.join(own, 'onnx/model_q8.onnx'), { format: 'q8', embeddings: false, calibration: { texts: CALIBRATION } });
    assert.equal(r.gptq, 0);
    assert.equal(r.biasCorrected, 1);
  });
});
