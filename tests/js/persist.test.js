// saveIndex / loadIndex to files in Node: atomic replace, kind detection, corruption, deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  VectorIndex, LexicalIndex, saveIndex, loadIndex, deleteIndex, CorruptDataError,
} from '../../js/index.js';

test('vector and lexical indexes persist to files atomically', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'docs.wbix');
  const index = await VectorIndex.create({ dims: 3, storage: 'int8' });
  index.add(7, [1, 2, 3], { tags: ['t'] });
  assert.equal(await loadIndex(file), null);
  const written = await saveIndex(index, file);
  assert.equal(written, readFileSync(file).length);
  index.add(8, [3, 2, 1]);
  await saveIndex(index, file);  // replaces the previous file
  assert.deepEqual(readdirSync(dir), ['docs.wbix'], 'no temporary files left behind');
  const back = await loadIndex(file);
  assert.ok(back instanceof VectorIndex);
  assert.equal(back.size, 2);
  assert.deepEqual(back.tags(7), ['t']);
  assert.deepEqual(back.search([1, 2, 3], { k: 1 })[0].id, 7);

  const lex = await LexicalIndex.create();
  lex.add(1, [5, 6]);
  const lexFile = path.join(dir, 'lex.wbix');
  await saveIndex(lex, lexFile);
  const lexBack = await loadIndex(lexFile);
  assert.ok(lexBack instanceof LexicalIndex);
  assert.equal(lexBack.search([6])[0].id, 1);
  assert.ok((await loadIndex(lexFile, { raw: true })) instanceof Uint8Array);

  const bytes = readFileSync(file);
  bytes[bytes.length - 10] ^= 0xff;
  writeFileSync(file, bytes);
  await assert.rejects(loadIndex(file), CorruptDataError);
  writeFileSync(file, bytes.subarray(0, 30));
  await assert.rejects(loadIndex(file), /truncated/);
  assert.equal(await deleteIndex(file), true);
  assert.equal(await deleteIndex(file), false);
  for (const x of [index, back, lex, lexBack]) x.dispose();
});

test('file errors are StorageErrors naming the target; a browser backend in Node is UnsupportedError; stale temporaries are cleaned', async (t) => {
  const { StorageError, UnsupportedError } = await import('../../js/index.js');
  const { utimesSync } = await import('node:fs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const index = await VectorIndex.create({ dims: 2 });
  index.add(1, [1, 0]);

  const missingDir = path.join(dir, 'no', 'such', 'folder', 'x.wbix');
  await assert.rejects(saveIndex(index, missingDir), (err) => err instanceof StorageError && err.path === missingDir && err.code === 'ENOENT' && err.message.includes(missingDir) && !/\.tmp/.test(err.message));
  const aFolder = path.join(dir, 'folder');
  (await import('node:fs')).mkdirSync(aFolder);
  await assert.rejects(loadIndex(aFolder), (err) => err instanceof StorageError && err.code === 'EISDIR' && err.path === aFolder);
  await assert.rejects(saveIndex(index, 'x', { backend: 'opfs' }), UnsupportedError);
  await assert.rejects(loadIndex('x', { backend: 'indexeddb' }), UnsupportedError);

  // What kill -9 between write and rename leaves: an orphan temporary. The next save removes it
  // once it is old enough to belong to no live writer; a young one (a concurrent save) stays.
  const file = path.join(dir, 'docs.wbix');
  const old = `${file}.0123456789ab.tmp`, young = `${file}.ba9876543210.tmp`, other = path.join(dir, 'other.wbix.0123456789ab.tmp');
  for (const f of [old, young, other]) writeFileSync(f, 'partial');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(old, hourAgo, hourAgo);
  utimesSync(other, hourAgo, hourAgo);
  await saveIndex(index, file);
  assert.deepEqual(readdirSync(dir).sort(), ['docs.wbix', 'docs.wbix.ba9876543210.tmp', 'folder', 'other.wbix.0123456789ab.tmp']);
});
