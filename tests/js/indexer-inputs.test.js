// wasmbed/indexer input side: corpus reading (folders, HTML, JSONL, CSV) with typed, line-numbered
// errors; .npy reading checked against files numpy wrote; vector import checks; export round trip.
// No model runs here (imported vectors), so the whole file takes well under a second of work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ParseError, InvalidArgumentError } from '../../js/index.js';
import { buildIndex, exportIndex, readBuild, readNpy, npyBytes } from '../../js/indexer/index.js';
import { readDocuments } from '../../js/indexer/documents.js';
import { firstInvalidUtf8 } from '../../js/indexer/utf8.js';
import { tempDir } from '../helpers/embedder-models.js';
import { skipUnless } from '../helpers/skip.js';

const PYTHON = '/usr/bin/python3';
const hasNumpy = (() => {
  try { execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

function files(dir, map) {
  for (const [name, body] of Object.entries(map)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const parseErrorAt = (file, line, field, pattern) => (err) => {
  assert.ok(err instanceof ParseError, `${err?.name}: ${err?.message}`);
  assert.equal(path.basename(err.file), file);
  assert.equal(err.line, line);
  assert.equal(err.field, field);
  assert.match(err.message, pattern);
  return true;
};

test('folders: .txt/.md/.html in sorted path order (ids = paths), HTML as visible text, other files ignored', async () => {
  const dir = files(tempDir('wasmbed-ix-'), {
    'b.md': '# B\n\nSecond.', 'a.txt': 'First.', 'sub/c.html': '<html><head><title>C page</title><style>p{}</style></head><body><h2>Head</h2><p>Body &amp; more.</p><script>x()</script></body></html>',
    'notes.bin': 'skip me', '.hidden.txt': 'skip me too',
  });
  const { docs, files: read } = await readDocuments([dir]);
  assert.deepEqual(docs.map((d) => d.id), ['a.txt', 'b.md', 'sub/c.html']);
  assert.equal(docs[2].text, 'C page\n\nHead\n\nBody & more.');
  assert.equal(read.length, 3);
  assert.match(read[0].sha256, /^[0-9a-f]{64}$/);
});

test('JSONL and CSV: chosen id, text (several joined), metadata and tags fields', async () => {
  const dir = files(tempDir('wasmbed-ix-'), {
    'r.jsonl': '{"key":"k1","title":"T1","body":"B1","lang":"en","tags":["x","y"]}\n\n{"key":2,"title":"T2","body":"B2","lang":"ko"}\n',
    'r.csv': 'key,title,body,lang,tags\nc1,"Quoted, title","multi\nline",en,a|b\n',
  });
  const { docs } = await readDocuments([path.join(dir, 'r.jsonl'), path.join(dir, 'r.csv')], { idField: 'key', textField: 'title,body', metadataFields: ['lang'], tagsField: 'tags' });
  assert.deepEqual(docs, [
    { id: 'k1', text: 'T1\n\nB1', metadata: { lang: 'en', tags: ['x', 'y'] } },
    { id: '2', text: 'T2\n\nB2', metadata: { lang: 'ko' } },
    { id: 'c1', text: 'Quoted, title\n\nmulti\nline', metadata: { lang: 'en', tags: ['a', 'b'] } },
  ]);
});

test('bad input is a ParseError naming file, line and field', async () => {
  const dir = files(tempDir('wasmbed-ix-'), {
    'missing-id.jsonl': '{"id":"a","text":"x"}\n{"text":"y"}\n',
    'missing-text.jsonl': '{"id":"a","text":"x"}\n\n{"id":"b"}\n',
    'dup.jsonl': '{"id":"a","text":"x"}\n{"id":"b","text":"y"}\n{"id":"a","text":"z"}\n',
    'bad-json.jsonl': '{"id":"a","text":"x"}\n{"id":\n',
    'dup.csv': 'id,text\nq,one\nq,two\n',
    'no-column.csv': 'name,text\nq,one\n',
    'ragged.csv': 'id,text\nq,one\nr,two,three\n',
  });
  const read = (name, opts) => readDocuments([path.join(dir, name)], opts);
  await assert.rejects(read('missing-id.jsonl'), parseErrorAt('missing-id.jsonl', 2, 'id', /missing/));
  await assert.rejects(read('missing-text.jsonl'), parseErrorAt('missing-text.jsonl', 3, 'text', /missing/));
  await assert.rejects(read('dup.jsonl'), parseErrorAt('dup.jsonl', 3, 'id', /duplicate id "a" \(first at .*dup\.jsonl:1\)/));
  await assert.rejects(read('bad-json.jsonl'), parseErrorAt('bad-json.jsonl', 2, null, /not valid JSON/));
  await assert.rejects(read('dup.csv'), parseErrorAt('dup.csv', 3, 'id', /duplicate id "q" \(first at .*dup\.csv:2\)/));
  await assert.rejects(read('no-column.csv'), parseErrorAt('no-column.csv', 1, 'id', /no such column \(columns: name, text\)/));
  await assert.rejects(read('ragged.csv'), parseErrorAt('ragged.csv', 3, null, /not valid CSV/));
  // The same id in two inputs (a folder document and a record) is a duplicate too.
  files(dir, { 'folder/x.txt': 'text', 'x.jsonl': '{"id":"x.txt","text":"again"}\n' });
  await assert.rejects(readDocuments([path.join(dir, 'folder'), path.join(dir, 'x.jsonl')]), parseErrorAt('x.jsonl', 1, 'id', /duplicate id "x.txt"/));
  await assert.rejects(readDocuments([path.join(dir, 'nope')]), InvalidArgumentError);
});

test('invalid UTF-8 is refused with the line of the first bad byte', async () => {
  const dir = tempDir('wasmbed-ix-');
  const good = Buffer.from('{"id":"a","text":"héllo"}\n{"id":"b","text":"ok"}\n');
  writeFileSync(path.join(dir, 'bad.jsonl'), Buffer.concat([good, Buffer.from('{"id":"c","text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
  await assert.rejects(readDocuments([path.join(dir, 'bad.jsonl')]), parseErrorAt('bad.jsonl', 3, null, /invalid UTF-8 \(byte 0xc3/));
  writeFileSync(path.join(dir, 'bad.txt'), Buffer.from([0x61, 0x0a, 0x0a, 0xed, 0xa0, 0x80])); // an encoded surrogate
  await assert.rejects(readDocuments([path.join(dir, 'bad.txt')]), parseErrorAt('bad.txt', 3, null, /invalid UTF-8/));
  assert.equal(firstInvalidUtf8(Buffer.from('aé€😀')), -1);
  assert.equal(firstInvalidUtf8(Uint8Array.of(0x61, 0xe0, 0x80, 0x80)), 1); // overlong
  assert.equal(firstInvalidUtf8(Uint8Array.of(0xf4, 0x90, 0x80, 0x80)), 0); // past U+10FFFF
  assert.equal(firstInvalidUtf8(Uint8Array.of(0x61, 0xe2, 0x82)), 1); // truncated
});

test('.npy files written by numpy (float32, float16, format 2.0) read back exactly; others are refused', { skip: skipUnless(hasNumpy, 'python3 with numpy is missing') }, () => {
  const dir = tempDir('wasmbed-ix-');
  execFileSync(PYTHON, ['-c', `
import numpy as np
rng = np.random.default_rng(7)
a = rng.standard_normal((5, 3)).astype(np.float32)
np.save('${dir}/f32.npy', a)
np.save('${dir}/f16.npy', a.astype(np.float16))
np.lib.format.write_array(open('${dir}/v2.npy', 'wb'), a, version=(2, 0))
a.tofile('${dir}/raw.f32')
np.save('${dir}/f64.npy', a.astype(np.float64))
np.save('${dir}/fortran.npy', np.asfortranarray(a))
np.save('${dir}/big.npy', a.astype('>f4'))
np.save('${dir}/rank1.npy', a[0])
`]);
  const raw = new Float32Array(Uint8Array.from(readFileSync(path.join(dir, 'raw.f32'))).buffer);
  for (const name of ['f32.npy', 'v2.npy']) {
    const r = readNpy(readFileSync(path.join(dir, name)), name);
    assert.deepEqual([r.count, r.dims, r.dtype], [5, 3, 'float32']);
    assert.deepEqual(r.data, raw);
  }
  const h = readNpy(readFileSync(path.join(dir, 'f16.npy')));
  assert.equal(h.dtype, 'float16');
  for (let i = 0; i < raw.length; i++) assert.ok(Math.abs(h.data[i] - raw[i]) <= Math.abs(raw[i]) * 1e-3 + 1e-4);
  const refused = { 'f64.npy': /dtype '<f8' is not supported/, 'fortran.npy': /Fortran-order/, 'big.npy': /big-endian/, 'rank1.npy': /2-D array .* shape \(3\)/ };
  for (const [name, pattern] of Object.entries(refused)) {
    assert.throws(() => readNpy(readFileSync(path.join(dir, name)), name), (err) => err instanceof ParseError && pattern.test(err.message) && err.message.startsWith(name));
  }
  const truncated = readFileSync(path.join(dir, 'f32.npy')).subarray(0, -4);
  assert.throws(() => readNpy(truncated, 't.npy'), (err) => err instanceof ParseError && /needs 60 data bytes, the file has 56/.test(err.message));
  // Our writer's files read in numpy.
  writeFileSync(path.join(dir, 'ours.npy'), npyBytes(raw, 5, 3));
  const back = execFileSync(PYTHON, ['-c', `import numpy as np; a = np.load('${dir}/ours.npy'); print(a.dtype, a.shape, bool((a == np.fromfile('${dir}/raw.f32', dtype='<f4').reshape(5, 3)).all()))`], { encoding: 'utf8' });
  assert.equal(back.trim(), 'float32 (5, 3) True');
});

test('--vectors import (.npy / raw f32 + ids) builds without a model; export writes .npy + JSONL back', async () => {
  const dir = tempDir('wasmbed-ix-');
  const count = 10;
  const dims = 4;
  const data = Float32Array.from({ length: count * dims }, (_, i) => Math.sin(i + 1));
  writeFileSync(path.join(dir, 'v.npy'), npyBytes(data, count, dims));
  writeFileSync(path.join(dir, 'v.f32'), new Uint8Array(data.buffer));
  writeFileSync(path.join(dir, 'ids.jsonl'), Array.from({ length: count }, (_, i) => JSON.stringify(i % 2 ? `id${i}` : { id: `id${i}`, text: `text ${i}`, lang: 'en' })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'ids.txt'), Array.from({ length: count }, (_, i) => `id${i}`).join('\n') + '\n');
  const built = await buildIndex({ out: path.join(dir, 'a'), vectors: path.join(dir, 'v.npy'), ids: path.join(dir, 'ids.jsonl'), metadataFields: 'lang', model: 'org/model', blockDocs: 3, partitions: 2 });
  assert.deepEqual([built.count, built.dims, built.blocks], [count, dims, 4]);
  // The static index is written from the imported vectors, under the model id given.
  const manifest = JSON.parse(readFileSync(path.join(built.index, 'manifest.json'), 'utf8'));
  assert.deepEqual([manifest.count, manifest.dims, manifest.partitions, manifest.model.id], [count, dims, 2, 'org/model']);
  const a = await readBuild(path.join(dir, 'a'));
  assert.deepEqual(a.vectors, data);
  assert.deepEqual(a.records[0], { id: 'id0', text: 'text 0', metadata: { lang: 'en' } });
  assert.deepEqual(a.records[1], { id: 'id1', text: '', metadata: {} });
  await buildIndex({ out: path.join(dir, 'b'), vectors: path.join(dir, 'v.f32'), dims, ids: path.join(dir, 'ids.txt'), writeIndex: false });
  assert.deepEqual((await readBuild(path.join(dir, 'b'))).vectors, data);

  const ex = await exportIndex({ dir: path.join(dir, 'a'), out: path.join(dir, 'out', 'vecs') });
  assert.deepEqual(readNpy(readFileSync(ex.files[0])).data, data);
  const lines = readFileSync(ex.files[1], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.id), a.ids);
  assert.deepEqual(lines[0], { id: 'id0', text: 'text 0', metadata: { lang: 'en' } });

  // Shape and id checks.
  const imp = (o) => buildIndex({ out: path.join(dir, 'x'), writeIndex: false, ...o });
  writeFileSync(path.join(dir, 'short.txt'), 'id0\nid1\n');
  await assert.rejects(imp({ vectors: path.join(dir, 'v.npy'), ids: path.join(dir, 'short.txt') }), (err) => err instanceof InvalidArgumentError && /lists 2 ids for 10 vectors/.test(err.message));
  await assert.rejects(imp({ vectors: path.join(dir, 'v.f32'), ids: path.join(dir, 'ids.txt') }), (err) => err instanceof InvalidArgumentError && /need --dims or --count/.test(err.message));
  await assert.rejects(imp({ vectors: path.join(dir, 'v.f32'), dims: 3, ids: path.join(dir, 'ids.txt') }), (err) => err instanceof ParseError && /do not make/.test(err.message));
  await assert.rejects(imp({ vectors: path.join(dir, 'v.npy'), dims: 5, ids: path.join(dir, 'ids.txt') }), (err) => err instanceof InvalidArgumentError && /4-dim vectors, dims says 5/.test(err.message));
  writeFileSync(path.join(dir, 'dup.txt'), Array.from({ length: count }, (_, i) => `id${i === 7 ? 2 : i}`).join('\n'));
  await assert.rejects(imp({ vectors: path.join(dir, 'v.npy'), ids: path.join(dir, 'dup.txt') }), parseErrorAt('dup.txt', 8, null, /duplicate id "id2" \(first at line 3\)/));
  const nan = data.slice();
  nan[6] = NaN;
  writeFileSync(path.join(dir, 'nan.npy'), npyBytes(nan, count, dims));
  await assert.rejects(imp({ vectors: path.join(dir, 'nan.npy'), ids: path.join(dir, 'ids.txt') }), (err) => err instanceof ParseError && /row 1 holds NaN at dimension 2/.test(err.message));
});
