// The npm package as users get it: `npm pack`, install the tarball into an empty project, import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

test('npm pack tarball installs into an empty project and imports', { timeout: 240_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-pack-'));
  try {
    const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_loglevel: 'error' };
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: REPO_ROOT, env, stdio: 'pipe' });
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack produced no tarball');
    const listing = execFileSync('tar', ['-tzf', path.join(work, tgz)], { encoding: 'utf8' });
    for (const f of ['package/dist/wasmbed_core.wasm', 'package/dist/wasmbed_core.js', 'package/js/index.js', 'package/js/index.d.ts', 'package/js/cli.js']) {
      assert.ok(listing.includes(f), `${f} missing from the tarball`);
    }
    assert.ok(!listing.includes('package/wasm/'), 'C++ sources should not ship');
    const app = path.join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', path.join(work, tgz)], { cwd: app, env, stdio: 'pipe' });
    // A PATH holding only `node` proves the package needs no Emscripten (or anything else) at run time.
    const bin = path.join(work, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const out = execFileSync(path.join(bin, 'node'), ['--input-type=module', '-e',
      "const m = await import('wasmbed'); const v = await m.l2Normalize(new Float32Array([3, 4]), 2); console.log(await m.version(), v[0].toFixed(2), v[1].toFixed(2));"],
      { cwd: app, env: { PATH: bin, HOME: os.tmpdir() }, encoding: 'utf8' });
    assert.match(out.trim(), /^\d+\.\d+\.\d+ 0\.60 0\.80$/);
    assert.ok(existsSync(path.join(app, 'node_modules', '.bin', 'wasmbed')), 'bin entry not linked');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
