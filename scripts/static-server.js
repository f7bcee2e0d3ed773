// Static file server on 127.0.0.1 for browser tests and the demo: serves folders with the
// cross-origin isolation headers (COOP/COEP) that WASM threads need, and correct MIME types.
// Shared by tests/helpers/server.js and demo/serve.js (no dependencies beyond node:).
import { createServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';

export const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.model': 'application/octet-stream', '.map': 'application/json',
  '.jsonl': 'application/x-ndjson; charset=utf-8', '.csv': 'text/csv; charset=utf-8', '.ico': 'image/x-icon',
};

/**
 * Starts a server. `mounts` maps URL prefixes to folders ({ '/': repoRoot }); the longest prefix wins.
 * `redirects` maps exact paths to locations ({ '/': '/demo/' }).
 * `transform(file, text)` may rewrite text files (.js/.mjs/.html) before they are sent (returns a
 * string, or undefined to send the file as it is).
 * `stall(method, pathname)` true: the request is never answered (a server that hangs; tests of
 * what a client does then). The connection stays open until close().
 * `cacheControl(pathname)` may return a Cache-Control value for a file (default 'no-cache'), e.g.
 * 'immutable' for content-hashed names.
 * `tls` ({ key, cert } PEM): serve HTTP/2 over TLS (HTTP/1.1 still answered, by ALPN), as a static
 * host or CDN does; benchmarks use it to measure what a browser's 6 HTTP/1.1 connections cost.
 * Resolves to { url, port, close() }.
 */
export async function startStaticServer({ mounts, port = 0, host = '127.0.0.1', isolate = true, redirects = {}, transform, log, stall, cacheControl, tls }) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const handler = async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      const pathname = decodeURIComponent(url.pathname);
      log?.(`${req.method} ${pathname}`);
      if (stall?.(req.method, pathname)) return;
      if (Object.hasOwn(redirects, pathname)) {
        res.writeHead(302, { Location: redirects[pathname] });
        return res.end();
      }
      const [prefix, dir] = entries.find(([p]) => pathname.startsWith(p)) ?? [];
      if (!dir) return send(res, 404, 'not found');
      let file = path.resolve(dir, '.' + pathname.slice(prefix.length - (prefix.endsWith('/') ? 1 : 0)));
      if (file !== path.resolve(dir) && !file.startsWith(path.resolve(dir) + path.sep)) return send(res, 403, 'forbidden');
      let stat = await fs.stat(file).catch(() => null);
      if (stat?.isDirectory()) {
        file = path.join(file, 'index.html');
        stat = await fs.stat(file).catch(() => null);
      }
      if (!stat) return send(res, 404, 'not found');
      const headers = {
        'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': cacheControl?.(pathname) ?? 'no-cache',
      };
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        headers['Cross-Origin-Resource-Policy'] = 'same-origin';
      }
      if (transform && /\.(m?js|html)$/.test(file)) {
        const text = await fs.readFile(file, 'utf8');
        const out = transform(file, text);
        if (out !== undefined) {
          const body = Buffer.from(out, 'utf8');
          res.writeHead(200, { ...headers, 'Content-Length': body.length });
          return res.end(req.method === 'HEAD' ? undefined : body);
        }
      }
      res.writeHead(200, { ...headers, 'Content-Length': stat.size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch (err) {
      send(res, 500, String(err));
    }
  };
  const server = tls ? createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true }, handler) : createServer(handler);
  const sessions = new Set();  // HTTP/2 sessions, closed with the server (it has no closeAllConnections)
  server.on('session', (s) => { sessions.add(s); s.once('close', () => sessions.delete(s)); });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const actual = server.address().port;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${actual}`,
    port: actual,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      for (const s of sessions) s.destroy();
      server.close(resolve);
    }),
  };
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
