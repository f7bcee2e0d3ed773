// Type declarations for 'wasmbed/diagnostics' (js/diagnostics.js): lower-level pieces for checking
// what wasmbed does. Not needed to embed or search.
import type { ChunkOptions } from './index.js';

/** Loads the WebAssembly core (once; later calls share it). */
export function loadCore(): Promise<unknown>;

/** The chunker's core: passage ranges from a text and its flat UTF-16 token spans [s0, e0, s1, e1, ...]. */
export function chunkSpans(text: string, spans: Int32Array | ArrayLike<number>, options?: ChunkOptions): { tokenStart: number; tokenEnd: number; start: number; end: number }[];
/** Positions where a sentence may start -> strength (2 paragraph, 1 sentence end / line break). */
export function sentenceBreaks(text: string): Map<number, number>;

/**
 * External-data locations (relative to the model's folder) referenced by an ONNX model's
 * tensors. Throws ParseError on a malformed model or a location outside the model's folder.
 */
export function listExternalData(onnx: Uint8Array): string[];


/** Default minimum per-token cosine between WebGPU and WASM outputs (0.99). */
export const WEBGPU_GUARD_THRESHOLD: number;

/** Anything with ONNX Runtime's `run(feeds)`: an InferenceSession or a wrapper around one. */
export interface RunnableSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: ArrayLike<number>; dims: readonly number[]; getData?(): Promise<ArrayLike<number>> }>>;
}

export interface WebGpuGuardResult {
  /** Minimum cosine over token rows of the compared output. */
  cosine: number;
  meanCosine: number;
  threshold: number;
  /** cosine >= threshold (false for NaN outputs). */
  ok: boolean;
  output: string;
}

/**
 * Runs the same feeds through a WebGPU and a WASM session of one model and compares `output`
 * (default 'last_hidden_state') token by token. Quantized graphs have given silently wrong
 * vectors on WebGPU; call this once at load and fall back to WASM when `ok` is false.
 */
export function compareWebGpuToWasm(
  webgpuSession: RunnableSession,
  wasmSession: RunnableSession,
  feeds: Record<string, unknown>,
  options?: { output?: string; threshold?: number },
): Promise<WebGpuGuardResult>;

/** int64 input_ids / attention_mask (/ token_type_ids) feeds from equal-length id rows. */
export function probeFeeds(
  Tensor: new (type: 'int64', data: BigInt64Array, dims: number[]) => unknown,
  rows: number[][],
  options?: { tokenTypes?: boolean },
): Record<string, unknown>;

/** Per-row cosines of two flat [rows, dim] arrays. */
export function rowCosines(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): { min: number; mean: number; rows: number };

/**
 * Load-time guard: compares `session` (WebGPU) with a WASM session from `openWasm()` on `feeds`;
 * on a mismatch warns and (unless fallback is false) returns the WASM session instead, releasing
 * the WebGPU one. `guard` is what Embedder exposes as info.webgpuGuard.
 */
export function guardWebGpu<S extends RunnableSession & { release?(): unknown }>(options: {
  session: S;
  openWasm: () => Promise<S>;
  feeds: Record<string, unknown>;
  threshold?: number;
  fallback?: boolean;
  output?: string;
  warn?: (message: string) => void;
}): Promise<{
  session: S;
  device: 'webgpu' | 'wasm';
  guard: { cosine: number; meanCosine: number; threshold: number; ok: boolean; fellBack: boolean };
}>;

