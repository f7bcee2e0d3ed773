// Saving and loading indexes, atomically, in one of three backends:
//   file.js   Node: a file path, replaced atomically (temporary + fsync + rename).
//   opfs.js   browsers: a key in the Origin Private File System (default where available).
//   idb.js    browsers: a key in IndexedDB.
// The browser backends write the bytes to a new entry, then replace a small pointer record naming
// the current entry, so readers see the old or the new index, never a partial write.
// The saved bytes carry their own kind (vector / lexical / M3), so loadIndex() restores the right class.
import { M3Index } from '../../bge-m3/m3-index.js';
import { isM3Bytes } from '../../bge-m3/m3-format.js';
import { isNode } from '../../internal/env.js';
import { CorruptDataError, InvalidArgumentError, UnsupportedError } from '../../errors.js';
import { LexicalIndex } from '../lexical-index.js';
import { VectorIndex } from '../vector-index.js';

// Each backend module exports write(key, bytes), read(key) -> bytes | null, remove(key) -> boolean.
const BACKENDS = {
  file: () => import('./file.js'),
  opfs: () => import('./opfs.js'),
  indexeddb: () => import('./idb.js'),
};

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

/** The backend module for options.backend, or the first one this environment has. */
async function backendFor(options) {
  let name = options.backend;
  if (name !== undefined) {
    if (!Object.hasOwn(BACKENDS, name)) throw new InvalidArgumentError(`backend must be 'file', 'opfs' or 'indexeddb', got ${String(name)}`);
    const available = name === 'file' ? isNode : name === 'opfs' ? Boolean(globalThis.navigator?.storage?.getDirectory) : Boolean(globalThis.indexedDB);
    if (!available) throw new UnsupportedError(`backend '${name}' is not available here (${isNode ? 'Node has only' : 'browsers have no'} 'file')`);
  } else if (isNode) name = 'file';
  else if (globalThis.navigator?.storage?.getDirectory) name = 'opfs';
  else if (globalThis.indexedDB) name = 'indexeddb';
  else throw new UnsupportedError('no persistent storage here: need Node, OPFS or IndexedDB');
  return BACKENDS[name]();
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
  await (await backendFor(options)).write(target, bytes);
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
  const bytes = await (await backendFor(options)).read(target);
  if (bytes === null) return null;
  return options.raw ? bytes : indexFromBytes(bytes);
}

/** Deletes a stored index; resolves to false when there was none. */
export async function deleteIndex(target, options = {}) {
  checkKey(target);
  return (await backendFor(options)).remove(target);
}
