// The base of every JS object that owns memory in the wasm core (Tokenizer, VectorIndex,
// LexicalIndex, BgeM3Heads): it holds the core module, frees the C++ object and heap allocations
// exactly once on dispose(), frees them too if the object is garbage-collected without dispose()
// (FinalizationRegistry safety net), and makes every use after dispose() the same DisposedError.
import { DisposedError, InternalError } from '../errors.js';
import { trapOf } from './core.js';

// Held values must not reference the JS object, or it would never be collected.
const registry = new FinalizationRegistry((release) => {
  try {
    release();
  } catch {
    // the module may already be gone at shutdown
  }
});

/** Frees what an object owns: an Embind object (delete()), heap addresses, HeapScratch areas. */
function releaser(core, { native, addresses = [], scratch = [] }) {
  return () => {
    scratch.forEach((s) => s.free());
    addresses.forEach((a) => a && core._free(a));
    native?.delete();
  };
}

export class NativeHandle {
  #core;
  #native;
  #release;
  #label;
  #token = {};

  /**
   * @param core the wasm module
   * @param label class name used in errors ("VectorIndex")
   * @param owned { native?: Embind object, addresses?: number[], scratch?: HeapScratch[] }
   */
  constructor(core, label, owned) {
    this.#core = core;
    this.#label = label;
    this.#native = owned.native ?? null;
    this.#release = releaser(core, owned);
    registry.register(this, this.#release, this.#token);
  }

  /** The wasm module (for subclasses). */
  get core() { return this.#core; }

  /** True once dispose() was called. */
  get disposed() { return this.#release === null; }

  /** The Embind object, or a DisposedError naming the call when this object was disposed. */
  native(where) {
    if (this.#release === null) throw new DisposedError(`${this.#label}${where ? `.${where}` : ''}: this ${this.#label} has been disposed`);
    const trap = trapOf(this.#core);
    if (trap) throw new InternalError(`${this.#label}${where ? `.${where}` : ''}: the wasm core this ${this.#label} lives in trapped earlier (${trap.message}); create a new ${this.#label}`, { cause: trap });
    return this.#native;
  }

  /** Frees the wasm memory this object owns (idempotent); later calls throw DisposedError. */
  dispose() {
    if (this.#release === null) return;
    registry.unregister(this.#token);
    const release = this.#release;
    this.#release = null;
    this.#native = null;
    release();
  }
}

if (typeof Symbol.dispose === 'symbol') {
  NativeHandle.prototype[Symbol.dispose] = function () { this.dispose(); };
}
