// A tiny key-value store over IndexedDB for the demo's state (documents, passages, index bytes,
// a picked local model's files). Values are anything structured-cloneable. One transaction per
// put, so a crash mid-save leaves the previous value, never a mix.
const DB_NAME = 'wasmbed-demo';
const STORE = 'kv';

let dbPromise = null;

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this demo'));
    });
    dbPromise.catch(() => { dbPromise = null; });
  }
  return dbPromise;
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    let result;
    const req = fn(tx.objectStore(STORE));
    if (req) req.onsuccess = () => { result = req.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Writes several keys in one transaction (all or nothing). */
export function putAll(entries) {
  return run('readwrite', (s) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) s.delete(key);
      else s.put(value, key);
    }
  });
}

export function get(key) {
  return run('readonly', (s) => s.get(key));
}

export function clear() {
  return run('readwrite', (s) => s.clear());
}
