// An in-test HTTP server on 127.0.0.1 with the Hugging Face Hub's file layout
// (/{org}/{name}/resolve/{revision}/{file}) plus plain folders, and per-path misbehaviour
// (status codes, truncated bodies, stalls, wrong content) for loader tests. Counts requests.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';

/**
 * files: { '/org/name/resolve/main/config.json': Uint8Array|string, ... } (URL path -> body).
 * Resolves to { url, hits(path, method?), rule(path, behaviour), close() }. A behaviour is
 * { status, errorCode? } | { body } | { truncateAt, truncateTimes? } | { stallAfter } |
 * { failTimes, status } (fails that many times with `status`, then serves normally) |
 * { truncateAt, truncateTimes, nextBody } (the file changes after the truncated answers) |
 * { truncateAt, truncateTimes, emptyResume } (every Range request gets a 206 with no bytes) |
 * { dripEveryMs } (one byte per interval) | { contentLength } (a Content-Length header that lies).
 * errorCode is sent as X-Error-Code, as the Hub does (RepoNotFound, RevisionNotFound, ...).
 */
export async function startHubServer(files) {
  const bodies = new Map(Object.entries(files).map(([p, b]) => [p, typeof b === 'string' ? Buffer.from(b) : Buffer.from(b)]));
  const rules = new Map();
  const counts = new Map();
  const sockets = new Set();
  const ranges = [];
  const server = createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const id = `${req.method} ${p}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    // CORS like the Hub's, so a page on another origin (COEP: require-corp) can load from here.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Accept-Ranges, Content-Range, Content-Length, X-Error-Code');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'GET, HEAD' });
      return res.end();
    }
    const rule = rules.get(p);
    if (rule?.failTimes != null && counts.get(id) <= rule.failTimes) return end(res, rule.status, 'failing on purpose');
    if (rule?.status && rule.failTimes == null) return end(res, rule.status, `HTTP ${rule.status}`, rule.errorCode);
    let body = rule?.body != null ? Buffer.from(rule.body) : bodies.get(p);
    if (rule?.nextBody != null && counts.get(id) > (rule.truncateTimes ?? 0)) body = Buffer.from(rule.nextBody);
    if (!body) return end(res, 404, 'Entry not found', rule?.errorCode);
    // Like the Hub's CDN: strong ETag and byte ranges.
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    const headers = { 'Content-Type': 'application/octet-stream', ETag: etag, 'Accept-Ranges': 'bytes' };
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && req.method === 'GET') {
      ranges.push({ path: p, from: Number(range[1]) });
      const from = Number(range[1]);
      headers['Content-Range'] = `bytes ${from}-${body.length - 1}/${body.length}`;
      body = body.subarray(from);
      status = 206;
    }
    if (status === 206 && rule?.emptyResume) body = body.subarray(0, 0); // a resume answered with no bytes
    headers['Content-Length'] = rule?.contentLength ?? body.length;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return res.end();
    const getCount = counts.get(id);
    if (rule?.truncateAt != null && (rule.truncateTimes == null || getCount <= rule.truncateTimes)) {
      // Send part of the body, then drop the connection: Content-Length promised more.
      res.write(body.subarray(0, Math.min(rule.truncateAt, body.length - 1)), () => setTimeout(() => req.socket.destroy(), 100));
      return;
    }
    if (rule?.stallAfter != null) {
      res.write(body.subarray(0, rule.stallAfter)); // ...and never anything else
      return;
    }
    if (rule?.dripEveryMs != null) {
      // One byte at a time: never silent, but far too slow to ever finish.
      let at = 0;
      const timer = setInterval(() => {
        if (at >= body.length || res.destroyed) { clearInterval(timer); res.end(); return; }
        res.write(body.subarray(at, at + 1));
        at += 1;
      }, rule.dripEveryMs);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: (p, method = 'GET') => counts.get(`${method} ${p}`) ?? 0,
    /** Range requests seen: [{ path, from }]. */
    ranges: () => [...ranges],
    totalHits: () => [...counts.values()].reduce((a, b) => a + b, 0),
    rule: (p, behaviour) => (behaviour ? rules.set(p, behaviour) : rules.delete(p)),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function end(res, status, text, errorCode) {
  const headers = { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) };
  if (errorCode) headers['X-Error-Code'] = errorCode;
  res.writeHead(status, headers);
  res.end(text);
}
