// Node: replace a file atomically. The bytes go to `<file>.<random>.tmp` in the same folder, are
// fsynced, then renamed over `<file>` and the folder entry is fsynced: a crash leaves the old file
// or the new one, never a mix. A failed write removes its temporary. Temporaries that a killed
// process left behind (kill -9 between write and rename) are removed by the next write of the
// same file once they are older than STALE_MS (a younger one may belong to a concurrent writer).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const STALE_MS = 10 * 60 * 1000;

/** The temporary name pattern of `file`'s atomic writes. */
function tempPattern(file) {
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${base}\\.[0-9a-f]{12}\\.tmp$`);
}

/** Removes `file`'s leftover temporaries older than STALE_MS; returns how many were removed. */
export async function removeStaleTemps(file, { now = Date.now(), staleMs = STALE_MS } = {}) {
  const dir = path.dirname(path.resolve(file));
  const pattern = tempPattern(file);
  let removed = 0;
  let names;
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const p = path.join(dir, name);
    try {
      if (now - (await fs.stat(p)).mtimeMs >= staleMs) {
        await fs.rm(p, { force: true });
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

/**
 * Writes `data` (bytes, or an async function that writes through a FileHandle) to `file`
 * atomically. Throws the file system's error (its `path` is the target, not the temporary).
 */
export async function writeFileAtomic(file, data) {
  await removeStaleTemps(file);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(tmp, 'w', 0o644);
    try {
      if (typeof data === 'function') await data(handle);
      else await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    if (err && typeof err === 'object' && err.path === tmp) err.path = file;
    throw err;
  }
  // Persist the rename itself (the folder entry). Not possible on every platform: best effort.
  try {
    const dir = await fs.open(path.dirname(path.resolve(file)), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // EISDIR / EPERM where a folder cannot be fsynced
  }
}
