// --shard i/N and `wasmbed index merge`: three shards built by three concurrent processes (what
// the README's fan-out recipe runs), merged, equal exactly what one unsharded run makes: same
// plan, checkpoint, segment and index files, so the same ids, vectors and texts. Merging refuses
// an incomplete set of shards, a shard twice, and shards of different builds.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { AbortError, InvalidArgumentError } from '../../js/index.js';
import { buildIndex, readBuild } from '../../js/indexer/index.js';
import { tempDir } from '../helpers/embedder-models.js';
import { buildFiles, makeE5LikeModel, runCli, writeCorpus } from '../helpers/indexer-corpus.js';

const dir = tempDir('wasmbed-ix-shards-');
let model;
let inputs;
const COMMON = ['--block-docs', '4', '--max-tokens', '32', '--text-field', 'title,text,body', '--tags-field', 'tags', '--workers', '1', '--quiet'];
const shardDir = (i) => path.join(dir, `shard-${i}`);

before(async () => {
  model = await makeE5LikeModel(path.join(dir, 'model'));
  inputs = writeCorpus(path.join(dir, 'corpus'));
  const runs = await Promise.all([
    runCli(['index', 'build', '--out', path.join(dir, 'single'), '--model', model, ...COMMON, ...inputs]),
    ...[0, 1, 2].map((i) => runCli(['index', 'build', '--out', shardDir(i), '--shard', `${i}/3`, '--model', model, ...COMMON, ...inputs])),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
});

test('each shard holds the blocks b with b mod 3 = i, whole documents each', async () => {
  const single = await readBuild(path.join(dir, 'single'));
  const docBlock = new Map();
  single.records.forEach((r) => docBlock.set(r.doc, Math.floor([...new Set(single.records.map((x) => x.doc))].indexOf(r.doc) / 4)));
  let total = 0;
  for (const i of [0, 1, 2]) {
    const s = await readBuild(shardDir(i));
    assert.deepEqual(s.plan.shard, { index: i, count: 3 });
    assert.ok(s.count > 0);
    for (const r of s.records) assert.equal(docBlock.get(r.doc) % 3, i, `${r.id} in shard ${i}`);
    total += s.count;
  }
  assert.equal(total, single.count);
});

test('merging 3 shard builds equals the single run, file for file', async () => {
  const out = path.join(dir, 'merged');
  // Shards given out of order: the merge orders blocks itself.
  const r = await runCli(['index', 'merge', out, shardDir(2), shardDir(0), shardDir(1), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const merged = await readBuild(out);
  const single = await readBuild(path.join(dir, 'single'));
  assert.deepEqual(merged.ids, single.ids);
  assert.deepEqual(merged.texts, single.texts);
  assert.ok(Buffer.from(merged.vectors.buffer).equals(Buffer.from(single.vectors.buffer)));
  assert.deepEqual(buildFiles(out), buildFiles(path.join(dir, 'single')));
});

test('merge refuses a missing shard, a shard twice and a shard of another build', async () => {
  const missing = await runCli(['index', 'merge', path.join(dir, 'm1'), shardDir(0), shardDir(2), '--quiet']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /InvalidArgumentError: shard 1\/3 missing/);
  const twice = await runCli(['index', 'merge', path.join(dir, 'm2'), shardDir(0), shardDir(1), shardDir(1), '--quiet']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /are both shard 1\/3/);
  const single = await runCli(['index', 'merge', path.join(dir, 'm3'), shardDir(0), path.join(dir, 'single'), '--quiet']);
  assert.equal(single.code, 2);
  assert.match(single.stderr, /is shard 0\/1, .* one of 3/);
});

test('a worker\'s error reaches the caller typed, and the pool shuts down', async () => {
  await assert.rejects(
    buildIndex({ out: path.join(dir, 'bad-prompt'), inputs: [inputs[1]], model, prompt: 'summary', workers: 1 }),
    (err) => err instanceof InvalidArgumentError && /prompt "summary" is not one of this model's prompts \(query, passage\)/.test(err.message),
  );
});

test('abort stops handing out blocks; the blocks in flight commit and a rerun resumes after them', async () => {
  const out = path.join(dir, 'aborted');
  const controller = new globalThis.AbortController();
  const options = { out, inputs, model, textField: 'title,text,body', maxTokens: 32, blockDocs: 2, workers: 1, writeIndex: false };
  await assert.rejects(
    buildIndex({ ...options, signal: controller.signal, onProgress: ({ done }) => { if (done > 0) controller.abort(); } }),
    (err) => err instanceof AbortError,
  );
  const again = await buildIndex(options);
  assert.ok(again.resumedBlocks > 0 && again.resumedBlocks < again.blocks, `${again.resumedBlocks} of ${again.blocks}`);
});
