// EmbedderPool in Chromium on a page that is NOT cross-origin isolated (no COOP/COEP, as most
// sites): ONNX Runtime WASM can run one thread per session there, and the pool's two Web Workers
// (one one-thread session each) use two cores. Same vectors as the Embedder on the page's own
// thread: bit for bit with one text per run, within float noise with batching.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { browserSkipReason } from '../helpers/browser.js';
import { useTestPage } from '../helpers/test-page.js';

const skip = await browserSkipReason();
const opened = useTestPage({ name: 'pool', seed: 12, isolate: false }, skip);

test('EmbedderPool on a page that is not cross-origin isolated: 2 workers, the same vectors', { skip, timeout: 120_000 }, async () => {
  const r = await opened.page.evaluate(async () => {
    const url = new URL('/models/tiny/', location.href).href;
    const words = 'the harbour ferry leaves at seven and returns by nine across the quiet water of the bay'.split(' ');
    const texts = Array.from({ length: 24 }, (_, i) => Array.from({ length: 1 + ((i * 37) % 90) }, (_, j) => words[(i + j) % words.length]).join(' '));
    const pool = await window.EmbedderPool.load(url, { workers: 2 });
    const local = await window.Embedder.load(url);
    const progress = [];
    const batched = await pool.embedFlat(texts, { onProgress: (p) => progress.push(p.done) });
    const want = await local.embedFlat(texts);
    let maxDiff = 0;
    batched.data.forEach((x, i) => { maxDiff = Math.max(maxDiff, Math.abs(x - want.data[i])); });
    const one = await pool.embed(texts, { batchSize: 1 });
    const oneWant = await local.embed(texts, { batchSize: 1 });
    const exact = one.every((v, i) => v instanceof Float32Array && v.length === oneWant[i].length && v.every((x, j) => Object.is(x, oneWant[i][j])));
    let errorName = null;
    try {
      await pool.embed(['a', 7]);
    } catch (e) {
      errorName = `${e.name}:${e.message}`;
    }
    const info = pool.info;
    await pool.dispose();
    await local.dispose();
    return {
      isolated: self.crossOriginIsolated,
      info,
      localThreads: local.info.threads,
      maxDiff, exact, count: batched.count, progress, errorName,
    };
  });
  assert.equal(r.isolated, false, 'the page is not cross-origin isolated');
  assert.equal(r.info.workers, 2);
  assert.equal(r.info.threads, 1);
  assert.equal(r.localThreads, 1, 'a session on the page itself gets one thread here');
  assert.equal(r.count, 24);
  assert.equal(r.exact, true, 'one text per run: the same bits as the page\'s own Embedder');
  assert.ok(r.maxDiff < 1e-5, `batched: max difference ${r.maxDiff}`);
  assert.equal(r.progress.at(-1), 24);
  assert.ok(r.progress.every((d, i) => i === 0 || d > r.progress[i - 1]), `progress monotonic: ${r.progress}`);
  assert.match(r.errorName, /^InvalidArgumentError:.*texts\[1\]/);
});
