// The one rule for suites that need something outside the repo (Chromium, ../shared,
// onnxruntime-node): on a developer's machine they skip with a message naming what is missing;
// under CI=true they fail instead, so a green CI run proves every suite ran.

/** node:test `skip` value: false when nothing is missing; else the message, or (CI) an error. */
export function skipUnless(present, message) {
  if (present) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${message}: in CI this suite must run, not skip`);
  return `${message}: skipped`;
}
