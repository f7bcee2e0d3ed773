// Converter: safetensors + config.json -> ONNX through the generator's graph builder. Round trip:
// the generator writes its random weights as model.safetensors next to its own ONNX; the converted
// model must compute the same hidden states (within 1e-5). Bad input gives clear typed errors and
// leaves no output folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { writeSafetensors } from '../../js/convert/safetensors-writer.js';
import { InvalidArgumentError, ParseError, UnsupportedError } from '../../js/errors.js';
import { convertModel, DTYPE_FORMAT } from '../../js/convert/convert.js';
import { openSafetensors, readTensorFloat32 } from '../../js/convert/safetensors-reader.js';
import { probeFeeds, rowCosines } from '../../js/embedder/webgpu-guard.js';
import { run as cliRun } from '../../js/cli/convert.js';
import { quantizeModel } from '../../js/quantize/quantize.js';
import { compareModels } from '../../js/quantize/evaluate.js';
import { HAS_SHARED, REPO_ROOT } from '../helpers/paths.js';
import { loadAllCorpora } from '../helpers/shared-texts.js';

let tmp, ort;
const gen = {};
const ROWS = [[2, 15, 1500, 77, 9001, 420, 3], [2, 64, 22000, 5, 3100, 8, 3]];

async function hidden(file) {
  const s = await ort.InferenceSession.create(readFileSync(file));
  const out = await s.run(probeFeeds(ort.Tensor, ROWS, { tokenTypes: s.inputNames.includes('token_type_ids') }));
  await s.release();
  return out.last_hidden_state.data;
}

/** Everything in `dir` whose name starts with `prefix` (partial folders included). */
const leftovers = (dir, prefix) => readdirSync(dir).filter((f) => f.includes(prefix));

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-convert-'));
  for (const preset of ['tiny-bert', 'tiny-roberta', 'tiny-xlm-roberta']) {
    gen[preset] = path.join(tmp, `gen-${preset}`);
    await makeModel(gen[preset], { preset, config: { num_hidden_layers: 2 }, seed: 21, safetensors: true });
  }
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
});
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const preset of ['tiny-bert', 'tiny-roberta', 'tiny-xlm-roberta']) {
  test(`${preset}: converted safetensors reproduce the generator's ONNX within 1e-5`, async () => {
    const out = path.join(tmp, `out-${preset}`);
    const r = await convertModel(gen[preset], out, { localFilesOnly: true });
    assert.deepEqual(r.onnx, { fp32: 'onnx/model.onnx' });
    for (const f of ['config.json', 'tokenizer.json', 'modules.json', '1_Pooling/config.json']) assert.ok(existsSync(path.join(out, f)), `${f} not copied`);
    const a = await hidden(path.join(gen[preset], 'onnx/model.onnx'));
    const b = await hidden(path.join(out, 'onnx/model.onnx'));
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    assert.ok(maxDiff <= 1e-5, `max abs difference ${maxDiff}`);
    assert.ok(a.length === 2 * 7 * 64);
  });
}

test('sharded checkpoint (model.safetensors.index.json) + --dtype q4 in the same run', async () => {
  const src = path.join(tmp, 'sharded');
  cpSync(gen['tiny-bert'], src, { recursive: true });
  const st = await openSafetensors(path.join(src, 'model.safetensors'));
  const names = [...st.tensors.keys()];
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap = {};
  for (const [i, group] of shards.entries()) {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    const entries = [];
    for (const name of group) {
      const values = await readTensorFloat32(st, st.tensors.get(name));
      entries.push({ name, shape: st.tensors.get(name).shape, chunks: () => [values] });
      weightMap[name] = file;
    }
    await writeSafetensors(path.join(src, file), entries);
  }
  await st.source.close();
  rmSync(path.join(src, 'model.safetensors'));
  writeFileSync(path.join(src, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const out = path.join(tmp, 'out-sharded');
  const r = await convertModel(src, out, { dtype: ['fp32', 'q4'], localFilesOnly: true });
  assert.deepEqual(r.onnx, { fp32: 'onnx/model.onnx', q4: 'onnx/model_q4.onnx' });
  const ref = await hidden(path.join(gen['tiny-bert'], 'onnx/model.onnx'));
  assert.equal(rowCosines(await hidden(path.join(out, 'onnx/model.onnx')), ref, 64).min, 1);
  const q4 = rowCosines(await hidden(path.join(out, 'onnx/model_q4.onnx')), ref, 64);
  assert.ok(q4.min > 0.95 && q4.min < 1, `q4 token cosine ${q4.min}`);
});

/** Shared STS sentences (Korean, Russian, English) when ../shared exists, else the committed sample. */
function evalTexts() {
  const corpora = HAS_SHARED ? loadAllCorpora() : null;
  if (corpora) return Object.values(corpora).flatMap((s) => s.slice(0, 12));
  return readFileSync(path.join(REPO_ROOT, 'tests/fixtures/texts/embedder-sample.txt'), 'utf8').split('\n').filter((l) => l.trim());
}

for (const preset of ['tiny-bert', 'tiny-xlm-roberta']) {
  test(`${preset}: --dtype q8 / q4 quantize in the conversion pass; vectors close to the generator's fp32, bytes equal to quantize(converted fp32)`, async (t) => {
    const texts = evalTexts();
    const fp32Dir = path.join(tmp, `oq-fp32-${preset}`);
    await convertModel(gen[preset], fp32Dir, { localFilesOnly: true });
    const runs = [['q8', 'model_quantized.onnx', 0.999, 'auto'], ['q4', 'model_q4.onnx', 0.99, 'auto'], ['q4', 'model_q4.onnx', 0.99, false]];
    for (const [dtype, file, floor, calibration] of runs) {
      const out = path.join(tmp, `oq-${dtype}-${calibration}-${preset}`);
      const events = [];
      const r = await convertModel(gen[preset], out, { dtype, calibration, localFilesOnly: true, onProgress: (e) => events.push(e) });
      assert.deepEqual(r.onnx, { [dtype]: `onnx/${file}` });
      // The only ONNX file left is the quantized one. Without calibration no float32 ONNX is
      // written at all; with it (bias correction runs the float32 model) one is, temporarily.
      assert.deepEqual(readdirSync(path.join(out, 'onnx')), [file]);
      const files = events.filter((e) => e.stage === 'file').map((e) => e.file);
      if (calibration) {
        assert.deepEqual(files, ['onnx/.calibration-model.onnx', `onnx/${file}`]);
        assert.ok(r.calibration.tokens > 0 && events.some((e) => e.stage === 'calibrate'), JSON.stringify(r.calibration));
      } else {
        assert.deepEqual(files, [`onnx/${file}`]);
        assert.equal(r.calibration, null);
      }
      // The same quantizer run on the converted float32 file gives the very same bytes.
      const twoStep = path.join(fp32Dir, 'onnx', `two-step-${file}`);
      await quantizeModel(path.join(fp32Dir, 'onnx/model.onnx'), twoStep, { format: DTYPE_FORMAT[dtype], calibration });
      assert.ok(readFileSync(path.join(out, 'onnx', file)).equals(readFileSync(twoStep)), `${dtype}: one-pass and two-step files differ`);
      // Vectors through the real Embedder (WASM) against the generator's own float32 ONNX.
      cpSync(path.join(gen[preset], 'onnx/model.onnx'), path.join(out, 'onnx/generator-fp32.onnx'));
      const acc = await compareModels(path.join(out, 'onnx/generator-fp32.onnx'), path.join(out, 'onnx', file), texts);
      t.diagnostic(`${preset} ${dtype}: cosine mean ${acc.mean.toFixed(6)} min ${acc.min.toFixed(6)} over ${acc.count} texts, ${acc.referenceBytes} -> ${acc.candidateBytes} bytes`);
      assert.ok(acc.mean >= floor, `${dtype} mean cosine ${acc.mean} < ${floor}`);
      assert.ok(acc.min >= floor - 0.02, `${dtype} min cosine ${acc.min}`);
      assert.ok(acc.mean < 1 - 1e-9, `${dtype}: identical vectors mean nothing was quantized`);
    }
  });
}

test('a source without a tokenizer: default bias correction is skipped without writing a float32 model', async () => {
  const src = path.join(tmp, 'no-tokenizer');
  cpSync(gen['tiny-bert'], src, { recursive: true });
  rmSync(path.join(src, 'tokenizer.json'));
  const out = path.join(tmp, 'out-no-tokenizer');
  const events = [];
  const r = await convertModel(src, out, { dtype: 'q4', localFilesOnly: true, onProgress: (e) => events.push(e) });
  assert.match(r.calibration.skipped, /tokenizer/);
  assert.deepEqual(events.filter((e) => e.stage === 'file').map((e) => e.file), ['onnx/model_q4.onnx']);
  assert.deepEqual(readdirSync(path.join(out, 'onnx')), ['model_q4.onnx']);
});

test('a failure during the quantized write (tensor data shorter than its header says) leaves no output folder', async () => {
  // The header is valid, but the file is cut inside the last tensor after validation: reading it
  // mid-write fails, and the partial folder must be removed.
  const src = path.join(tmp, 'cut-mid-write');
  cpSync(gen['tiny-bert'], src, { recursive: true });
  const out = path.join(tmp, 'out-cut-mid-write');
  const file = path.join(src, 'model.safetensors');
  const full = readFileSync(file);
  let cut = false;
  await assert.rejects(convertModel(src, out, {
    dtype: 'q8', localFilesOnly: true,
    onProgress: (e) => { if (e.stage === 'weights' && !cut) { cut = true; writeFileSync(file, full.subarray(0, full.length - 64)); } },
  }), (e) => e instanceof ParseError && /model\.safetensors: tensor '.*' cannot be read/.test(e.message));
  assert.ok(cut);
  assert.deepEqual(leftovers(tmp, 'out-cut-mid-write'), []);
});

test('unsupported architecture in config.json -> UnsupportedError, no output folder', async () => {
  const src = path.join(tmp, 'gpt2');
  cpSync(gen['tiny-bert'], src, { recursive: true });
  const config = JSON.parse(readFileSync(path.join(src, 'config.json'), 'utf8'));
  writeFileSync(path.join(src, 'config.json'), JSON.stringify({ ...config, model_type: 'gpt2' }));
  const out = path.join(tmp, 'out-gpt2');
  await assert.rejects(convertModel(src, out, { localFilesOnly: true }), (e) => e instanceof UnsupportedError && /model_type 'gpt2'/.test(e.message));
  assert.deepEqual(leftovers(tmp, 'out-gpt2'), []);
});

/** Copies tiny-bert with its safetensors header edited by `edit(header)`. */
function withHeader(name, edit) {
  const src = path.join(tmp, name);
  cpSync(gen['tiny-bert'], src, { recursive: true });
  const file = path.join(src, 'model.safetensors');
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  edit(header);
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(file, Buffer.concat([prefix, Buffer.from(json), bytes.subarray(8 + n)]));
  return src;
}

test('safetensors header lying about offsets -> ParseError naming the tensor, no output folder', async () => {
  const cases = {
    'past-end': (h) => { const e = h['encoder.layer.1.output.dense.weight']; e.data_offsets = [e.data_offsets[0] + 1e8, e.data_offsets[1] + 1e8]; },
    overlap: (h) => { const e = h['encoder.layer.0.attention.self.key.weight']; const q = h['encoder.layer.0.attention.self.query.weight']; const len = e.data_offsets[1] - e.data_offsets[0]; e.data_offsets = [q.data_offsets[0] + 4, q.data_offsets[0] + 4 + len]; },
    'wrong-size': (h) => { h['embeddings.LayerNorm.bias'].shape = [65]; },
  };
  for (const [name, edit] of Object.entries(cases)) {
    const src = withHeader(`lie-${name}`, edit);
    const out = path.join(tmp, `out-lie-${name}`);
    await assert.rejects(convertModel(src, out, { localFilesOnly: true }), (e) => e instanceof ParseError && e.message.includes('model.safetensors') && /tensor '/.test(e.message), name);
    assert.deepEqual(leftovers(tmp, `out-lie-${name}`), [], name);
  }
  const truncated = path.join(tmp, 'truncated');
  cpSync(gen['tiny-bert'], truncated, { recursive: true });
  const file = path.join(truncated, 'model.safetensors');
  writeFileSync(file, readFileSync(file).subarray(0, 5000));
  await assert.rejects(convertModel(truncated, path.join(tmp, 'out-truncated'), { localFilesOnly: true }), ParseError);
  assert.deepEqual(leftovers(tmp, 'out-truncated'), []);
});

test('missing tensor, non-empty output folder, bad dtype -> typed errors', async () => {
  const src = withHeader('missing', (h) => { delete h['encoder.layer.0.intermediate.dense.bias']; });
  await assert.rejects(convertModel(src, path.join(tmp, 'out-missing'), { localFilesOnly: true }), (e) => e instanceof ParseError && /intermediate\.dense\.bias/.test(e.message));
  assert.deepEqual(leftovers(tmp, 'out-missing'), []);
  const busy = path.join(tmp, 'busy');
  mkdirSync(busy);
  writeFileSync(path.join(busy, 'keep.txt'), 'x');
  await assert.rejects(convertModel(gen['tiny-bert'], busy, { localFilesOnly: true }), InvalidArgumentError);
  assert.deepEqual(readdirSync(busy), ['keep.txt']);
  await assert.rejects(convertModel(gen['tiny-bert'], path.join(tmp, 'x'), { dtype: 'q3' }), InvalidArgumentError);
});

test('wasmbed convert CLI: --dtype fp32,q8 writes both files; usage error exits 2', async () => {
  const err = [], out = [];
  const io = { stdout: { write: (s) => out.push(s) }, stderr: { write: (s) => err.push(s) } };
  assert.equal(await cliRun(['only-source'], io), 2);
  assert.match(err.join(''), /expected SOURCE and OUT_DIR/);
  const dir = path.join(tmp, 'out-cli-two');
  assert.equal(await cliRun([gen['tiny-bert'], dir, '--dtype', 'fp32,q8'], io), 0);
  assert.deepEqual(readdirSync(path.join(dir, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
  assert.match(out.join(''), /onnx\/model\.onnx, onnx\/model_quantized\.onnx/);
  // An unknown dtype is a usage error of the CLI (exit 2, the flag named), before anything is written.
  assert.equal(await cliRun([gen['tiny-bert'], path.join(tmp, 'out-cli-bad'), '--dtype', 'fp32,q3'], io), 2);
  assert.match(err.join(''), /--dtype takes a comma-separated list of fp32, q8, q4, got "fp32,q3"/);
  assert.deepEqual(leftovers(tmp, 'out-cli-bad'), []);
});

// Fixtures from scripts/make-torch-fixtures.py (torch.save's zip + pickle layout).
const HEAD_FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'bge-m3-heads');
const f32 = (x) => Math.fround(x);
const expectedHead = (out, inp, seed) => ({
  weight: Float32Array.from({ length: out * inp }, (_, i) => f32(Math.sin(i * 0.37 + seed) * 0.1)),
  bias: Float32Array.from({ length: out }, (_, i) => f32(Math.cos(i * 0.11 + seed) * 0.05)),
});

test('PyTorch zip checkpoints (BGE-M3 heads) are read without Python and carried as safetensors', async () => {
  const { readTorchStateDict } = await import('../../js/convert/pt-reader.js');
  const colbert = readTorchStateDict(readFileSync(path.join(HEAD_FIXTURES, 'colbert_linear.pt')), 'colbert_linear.pt');
  const want = expectedHead(64, 64, 2);
  assert.deepEqual(colbert.get('weight').shape, [64, 64]);
  assert.deepEqual(colbert.get('weight').data, want.weight);
  assert.deepEqual(colbert.get('bias').data, want.bias);
  const src = path.join(tmp, 'bge-m3-like');
  cpSync(gen['tiny-xlm-roberta'], src, { recursive: true });
  for (const f of ['sparse_linear.pt', 'colbert_linear.pt']) cpSync(path.join(HEAD_FIXTURES, f), path.join(src, f));
  const out = path.join(tmp, 'out-bge-m3-like');
  const r = await convertModel(src, out, { localFilesOnly: true });
  assert.ok(r.files.includes('sparse_linear.safetensors') && r.files.includes('colbert_linear.safetensors'));
  const st = await openSafetensors(path.join(out, 'sparse_linear.safetensors'));
  const sparse = expectedHead(1, 64, 1);
  assert.deepEqual(st.tensors.get('weight').shape, [1, 64]);
  assert.deepEqual(await readTensorFloat32(st, st.tensors.get('weight')), sparse.weight);
  assert.deepEqual(await readTensorFloat32(st, st.tensors.get('bias')), sparse.bias);
  await st.source.close();
  // A damaged checkpoint is a ParseError, and the conversion leaves nothing behind.
  writeFileSync(path.join(src, 'colbert_linear.pt'), readFileSync(path.join(HEAD_FIXTURES, 'colbert_linear.pt')).subarray(0, 3000));
  await assert.rejects(convertModel(src, path.join(tmp, 'out-bad-head'), { localFilesOnly: true }), (e) => e instanceof ParseError && e.message.includes('colbert_linear.pt'));
  assert.deepEqual(leftovers(tmp, 'out-bad-head'), []);
});
