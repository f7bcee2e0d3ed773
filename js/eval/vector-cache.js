// On-disk cache of corpus embeddings (Node), so a second evaluation of the same model, dtype,
// prompt and corpus (other cutoffs, other modes) skips embedding the corpus. One file per entry,
// named by a SHA-256 over everything that changes the vectors: model (for a local folder also the
// model file's size and mtime, so regenerating a model invalidates it), dtype, ONNX file, pooling,
// normalisation, max length, prompt text, output kind, and the texts themselves.
// File: "WBEVC001" | u32 meta length | meta JSON | zero padding to 4 | payload. Written to a
// temporary file in the same folder and renamed into place, so a reader never sees half a file;
// a file that does not check out (another version, truncated) is a miss, never an error.
import { defaultCacheDir } from '../index.js';

const MAGIC = 'WBEVC001';
const isNode = typeof process !== 'undefined' && Boolean(process.versions?.node);

/** SHA-256 hex of strings (length-prefixed, so ['ab','c'] and ['a','bc'] differ). */
export async function hashTexts(parts) {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  for (const p of parts) {
    const b = Buffer.from(p, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    h.update(len);
    h.update(b);
  }
  return h.digest('hex');
}

export class VectorCache {
  #dir;

  /** @private use VectorCache.open() */
  constructor(dir) { this.#dir = dir; }

  /** A cache in `dir` (default: <wasmbed cache dir>/eval); null outside Node or when no folder is known. */
  static async open(dir) {
    if (!isNode) return null;
    const base = dir ?? (await defaultCacheDir());
    if (!base) return null;
    const path = await import('node:path');
    return new VectorCache(dir ? dir : path.join(base, 'eval'));
  }

  get dir() { return this.#dir; }

  /** The cache key for a description of the vectors and the texts they are made from. */
  async key(description, texts) {
    return hashTexts([JSON.stringify(description), ...texts]);
  }

  async #file(key) {
    const path = await import('node:path');
    return path.join(this.#dir, `${key}.bin`);
  }

  /** { meta, payload: Uint8Array } or null (absent, or not a valid entry for this key). */
  async get(key) {
    const { readFile } = await import('node:fs/promises');
    let bytes;
    try {
      bytes = await readFile(await this.#file(key));
    } catch {
      return null;
    }
    if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) return null;
    const metaLength = bytes.readUInt32LE(8);
    if (12 + metaLength > bytes.length) return null;
    let meta;
    try {
      meta = JSON.parse(bytes.toString('utf8', 12, 12 + metaLength));
    } catch {
      return null;
    }
    const start = (12 + metaLength + 3) & ~3;
    if (meta.key !== key || bytes.length - start !== meta.payloadBytes) return null;
    const payload = new Uint8Array(bytes.buffer, bytes.byteOffset + start, meta.payloadBytes);
    return { meta, payload };
  }

  /** Stores payload under key (atomically: temp file + rename). */
  async put(key, meta, payload) {
    const { mkdir, open, rename, rm } = await import('node:fs/promises');
    await mkdir(this.#dir, { recursive: true });
    const metaBytes = Buffer.from(JSON.stringify({ ...meta, key, payloadBytes: payload.byteLength }), 'utf8');
    const header = Buffer.alloc((12 + metaBytes.length + 3) & ~3);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(metaBytes.length, 8);
    metaBytes.copy(header, 12);
    const file = await this.#file(key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.write(header);
        await fh.write(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/**
 * What identifies a loaded model for the cache: its source, and for a local folder the size and
 * mtime of the ONNX file in use (generated test models reuse folder names).
 */
export async function modelIdentity(source, info) {
  const id = { source: typeof source === 'string' ? source : '(in-memory model)', modelFile: info.modelFile, dtype: info.dtype };
  if (isNode && typeof source === 'string') {
    const { stat } = await import('node:fs/promises');
    const path = await import('node:path');
    try {
      const s = await stat(path.join(source, info.modelFile));
      id.source = path.resolve(source);
      id.size = s.size;
      id.mtimeMs = s.mtimeMs;
    } catch {
      // not a local folder: a Hub id or URL, identified by its name (pin `revision` for stability)
    }
  }
  return id;
}
