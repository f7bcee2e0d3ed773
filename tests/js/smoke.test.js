// Smoke path through the stack in Node: Embind-exported SIMD L2 normalization vs plain JS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { l2Normalize, version, InvalidArgumentError } from '../../js/index.js';
import { loadCore } from '../../js/diagnostics.js';

function referenceNormalize(x, dim) {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += x[r * dim + i] ** 2;
    const n = Math.max(Math.sqrt(s), 1e-12);
    for (let i = 0; i < dim; i++) out[r * dim + i] = x[r * dim + i] / n;
  }
  return out;
}

test('core version equals package.json version', async () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.equal(await version(), pkg.version);
});

test('l2Normalize matches a plain JS computation', async () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (const dim of [1, 3, 8, 384, 1023]) {
    const x = Float32Array.from({ length: dim * 4 }, rand);
    const got = await l2Normalize(x, dim);
    const want = referenceNormalize(x, dim);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `dim ${dim} index ${i}`);
  }
});

test('l2Normalize rejects bad input with typed errors', async () => {
  await assert.rejects(l2Normalize([1, 2, 3], 3), InvalidArgumentError);
  await assert.rejects(l2Normalize(new Float32Array(5), 2), /not a multiple/);
  await assert.rejects(l2Normalize(new Float32Array(4), 0), InvalidArgumentError);
});

// Returns the bytes of the wasm code section (id 10).
function codeSection(bytes) {
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0, shift = 0, b;
    do { b = bytes[p++]; size |= (b & 127) << shift; shift += 7; } while (b & 128);
    if (id === 10) return bytes.subarray(p, p + size);
    p += size;
  }
  return new Uint8Array();
}

test('the shipped .wasm validates and is built with SIMD', async () => {
  const bytes = readFileSync(path.join(REPO_ROOT, 'dist', 'wasmbed_core.wasm'));
  assert.ok(WebAssembly.validate(bytes));
  // Compile-time feature check (__wasm_simd128__ was defined) ...
  const core = await loadCore();
  assert.equal(core.simdEnabled(), true);
  // ... and the SIMD kernels are really there: f32x4.mul is 0xfd 0xe6 0x01 in the code section.
  const code = Buffer.from(codeSection(bytes));
  assert.ok(code.includes(Buffer.from([0xfd, 0xe6, 0x01])), 'no f32x4.mul opcode in the code section');
});
