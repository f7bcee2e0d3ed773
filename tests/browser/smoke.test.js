// Smoke path in headless Chromium: the same ES module + .wasm loaded from a page on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = await browserSkipReason();
let server, browser, page;

before(async () => {
  if (skip) return;
  server = await startStaticServer({ mounts: { '/': REPO_ROOT } });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/pages/smoke.html`);
  await page.waitForFunction(() => window.wasmbedReady === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('wasm core loads in Chromium with SIMD and normalizes like plain JS', { skip }, async () => {
  const result = await page.evaluate(async () => {
    const { l2Normalize, version, loadCore } = window.wasmbed;
    const dim = 384;
    const x = Float32Array.from({ length: dim * 3 }, (_, i) => Math.sin(i * 0.37) * 5);
    const got = await l2Normalize(x, dim);
    let maxDiff = 0;
    for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += x[r * dim + i] ** 2;
      const n = Math.sqrt(s);
      for (let i = 0; i < dim; i++) maxDiff = Math.max(maxDiff, Math.abs(got[r * dim + i] - x[r * dim + i] / n));
    }
    const core = await loadCore();
    return { maxDiff, version: await version(), simd: core.simdEnabled(), isolated: self.crossOriginIsolated };
  });
  assert.ok(result.maxDiff < 1e-6, `max diff ${result.maxDiff}`);
  assert.equal(result.simd, true);
  assert.match(result.version, /^\d+\.\d+\.\d+/);
  assert.equal(result.isolated, true, 'server must send COOP/COEP headers');
});

test('typed errors cross into the page', { skip }, async () => {
  const name = await page.evaluate(async () => {
    try {
      await window.wasmbed.l2Normalize(new Float32Array(4), 0);
      return 'no error';
    } catch (e) {
      return e.name;
    }
  });
  assert.equal(name, 'InvalidArgumentError');
});
