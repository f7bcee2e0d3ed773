// embed(texts, { outputs: ['dense', 'sparse', 'colbert'] }) on a generated tiny BGE-M3-architecture
// model (XLM-RoBERTa encoder, seeded random heads) against an independent reference written here
// from the definitions in ../shared/reference/bge-m3.md: plain JS over the last_hidden_state that
// ONNX Runtime returns for the same ids, with the head weights read straight from the files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Embedder, InvalidArgumentError, M3Index, ModelLoadError, ParseError, UnsupportedError, decodeColbert, encodeColbert, weightedScore } from '../../js/index.js';
import { makeModel } from '../../models/generator/index.js';
import { torchSaveBytes } from '../../models/generator/torch-pt.js';
import { buildGraph, headSpecs, parameterSpecs } from '../../js/convert/architecture.js';
import { DataType, graph as onnxGraph, model as onnxModel, tensor, writeMessage } from '../../js/onnx/index.js';
import { asBytes, tensorValues, transpose } from '../../models/generator/weights.js';
import { tempDir } from '../helpers/embedder-models.js';
import { skipUnless } from '../helpers/skip.js';

// The reference runs the graph with onnxruntime-node (an optional dependency).
const ort = await import('onnxruntime-node').catch(() => null);
const skip = skipUnless(ort, 'onnxruntime-node is not installed');
const dir = tempDir('wasmbed-m3-');
const MODEL = path.join(dir, 'tiny-m3');
const PT_MODEL = path.join(dir, 'tiny-m3-pt');
const TEXTS = [
  'the dog the dog the dog music music water water city city', // repeated ids: the max must win
  'a cat sitting on the water',
  'query embedding model search vector',
  'people playing music in the city ☃', // ☃ is not in the synthetic vocab: [UNK]
  'x',
];
const open = [];
async function load(options = {}) {
  const m = await Embedder.load(MODEL, { device: 'cpu', ...options });
  open.push(m);
  return m;
}

/** Independent safetensors reader for the head files (F32 only, as the generator writes them). */
function readHead(file) {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const get = (name) => {
    const [b, e] = header[name].data_offsets;
    const copy = new Uint8Array(bytes.subarray(8 + n + b, 8 + n + e));
    return { shape: header[name].shape, data: new Float32Array(copy.buffer) };
  };
  return { weight: get('weight'), bias: get('bias') };
}

let heads; // { sw, sb, cw: [out][hidden], cb }
let session;
let SPECIAL; // ids the sparse output must never contain: [CLS] [PAD] [SEP] [UNK] (0 1 2 3, as <s> <pad> </s> <unk>)

before(async () => {
  if (skip) return;
  await makeModel(MODEL, { preset: 'tiny-xlm-roberta', heads: true, seed: 7 });
  const s = readHead(path.join(MODEL, 'sparse_linear.safetensors'));
  const c = readHead(path.join(MODEL, 'colbert_linear.safetensors'));
  heads = { sw: s.weight.data, sb: s.bias.data[0], cw: c.weight.data, cb: c.bias.data, out: c.bias.data.length };
  session = await ort.InferenceSession.create(path.join(MODEL, 'onnx', 'model.onnx'));
  // The same model with the original PyTorch head files (torch.save zip) instead of safetensors.
  mkdirSync(PT_MODEL, { recursive: true });
  for (const f of readdirSync(MODEL)) {
    const from = path.join(MODEL, f);
    if (f.endsWith('.safetensors')) continue;
    if (statSync(from).isDirectory()) {
      mkdirSync(path.join(PT_MODEL, f), { recursive: true });
      for (const g of readdirSync(from)) if (g === 'model.onnx' || !g.endsWith('.onnx')) copyFileSync(path.join(from, g), path.join(PT_MODEL, f, g));
    } else copyFileSync(from, path.join(PT_MODEL, f));
  }
  writeFileSync(path.join(PT_MODEL, 'sparse_linear.pt'), torchSaveBytes([{ name: 'weight', shape: [1, heads.sw.length], data: heads.sw }, { name: 'bias', shape: [1], data: s.bias.data }], 'sparse_linear'));
  writeFileSync(path.join(PT_MODEL, 'colbert_linear.pt'), torchSaveBytes([{ name: 'weight', shape: c.weight.shape, data: heads.cw }, { name: 'bias', shape: c.bias.shape, data: heads.cb }], 'colbert_linear'));
});
after(async () => {
  for (const m of open) await m.dispose();
  await session?.release();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An export like the third-party BGE-M3 ONNX files: outputs dense_vecs, sparse_vecs, colbert_vecs
 * only (no last_hidden_state), same weights as the generated model.
 */
async function writeThirdPartyExport(file, config, seed) {
  const { nodes, constants, inputs, outputs } = buildGraph(config, { heads: true });
  const initializers = [...constants];
  for (const spec of [...parameterSpecs(config), ...headSpecs(config)]) {
    let values = tensorValues(spec, seed);
    let dims = spec.shape;
    if (spec.transpose) { values = transpose(values, dims[0], dims[1]); dims = [dims[1], dims[0]]; }
    initializers.push(tensor(spec.name, DataType.FLOAT, dims, asBytes(values)));
  }
  // buildGraph lists last_hidden_state first, then dense_vecs, sparse_vecs, colbert_vecs.
  const proto = onnxModel(onnxGraph({ name: 'm3_export', nodes, initializers, inputs, outputs: outputs.slice(1) }));
  const chunks = [];
  await writeMessage(proto, { write: async (c) => { chunks.push(Uint8Array.from(c)); } });
  writeFileSync(file, Buffer.concat(chunks));
}

/** last_hidden_state from ONNX Runtime for id rows padded (pad id 1) to the longest. */
async function hiddenStates(rows) {
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * seq).fill(1n);
  const mask = new BigInt64Array(rows.length * seq);
  rows.forEach((r, b) => r.forEach((id, t) => { ids[b * seq + t] = BigInt(id); mask[b * seq + t] = 1n; }));
  const out = await session.run({ input_ids: new ort.Tensor('int64', ids, [rows.length, seq]), attention_mask: new ort.Tensor('int64', mask, [rows.length, seq]) });
  const h = out.last_hidden_state;
  return { data: h.data, seq, dim: h.dims[2] };
}

/** The definitions, straight: per-token relu(w.h + b), max per id, specials and w <= 0 dropped. */
function refSparse(h, row, b) {
  const { data, seq, dim } = h;
  const best = new Map();
  const perToken = [];
  row.forEach((id, t) => {
    let s = heads.sb;
    for (let i = 0; i < dim; i++) s += data[(b * seq + t) * dim + i] * heads.sw[i];
    const w = Math.max(0, s);
    perToken.push(w);
    if (SPECIAL.includes(id) || w <= 0) return;
    best.set(id, Math.max(best.get(id) ?? 0, w));
  });
  return { best, perToken };
}

/** colbert_linear(H[1:]) on the real tokens, each L2-normalized. */
function refColbert(h, row, b) {
  const { data, seq, dim } = h;
  const vecs = [];
  for (let t = 1; t < row.length; t++) {
    const v = new Float64Array(heads.out);
    let norm = 0;
    for (let o = 0; o < heads.out; o++) {
      let s = heads.cb[o];
      for (let i = 0; i < dim; i++) s += data[(b * seq + t) * dim + i] * heads.cw[o * dim + i];
      v[o] = s;
      norm += s * s;
    }
    vecs.push(Array.from(v, (x) => x / Math.sqrt(norm)));
  }
  return vecs;
}

function assertSparseMatches(got, ref, what) {
  const ids = [...ref.best.keys()].sort((a, b) => a - b);
  assert.deepEqual(Array.from(got.ids), ids, `${what}: sparse ids`);
  ids.forEach((id, k) => assert.ok(Math.abs(got.weights[k] - ref.best.get(id)) < 1e-5, `${what}: weight of ${id}: ${got.weights[k]} vs ${ref.best.get(id)}`));
}

function assertColbertMatches(got, ref, what) {
  assert.equal(got.count, ref.length, `${what}: ColBERT count`);
  let worst = 0;
  ref.forEach((v, r) => v.forEach((x, o) => { worst = Math.max(worst, Math.abs(got.vectors[r * got.dim + o] - x)); }));
  assert.ok(worst < 1e-5, `${what}: ColBERT max |diff| ${worst}`);
}

describe('BGE-M3 outputs vs the reference definitions', { skip }, () => {
  test('single texts: dense, sparse and ColBERT match the plain-JS reference (1e-5)', async () => {
    const model = await load();
    const tok = model.tokenizer;
    SPECIAL = ['[CLS]', '[PAD]', '[SEP]', '[UNK]'].map((t) => tok.tokenToId(t));
    assert.deepEqual(SPECIAL, [0, 1, 2, 3]);
    for (const text of TEXTS) {
      const [got] = await model.embed([text], { outputs: ['dense', 'sparse', 'colbert'] });
      const row = Array.from(tok.encode(text).ids);
      const h = await hiddenStates([row]);
      assertSparseMatches(got.sparse, refSparse(h, row, 0), text);
      assertColbertMatches(got.colbert, refColbert(h, row, 0), text);
      // dense = normalized CLS row, and identical to what embed() without outputs returns.
      const cls = Array.from(h.data.subarray(0, h.dim));
      const n = Math.hypot(...cls);
      cls.forEach((x, i) => assert.ok(Math.abs(got.dense[i] - x / n) < 1e-5));
      const [plain] = await model.embed([text]);
      assert.ok(plain instanceof Float32Array);
      assert.deepEqual(Array.from(plain), Array.from(got.dense));
    }
  });

  test('padded batch: every text matches the reference; repeats take the max; specials never appear', async () => {
    const model = await load();
    const tok = model.tokenizer;
    const got = await model.embed(TEXTS, { outputs: ['sparse', 'colbert'], batchSize: 8 });
    const rows = TEXTS.map((t) => Array.from(tok.encode(t).ids));
    const h = await hiddenStates(rows);
    let sawUnk = false;
    for (let b = 0; b < TEXTS.length; b++) {
      const ref = refSparse(h, rows[b], b);
      assertSparseMatches(got[b].sparse, ref, TEXTS[b]);
      assertColbertMatches(got[b].colbert, refColbert(h, rows[b], b), TEXTS[b]);
      assert.equal(got[b].colbert.count, rows[b].length - 1, 'ColBERT count = tokens - 1');
      assert.equal(got[b].dense, undefined, 'dense was not asked for');
      for (const id of got[b].sparse.ids) assert.ok(!SPECIAL.includes(id), `special id ${id} in sparse output`);
      assert.ok(Array.from(got[b].sparse.weights).every((w) => w > 0));
      if (rows[b].includes(3)) sawUnk = true;
    }
    assert.ok(sawUnk, 'the inputs exercise [UNK]');
    // Repeated ids: each reports the largest of its per-token weights (which differ by position).
    const row = rows[0];
    const { perToken } = refSparse(h, row, 0);
    let differing = 0;
    for (const id of new Set(row)) {
      const ws = row.map((x, t) => (x === id ? perToken[t] : null)).filter((w) => w !== null);
      if (ws.length < 2 || SPECIAL.includes(id) || Math.max(...ws) <= 0) continue;
      if (new Set(ws).size > 1) differing++;
      const k = Array.from(got[0].sparse.ids).indexOf(id);
      assert.ok(Math.abs(got[0].sparse.weights[k] - Math.max(...ws)) < 1e-5, `id ${id}: ${got[0].sparse.weights[k]} vs max ${Math.max(...ws)}`);
    }
    assert.ok(differing >= 2, 'the repeats have different weights, so max differs from first/last');
  });
});

describe('head sources agree', { skip }, () => {
  test('heads inside the ONNX graph (extra outputs) == separate head files', async () => {
    const files = await load();
    const graph = await load({ modelFile: 'onnx/model_with_heads.onnx' });
    const a = await files.embed(TEXTS, { outputs: ['dense', 'sparse', 'colbert'] });
    const b = await graph.embed(TEXTS, { outputs: ['dense', 'sparse', 'colbert'] });
    for (let i = 0; i < TEXTS.length; i++) {
      assert.deepEqual(Array.from(a[i].sparse.ids), Array.from(b[i].sparse.ids));
      a[i].sparse.weights.forEach((w, k) => assert.ok(Math.abs(w - b[i].sparse.weights[k]) < 1e-5));
      assert.equal(a[i].colbert.count, b[i].colbert.count);
      a[i].colbert.vectors.forEach((x, k) => assert.ok(Math.abs(x - b[i].colbert.vectors[k]) < 1e-5));
      a[i].dense.forEach((x, k) => assert.ok(Math.abs(x - b[i].dense[k]) < 1e-5));
    }
    // The graph model can still be told to use the files: the same numbers.
    const forced = await load({ modelFile: 'onnx/model_with_heads.onnx', heads: 'files' });
    const c = await forced.embed(TEXTS.slice(0, 2), { outputs: ['sparse'] });
    assert.deepEqual(Array.from(c[0].sparse.ids), Array.from(a[0].sparse.ids));
  });

  test('an export with only dense_vecs / sparse_vecs / colbert_vecs outputs gives the same three outputs', async () => {
    const config = JSON.parse(readFileSync(path.join(MODEL, 'config.json'), 'utf8'));
    await writeThirdPartyExport(path.join(MODEL, 'onnx', 'model_m3_export.onnx'), config, 7);
    const files = await load();
    const exp = await load({ modelFile: 'onnx/model_m3_export.onnx' });
    assert.equal(exp.info.output, 'dense_vecs');
    const a = await files.embed(TEXTS, { outputs: ['dense', 'sparse', 'colbert'] });
    const b = await exp.embed(TEXTS, { outputs: ['dense', 'sparse', 'colbert'] });
    const plain = await exp.embed(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) {
      a[i].dense.forEach((x, k) => assert.ok(Math.abs(x - b[i].dense[k]) < 1e-5 && Math.abs(x - plain[i][k]) < 1e-5));
      assert.deepEqual(Array.from(a[i].sparse.ids), Array.from(b[i].sparse.ids));
      a[i].sparse.weights.forEach((w, k) => assert.ok(Math.abs(w - b[i].sparse.weights[k]) < 1e-5));
      a[i].colbert.vectors.forEach((x, k) => assert.ok(Math.abs(x - b[i].colbert.vectors[k]) < 1e-5));
    }
    const forced = await load({ modelFile: 'onnx/model_m3_export.onnx', heads: 'files' });
    await assert.rejects(forced.embed(['a'], { outputs: ['sparse'] }), UnsupportedError);
  });

  test('original PyTorch .pt head files give the same results as safetensors', async () => {
    const st = await load();
    const pt = await Embedder.load(PT_MODEL, { device: 'cpu' });
    open.push(pt);
    const a = await st.embed(TEXTS, { outputs: ['sparse', 'colbert'] });
    const b = await pt.embed(TEXTS, { outputs: ['sparse', 'colbert'] });
    assert.deepEqual(b.map((x) => Array.from(x.sparse.weights)), a.map((x) => Array.from(x.sparse.weights)));
    assert.deepEqual(b.map((x) => Array.from(x.colbert.vectors)), a.map((x) => Array.from(x.colbert.vectors)));
  });

  test('explicit head weights (heads option) == the files', async () => {
    const files = await load();
    const explicit = await load({ heads: { sparse: { weight: heads.sw, bias: heads.sb }, colbert: { weight: heads.cw, bias: heads.cb } } });
    const a = await files.embed(TEXTS, { outputs: ['sparse', 'colbert'] });
    const b = await explicit.embed(TEXTS, { outputs: ['sparse', 'colbert'] });
    assert.deepEqual(b.map((x) => Array.from(x.sparse.weights)), a.map((x) => Array.from(x.sparse.weights)));
    assert.deepEqual(b.map((x) => Array.from(x.colbert.vectors)), a.map((x) => Array.from(x.colbert.vectors)));
    await assert.rejects(async () => {
      const bad = await load({ heads: { sparse: { weight: heads.sw.subarray(1), bias: 0 }, colbert: { weight: heads.cw, bias: heads.cb } } });
      await bad.embed(['a'], { outputs: ['sparse'] });
    }, InvalidArgumentError);
  });

  const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'bge-m3-heads');
  test('.pt reader reads checkpoints written by Python pickle (scripts/make-torch-fixtures.py)', {
    skip: skipUnless(existsSync(path.join(FIXTURES, 'sparse_linear.pt')), 'tests/fixtures/bge-m3-heads is absent'),
  }, async () => {
    const { readTorchStateDict } = await import('../../js/convert/pt-reader.js');
    // The script's closed formula: weight[i] = fround(sin(0.37 i + seed) 0.1), bias[i] = fround(cos(0.11 i + seed) 0.05).
    for (const [file, seed, shape] of [['sparse_linear', 1, [1, 64]], ['colbert_linear', 2, [64, 64]]]) {
      const t = readTorchStateDict(new Uint8Array(readFileSync(path.join(FIXTURES, `${file}.pt`))), file);
      assert.deepEqual(t.get('weight').shape, shape);
      t.get('weight').data.forEach((x, i) => assert.equal(x, Math.fround(Math.sin(i * 0.37 + seed) * 0.1)));
      t.get('bias').data.forEach((x, i) => assert.equal(x, Math.fround(Math.cos(i * 0.11 + seed) * 0.05)));
    }
  });

  test('.pt reader: damaged or unsupported checkpoints are ParseErrors', async () => {
    const { readTorchStateDict } = await import('../../js/convert/pt-reader.js');
    const good = torchSaveBytes([{ name: 'weight', shape: [1, 3], data: Float32Array.of(1, 2, 3) }, { name: 'bias', shape: [1], data: Float32Array.of(4) }], 'x');
    const read = readTorchStateDict(good);
    assert.deepEqual(Array.from(read.get('weight').data), [1, 2, 3]);
    assert.deepEqual(read.get('weight').shape, [1, 3]);
    assert.throws(() => readTorchStateDict(new Uint8Array(100)), ParseError); // not a zip
    assert.throws(() => readTorchStateDict(good.subarray(0, good.length - 30)), ParseError); // truncated
    // A pickle that asks for any other global (e.g. os.system) is refused, never run.
    const evil = torchSaveBytes([{ name: 'weight', shape: [1], data: Float32Array.of(1) }], 'x');
    const text = Buffer.from(evil);
    const at = text.indexOf('collections\nOrderedDict');
    text.write('os\nsystem______________', at, 'latin1'); // same length (23 bytes)
    assert.throws(() => readTorchStateDict(new Uint8Array(text)), (err) => err instanceof ParseError && /unsupported global os\.system_/.test(err.message));
  });

  test('bad outputs and missing heads are typed errors', async () => {
    const model = await load();
    await assert.rejects(model.embed(['a'], { outputs: ['dense', 'lexical'] }), InvalidArgumentError);
    await assert.rejects(model.embed(['a'], { outputs: [] }), InvalidArgumentError);
    await assert.rejects(model.embed(['a'], { outputs: ['colbert'], colbertDtype: 'int4' }), InvalidArgumentError);
    const off = await load({ heads: false });
    await assert.rejects(off.embed(['a'], { outputs: ['sparse'] }), UnsupportedError);
    assert.equal((await off.embed(['a'], { outputs: ['dense'] }))[0].dense.length, 64, 'dense needs no heads');
    const none = await Embedder.load(MODEL, { device: 'cpu', heads: { files: { sparse: 'nope.safetensors', colbert: 'colbert_linear.safetensors' } } });
    open.push(none);
    await assert.rejects(none.embed(['a'], { outputs: ['sparse'] }), ModelLoadError);
    await assert.rejects(Embedder.load(MODEL, { device: 'cpu', heads: 42 }), InvalidArgumentError);
  });
});

describe('scores, storage and hybrid search', { skip }, () => {
  test('weightedScore reproduces sum(w*s)/sum(w) on hand-computed cases', () => {
    assert.equal(weightedScore({ dense: 0.5, sparse: 0.25, colbert: 0.75 }), (0.4 * 0.5 + 0.2 * 0.25 + 0.4 * 0.75) / 1.0);
    assert.equal(weightedScore({ dense: 1, sparse: 0 }, { dense: 1, sparse: 3 }), 0.25);
    assert.ok(Math.abs(weightedScore({ dense: 0.6265, sparse: 0.1956, colbert: 0.7796 }) - 0.60156) < 1e-12);
  });

  test('ColBERT float16 / int8 storage: 1/2 and ~1/4 of the bytes, small error', async () => {
    const model = await load();
    const [e] = await model.embed([TEXTS[1]], { outputs: ['colbert'] });
    const half = encodeColbert(e.colbert, 'float16');
    const int8 = encodeColbert(e.colbert, 'int8');
    assert.equal(half.vectors.byteLength, e.colbert.vectors.byteLength / 2);
    assert.equal(int8.vectors.byteLength, e.colbert.vectors.byteLength / 4);
    const err = (s, tol) => decodeColbert(s).vectors.forEach((x, i) => assert.ok(Math.abs(x - e.colbert.vectors[i]) < tol));
    err(half, 1e-3);
    err(int8, 1 / 127);
    const [q] = await model.embed([TEXTS[1]], { outputs: ['colbert'], colbertDtype: 'int8' });
    assert.equal(q.colbert.dtype, 'int8');
  });

  test('hybrid search ranks the exact-text document first, in every mode and storage', async () => {
    const model = await load();
    const docs = [...TEXTS, 'water music for the people', 'a dog and a cat in the house', 'search the city for a vector model'];
    const embs = await model.embed(docs, { outputs: ['dense', 'sparse', 'colbert'] });
    for (const colbertStorage of ['float32', 'int8']) {
      const index = await M3Index.create({ dims: 64, colbertStorage });
      embs.forEach((e, i) => index.add(i, e));
      assert.equal(index.size, docs.length);
      for (const target of [1, 2, 6]) {
        const [q] = await model.embed([docs[target]], { outputs: ['dense', 'sparse', 'colbert'] });
        for (const mode of ['hybrid', 'colbert', 'dense']) {
          const hits = index.search(q, { k: 3, mode });
          assert.equal(hits[0].id, target, `${mode}/${colbertStorage}: ${docs[target]}`);
        }
        const [top] = index.search(q, { k: 1 });
        assert.ok(Math.abs(top.scores.colbert - 1) < (colbertStorage === 'int8' ? 1e-2 : 1e-5), 'self ColBERT score is 1');
        assert.ok(Math.abs(top.score - weightedScore(top.scores)) < 1e-12);
      }
      assert.ok(index.remove(2));
      assert.ok(!index.search(embs[2], { k: 10 }).some((h) => h.id === 2));
      index.dispose();
    }
  });
});

describe('CLI', { skip }, () => {
  test('wasmbed embed --outputs dense,sparse,colbert writes all three per line', async () => {
    const { run } = await import('../../js/cli/embed.js');
    const { Readable, Writable } = await import('node:stream');
    let out = '';
    let err = '';
    const sink = (add) => new Writable({ write(chunk, _enc, cb) { add(String(chunk)); cb(); } });
    const lines = [TEXTS[0], TEXTS[1]];
    const rc = await run(['--model', MODEL, '--device', 'cpu', '--outputs', 'dense,sparse,colbert'], {
      stdin: Readable.from([lines.join('\n') + '\n']), stdout: sink((s) => { out += s; }), stderr: sink((s) => { err += s; }),
    });
    assert.equal(rc, 0, err);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 2);
    const model = await load();
    const want = await model.embed(lines, { outputs: ['dense', 'sparse', 'colbert'] });
    rows.forEach((r, i) => {
      assert.equal(r.dense.length, 64);
      assert.deepEqual(r.sparse.ids, Array.from(want[i].sparse.ids));
      assert.equal(r.colbert.count, want[i].colbert.count);
      assert.equal(r.colbert.vectors.length, r.colbert.count);
      assert.ok(Math.abs(r.colbert.vectors[0][0] - want[i].colbert.vectors[0]) < 1e-6);
    });
  });
});
