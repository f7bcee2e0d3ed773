// Saving and loading indexes, atomically:
//   Node      a file path: write `<path>.<random>.tmp`, fsync, rename over `<path>`, fsync the
//             directory. A crash leaves either the old file or the new one, never a mix.
//   browsers  a key in OPFS (default when navigator.storage.getDirectory exists) or IndexedDB.
//             The bytes go to a new entry first; then a small pointer record naming the current
//             entry is replaced (OPFS: createWritable() commits a whole file on close; IndexedDB:
//             new blob, pointer and deletion of the old blob in one transaction). Readers follow
//             the pointer, so they see the old or the new index, never a partial write.
// The saved bytes carry their own kind (vector / lexical / M3), so loadIndex() restores the right class.
import { M3Index } from '../../bge-m3/m3-index.js';
import { isM3Bytes } from '../../bge-m3/m3-format.js';
import { isNode } from '../../internal/core.js';
import { CorruptDataError, InvalidArgumentError, WasmbedError } from '../../errors.js';
import { LexicalIndex } from '../lexical-index.js';
import { VectorIndex } from '../vector-index.js';

const DB_NAME = 'wasmbed-indexes';
const DIR_NAME = 'wasmbed-indexes';

function toBytes(index) {
  if (index instanceof Uint8Array) return index;
  if (index && typeof index.save === 'function') return index.save();
  throw new InvalidArgumentError('saveIndex: index must be a VectorIndex, a LexicalIndex, an M3Index or a Uint8Array');
}

/** Restores a VectorIndex, LexicalIndex or M3Index from saved bytes, by the magic / kind in their header. */
export async function indexFromBytes(bytes) {
  if (isM3Bytes(bytes)) return M3Index.load(bytes);
  if (bytes.length < 12 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'WBIX') {
    throw new CorruptDataError(`index bytes are corrupt: ${bytes.length < 12 ? 'truncated' : 'bad magic (not a saved wasmbed index)'}`);
  }
  const kind = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
  if (kind === 1) return VectorIndex.load(bytes);
  if (kind === 2) return LexicalIndex.load(bytes);
  // Let the checksum decide whether this is corruption or a newer kind.
  return VectorIndex.load(bytes);
}

function checkKey(key) {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError('index key / path must be a non-empty string');
  return key;
}

function backendFor(options) {
  if (options.backend) {
    if (!['file', 'opfs', 'indexeddb'].includes(options.backend)) {
      throw new InvalidArgumentError(`backend must be 'file', 'opfs' or 'indexeddb', got ${String(options.backend)}`);
    }
    return options.backend;
  }
  if (isNode) return 'file';
  if (globalThis.navigator?.storage?.getDirectory) return 'opfs';
  if (globalThis.indexedDB) return 'indexeddb';
  throw new WasmbedError('no persistent storage here: need Node, OPFS or IndexedDB');
}

/**
 * Saves an index (or saved bytes) atomically.
 * @param {VectorIndex|LexicalIndex|M3Index|Uint8Array} index
 * @param {string} target  a file path in Node, a key in browsers
 * @param {{ backend?: 'file'|'opfs'|'indexeddb' }} [options]
 * @returns {Promise<number>} bytes written
 */
export async function saveIndex(index, target, options = {}) {
  checkKey(target);
  const bytes = toBytes(index);
  const backend = backendFor(options);
  if (backend === 'file') await writeFileAtomic(target, bytes);
  else if (backend === 'opfs') await opfsWrite(target, bytes);
  else await idbWrite(target, bytes);
  return bytes.length;
}

/**
 * Loads an index saved by saveIndex(). Resolves to a VectorIndex, LexicalIndex or M3Index (`raw: true`
 * gives the bytes), or null when nothing is stored under `target`.
 * @param {string} target
 * @param {{ backend?: 'file'|'opfs'|'indexeddb', raw?: boolean }} [options]
 */
export async function loadIndex(target, options = {}) {
  checkKey(target);
  const backend = backendFor(options);
  let bytes;
  if (backend === 'file') bytes = await readFileOrNull(target);
  else if (backend === 'opfs') bytes = await opfsRead(target);
  else bytes = await idbRead(target);
  if (bytes === null) return null;
  return options.raw ? bytes : indexFromBytes(bytes);
}

/** Deletes a stored index; resolves to false when there was none. */
export async function deleteIndex(target, options = {}) {
  checkKey(target);
  const backend = backendFor(options);
  if (backend === 'file') {
    const { rm } = await import('node:fs/promises');
    try {
      await rm(target);
      return true;
    } catch (err) {
      if (err.code === 'ENOENT') return false;
      throw err;
    }
  }
  if (backend === 'opfs') return opfsDelete(target);
  return idbDelete(target);
}

// ---------------------------------------------------------------- Node files

async function writeFileAtomic(file, bytes) {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  // Persist the rename itself (directory entry). Not supported on Windows: best effort there.
  try {
    const dir = await fs.open(path.dirname(path.resolve(file)), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // EISDIR / EPERM on platforms that cannot fsync a directory
  }
}

async function readFileOrNull(file) {
  const { readFile } = await import('node:fs/promises');
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

// ---------------------------------------------------------------- OPFS

// File names in OPFS: `<encoded key>.ptr` holds the name of the current `<encoded key>.<stamp>.bin`.
const enc = (key) => encodeURIComponent(key).replace(/\./g, '%2E');
const stamp = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

async function opfsDir() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR_NAME, { create: true });
}

async function writeOpfsFile(dir, name, data) {
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  try {
    await writable.write(data);
    await writable.close();
  } catch (err) {
    await writable.abort?.().catch(() => {});
    throw err;
  }
}

async function opfsPointer(dir, key) {
  try {
    const file = await (await dir.getFileHandle(`${enc(key)}.ptr`)).getFile();
    return JSON.parse(await file.text()).current ?? null;
  } catch (err) {
    if (err?.name === 'NotFoundError') return null;
    throw err;
  }
}

async function opfsWrite(key, bytes) {
  const dir = await opfsDir();
  const old = await opfsPointer(dir, key);
  const name = `${enc(key)}.${stamp()}.bin`;
  await writeOpfsFile(dir, name, bytes);
  await writeOpfsFile(dir, `${enc(key)}.ptr`, JSON.stringify({ current: name }));
  if (old && old !== name) await dir.removeEntry(old).catch(() => {});
}

async function opfsRead(key) {
  const dir = await opfsDir();
  const name = await opfsPointer(dir, key);
  if (!name) return null;
  const file = await (await dir.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}

async function opfsDelete(key) {
  const dir = await opfsDir();
  const name = await opfsPointer(dir, key);
  if (!name) return false;
  await dir.removeEntry(`${enc(key)}.ptr`);
  await dir.removeEntry(name).catch(() => {});
  return true;
}

// ---------------------------------------------------------------- IndexedDB

function idbOpen() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('blobs');
      req.result.createObjectStore('pointers');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idbDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new WasmbedError('IndexedDB transaction aborted'));
  });
}

function idbGet(store, key) {
  return new Promise((resolve, reject) => {
    const req = store.get(key);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idbWrite(key, bytes) {
  const db = await idbOpen();
  try {
    const tx = db.transaction(['blobs', 'pointers'], 'readwrite');
    const done = idbDone(tx);
    const pointers = tx.objectStore('pointers');
    const blobs = tx.objectStore('blobs');
    const old = await idbGet(pointers, key);
    const name = `${key}#${stamp()}`;
    blobs.put(bytes, name);
    pointers.put({ current: name }, key);
    if (old?.current) blobs.delete(old.current);
    await done;
  } finally {
    db.close();
  }
}

async function idbRead(key) {
  const db = await idbOpen();
  try {
    const tx = db.transaction(['blobs', 'pointers'], 'readonly');
    const ptr = await idbGet(tx.objectStore('pointers'), key);
    if (!ptr?.current) return null;
    const value = await idbGet(tx.objectStore('blobs'), ptr.current);
    if (value === undefined) throw new CorruptDataError(`IndexedDB: pointer for "${key}" names a missing entry`);
    return value instanceof Uint8Array ? value : new Uint8Array(value);
  } finally {
    db.close();
  }
}

async function idbDelete(key) {
  const db = await idbOpen();
  try {
    const tx = db.transaction(['blobs', 'pointers'], 'readwrite');
    const done = idbDone(tx);
    const old = await idbGet(tx.objectStore('pointers'), key);
    if (old?.current) {
      tx.objectStore('blobs').delete(old.current);
      tx.objectStore('pointers').delete(key);
    }
    await done;
    return Boolean(old?.current);
  } finally {
    db.close();
  }
}
