// Types for `wasmbed/convert` (Node only).
import type { CalibrationOptions } from '../quantize/index.js';

export interface ConvertOptions {
  /**
   * Which ONNX files to write (default 'fp32'): 'fp32' onnx/model.onnx, 'q8'
   * onnx/model_quantized.onnx (int8 compute: the Hub's dynamic-int8 layout, quantize format
   * 'int8-dynamic', about 2x float32 on WASM and onnxruntime-node), 'q4' onnx/model_q4.onnx
   * (MatMulNBits + GatherBlockQuantized, GPTQ-rounded; runs on WebGPU too), or a list. Quantized files are
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
 * its weights into a Hub-layout ONNX folder. Weights are the first found of
 * model.safetensors.index.json (sharded), model.safetensors, pytorch_model.bin.index.json
 * (sharded), pytorch_model.bin (torch.save zip format, float32 / float16 / bfloat16, streamed from
 * disk; see openTorchCheckpoint). `outDir` must not exist or be empty; output is assembled in a
 * temporary sibling folder and renamed at the end.
 * BGE-M3 repositories' sparse_linear.pt / colbert_linear.pt (PyTorch zip checkpoints, read
 * without Python) become sparse_linear.safetensors / colbert_linear.safetensors ({ weight, bias }).
 * Errors: UnsupportedError (architecture, activation, no weight file, legacy non-zip or compressed
 * PyTorch checkpoints, big-endian storages), ParseError (invalid config values, safetensors header
 * or zip archive that disagrees with the file, a pickle that names anything but tensor storages,
 * missing tensors), InvalidArgumentError (bad options, non-empty outDir).
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
 * from its bytes, without Python: Map(name -> { shape, data: Float32Array }) for its float tensors
 * (integer buffers are left out). The pickle is read by an allow-list interpreter that runs no
 * code: any global but collections.OrderedDict, torch._utils._rebuild_tensor_v2 /
 * _rebuild_parameter and torch.*Storage is a ParseError naming it.
 */
export function readTorchStateDict(bytes: Uint8Array, what?: string): Map<string, { shape: number[]; data: Float32Array }>;

/** A tensor of an opened PyTorch checkpoint: where its elements lie in the file. */
export interface TorchTensorEntry {
  name: string;
  /** Label of the file it came from (for error messages). */
  file: string;
  /** Storage element type: 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL'. */
  dtype: string;
  shape: number[];
  stride: number[];
  /** Offset into the storage, in elements. */
  storageOffset: number;
  /** Shared by every tensor of the same storage (tied weights). offset: byte position in the file. */
  storage: { key: string; dtype: string; offset: number; numel: number };
  contiguous: boolean;
  numel: number;
}

/**
 * Opens a `torch.save` zip checkpoint (e.g. pytorch_model.bin, any size) for streaming: reads only
 * the zip directory and the pickle; `read` then reads a tensor's elements [start, start + count)
 * (row-major, default all) by offset, widened to float32 (non-contiguous tensors are gathered
 * from the storage span they cover). Errors as readTorchStateDict, plus UnsupportedError for
 * legacy non-zip files; reading an integer tensor is a ParseError.
 */
export function openTorchCheckpoint(file: string, what?: string): Promise<{
  file: string;
  tensors: Map<string, TorchTensorEntry>;
  read(tensor: TorchTensorEntry, start?: number, count?: number): Promise<Float32Array>;
  close(): Promise<void>;
}>;
