// wasmbed/esbuild: the esbuild plugin that makes an esbuild app work with one line,
// `plugins: [wasmbed()]`.
//
// Vite and webpack emit the files wasmbed names as `new URL('<path>', import.meta.url)` (the
// core's .wasm, ONNX Runtime's .wasm and .mjs) and build `new Worker(new URL('./worker.js',
// import.meta.url))` as a worker chunk. esbuild does neither (evanw/esbuild#795, open). This
// plugin does both, for wasmbed's own files only:
//   - a file: the expression becomes `new URL(<import of the file>, import.meta.url)`, the import
//     loaded with esbuild's `file` loader, so esbuild copies the file to the outdir (content-hashed
//     name, assetNames) and puts its path relative to the importing chunk in the bundle;
//   - a worker: the worker module is bundled by a nested esbuild build (ESM, this plugin again)
//     and the result emitted the same way, as one self-contained file.
// Node only (it reads files); the app's code is never touched.
import { readFile } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { urlExpressions } from './url-expressions.js';

const NAME = 'wasmbed';
const ASSET = 'wasmbed-asset';
const WORKER = 'wasmbed-worker';
// wasmbed's js/ folder, symlinks resolved as esbuild resolves them.
const JS_DIR = realpathSync(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

// Options a worker build inherits from the app's build (how code is resolved and transformed);
// format, bundling, splitting and output are the plugin's.
const INHERITED = ['minify', 'minifyWhitespace', 'minifyIdentifiers', 'minifySyntax', 'target', 'define', 'conditions',
  'mainFields', 'nodePaths', 'alias', 'loader', 'resolveExtensions', 'legalComments', 'charset', 'drop', 'dropLabels',
  'pure', 'keepNames', 'absWorkingDir', 'preserveSymlinks', 'supported', 'sourcemap', 'sourceRoot',
  'sourcesContent', 'publicPath', 'assetNames', 'tsconfig', 'tsconfigRaw', 'jsx', 'external', 'packages'];

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The esbuild plugin. Needs `bundle: true` and `format: 'esm'` (wasmbed uses import.meta.url and
 * module workers).
 * @returns {import('esbuild').Plugin}
 */
export function wasmbed() {
  return {
    name: NAME,
    setup(build) {
      const options = build.initialOptions;
      build.onStart(() => {
        const problems = [];
        if (!options.bundle) problems.push('bundle: true');
        if (options.format !== 'esm') problems.push("format: 'esm'");
        if (!problems.length) return undefined;
        return { errors: [{ text: `the wasmbed plugin needs ${problems.join(' and ')} (wasmbed's files are ES modules that name their runtime files with import.meta.url and start a module worker)` }] };
      });

      // wasmbed's own modules, and ONNX Runtime's bundles (their .wasm next to them, for the
      // builds wasmbed gives no file locations: 'wasmbed/webgpu'): rewrite their URL expressions.
      const rewrite = async (args) => {
        const src = await readFile(args.path, 'utf8');
        const found = urlExpressions(src);
        if (!found.length) return undefined;
        const dir = path.dirname(args.path);
        let out = '';
        let imports = '';
        let last = 0;
        for (const [n, expr] of found.entries()) {
          const target = await resolveTarget(build, expr.specifier, dir);
          const id = `__wasmbed_url_${n}`;
          imports += `import ${id} from ${JSON.stringify(`${expr.worker ? WORKER : ASSET}:${target}`)};\n`;
          out += `${src.slice(last, expr.start)}new URL(${id}, import.meta.url)`;
          last = expr.end;
        }
        // The imports go first: ES module imports are hoisted anyway, and line numbers only shift.
        return { contents: imports + out + src.slice(last), loader: 'js', resolveDir: dir };
      };
      build.onLoad({ filter: new RegExp(`^${escapeRegExp(JS_DIR + path.sep)}.*\\.js$`) }, rewrite);
      build.onLoad({ filter: /[\\/]onnxruntime-web[\\/]dist[\\/]ort\.[^\\/]*bundle[^\\/]*\.mjs$/ }, rewrite);

      build.onResolve({ filter: new RegExp(`^(${ASSET}|${WORKER}):`) }, (args) => {
        const colon = args.path.indexOf(':');
        return { path: args.path.slice(colon + 1), namespace: args.path.slice(0, colon) };
      });

      // A runtime file, copied as is.
      build.onLoad({ filter: /.*/, namespace: ASSET }, async (args) => ({
        contents: await readFile(args.path), loader: 'file', watchFiles: [args.path],
      }));

      // A worker module, bundled on its own (ESM, no splitting: one file) and emitted as a file.
      build.onLoad({ filter: /.*/, namespace: WORKER }, async (args) => {
        const inherited = Object.fromEntries(INHERITED.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
        const result = await build.esbuild.build({
          ...inherited,
          entryPoints: [args.path],
          // Its chunk lands where the file loader puts it (assetNames), so its own asset paths
          // resolve there too.
          entryNames: options.assetNames ?? '[name]-[hash]',
          outdir: options.outdir ?? (options.outfile ? path.dirname(options.outfile) : 'out'),
          bundle: true, format: 'esm', platform: options.platform ?? 'browser', splitting: false,
          write: false, metafile: true, sourcemap: options.sourcemap ? 'inline' : false,
          logLevel: 'silent', // its warnings are returned to the app's build, which reports them once
          plugins: [wasmbed()],
        });
        const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
        return {
          contents: js.contents, loader: 'file', warnings: result.warnings,
          watchFiles: Object.keys(result.metafile.inputs).map((f) => path.resolve(options.absWorkingDir ?? process.cwd(), f.replace(/^[\w-]+:/, ''))),
        };
      });
    },
  };
}

/** The absolute path a URL expression's specifier names: a file relative to the module, else a package path. */
async function resolveTarget(build, specifier, dir) {
  const relative = path.resolve(dir, specifier);
  if (specifier.startsWith('./') || specifier.startsWith('../') || existsSync(relative)) return relative;
  const r = await build.resolve(specifier, { resolveDir: dir, kind: 'import-statement' });
  if (r.errors.length) throw new Error(`wasmbed esbuild plugin: cannot resolve ${specifier} from ${dir}: ${r.errors[0].text}`);
  return r.path;
}

