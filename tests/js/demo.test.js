// The demo's Node-side pieces: document parsing (demo/documents.js) and the server
// (demo/serve.js: COOP/COEP, redirects, bare-import rewriting for worker modules, path safety).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';

import { parseCsvRows, parseDocuments } from '../../demo/documents.js';
import { readImportMap, rewriteBareImports, startDemoServer } from '../../demo/serve.js';

test('parseDocuments: pasted text and .txt/.md files are one document each', () => {
  const paste = parseDocuments({ kind: 'paste', name: 'x', text: '  First line is the title\nsecond line' });
  assert.deepEqual(paste.docs, [{ title: 'First line is the title', text: '  First line is the title\nsecond line' }]);
  const md = parseDocuments({ kind: 'file', name: 'notes.MD', text: '\uFEFF# Notes\n\nbody' });
  assert.deepEqual(md.docs, [{ title: 'notes.MD', text: '# Notes\n\nbody' }]);
  assert.deepEqual(parseDocuments({ kind: 'file', name: 'empty.txt', text: ' \n ' }).docs, []);
});

test('parseDocuments: .jsonl takes text/content fields, titles and ids; bad lines are counted', () => {
  const text = [
    '{"id": "a1", "text": "alpha", "title": "Alpha"}',
    '{"content": "beta"}',
    '"gamma as a bare string"',
    'not json',
    '{"no_text": 1}',
    '',
    '{"ID": "c3", "Body": "delta"}',
  ].join('\r\n');
  const { docs, skipped } = parseDocuments({ kind: 'file', name: 'd.jsonl', text });
  assert.deepEqual(docs, [
    { title: 'Alpha', text: 'alpha', sourceId: 'a1' },
    { title: 'd.jsonl:2', text: 'beta' },
    { title: 'd.jsonl:3', text: 'gamma as a bare string' },
    { title: 'c3', text: 'delta', sourceId: 'c3' },
  ]);
  assert.equal(skipped, 2);
});

test('parseDocuments: .csv with a header uses its text column; quoted fields keep commas, quotes, newlines', () => {
  const text = 'id,title,text\n1,"Hello, world","He said ""hi""\nthen left"\n2,,second\n3,empty,\n';
  const { docs, skipped } = parseDocuments({ kind: 'file', name: 'x.csv', text });
  assert.deepEqual(docs, [
    { title: 'Hello, world', text: 'He said "hi"\nthen left', sourceId: '1' },
    { title: '2', text: 'second', sourceId: '2' },
  ]);
  assert.equal(skipped, 1);
});

test('parseDocuments: .csv without a header (STS-B layout) joins the non-numeric cells', () => {
  const { docs } = parseDocuments({ kind: 'file', name: 'sts.csv', text: 'A plane is taking off.,An air plane is taking off.,5.000\n' });
  assert.deepEqual(docs, [{ title: 'sts.csv:1', text: 'A plane is taking off.\nAn air plane is taking off.' }]);
  assert.deepEqual(parseCsvRows('a\tb\n"c\td"\te', '\t'), [['a', 'b'], ['c\td', 'e']]);
});

test('rewriteBareImports: only mapped bare specifiers change', () => {
  const map = { 'onnxruntime-web': '/ort/ort.mjs' };
  const src = [
    "import * as ort from 'onnxruntime-web';",
    'const m = await import("onnxruntime-web");',
    "import x from './local.js';",
    "const n = await import('onnxruntime-node');",
    "export { a } from 'onnxruntime-web';",
  ].join('\n');
  assert.equal(rewriteBareImports(src, map), [
    "import * as ort from '/ort/ort.mjs';",
    'const m = await import("/ort/ort.mjs");',
    "import x from './local.js';",
    "const n = await import('onnxruntime-node');",
    "export { a } from '/ort/ort.mjs';",
  ].join('\n'));
  assert.match(readImportMap()['onnxruntime-web'], /^\/node_modules\/onnxruntime-web\/dist\/ort\..*\.mjs$/);
});

let server;
before(async () => { server = await startDemoServer({ port: 0 }); });
after(async () => { await server?.close(); });

function get(pathname, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${pathname}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('demo server: cross-origin isolation headers, redirect, rewritten worker modules', async () => {
  const page = await get('/demo/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.body, /<script type="importmap">/);
  const root = await get('/');
  assert.equal(root.status, 302);
  assert.equal(root.headers.location, '/demo/');
  const backend = await get('/js/embedder/backend.js');
  assert.equal(backend.status, 200);
  assert.doesNotMatch(backend.body, /import\(['"]onnxruntime-web['"]\)/, 'bare specifier rewritten for workers');
  assert.match(backend.body, /\/node_modules\/onnxruntime-web\/dist\//);
  assert.equal(Number(backend.headers['content-length']), Buffer.byteLength(backend.body));
  const ort = await get(readImportMap()['onnxruntime-web'], 'HEAD');
  assert.equal(ort.status, 200);
  assert.match(ort.headers['content-type'], /javascript/);
  assert.equal((await get('/dist/wasmbed_core.wasm', 'HEAD')).headers['content-type'], 'application/wasm');
  assert.equal((await get('/demo/sample-docs.jsonl', 'HEAD')).status, 200);
});

test('demo server: no escaping the served folders', async () => {
  // An encoded '/' survives URL normalisation and would climb out of demo/ after decoding.
  assert.equal((await get('/demo/%2e%2e%2fpackage.json')).status, 403);
  assert.equal((await get('/models/..%2f..%2fpackage.json')).status, 403);
  for (const p of ['/js/../package.json', '/js/%2e%2e/package.json', '/nothing-here']) {
    const res = await get(p);
    assert.equal(res.status, 404, p);
    assert.doesNotMatch(res.body, /"name": "wasmbed"/);
  }
});
