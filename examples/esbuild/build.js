// The esbuild build: esbuild's own options plus one line for wasmbed (`plugins: [wasmbed()]`),
// which copies wasmbed's and ONNX Runtime's runtime files to dist/ and builds the worker.
import * as esbuild from 'esbuild';
import { wasmbed } from 'wasmbed/esbuild';

await esbuild.build({
  entryPoints: ['main.js'],
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  outdir: 'dist',
  plugins: [wasmbed()],
});
