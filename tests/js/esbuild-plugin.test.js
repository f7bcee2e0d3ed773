// wasmbed/esbuild: which URL expressions the plugin rewrites (code only, never comments or
// strings), and a real esbuild build of a small wasmbed entry: the core's .wasm is emitted and
// the bundle's URL points at it. The full apps (worker, ONNX Runtime files, Chromium) are in
// tests/browser/examples.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { wasmbed } from '../../js/esbuild/index.js';
import { urlExpressions } from '../../js/esbuild/url-expressions.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('finds new URL(literal, import.meta.url) in code, not in comments, strings or regexes', () => {
  const src = [
    "// new URL('./comment.wasm', import.meta.url)",
    "/* new URL('./block.wasm', import.meta.url) */",
    "const s = \"new URL('./string.wasm', import.meta.url)\";",
    "const r = /new URL\\('x'/;",
    "const a = new URL('./a.wasm', import.meta.url);",
    "const w = new Worker(new URL(\"./w.js\", import.meta.url), { type: 'module' });",
    "const t = `new URL('./template.wasm', import.meta.url)`;",
    'const d = x / 2; const b = new URL(\'../b.mjs\',import.meta.url);',
  ].join('\n');
  assert.deepEqual(urlExpressions(src).map((e) => [e.specifier, e.worker]), [['./a.wasm', false], ['./w.js', true], ['../b.mjs', false]]);
});

test("wasmbed's own files: the three runtime files, the worker, and the Node-only indexer's worker_threads entry", () => {
  const found = {};
  for (const f of readdirSync(path.join(REPO_ROOT, 'js'), { recursive: true }).filter((n) => n.endsWith('.js'))) {
    const exprs = urlExpressions(readFileSync(path.join(REPO_ROOT, 'js', f), 'utf8'));
    if (exprs.length) found[f.split(path.sep).join('/')] = exprs.map((e) => `${e.specifier}${e.worker ? ' (worker)' : ''}`);
  }
  assert.deepEqual(found, {
    'embedder/backend.js': ['onnxruntime-web/ort-wasm-simd-threaded.mjs', 'onnxruntime-web/ort-wasm-simd-threaded.wasm'],
    // Node only (never in a browser bundle): the path of its worker_threads module.
    'indexer/pool.js': ['./embed-worker.js'],
    'internal/core.js': ['../../dist/wasmbed_core.wasm'],
    'worker/client.js': ['./worker.js (worker)'],
  });
});

test('an esbuild build emits the core .wasm and points the bundle at it; format other than esm is refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-esbuild-'));
  try {
    const entry = path.join(dir, 'main.js');
    writeFileSync(entry, `import { coreWasmUrl } from ${JSON.stringify(path.join(REPO_ROOT, 'js/internal/core.js'))};\nexport const url = coreWasmUrl();\n`);
    const out = path.join(dir, 'dist');
    await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', outdir: out, logLevel: 'silent', plugins: [wasmbed()] });
    const wasm = readdirSync(out).filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 1);
    assert.ok(readFileSync(path.join(out, wasm[0])).equals(readFileSync(path.join(REPO_ROOT, 'dist/wasmbed_core.wasm'))));
    const { url } = await import(path.join(out, 'main.js'));
    assert.equal(url, new URL(wasm[0], `file://${out}/`).href);
    await assert.rejects(
      esbuild.build({ entryPoints: [entry], bundle: true, format: 'iife', outdir: out, logLevel: 'silent', plugins: [wasmbed()] }),
      /the wasmbed plugin needs format: 'esm'/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'wasmbed/webgpu' in an esbuild build: the WebGPU build's .wasm is emitted", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-esbuild-app-'));
  try {
    const emitted = async (imports) => {
      const entry = path.join(dir, 'main.js');
      writeFileSync(entry, imports.map((f) => `import ${JSON.stringify(path.join(REPO_ROOT, f))};\n`).join(''));
      const out = path.join(dir, `dist-${imports.length}`);
      await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', splitting: true, outdir: out, logLevel: 'silent', plugins: [wasmbed()] });
      // The emitted files (content-hashed names, the hash dropped here), not esbuild's chunks.
      return readdirSync(out).filter((f) => /\.(wasm|mjs)$/.test(f) || f.startsWith('worker-')).map((f) => f.replace(/-[A-Z0-9]{8}\./, '.')).sort();
    };
    // js/webgpu.js alone (no worker to build: quicker; the whole app is built by
    // tests/browser/examples.test.js). esbuild emits only the files of code it keeps: here the
    // two ORT bundles' own .wasm, not the .mjs wasmbed's session code names.
    assert.deepEqual(await emitted(['js/webgpu.js']), ['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.wasm']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
