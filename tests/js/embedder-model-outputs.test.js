// Issue #13.3: a model output whose shape does not match the batch, or whose elements are int64,
// is a typed error naming what was expected, never pooled as if it fitted. The models here are
// tiny hand-built ONNX graphs (js/onnx/builders.js) next to a generated model's tokenizer and
// settings, run by onnxruntime-node and ONNX Runtime Web.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Embedder, UnsupportedError } from '../../js/index.js';
import { DataType, graph, model, node, tensor, valueInfo, writeMessage } from '../../js/onnx/index.js';
import { makeTinyModels, tempDir } from '../helpers/embedder-models.js';

const dir = tempDir();
const HIDDEN = 8;
let base;
const open = [];

/** Writes an ONNX graph input_ids, attention_mask -> last_hidden_state made of `nodes`. */
async function writeGraph(file, nodes, initializers, outType, outDims) {
  const proto = model(graph({
    name: 'odd_output', nodes, initializers,
    inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq']), valueInfo('attention_mask', DataType.INT64, ['batch', 'seq'])],
    outputs: [valueInfo('last_hidden_state', outType, outDims)],
  }));
  const chunks = [];
  await writeMessage(proto, { write: async (c) => { chunks.push(Uint8Array.from(c)); } });
  writeFileSync(file, Buffer.concat(chunks));
}

/** A model folder: the tiny BERT's tokenizer and settings with another onnx/model.onnx. */
async function variant(name, nodes, initializers, outType, outDims) {
  const target = path.join(dir, name);
  cpSync(base, target, { recursive: true });
  await writeGraph(path.join(target, 'onnx', 'model.onnx'), nodes, initializers, outType, outDims);
  return target;
}

const row = tensor('row', DataType.FLOAT, [1, 1, HIDDEN], Array.from({ length: HIDDEN }, (_, i) => i + 1));
const irow = tensor('irow', DataType.INT64, [1, 1, HIDDEN], Array.from({ length: HIDDEN }, (_, i) => i + 1));
const axis = (name, a) => tensor(name, DataType.INT64, [1], [a]);
const models = {};

before(async () => {
  base = (await makeTinyModels(dir, ['bert'])).bert;
  // [1, seq, hidden]: the batch summed away.
  models.oneRow = await variant('one-row', [
    node('Cast', ['input_ids'], ['f'], { to: DataType.FLOAT }),
    node('ReduceSum', ['f', 'ax0'], ['s'], { keepdims: 1 }),
    node('Unsqueeze', ['s', 'ax2'], ['u']),
    node('Mul', ['u', 'row'], ['last_hidden_state']),
  ], [row, axis('ax0', 0), axis('ax2', 2)], DataType.FLOAT, [1, 'seq', HIDDEN]);
  // [batch, 1, hidden]: the sequence summed away.
  models.oneToken = await variant('one-token', [
    node('Cast', ['input_ids'], ['f'], { to: DataType.FLOAT }),
    node('ReduceSum', ['f', 'ax1'], ['s'], { keepdims: 1 }),
    node('Unsqueeze', ['s', 'ax2'], ['u']),
    node('Mul', ['u', 'row'], ['last_hidden_state']),
  ], [row, axis('ax1', 1), axis('ax2', 2)], DataType.FLOAT, ['batch', 1, HIDDEN]);
  // [batch, seq, hidden] of int64.
  models.int64 = await variant('int64', [
    node('Unsqueeze', ['input_ids', 'ax2'], ['u']),
    node('Mul', ['u', 'irow'], ['last_hidden_state']),
  ], [irow, axis('ax2', 2)], DataType.INT64, ['batch', 'seq', HIDDEN]);
  // A well-formed [batch, seq, hidden] float output, so the graphs above fail for their shape only.
  models.good = await variant('good', [
    node('Cast', ['input_ids'], ['f'], { to: DataType.FLOAT }),
    node('Unsqueeze', ['f', 'ax2'], ['u']),
    node('Mul', ['u', 'row'], ['last_hidden_state']),
  ], [row, axis('ax2', 2)], DataType.FLOAT, ['batch', 'seq', HIDDEN]);
});
after(async () => { for (const m of open) await m.dispose(); });

async function load(source, device) {
  const m = await Embedder.load(source, { device });
  open.push(m);
  return m;
}

const TEXTS = ['a short one', 'a somewhat longer text than the first one', 'x'];
// Three texts of one length: the planner runs them as one batch of 3 (texts of different lengths
// may run one by one under its padding bound, and a batch of 1 hides a [1, seq, hidden] output).
const SAME_LENGTH = ['the same text', 'the same text', 'the same text'];

for (const device of ['cpu', 'wasm']) {
  test(`${device}: a well-formed hand-built output embeds`, async () => {
    const m = await load(models.good, device);
    const out = await m.embed(TEXTS);
    assert.equal(out.length, 3);
    assert.equal(out[0].length, HIDDEN);
  });

  test(`${device}: last_hidden_state of [1, seq, hidden] for a batch of 3 is an UnsupportedError naming both shapes`, async () => {
    const m = await load(models.oneRow, device);
    await assert.rejects(m.embed(SAME_LENGTH), (err) => err instanceof UnsupportedError &&
      /\[1, \d+, 8\] for a batch of 3 x \d+ tokens; expected \[3, \d+, hidden\]/.test(err.message));
  });

  test(`${device}: last_hidden_state of [batch, 1, hidden] is an UnsupportedError naming both shapes`, async () => {
    const m = await load(models.oneToken, device);
    await assert.rejects(m.embed(SAME_LENGTH), (err) => err instanceof UnsupportedError &&
      /\[3, 1, 8\] for a batch of 3 x (\d+) tokens; expected \[3, \1, hidden\]/.test(err.message));
  });

  test(`${device}: an int64 output is an UnsupportedError, not a BigInt conversion failure`, async () => {
    const m = await load(models.int64, device);
    await assert.rejects(m.embed(TEXTS), (err) => err instanceof UnsupportedError && /int64/.test(err.message));
  });
}

test('a tokenizer with more ids than the model has rows is a typed error naming both, not ONNX Runtime\'s Gather error', async () => {
  const { mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const p = await import('node:path');
  const { makeModel } = await import('../../models/generator/index.js');
  const { Embedder, UnsupportedError } = await import('../../js/index.js');
  const dir = mkdtempSync(p.join(os.tmpdir(), 'wasmbed-ids-'));
  try {
    const model = p.join(dir, 'm');
    await makeModel(model, { preset: 'tiny-bert', config: { num_hidden_layers: 1 } });
    const cfgFile = p.join(model, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    // The model now claims a 10-row embedding table, while the tokenizer has thousands of ids.
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, vocab_size: 10 }));
    const m = await Embedder.load(model, { device: 'cpu' });
    try {
      await assert.rejects(m.embed(['hello world']), (err) => err instanceof UnsupportedError && /embedding table has 10 rows/.test(err.message));
    } finally {
      await m.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
