#!/usr/bin/env node
// Serves the wasmbed search demo on 127.0.0.1 with the cross-origin isolation headers (COOP/COEP)
// that multi-threaded WebAssembly needs. Nothing is built or bundled: the page imports the package's
// own ES modules from /js/, the wasm core from /dist/, ONNX Runtime Web from /node_modules/,
// models from /models/ (models/generated/ by default, where `npm start` writes the demo model),
// and the prebuilt static index from /demo-index/ (models/generated/demo-index/index, which
// `npm start` builds with scripts/build-demo-index.js).
//
//   node demo/serve.js [--port 8080] [--host 127.0.0.1] [--models DIR] [--index DIR]
//   (or PORT / WASMBED_DEMO_PORT / WASMBED_DEMO_MODELS / WASMBED_DEMO_INDEX in the environment)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startStaticServer } from '../scripts/static-server.js';

const DEMO_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(DEMO_DIR, '..');

/**
 * The page's import map (the one in demo/index.html) applied to JS modules as they are served.
 * Chromium and Firefox do not apply a page's import map inside Web Workers, so a worker importing
 * the package's modules would fail on the bare 'onnxruntime-web' specifier; rewriting specifiers
 * on the way out is what dev servers (Vite, wds) do, and needs no build step.
 */
export function readImportMap(html = readFileSync(path.join(DEMO_DIR, 'index.html'), 'utf8')) {
  const m = html.match(/<script type="importmap">([\s\S]*?)<\/script>/);
  return m ? JSON.parse(m[1]).imports ?? {} : {};
}

/** The URL path the page opens the prebuilt static index from (demo/app.js's default). */
export const DEMO_INDEX_PATH = '/demo-index/';

// A static index's files other than manifest.json are named by their content's hash
// (docs/static-index.md): a browser or CDN may keep them forever.
const CONTENT_HASHED = /-[0-9a-f]{16}\.(wbix|json)$/;

export function rewriteBareImports(source, imports) {
  return source.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g, (all, head, quote, spec) =>
    Object.hasOwn(imports, spec) ? `${head}${quote}${imports[spec]}${quote}` : all);
}

/** Starts the demo server; resolves to { url, port, close() }. */
export async function startDemoServer({
  port = 8080, host = '127.0.0.1', modelsDir = path.join(ROOT, 'models', 'generated'),
  indexDir = path.join(ROOT, 'models', 'generated', 'demo-index', 'index'), mounts = {}, log,
  isolate = true, // false: no COOP/COEP headers, as most sites (tests of pages that are not isolated)
} = {}) {
  const imports = readImportMap();
  const ownCode = [path.join(ROOT, 'js') + path.sep, DEMO_DIR + path.sep];
  return startStaticServer({
    host,
    port,
    log,
    isolate,
    redirects: { '/': '/demo/', '/demo': '/demo/' },
    mounts: {
      '/demo/': DEMO_DIR,
      '/js/': path.join(ROOT, 'js'),
      '/dist/': path.join(ROOT, 'dist'),
      '/node_modules/onnxruntime-web/dist/': path.join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
      '/models/': path.resolve(modelsDir),
      // wasmbed's manifests (js/embedder/manifests.js fetches them next to js/; the picker reads
      // the sizes): the longer prefix wins over /models/.
      '/models/manifests/': path.join(ROOT, 'models', 'manifests'),
      [DEMO_INDEX_PATH]: path.resolve(indexDir),
      ...mounts, // extra folders (tests mount their pages here)
    },
    cacheControl: (pathname) => (CONTENT_HASHED.test(pathname) ? 'public, max-age=31536000, immutable' : undefined),
    transform: (file, text) =>
      /\.m?js$/.test(file) && ownCode.some((dir) => file.startsWith(dir)) ? rewriteBareImports(text, imports) : undefined,
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      models: { type: 'string' },
      index: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: node demo/serve.js [--port N] [--host ADDR] [--models DIR] [--index DIR] [--verbose]');
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? process.env.WASMBED_DEMO_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${values.port ?? process.env.PORT}`);
  const server = await startDemoServer({
    port,
    host: values.host ?? '127.0.0.1',
    modelsDir: values.models ?? process.env.WASMBED_DEMO_MODELS ?? undefined,
    indexDir: values.index ?? process.env.WASMBED_DEMO_INDEX ?? undefined,
    log: values.verbose ? (line) => console.log(line) : undefined,
  });
  console.log(`wasmbed demo: ${server.url}/demo/  (Ctrl+C to stop)`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(`wasmbed demo: ${err.message}`);
    process.exit(1);
  });
}
