// Converts what the wasm core throws into wasmbed's typed errors (js/errors.js).
import {
  CapacityError, CorruptDataError, InternalError, InvalidArgumentError, ParseError, UnsupportedError, WasmbedError,
} from '../errors.js';
import { retireCore } from './core.js';

// Codes match wasmbed::ErrorCode in wasm/common/error.h.
const BY_CODE = {
  1: InvalidArgumentError,
  2: ParseError,
  3: UnsupportedError,
  4: CorruptDataError,
  5: CapacityError,
  6: InternalError,
};

/** Converts an error thrown by the wasm core into its typed subclass (others pass through). */
export function fromCore(err) {
  if (err instanceof WasmbedError) return err;
  if (err && typeof err === 'object' && 'wasmbedCode' in err) {
    const Cls = BY_CODE[err.wasmbedCode] ?? InternalError;
    return new Cls(err.message);
  }
  if (err instanceof RangeError && /memory|allocation/i.test(err.message)) {
    return new CapacityError(`out of memory: ${err.message}`, { cause: err });
  }
  if (err instanceof WebAssembly.RuntimeError) {
    // The module's state cannot be trusted after a trap: retire it, so new objects get a fresh one.
    retireCore(err);
    return new InternalError(`WebAssembly trap: ${err.message} (the wasm core was replaced: objects made before this error are unusable, new ones work)`, { cause: err });
  }
  return err;
}

/** Runs fn, rethrowing wasm core errors as typed errors. */
export function callCore(fn) {
  try {
    return fn();
  } catch (err) {
    throw fromCore(err);
  }
}
