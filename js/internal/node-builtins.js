// The Node built-ins wasmbed's Node-only paths use, behind the package import '#node-builtins'
// (package.json "imports"): Node resolves it to this file; bundlers building for browsers
// resolve it to node-builtins-browser.js. So no 'node:*' specifier is ever part of a browser
// graph (esbuild and webpack reject them; Vite replaces them with warnings), while Node code
// keeps reaching the built-ins with one `await import('#node-builtins')`.
export * as fs from 'node:fs/promises';
export * as path from 'node:path';
export * as os from 'node:os';
export * as url from 'node:url';
export * as workerThreads from 'node:worker_threads';
