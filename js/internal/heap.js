// A reusable wasm heap allocation owned by one index object: queries are copied in and results
// written out through it, so a search does no malloc/free. Views are re-taken from core.HEAPU8
// on every use because memory growth replaces the underlying ArrayBuffer.
import { CapacityError } from '../errors.js';

export class HeapScratch {
  #core;
  #address = 0;
  #bytes = 0;

  constructor(core) {
    this.#core = core;
  }

  /** Returns an address of at least `bytes` bytes (16-byte aligned by malloc), growing if needed. */
  ensure(bytes) {
    if (bytes > this.#bytes) {
      this.free();
      const size = Math.max(bytes, 256, Math.ceil(this.#bytes * 1.5));
      const address = this.#core._malloc(size);
      if (!address) throw new CapacityError(`cannot allocate ${size} bytes of scratch space in the wasm heap`);
      this.#address = address;
      this.#bytes = size;
    }
    return this.#address;
  }

  free() {
    if (this.#address) this.#core._free(this.#address);
    this.#address = 0;
    this.#bytes = 0;
  }
}

/** Copies a typed array into the heap at `address` (no alignment assumptions beyond 4 bytes). */
export function copyIn(core, address, array) {
  core.HEAPU8.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), address);
}

/** Reads n search results written by the core as parallel uint32 ids / float32 scores. */
export function readHits(core, idsAddress, scoresAddress, n) {
  const ids = new Uint32Array(core.HEAPU8.buffer, idsAddress, n);
  const scores = new Float32Array(core.HEAPU8.buffer, scoresAddress, n);
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
