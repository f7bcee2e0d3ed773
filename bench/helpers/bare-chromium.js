// Headless Chromium driven through a bare DevTools pipe: only Runtime.evaluate crosses it, so the
// page runs as it does for a visitor. Playwright enables the Network domain on every page, and
// Chromium then reports (and copies) every response to the DevTools client: for a page that
// fetches megabytes, that instrumentation costs the browser and renderer processes CPU time that
// a visitor's browser does not spend. Benchmarks of fetch-heavy pages use this one.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM } from '../../tests/helpers/browser.js';

/**
 * Launches Chromium on `url` (fresh profile) and resolves to { evaluate(expression) (awaited,
 * returned by value; a page exception rejects), pid, close() } once the page has loaded.
 */
export async function launchBareChromium(url, { args = [] } = {}) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-bare-chromium-'));
  const proc = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-pipe',
    `--user-data-dir=${profile}`, ...args, url], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const [, , , toChrome, fromChrome] = proc.stdio;
  const waiting = new Map();
  let buffered = '', nextId = 0;
  fromChrome.on('data', (data) => {
    buffered += data.toString();
    for (let end; (end = buffered.indexOf('\0')) >= 0;) {
      const msg = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      if (msg.id !== undefined && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
    }
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result)));
    toChrome.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    exited.then(() => reject(new Error(`Chromium exited during ${method}: ${stderr}`)));
  });
  const close = async () => {
    proc.kill();
    await exited;
    // Chromium's helper processes may still write into the profile for a moment after it exits.
    for (let i = 0; ; i++) {
      try {
        rmSync(profile, { recursive: true, force: true });
        return;
      } catch (err) {
        if (i === 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  try {
    let target;
    for (let i = 0; i < 100 && !target; i++) {
      target = (await send('Target.getTargets')).targetInfos.find((t) => t.type === 'page' && t.url.startsWith(url));
      if (!target) await new Promise((r) => setTimeout(r, 100));
    }
    if (!target) throw new Error(`Chromium did not open ${url}`);
    const { sessionId } = await send('Target.attachToTarget', { targetId: target.targetId, flatten: true });
    const evaluate = async (expression) => {
      const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    };
    // Until the page has an execution context, evaluate fails: retry while it loads.
    const ready = () => evaluate('document.readyState').then((s) => s === 'complete', () => false);
    for (let i = 0; i < 300 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
    return { evaluate, pid: proc.pid, close };
  } catch (err) {
    await close();
    throw err;
  }
}
