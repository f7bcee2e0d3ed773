// Types for `wasmbed/quantize` (Node only).

export type QuantFormat = 'q8' | 'q4' | 'int8-dynamic';
export const FORMATS: QuantFormat[];
/**
 * The format written when none is given: 'int8-dynamic' (int8 compute, about 2x float32 on
 * onnxruntime-web WASM and onnxruntime-node; see README, Quantization).
 */
export const DEFAULT_FORMAT: QuantFormat;

export interface QuantizeOptions {
  /**
   * 'int8-dynamic' (default): the Hub's model_quantized.onnx layout (DynamicQuantizeLinear +
   * MatMulInteger, per-channel int8 weights, bias-corrected; uint8 embedding table +
   * DequantizeLinear): int8 compute, about 2x float32 on WASM and onnxruntime-node. WebGPU has
   * no kernels for it (the Embedder runs it on WASM there, saying so in info.deviceFallback).
   * 'q8' / 'q4': MatMul weights -> com.microsoft MatMulNBits (8 / 4 bits, blockwise asymmetric),
   * word embeddings -> com.microsoft GatherBlockQuantized: smaller, run on WebGPU, but compute no
   * faster than float32 on CPU.
   */
  format?: QuantFormat;
  /** Block size along K for q8/q4: a power of two >= 16 (default 32). */
  block?: number;
  /**
   * How each block's scale is chosen (q8/q4). 'minmax': the block's full range. 'mse': the clipped
   * range with the least squared error (a grid of shrunken ranges, each with a least-squares refit
   * of the scale; deterministic, no data needed). 'auto' (default): 'mse' at 4 bits, 'minmax' at 8.
   */
  rounding?: 'auto' | 'mse' | 'minmax';
  /** Quantize the word-embedding table (default true). */
  embeddings?: boolean;
  /** Bits of the word-embedding table's GatherBlockQuantized: 4 or 8 (default: the format's). */
  embeddingBits?: 4 | 8;
  /**
   * Bit width per MatMul weight (name as in the graph, dims [K, N]), for mixed precision, e.g.
   * 8 for the feed-forward weights of a q4 model (default: the format's). 8-bit MatMulNBits does not
   * load on onnxruntime-web's default-bundle WebGPU (see README).
   */
  matmulBits?(name: string, dims: number[]): 4 | 8;
  /**
   * MatMulNBits accuracy_level (0 = unset: float compute, default; 4 = int8 compute on ORT's CPU
   * kernels; WebGPU ignores it). No effect on onnxruntime-web 1.30 WASM (its MLAS has no n-bit
   * GEMM kernels); about 1.2x float32 on onnxruntime-node x64 (README, Quantization).
   */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
  /** int8-dynamic only: one weight scale per output column (default true) or per tensor. */
  perChannel?: boolean;
  /** MatMul weights with fewer values stay float32 (default 0: all). */
  minWeightElements?: number;
  /** 'auto' (default: external above ~1.9 GB), true, or false. External data goes to OUT_data. */
  externalData?: 'auto' | boolean;
  /**
   * Bias correction (q8/q4): the float32 model runs on calibration texts (through the model
   * folder's tokenizer), and each MatMul's systematic output shift E[x]·(Wq - W) is removed from
   * its bias (an Add is inserted where the graph has none). Removes most of q4's error on deep
   * models (README, Quantization). 'auto' (default): the built-in texts (CALIBRATION_TEXTS),
   * skipped with the reason in `result.calibration.skipped` when there is no tokenizer or the
   * graph needs inputs other than input_ids / attention_mask / token_type_ids. true or an object:
   * required (failures throw). false: plain rounding. Calibrate on texts like the ones you will
   * embed for the best result.
   */
  calibration?: 'auto' | boolean | CalibrationOptions;
  /**
   * GPTQ rounding (needs calibration): each MatMul's weights are rounded input row by input row,
   * every row's rounding error moved onto the rows not yet rounded through the inverse of the
   * calibration inputs' Gram matrix X^T X, so the layer's output error, not the weights', is
   * minimized. 'auto' (default): on for q4, off for q8 (where plain rounding is already within
   * 1e-5 of float32). true: on. false: off. { window, damp }: on, inverting X^T X over windows of
   * `window` consecutive inputs (a multiple of the block size; default 256; larger is closer to
   * full GPTQ and slower) with `damp` (default 0.01) times its mean diagonal added.
   */
  gptq?: 'auto' | boolean | { window?: number; damp?: number };
  onProgress?(event: { stage: 'calibrate' | 'start' | 'write' | 'done'; [key: string]: unknown }): void;
}

export interface CalibrationOptions {
  /** Texts to run the float32 model on (default CALIBRATION_TEXTS). */
  texts?: string[];
  /** tokenizer.json / .model path (default: the model folder's). */
  tokenizer?: string;
  /** Tokens per text (default 128). */
  maxLength?: number;
  /** 'auto' (onnxruntime-node when installed, else onnxruntime-web WASM), 'cpu' or 'wasm'. */
  device?: 'auto' | 'cpu' | 'wasm';
  threads?: number;
}

/** Built-in calibration texts: short and long sentences in Korean, Russian, English and 16 other languages. */
export const CALIBRATION_TEXTS: readonly string[];

export interface QuantizeResult {
  format: QuantFormat;
  bits: number;
  block: number | null;
  /** Input .onnx plus its external data files, in bytes. */
  inBytes: number;
  /** Output .onnx plus OUT_data, in bytes. */
  outBytes: number;
  /** MatMul nodes rewritten. */
  matmuls: number;
  /** MatMuls whose bias was corrected (0 without calibration). */
  biasCorrected: number;
  /** MatMuls whose weights were GPTQ-rounded (0 without calibration or with gptq off). */
  gptq: number;
  /** Calibration used for bias correction, why it was skipped, or null (off / int8-dynamic). */
  calibration: { texts: number; tokens: number; device: string; seconds: number } | { skipped: string } | null;
  /** Name of the quantized embedding table, or null. */
  embedding: string | null;
  external: boolean;
  ops: string[];
}

/**
 * Quantizes an ONNX model file into another (streamed: tensor payloads are read and written one
 * at a time; written under a .partial name and renamed, so failures leave no output).
 * Throws ParseError (naming the file) for a non-ONNX or truncated input.
 */
export function quantizeModel(inPath: string, outPath: string, options?: QuantizeOptions): Promise<QuantizeResult>;

export interface CompareResult {
  count: number;
  mean: number;
  min: number;
  worst: { index: number; text?: string; cosine: number };
  /** Cosine of each text's pair of vectors, in input order. */
  cosines: number[];
  referenceBytes: number;
  candidateBytes: number;
  ratio: number;
}

/**
 * Embeds `texts` through the Embedder with two ONNX files of one model folder (reference and
 * candidate, both inside the folder holding tokenizer.json) and compares the vectors.
 */
export function compareModels(
  reference: string,
  candidate: string,
  texts: string[],
  options?: { device?: 'wasm' | 'cpu'; batchSize?: number; maxLength?: number; modelDir?: string },
): Promise<CompareResult>;
