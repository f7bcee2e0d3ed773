// Headless Debian Chromium with one unpacked extension loaded (Manifest V3), for tests of the
// extension example. Extensions load in the new headless mode (--headless=new); the extension's
// id is read from its service worker's URL (chrome-extension://<id>/background.js).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM } from './browser.js';

/** Launches Chromium with the extension in `dir`; resolves to { context, id, serviceWorker, newPage(), close() }. */
export async function launchWithExtension(dir) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-chromium-ext-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false, // the extension flags need the new headless mode, passed as an argument
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', `--disable-extensions-except=${dir}`, `--load-extension=${dir}`,
    ],
  });
  try {
    const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'))
      ?? await context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith('chrome-extension://'), timeout: 30_000 });
    const id = new URL(worker.url()).host;
    return {
      context,
      id,
      serviceWorker: worker,
      async newPage() {
        const page = await context.newPage();
        page.on('pageerror', (err) => console.error('[page error]', err.message));
        return page;
      },
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium did not load the extension in ${dir}: ${err.message}`, { cause: err });
  }
}
