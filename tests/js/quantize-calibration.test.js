// Bias correction (js/quantize/calibrate.js + quantize.js): the activation means the float32 model
// gives, the corrected biases the quantizer writes, the Add it inserts where a MatMul has no bias,
// and what happens without a tokenizer. Each check recomputes its expectation independently
// (dequantizing the written codes, or using a MatMul's linearity).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { DataType, graph as graphMsg, model as modelMsg, node, tensor, valueInfo, writeMessage } from '../../js/onnx/index.js';
import { closeModel, fileGraphSource, readOnnxModel, tensorSource } from '../../js/onnx/node.js';
import { InvalidArgumentError } from '../../js/errors.js';
import { activationMeans, CALIBRATION_TEXTS } from '../../js/quantize/calibrate.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { run as cliRun } from '../../js/cli/quantize.js';

let tmp, dir, fp32;
const TEXTS = ['오늘 날씨가 맑다.', 'Сегодня хорошая погода.', 'The weather is nice today.', 'A man plays the guitar on a street corner.'];

/** { graph nodes, floats(name), bytes(name) } of an ONNX file, read fully then closed. */
async function load(file) {
  const m = await readOnnxModel(file);
  try {
    const src = fileGraphSource(m);
    const out = { nodes: m.graph.nodes, floats: new Map(), bytes: new Map(), dims: new Map() };
    for (const t of m.graph.initializers) {
      out.dims.set(t.name, t.dims);
      if (!t.data) continue;
      const raw = await (await tensorSource(m, t)).read(t.data.offset, t.data.length);
      out.bytes.set(t.name, raw);
      if (t.dataType === DataType.FLOAT) out.floats.set(t.name, Float32Array.from(await src.graph.initializers.find((h) => h.name === t.name).readFloats()));
    }
    return out;
  } finally {
    await closeModel(m);
  }
}

/** Dequantized W [K, N] (row-major) from MatMulNBits inputs, decoded here without blockwise.js. */
function dequantize(q, n) {
  const attr = (k) => n.attributes.find((a) => a.name === k).i;
  const K = attr('K'), N = attr('N'), bits = attr('bits'), block = attr('block_size');
  const data = q.bytes.get(n.input[1]), scales = q.floats.get(n.input[2]), zps = q.bytes.get(n.input[3]);
  const kBlocks = Math.ceil(K / block), zpRow = Math.ceil((kBlocks * bits) / 8);
  const code = (bytes, off, i) => (bits === 8 ? bytes[off + i] : (bytes[off + (i >> 1)] >> ((i & 1) * 4)) & 15);
  const w = new Float64Array(K * N);
  for (let c = 0; c < N; c++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / block);
      w[k * N + c] = (code(data, (c * kBlocks + b) * ((block * bits) / 8), k % block) - code(zps, c * zpRow, b)) * scales[c * kBlocks + b];
    }
  }
  return { w, K, N };
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-calibration-'));
  dir = path.join(tmp, 'tiny-bert');
  await makeModel(dir, { preset: 'tiny-bert', config: { num_hidden_layers: 1 }, seed: 3 });
  fp32 = path.join(dir, 'onnx/model.onnx');
});

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('activation means', () => {
  test('a MatMul + bias output mean equals mean(input) · W + b (the probe reads real activations, per token)', async () => {
    const f = await load(fp32);
    const mm = f.nodes.find((n) => n.opType === 'MatMul' && f.floats.has(n.input[1]));
    const add = f.nodes.find((n) => n.opType === 'Add' && n.input.includes(mm.output[0]));
    const bias = add.input.find((i) => f.floats.has(i));
    const { means, tokens, texts } = await activationMeans(fp32, [mm.input[0], add.output[0]], { texts: TEXTS });
    assert.equal(texts, TEXTS.length);
    assert.ok(tokens > TEXTS.length * 3, `${tokens} tokens`);
    const [K, N] = f.dims.get(mm.input[1]);
    const W = f.floats.get(mm.input[1]), b = f.floats.get(bias), mx = means.get(mm.input[0]), mz = means.get(add.output[0]);
    assert.equal(mx.length, K);
    assert.equal(mz.length, N);
    let worst = 0;
    for (let c = 0; c < N; c++) {
      let v = b[c];
      for (let k = 0; k < K; k++) v += mx[k] * W[k * N + c];
      worst = Math.max(worst, Math.abs(v - mz[c]));
    }
    assert.ok(worst < 1e-4, `max |mean(z) - mean(x)·W - b| = ${worst}`);
    // onnxruntime-web WASM (Node without onnxruntime-node) reads the same probe and weights.
    const web = await activationMeans(fp32, [add.output[0]], { texts: TEXTS, device: 'wasm' });
    assert.equal(web.device, 'wasm');
    assert.ok(web.means.get(add.output[0]).every((v, i) => Math.abs(v - mz[i]) < 1e-5), 'WASM and default-device means differ');
    // The probe graph is removed: the model folder holds what it held before.
    assert.deepEqual(readdirSync(path.join(dir, 'onnx')), ['model.onnx']);
  });

  test('bad calibration texts -> InvalidArgumentError', async () => {
    await assert.rejects(activationMeans(fp32, ['x'], { texts: [] }), InvalidArgumentError);
    await assert.rejects(activationMeans(fp32, ['x'], { texts: ['ok', ''] }), InvalidArgumentError);
    assert.ok(CALIBRATION_TEXTS.length >= 48);
  });
});

describe('bias correction', () => {
  test('q4 / q8: every MatMul bias becomes b - E[x]·(dequantized W - W), with E[x] from the float model', async () => {
    const f = await load(fp32);
    for (const format of ['q4', 'q8']) {
      const out = path.join(dir, `onnx/corrected_${format}.onnx`);
      const r = await quantizeModel(fp32, out, { format, calibration: { texts: TEXTS } });
      assert.equal(r.biasCorrected, r.matmuls);
      assert.equal(r.calibration.texts, TEXTS.length);
      const q = await load(out);
      const nbits = q.nodes.filter((n) => n.opType === 'MatMulNBits');
      assert.equal(nbits.length, r.matmuls);
      const { means } = await activationMeans(fp32, [...new Set(nbits.map((n) => n.input[0]))], { texts: TEXTS });
      for (const n of nbits) {
        const add = q.nodes.find((m) => m.opType === 'Add' && m.input.includes(n.output[0]));
        const bias = add.input.find((i) => q.floats.has(i));
        const weight = f.nodes.find((m) => m.opType === 'MatMul' && m.output[0] === n.output[0]).input[1];
        const { w: dq, K, N } = dequantize(q, n);
        const W = f.floats.get(weight), b = f.floats.get(bias), mu = means.get(n.input[0]), got = q.floats.get(bias);
        let worst = 0, moved = 0;
        for (let c = 0; c < N; c++) {
          let shift = 0;
          for (let k = 0; k < K; k++) shift += mu[k] * (dq[k * N + c] - W[k * N + c]);
          worst = Math.max(worst, Math.abs(got[c] - (b[c] - shift)));
          moved = Math.max(moved, Math.abs(got[c] - b[c]));
        }
        assert.ok(worst < 1e-5, `${format} ${bias}: off by ${worst}`);
        assert.ok(moved > 1e-6, `${format} ${bias}: bias unchanged`);
      }
    }
  });

  test('int8-dynamic: every MatMulInteger bias becomes b - E[x]·(dequantized W - W)', async () => {
    const f = await load(fp32);
    const out = path.join(dir, 'onnx/corrected_int8.onnx');
    const r = await quantizeModel(fp32, out, { format: 'int8-dynamic', calibration: { texts: TEXTS } });
    assert.equal(r.biasCorrected, r.matmuls);
    const q = await load(out);
    const mms = q.nodes.filter((n) => n.opType === 'MatMulInteger');
    assert.equal(mms.length, r.matmuls);
    const means = (await activationMeans(fp32, f.nodes.filter((n) => n.opType === 'MatMul' && f.floats.has(n.input[1])).map((n) => n.input[0]), { texts: TEXTS })).means;
    for (const n of mms) {
      // MatMulInteger -> Cast -> Mul -> y; the float model's MatMul wrote y and read W.
      const y = q.nodes.find((m) => m.opType === 'Mul' && m.input[0] === q.nodes.find((c) => c.opType === 'Cast' && c.input[0] === n.output[0]).output[0]).output[0];
      const orig = f.nodes.find((m) => m.opType === 'MatMul' && m.output[0] === y);
      const add = q.nodes.find((m) => m.opType === 'Add' && m.input.includes(y));
      const bias = add.input.find((i) => q.floats.has(i));
      const [K, N] = f.dims.get(orig.input[1]);
      const codes = new Int8Array(q.bytes.get(n.input[1]).buffer, q.bytes.get(n.input[1]).byteOffset, K * N);
      const scale = q.floats.get(n.input[1].replace(/_quantized$/, '_scale'));
      const W = f.floats.get(orig.input[1]), b = f.floats.get(bias), mu = means.get(orig.input[0]), got = q.floats.get(bias);
      let worst = 0, moved = 0;
      for (let c = 0; c < N; c++) {
        let shift = 0;
        for (let k = 0; k < K; k++) shift += mu[k] * (codes[k * N + c] * scale[c] - W[k * N + c]);
        worst = Math.max(worst, Math.abs(got[c] - (b[c] - shift)));
        moved = Math.max(moved, Math.abs(got[c] - b[c]));
      }
      assert.ok(worst < 1e-5, `${n.name}: off by ${worst}`);
      assert.ok(moved > 1e-7, `${n.name}: bias unchanged`);
    }
  });

  test('a MatMul without a bias gets an Add; the corrected model\'s mean output equals the float one', async () => {
    // input_ids -> Gather(E) -> MatMul(W) -> y: linear, so with exact activation means the
    // corrected mean output over the calibration tokens is the float one, up to rounding.
    const own = path.join(tmp, 'no-bias');
    mkdirSync(path.join(own, 'onnx'), { recursive: true });
    copyFileSync(path.join(dir, 'tokenizer.json'), path.join(own, 'tokenizer.json'));
    const vocab = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).vocab_size;
    const K = 64, N = 32;
    let s = 1;
    const rand = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32 - 0.3; }; // mean 0.2: a real shift
    const E = Float32Array.from({ length: vocab * K }, rand), W = Float32Array.from({ length: K * N }, rand);
    const bytes = (a) => new Uint8Array(a.buffer);
    const g = graphMsg({
      name: 'no-bias',
      nodes: [node('Gather', ['E', 'input_ids'], ['x'], { axis: 0 }, 'gather'), node('MatMul', ['x', 'W'], ['y'], {}, 'matmul')],
      initializers: [tensor('E', DataType.FLOAT, [vocab, K], bytes(E)), tensor('W', DataType.FLOAT, [K, N], bytes(W))],
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq'])],
      outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'seq', N])],
    });
    const file = path.join(own, 'onnx/model.onnx');
    const chunks = [];
    await writeMessage(modelMsg(g), { write: (c) => chunks.push(c) });
    writeFileSync(file, Buffer.concat(chunks));
    const out = path.join(own, 'onnx/model_q4.onnx');
    const r = await quantizeModel(file, out, { format: 'q4', embeddings: false, calibration: { texts: TEXTS } });
    assert.equal(r.biasCorrected, 1);
    const q = await load(out);
    assert.deepEqual(q.nodes.map((n) => n.opType), ['Gather', 'MatMulNBits', 'Add']);
    const plain = path.join(own, 'onnx/model_q4_plain.onnx');
    await quantizeModel(file, plain, { format: 'q4', embeddings: false, calibration: false });
    const [mf, mq, mp] = await Promise.all([file, out, plain].map(async (m) => (await activationMeans(m, ['y'], { texts: TEXTS })).means.get('y')));
    let err = 0, errPlain = 0;
    for (let c = 0; c < N; c++) { err = Math.max(err, Math.abs(mq[c] - mf[c])); errPlain = Math.max(errPlain, Math.abs(mp[c] - mf[c])); }
    assert.ok(err < 1e-4, `corrected mean output off by ${err}`);
    assert.ok(errPlain > 100 * err, `uncorrected off by ${errPlain}, corrected ${err}`);
  });

  test("calibration 'auto' without a tokenizer is skipped with the reason; true fails; int8-dynamic is corrected too", async () => {
    const lone = path.join(tmp, 'lone');
    mkdirSync(lone, { recursive: true });
    copyFileSync(fp32, path.join(lone, 'model.onnx'));
    const r = await quantizeModel(path.join(lone, 'model.onnx'), path.join(lone, 'q4.onnx'), { format: 'q4' });
    assert.match(r.calibration.skipped, /tokenizer/);
    assert.equal(r.biasCorrected, 0);
    await assert.rejects(quantizeModel(path.join(lone, 'model.onnx'), path.join(lone, 'q4b.onnx'), { format: 'q4', calibration: true }), (e) => e instanceof InvalidArgumentError && /tokenizer/.test(e.message));
    await assert.rejects(quantizeModel(fp32, path.join(lone, 'q4c.onnx'), { format: 'q4', calibration: 'yes' }), InvalidArgumentError);
    assert.deepEqual(readdirSync(lone).sort(), ['model.onnx', 'q4.onnx']);
    const d = await quantizeModel(fp32, path.join(dir, 'onnx/dyn.onnx'), { format: 'int8-dynamic' });
    assert.ok(d.calibration.texts > 0);
    assert.equal(d.biasCorrected, d.matmuls);
    const plain = await quantizeModel(fp32, path.join(dir, 'onnx/dyn_plain.onnx'), { format: 'int8-dynamic', calibration: false });
    assert.equal(plain.calibration, null);
    assert.equal(plain.biasCorrected, 0);
  });
});

describe('wasmbed quantize CLI calibration flags', () => {
  const io = () => {
    const out = [], err = [];
    return { out, err, streams: { stdout: { write: (x) => out.push(x) }, stderr: { write: (x) => err.push(x) } } };
  };

  test('--calibrate FILE, --no-calibration, and both at once (usage error)', async () => {
    const texts = path.join(tmp, 'calib.txt');
    writeFileSync(texts, `${TEXTS.join('\n')}\n\n`);
    const a = io();
    assert.equal(await cliRun([fp32, path.join(dir, 'onnx/cli_a.onnx'), '--format', 'q4', '--calibrate', texts, '--json'], a.streams), 0);
    const ra = JSON.parse(a.out.join(''));
    assert.equal(ra.calibration.texts, TEXTS.length);
    assert.equal(ra.biasCorrected, ra.matmuls);
    const b = io();
    assert.equal(await cliRun([fp32, path.join(dir, 'onnx/cli_b.onnx'), '--format', 'q4', '--no-calibration'], b.streams), 0);
    assert.doesNotMatch(b.out.join(''), /bias correction/);
    const c = io();
    assert.equal(await cliRun([fp32, path.join(dir, 'onnx/cli_c.onnx'), '--format', 'q4'], c.streams), 0);
    assert.match(c.out.join(''), new RegExp(`bias correction: \\d+ MatMuls, means over \\d+ tokens of ${CALIBRATION_TEXTS.length} texts`));
    const both = io();
    assert.equal(await cliRun([fp32, path.join(dir, 'onnx/cli_d.onnx'), '--calibrate', texts, '--no-calibration'], both.streams), 2);
    assert.match(both.err.join(''), /exclude each other/);
    const missing = io();
    assert.equal(await cliRun([fp32, path.join(dir, 'onnx/cli_e.onnx'), '--calibrate', path.join(tmp, 'absent.txt')], missing.streams), 2);
    assert.match(missing.err.join(''), /cannot read --calibrate .*absent\.txt: ENOENT/);
    const blank = path.join(tmp, 'blank.txt');
    writeFileSync(blank, '\n  \n');
    const empty = io();
    assert.equal(await cliRun([fp32, path.join(dir, 'onnx/cli_f.onnx'), '--calibrate', blank], empty.streams), 2);
    assert.match(empty.err.join(''), /has no texts/);
    assert.ok(!readdirSync(path.join(dir, 'onnx')).some((f) => f.startsWith('cli_e') || f.startsWith('cli_f')), 'a usage error wrote output');
  });
});
