// Where test data lives. ../shared sits beside the checkout (read-only, may be absent on a user's
// machine: tests that need it skip with a message there, and fail under CI=true: helpers/skip.js).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnless } from './skip.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.WASMBED_SHARED ?? path.resolve(REPO_ROOT, '..', 'shared');
export const HAS_SHARED = existsSync(path.join(SHARED_DIR, 'README.md'));

/** Path inside ../shared, or null (with the reason logged once) when shared data is absent. */
export function sharedPath(...parts) {
  const p = path.join(SHARED_DIR, ...parts);
  return existsSync(p) ? p : null;
}

/** node:test `skip` option value: false when present, else a message naming what is missing (CI: throws). */
export function skipUnlessShared(...parts) {
  return skipUnless(sharedPath(...parts), `../shared/${parts.join('/')} is absent`);
}
