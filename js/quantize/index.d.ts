// Types for `wasmbed/quantize` (Node only).

export type QuantFormat = 'q8' | 'q4' | 'int8-dynamic';
export const FORMATS: QuantFormat[];

export interface QuantizeOptions {
  /**
   * 'q8' (default) / 'q4': MatMul weights -> com.microsoft MatMulNBits (8 / 4 bits, blockwise
   * asymmetric), word embeddings -> com.microsoft GatherBlockQuantized.
   * 'int8-dynamic': the Hub's model_quantized.onnx layout (DynamicQuantizeLinear + MatMulInteger,
   * per-channel int8; uint8 embedding table + DequantizeLinear).
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
   * kernels; WebGPU ignores it). No speed gain measured on onnxruntime-web 1.30 WASM.
   */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
  /** int8-dynamic only: one weight scale per output column (default true) or per tensor. */
  perChannel?: boolean;
  /** MatMul weights with fewer values stay float32 (default 0: all). */
  minWeightElements?: number;
  /** 'auto' (default: external above ~1.9 GB), true, or false. External data goes to OUT_data. */
  externalData?: 'auto' | boolean;
  onProgress?(event: { stage: 'start' | 'write' | 'done'; [key: string]: unknown }): void;
}

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
