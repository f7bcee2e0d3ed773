// Typed errors. Every error wasmbed throws is a WasmbedError; subclasses say what kind of
// problem it is so callers can branch with `instanceof` instead of parsing messages.

export class WasmbedError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller passed something unusable: wrong type, empty where not allowed, out of range. */
export class InvalidArgumentError extends WasmbedError {}
/** A file or byte string (tokenizer.json, .model, ONNX, saved index) is malformed. */
export class ParseError extends WasmbedError {}
/** Well-formed input that uses a feature wasmbed does not implement (names the feature). */
export class UnsupportedError extends WasmbedError {}
/** Saved data failed its checksum or size check. */
export class CorruptDataError extends WasmbedError {}
/** A memory or size limit would be exceeded (e.g. the 4 GB wasm32 heap). */
export class CapacityError extends WasmbedError {}
/** The WebAssembly module could not be fetched, compiled or instantiated. */
export class WasmLoadError extends WasmbedError {}
/** A bug in wasmbed: please report it. */
export class InternalError extends WasmbedError {}

/**
 * A model file could not be loaded. `file` names the file (e.g. "onnx/model.onnx"), `url` the
 * location tried, `status` the HTTP status where there was one.
 */
export class ModelLoadError extends WasmbedError {
  constructor(message, { file, url, status, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.file = file;
    this.url = url;
    this.status = status;
  }
}

/** The operation was cancelled through an AbortSignal. */
export class AbortError extends WasmbedError {}

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
    return new InternalError(`WebAssembly trap: ${err.message}`, { cause: err });
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
