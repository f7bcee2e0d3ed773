// scripts/static-server.js with { tls }: the static-index benchmark's HTTP/2 host. It answers
// HTTP/2 (ALPN h2) and HTTP/1.1 over TLS with the same files and headers, and close() ends open
// HTTP/2 sessions. A certificate made by openssl now; well under a second.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startStaticServer } from '../helpers/server.js';
import { selfSignedCert } from '../helpers/self-signed-cert.js';

let tmp, server;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmbed-h2-'));
  await fs.writeFile(path.join(tmp, 'part-0-0123456789abcdef.wbix'), Buffer.alloc(300_000, 7));
  server = await startStaticServer({ mounts: { '/': tmp }, tls: selfSignedCert() });
});

after(async () => {
  await server?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

test('{ tls } serves files over HTTP/2 and HTTP/1.1; close() ends open sessions', async () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const session = http2.connect(server.url, { rejectUnauthorized: false });
  const { headers, body } = await new Promise((resolve, reject) => {
    const req = session.request({ ':path': '/part-0-0123456789abcdef.wbix' });
    const chunks = [];
    let h;
    req.on('response', (x) => { h = x; });
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve({ headers: h, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
  assert.equal(headers[':status'], 200);
  assert.equal(headers['content-type'], 'application/octet-stream');
  assert.equal(headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(body.length, 300_000);
  assert.ok(body.every((b) => b === 7));

  const h1 = await new Promise((resolve, reject) => {
    https.get(`${server.url}/missing.bin`, { rejectUnauthorized: false }, (res) => { res.resume(); resolve(res); }).on('error', reject);
  });
  assert.equal(h1.httpVersion, '1.1');
  assert.equal(h1.statusCode, 404);

  const closed = new Promise((resolve) => session.once('close', resolve));
  await server.close();
  await closed;
  server = null;
});
