// ONNX Runtime's WebAssembly runtime that cannot start: the load fails with a WasmLoadError
// naming the cause and the URL within the runtimeTimeoutMs bound, never hangs. A real server
// that never answers for one runtime file (the request is read, no response is ever sent):
//   - ORT's .mjs glue (imported before ORT's own init timer starts: only wasmbed's bound catches it),
//   - ORT's .wasm (ORT's inlined glue, the default unbundled set-up),
//   - the .mjs again once it was served, in a cross-origin isolated page: ORT's thread workers
//     load it and never report back.
// A later load in the same page fails with the same error without waiting (ORT cannot restart).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../../models/generator/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = await browserSkipReason();
const TIMEOUT_MS = 1_000; // short: the stalled file decides the outcome, not the machine's speed
const ORT_DIST = '/node_modules/onnxruntime-web/dist/';
const MJS = `${ORT_DIST}ort-wasm-simd-threaded.mjs`;
const WASM = `${ORT_DIST}ort-wasm-simd-threaded.wasm`;
let tmp, browser;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-runtime-timeout-'));
  await makeModel(path.join(tmp, 'model'), { preset: 'tiny-bert', seed: 3, config: { num_hidden_layers: 1 } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * Opens the test page on a server that stalls the requests `stall(method, path, nth)` picks (nth:
 * how many GETs of that path came before), loads the model twice and returns both outcomes with
 * their times. `external`: ORT imports its .mjs glue from these URLs instead of its inlined copy.
 */
async function loadWithStall({ stall, isolate, external, threads }) {
  const gets = new Map();
  const server = await startStaticServer({
    mounts: { '/': REPO_ROOT, '/model/': path.join(tmp, 'model') },
    isolate,
    stall: (method, p) => {
      const nth = gets.get(p) ?? 0;
      if (method === 'GET') gets.set(p, nth + 1);
      return stall(method, p, nth);
    },
  });
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/tests/browser/pages/embedder.html`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
    return await page.evaluate(async ([modelUrl, timeoutMs, paths, threads]) => {
      const { Embedder } = await import('/js/index.js');
      if (paths) (await import('/js/embedder/backend.js')).setOrtWasmPaths(paths);
      const attempt = async (runtimeTimeoutMs) => {
        const started = performance.now();
        try {
          await Embedder.load(modelUrl, { device: 'wasm', cache: false, runtimeTimeoutMs, threads: threads ?? undefined });
          return { ok: true, ms: performance.now() - started };
        } catch (err) {
          return { name: err.name, message: err.message, url: err.url ?? null, ms: performance.now() - started };
        }
      };
      // The second load allows a minute: it must fail at once with the first one's error instead.
      return { first: await attempt(timeoutMs), again: await attempt(60_000), isolated: globalThis.crossOriginIsolated };
    }, [`${server.url}/model/`, TIMEOUT_MS, external ? { mjs: `${server.url}${MJS}`, wasm: `${server.url}${WASM}` } : null, threads ?? null]);
  } finally {
    await page.close();
    await server.close();
  }
}

function assertTimedOut(result, url, { threads = false } = {}) {
  const { first, again } = result;
  console.log(`# failed after ${Math.round(first.ms)} ms (again: ${Math.round(again.ms)} ms): ${first.name}: ${first.message}`);
  assert.equal(first.name, 'WasmLoadError', JSON.stringify(first));
  assert.match(first.message, new RegExp(`did not start within ${TIMEOUT_MS} ms`));
  assert.ok(first.url.endsWith(url), `the error names ${url}: ${first.url}`);
  assert.ok(first.message.includes(`${url}: no answer within ${TIMEOUT_MS} ms`), first.message);
  if (threads) assert.match(first.message, /thread worker/);
  // The bound: the timeout, then the URL checks (each at most the timeout), plus the model
  // download and core start before ORT starts (seconds on a loaded 2-core machine: generous).
  // Measured: 6-11 s at load averages of 12-30 on 2 cores; without wasmbed's bound the first
  // case never ends (the test's own timeout), the others end with ORT's own timeout message.
  assert.ok(first.ms < 2 * TIMEOUT_MS + 20_000, `failed after ${Math.round(first.ms)} ms`);
  assert.equal(again.name, 'WasmLoadError');
  assert.equal(again.message, first.message, 'the second load reports the first start failure');
  assert.ok(again.ms < 30_000, `the second load does not wait for its own timeout (${Math.round(again.ms)} ms)`);
}

test("ORT's .mjs glue never answers: WasmLoadError naming it, within the bound", { skip, timeout: 60_000 }, async () => {
  const result = await loadWithStall({ isolate: false, external: true, stall: (_m, p) => p === MJS });
  assertTimedOut(result, MJS);
});

test("ORT's .wasm never answers: WasmLoadError naming it, within the bound", { skip, timeout: 60_000 }, async () => {
  const result = await loadWithStall({ isolate: false, external: false, stall: (_m, p) => p === WASM });
  assertTimedOut(result, WASM);
});

test('thread workers cannot load the .mjs (cross-origin isolated): WasmLoadError naming it and the thread workers', { skip, timeout: 60_000 }, async () => {
  // The page's own import of the .mjs is answered; every later request (the thread workers') is not.
  const result = await loadWithStall({ isolate: true, external: true, threads: 2, stall: (m, p, nth) => p === MJS && (m !== 'GET' || nth > 0) });
  assert.equal(result.isolated, true);
  assertTimedOut(result, MJS, { threads: true });
});
