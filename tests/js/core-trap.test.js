// A trap inside the wasm core (an out-of-bounds access, a stack overflow) must not poison the
// process: the trapped module is retired, objects made on it fail with a typed error saying so,
// and new objects get a fresh module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InternalError, Tokenizer, VectorIndex } from '../../js/index.js';
import { loadCore } from '../../js/diagnostics.js';
import { callCore } from '../../js/internal/call-core.js';

const WORDS = { version: '1.0', model: { type: 'WordLevel', vocab: { a: 0, b: 1, '[UNK]': 2 }, unk_token: '[UNK]' }, pre_tokenizer: { type: 'Whitespace' } };

test('after a trap the old objects throw InternalError and new ones work on a fresh core', async () => {
  const before = await loadCore();
  const tok = await Tokenizer.fromJSON(WORDS);
  const index = await VectorIndex.create({ dims: 2 });
  index.add(1, [1, 0]);
  // Normalizing rows far past the end of memory traps (memory access out of bounds).
  assert.throws(() => callCore(() => before.l2NormalizeRows(0xfffffff0, 1 << 20, 64)), (err) => err instanceof InternalError && /trap/.test(err.message));
  assert.throws(() => tok.encode('a b'), (err) => err instanceof InternalError && /trapped earlier/.test(err.message));
  assert.throws(() => index.search([1, 0]), (err) => err instanceof InternalError && /create a new VectorIndex/.test(err.message));
  const after = await loadCore();
  assert.notEqual(after, before, 'a fresh module');
  const tok2 = await Tokenizer.fromJSON(WORDS);
  assert.deepEqual(Array.from(tok2.encode('a b x').ids), [0, 1, 2]);
  const index2 = await VectorIndex.create({ dims: 2 });
  index2.add(1, [1, 0]);
  assert.equal(index2.search([1, 0], { k: 1 })[0].id, 1);
  tok.dispose(); // disposing objects of the retired core is harmless
  index.dispose();
  tok2.dispose();
  index2.dispose();
});
