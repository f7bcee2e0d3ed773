// Node: replace a file atomically. The bytes go to `<file>.<random>.tmp` in the same folder, are
// fsynced, then renamed over `<file>` and the folder entry is fsynced: a crash leaves the old file
// or the new one, never a mix. A failed write removes its temporary. Temporaries that a killed
// process left behind (kill -9 between write and rename) are removed by the next write of the
// same file once they are older than STALE_MS (a younger one may belong to a concurrent writer).
//
// writeFileAtomic() writes a whole file in one call; openAtomic() is the same in steps, for
// writers that stream (model downloads, ONNX models with external data) or commit two files
// together.
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

// Node's errors name the path they used: name the target, not the temporary.
function targetError(err, tmp, file) {
  if (err && typeof err === 'object' && err.path === tmp) err.path = file;
  return err;
}

/**
 * Starts an atomic write of `file`: { handle, tempPath, write(chunk), commit(), abort() }.
 * `handle` is the temporary's FileHandle (for writev batching); write() appends a whole Uint8Array; commit()
 * fsyncs and renames it over `file`; abort() removes it. After a failed commit(), call abort().
 * Throws the file system's error (its `path` is the target, not the temporary).
 */
export async function openAtomic(file) {
  await removeStaleTemps(file);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  let handle;
  try {
    handle = await fs.open(tmp, 'w', 0o644);
  } catch (err) {
    throw targetError(err, tmp, file);
  }
  let open = true;
  const close = async () => {
    if (!open) return;
    open = false;
    await handle.close();
  };
  return {
    handle,
    tempPath: tmp,
    async write(chunk) {
      try {
        // A write may be short (rare on regular files, but allowed): finish it.
        for (let done = 0; done < chunk.byteLength;) done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
      } catch (err) {
        throw targetError(err, tmp, file);
      }
    },
    async commit() {
      try {
        await handle.sync();
        await close();
        await fs.rename(tmp, file);
      } catch (err) {
        throw targetError(err, tmp, file);
      }
      await syncFolder(file);
    },
    async abort() {
      await close().catch(() => {});
      await fs.rm(tmp, { force: true }).catch(() => {});
    },
  };
}

/**
 * Writes `data` (bytes, or an async function that writes through a FileHandle) to `file`
 * atomically. Throws the file system's error (its `path` is the target, not the temporary).
 */
export async function writeFileAtomic(file, data) {
  const out = await openAtomic(file);
  try {
    if (typeof data === 'function') await data(out.handle);
    else await out.handle.writeFile(data);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw targetError(err, out.tempPath, file);
  }
}

// Persist the rename itself (the folder entry). Not possible on every platform: best effort.
async function syncFolder(file) {
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
