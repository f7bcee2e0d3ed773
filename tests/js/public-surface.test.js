// The public surface: what js/index.js (and each subpath) exports at run time is exactly what its
// hand-written .d.ts declares as values (read with the TypeScript compiler, not a regex); error
// names survive minification; every wasm-backed class fails the same way after dispose().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import ts from 'typescript';
import * as wasmbed from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** Names of the value exports (classes, functions, consts) a .d.ts declares. */
function declaredValues(file) {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(file));
  return checker.getExportsOfModule(symbol)
    .filter((s) => s.flags & (ts.SymbolFlags.Value))
    .map((s) => s.name)
    .sort();
}

const ENTRIES = [
  ['.', 'js/index.js', 'js/index.d.ts'],
  ['./diagnostics', 'js/diagnostics.js', 'js/diagnostics.d.ts'],
  ['./convert', 'js/convert/index.js', 'js/convert/index.d.ts'],
  ['./quantize', 'js/quantize/index.js', 'js/quantize/index.d.ts'],
  ['./eval', 'js/eval/index.js', 'js/eval/index.d.ts'],
  ['./esbuild', 'js/esbuild/index.js', 'js/esbuild/index.d.ts'],
  ['./indexer', 'js/indexer/index.js', 'js/indexer/index.d.ts'],
];

for (const [subpath, js, dts] of ENTRIES) {
  test(`wasmbed${subpath.slice(1)}: run-time exports equal the declared values of ${dts}`, async () => {
    const mod = await import(path.join(REPO_ROOT, js));
    assert.deepEqual(Object.keys(mod).sort(), declaredValues(path.join(REPO_ROOT, dts)));
  });
}

test('error classes carry their names as strings (a minifier renaming classes cannot change err.name)', () => {
  const errors = Object.entries(wasmbed).filter(([, v]) => typeof v === 'function' && (v === wasmbed.WasmbedError || v.prototype instanceof wasmbed.WasmbedError));
  assert.ok(errors.length >= 10);
  for (const [name, Cls] of errors) {
    assert.equal(Object.getOwnPropertyDescriptor(Cls.prototype, 'name')?.value, name);
    // What a minifier does: the class's own name changes, the error's name must not.
    const Renamed = { b: class extends Cls {} }.b;
    assert.equal(Renamed.name, 'b');
    assert.equal(new Renamed('x').name, name);
    assert.equal(String(new Cls('boom')), `${name}: boom`);
  }
});

test('use after dispose is a DisposedError (an InvalidArgumentError) in every wasm-backed class', async () => {
  const tok = await wasmbed.Tokenizer.fromJSON({
    version: '1.0', model: { type: 'WordLevel', vocab: { a: 0, '[UNK]': 1 }, unk_token: '[UNK]' },
    pre_tokenizer: { type: 'Whitespace' },
  });
  const vectors = await wasmbed.VectorIndex.create({ dims: 2 });
  const lexical = await wasmbed.LexicalIndex.create();
  const heads = await wasmbed.BgeM3Heads.create({
    hiddenSize: 2, sparse: { weight: new Float32Array(2), bias: 0 },
    colbert: { weight: new Float32Array(4), bias: new Float32Array(2) }, droppedIds: [],
  });
  const m3 = await wasmbed.M3Index.create({ dims: 2 });
  const uses = [
    [tok, () => tok.encode('a')], [vectors, () => vectors.search([1, 0])], [lexical, () => lexical.search([0])],
    [heads, () => heads.sparseScore({ ids: new Int32Array(0), weights: new Float32Array(0) }, { ids: new Int32Array(0), weights: new Float32Array(0) })],
    [m3, () => m3.size],
  ];
  for (const [object, use] of uses) {
    use();
    object.dispose();
    object.dispose(); // idempotent
    assert.throws(use, (err) => err instanceof wasmbed.DisposedError && err instanceof wasmbed.InvalidArgumentError && /has been disposed/.test(err.message));
  }
});
