// Embedder.load over real HTTP (tests/helpers/hub-server.js on 127.0.0.1): the loader options it
// passes through (accessToken, headers, retries, stallTimeoutMs), one read of the .onnx on the
// onnxruntime-web path, a cached .onnx that ONNX Runtime cannot parse being evicted and downloaded
// again once (while other ORT errors are not retried), and the thread count in info.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embedder, ModelLoadError } from '../../js/index.js';
import { readFieldHead } from '../../js/onnx/index.js';
import { startHubServer } from '../helpers/hub-server.js';
import { hubLayout, listTree } from '../helpers/model-fixture.js';
import { makeTinyModels, maxAbsDiff, tempDir } from '../helpers/embedder-models.js';

const REPO = 'test-org/tiny-bert';
const MODEL = 'onnx/model.onnx';
const P = (name) => `/${REPO}/resolve/main/${name}`;
const TEXTS = ['안녕하세요, 세계.', 'a somewhat longer English sentence to embed'];
const dir = tempDir('wasmbed-emb-load-');
let server, files, want;
let n = 0;

before(async () => {
  const { bert } = await makeTinyModels(dir, ['bert'], { config: { num_hidden_layers: 1 } });
  files = {};
  for (const f of await listTree(bert)) files[f] = readFileSync(path.join(bert, f));
  server = await startHubServer(hubLayout(REPO, files));
  const local = await Embedder.load(bert, { device: 'cpu' });
  want = await local.embed(TEXTS);
  await local.dispose();
});
after(async () => { await server?.close(); });

const cacheDir = () => path.join(dir, `cache-${n++}`);
const load = (options) => Embedder.load(REPO, { hubHost: server.url, retryDelayMs: 10, ...options });

async function embedOnce(options) {
  const model = await load(options);
  try {
    const got = await model.embed(TEXTS);
    got.forEach((v, i) => assert.ok(maxAbsDiff(v, want[i]) < 1e-4, `text ${i}`));
    return model.info;
  } finally {
    await model.dispose();
  }
}

/** The cached copy of `name` under a cache folder. */
async function cachedPath(cache, name) {
  const f = (await listTree(cache)).find((x) => x.endsWith(`/${name}`) && !x.endsWith('%23missing'));
  assert.ok(f, `${name} is cached`);
  return path.join(cache, f);
}

// Top-level ModelProto fields of an ONNX file, by the codec's reader: [{ field, start, end }]
// where [start, end) holds the value (a varint, or a length-delimited payload).
function topFields(bytes) {
  const out = [];
  for (let pos = 0; pos < bytes.length;) {
    const h = readFieldHead(bytes, pos);
    out.push({ field: h.field, start: h.valueOffset, end: h.next });
    pos = h.next;
  }
  return out;
}

describe('cached .onnx that does not parse', () => {
  for (const device of ['cpu', 'wasm']) {
    test(`${device}: the graph walker rejects it -> evicted, downloaded again once`, async () => {
      const cache = cacheDir();
      await embedOnce({ device, cacheDir: cache });
      const file = await cachedPath(cache, MODEL);
      const bytes = await fsp.readFile(file);
      // Scramble everything after the head: the file still starts like ONNX.
      for (let i = 64; i < bytes.length; i += 5) bytes[i] ^= 0x5a;
      await fsp.writeFile(file, bytes);
      const before = server.hits(P(MODEL), 'GET');
      const info = await embedOnce({ device, cacheDir: cache });
      assert.equal(server.hits(P(MODEL), 'GET') - before, 1, 'downloaded again, once');
      assert.equal(info.device, device);
      assert.deepEqual(new Uint8Array(await fsp.readFile(await cachedPath(cache, MODEL))), new Uint8Array(files[MODEL]), 'the cache holds the good file again');
    });

    test(`${device}: ONNX Runtime reports "protobuf parsing failed" -> evicted, downloaded again once`, async () => {
      const cache = cacheDir();
      await embedOnce({ device, cacheDir: cache });
      const file = await cachedPath(cache, MODEL);
      const bytes = await fsp.readFile(file);
      // Garbage inside opset_import (field 8), which wasmbed's walker skips but ORT parses: an
      // unterminated varint. Sizes are unchanged, so only ONNX Runtime can notice.
      const opset = topFields(bytes).find((f) => f.field === 8);
      bytes.fill(0xff, opset.start, opset.end);
      await fsp.writeFile(file, bytes);
      const before = server.hits(P(MODEL), 'GET');
      await embedOnce({ device, cacheDir: cache });
      assert.equal(server.hits(P(MODEL), 'GET') - before, 1, 'downloaded again, once');
    });
  }

  test('a parsable model ONNX Runtime refuses for another reason is not downloaded again', async () => {
    const cache = cacheDir();
    await embedOnce({ device: 'wasm', cacheDir: cache });
    const file = await cachedPath(cache, MODEL);
    const bytes = await fsp.readFile(file);
    const ir = topFields(bytes).find((f) => f.field === 1);
    assert.equal(ir.end - ir.start, 1);
    bytes[ir.start] = 50; // ir_version 50: "Unsupported model IR version"
    await fsp.writeFile(file, bytes);
    const before = server.hits(P(MODEL), 'GET');
    await assert.rejects(load({ device: 'wasm', cacheDir: cache }), (err) => err instanceof ModelLoadError && /IR version/i.test(err.message) && err.file === MODEL);
    assert.equal(server.hits(P(MODEL), 'GET'), before, 'no new download');
  });

  test('with localFilesOnly the corrupt copy is still removed, and the error says so', async () => {
    const cache = cacheDir();
    await embedOnce({ device: 'wasm', cacheDir: cache });
    const file = await cachedPath(cache, MODEL);
    const bytes = await fsp.readFile(file);
    for (let i = 64; i < bytes.length; i += 5) bytes[i] ^= 0x5a;
    await fsp.writeFile(file, bytes);
    await assert.rejects(load({ device: 'wasm', cacheDir: cache, localFilesOnly: true }),
      (err) => err instanceof ModelLoadError && /cached copy was corrupt and was removed/.test(err.message) && /localFilesOnly/.test(err.message));
    assert.ok(!(await listTree(cache)).some((f) => f.endsWith(`/${MODEL}`)), 'evicted');
  });
});

test('wasm without a cache: the .onnx is requested once (not once to list external data and again for ORT)', async () => {
  const before = server.hits(P(MODEL), 'GET');
  await embedOnce({ device: 'wasm', cache: false });
  assert.equal(server.hits(P(MODEL), 'GET') - before, 1);
});

describe('loader options pass through Embedder.load', () => {
  test('accessToken and headers reach every request', async () => {
    const seen = [];
    const fetch = (url, init) => {
      seen.push({ url: String(url), headers: new Headers(init?.headers) });
      return globalThis.fetch(url, init);
    };
    await embedOnce({ device: 'wasm', cache: false, fetch, accessToken: 'hf_test', headers: { 'X-Test': 'yes' } });
    assert.ok(seen.length >= 3);
    for (const r of seen) {
      assert.equal(r.headers.get('authorization'), 'Bearer hf_test', r.url);
      assert.equal(r.headers.get('x-test'), 'yes', r.url);
    }
  });

  test('retries: 0 fails on the first 503; retries: 1 recovers', async () => {
    // failTimes counts every GET of the path since the server started.
    const failNext = () => server.rule(P('config.json'), { failTimes: server.hits(P('config.json'), 'GET') + 1, status: 503 });
    failNext();
    try {
      await assert.rejects(load({ device: 'wasm', cache: false, retries: 0 }), (err) => err instanceof ModelLoadError && err.status === 503 && err.file === 'config.json');
    } finally {
      server.rule(P('config.json'), null);
    }
    failNext();
    try {
      const before = server.hits(P('config.json'), 'GET');
      await embedOnce({ device: 'wasm', cache: false, retries: 1 });
      assert.equal(server.hits(P('config.json'), 'GET') - before, 2, 'one failed request, one retry; none after');
    } finally {
      server.rule(P('config.json'), null);
    }
  });

  test('stallTimeoutMs ends a stalled model download', async () => {
    server.rule(P(MODEL), { stallAfter: 1000 });
    try {
      const t0 = Date.now();
      // 1.5 s: long enough that small files on a busy machine do not count as stalled.
      await assert.rejects(load({ device: 'wasm', cache: false, retries: 0, stallTimeoutMs: 1500 }), (err) => err instanceof ModelLoadError && err.file === MODEL && /stalled/.test(err.message));
      assert.ok(Date.now() - t0 < 10000, `took ${Date.now() - t0} ms`);
    } finally {
      server.rule(P(MODEL), null);
    }
  });
});

test('info.threads: the intra-op thread count, every core by default in Node (WASM and onnxruntime-node)', async () => {
  const info = await embedOnce({ device: 'wasm', cache: false });
  assert.equal(info.threads, os.availableParallelism());
  assert.equal(info.ortBuild, 'default');
  assert.equal((await embedOnce({ device: 'cpu', cache: false })).threads, os.availableParallelism());
  assert.equal((await embedOnce({ device: 'cpu', cache: false, threads: 1 })).threads, 1);
  await assert.rejects(load({ device: 'wasm', cache: false, threads: 0 }), /threads must be a positive integer/);
});

test('runtimeTimeoutMs must be a positive number (the bound itself is tested in tests/browser/runtime-timeout.test.js)', async () => {
  for (const bad of [0, -1, '30s', Number.NaN]) {
    await assert.rejects(load({ device: 'wasm', cache: false, runtimeTimeoutMs: bad }), (err) => err.name === 'InvalidArgumentError' && /runtimeTimeoutMs must be a positive number/.test(err.message));
  }
});

describe('a missing file says who decided; a failed load stops its other downloads', () => {
  test('localFilesOnly on a model that was never loaded: "not in the cache", not "the model has no ..."', async () => {
    await assert.rejects(load({ device: 'cpu', cacheDir: cacheDir(), localFilesOnly: true }),
      (err) => err instanceof ModelLoadError && /not in the cache and localFilesOnly is set/.test(err.message) && !/^the model has no/.test(err.message));
  });

  test('a not-found answer remembered in the cache is named as such', async () => {
    const cache = cacheDir();
    await embedOnce({ device: 'cpu', cacheDir: cache }); // caches the model and the 404s of optional files
    // q8 was looked for and not found: the second load answers from the cache and says so.
    await assert.rejects(load({ device: 'cpu', cacheDir: cache, dtype: 'q8' }), (err) => err instanceof ModelLoadError && /no q8 ONNX file/.test(err.message));
    await assert.rejects(load({ device: 'cpu', cacheDir: cache, dtype: 'q8' }),
      (err) => err instanceof ModelLoadError && /remembered in the cache from an earlier load/.test(err.message) && /clearCache/.test(err.message));
  });

  test('when one file fails, the downloads still running for the others are cancelled and nothing of them is cached', async () => {
    const cache = cacheDir();
    server.rule(P('tokenizer.json'), { status: 404 }); // fails at once...
    server.rule(P('config.json'), { dripEveryMs: 5 }); // ...while this one is still arriving
    try {
      await assert.rejects(load({ device: 'cpu', cacheDir: cache, stallTimeoutMs: 60_000 }), (err) => err instanceof ModelLoadError && /tokenizer\.json/.test(err.message));
      const size = files['config.json'].length;
      await new Promise((r) => setTimeout(r, size * 5 + 1500)); // past when the drip would have ended
      const left = (await listTree(cache)).filter((f) => /\/main\/config\.json$/.test(f));
      assert.deepEqual(left, [], 'the cancelled config.json download left nothing in the cache');
    } finally {
      server.rule(P('tokenizer.json'), null);
      server.rule(P('config.json'), null);
    }
  });
});
