// wasmbed/esbuild: the esbuild plugin (Node only). One line in an esbuild build:
//
//   import * as esbuild from 'esbuild';
//   import { wasmbed } from 'wasmbed/esbuild';
//   await esbuild.build({ entryPoints: ['main.js'], bundle: true, format: 'esm', outdir: 'dist',
//     plugins: [wasmbed()] });
//
// It copies the files wasmbed's modules name with `new URL('…', import.meta.url)` (the core's
// .wasm, ONNX Runtime's .wasm and .mjs) to the outdir, points the bundle at them, and builds
// wasmbed's worker module for `{ worker: true }`. Needs `bundle: true` and `format: 'esm'`.
import type { Plugin } from 'esbuild';

/** The esbuild plugin. */
export function wasmbed(): Plugin;
