// The test-model generator (models/generator/cli.js, wasmbed-make-model) and the embed CLI, end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Embedder } from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { maxAbsDiff, tempDir } from '../helpers/embedder-models.js';

const CLI = path.join(REPO_ROOT, 'js', 'cli.js');
const MAKE_MODEL = path.join(REPO_ROOT, 'models', 'generator', 'cli.js');
const dir = tempDir('wasmbed-mm-');
const run = (script, args, input) => spawnSync(process.execPath, [script, ...args], { input, encoding: input === undefined ? 'utf8' : undefined, cwd: REPO_ROOT });
const cli = (args, input) => run(CLI, args, input);
const makeModel = (args) => run(MAKE_MODEL, args);

test('make-model writes the Hub layout; inline and external-data ONNX give the same vectors', async () => {
  const inline = path.join(dir, 'inline');
  const external = path.join(dir, 'external');
  const common = ['--preset', 'tiny-roberta', '--layers', '1', '--seed', '9', '--prompt', 'query=query: '];
  let r = makeModel([inline, ...common, '--safetensors']);
  assert.equal(r.status, 0, r.stderr);
  r = makeModel([external, ...common, '--external-data']);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx',
    'modules.json', '1_Pooling/config.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', 'model.safetensors']) {
    assert.ok(existsSync(path.join(inline, f)), f);
  }
  assert.ok(existsSync(path.join(external, 'onnx', 'model.onnx_data')));
  assert.ok(statSync(path.join(external, 'onnx', 'model.onnx')).size < 64 * 1024, 'weights are outside the graph file');
  const config = JSON.parse(readFileSync(path.join(inline, 'config.json'), 'utf8'));
  assert.equal(config.model_type, 'roberta');
  assert.equal(config.num_hidden_layers, 1);
  assert.equal(JSON.parse(readFileSync(path.join(inline, 'config_sentence_transformers.json'), 'utf8')).prompts.query, 'query: ');

  // safetensors: header offsets tile the payload exactly, in Hugging Face names and [out, in] shapes.
  const st = readFileSync(path.join(inline, 'model.safetensors'));
  const headerLen = Number(st.readBigUInt64LE(0));
  const header = JSON.parse(st.subarray(8, 8 + headerLen).toString('utf8'));
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__').sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let at = 0;
  for (const [name, e] of entries) {
    assert.equal(e.data_offsets[0], at, name);
    assert.equal(e.data_offsets[1] - e.data_offsets[0], e.shape.reduce((a, b) => a * b, 1) * 4, name);
    at = e.data_offsets[1];
  }
  assert.equal(8 + headerLen + at, st.length);
  assert.deepEqual(header['encoder.layer.0.intermediate.dense.weight'].shape, [config.intermediate_size, config.hidden_size]);

  for (const device of ['cpu', 'wasm']) {
    const a = await Embedder.load(inline, { device });
    const b = await Embedder.load(external, { device });
    const texts = ['hello world', '안녕하세요 세계'];
    const [va, vb] = [await a.embed(texts), await b.embed(texts)];
    for (let i = 0; i < texts.length; i++) assert.ok(maxAbsDiff(va[i], vb[i]) === 0, `${device} text ${i}`);
    await a.dispose();
    await b.dispose();
  }
  // The same external-data model handed over as a map of file name -> bytes (no disk paths).
  const files = {};
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'modules.json', '1_Pooling/config.json',
    'sentence_bert_config.json', 'config_sentence_transformers.json', 'onnx/model.onnx', 'onnx/model.onnx_data']) {
    files[f] = new Uint8Array(readFileSync(path.join(external, f)));
  }
  const ref = await Embedder.load(inline, { device: 'cpu' });
  const [want] = await ref.embed(['map source']);
  await ref.dispose();
  for (const device of ['cpu', 'wasm']) {
    const m = await Embedder.load(files, { device });
    const [got] = await m.embed(['map source']);
    assert.ok(maxAbsDiff(got, want) < 1e-5, device);
    await m.dispose();
  }
});

test('make-model rejects bad arguments', () => {
  assert.equal(makeModel([]).status, 2);
  assert.equal(makeModel([path.join(dir, 'x'), '--preset', 'nope']).status, 2);
  assert.equal(makeModel([path.join(dir, 'x'), '--layers', '-1']).status, 2);
});

test('embed CLI: JSON lines and raw float32 rows, in input order', async () => {
  const model = path.join(dir, 'cli-model');
  assert.equal(makeModel([model, '--preset', 'tiny-bert', '--layers', '1']).status, 0);
  const lines = ['first line', '두 번째 줄', '', 'fourth'];
  const json = cli(['embed', '--model', model, '--device', 'cpu'], Buffer.from(lines.join('\n') + '\n'));
  assert.equal(json.status, 0, json.stderr?.toString());
  const rows = json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).embedding);
  assert.equal(rows.length, lines.length);
  const m = await Embedder.load(model, { device: 'cpu' });
  const want = await m.embed(lines);
  rows.forEach((row, i) => assert.ok(maxAbsDiff(row, want[i]) < 1e-6, `line ${i}`));
  const raw = cli(['embed', '--model', model, '--device', 'wasm', '--format', 'f32', '--dimensions', '8'], Buffer.from(lines.join('\n')));
  assert.equal(raw.status, 0, raw.stderr?.toString());
  const f32 = new Float32Array(raw.stdout.buffer.slice(raw.stdout.byteOffset, raw.stdout.byteOffset + raw.stdout.byteLength));
  assert.equal(f32.length, lines.length * 8);
  const want8 = await m.embed(lines, { dimensions: 8 });
  for (let i = 0; i < lines.length; i++) assert.ok(maxAbsDiff(f32.subarray(i * 8, i * 8 + 8), want8[i]) < 1e-4, `f32 line ${i}`);
  await m.dispose();
  assert.equal(cli(['embed']).status, 2);
});

test('make-model --bge-m3-heads: BGE-M3 head outputs follow the definitions over last_hidden_state', async () => {
  const model = path.join(dir, 'heads');
  const r = makeModel([model, '--preset', 'tiny-xlm-roberta', '--layers', '1', '--bge-m3-heads']);
  assert.equal(r.status, 0, r.stderr);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(path.join(model, 'onnx', 'model_with_heads.onnx'));
  assert.deepEqual(session.outputNames, ['last_hidden_state', 'dense_vecs', 'sparse_vecs', 'colbert_vecs']);
  const S = 6, H = 64;
  const ids = BigInt64Array.from([0, 10, 20, 30, 10, 2, 0, 11, 2, 1, 1, 1].map(BigInt));
  const mask = BigInt64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0].map(BigInt));
  const out = await session.run({ input_ids: new ort.Tensor('int64', ids, [2, S]), attention_mask: new ort.Tensor('int64', mask, [2, S]) });
  const readSt = (file) => {
    const b = readFileSync(file);
    const n = Number(b.readBigUInt64LE(0));
    const h = JSON.parse(b.subarray(8, 8 + n).toString());
    const t = {};
    for (const [k, v] of Object.entries(h)) if (k !== '__metadata__') t[k] = new Float32Array(b.buffer.slice(b.byteOffset + 8 + n + v.data_offsets[0], b.byteOffset + 8 + n + v.data_offsets[1]));
    return t;
  };
  const sp = readSt(path.join(model, 'sparse_linear.safetensors'));
  const cb = readSt(path.join(model, 'colbert_linear.safetensors'));
  const hs = out.last_hidden_state.data;
  let worst = 0, positive = 0;
  for (let b = 0; b < 2; b++) {
    let cls = 0;
    for (let i = 0; i < H; i++) cls += hs[b * S * H + i] ** 2;
    for (let i = 0; i < H; i++) worst = Math.max(worst, Math.abs(hs[b * S * H + i] / Math.sqrt(cls) - out.dense_vecs.data[b * H + i]));
    for (let t = 0; t < S; t++) {
      let w = sp.bias[0];
      for (let i = 0; i < H; i++) w += sp.weight[i] * hs[(b * S + t) * H + i];
      if (w > 0) positive++;
      worst = Math.max(worst, Math.abs(Math.max(w, 0) - out.sparse_vecs.data[b * S + t]));
      if (t === 0) continue;
      const v = new Float64Array(H);
      let nn = 0;
      for (let o = 0; o < H; o++) {
        let x = cb.bias[o];
        for (let i = 0; i < H; i++) x += cb.weight[o * H + i] * hs[(b * S + t) * H + i];
        v[o] = x * Number(mask[b * S + t]);
        nn += v[o] ** 2;
      }
      nn = Math.max(Math.sqrt(nn), 1e-12);
      for (let o = 0; o < H; o++) worst = Math.max(worst, Math.abs(v[o] / nn - out.colbert_vecs.data[(b * (S - 1) + t - 1) * H + o]));
    }
  }
  assert.ok(worst < 1e-5, `max abs difference ${worst}`);
  assert.ok(positive > 0 && positive < 2 * S, `sparse weights should be partly positive (${positive} of ${2 * S})`);
});

test('make-model never deletes what is not a model: a file or a foreign folder is refused (exit 2) unless --force; a failed run leaves nothing', async () => {
  const { spawnSync } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const p = await import('node:path');
  const root = fs.mkdtempSync(p.join(os.tmpdir(), 'wasmbed-mm-'));
  try {
    const cli = p.join(REPO_ROOT, 'js', 'cli.js');
    const run = (...args) => spawnSync(process.execPath, [cli, 'make-model', ...args], { encoding: 'utf8', timeout: 120_000 });
    const victim = p.join(root, 'victim.txt');
    fs.writeFileSync(victim, 'my notes');
    let r = run(victim);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /exists and is not a folder.*--force/);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'my notes');
    const folder = p.join(root, 'photos');
    fs.mkdirSync(folder);
    fs.writeFileSync(p.join(folder, 'a.jpg'), 'x');
    r = run(folder);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /holds other files \(a\.jpg\)/);
    assert.deepEqual(fs.readdirSync(folder), ['a.jpg']);
    // A bad shape fails before anything is written, and leaves no half-made folder.
    const bad = p.join(root, 'x');
    r = run(bad, '--hidden', '7');
    assert.notEqual(r.status, 0);
    assert.deepEqual(fs.readdirSync(root).sort(), ['photos', 'victim.txt']);
    // A model folder is regenerated in place; --force replaces a file.
    const model = p.join(root, 'm');
    assert.equal(run(model).status, 0);
    assert.equal(run(model, '--seed', '3').status, 0);
    assert.ok(fs.existsSync(p.join(model, 'onnx', 'model.onnx')));
    r = run(victim, '--force');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.statSync(victim).isDirectory());
    assert.deepEqual(fs.readdirSync(root).filter((n) => /partial|\.old$/.test(n)), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
