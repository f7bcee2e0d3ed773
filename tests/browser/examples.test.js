// The example apps in examples/ (Vite, webpack 5, esbuild with wasmbed/esbuild, a Chrome MV3
// extension built with Vite), built the way a user builds them:
// the package under test comes from `npm pack` (unpacked into the app's node_modules, as npm
// install does), onnxruntime-web from this checkout, the bundlers are this checkout's
// devDependencies (so nothing is downloaded) and each app runs its own `npm run build` in
// production mode with no bundler configuration. Each build is served from 127.0.0.1 with and
// without the COOP/COEP headers and opened in headless Chromium, embedding and searching on the
// page's thread and with { worker: true }. Checked: the first search hit equals the one Node
// computes with the same model, threads in the isolated runs, each file fetched once, and the
// emitted asset budget (wasmbed's .wasm plus exactly one ONNX Runtime .wasm). The numbers
// (bytes emitted, bytes fetched until the first result) are printed as test diagnostics. The
// extension is loaded unpacked in its own Chromium (extensions load at launch): its page, a
// worker and an offscreen document started by its service worker.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { Embedder } from '../../js/embedder/embedder.js';
import { VectorIndex } from '../../js/search/vector-index.js';
import { makeModel } from '../../models/generator/index.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { launchWithExtension } from '../helpers/extension.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startStaticServer } from '../helpers/server.js';

const run = promisify(execFile);
const skip = await browserSkipReason();
// WASMBED_EXAMPLES=vite,esbuild runs a subset (while working on one bundler).
const BUNDLERS = (process.env.WASMBED_EXAMPLES ?? 'esbuild,vite,webpack,chrome-extension').split(','); // the fastest build first
// Apps that are Chrome extensions: loaded unpacked, not served (their own suite below).
const EXTENSIONS = new Set(['chrome-extension']);
const MiB = 1024 * 1024;

let work;
let tarball;
let modelDir;
let browser;
// bundler -> Promise of its build. The builds run one after another, in the background: the
// pages of one app are opened while the next app builds.
const builds = new Map();

before(async () => {
  if (skip) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-examples-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: REPO_ROOT });
  tarball = path.join(work, stdout.trim().split('\n').pop());
  modelDir = path.join(work, 'model');
  // e5-style prompts, as the examples are written for (embed(docs, { prompt: 'passage' }) ...).
  await makeModel(modelDir, { preset: 'tiny-bert', seed: 7, st: { prompts: { query: 'query: ', passage: 'passage: ' } } });
  let previous = Promise.resolve();
  for (const bundler of BUNDLERS) {
    const build = previous.then(() => buildApp(bundler));
    build.catch(() => {}); // reported by that bundler's suite
    builds.set(bundler, build);
    previous = build.catch(() => {});
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A copy of examples/<name> with the packed wasmbed installed, built with `npm run build`. */
async function buildApp(name) {
  const app = path.join(work, name);
  cpSync(path.join(REPO_ROOT, 'examples', name), app, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  const pkg = path.join(app, 'node_modules', 'wasmbed');
  mkdirSync(pkg, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
  // onnxruntime-web only: an install without optional dependencies (no onnxruntime-node). The
  // app's devDependencies (its bundler, imported by a build script) are this checkout's.
  const { devDependencies = {} } = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8'));
  for (const dep of ['onnxruntime-web', ...Object.keys(devDependencies)]) {
    symlinkSync(path.join(REPO_ROOT, 'node_modules', dep), path.join(app, 'node_modules', dep), 'dir');
  }
  const env = { ...process.env, PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`, NODE_ENV: 'production' };
  const started = performance.now();
  const { stdout, stderr } = await run('npm', ['run', '--silent', 'build'], { cwd: app, env, maxBuffer: 64 * MiB });
  const seconds = (performance.now() - started) / 1000;
  const dist = path.join(app, 'dist');
  const files = listFiles(dist);
  const core = readFileSync(path.join(pkg, 'dist', 'wasmbed_core.wasm'));
  const corePaths = new Set(files.filter((f) => f.bytes === core.length && readFileSync(path.join(dist, f.name)).equals(core)).map((f) => `/${f.name}`));
  // An extension ships its model inside (./model/): copied after the build's files are counted.
  if (EXTENSIONS.has(name)) cpSync(modelDir, path.join(dist, 'model'), { recursive: true });
  return { dist, seconds, log: `${stdout}\n${stderr}`, files, corePaths };
}

function listFiles(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else out.push({ name: r, bytes: statSync(path.join(dir, r)).size });
  }
  return out;
}

/** Opens the app and waits for its search result. */
async function openApp(url) {
  const page = await browser.newPage();
  const log = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 150_000 });
    const result = await page.evaluate(() => window.result);
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    return { result, isolated, console: log };
  } finally {
    await page.close();
  }
}

// The same ranking in Node (same code, same model, ONNX Runtime's WASM backend); once per
// (docs, query): every app searches the same ones.
const expectedTops = new Map();
function expectedTop(docs, query) {
  const key = JSON.stringify([docs, query]);
  if (!expectedTops.has(key)) expectedTops.set(key, nodeTop(docs, query));
  return expectedTops.get(key);
}

async function nodeTop(docs, query) {
  const model = await Embedder.load(modelDir, { device: 'wasm' });
  try {
    const vectors = await model.embed(docs, { prompt: 'passage' });
    const index = await VectorIndex.create({ dims: vectors[0].length, metric: 'cosine' });
    vectors.forEach((v, id) => index.add(id, v));
    const [q] = await model.embed([query], { prompt: 'query' });
    return index.search(q, { k: 3 })[0].id;
  } finally {
    await model.dispose();
  }
}

for (const bundler of BUNDLERS) {
  describe(`examples/${bundler}`, { skip }, () => {
    let built;
    before(async () => {
      built = await builds.get(bundler);
    });

    test('production build: no configuration (esbuild: the one plugin line), one ONNX Runtime .wasm, no Node-only modules', { timeout: 300_000 }, () => {
      const wasm = built.files.filter((f) => f.name.endsWith('.wasm'));
      const core = readFileSync(path.join(REPO_ROOT, 'dist', 'wasmbed_core.wasm')).length;
      const total = built.files.reduce((s, f) => s + f.bytes, 0);
      test.diagnostic?.(`${bundler}: built in ${built.seconds.toFixed(1)} s, ${built.files.length} files, ${total} bytes; .wasm: ${wasm.map((f) => `${f.name} ${f.bytes}`).join(', ')}`);
      console.log(`# ${bundler}: built in ${built.seconds.toFixed(1)} s, ${built.files.length} files, ${total} bytes; .wasm: ${wasm.map((f) => `${f.name} ${f.bytes}`).join(', ')}`);
      assert.equal(wasm.filter((f) => f.bytes === core).length, 1, 'wasmbed_core.wasm emitted once');
      assert.equal(wasm.length, 2, `wasmbed's .wasm and one ONNX Runtime .wasm, got ${wasm.map((f) => f.name).join(', ')}`);
      assert.ok(total < 20 * MiB, `emitted ${total} bytes`);
      assert.doesNotMatch(built.log, /externalized for browser compatibility|Could not resolve|Module not found|Critical dependency/i);
      const js = built.files.filter((f) => /\.(m?js)$/.test(f.name)).map((f) => readFileSync(path.join(built.dist, f.name), 'utf8'));
      const nodeOnly = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](?:node:[^"']*|onnxruntime-node)["']/;
      assert.ok(!js.some((text) => nodeOnly.test(text)), 'no import of node:* or onnxruntime-node in the output');
      // The app itself configures nothing (no configureCore, no file copies); esbuild's build
      // script has wasmbed's one line, the plugin, and nothing else about wasmbed.
      const example = path.join(REPO_ROOT, 'examples', bundler);
      const sources = readdirSync(example, { recursive: true }).filter((f) => /\.(m?js|json)$/.test(f) && !f.startsWith('node_modules'));
      const text = sources.map((f) => readFileSync(path.join(example, f), 'utf8')).join('\n');
      assert.doesNotMatch(text, /configureCore|wasmbed_core\.wasm|ort-wasm/, 'no runtime file named by the app');
      if (bundler === 'esbuild') {
        const lines = readFileSync(path.join(example, 'build.js'), 'utf8').split('\n').filter((l) => /wasmbed/.test(l) && !/^\s*\/\//.test(l));
        assert.deepEqual(lines.map((l) => l.trim()), ["import { wasmbed } from 'wasmbed/esbuild';", 'plugins: [wasmbed()],']);
      }
    });

    if (EXTENSIONS.has(bundler)) {
      extensionChecks(() => built);
      return;
    }

    test('a missing runtime file fails with a WasmLoadError naming its URL', { timeout: 180_000 }, async () => {
      const empty = mkdtempSync(path.join(work, 'empty-'));
      const core = [...built.corePaths][0];
      const ort = built.files.map((f) => `/${f.name}`).find((p) => p.endsWith('.wasm') && !built.corePaths.has(p));
      for (const missing of [core, ort]) {
        // Mounting an empty folder at the file's own path makes the server answer 404 for it.
        const server = await startStaticServer({ mounts: { '/': built.dist, '/model/': modelDir, [missing]: empty }, isolate: false });
        try {
          const { result } = await openApp(`${server.url}/?model=${encodeURIComponent(`${server.url}/model/`)}`);
          assert.equal(result.error?.name, 'WasmLoadError', JSON.stringify(result));
          assert.equal(result.error.url, `${server.url}${missing}`);
          assert.match(result.error.message, /HTTP 404/);
          assert.ok(result.error.message.includes(`${server.url}${missing}`), result.error.message);
        } finally {
          await server.close();
        }
      }
    });

    for (const isolate of [true, false]) {
      describe(isolate ? 'cross-origin isolated (COOP/COEP)' : 'not isolated', () => {
        // A server per run: a new origin, so nothing comes from the previous run's model cache.
        // Its log holds every request it answers (the page's, its workers', ORT's thread
        // workers'), with the size of the file sent (whole files: the server sends no ranges).
        async function serve(requests) {
          const mounts = { '/': built.dist, '/model/': modelDir };
          const sizeOf = (p) => {
            const [prefix, dir] = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length).find(([m]) => p.startsWith(m));
            try {
              const file = path.join(dir, p.slice(prefix.length));
              return statSync(statSync(file).isDirectory() ? path.join(file, 'index.html') : file).size;
            } catch {
              return 0; // a 404
            }
          };
          return startStaticServer({
            mounts, isolate,
            log: (line) => {
              const [method, p] = line.split(' ');
              requests.push({ method, path: p, bytes: sizeOf(p) });
            },
          });
        }

        for (const worker of [false, true]) {
          test(`embeds and searches ${worker ? 'with { worker: true }' : 'on the page'}`, { timeout: 180_000 }, async () => {
            const responses = [];
            const server = await serve(responses);
            const url = `${server.url}/?model=${encodeURIComponent(`${server.url}/model/`)}${worker ? '&worker' : ''}`;
            const { result, isolated, console: log } = await openApp(url).finally(() => server.close());
            assert.equal(isolated, isolate);
            assert.ok(!result.error, `the app failed: ${JSON.stringify(result.error)}\n${log.join('\n')}`);
            assert.equal(result.hits[0].id, await expectedTop(result.docs, result.query), 'first hit as in Node');
            if (isolate) assert.ok(result.threads > 1 || os.availableParallelism() === 1, `threads: ${result.threads}`);
            else assert.equal(result.threads, 1);
            // One progress series per file: loaded never goes back, one final `done` event.
            const series = new Map();
            for (const p of result.progress) series.set(p.file, [...(series.get(p.file) ?? []), p]);
            assert.ok(series.size > 0, 'progress events');
            for (const [file, events] of series) {
              assert.equal(events.filter((e) => e.done).length, 1, `${file}: one done event`);
              assert.ok(events.at(-1).done, `${file}: done comes last`);
              events.forEach((e, i) => assert.ok(i === 0 || e.loaded >= events[i - 1].loaded, `${file}: loaded goes back at event ${i}`));
            }
            const gets = responses.filter((r) => r.method === 'GET');
            const seen = new Map();
            for (const r of gets) seen.set(r.path, (seen.get(r.path) ?? 0) + 1);
            // Each file once per realm that needs it. Scripts and wasmbed's .wasm load in every realm
            // that runs them: the page, the wasmbed worker, ONNX Runtime's thread workers (the test
            // server sends no-cache without validators, so none comes from the HTTP cache). The
            // big files (ONNX Runtime's .wasm, every model file) exactly once.
            const realms = 1 + (worker ? 1 : 0) + Math.max(0, result.threads - 1);
            const allowed = (p) => (built.corePaths.has(p) ? (worker ? 2 : 1) : /\.m?js$/.test(p) ? realms : 1);
            const twice = [...seen].filter(([p, n]) => n > allowed(p)).map(([p, n]) => `${p} x${n}`);
            assert.deepEqual(twice, [], 'each file fetched once');
            for (const file of readdirSync(modelDir, { recursive: true })) {
              if (statSync(path.join(modelDir, file)).isFile() && seen.has(`/model/${file}`)) assert.equal(seen.get(`/model/${file}`), 1, `/model/${file}`);
            }
            const fetched = gets.reduce((s, r) => s + r.bytes, 0);
            const wasmFetched = gets.filter((r) => r.path.endsWith('.wasm'));
            assert.ok(gets.some((r) => r.path === '/model/onnx/model.onnx'), 'the model was fetched');
            const model = gets.filter((r) => r.path.startsWith('/model/')).reduce((s, r) => s + r.bytes, 0);
            console.log(`# ${bundler} ${isolate ? 'isolated' : 'not isolated'} ${worker ? 'worker' : 'page'}: ${gets.length} requests, ${fetched} bytes fetched until the first result: ${fetched - model} app + runtime (.wasm ${wasmFetched.reduce((s, r) => s + r.bytes, 0)}), ${model} model; threads ${result.threads}`);
            assert.equal(new Set(wasmFetched.map((r) => r.path)).size, 2, `fetched .wasm: ${wasmFetched.map((r) => r.path).join(', ')}`);
          });
        }
      });
    }
  });
}

/**
 * The extension example, loaded unpacked in its own Chromium (extensions are loaded at launch):
 * its page embeds and searches on the page and in a worker, cross-origin isolated by its
 * manifest (threads), with the model shipped inside the extension.
 */
function extensionChecks(getBuilt) {
  let ext;
  before(async () => {
    ext = await launchWithExtension(getBuilt().dist);
  });
  after(async () => {
    await ext?.close();
  });
  for (const worker of [false, true]) {
    test(`loads unpacked; its page embeds and searches ${worker ? 'with { worker: true }' : 'on the page'}, cross-origin isolated`, { timeout: 180_000 }, async () => {
      const page = await ext.newPage();
      const log = [];
      page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
      try {
        await page.goto(`chrome-extension://${ext.id}/index.html?model=./model/${worker ? '&worker' : ''}`);
        await page.waitForFunction(() => window.result !== undefined, null, { timeout: 150_000 });
        const result = await page.evaluate(() => window.result);
        const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
        assert.ok(!result.error, `the extension page failed: ${JSON.stringify(result.error)}\n${log.join('\n')}`);
        assert.equal(isolated, true, 'the manifest makes its pages cross-origin isolated');
        assert.equal(result.hits[0].id, await expectedTop(result.docs, result.query), 'first hit as in Node');
        assert.ok(result.threads > 1 || os.availableParallelism() === 1, `threads: ${result.threads}`);
        console.log(`# chrome-extension ${worker ? 'worker' : 'page'}: threads ${result.threads}`);
      } finally {
        await page.close();
      }
    });
  }
  test('the service worker runs the search in an offscreen document', { timeout: 180_000 }, async () => {
    const result = await ext.serviceWorker.evaluate((query) => globalThis.searchOffscreen(query), '?model=./model/&offscreen');
    assert.ok(!result.error, `the offscreen document failed: ${JSON.stringify(result.error)}`);
    assert.equal(result.hits[0].id, await expectedTop(result.docs, result.query), 'first hit as in Node');
    console.log(`# chrome-extension offscreen document: threads ${result.threads}`);
  });
}
