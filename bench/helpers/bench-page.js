// A Chromium page for benchmarks: run(fn, arg) evaluates fn(arg) in it (fn must be
// self-contained: it is sent as source text). Through a bare DevTools pipe by default, as a
// visitor's browser runs a page (bench/helpers/bare-chromium.js says why), or with Playwright.
import { launchBrowser } from '../../tests/helpers/browser.js';
import { launchBareChromium } from './bare-chromium.js';

/**
 * Opens `url` and waits until `window[readyFlag] === true`. options: playwright (drive it with
 * Playwright, whose Network instrumentation costs CPU per byte fetched), ignoreCertificateErrors
 * (a benchmark server's self-signed HTTP/2 certificate). Resolves to { run(fn, arg), close() }.
 */
export async function openBenchPage(url, { playwright = false, ignoreCertificateErrors = false, readyFlag = 'indexPageReady' } = {}) {
  if (playwright) {
    const browser = await launchBrowser({ ignoreCertificateErrors });
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction((flag) => window[flag] === true, readyFlag, { timeout: 60_000 });
    return { run: (fn, arg) => page.evaluate(fn, arg), close: () => browser.close() };
  }
  const bare = await launchBareChromium(url, { args: ignoreCertificateErrors ? ['--ignore-certificate-errors'] : [] });
  // Until the page has an execution context (a navigation in progress), evaluate fails: not ready.
  const ready = () => bare.evaluate(`window[${JSON.stringify(readyFlag)}] === true`).catch(() => false);
  for (let i = 0; i < 600 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await ready())) {
    await bare.close();
    throw new Error(`${url} did not set window.${readyFlag}`);
  }
  return { run: (fn, arg) => bare.evaluate(`(${fn})(${JSON.stringify(arg)})`), close: bare.close };
}
