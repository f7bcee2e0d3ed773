// WorkerEmbedder in a real Web Worker (module worker started from js/worker-client.js, as an
// application would): same vectors as the Embedder on the page's own thread, progress events,
// typed errors, abort, and vectors arriving as Float32Arrays.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { browserSkipReason } from '../helpers/browser.js';
import { useTestPage } from '../helpers/test-page.js';

const skip = await browserSkipReason();
const opened = useTestPage({ name: 'worker', seed: 11 }, skip);

test('WorkerEmbedder in a Web Worker: load with progress, embed, typed errors, abort', { skip, timeout: 120_000 }, async () => {
  const r = await opened.page.evaluate(async () => {
    const url = new URL('/models/tiny/', location.href).href;
    const progress = [];
    const model = await window.WorkerEmbedder.load(url, { onProgress: (p) => progress.push(p) });
    const texts = ['한 남자가 기타를 치고 있다.', 'A man is playing a guitar.', 'Мужчина играет на гитаре.'];
    const framesWhileEmbedding = window.countFrames(300);
    const big = Array.from({ length: 64 }, (_, i) => `${texts[i % 3]} ${i}`);
    const [vectors] = await Promise.all([model.embed(texts), model.embed(big)]);
    const frames = await framesWhileEmbedding;
    // Same model on this thread, for comparison.
    const { Embedder } = await import('/js/embedder/embedder.js');
    const local = await Embedder.load(url);
    const want = await local.embed(texts);
    let maxDiff = 0;
    vectors.forEach((v, i) => v.forEach((x, j) => { maxDiff = Math.max(maxDiff, Math.abs(x - want[i][j])); }));
    let errorName = null;
    try {
      await model.embed([42]);
    } catch (e) {
      errorName = `${e.name}:${e.constructor.name}:${e instanceof Error}`;
    }
    let loadError = null;
    try {
      await window.WorkerEmbedder.load(new URL('/models/does-not-exist/', location.href).href);
    } catch (e) {
      loadError = { name: e.name, file: e.file ?? null, status: e.status ?? null, message: e.message };
    }
    let abortName = null;
    const controller = new AbortController();
    const pending = model.embed(big, { signal: controller.signal });
    controller.abort();
    try {
      await pending;
    } catch (e) {
      abortName = e.name;
    }
    const after = await model.embed(['still works']);
    await model.dispose();
    return {
      progress: progress.length,
      isF32: vectors.every((v) => v instanceof Float32Array),
      dims: vectors[0].length,
      maxDiff,
      frames,
      errorName,
      loadError,
      abortName,
      after: after.length,
      info: model.info,
    };
  });
  assert.ok(r.progress > 0, 'progress events reach the page');
  assert.ok(r.isF32);
  assert.ok(r.dims > 0);
  assert.equal(r.maxDiff, 0, 'same bits as the in-page Embedder (same backend, same model)');
  assert.ok(r.frames > 3, `the page kept rendering while the worker embedded (${r.frames} frames)`);
  assert.match(r.errorName, /^\w+Error:\w+Error:true$/);
  assert.equal(r.loadError.name, 'ModelLoadError', JSON.stringify(r.loadError));
  console.log(`load error: ${r.loadError.message}`);
  assert.ok(r.loadError.file, `the error names the missing file: ${JSON.stringify(r.loadError)}`);
  assert.equal(r.abortName, 'AbortError');
  assert.equal(r.after, 1);
});
