// Types for `wasmbed/convert` (Node only).
import type { CalibrationOptions } from '../quantize/index.js';

export interface ConvertOptions {
  /**
   * Which ONNX files to write (default 'fp32'): 'fp32' onnx/model.onnx, 'q8' onnx/model_quantized.onnx,
   * 'q4' onnx/model_q4.onnx (MatMulNBits + GatherBlockQuantized), or a list. Quantized files are
   * written straight from the checkpoint in one streamed pass; with calibration (the default) the
   * float32 model is written first to compute the activation means (temporarily, unless 'fp32' is
   * listed).
   */
  dtype?: 'fp32' | 'q8' | 'q4' | Array<'fp32' | 'q8' | 'q4'>;
  /** Quantization block size (default 32). */
  block?: number;
  /** 'auto' (default: external data above ~1.9 GB), true, or false. */
  externalData?: 'auto' | boolean;
  /** Bias correction of q8 / q4, as QuantizeOptions.calibration (default 'auto'). */
  calibration?: 'auto' | boolean | CalibrationOptions;
  /** Hub source options (see openModelSource). */
  revision?: string;
  hubHost?: string;
  cacheDir?: string;
  localFilesOnly?: boolean;
  onProgress?(event: { stage: 'file' | 'weights' | 'calibrate' | 'done'; dtype?: 'fp32' | 'q8' | 'q4'; [key: string]: unknown }): void;
}

/** ONNX file name per dtype, as Embedder.load({ dtype }) looks them up under onnx/. */
export const DTYPE_FILE: { fp32: string; q8: string; q4: string };

/**
 * Converts a BERT / RoBERTa / XLM-RoBERTa repository (local folder or Hub id) with config.json and
 * model.safetensors (or sharded safetensors + index) into a Hub-layout ONNX folder. `outDir` must
 * not exist or be empty; output is assembled in a temporary sibling folder and renamed at the end.
 * BGE-M3 repositories' sparse_linear.pt / colbert_linear.pt (PyTorch zip checkpoints, read
 * without Python) become sparse_linear.safetensors / colbert_linear.safetensors ({ weight, bias }).
 * Errors: UnsupportedError (architecture, activation, no safetensors), ParseError (invalid
 * config values, safetensors header that disagrees with the file, missing tensors),
 * InvalidArgumentError (bad options, non-empty outDir).
 */
export function convertModel(
  source: string,
  outDir: string,
  options?: ConvertOptions,
): Promise<{
  outDir: string;
  files: string[];
  config: Record<string, unknown>;
  onnx: { fp32?: string; q8?: string; q4?: string };
  calibration: { texts: number; tokens: number; device: string; seconds: number } | { skipped: string } | null;
}>;

/** Opens and validates a .safetensors file (tensor index only; payloads are read on demand). */
export function openSafetensors(file: string): Promise<{
  file: string;
  tensors: Map<string, { name: string; dtype: string; shape: number[]; offset: number; length: number }>;
  source: { close(): Promise<void> };
}>;

/**
 * Reads a PyTorch `torch.save` zip checkpoint (e.g. BGE-M3's sparse_linear.pt / colbert_linear.pt)
 * from its bytes, without Python: Map(name -> { shape, data: Float32Array }). Only tensor
 * rebuilding is interpreted; any other pickle global is refused.
 */
export function readTorchStateDict(bytes: Uint8Array, what?: string): Map<string, { shape: number[]; data: Float32Array }>;
