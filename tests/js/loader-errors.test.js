// Loader failures over real HTTP on 127.0.0.1: 404, 401, 500 with retries, truncated bodies,
// stalled connections (aborted by the caller's signal or by stallTimeoutMs), corrupt ONNX and
// JSON, a missing tokenizer. Each must be a typed error naming the file and the cause, and the
// cache folder must afterwards hold nothing but complete, valid files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openModelSource, ModelLoadError, ParseError, AbortError } from '../../js/index.js';
import { startHubServer } from '../helpers/hub-server.js';
import { modelFiles, hubLayout, listTree } from '../helpers/model-fixture.js';

const REPO = 'test-org/tiny-model';
const files = modelFiles();
const P = (name) => `/${REPO}/resolve/main/${name}`;
let server;
let root;
let n = 0;

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-loader-err-'));
  server = await startHubServer(hubLayout(REPO, files));
});
after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

// A source with its own empty cache folder and fast retries.
async function open(extra = {}) {
  const cacheDir = path.join(root, `c${n++}`);
  const src = await openModelSource(REPO, { hubHost: server.url, cacheDir, retryDelayMs: 10, ...extra });
  return { src, cacheDir };
}

// The cache may hold only complete files equal to what the server has (or 404 markers).
async function assertCacheClean(cacheDir) {
  const base = `hub/127.0.0.1%3A${server.port}/${REPO}/main/`;
  for (const f of await listTree(cacheDir)) {
    assert.ok(!/\.tmp$/.test(f), `leftover temp file ${f}`);
    assert.ok(f.startsWith(base), f);
    const name = f.slice(base.length);
    if (name.endsWith('%23missing')) continue;
    assert.deepEqual(new Uint8Array(await fsp.readFile(path.join(cacheDir, f))), typeof files[name] === 'string' ? new TextEncoder().encode(files[name]) : files[name], `cached ${name} is complete`);
  }
}

const is = (Cls, file, re, extra = () => true) => (err) => {
  assert.ok(err instanceof Cls, `${err?.name}: ${err?.message}`);
  assert.equal(err.file, file);
  assert.match(err.message, re);
  assert.ok(err.message.includes(file), `message names ${file}: ${err.message}`);
  return extra(err);
};

test('404: ModelLoadError with status, naming file, model and revision; optional files are just absent', async () => {
  const { src, cacheDir } = await open();
  await assert.rejects(src.bytes('onnx/model_q4.onnx'), is(ModelLoadError, 'onnx/model_q4.onnx', /not found \(HTTP 404\).*test-org\/tiny-model.*revision "main"/, (e) => e.status === 404 && e.url === server.url + P('onnx/model_q4.onnx')));
  assert.equal(await src.exists('onnx/model_q4.onnx'), false);
  const wrongRev = await openModelSource(REPO, { hubHost: server.url, cacheDir, revision: 'v9' });
  await assert.rejects(wrongRev.json('config.json'), is(ModelLoadError, 'config.json', /revision "v9"/, (e) => e.status === 404));
  await assertCacheClean(cacheDir);
});

test('missing tokenizer: the error names tokenizer.json', async () => {
  server.rule(P('tokenizer.json'), { status: 404 });
  try {
    const { src, cacheDir } = await open();
    assert.deepEqual(await src.json('config.json'), JSON.parse(files['config.json']));
    await assert.rejects(src.json('tokenizer.json'), is(ModelLoadError, 'tokenizer.json', /tokenizer\.json not found/));
    await assertCacheClean(cacheDir);
  } finally {
    server.rule(P('tokenizer.json'), null);
  }
});

test('401 (private, gated or unknown repo) says access denied and is not retried', async () => {
  server.rule(P('config.json'), { status: 401 });
  try {
    const { src } = await open();
    const before = server.hits(P('config.json'));
    await assert.rejects(src.json('config.json'), is(ModelLoadError, 'config.json', /access denied \(HTTP 401\)/, (e) => e.status === 401));
    assert.equal(server.hits(P('config.json')) - before, 1);
    await assert.rejects(src.exists('config.json'), (e) => e instanceof ModelLoadError && e.status === 401);
  } finally {
    server.rule(P('config.json'), null);
  }
});

test('500: retried (2 retries = 3 requests), then ModelLoadError with the status; a flaky 503 recovers', async () => {
  const name = 'onnx/model_inline.onnx';
  server.rule(P(name), { status: 500 });
  try {
    const { src, cacheDir } = await open();
    const retries = [];
    const before = server.hits(P(name));
    await assert.rejects(src.bytes(name), is(ModelLoadError, name, /HTTP 500.*after 3 attempts/, (e) => e.status === 500));
    assert.equal(server.hits(P(name)) - before, 3);
    await assertCacheClean(cacheDir);
    const { src: src2 } = await open({ retries: 0, onRetry: (e) => retries.push(e) });
    const b2 = server.hits(P(name));
    await assert.rejects(src2.bytes(name), (e) => e.status === 500);
    assert.equal(server.hits(P(name)) - b2, 1, 'retries: 0 means one request');
    assert.equal(retries.length, 0);
  } finally {
    server.rule(P(name), null);
  }
  const flaky = 'tokenizer_config.json';
  server.rule(P(flaky), { status: 503, failTimes: server.hits(P(flaky)) + 1 });
  try {
    const seen = [];
    const { src, cacheDir } = await open({ onRetry: (e) => seen.push(e.error.status) });
    assert.deepEqual(await src.json(flaky), JSON.parse(files[flaky]));
    assert.deepEqual(seen, [503]);
    await assertCacheClean(cacheDir);
    assert.equal((await listTree(cacheDir)).length, 1);
  } finally {
    server.rule(P(flaky), null);
  }
});

test('truncated body (Content-Length larger than what arrives): ModelLoadError, nothing cached', async () => {
  for (const name of ['onnx/model.onnx_data', 'onnx/model.onnx', 'tokenizer.json']) {
    const size = typeof files[name] === 'string' ? files[name].length : files[name].byteLength;
    server.rule(P(name), { truncateAt: size >> 1 });
    try {
      const { src, cacheDir } = await open({ retries: 1 });
      await assert.rejects(src.bytes(name), is(ModelLoadError, name, new RegExp(`(truncated download .*got \\d+ of ${size} bytes|network error after \\d+ of ${size} bytes.*other side closed).*after 2 attempts`)));
      await assertCacheClean(cacheDir);
      assert.deepEqual(await listTree(cacheDir), []);
      // The same through localPath (streams to a temp file in the cache folder).
      await assert.rejects(src.localPath(name), (e) => e instanceof ModelLoadError && e.file === name);
      assert.deepEqual(await listTree(cacheDir), []);
    } finally {
      server.rule(P(name), null);
    }
  }
});

test('a dropped connection resumes with a Range request where it stopped (memory and disk)', async () => {
  const name = 'onnx/model.onnx_data';
  const size = files[name].byteLength;
  for (const how of ['bytes', 'localPath']) {
    server.rule(P(name), { truncateAt: 100000, truncateTimes: server.hits(P(name)) + 1 });
    try {
      const { src, cacheDir } = await open();
      const seen = server.ranges().length;
      const events = [];
      const got = how === 'bytes' ? await src.bytes(name, { onProgress: (e) => events.push(e) }) : new Uint8Array(await fsp.readFile(await src.localPath(name, { onProgress: (e) => events.push(e) })));
      assert.deepEqual(got, files[name]);
      const ranges = server.ranges().slice(seen);
      assert.deepEqual(ranges, [{ path: P(name), from: 100000 }], 'one resume from byte 100000');
      assert.deepEqual(events.at(-1), { file: name, loaded: size, total: size, done: true });
      await assertCacheClean(cacheDir);
    } finally {
      server.rule(P(name), null);
    }
  }
});

test('a file that changed between a dropped connection and the resume is downloaded afresh', async () => {
  const name = 'onnx/model.onnx_data';
  const changed = files[name].slice();
  changed.fill(7, 150000, 160000); // same length, different bytes (and ETag)
  server.rule(P(name), { truncateAt: 100000, truncateTimes: server.hits(P(name)) + 1, nextBody: changed });
  try {
    const { src, cacheDir } = await open();
    const seen = server.ranges().length;
    const got = await src.bytes(name);
    assert.deepEqual(got, changed, 'no mix of old and new bytes');
    assert.deepEqual(server.ranges().slice(seen), [{ path: P(name), from: 100000 }], 'tried to resume once, then restarted');
    assert.equal(server.hits(P(name), 'OPTIONS'), 0);
    assert.equal((await listTree(cacheDir)).length, 1);
  } finally {
    server.rule(P(name), null);
  }
});

test('Hub error codes make 404/401 messages precise', async () => {
  const { src } = await open();
  server.rule(P('config.json'), { status: 404, errorCode: 'RevisionNotFound' });
  server.rule(P('modules.json'), { status: 401, errorCode: 'RepoNotFound' });
  try {
    await assert.rejects(src.json('config.json'), is(ModelLoadError, 'config.json', /the revision does not exist/));
    await assert.rejects(src.json('modules.json'), is(ModelLoadError, 'modules.json', /access denied.*repository does not exist/));
  } finally {
    server.rule(P('config.json'), null);
    server.rule(P('modules.json'), null);
  }
});

test('stalled connection: the caller\'s AbortSignal gives AbortError; stallTimeoutMs gives ModelLoadError', async () => {
  const name = 'onnx/model.onnx_data';
  server.rule(P(name), { stallAfter: 10000 });
  try {
    const ctl = new AbortController();
    const { src, cacheDir } = await open({ signal: ctl.signal });
    const events = [];
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 300);
    await assert.rejects(src.bytes(name, { onProgress: (e) => events.push(e) }), (e) => e instanceof AbortError && e.message.includes(name));
    assert.ok(Date.now() - t0 < 3000);
    assert.ok(events.some((e) => e.loaded === 10000 && !e.done), 'progress saw the first 10000 bytes');
    await assertCacheClean(cacheDir);
    assert.deepEqual(await listTree(cacheDir), []);
    // Aborted already: nothing is requested.
    const hits = server.totalHits();
    await assert.rejects(src.bytes('config.json'), AbortError);
    assert.equal(server.totalHits(), hits);

    const { src: s2, cacheDir: c2 } = await open({ stallTimeoutMs: 200, retries: 1 });
    const before = server.hits(P(name));
    const t1 = Date.now();
    await assert.rejects(s2.localPath(name), is(ModelLoadError, name, /no data .* for 200 ms.*stalled.*after 2 attempts/));
    assert.ok(Date.now() - t1 < 3000);
    assert.equal(server.hits(P(name)) - before, 2, 'a stall counts as a network error and is retried');
    assert.deepEqual(await listTree(c2), []);
  } finally {
    server.rule(P(name), null);
  }
});

test('abort during retry back-off is prompt', async () => {
  const name = 'config.json';
  server.rule(P(name), { status: 502 });
  try {
    const ctl = new AbortController();
    const { src } = await open({ signal: ctl.signal, retryDelayMs: 5000 });
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 150);
    await assert.rejects(src.json(name), AbortError);
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    server.rule(P(name), null);
  }
});

test('corrupt ONNX (HTML page, LFS pointer, cut-short graph) -> "is not an ONNX model", never cached', async () => {
  const name = 'onnx/model.onnx';
  const good = files[name];
  const bodies = [
    ['<!DOCTYPE html><html>Bad gateway</html>', /HTML/],
    ['version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n', /Git LFS pointer/],
    [good.subarray(0, 20), /longer than the file/],
    [new Uint8Array(0), /empty/],
    [Uint8Array.of(0x08, 0x08, 0x78, 0x01), /unexpected protobuf field/],
  ];
  for (const [body, re] of bodies) {
    server.rule(P(name), { body });
    try {
      const { src, cacheDir } = await open();
      await assert.rejects(src.bytes(name), is(ModelLoadError, name, new RegExp(`^onnx/model\\.onnx is not an ONNX model: .*${re.source}`)));
      await assert.rejects(src.localPath(name), is(ModelLoadError, name, re));
      assert.deepEqual(await listTree(cacheDir), [], 'nothing cached');
    } finally {
      server.rule(P(name), null);
    }
  }
});

test('corrupt JSON (an HTML error page served as tokenizer.json) -> ParseError naming the file, not cached', async () => {
  server.rule(P('tokenizer.json'), { body: '<html><body>Rate limited</body></html>' });
  try {
    const { src, cacheDir } = await open();
    await assert.rejects(src.json('tokenizer.json'), is(ParseError, 'tokenizer.json', /tokenizer\.json is not valid JSON.*HTML/));
    assert.deepEqual(await listTree(cacheDir), []);
  } finally {
    server.rule(P('tokenizer.json'), null);
  }
});

test('a corrupt file in a local folder is caught too', async () => {
  const dir = path.join(root, 'local-bad');
  await fsp.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'onnx', 'model.onnx'), '<html>oops</html>');
  await fsp.writeFile(path.join(dir, 'config.json'), '{"x":');
  const src = await openModelSource(dir);
  await assert.rejects(src.localPath('onnx/model.onnx'), is(ModelLoadError, 'onnx/model.onnx', /not an ONNX model/));
  await assert.rejects(src.bytes('onnx/model.onnx'), is(ModelLoadError, 'onnx/model.onnx', /not an ONNX model/));
  await assert.rejects(src.json('config.json'), is(ParseError, 'config.json', /not valid JSON/));
});

test('a 1-byte-per-interval drip trips the minimum-rate stall rule (never silent, never finishing)', async () => {
  const name = 'onnx/model.onnx_data';
  server.rule(P(name), { dripEveryMs: 20 });
  try {
    const { src, cacheDir } = await open({ stallTimeoutMs: 300, minBytesPerSecond: 1000, retries: 0 });
    const started = Date.now();
    await assert.rejects(src.bytes(name), is(ModelLoadError, name, /only \d+ bytes from .* in 300 ms \(under 1000 bytes\/s\).*stalled/));
    assert.ok(Date.now() - started < 5000, 'gave up within a few windows');
    await assertCacheClean(cacheDir);
  } finally {
    server.rule(P(name), null);
  }
});

test('a Content-Length no memory can hold is a CapacityError naming the size, not a RangeError', async () => {
  const { CapacityError } = await import('../../js/index.js');
  const name = 'onnx/model.onnx_data';
  server.rule(P(name), { contentLength: 1e15 });
  try {
    for (const cache of [true, false]) { // streamed to the cache folder (disk space checked), or held in memory
      const { src, cacheDir } = await open({ retries: 0, cache });
      await assert.rejects(src.bytes(name), (err) => err instanceof CapacityError && /1000000000000000/.test(err.message), `cache: ${cache}`);
      await assertCacheClean(cacheDir);
    }
  } finally {
    server.rule(P(name), null);
  }
});

test('a resume answered with a 206 of zero bytes fails as truncated and leaves nothing in the cache', async () => {
  const name = 'onnx/model.onnx_data';
  for (const how of ['bytes', 'localPath']) {
    server.rule(P(name), { truncateAt: 100000, truncateTimes: server.hits(P(name)) + 1, emptyResume: true });
    try {
      const { src, cacheDir } = await open({ retries: 2 });
      const seen = server.ranges().length;
      await assert.rejects(src[how](name), is(ModelLoadError, name, /truncated download .* got 100000 of \d+ bytes/));
      assert.equal(server.ranges().length - seen, 2, 'both retries asked to resume');
      await assertCacheClean(cacheDir);
    } finally {
      server.rule(P(name), null);
    }
  }
});
