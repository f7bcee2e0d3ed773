// Browser model caches. Both only ever receive a complete, length-checked, validated body (the
// loader calls put() after the download finished), so an interrupted download stores nothing.
//
// - CacheApiStore (default): the Cache API, available in windows and workers on secure origins
//   (https, localhost). Entries carry their length so a damaged entry is dropped, not used.
// - OpfsStore: the Origin Private File System. createWritable() writes to a swap file and
//   replaces the target on close(), i.e. atomically; abort() discards it.
import { UnsupportedError } from '../errors.js';
import { keySegments } from './keys.js';
import { writeOpfsFile } from '../internal/opfs.js';

const BASE = 'https://wasmbed.cache/';

export class CacheApiStore {
  constructor(name = 'wasmbed-models-v1') {
    if (typeof caches === 'undefined') {
      throw new UnsupportedError('the Cache API is not available here (it needs a secure context: https or localhost); pass cache: false or cache: "opfs"');
    }
    this.name = name;
    this.kind = 'cache-api';
  }

  #open() {
    return caches.open(this.name);
  }

  #url(key) {
    return BASE + keySegments(key).join('/');
  }

  async get(key) {
    const cache = await this.#open();
    const res = await cache.match(this.#url(key));
    if (!res) return null;
    const want = Number(res.headers.get('x-wasmbed-length'));
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (!Number.isFinite(want) || bytes.byteLength !== want) {
      await cache.delete(this.#url(key)); // damaged entry: refetch rather than trust it
      return null;
    }
    return bytes;
  }

  async has(key) {
    const cache = await this.#open();
    return (await cache.match(this.#url(key))) != null;
  }

  async put(key, bytes) {
    const cache = await this.#open();
    const headers = { 'content-type': 'application/octet-stream', 'x-wasmbed-length': String(bytes.byteLength) };
    await cache.put(this.#url(key), new Response(bytes, { headers }));
  }

  async delete(key) {
    const cache = await this.#open();
    await cache.delete(this.#url(key));
  }

  async clear(prefix = '') {
    if (!prefix) {
      await caches.delete(this.name);
      return;
    }
    const cache = await this.#open();
    const start = BASE + keySegments(prefix).join('/') + '/';
    for (const req of await cache.keys()) {
      if (req.url.startsWith(start)) await cache.delete(req);
    }
  }
}

export class OpfsStore {
  constructor(folder = 'wasmbed-models-v1') {
    if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) {
      throw new UnsupportedError('the Origin Private File System is not available here; use cache: true (Cache API)');
    }
    // Without createWritable (Safari's main thread) a write could not be atomic: refuse up front
    // rather than leave an empty file that reads back as an entry.
    if (typeof FileSystemFileHandle !== 'undefined' && !('createWritable' in FileSystemFileHandle.prototype)) {
      throw new UnsupportedError('this browser cannot write OPFS files from this thread (no createWritable); use cache: true (Cache API)');
    }
    this.folder = folder;
    this.kind = 'opfs';
  }

  async #dir(segments, create) {
    let dir = await navigator.storage.getDirectory();
    for (const s of [this.folder, ...segments]) dir = await dir.getDirectoryHandle(s, { create });
    return dir;
  }

  async #file(key, create) {
    const parts = keySegments(key);
    try {
      const dir = await this.#dir(parts.slice(0, -1), create);
      return await dir.getFileHandle(parts[parts.length - 1], { create });
    } catch (err) {
      if (!create && (err.name === 'NotFoundError' || err.name === 'TypeMismatchError')) return null;
      throw err;
    }
  }

  async get(key) {
    const fh = await this.#file(key, false);
    if (!fh) return null;
    return new Uint8Array(await (await fh.getFile()).arrayBuffer());
  }

  async has(key) {
    return (await this.#file(key, false)) != null;
  }

  async put(key, bytes) {
    await writeOpfsFile(await this.#file(key, true), bytes);
  }

  async delete(key) {
    const parts = keySegments(key);
    try {
      const dir = await this.#dir(parts.slice(0, -1), false);
      await dir.removeEntry(parts[parts.length - 1]);
    } catch (err) {
      if (err.name !== 'NotFoundError') throw err;
    }
  }

  async clear(prefix = '') {
    const parts = prefix ? keySegments(prefix) : [];
    try {
      const root = await navigator.storage.getDirectory();
      if (parts.length === 0) {
        await root.removeEntry(this.folder, { recursive: true });
        return;
      }
      const dir = await this.#dir(parts.slice(0, -1), false);
      await dir.removeEntry(parts[parts.length - 1], { recursive: true });
    } catch (err) {
      if (err.name !== 'NotFoundError') throw err;
    }
  }
}
