// Shipped code under js/ never imports models/ or tests/ (js/README.md): the test-model generator
// builds on js/, never the reverse. Checks every static and dynamic import specifier in js/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

const JS = path.join(REPO_ROOT, 'js');
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g;

test('js/ imports nothing from models/ or tests/', () => {
  // js/cli.js, the bin's command table, may forward `wasmbed make-model` to the generator's own
  // command: a dispatcher, not a library module anything imports.
  const files = readdirSync(JS, { recursive: true }).filter((f) => f.endsWith('.js') && f !== 'cli.js');
  assert.ok(files.length > 50, `found ${files.length} files under js/`);
  const bad = [];
  for (const f of files) {
    const file = path.join(JS, f);
    for (const [, , spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (!spec.startsWith('.')) continue;
      const target = path.relative(REPO_ROOT, path.resolve(path.dirname(file), spec));
      if (/^(models|tests)[\\/]/.test(target)) bad.push(`${path.relative(REPO_ROOT, file)} -> ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});
