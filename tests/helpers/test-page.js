// A test page of tests/browser/pages/ served by the demo server with a tiny generated model under
// /models/tiny/, opened in headless Chromium and ready (the page sets window.ready): the set-up
// the worker and pool browser tests share. `isolate: false` serves without COOP/COEP.
// useTestPage registers it as the test file's before/after hooks.
import path from 'node:path';
import { after, before } from 'node:test';

import { startDemoServer } from '../../demo/serve.js';
import { makeModel } from '../../models/generator/index.js';
import { launchBrowser } from './browser.js';
import { REPO_ROOT } from './paths.js';

/** Returns { server, browser, page, close() }. */
export async function openTestPage({ name, seed, isolate = true }) {
  const modelsDir = path.join(REPO_ROOT, 'build', 'test-models', `browser-${name}`);
  await makeModel(path.join(modelsDir, 'tiny'), { preset: 'tiny-bert', seed });
  const server = await startDemoServer({ port: 0, isolate, modelsDir, mounts: { '/test-pages/': path.join(REPO_ROOT, 'tests', 'browser', 'pages') } });
  const browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(`${server.url}/test-pages/${name}.html`);
  await page.waitForFunction(() => window.ready === true);
  return { server, browser, page, async close() { await browser.close(); await server.close(); } };
}

/**
 * Opens the page in a before() hook (unless `skip`) and closes it in an after() hook; returns an
 * object whose `page` is set once the page is ready.
 */
export function useTestPage(options, skip) {
  const state = { page: null };
  let opened;
  before(async () => {
    if (skip) return;
    opened = await openTestPage(options);
    state.page = opened.page;
  });
  after(async () => {
    await opened?.close();
  });
  return state;
}
