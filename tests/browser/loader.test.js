// Model loading in Chromium through the browser caches: a Hub-layout model served from
// 127.0.0.1 is loaded with progress into the Cache API (default) and OPFS; a corrupt ONNX is
// refused and not cached; then the server is stopped and the same loads succeed from cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { modelFiles, writeFiles, hubLayout, N } from '../helpers/model-fixture.js';
import { startHubServer } from '../helpers/hub-server.js';

const skip = await browserSkipReason();
const REPO = 'test-org/tiny-model';
let server, browser, page, hubDir, hub;

before(async () => {
  if (skip) return;
  hubDir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-hub-'));
  const files = { ...modelFiles(), 'onnx/bad.onnx': '<html><body>503 Service Unavailable</body></html>' };
  await writeFiles(path.join(hubDir, REPO, 'resolve', 'main'), files);
  server = await startStaticServer({ mounts: { '/': REPO_ROOT, '/hub/': hubDir } });
  hub = await startHubServer(hubLayout(REPO, files)); // another origin, with CORS, for failures
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/loader.html`);
  await page.waitForFunction(() => window.loaderReady === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await hub?.close();
  if (hubDir) rmSync(hubDir, { recursive: true, force: true });
});

// Loads the model's files in the page; returns sizes, sources, progress and cache keys.
async function loadInPage(opts) {
  return page.evaluate(async ({ REPO, opts }) => {
    const { openModelSource } = window.loader;
    const events = [];
    const src = await openModelSource(REPO, { hubHost: `${location.origin}/hub`, onProgress: (e) => events.push(e), retries: 0, ...opts });
    const out = { sizes: {}, events, from: {} };
    out.config = await src.json('config.json');
    for (const f of ['onnx/model.onnx', 'onnx/model.onnx_data']) out.sizes[f] = (await src.bytes(f)).byteLength;
    out.external = await src.externalDataFiles('onnx/model.onnx');
    out.optional = await src.exists('2_Normalize/config.json');
    try {
      await src.bytes('onnx/bad.onnx');
      out.bad = 'no error';
    } catch (e) {
      out.bad = { name: e.name, file: e.file, message: e.message };
    }
    const d = src.describe();
    out.cache = d.cache;
    for (const [k, v] of Object.entries(d.files)) out.from[k] = v.from;
    if (d.cache === 'cache-api') out.keys = (await (await caches.open('wasmbed-models-v1')).keys()).map((r) => r.url);
    return out;
  }, { REPO, opts });
}

function checkLoad(r, from) {
  assert.deepEqual(r.config, { model_type: 'bert', hidden_size: 4 });
  assert.equal(r.sizes['onnx/model.onnx_data'], N * 4);
  assert.deepEqual(r.external, [{ location: 'model.onnx_data', file: 'onnx/model.onnx_data' }]);
  assert.equal(r.optional, false);
  assert.equal(r.from['onnx/model.onnx_data'], from);
  assert.equal(r.bad.name, 'ModelLoadError');
  assert.equal(r.bad.file, 'onnx/bad.onnx');
  assert.match(r.bad.message, /onnx\/bad\.onnx is not an ONNX model: it looks like an HTML/);
  const last = r.events.filter((e) => e.file === 'onnx/model.onnx_data').at(-1);
  assert.equal(last.done, true);
  assert.equal(last.loaded, N * 4);
}

// Runs one load in the page against the misbehaving server; returns the error (or the size) and
// the Cache API keys afterwards.
async function tryInPage(file, opts = {}, abortAfterMs = null) {
  return page.evaluate(async ({ REPO, hubHost, file, opts, abortAfterMs }) => {
    const ctl = new AbortController();
    if (abortAfterMs != null) setTimeout(() => ctl.abort(), abortAfterMs);
    const src = await window.loader.openModelSource(REPO, { hubHost, retryDelayMs: 10, signal: ctl.signal, ...opts });
    let out;
    try {
      const b = await src.bytes(file);
      let sum = 0;
      for (let i = 0; i < b.length; i += 997) sum = (sum * 31 + b[i]) >>> 0;
      out = { size: b.byteLength, sum };
    } catch (e) {
      out = { name: e.name, file: e.file, status: e.status, message: e.message };
    }
    out.keys = (await (await caches.open('wasmbed-models-v1')).keys()).map((r) => r.url).filter((u) => u.includes(file));
    return out;
  }, { REPO, hubHost: hub.url, file, opts, abortAfterMs });
}

test('failures in Chromium: typed errors naming the file, nothing cached; a dropped download resumes', { skip, timeout: 60_000 }, async () => {
  const P = (f) => `/${REPO}/resolve/main/${f}`;
  const data = 'onnx/model.onnx_data';

  hub.rule(P(data), { truncateAt: 100000 });
  let r = await tryInPage(data, { retries: 1 });
  assert.equal(r.name, 'ModelLoadError', r.message);
  assert.equal(r.file, data);
  assert.match(r.message, /onnx\/model\.onnx_data.*(truncated|network error)/);
  assert.deepEqual(r.keys, []);

  hub.rule(P(data), { truncateAt: 100000, truncateTimes: hub.hits(P(data)) + 1 });
  const before = hub.ranges().length;
  r = await tryInPage(data);
  assert.equal(r.size, N * 4, r.message);
  const ranges = hub.ranges().slice(before);
  assert.equal(ranges.length, 1, 'resumed with one Range request');
  assert.ok(ranges[0].from > 0 && ranges[0].from <= 100000);
  assert.equal(hub.hits(P(data), 'OPTIONS'), 0, 'no CORS preflight for the resume');
  assert.equal(r.keys.length, 1);

  const other = 'onnx/model_inline.onnx';
  hub.rule(P(other), { stallAfter: 20 });
  r = await tryInPage(other, { stallTimeoutMs: 300, retries: 0 });
  assert.equal(r.name, 'ModelLoadError');
  // 20 bytes, then nothing: under the minimum rate (minBytesPerSecond) within the 300 ms window.
  assert.match(r.message, /only 20 bytes from .* in 300 ms .*stalled/);
  assert.deepEqual(r.keys, []);
  r = await tryInPage(other, { stallTimeoutMs: 0 }, 300);
  assert.equal(r.name, 'AbortError');
  assert.match(r.message, /onnx\/model_inline\.onnx/);
  assert.deepEqual(r.keys, []);
  hub.rule(P(other), null);

  r = await tryInPage('tokenizer.model');
  assert.equal(r.name, 'ModelLoadError');
  assert.equal(r.status, 404);
  assert.match(r.message, /tokenizer\.model not found \(HTTP 404\)/);
  hub.rule(P(data), null);
});

test('Cache API and OPFS: online load, then offline from cache with the server stopped', { skip, timeout: 60_000 }, async () => {
  const online = await loadInPage({});
  checkLoad(online, 'network');
  assert.equal(online.cache, 'cache-api');
  const prefix = `https://wasmbed.cache/hub/127.0.0.1%3A${server.port}/test-org/tiny-model/main/`;
  assert.ok(online.keys.includes(prefix + 'onnx/model.onnx_data'), online.keys.join('\n'));
  assert.ok(online.keys.includes(prefix + '2_Normalize/config.json%23missing'));
  assert.ok(!online.keys.some((k) => k.includes('bad.onnx')), 'the corrupt file was not cached');

  const opfsOnline = await loadInPage({ cache: 'opfs' });
  checkLoad(opfsOnline, 'network');
  assert.equal(opfsOnline.cache, 'opfs');

  await server.close();
  const reachable = await page.evaluate(() => fetch('/hub/').then(() => true, () => false));
  assert.equal(reachable, false, 'server is really gone');

  for (const opts of [{}, { localFilesOnly: true }, { cache: 'opfs' }, { cache: 'opfs', localFilesOnly: true }]) {
    const offline = await loadInPage(opts);
    // bad.onnx was never cached, so offline it fails as a network error / not-cached error.
    assert.equal(offline.from['onnx/model.onnx_data'], 'cache', JSON.stringify(opts));
    assert.equal(offline.sizes['onnx/model.onnx_data'], N * 4);
    assert.equal(offline.optional, false);
    assert.equal(offline.bad.name, 'ModelLoadError');
    assert.match(offline.bad.message, opts.localFilesOnly ? /not in the cache and localFilesOnly/ : /network error/);
    assert.deepEqual(offline.events.at(-1).cached, true);
  }
  server = null;
});
