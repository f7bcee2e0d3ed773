// The wasm heap grows to 4 GiB; addresses above 2 GiB are negative as int32. Every path between C++
// and JS must treat them as unsigned: fill the heap past 2 GiB, then allocate, copy in, read out,
// search, tokenize and pool with addresses up there (a regression test for "Start offset
// -2087665416 is outside the bounds of the buffer").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer, VectorIndex } from '../../js/index.js';
import { loadCore } from '../../js/diagnostics.js';
import { malloc, free } from '../../js/internal/heap.js';

test('past 2 GiB of wasm heap: index, tokenizer and heap helpers keep working', { timeout: 300_000 }, async () => {
  const core = await loadCore();
  const dims = 1024, batch = 8192;
  const index = await VectorIndex.create({ dims, metric: 'dot', storage: 'float32' });
  const rows = new Float32Array(batch * dims);
  for (let i = 0; i < rows.length; i++) rows[i] = Math.sin(i * 0.001);
  let n = 0;
  while (core.HEAPU8.length <= 2 ** 31 + 2 ** 28) {
    index.addBatch(Uint32Array.from({ length: batch }, (_, i) => n + i), rows);
    n += batch;
  }
  // A fresh allocation now lands above 2 GiB: the helper returns it unsigned.
  const high = malloc(core, 64 << 20, 'test');
  try {
    assert.ok(high > 2 ** 31, `allocation at ${high} is above 2 GiB`);
    core.HEAPU8.fill(7, high, high + 16);
    assert.equal(core.HEAPU8[high + 15], 7);
  } finally {
    free(core, high);
  }
  const hits = index.search(rows.subarray(dims, 2 * dims), { k: 3 });
  assert.equal(hits.length, 3);
  assert.deepEqual(index.get(n - 1), rows.subarray((batch - 1) * dims, batch * dims));
  assert.equal(index.ids().length, n);
  // A tokenizer input large enough to need a new scratch area (it goes above 2 GiB too).
  const tok = await Tokenizer.fromJSON({ version: '1.0', model: { type: 'WordLevel', vocab: { a: 0, '[UNK]': 1 }, unk_token: '[UNK]' }, pre_tokenizer: { type: 'Whitespace' } });
  const text = 'a b '.repeat(3 << 20);
  const enc = tok.encode(text);
  assert.equal(enc.ids.length, 6 << 20);
  assert.deepEqual(Array.from(tok.encode('a b').ids), [0, 1]);
  tok.dispose();
  index.dispose();
  const again = await VectorIndex.create({ dims: 4 });
  again.add(1, [1, 0, 0, 0]);
  assert.equal(again.search([1, 0, 0, 0], { k: 1 })[0].id, 1);
  again.dispose();
});
