// WorkerEmbedder: the Embedder API in a worker (here a Node worker_threads Worker running
// js/worker.js, the same entry and protocol browsers use; tests/browser/worker.test.js runs it in
// a real Web Worker). Results must equal the in-thread Embedder's exactly.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { Embedder } from '../../js/embedder/embedder.js';
import { AbortError, InvalidArgumentError, WasmbedError } from '../../js/errors.js';
import { WorkerEmbedder } from '../../js/worker/client.js';
import { makeModel } from '../../models/generator/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const MODEL = path.join(REPO_ROOT, 'build', 'test-models', 'worker-tiny-bert');
const TEXTS = ['한 남자가 기타를 치고 있다.', 'A man is playing a guitar.', 'Мужчина играет на гитаре.', 'x'];
let local;
let remote;

before(async () => {
  await makeModel(MODEL, { preset: 'tiny-bert', seed: 3 });
  local = await Embedder.load(MODEL);
});

after(async () => {
  await remote?.dispose();
  await local?.dispose?.();
});

test('WorkerEmbedder.load reports progress and the model description', async () => {
  const progress = [];
  remote = await WorkerEmbedder.load(MODEL, { onProgress: (p) => progress.push(p) });
  assert.ok(progress.length > 0, 'progress events cross the worker boundary');
  assert.deepEqual(remote.info, local.info, 'the worker describes the model as Embedder#info does');
});

test('embed in the worker equals embed in this thread, vectors transferred as Float32Arrays', async () => {
  const got = await remote.embed(TEXTS, { promptText: 'query: ' });
  const want = await local.embed(TEXTS, { promptText: 'query: ' });
  assert.equal(got.length, TEXTS.length);
  for (let i = 0; i < TEXTS.length; i += 1) {
    assert.ok(got[i] instanceof Float32Array);
    assert.deepEqual([...got[i]], [...want[i]], `text ${i}`);
  }
});

test('concurrent calls resolve to their own results', async () => {
  const calls = TEXTS.map((t) => remote.embed([t]));
  const results = await Promise.all(calls);
  const want = await local.embed(TEXTS);
  results.forEach(([v], i) => assert.deepEqual([...v], [...want[i]]));
});

test('errors keep their wasmbed class across the boundary', async () => {
  await assert.rejects(remote.embed([42]), (err) => err instanceof InvalidArgumentError && err.name === 'InvalidArgumentError');
  await assert.rejects(remote.call('nope', []), InvalidArgumentError);
  await assert.rejects(WorkerEmbedder.load(path.join(MODEL, 'missing-folder')), WasmbedError);
});

test('an aborted signal cancels load and embed', async () => {
  const controller = new AbortController();
  const loading = WorkerEmbedder.load(MODEL, { signal: controller.signal });
  controller.abort(new Error('user navigated away'));
  await assert.rejects(loading, AbortError);
  const already = AbortSignal.abort();
  await assert.rejects(remote.embed(TEXTS, { signal: already }), AbortError);
  // The worker is still usable afterwards.
  assert.equal((await remote.embed(['still alive'])).length, 1);
});

test('a caller-owned worker is used and left running after dispose', async () => {
  const worker = new Worker(new URL('../../js/worker/worker.js', import.meta.url));
  try {
    const m = await WorkerEmbedder.load(MODEL, { worker });
    const [v] = await m.embed(['hello']);
    assert.deepEqual([...v], [...(await local.embed(['hello']))[0]]);
    await m.dispose();
    await assert.rejects(m.embed(['after dispose']), InvalidArgumentError);
    // dispose() did not terminate a worker it does not own: a new model loads on it.
    const again = await WorkerEmbedder.load(MODEL, { worker });
    assert.equal((await again.embed(['x'])).length, 1);
  } finally {
    await worker.terminate();
  }
});

test('Embedder.load(source, { worker: true }) returns a WorkerEmbedder', async () => {
  const m = await Embedder.load(MODEL, { worker: true });
  try {
    assert.ok(m instanceof WorkerEmbedder);
    const [v] = await m.embed(['한국어 문장']);
    assert.deepEqual([...v], [...(await local.embed(['한국어 문장']))[0]]);
  } finally {
    await m.dispose();
  }
});
