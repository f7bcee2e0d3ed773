// Saved indexes in IndexedDB: a new blob, the pointer record naming it and the deletion of the old
// blob commit in one transaction, so readers see the old or the new index, never a partial write.
import { CorruptDataError, StorageError } from '../../errors.js';
import { stamp } from './stamp.js';

const DB_NAME = 'wasmbed-indexes';

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
    tx.onabort = tx.onerror = () => reject(tx.error ?? new StorageError('IndexedDB transaction aborted', { code: 'AbortError' }));
  });
}

function idbGet(store, key) {
  return new Promise((resolve, reject) => {
    const req = store.get(key);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function write(key, bytes) {
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

export async function read(key) {
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

export async function remove(key) {
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
