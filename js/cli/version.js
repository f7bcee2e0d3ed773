// `wasmbed version`: prints the package and wasm core versions and whether SIMD is on.
import { loadCore } from '../internal/core.js';
import { parseCommandArgs } from './args.js';

const USAGE = 'usage: wasmbed version\nPrints the wasmbed version and the wasm core build features.\n';

export async function run(argv, io) {
  const { exit } = parseCommandArgs('version', argv, { options: {}, usage: USAGE }, io);
  if (exit !== undefined) return exit;
  const core = await loadCore();
  io.stdout.write(`wasmbed ${core.version()} (wasm core, SIMD ${core.simdEnabled() ? 'on' : 'off'})\n`);
  return 0;
}
