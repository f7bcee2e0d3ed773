// Writes a Hugging Face Hub-layout model directory with a generated ONNX encoder:
//   config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json,
//   onnx/model.onnx (+ onnx/model.onnx_data over 2 GB), model.safetensors (optional),
//   modules.json, 1_Pooling/config.json, [2_Normalize/], sentence_bert_config.json,
//   config_sentence_transformers.json.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../../js/errors.js';
import path from 'node:path';
import { buildGraph, headSpecs, parameterSpecs } from '../../js/convert/architecture.js';
import { DataType, graph, model, tensor, writeMessage } from '../../js/onnx/index.js';
import { PRESETS, fullConfig } from './presets.js';
import { writeSafetensors } from '../../js/convert/safetensors-writer.js';
import { writeFileAtomic } from '../../js/internal/atomic-write.js';
import { loadTokenizerFiles, tokenizerVocabSize } from './tokenizer-files.js';
import { asBytes, tensorChunks, tensorValues, transpose } from './weights.js';

// Protobuf messages are limited to 2 GiB; above this the weights go to external data.
const INLINE_LIMIT = 2 ** 31 - 64 * 2 ** 20;

/** Yields a parameter's bytes in ONNX layout (transposed for Linear weights). */
function* onnxChunks(spec, seed) {
  if (spec.transpose) {
    const [out, inp] = spec.shape;
    yield asBytes(transpose(tensorValues(spec, seed), out, inp));
  } else {
    for (const c of tensorChunks(spec, seed)) yield asBytes(c);
  }
}

const onnxDims = (spec) => (spec.transpose ? [spec.shape[1], spec.shape[0]] : spec.shape);
const byteSize = (spec) => spec.shape.reduce((a, b) => a * b, 1) * 4;

/**
 * Writes onnx/model.onnx for `config` with weights from `seed`. Returns { bytes, external }.
 * externalData: true | false | 'auto' (external when the weights exceed the protobuf limit).
 */
export async function writeOnnxModel(file, config, { seed = 0, externalData = 'auto', specs = parameterSpecs(config), heads = false, attentionBlock } = {}) {
  const { nodes, constants, inputs, outputs } = buildGraph(config, { heads, attentionBlock });
  if (heads) specs = [...specs, ...headSpecs(config)];
  const total = specs.reduce((a, s) => a + byteSize(s), 0);
  const external = externalData === 'auto' ? total > INLINE_LIMIT : Boolean(externalData);
  const dataName = path.basename(file) + '_data';
  const initializers = [...constants];
  let offset = 0;
  for (const spec of specs) {
    if (external) {
      initializers.push(tensor(spec.name, DataType.FLOAT, onnxDims(spec), null, { location: dataName, offset, length: byteSize(spec) }));
      offset += byteSize(spec);
    } else {
      initializers.push(tensor(spec.name, DataType.FLOAT, onnxDims(spec), {
        write: async (sink) => { for (const c of onnxChunks(spec, seed)) await sink.write(c); },
      }));
    }
  }
  const proto = model(graph({ name: `wasmbed_${config.model_type}`, nodes, initializers, inputs, outputs }));
  await writeFileAtomic(file, (fh) => writeMessage(proto, fh));
  if (external) {
    await writeFileAtomic(path.join(path.dirname(file), dataName), async (fh) => {
      for (const spec of specs) for (const c of onnxChunks(spec, seed)) await fh.write(c);
    });
  }
  return { bytes: proto.length + (external ? total : 0), external };
}

function stFiles({ pooling, normalize, maxSeqLength, prompts = {}, defaultPromptName = null, hidden, doLowerCase = false }) {
  const modules = [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  ];
  if (normalize) modules.push({ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' });
  const poolingConfig = {
    word_embedding_dimension: hidden,
    pooling_mode_cls_token: pooling === 'cls',
    pooling_mode_mean_tokens: pooling === 'mean',
    pooling_mode_max_tokens: pooling === 'max',
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: pooling === 'last',
    include_prompt: true,
  };
  return {
    'modules.json': modules,
    '1_Pooling/config.json': poolingConfig,
    'sentence_bert_config.json': { max_seq_length: maxSeqLength, do_lower_case: doLowerCase },
    'config_sentence_transformers.json': {
      __version__: { sentence_transformers: '3.4.0', transformers: '4.47.1', pytorch: '2.5.1' },
      prompts, default_prompt_name: defaultPromptName, similarity_fn_name: 'cosine',
    },
  };
}

/** Default tokenizer_config.json when the tokenizer source has none (XLM-R style for Unigram). */
function defaultTokenizerConfig(tokenizer, maxLength) {
  if (tokenizer.model?.type === 'Unigram') {
    return { tokenizer_class: 'XLMRobertaTokenizer', bos_token: '<s>', eos_token: '</s>', cls_token: '<s>', sep_token: '</s>', pad_token: '<pad>', unk_token: '<unk>', mask_token: '<mask>', model_max_length: maxLength, clean_up_tokenization_spaces: true };
  }
  return { tokenizer_class: 'BertTokenizer', cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]', do_lower_case: false, model_max_length: maxLength };
}

/**
 * Generates a model directory.
 * options: preset (name in PRESETS) and/or config overrides (hidden_size, num_hidden_layers, ...),
 * tokenizer (path to a tokenizer.json or 'synthetic-wordpiece'), seed, st overrides (pooling,
 * normalize, maxSeqLength, prompts), safetensors (write model.safetensors), externalData,
 * heads (BGE-M3 sparse/ColBERT head weights: sparse_linear.safetensors, colbert_linear.safetensors
 * and onnx/model_with_heads.onnx with dense_vecs / sparse_vecs / colbert_vecs outputs),
 * attentionBlock (query rows per attention block; 0: unblocked; default: blocked past 1,024
 * positions, see js/convert/architecture.js), onProgress(stage).
 */
export async function makeModel(outDir, options = {}) {
  const preset = options.preset ? PRESETS[options.preset] : PRESETS['tiny-bert'];
  if (!preset) throw new Error(`unknown preset '${options.preset}' (known: ${Object.keys(PRESETS).join(', ')})`);
  const fields = { ...preset.config, ...(options.config ?? {}) };
  const tokenizerSource = options.tokenizer ?? preset.tokenizer;
  if (!tokenizerSource) throw new Error(`preset '${options.preset}' needs a tokenizer: pass --tokenizer PATH/tokenizer.json`);
  const layout = fields.pad_token_id === 1 ? 'roberta' : 'bert';
  const tok = loadTokenizerFiles(tokenizerSource, { layout });
  const tokVocab = tokenizerVocabSize(tok.tokenizer);
  if (fields.vocab_size == null) fields.vocab_size = tokVocab;
  if (tokVocab > fields.vocab_size) throw new Error(`tokenizer has ${tokVocab} ids but the model vocab_size is ${fields.vocab_size}`);
  const config = fullConfig(fields);
  const st = { ...preset.st, ...(options.st ?? {}) };
  const maxSeq = Math.min(st.maxSeqLength, config.max_position_embeddings - (config.model_type === 'bert' ? 0 : config.pad_token_id + 1));
  const seed = options.seed ?? 0;
  const progress = options.onProgress ?? (() => {});

  const target = await checkTarget(outDir, options.force);
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new InvalidArgumentError(`hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}`);
  }
  // Everything is written into a fresh sibling folder, which replaces the target only once it is
  // complete: a failure (or a kill) never leaves a half-made model under the target's name.
  const finalDir = outDir;
  outDir = `${finalDir.replace(/[\\/]+$/, '')}.${randomBytes(6).toString('hex')}.partial`;
  try {
    const result = await writeModelFolder(outDir, { tok, config, st, maxSeq, seed, progress, options });
    await replaceFolder(outDir, finalDir, target);
    return { ...result, dir: finalDir };
  } catch (err) {
    await rm(outDir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

/**
 * What is at `dir` now: 'absent', 'empty' (an empty folder), 'model' (a folder with config.json
 * and onnx/, i.e. a model folder, which make-model regenerates). Anything else (a file, a folder
 * holding other things) is refused unless `force`, so a typo cannot delete a user's files.
 */
async function checkTarget(dir, force) {
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if (err.code === 'ENOENT') return 'absent';
    throw err;
  }
  if (!st.isDirectory()) {
    if (force) return 'other';
    throw new InvalidArgumentError(`${dir} exists and is not a folder: make-model would replace it (pass --force / force: true to overwrite it)`);
  }
  const names = await readdir(dir);
  if (names.length === 0) return 'empty';
  if (names.includes('config.json') && names.includes('onnx')) return 'model';
  if (force) return 'other';
  throw new InvalidArgumentError(`${dir} is a folder that holds other files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}), not a model: make-model would replace it (pass --force / force: true to overwrite it)`);
}

/** Moves the complete `from` folder to `to`, replacing what `checkTarget` found there. */
async function replaceFolder(from, to, target) {
  if (target === 'absent') return rename(from, to);
  const old = `${to.replace(/[\\/]+$/, '')}.${randomBytes(6).toString('hex')}.old`;
  await rename(to, old);
  try {
    await rename(from, to);
  } catch (err) {
    await rename(old, to).catch(() => {});
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

/** config.json field of every generated model: its weights are random, not trained. */
export const GENERATED_MARKER = 'wasmbed_generated';

async function writeModelFolder(outDir, { tok, config, st, maxSeq, seed, progress, options }) {
  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  const json = (name, obj) => writeFile(path.join(outDir, name), JSON.stringify(obj, null, 2) + '\n');
  // The marker says what this is to anyone who loads it (the demo warns that dense results of
  // random weights are meaningless); Hugging Face ignores config fields it does not know.
  await json('config.json', { ...config, [GENERATED_MARKER]: { weights: 'random', seed, by: 'wasmbed make-model' } });
  if (tok.tokenizerText) await writeFile(path.join(outDir, 'tokenizer.json'), tok.tokenizerText);
  else await json('tokenizer.json', tok.tokenizer);
  await json('tokenizer_config.json', { ...(tok.tokenizerConfig ?? defaultTokenizerConfig(tok.tokenizer, maxSeq)), model_max_length: maxSeq });
  if (tok.specialTokensMap) await json('special_tokens_map.json', tok.specialTokensMap);
  await mkdir(path.join(outDir, '1_Pooling'), { recursive: true });
  const stf = stFiles({ ...st, maxSeqLength: maxSeq, hidden: config.hidden_size });
  for (const [name, obj] of Object.entries(stf)) await json(name, obj);
  if (st.normalize) await mkdir(path.join(outDir, '2_Normalize'), { recursive: true });

  const specs = parameterSpecs(config);
  progress({ stage: 'onnx', parameters: specs.reduce((a, s) => a + byteSize(s) / 4, 0) });
  const onnx = await writeOnnxModel(path.join(outDir, 'onnx', 'model.onnx'), config, { seed, externalData: options.externalData ?? 'auto', specs, attentionBlock: options.attentionBlock });
  if (options.heads) {
    // BGE-M3 heads: the same weights as standalone files (sparse_linear / colbert_linear state
    // dicts with 'weight' and 'bias', as safetensors) and, in a second ONNX file, as extra outputs.
    const hs = headSpecs(config);
    for (const file of ['sparse_linear', 'colbert_linear']) {
      const mine = hs.filter((s) => s.name.startsWith(file + '.'));
      await writeSafetensors(path.join(outDir, `${file}.safetensors`), mine.map((s) => ({ name: s.name.slice(file.length + 1), shape: s.shape, chunks: () => tensorChunks(s, seed) })));
    }
    await writeOnnxModel(path.join(outDir, 'onnx', 'model_with_heads.onnx'), config, { seed, externalData: options.externalData ?? 'auto', specs, heads: true, attentionBlock: options.attentionBlock });
  }
  if (options.safetensors) {
    progress({ stage: 'safetensors' });
    await writeSafetensors(path.join(outDir, 'model.safetensors'), specs.map((s) => ({ name: s.name, shape: s.shape, chunks: () => tensorChunks(s, seed) })));
  }
  progress({ stage: 'done' });
  return { dir: outDir, config, st: { ...st, maxSeqLength: maxSeq }, onnx };
}

export { PRESETS } from './presets.js';
