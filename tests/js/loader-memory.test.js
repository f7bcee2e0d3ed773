// Memory: a large download through localPath() goes to disk in bounded buffers and is never held
// whole in JS (peers read 0.5-2 GB models fully into JS memory and run out of it); a control
// run through bytes() shows the measurement does see a file held in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openModelSource } from '../../js/index.js';
import { startHubServer } from '../helpers/hub-server.js';

const REPO = 'test-org/big-model';

test('localPath streams a large file to disk without holding it in JS memory', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const SIZE = 48 * 1024 * 1024;
  const big = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i += 4096) big[i] = i / 4096;
  const own = await startHubServer({ [`/${REPO}/resolve/main/onnx/model.onnx_data`]: big });
  // Peak of live (post-GC) array-buffer memory during a download, above the starting level.
  const measure = async (fn) => {
    // V8 frees array buffers on a background thread: let earlier garbage go before the baseline.
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 30));
    }
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let n = 0;
    const result = await fn((e) => {
      if (n++ % 10 !== 0 && !e.done) return; // a full GC per event would be slow
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    });
    return { result, peak };
  };
  let cleanup = () => {};
  try {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-loader-mem-'));
    cleanup = () => rmSync(cacheDir, { recursive: true, force: true });
    const { result: p, peak } = await measure(async (onProgress) => (await openModelSource(REPO, { hubHost: own.url, cacheDir, onProgress })).localPath('onnx/model.onnx_data'));
    assert.equal((await fsp.stat(p)).size, SIZE);
    // Measured ~16 MiB whether the file is 64 or 256 MiB (fetch's read-ahead, buffers V8 frees
    // lazily): bounded, not proportional to the file.
    assert.ok(peak < SIZE / 2, `live JS buffers grew by ${(peak / 2 ** 20).toFixed(1)} MiB while streaming ${SIZE / 2 ** 20} MiB to disk`);
    assert.ok(Buffer.compare(await fsp.readFile(p), Buffer.from(big.buffer)) === 0);
    // Control: bytes() without a cache must hold the whole file, and the measurement sees it.
    const { result: bytes, peak: inMemory } = await measure(async (onProgress) => (await openModelSource(REPO, { hubHost: own.url, cache: false, onProgress })).bytes('onnx/model.onnx_data'));
    assert.equal(bytes.byteLength, SIZE);
    assert.ok(inMemory >= SIZE, `control saw ${(inMemory / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    await own.close();
    cleanup();
  }
});
