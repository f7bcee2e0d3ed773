// `wasmbed quantize IN.onnx OUT.onnx --format int8-dynamic|q8|q4`: weight quantization as an ONNX
// graph rewrite (see js/quantize/quantize.js), optionally with an accuracy report.
import { DEVICES } from '../embedder/backend.js';
import { DEFAULT_FORMAT, FORMATS } from '../quantize/quantize.js';
import { ROUNDINGS } from '../quantize/blockwise.js';
import { CALIBRATION_OPTIONS, calibrationOption, int, oneOf, parseCommandArgs, readTextsOption } from './args.js';

const USAGE = `usage: wasmbed quantize IN.onnx OUT.onnx [options]

Rewrites MatMuls with constant weights into int8 compute (int8-dynamic, the default:
DynamicQuantizeLinear + MatMulInteger, about 2x float32 speed on WASM and onnxruntime-node) or
ONNX Runtime's com.microsoft MatMulNBits (q8, q4: smaller files that also run on WebGPU), and the
word-embedding Gather into a quantized table. LayerNorm, softmax and the output stay float32.
Large models are streamed; over 2 GB the output weights go to OUT.onnx_data.

  --format int8-dynamic|q8|q4   int8-dynamic (default): int8 weights per column, activations
                                quantized per run, int8 matrix products (the Hub's
                                model_quantized.onnx layout; WebGPU lacks its kernels, so the
                                Embedder runs it on WASM there); q8 / q4: 8- / 4-bit blocks
                                (float compute on dequantized weights)
  --block 16|32|64|128          block size along K for q8/q4 (default 32)
  --rounding auto|mse|minmax    scale per block: mse = the clipped range with the least squared
                                error, minmax = the full range; auto (default): mse at 4 bits,
                                minmax at 8 (where both give the same accuracy, minmax faster)
  --embedding-bits 4|8          bits of the word-embedding table (default: those of --format)
  --per-tensor                  int8-dynamic: one weight scale per tensor (default: per column)
  --keep-embeddings             leave the word-embedding table in float32 (needed by
                                onnxruntime-web's ort.webgpu bundle on its WASM backend)
  --external-data               always write weights to OUT.onnx_data
  --calibrate TEXTS_FILE        bias correction from these texts (one a line; default: built-in
                                multilingual texts): the float32 model runs on them and each
                                layer's mean output shift, E[x]·(Wq - W), is removed
                                from its bias. Needs the model folder's tokenizer.
  --no-calibration              plain rounding, no bias correction
  --no-gptq                     q4: round each weight to nearest instead of GPTQ (error-
                                compensating rounding from the calibration's X^T X; default on
                                for q4 when calibrating)
  --eval TEXTS_FILE             embed the texts (one a line) with IN and OUT and report the mean
                                and minimum cosine (OUT must be inside the model folder)
  --eval-limit N                use the first N texts (default 256)
  --device wasm|cpu             backend for --eval (default wasm; cpu = onnxruntime-node)
  --json                        print the result as JSON
`;

export async function run(argv, { stdout, stderr }) {
  const parsed = parseCommandArgs('quantize', argv, {
    allowPositionals: true,
    usage: USAGE,
    options: {
      format: oneOf(FORMATS), block: int({ min: 16, max: 4096, powerOfTwo: true }), rounding: oneOf(['auto', ...ROUNDINGS]), 'embedding-bits': oneOf(['4', '8']),
      'keep-embeddings': { type: 'boolean' }, 'per-tensor': { type: 'boolean' }, 'no-gptq': { type: 'boolean' }, 'external-data': { type: 'boolean' }, eval: { type: 'string' },
      'eval-limit': int({ min: 1 }), device: oneOf(DEVICES), json: { type: 'boolean' },
      ...CALIBRATION_OPTIONS,
    },
  }, { stdout, stderr });
  if (parsed.exit !== undefined) return parsed.exit;
  const { args } = parsed;
  const v = args.values;
  if (args.positionals.length !== 2) { stderr.write(`quantize: expected IN.onnx and OUT.onnx\n${USAGE}`); return 2; }
  const [input, output] = args.positionals;
  const block = v.block ?? 32;
  const embeddingBits = v['embedding-bits'] === undefined ? undefined : Number(v['embedding-bits']);
  const limit = v['eval-limit'] ?? 256;
  const { quantizeModel } = await import('../quantize/quantize.js');
  let texts = null;
  if (v.eval) {
    const read = await readTextsOption('quantize', '--eval', v.eval, stderr);
    if (read.exit !== undefined) return read.exit;
    texts = read.texts.slice(0, limit);
  }
  const cal = await calibrationOption('quantize', v, stderr);
  if (cal.exit !== undefined) return cal.exit;
  const { calibration } = cal;
  const result = await quantizeModel(input, output, {
    calibration,
    format: v.format ?? DEFAULT_FORMAT, block, ...(v['no-gptq'] ? { gptq: false } : {}), rounding: v.rounding ?? 'auto', embeddingBits, embeddings: !v['keep-embeddings'], perChannel: !v['per-tensor'], externalData: v['external-data'] ? true : 'auto',
    onProgress: v.json ? undefined : (p) => {
      if (p.stage === 'calibrate' && p.done === 1) stderr.write(`quantize: calibrating on ${p.total} texts\n`);
      if (p.stage === 'start') stderr.write(`quantize: ${p.matmuls} MatMul weights${p.embedding ? ` + embedding table ${p.embedding}` : ''}\n`);
    },
  });
  if (texts) {
    const { compareModels } = await import('../quantize/evaluate.js');
    result.accuracy = await compareModels(input, output, texts, { device: v.device ?? 'wasm' });
  }
  if (v.json) {
    stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  const mb = (n) => `${(n / 2 ** 20).toFixed(2)} MB`;
  stdout.write(`${output}: ${result.format}${result.block ? ` (block ${result.block})` : ''}, ${mb(result.inBytes)} -> ${mb(result.outBytes)} (${((100 * result.outBytes) / result.inBytes).toFixed(1)}%)` +
    `${result.external ? ', weights in external data' : ''}\n  operators: ${result.ops.join(', ')}\n`);
  const c = result.calibration;
  if (c?.skipped) stdout.write(`  bias correction skipped: ${c.skipped}\n`);
  else if (c) stdout.write(`  bias correction: ${result.biasCorrected} MatMuls, means over ${c.tokens} tokens of ${c.texts} texts (${c.device}, ${c.seconds.toFixed(1)} s)\n`);
  if (result.gptq) stdout.write(`  GPTQ rounding: ${result.gptq} MatMuls\n`);
  if (result.accuracy) {
    const a = result.accuracy;
    stdout.write(`  accuracy over ${a.count} texts: mean cosine ${a.mean.toFixed(6)}, min ${a.min.toFixed(6)}\n`);
  }
  return 0;
}
