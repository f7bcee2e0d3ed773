// Exact long inputs in bounded memory: attention a block of query rows at a time
// (js/onnx/blocked-attention.js), in the project's graphs and rewritten into exports at load
// time, and the activation-memory estimate that refuses a run before ONNX Runtime sees it.
//
// Model: XLM-R layout, 2 layers x 256 hidden, 16 heads, 8,194 positions (bge-m3's attention
// shape at 8,192 tokens: 16 x 8192 x 8192 float32 scores = 4 GiB unblocked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeModel } from '../../models/generator/index.js';
import { DataType, graph, model, node, opsetImport, tensor, valueInfo, blockAttentionInModel, describeAttention } from '../../js/onnx/index.js';
import { activationBytes, checkActivationMemory, WASM_MEMORY_LIMIT } from '../../js/embedder/activation-memory.js';
import { Embedder } from '../../js/index.js';
import { CapacityError } from '../../js/errors.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { maxAbsDiff, tempDir } from '../helpers/embedder-models.js';
import { skipUnless } from '../helpers/skip.js';

const nodeOrt = await import('onnxruntime-node').catch(() => null);
const webOrt = await import('onnxruntime-web');
const skipNode = skipUnless(nodeOrt, 'onnxruntime-node is not installed');
const run = promisify(execFile);
const F32 = DataType.FLOAT;

const dir = tempDir('wasmbed-long-');
const config = { num_hidden_layers: 2, num_attention_heads: 16, hidden_size: 256, intermediate_size: 1024, max_position_embeddings: 8194 };
const models = {};
async function longModel(name, attentionBlock) {
  models[name] ??= makeModel(path.join(dir, name), { preset: 'tiny-xlm-roberta', seed: 7, config, st: { maxSeqLength: 8192 }, attentionBlock })
    .then((r) => r.dir);
  return models[name];
}

const ids = (n) => {
  const a = new BigInt64Array(n);
  for (let i = 0; i < n; i++) a[i] = BigInt(5 + ((i * 7919) % 20000));
  a[0] = 0n;
  a[n - 1] = 2n;
  return a;
};

/** last_hidden_state of one sequence of n tokens (the last `pad` of them padding). */
async function hiddenStates(ort, file, n, pad = 0) {
  const session = await ort.InferenceSession.create(ort === nodeOrt ? file : readFileSync(file));
  try {
    const input = ids(n);
    const mask = new BigInt64Array(n).fill(1n);
    for (let i = n - pad; i < n; i++) { input[i] = 1n; mask[i] = 0n; }
    const out = await session.run({ input_ids: new ort.Tensor('int64', input, [1, n]), attention_mask: new ort.Tensor('int64', mask, [1, n]) });
    return out.last_hidden_state.data;
  } finally {
    await session.release();
  }
}

test('buildGraph blocks attention past 1,024 positions; --attention-block 0 keeps one score tensor', async () => {
  const blocked = describeAttention(readFileSync(path.join(await longModel('blocked'), 'onnx', 'model.onnx')));
  assert.equal(blocked.blockedSites, 2);
  assert.equal(blocked.block, 512);
  assert.equal(blocked.heads, 16);
  assert.equal(blocked.positions, 8194);
  const plain = describeAttention(readFileSync(path.join(await longModel('unblocked', 0), 'onnx', 'model.onnx')));
  assert.deepEqual([plain.sites, plain.blockedSites, plain.layouts], [2, 0, ['matmul']]);
});

for (const [label, getOrt] of [['onnxruntime-node', () => nodeOrt], ['onnxruntime-web WASM', () => webOrt]]) {
  test(`${label}: the blocked graph equals the unblocked one within 1e-5 (1,024 and 2,048 tokens, padding)`, { skip: label === 'onnxruntime-node' && skipNode }, async () => {
    const ort = getOrt();
    const blocked = path.join(await longModel('blocked'), 'onnx', 'model.onnx');
    const plain = path.join(await longModel('unblocked', 0), 'onnx', 'model.onnx');
    for (const [n, pad] of [[1024, 0], [2048, 300]]) {
      const a = await hiddenStates(ort, blocked, n, pad);
      const b = await hiddenStates(ort, plain, n, pad);
      assert.equal(a.length, n * 256);
      const d = maxAbsDiff(a, b);
      assert.ok(d < 1e-5, `${n} tokens: max |blocked - unblocked| = ${d}`);
    }
  });
}

test('onnxruntime-node: an exported model rewritten at load time equals the original (1,024 tokens)', { skip: skipNode }, async () => {
  const file = path.join(await longModel('unblocked', 0), 'onnx', 'model.onnx');
  const { bytes, sites } = blockAttentionInModel(readFileSync(file), { block: 256 });
  assert.equal(sites, 2);
  assert.equal(describeAttention(bytes).blockedSites, 2);
  // Idempotent: blocks are not blocked again.
  assert.equal(blockAttentionInModel(bytes).sites, 0);
  const session = await nodeOrt.InferenceSession.create(bytes);
  const n = 1000;
  const out = await session.run({ input_ids: new nodeOrt.Tensor('int64', ids(n), [1, n]), attention_mask: new nodeOrt.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) });
  const d = maxAbsDiff(out.last_hidden_state.data, await hiddenStates(nodeOrt, file, n));
  assert.ok(d < 1e-5, `max |rewritten - original| = ${d}`);
});

// --- Hub export layouts, built with the codec's builders.

const B = 2, NH = 4, HD = 8, D = NH * HD, S = 700, MAXLEN = 1024, BLOCK = 128;
function random(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

/**
 * Optimum / transformers.js attention: MatMul(q, Transpose(k)) -> Div(sqrt(hd)) -> Add(mask) ->
 * Softmax -> MatMul(., v), q/k/v [B, nh, S, hd]; mask [B, 1, 1, S] (eager) or [B, 1, S, S] (sdpa's
 * expanded mask); maskFirst puts the mask as Add's first input.
 */
function optimumAttention({ maskRows, maskFirst = false }) {
  const nodes = [
    node('Transpose', ['key'], ['kT'], { perm: [0, 1, 3, 2] }, 'k_transpose'),
    node('MatMul', ['query', 'kT'], ['scores'], {}, 'qk'),
    node('Div', ['scores', 'scale'], ['scaled'], {}, 'scale'),
    node('Add', maskFirst ? ['mask', 'scaled'] : ['scaled', 'mask'], ['masked'], {}, 'mask_add'),
    node('Softmax', ['masked'], ['probs'], { axis: -1 }, 'softmax'),
    node('MatMul', ['probs', 'value'], ['context'], {}, 'pv'),
  ];
  const qkv = (name) => valueInfo(name, F32, ['batch', NH, 'seq', HD]);
  return model(graph({
    name: 'optimum_attention', nodes,
    initializers: [tensor('scale', F32, [], [Math.sqrt(HD)])],
    inputs: [qkv('query'), qkv('key'), qkv('value'), valueInfo('mask', F32, ['batch', 1, maskRows === 1 ? 1 : 'seq', 'seq'])],
    outputs: [valueInfo('context', F32, ['batch', NH, 'seq', HD])],
  })).toBytes();
}

function multiHeadAttention({ attentionBias = false } = {}) {
  const inputs = ['query', 'key', 'value', 'bias', 'key_padding_mask'];
  if (attentionBias) inputs.push('attention_bias');
  const m = model(graph({
    name: 'mha', nodes: [node('MultiHeadAttention', inputs, ['out'], { num_heads: NH }, 'mha', 'com.microsoft')],
    initializers: [tensor('bias', F32, [3 * D], Array.from(random(3 * D, 9)))],
    inputs: [
      valueInfo('query', F32, ['batch', 'seq', D]), valueInfo('key', F32, ['batch', 'seq', D]), valueInfo('value', F32, ['batch', 'seq', D]),
      valueInfo('key_padding_mask', DataType.INT32, ['batch', 'seq']),
      ...(attentionBias ? [valueInfo('attention_bias', F32, ['batch', NH, 'seq', 'seq'])] : []),
    ],
    outputs: [valueInfo('out', F32, ['batch', 'seq', D])],
  }));
  m.message(8, opsetImport('com.microsoft', 1)); // ModelProto.opset_import
  return m.toBytes();
}

// Padding on the second sequence's last 100 keys; values the float32 min as HF masks do.
function additiveMask(rows) {
  const m = new Float32Array(B * rows * S);
  for (let b = 0; b < B; b++) for (let r = 0; r < rows; r++) for (let j = 0; j < S; j++) m[(b * rows + r) * S + j] = b === 1 && j >= S - 100 ? -3.4028234663852886e38 : 0;
  return m;
}

async function compare(ort, before, after, feeds, output) {
  const run1 = async (bytes) => {
    const s = await ort.InferenceSession.create(bytes);
    try { return (await s.run(feeds(ort)))[output].data; } finally { await s.release(); }
  };
  const a = await run1(before), b = await run1(after);
  assert.equal(a.length, b.length);
  assert.ok(a.every(Number.isFinite));
  return maxAbsDiff(a, b);
}

for (const [label, getOrt] of [['onnxruntime-node', () => nodeOrt], ['onnxruntime-web WASM', () => webOrt]]) {
  const skip = label === 'onnxruntime-node' && skipNode;
  for (const variant of [{ maskRows: 1 }, { maskRows: S, maskFirst: true }]) {
    test(`${label}: Optimum-layout attention (mask [B, 1, ${variant.maskRows === 1 ? 1 : 'S'}, S]) rewritten to blocks equals the original within 1e-5`, { skip }, async () => {
      const before = optimumAttention(variant);
      const { bytes: after, sites } = blockAttentionInModel(before, { maxLength: MAXLEN, block: BLOCK });
      assert.equal(sites, 1);
      const rows = variant.maskRows === 1 ? 1 : S;
      const feeds = (ort) => ({
        query: new ort.Tensor('float32', random(B * NH * S * HD, 1), [B, NH, S, HD]),
        key: new ort.Tensor('float32', random(B * NH * S * HD, 2), [B, NH, S, HD]),
        value: new ort.Tensor('float32', random(B * NH * S * HD, 3), [B, NH, S, HD]),
        mask: new ort.Tensor('float32', additiveMask(rows), [B, 1, rows, S]),
      });
      const d = await compare(getOrt(), before, after, feeds, 'context');
      assert.ok(d < 1e-5, `max |after - before| = ${d}`);
    });
  }
  for (const attentionBias of [false, true]) {
    test(`${label}: com.microsoft MultiHeadAttention${attentionBias ? ' with attention_bias' : ''} rewritten to blocks equals the original within 1e-5`, { skip }, async () => {
      const before = multiHeadAttention({ attentionBias });
      const { bytes: after, sites } = blockAttentionInModel(before, { maxLength: MAXLEN, block: BLOCK });
      assert.equal(sites, 1);
      const feeds = (ort) => {
        const kpm = new Int32Array(B * S).fill(1);
        for (let j = S - 100; j < S; j++) kpm[S + j] = 0;
        const f = {
          query: new ort.Tensor('float32', random(B * S * D, 4), [B, S, D]),
          key: new ort.Tensor('float32', random(B * S * D, 5), [B, S, D]),
          value: new ort.Tensor('float32', random(B * S * D, 6), [B, S, D]),
          key_padding_mask: new ort.Tensor('int32', kpm, [B, S]),
        };
        if (attentionBias) f.attention_bias = new ort.Tensor('float32', random(B * NH * S * S, 8), [B, NH, S, S]);
        return f;
      };
      const d = await compare(getOrt(), before, after, feeds, 'out');
      assert.ok(d < 1e-5, `max |after - before| = ${d}`);
    });
  }
}

// --- Activation memory.

test('activationBytes: blocked attention is linear in the block, unblocked quadratic in the length', () => {
  const bge = { heads: 16, hidden: 1024 };
  const unblocked = activationBytes(1, 8192, bge);
  assert.equal(unblocked.largestTensor, 16 * 8192 * 8192 * 4); // the 4 GiB ORT-web overflows on
  const blocked = activationBytes(1, 8192, { ...bge, block: 512 });
  assert.equal(blocked.attention * 16, unblocked.attention);
  assert.equal(blocked.hidden, unblocked.hidden);
  assert.equal(activationBytes(4, 8192, { ...bge, block: 512 }).total, 4 * blocked.total);
  // Short inputs: the block is the sequence.
  assert.deepEqual(activationBytes(2, 100, { ...bge, block: 512 }), activationBytes(2, 100, bge));
});

test('checkActivationMemory: a CapacityError naming the length, the memory and the limit', () => {
  const bge = { heads: 16, hidden: 1024 };
  assert.throws(() => checkActivationMemory(1, 8192, bge, { device: 'wasm' }), (err) => err instanceof CapacityError && /1 x 8192 tokens/.test(err.message) && /4\.00 GiB/.test(err.message));
  assert.ok(checkActivationMemory(1, 8192, { ...bge, block: 512 }, { device: 'wasm', weightBytes: 2.27e9 }).total < WASM_MEMORY_LIMIT);
  // 2.27 GB of fp32 weights leave too little of the heap for 8 x 8192 tokens.
  assert.throws(() => checkActivationMemory(8, 8192, { ...bge, block: 512 }, { device: 'wasm', weightBytes: 2.27e9 }), (err) => err instanceof CapacityError && /8 x 8192/.test(err.message) && /GiB/.test(err.message));
  // A budget applies on every device; onnxruntime-node has no heap limit of its own.
  assert.ok(checkActivationMemory(8, 8192, { ...bge, block: 512 }, { device: 'cpu' }));
  assert.throws(() => checkActivationMemory(1, 8192, { ...bge, block: 512 }, { device: 'cpu', budget: 2 ** 30 }), (err) => err instanceof CapacityError && /memory budget/.test(err.message) && /1\.00 GiB/.test(err.message));
});

test('Embedder: a run over the memory budget is a CapacityError before ONNX Runtime is called', async () => {
  const embedder = await Embedder.load(await longModel('blocked'), { device: 'wasm', memoryBudget: 64 * 2 ** 20 });
  try {
    const text = Array(2998).fill('the').join(' '); // + CLS and SEP: 3,000 tokens
    await assert.rejects(embedder.embed([text]), (err) => err instanceof CapacityError && /1 x 3000 tokens/.test(err.message) && /0\.06 GiB \(memory budget\)/.test(err.message));
    assert.equal((await embedder.embed(['a short text']))[0].length, 256); // short texts still run
  } finally {
    await embedder.dispose();
  }
});

// --- 8,192 tokens end to end, each run in a process of its own (peak RSS is per process).

// What one 8,192-token run may add to the process's resident memory: the activation estimate
// that admits or refuses runs (js/embedder/activation-memory.js, 0.99 GB here; measured 0.98-1.01
// GB on WASM), with a quarter for allocator slack. Unblocked it would be 13 GB. Measured from the
// RSS after load, not as a whole-process peak: ORT-web starts one worker (a V8 isolate, ~13 MB)
// per thread, and the default thread count is the machine's core count.
const RUN_BOUND = 1.25 * activationBytes(1, 8192, { heads: config.num_attention_heads, hidden: config.hidden_size, intermediate: config.intermediate_size, block: 512 }).total;
const added = (r) => r.maxRssBytes - r.rssBeforeBytes;
const gb = (b) => `${(b / 1e9).toFixed(2)} GB`;
async function embedLong(device, dirName, options) {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'tests', 'helpers', 'embed-long-text.js'), device, dirName, '8192', JSON.stringify(options ?? {})], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

test('8,192 tokens embed on onnxruntime-web WASM and onnxruntime-node in bounded memory, the same vector', { skip: skipNode, timeout: 600_000 }, async () => {
  const blocked = await longModel('blocked');
  const web = await embedLong('wasm', blocked);
  const native = await embedLong('cpu', blocked);
  for (const [label, r] of [['wasm', web], ['cpu', native]]) {
    assert.ok(!r.error, `${label}: ${r.name}: ${r.error}`);
    assert.equal(r.tokens, 8192);
    assert.equal(r.vector.length, 256);
    assert.ok(added(r) < RUN_BOUND, `${label}: the run added ${gb(added(r))} to the ${gb(r.rssBeforeBytes)} resident after load (bound ${gb(RUN_BOUND)})`);
    console.log(`# ${label} 8192 tokens: ${(r.ms / 1000).toFixed(1)} s, peak RSS ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB, ${(added(r) / 2 ** 20).toFixed(0)} MiB added by the run`);
  }
  assert.ok(maxAbsDiff(web.vector, native.vector) < 1e-4, `wasm vs cpu: ${maxAbsDiff(web.vector, native.vector)}`);
});

test('an unblocked export is blocked at load: 8,192 tokens run on WASM; kept unblocked it is a CapacityError, not an ORT overflow', { timeout: 600_000 }, async () => {
  const plain = await longModel('unblocked', 0);
  const refused = await embedLong('wasm', plain, { attentionBlock: 0 });
  assert.equal(refused.name, 'CapacityError', JSON.stringify(refused));
  assert.match(refused.error, /1 x 8192 tokens/);
  assert.match(refused.error, /4\.00 GiB/);
  const rewritten = await embedLong('wasm', plain);
  assert.ok(!rewritten.error, `${rewritten.name}: ${rewritten.error}`);
  assert.ok(added(rewritten) < RUN_BOUND, `the run added ${gb(added(rewritten))} to the ${gb(rewritten.rssBeforeBytes)} resident after load (bound ${gb(RUN_BOUND)})`);
});

test('onnxruntime-node, a model file with external data: blocked at load from the graph bytes, weights read from its folder', { skip: skipNode }, async () => {
  const { createSession } = await import('../../js/embedder/backend.js');
  const target = path.join(dir, 'external');
  await makeModel(target, { preset: 'tiny-xlm-roberta', seed: 5, config: { num_hidden_layers: 1, num_attention_heads: 4, hidden_size: 64, intermediate_size: 128, max_position_embeddings: 2050 }, st: { maxSeqLength: 2048 }, attentionBlock: 0, externalData: true });
  const file = path.join(target, 'onnx', 'model.onnx');
  const blocked = await createSession('cpu', { name: 'model.onnx', path: file });
  const plain = await createSession('cpu', { name: 'model.onnx', path: file }, { attentionBlock: 0 });
  try {
    assert.deepEqual([blocked.attention.rewritten, blocked.attention.block, plain.attention.rewritten], [1, 512, 0]);
    const n = 1500;
    const feeds = { input_ids: new nodeOrt.Tensor('int64', ids(n), [1, n]), attention_mask: new nodeOrt.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) };
    const d = maxAbsDiff((await blocked.run(feeds)).last_hidden_state.data, (await plain.run(feeds)).last_hidden_state.data);
    assert.ok(d < 1e-5, `max |blocked - plain| = ${d}`);
  } finally {
    await blocked.release();
    await plain.release();
  }
});
