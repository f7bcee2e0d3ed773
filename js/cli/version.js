// `wasmbed version`: prints the package and wasm core versions and whether SIMD is on.
import { loadCore } from '../core.js';

export async function run(argv, { stdout }) {
  if (argv.includes('--help')) {
    stdout.write('usage: wasmbed version\nPrints the wasmbed version and the wasm core build features.\n');
    return 0;
  }
  const core = await loadCore();
  stdout.write(`wasmbed ${core.version()} (wasm core, SIMD ${core.simdEnabled() ? 'on' : 'off'})\n`);
  return 0;
}
