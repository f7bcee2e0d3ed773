// Node model cache: one file per cache key under a directory, laid out as
//   <cacheDir>/hub/<host>/<org>/<name>/<revision>/<file path>
// so a model's .onnx and its external data sit side by side, as ONNX Runtime expects.
//
// Writes are atomic (js/internal/atomic-write.js): bytes go to a temp file in the same folder, are
// fsync'ed, then renamed over the final name (and the folder fsync'ed). A crash or failed
// download leaves at most a `<file>.<hex>.tmp` file that no reader ever opens, a later download
// into the folder sweeps once stale, and clear() removes.
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelLoadError } from '../errors.js';
import { keySegments } from './keys.js';
import { openAtomic } from '../internal/atomic-write.js';
import { concatBytes } from '../internal/bytes.js';

const BATCH = 1 << 20;
// Temporaries of atomic writes (`.partial`: the name wasmbed gave them before atomic-write.js).
const TEMP_NAME = /\.[0-9a-f]{12}\.tmp$|\.partial$/;

/** $WASMBED_CACHE_DIR, else $XDG_CACHE_HOME/wasmbed, else %LOCALAPPDATA%\wasmbed (Windows), else ~/.cache/wasmbed. */
export function defaultCacheDir() {
  const env = process.env;
  if (env.WASMBED_CACHE_DIR) return path.resolve(env.WASMBED_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'wasmbed');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'wasmbed');
  return path.join(os.homedir(), '.cache', 'wasmbed');
}

export class NodeDirCache {
  constructor(dir = defaultCacheDir()) {
    this.dir = path.resolve(dir);
    this.kind = 'directory';
  }

  /** Where `key` lives on disk (whether or not it is there yet). */
  pathFor(key) {
    return path.join(this.dir, ...keySegments(key));
  }

  /** { path, size } of the cached file, or null when absent. */
  async locate(key) {
    const p = this.pathFor(key);
    const st = await fsp.stat(p).catch(() => null);
    return st?.isFile() ? { path: p, size: st.size } : null;
  }

  async has(key) {
    return (await this.locate(key)) != null;
  }

  async get(key) {
    try {
      const buf = await fsp.readFile(this.pathFor(key));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'EISDIR') return null;
      throw err;
    }
  }

  async put(key, bytes) {
    const w = await this.begin(key);
    try {
      await w.write(bytes);
      await w.commit();
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  /** A streaming writer: write(chunk)* then commit() (atomic) or abort() (leaves nothing). */
  /** Bytes free on the cache folder's file system (null where the system cannot tell). */
  async freeBytes() {
    try {
      await fsp.mkdir(this.dir, { recursive: true });
      const st = await fsp.statfs(this.dir);
      return st.bavail * st.bsize;
    } catch {
      return null;
    }
  }

  async begin(key) {
    const final = this.pathFor(key);
    const folder = path.dirname(final);
    try {
      await fsp.mkdir(folder, { recursive: true });
    } catch (err) {
      throw new ModelLoadError(`cannot create cache folder ${folder}: ${err.message} (set cacheDir or WASMBED_CACHE_DIR)`, { cause: err });
    }
    await sweepStale(folder);
    const file = await openAtomic(final);
    const fh = file.handle;
    let written = 0;
    const head = [];
    let headLen = 0;
    let pending = [];
    let pendingBytes = 0;
    let inFlight = null;
    let failed = null;
    const flush = async () => {
      await inFlight;
      if (failed) throw failed;
      if (pendingBytes === 0) return;
      const bufs = pending;
      const size = pendingBytes;
      pending = [];
      pendingBytes = 0;
      inFlight = writeAll(fh, bufs, size).then(
        () => {
          written += size;
        },
        (err) => {
          failed = err;
        },
      );
    };
    return {
      path: final,
      get written() {
        return written;
      },
      /** First bytes written (up to 4 KiB), for format checks before commit. */
      head: () => concatBytes(head, headLen),
      // Chunks are gathered into ~1 MiB writev() calls, one in flight while the next fills:
      // few syscalls, and the network reader is only held up when the disk falls behind (so
      // memory stays bounded at ~2 MiB). The writer keeps references to chunks until written.
      async write(chunk) {
        if (failed) throw failed;
        if (headLen < 4096) {
          const part = chunk.subarray(0, 4096 - headLen);
          head.push(part.slice());
          headLen += part.length;
        }
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= BATCH) await flush();
      },
      async commit() {
        await flush();
        await inFlight;
        if (failed) throw failed;
        await file.commit();
      },
      async abort() {
        await inFlight;
        pending = [];
        await file.abort();
      },
    };
  }

  async delete(key) {
    await fsp.rm(this.pathFor(key), { force: true });
  }

  /** Removes every entry whose key starts with `prefix` (a whole path segment prefix), or all. */
  async clear(prefix = '') {
    const target = prefix ? path.join(this.dir, ...keySegments(prefix)) : this.dir;
    await fsp.rm(target, { recursive: true, force: true });
  }
}

// writev() of a batch, finishing any partial write (rare on regular files, but allowed).
async function writeAll(fh, bufs, size) {
  let { bytesWritten } = await fh.writev(bufs);
  if (bytesWritten === size) return;
  const all = Buffer.concat(bufs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
  while (bytesWritten < size) bytesWritten += (await fh.write(all, bytesWritten, size - bytesWritten)).bytesWritten;
}

// Temp files of downloads that died with their process (crash, kill -9). A day old is far past
// any live download's last write, so removing them cannot race one.
async function sweepStale(folder) {
  const names = await fsp.readdir(folder).catch(() => []);
  const cutoff = Date.now() - 24 * 3600 * 1000;
  for (const n of names) {
    if (!TEMP_NAME.test(n)) continue;
    const p = path.join(folder, n);
    const st = await fsp.stat(p).catch(() => null);
    if (st && st.mtimeMs < cutoff) await fsp.rm(p, { force: true }).catch(() => {});
  }
}

/** First `n` bytes of a file. */
export async function readHead(file, n = 4096) {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    const st = await fh.stat();
    return { head: new Uint8Array(buf.buffer, buf.byteOffset, bytesRead), size: st.size };
  } finally {
    await fh.close();
  }
}
