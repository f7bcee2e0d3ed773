// `wasmbed convert SOURCE OUT_DIR [--dtype fp32,q8,q4]`: Hub safetensors or pytorch_model.bin ->
// browser-ready ONNX folder without Python (see js/convert/convert.js).
import { CALIBRATION_OPTIONS, calibrationOption, int, listOf, parseCommandArgs } from './args.js';

const USAGE = `usage: wasmbed convert SOURCE OUT_DIR [options]

Reads a model repository (local folder, or Hub id such as org/name) with config.json and its
weights, the first found of: model.safetensors.index.json (sharded), model.safetensors,
pytorch_model.bin.index.json (sharded), pytorch_model.bin. PyTorch checkpoints (torch.save zip
format, torch >= 1.6; float32, float16 or bfloat16) are streamed from disk, and their pickle is
read by an allow-list that accepts only tensor storages and never runs code. Writes a Hub-layout
folder: config, tokenizer and sentence-transformers files and the ONNX file of each requested
dtype (external data over 2 GB). Quantized files are written straight from the checkpoint in one
streamed pass (bias correction first writes the float32 model, see --calibrate; with
--no-calibration there is no float32 ONNX in between). Architectures: bert, roberta, xlm-roberta.
BGE-M3 heads (sparse_linear.pt, colbert_linear.pt) become .safetensors files. OUT_DIR must not
exist or be empty; nothing is left behind on failure.

  --dtype LIST           comma-separated fp32, q8, q4 (default fp32): onnx/model.onnx,
                         onnx/model_quantized.onnx (q8: int8 compute, MatMulInteger),
                         onnx/model_q4.onnx (q4: MatMulNBits, GPTQ-rounded; also for WebGPU)
  --block N              quantization block size (default 32)
  --revision REV         Hub branch, tag or commit (default main)
  --external-data        always store weights in onnx/model.onnx_data
  --calibrate TEXTS_FILE bias correction of q8/q4 (and q4's GPTQ) from these texts (one a line; default: built-in
                         texts; the float32 model is written first, temporarily if not asked for)
  --no-calibration       plain rounding, no bias correction
`;

export async function run(argv, { stdout, stderr }) {
  const parsed = parseCommandArgs('convert', argv, {
    allowPositionals: true,
    usage: USAGE,
    options: {
      dtype: listOf(['fp32', 'q8', 'q4']), block: int({ min: 16, max: 4096, powerOfTwo: true }), revision: { type: 'string' }, 'external-data': { type: 'boolean' },
      ...CALIBRATION_OPTIONS,
    },
  }, { stdout, stderr });
  if (parsed.exit !== undefined) return parsed.exit;
  const { args } = parsed;
  const v = args.values;
  if (args.positionals.length !== 2) { stderr.write(`convert: expected SOURCE and OUT_DIR\n${USAGE}`); return 2; }
  const [source, outDir] = args.positionals;
  const cal = await calibrationOption('convert', v, stderr);
  if (cal.exit !== undefined) return cal.exit;
  const { calibration } = cal;
  const { convertModel } = await import('../convert/convert.js');
  const r = await convertModel(source, outDir, {
    dtype: v.dtype ?? ['fp32'], block: v.block ?? 32, revision: v.revision,
    externalData: v['external-data'] ? true : 'auto', calibration,
    onProgress: (p) => {
      if (p.stage === 'file') stderr.write(`convert: writing ${p.file} (${p.dtype})\n`);
      if (p.stage === 'calibrate' && p.done === 1) stderr.write(`convert: calibrating on ${p.total} texts\n`);
    },
  });
  if (r.calibration?.skipped) stderr.write(`convert: bias correction skipped: ${r.calibration.skipped}\n`);
  stdout.write(`${outDir}: ${r.config.model_type}, ${r.config.num_hidden_layers} layers, hidden ${r.config.hidden_size}; ${Object.values(r.onnx).join(', ')}; copied ${r.files.join(', ')}\n`);
  return 0;
}
