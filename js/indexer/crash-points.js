// Fault injection for the kill -9 tests (tests/js/indexer-resume.test.js): when the environment
// variable WASMBED_INDEXER_CRASH_AT names a point ('segment-written', 'checkpoint:2', ...), the
// process sends itself SIGKILL there, the same signal `kill -9` sends, at a moment a test could
// not hit reliably from outside (between two fsyncs, halfway through the final write). Unset, this
// costs one string comparison per checkpoint.
const target = typeof process !== 'undefined' ? process.env.WASMBED_INDEXER_CRASH_AT : undefined;
const counts = new Map();

/** Kills the process with SIGKILL when `point` (or its n-th pass, 'point:n') is the target. */
export function crashPoint(point) {
  if (!target) return;
  const n = (counts.get(point) ?? 0) + 1;
  counts.set(point, n);
  if (target === point || target === `${point}:${n}`) process.kill(process.pid, 'SIGKILL');
}
