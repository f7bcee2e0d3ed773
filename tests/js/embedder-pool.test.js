// EmbedderPool (js/worker/pool.js): the embedder API over two worker_threads workers, each its own
// one-thread ORT-web WASM session, on tiny generated models and mixed-length texts. Its vectors
// must equal a single Embedder's: bit for bit where the math is the same (each worker's chunk
// embedded by one Embedder; one text per run), within float noise where only the batch
// composition differs. tests/browser/embedder-pool.test.js runs it in Web Workers.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { Embedder, EmbedderPool, WorkerEmbedder } from '../../js/index.js';
import { AbortError, DisposedError, InvalidArgumentError } from '../../js/errors.js';
import { poolShape } from '../../js/worker/pool.js';
import { splitWork, textCost } from '../../js/worker/split.js';
import { makeModel } from '../../models/generator/index.js';
import { committedSample, tempDir } from '../helpers/embedder-models.js';

const dir = tempDir('wasmbed-pool-');
const MODEL = path.join(dir, 'tiny-bert');
const M3 = path.join(dir, 'tiny-m3');
// Mixed lengths in no order: the committed sample (1-118 characters) among pages of 60-900.
const words = 'the harbour ferry leaves at seven and returns by nine across the quiet water of the bay'.split(' ');
const page = (n) => Array.from({ length: n }, (_, i) => words[(i * 7 + n) % words.length]).join(' ');
const TEXTS = committedSample().flatMap((t, i) => (i % 5 === 0 ? [page(10 + i * 6), t] : [t]));
let single;
let pool;

before(async () => {
  await makeModel(MODEL, { preset: 'tiny-bert', seed: 5 });
  single = await Embedder.load(MODEL, { device: 'wasm' });
  pool = await Embedder.load(MODEL, { device: 'wasm', workers: 2, threads: 1 });
});

after(async () => {
  await pool?.dispose();
  await single?.dispose();
});

const bitsEqual = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

test('splitWork: every text once, longest first, chunks of at most batchSize', () => {
  const chunks = splitWork(TEXTS, { workers: 2, batchSize: 4 });
  const seen = chunks.flat().sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from(TEXTS.keys()));
  assert.ok(chunks.every((c) => c.length >= 1 && c.length <= 4));
  const order = chunks.flat().map((i) => textCost(TEXTS[i]));
  for (let i = 1; i < order.length; i++) assert.ok(order[i] <= order[i - 1], 'sorted most expensive first');
  assert.ok(textCost('word '.repeat(100)) > textCost('word '.repeat(50)) && textCost('x'.repeat(1e5)) === textCost('x'.repeat(1e4)), 'longer costs more, up to the limit');
  assert.ok(chunks.length >= 2 * 2, `enough chunks to balance two workers (${chunks.length})`);
  assert.deepEqual(splitWork([], { workers: 2 }), []);
});

test('Embedder.load(source, { workers }) starts an EmbedderPool: info.workers, one thread each', async () => {
  assert.ok(pool instanceof EmbedderPool);
  assert.equal(pool.info.workers, 2);
  assert.equal(pool.info.threads, 1);
  const { threads, workers, ...rest } = pool.info;
  const { threads: t2, ...want } = single.info;
  assert.deepEqual(rest, want, 'the workers describe the model as the single Embedder does');
  assert.deepEqual(poolShape({ workers: 'auto' }, 4), { workers: 4, threads: 1 });
  assert.deepEqual(poolShape({ workers: 2 }, 8), { workers: 2, threads: 4 });
  assert.deepEqual(poolShape({ workers: 3, threads: 2 }, 2), { workers: 3, threads: 2 });
});

test('the pool equals a single Embedder on mixed-length texts, in input order', async () => {
  const got = await pool.embedFlat(TEXTS);
  const want = await single.embedFlat(TEXTS);
  assert.equal(got.count, TEXTS.length);
  assert.equal(got.dims, want.dims);
  // Bit for bit where the math is the same: each worker's chunk as one Embedder embeds it.
  const exact = new Float32Array(want.data.length);
  for (const chunk of splitWork(TEXTS, { workers: 2, batchSize: 32, maxLength: single.info.maxLength })) {
    const part = await single.embedFlat(chunk.map((i) => TEXTS[i]));
    chunk.forEach((i, j) => exact.set(part.data.subarray(j * got.dims, (j + 1) * got.dims), i * got.dims));
  }
  assert.ok(bitsEqual(got.data, exact), 'every row is its own text\'s vector, bit for bit');
  // Other batch compositions than the single Embedder's plan: the same vectors up to float noise.
  let maxDiff = 0;
  for (let i = 0; i < got.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[i] - want.data[i]));
  assert.ok(maxDiff < 1e-5, `max difference ${maxDiff}`);
  // One text per run: the same runs in either, so the same bits.
  const one = await pool.embed(TEXTS, { batchSize: 1 });
  const oneWant = await single.embed(TEXTS, { batchSize: 1 });
  assert.equal(one.length, TEXTS.length);
  one.forEach((v, i) => assert.ok(v instanceof Float32Array && bitsEqual(v, oneWant[i]), `text ${i}`));
  // Options reach every worker (prompt, dimensions).
  const [q] = await pool.embed([TEXTS[3]], { promptText: 'query: ', dimensions: 8 });
  assert.ok(bitsEqual(q, (await single.embed([TEXTS[3]], { promptText: 'query: ', dimensions: 8 }))[0]));
  assert.deepEqual(await pool.embedFlat([]), await single.embedFlat([]));
});

test('progress counts across the workers, monotonic up to the total', async () => {
  const events = [];
  await pool.embed(TEXTS, { batchSize: 2, onProgress: (p) => events.push(p) });
  assert.ok(events.length > 2);
  assert.ok(events.every((e) => e.total === TEXTS.length));
  for (let i = 1; i < events.length; i++) assert.ok(events[i].done > events[i - 1].done, `monotonic: ${events.map((e) => e.done)}`);
  assert.equal(events.at(-1).done, TEXTS.length);
});

test('concurrent calls share the workers and get their own results', async () => {
  const a = TEXTS.slice(0, 20);
  const b = TEXTS.slice(20);
  const [ga, gb] = await Promise.all([pool.embed(a, { batchSize: 1 }), pool.embed(b, { batchSize: 1 })]);
  const wa = await single.embed(a, { batchSize: 1 });
  const wb = await single.embed(b, { batchSize: 1 });
  ga.forEach((v, i) => assert.ok(bitsEqual(v, wa[i])));
  gb.forEach((v, i) => assert.ok(bitsEqual(v, wb[i])));
});

test('errors keep their class and name the input index; a failed call cancels its other chunks', async () => {
  await assert.rejects(pool.embed(['a', 'b', 42]), (e) => e instanceof InvalidArgumentError && /texts\[2\]/.test(e.message));
  await assert.rejects(pool.embed('x', null), InvalidArgumentError);
  await assert.rejects(pool.embed(TEXTS, { batchSize: 0 }), InvalidArgumentError);
  // A worker's own error (a text over maxLength with truncate: 'error') crosses as its class.
  await assert.rejects(pool.embed(TEXTS, { maxLength: 8, truncate: 'error' }), (e) => e instanceof InvalidArgumentError && e.name === 'InvalidArgumentError');
  assert.equal((await pool.embed(['still usable', 'yes'])).length, 2);
  await assert.rejects(Embedder.load(MODEL, { device: 'wasm', workers: 0 }), InvalidArgumentError);
  await assert.rejects(Embedder.load(MODEL, { device: 'wasm', workers: 'all' }), InvalidArgumentError);
  await assert.rejects(WorkerEmbedder.load(MODEL, { workers: 2 }), InvalidArgumentError);
  await assert.rejects(EmbedderPool.load(path.join(dir, 'missing'), { workers: 2 }), (e) => e instanceof InvalidArgumentError && /does not exist/.test(e.message));
});

test('an abort signal cancels the call on every worker; the pool stays usable', async () => {
  await assert.rejects(pool.embed(TEXTS, { signal: AbortSignal.abort() }), AbortError);
  const controller = new AbortController();
  const events = [];
  const running = pool.embed(TEXTS, {
    batchSize: 1,
    signal: controller.signal,
    onProgress: (p) => {
      events.push(p.done);
      if (p.done >= 3) controller.abort(new Error('user left'));
    },
  });
  await assert.rejects(running, (e) => e instanceof AbortError && /user left/.test(e.message));
  assert.ok(events.at(-1) < TEXTS.length, 'stopped before the end');
  const again = await pool.embed(TEXTS.slice(0, 4), { batchSize: 1 });
  const want = await single.embed(TEXTS.slice(0, 4), { batchSize: 1 });
  again.forEach((v, i) => assert.ok(bitsEqual(v, want[i])));
});

test('BGE-M3 outputs come back per text, in order, as one Embedder computes them; dispose stops every worker', async () => {
  await makeModel(M3, { preset: 'tiny-xlm-roberta', heads: true, seed: 7 });
  const texts = ['the dog the dog music', 'a cat sitting on the water', page(70), 'x', page(30)];
  const one = await Embedder.load(M3, { device: 'wasm' });
  const m3 = await EmbedderPool.load(M3, { device: 'wasm', workers: 2 });
  try {
    const options = { outputs: ['dense', 'sparse', 'colbert'], batchSize: 1 };
    const got = await m3.embed(texts, options);
    const want = await one.embed(texts, options);
    assert.equal(got.length, texts.length);
    got.forEach((g, i) => {
      assert.ok(bitsEqual(g.dense, want[i].dense), `dense ${i}`);
      assert.deepEqual([...g.sparse.ids], [...want[i].sparse.ids]);
      assert.ok(bitsEqual(g.sparse.weights, want[i].sparse.weights), `sparse ${i}`);
      assert.equal(g.colbert.count, want[i].colbert.count);
      assert.ok(g.colbert.count > 0 && bitsEqual(g.colbert.vectors, want[i].colbert.vectors), `colbert ${i}`);
    });
    // dispose while a call runs: it rejects, and so does every later call.
    const running = assert.rejects(m3.embed(TEXTS, { batchSize: 1 }), DisposedError);
    await m3.dispose();
    await running;
    await assert.rejects(m3.embed(['after']), DisposedError);
    await assert.rejects(m3.call('embed', [['x']]), DisposedError);
  } finally {
    await m3.dispose(); // twice is fine
    await one.dispose();
  }
});
