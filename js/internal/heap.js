// The one way JS allocates in, copies into and reads out of the wasm heap.
//
// - Addresses are unsigned: a direct wasm export such as _malloc returns an i32, which JS sees
//   as negative above 2 GiB (the heap may grow to 4 GiB), so every address passes through `>>> 0`.
// - Views are re-taken from core.HEAPU8 on every use: memory growth replaces the ArrayBuffer.
// - A failed allocation is always a CapacityError naming what it was for.
import { CapacityError } from '../errors.js';

/** Allocates `bytes` (at least 4) for `what`; the caller frees with free(). */
export function malloc(core, bytes, what = 'wasm heap') {
  const size = Math.max(bytes, 4);
  const address = core._malloc(size) >>> 0;
  if (!address) throw new CapacityError(`cannot allocate ${size} bytes in the wasm heap (${what})`);
  return address;
}

export function free(core, address) {
  if (address) core._free(address);
}

/** Copies a typed array into the heap at `address`. */
export function copyIn(core, address, array) {
  core.HEAPU8.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), address >>> 0);
}

/** A fresh allocation holding a copy of `array`; the caller frees it. */
export function heapCopy(core, array, what) {
  const address = malloc(core, array.byteLength, what);
  copyIn(core, address, array);
  return address;
}

/** Allocations freed together (a batch's temporaries): alloc() as often as needed, then freeAll(). */
export class HeapTemps {
  #core;
  #addresses = [];
  constructor(core) { this.#core = core; }
  alloc(bytes, what) { const a = malloc(this.#core, bytes, what); this.#addresses.push(a); return a; }
  copy(array, what) { const a = this.alloc(array.byteLength, what); copyIn(this.#core, a, array); return a; }
  freeAll() { this.#addresses.forEach((a) => free(this.#core, a)); this.#addresses = []; }
}

/** Copies each typed array into the heap, runs fn(addresses), frees them all. */
export function withHeapCopies(core, arrays, fn) {
  const temps = new HeapTemps(core);
  try {
    return fn(arrays.map((a) => temps.copy(a)));
  } finally {
    temps.freeAll();
  }
}

/** withHeapCopies for one array: fn(address). */
export function withHeapCopy(core, array, fn) {
  return withHeapCopies(core, [array], ([address]) => fn(address));
}

/** A copy of `count` elements of type `Type` (Float32Array, Int32Array ...) at `address`. */
export function readArray(core, Type, address, count) {
  return new Type(core.HEAPU8.buffer, address >>> 0, count).slice();
}

/**
 * A reusable allocation owned by one object: inputs are copied in and results written out through
 * it, so a hot call does no malloc/free. Grows by 1.5x; release(keepBytes) frees it when larger,
 * so one huge call does not hold memory for good.
 */
export class HeapScratch {
  #core;
  #address = 0;
  #bytes = 0;
  #what;

  constructor(core, what = 'scratch space') {
    this.#core = core;
    this.#what = what;
  }

  /** Returns an address of at least `bytes` bytes (16-byte aligned by malloc), growing if needed. */
  ensure(bytes) {
    if (bytes > this.#bytes) {
      this.free();
      const size = Math.max(bytes, 256, Math.ceil(this.#bytes * 1.5));
      this.#address = malloc(this.#core, size, this.#what);
      this.#bytes = size;
    }
    return this.#address;
  }

  /** A Uint8Array over the whole area (valid until the next call that may grow the heap). */
  view() {
    return this.#core.HEAPU8.subarray(this.#address, this.#address + this.#bytes);
  }

  /** Frees the area when it is larger than keepBytes. */
  release(keepBytes) {
    if (this.#bytes > keepBytes) this.free();
  }

  free() {
    free(this.#core, this.#address);
    this.#address = 0;
    this.#bytes = 0;
  }
}

/** Reads n search results written by the core as parallel uint32 ids / float32 scores. */
export function readHits(core, idsAddress, scoresAddress, n) {
  const ids = new Uint32Array(core.HEAPU8.buffer, idsAddress >>> 0, n);
  const scores = new Float32Array(core.HEAPU8.buffer, scoresAddress >>> 0, n);
  const hits = new Array(n);
  for (let i = 0; i < n; i++) hits[i] = { id: ids[i], score: scores[i] };
  return hits;
}

/** Builds an allow-list bitset (Uint32Array words, bit s = slot s) from a predicate over slot ids. */
export function bitsetFromIds(slotIds, keep) {
  const bits = new Uint32Array(((slotIds.length + 63) >>> 6) * 2);
  for (let s = 0; s < slotIds.length; s++) {
    if (keep(slotIds[s])) bits[s >>> 5] |= 1 << (s & 31);
  }
  return bits;
}
