// Model loading through a real HTTP server on 127.0.0.1 with the Hub layout: Hub ids, base URLs,
// local folders and file maps; progress; the Node cache (layout, offline reuse with the server
// stopped, localFilesOnly, eviction); ONNX external data found and loadable by ONNX Runtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openModelSource, clearCache, ModelLoadError, ParseError, InvalidArgumentError } from '../../js/index.js';
import { listExternalData } from '../../js/diagnostics.js';
import { startHubServer } from '../helpers/hub-server.js';
import { modelFiles, hubLayout, writeFiles, listTree, bytesOf, N } from '../helpers/model-fixture.js';
import { skipUnless } from '../helpers/skip.js';

const REPO = 'test-org/tiny-model';
const files = modelFiles();
let server;
let root;
const fresh = (name) => path.join(root, name);

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-loader-'));
  server = await startHubServer({ ...hubLayout(REPO, files), ...Object.fromEntries(Object.entries(files).map(([n, b]) => [`/static/tiny/${n}`, b])) });
});
after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

test('hub id: files, progress, cache layout, then the same load offline from cache', async () => {
  const cacheDir = fresh('hub-cache');
  const events = [];
  const src = await openModelSource(REPO, { hubHost: server.url, cacheDir, onProgress: (e) => events.push(e) });
  assert.deepEqual(await src.json('config.json'), JSON.parse(files['config.json']));
  assert.equal(await src.text('tokenizer.json'), files['tokenizer.json']);
  assert.equal(await src.exists('modules.json'), true); // JSON: one GET, cached, no HEAD
  assert.equal(server.hits(`/${REPO}/resolve/main/modules.json`, 'HEAD'), 0);
  assert.equal(await src.exists('onnx/model_fp16.onnx'), false); // big files: HEAD only
  assert.equal(server.hits(`/${REPO}/resolve/main/onnx/model_fp16.onnx`, 'HEAD'), 1);
  assert.equal(server.hits(`/${REPO}/resolve/main/onnx/model_fp16.onnx`), 0);
  assert.equal(await src.exists('2_Normalize/config.json'), false); // optional file, 404 upstream
  const onnx = await src.bytes('onnx/model.onnx');
  assert.deepEqual(onnx, files['onnx/model.onnx']);
  const data = await src.bytes('onnx/model.onnx_data');
  assert.equal(data.byteLength, N * 4);
  assert.deepEqual(data, files['onnx/model.onnx_data']);

  const dataEvents = events.filter((e) => e.file === 'onnx/model.onnx_data');
  assert.ok(dataEvents.length >= 2, 'start and end progress events');
  assert.deepEqual(dataEvents.at(-1), { file: 'onnx/model.onnx_data', loaded: N * 4, total: N * 4, done: true });
  for (let i = 1; i < dataEvents.length; i++) assert.ok(dataEvents[i].loaded >= dataEvents[i - 1].loaded);
  assert.ok(dataEvents.slice(0, -1).every((e) => !e.done && e.total === N * 4));

  const host = `127.0.0.1%3A${server.port}`;
  const tree = await listTree(cacheDir);
  assert.ok(tree.includes(`hub/${host}/test-org/tiny-model/main/onnx/model.onnx`), tree.join('\n'));
  assert.ok(tree.includes(`hub/${host}/test-org/tiny-model/main/2_Normalize/config.json%23missing`), 'the 404 is remembered');
  assert.ok(!tree.some((f) => /\.tmp$/.test(f)), 'no temp files left');
  const info = src.describe();
  assert.equal(info.kind, 'hub');
  assert.equal(info.revision, 'main');
  assert.equal(info.cacheDir, cacheDir);
  assert.equal(info.files['onnx/model.onnx'].from, 'network');

  // Offline: a server that refuses every request, and a fetch that records any attempt.
  let fetched = 0;
  const offlineFetch = async (...a) => {
    fetched++;
    return fetch(...a);
  };
  const stopped = await startHubServer({});
  await stopped.close();
  for (const localFilesOnly of [false, true]) {
    const again = await openModelSource(REPO, { hubHost: server.url, cacheDir, localFilesOnly, fetch: offlineFetch });
    assert.deepEqual(await again.bytes('onnx/model.onnx'), files['onnx/model.onnx']);
    assert.deepEqual(await again.json('config.json'), JSON.parse(files['config.json']));
    assert.equal(await again.exists('modules.json'), true);
    assert.equal(await again.exists('2_Normalize/config.json'), false);
    assert.equal(again.describe().files['onnx/model.onnx'].from, 'cache');
  }
  assert.equal(fetched, 0, 'cache hits never touch the network');

  const offline = await openModelSource(REPO, { hubHost: stopped.url, cacheDir, localFilesOnly: true, fetch: offlineFetch });
  await assert.rejects(offline.bytes('config.json'), (err) => err instanceof ModelLoadError && /not in the cache and localFilesOnly/.test(err.message) && err.file === 'config.json');
  assert.equal(await offline.exists('onnx/model_fp16.onnx'), false);
  assert.equal(fetched, 0, 'localFilesOnly never touches the network');
});

test('cache hit with the server really stopped', async () => {
  const cacheDir = fresh('stop-cache');
  const own = await startHubServer(hubLayout(REPO, files));
  const first = await openModelSource(REPO, { hubHost: own.url, cacheDir });
  for (const f of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) await first.bytes(f);
  assert.equal(await first.exists('sentence_bert_config.json'), false);
  await own.close();
  const events = [];
  const second = await openModelSource(REPO, { hubHost: own.url, cacheDir, retries: 0, onProgress: (e) => events.push(e) });
  assert.deepEqual(await second.bytes('onnx/model.onnx'), files['onnx/model.onnx']);
  assert.equal(await second.exists('sentence_bert_config.json'), false);
  assert.deepEqual(events.at(-1), { file: 'onnx/model.onnx', loaded: files['onnx/model.onnx'].length, total: files['onnx/model.onnx'].length, done: true, cached: true });
  // Something never fetched fails with a network error that names the file.
  await assert.rejects(second.bytes('onnx/model_inline.onnx'), (err) => err instanceof ModelLoadError && err.file === 'onnx/model_inline.onnx' && /network error/.test(err.message));
});

test('base URL source, cached under url/<host>/<path>', async () => {
  const cacheDir = fresh('url-cache');
  const src = await openModelSource(`${server.url}/static/tiny`, { cacheDir });
  assert.equal(src.url('onnx/model.onnx'), `${server.url}/static/tiny/onnx/model.onnx`);
  assert.deepEqual(await src.json('tokenizer_config.json'), { model_max_length: 128 });
  assert.deepEqual(await src.bytes('onnx/model_inline.onnx'), files['onnx/model_inline.onnx']);
  assert.equal(src.describe().kind, 'url');
  const tree = await listTree(cacheDir);
  assert.deepEqual(tree, [`url/127.0.0.1%3A${server.port}/static/tiny/onnx/model_inline.onnx`, `url/127.0.0.1%3A${server.port}/static/tiny/tokenizer_config.json`]);
});

test('localPath: streamed to the cache folder; ONNX Runtime loads the model and its external data from there', async (t) => {
  const cacheDir = fresh('path-cache');
  const src = await openModelSource(REPO, { hubHost: server.url, cacheDir });
  const ext = await src.externalDataFiles('onnx/model.onnx');
  assert.deepEqual(ext, [{ location: 'model.onnx_data', file: 'onnx/model.onnx_data' }]);
  const modelPath = await src.localPath('onnx/model.onnx');
  for (const e of ext) await src.localPath(e.file);
  assert.ok(modelPath.startsWith(cacheDir));
  assert.deepEqual(new Uint8Array(await fsp.readFile(modelPath)), files['onnx/model.onnx']);
  assert.equal(server.hits(`/${REPO}/resolve/main/onnx/model.onnx`) >= 1, true);

  const ort = (await import('onnxruntime-node').catch(() => null))?.default;
  const skip = skipUnless(ort, 'onnxruntime-node is not installed');
  if (skip) { t.skip(skip); return; }
  const session = await ort.InferenceSession.create(modelPath);
  const x = new Float32Array(N).fill(1);
  const { Y } = await session.run({ X: new ort.Tensor('float32', x, [N]) });
  assert.equal(Y.data[0], 1);
  assert.equal(Y.data[100], 1 + (100 % 97) / 8);
  await session.release?.();
});

test('concurrent requests for one file share one download', async () => {
  const cacheDir = fresh('dedupe-cache');
  const p = `/${REPO}/resolve/main/onnx/model_inline.onnx`;
  const before = server.hits(p);
  const src = await openModelSource(REPO, { hubHost: server.url, cacheDir });
  const got = await Promise.all([src.bytes('onnx/model_inline.onnx'), src.bytes('onnx/model_inline.onnx'), src.bytes('onnx/model_inline.onnx')]);
  assert.equal(server.hits(p) - before, 1);
  for (const g of got) assert.deepEqual(g, files['onnx/model_inline.onnx']);
});

test('cache: false keeps nothing on disk and localPath is null', async () => {
  const cacheDir = fresh('nocache');
  const src = await openModelSource(REPO, { hubHost: server.url, cacheDir, cache: false });
  assert.deepEqual(await src.bytes('onnx/model_inline.onnx'), files['onnx/model_inline.onnx']);
  assert.equal(await src.localPath('onnx/model_inline.onnx'), null);
  assert.deepEqual(await listTree(cacheDir), []);
  assert.equal(src.describe().cache, 'none');
});

test('evict, per-model clearCache and global clearCache remove cache entries', async () => {
  const cacheDir = fresh('evict-cache');
  const src = await openModelSource(REPO, { hubHost: server.url, cacheDir });
  await src.bytes('config.json');
  await src.bytes('onnx/model_inline.onnx');
  await src.evict('onnx/model_inline.onnx');
  let tree = await listTree(cacheDir);
  assert.equal(tree.length, 1);
  assert.ok(tree[0].endsWith('/main/config.json'));
  const other = await openModelSource(`${server.url}/static/tiny`, { cacheDir });
  await other.bytes('config.json');
  await clearCache({ cacheDir, source: REPO, hubHost: server.url });
  tree = await listTree(cacheDir);
  assert.deepEqual(tree, [`url/127.0.0.1%3A${server.port}/static/tiny/config.json`]);
  await clearCache({ cacheDir });
  assert.deepEqual(await listTree(cacheDir), []);
});

test('default cache folder honours WASMBED_CACHE_DIR', async () => {
  const dir = fresh('env-cache');
  const saved = process.env.WASMBED_CACHE_DIR;
  process.env.WASMBED_CACHE_DIR = dir;
  try {
    const src = await openModelSource(REPO, { hubHost: server.url });
    assert.equal(src.describe().cacheDir, dir);
    await src.bytes('config.json');
    assert.equal((await listTree(dir)).length, 1);
  } finally {
    if (saved === undefined) delete process.env.WASMBED_CACHE_DIR;
    else process.env.WASMBED_CACHE_DIR = saved;
  }
});

test('local folder source: bytes, localPath, exists, missing files', async () => {
  const dir = fresh('local-model');
  await writeFiles(dir, files);
  for (const source of [dir, `file://${dir}`]) {
    const src = await openModelSource(source);
    assert.equal(await src.localPath('onnx/model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
    assert.deepEqual(await src.bytes('onnx/model.onnx'), files['onnx/model.onnx']);
    assert.deepEqual(await src.json('modules.json'), JSON.parse(files['modules.json']));
    assert.equal(await src.exists('tokenizer.json'), true);
    assert.equal(await src.exists('2_Normalize/config.json'), false);
    assert.deepEqual(await src.externalDataFiles('onnx/model.onnx'), [{ location: 'model.onnx_data', file: 'onnx/model.onnx_data' }]);
    await assert.rejects(src.bytes('vocab.txt'), (err) => err instanceof ModelLoadError && err.file === 'vocab.txt' && /not found in the model folder/.test(err.message));
    assert.equal(src.describe().kind, 'local');
  }
  await assert.rejects(openModelSource(path.join(dir, 'nope')), InvalidArgumentError);
});

test('file map source: bytes are the caller\'s, JSON errors name the file', async () => {
  const map = new Map(Object.entries({ ...files, 'broken.json': '{"a": ' }));
  const src = await openModelSource(map);
  const given = map.get('onnx/model.onnx');
  const got = await src.bytes('onnx/model.onnx');
  assert.equal(got.buffer, given.buffer, 'no copy');
  assert.equal(await src.text('config.json'), files['config.json']);
  assert.equal(await src.exists('onnx/model.onnx_data'), true);
  assert.equal(await src.exists('nope.json'), false);
  assert.equal(await src.localPath('config.json'), null);
  await assert.rejects(src.json('broken.json'), (err) => err instanceof ParseError && err.file === 'broken.json' && /broken\.json is not valid JSON/.test(err.message));
  await assert.rejects(src.bytes('tokenizer.model'), (err) => err instanceof ModelLoadError && err.file === 'tokenizer.model');
  const obj = await openModelSource({ 'config.json': bytesOf(files['config.json']).buffer });
  assert.deepEqual(await obj.json('config.json'), JSON.parse(files['config.json']));
  await assert.rejects(openModelSource({ 'config.json': 42 }), InvalidArgumentError);
});

test('external data discovery walks initializers and Constant-node tensors, refusing unsafe paths', async () => {
  const { makeAddModel } = await import('../helpers/onnx-proto.js');
  const bytes = makeAddModel({ external: { location: 'weights.bin' }, extraExternal: ['sub/c.bin', './weights.bin'] });
  assert.deepEqual(listExternalData(bytes).sort(), ['sub/c.bin', 'weights.bin']);
  assert.deepEqual(listExternalData(makeAddModel()), []);
  assert.throws(() => listExternalData(makeAddModel({ external: { location: '../../etc/passwd' } })), ParseError);
  assert.throws(() => listExternalData(makeAddModel({ external: { location: '/etc/passwd' } })), ParseError);
  for (const bad of ['abc', null, 42, [1, 2]]) assert.throws(() => listExternalData(bad), InvalidArgumentError);
});

test('bad sources and file names are refused', async () => {
  await assert.rejects(openModelSource(''), InvalidArgumentError);
  await assert.rejects(openModelSource(42), InvalidArgumentError);
  await assert.rejects(openModelSource('not a model id!'), InvalidArgumentError);
  await assert.rejects(openModelSource(REPO, { cache: 'floppy' }), InvalidArgumentError);
  const src = await openModelSource(REPO, { hubHost: server.url, cache: false });
  await assert.rejects(src.bytes('../secret.json'), InvalidArgumentError);
  await assert.rejects(src.bytes('/etc/passwd'), InvalidArgumentError);
});

test('a custom CacheStore is used; a failing put (quota) only warns and the load succeeds', async (t) => {
  const map = new Map();
  const store = {
    get: async (k) => map.get(k) ?? null,
    put: async (k, b) => void map.set(k, b.slice()),
    delete: async (k) => void map.delete(k),
    clear: async (prefix) => {
      for (const k of [...map.keys()]) if (!prefix || k.startsWith(prefix + '/')) map.delete(k);
    },
  };
  const src = await openModelSource(REPO, { hubHost: server.url, cache: store });
  await src.bytes('onnx/model_inline.onnx');
  assert.deepEqual([...map.keys()], [`hub/127.0.0.1%3A${server.port}/test-org/tiny-model/main/onnx/model_inline.onnx`]);
  assert.equal(src.describe().cache, 'custom');
  assert.equal(await src.localPath('onnx/model_inline.onnx'), null, 'no disk copy without locate()');
  const offline = await openModelSource(REPO, { hubHost: server.url, cache: store, localFilesOnly: true });
  assert.deepEqual(await offline.bytes('onnx/model_inline.onnx'), files['onnx/model_inline.onnx']);

  const warn = t.mock.method(console, 'warn', () => {});
  const full = { ...store, put: async () => { throw new DOMException('quota exceeded', 'QuotaExceededError'); } };
  const src2 = await openModelSource(REPO, { hubHost: server.url, cache: full });
  assert.deepEqual(await src2.json('config.json'), JSON.parse(files['config.json']));
  assert.equal(warn.mock.callCount(), 1);
  assert.match(src2.describe().cacheWarnings[0], /could not cache config\.json \(QuotaExceededError: quota exceeded\); continuing without cache/);
});
