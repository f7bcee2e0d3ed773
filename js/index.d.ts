// Type declarations for wasmbed's public API, written by hand beside the code they describe.

export class WasmbedError extends Error {}
/** The caller passed something unusable: wrong type, empty where not allowed, out of range. */
export class InvalidArgumentError extends WasmbedError {}
/** A file or byte string (tokenizer.json, .model, ONNX, saved index) is malformed. */
export class ParseError extends WasmbedError {}
/** Well-formed input that uses a feature wasmbed does not implement. */
export class UnsupportedError extends WasmbedError {}
/** Saved data failed its checksum or size check. */
export class CorruptDataError extends WasmbedError {}
/** A memory or size limit would be exceeded. */
export class CapacityError extends WasmbedError {}
/** The WebAssembly module could not be fetched, compiled or instantiated. */
export class WasmLoadError extends WasmbedError {}
/** A bug in wasmbed. */
export class InternalError extends WasmbedError {}
/** A model file could not be loaded. */
export class ModelLoadError extends WasmbedError {
  constructor(message: string, details?: { file?: string; url?: string; status?: number; cause?: unknown });
  readonly file?: string;
  readonly url?: string;
  readonly status?: number;
}
/** The operation was cancelled through an AbortSignal. */
export class AbortError extends WasmbedError {}

export interface CoreOptions {
  /** The .wasm bytes, when you load them yourself. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Maps 'wasmbed_core.wasm' to a URL (e.g. a CDN path) for browsers. */
  locateFile?: (file: string, prefix: string) => string;
}
/** Overrides where the .wasm comes from; call before anything loads the core. */
export function configureCore(options: CoreOptions): void;
/** Loads the WebAssembly core (once; later calls share it). */
export function loadCore(): Promise<unknown>;

/** Version of the loaded wasm core (equals the npm package version). */
export function version(): Promise<string>;
/** Copy of `vectors` (rows of `dim` floats) with each row scaled to unit L2 norm. */
export function l2Normalize(vectors: Float32Array, dim?: number): Promise<Float32Array>;
