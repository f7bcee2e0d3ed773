// Typed errors. Every error wasmbed throws is a WasmbedError; subclasses say what kind of
// problem it is so callers can branch with `instanceof` (or `err.name`) instead of parsing messages.
//
// `name` is set from an explicit string, never from the class's own name, so it survives
// minifiers that rename classes (a production build would otherwise report names like "b").

export class WasmbedError extends Error {
  constructor(message, options) {
    super(message, options);
  }
}

/** The caller passed something unusable: wrong type, empty where not allowed, out of range. */
export class InvalidArgumentError extends WasmbedError {}
/** An object was used after dispose() (a kind of invalid argument: the object itself). */
export class DisposedError extends InvalidArgumentError {}
/** A file or byte string (tokenizer.json, .model, ONNX, saved index) is malformed. */
export class ParseError extends WasmbedError {}
/** Well-formed input that uses a feature wasmbed does not implement (names the feature). */
export class UnsupportedError extends WasmbedError {}
/** Saved data failed its checksum or size check. */
export class CorruptDataError extends WasmbedError {}
/** A memory or size limit would be exceeded (e.g. the 4 GB wasm32 heap). */
export class CapacityError extends WasmbedError {}
/** The WebAssembly module could not be fetched, compiled or instantiated. */
/** A WebAssembly runtime (wasmbed's core or ONNX Runtime's) could not load; `url` names the file tried. */
export class WasmLoadError extends WasmbedError {
  constructor(message, { url, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.url = url;
  }
}
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

/**
 * Saving, loading or deleting stored data failed in the file system or browser storage
 * (permission, read-only, disk full ...): `path` names the target, `code` the system's code
 * (EACCES, EROFS, ENOSPC, QuotaExceededError ...).
 */
export class StorageError extends WasmbedError {
  constructor(message, { path, code, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.path = path;
    this.code = code;
  }
}

/**
 * A query model differs from the model an index was built with (StaticIndex.checkModel):
 * `expected` is the index's model record, `actual` what the query side has.
 */
export class ModelMismatchError extends InvalidArgumentError {
  constructor(message, { expected, actual } = {}) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }
}

const NAMES = {
  WasmbedError, InvalidArgumentError, DisposedError, ParseError, UnsupportedError, CorruptDataError,
  CapacityError, WasmLoadError, InternalError, ModelLoadError, AbortError, StorageError,
  ModelMismatchError,
};
for (const [name, Cls] of Object.entries(NAMES)) {
  Object.defineProperty(Cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}
