// Transformer encoder graphs (BERT, RoBERTa, XLM-RoBERTa) as the Hub's ONNX exports lay them out:
// inputs input_ids, attention_mask (+ token_type_ids for BERT), output last_hidden_state, built
// from standard opset-17 operators. Parameter names follow Hugging Face's state dict (no model
// prefix), so the same list drives model.safetensors and the converter.
import { DataType, node, tensor, valueInfo } from '../onnx/index.js';
import { BLOCKING_THRESHOLD, DEFAULT_ATTENTION_BLOCK, blockedAttentionNodes } from '../onnx/blocked-attention.js';

export const ARCHITECTURES = ['bert', 'roberta', 'xlm-roberta'];

/** Does this architecture take token_type_ids as an ONNX input? */
export const usesTokenTypes = (modelType) => modelType === 'bert';

/**
 * Parameter list in Hugging Face order. `transpose: true` marks nn.Linear weights: stored [out, in]
 * in PyTorch, written [in, out] as the ONNX MatMul operand.
 */
export function parameterSpecs(cfg, { std = cfg.initializer_range ?? 0.02 } = {}) {
  const H = cfg.hidden_size, I = cfg.intermediate_size;
  const normal = { kind: 'normal', std };
  const gamma = { kind: 'normal', mean: 1, std: 0.05 }; // near HF's ones, but not trivially 1
  const specs = [
    { name: 'embeddings.word_embeddings.weight', shape: [cfg.vocab_size, H], init: normal },
    { name: 'embeddings.position_embeddings.weight', shape: [cfg.max_position_embeddings, H], init: normal },
    { name: 'embeddings.token_type_embeddings.weight', shape: [cfg.type_vocab_size, H], init: normal },
    { name: 'embeddings.LayerNorm.weight', shape: [H], init: gamma },
    { name: 'embeddings.LayerNorm.bias', shape: [H], init: normal },
  ];
  const linear = (name, out, inp) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: normal, transpose: true });
    specs.push({ name: `${name}.bias`, shape: [out], init: normal });
  };
  const layerNorm = (name) => {
    specs.push({ name: `${name}.weight`, shape: [H], init: gamma });
    specs.push({ name: `${name}.bias`, shape: [H], init: normal });
  };
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    layerNorm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, I, H);
    linear(`${p}.output.dense`, H, I);
    layerNorm(`${p}.output.LayerNorm`);
  }
  return specs;
}

/**
 * BGE-M3 head parameters (FlagEmbedding's sparse_linear.pt / colbert_linear.pt state dicts:
 * Linear(H -> 1) and Linear(H -> H)), names prefixed by the file they belong to.
 */
export function headSpecs(cfg, { std = cfg.initializer_range ?? 0.02 } = {}) {
  const H = cfg.hidden_size;
  const normal = { kind: 'normal', std };
  // The sparse weight is scaled up so relu(w . h + b) is positive for a fair share of tokens.
  return [
    { name: 'sparse_linear.weight', shape: [1, H], init: { kind: 'normal', std: 0.2 }, transpose: true },
    { name: 'sparse_linear.bias', shape: [1], init: { kind: 'normal', std: 0.05 } },
    { name: 'colbert_linear.weight', shape: [H, H], init: normal, transpose: true },
    { name: 'colbert_linear.bias', shape: [H], init: normal },
  ];
}

/**
 * Query rows per attention block for a config: blocked (exact, bounded memory) when the model
 * takes more than BLOCKING_THRESHOLD positions, else 0 (one [B, nh, S, S] score tensor).
 */
export const defaultAttentionBlock = (cfg) => ((cfg.max_position_embeddings ?? 0) > BLOCKING_THRESHOLD ? DEFAULT_ATTENTION_BLOCK : 0);

/**
 * Builds nodes, constant initializers, inputs and outputs. The returned `weights` are the names of
 * parameter initializers (supplied by the caller, lazily). attentionBlock: query rows per
 * attention block (js/onnx/blocked-attention.js), 0 for the unblocked form.
 */
export function buildGraph(cfg, { heads = false, attentionBlock = defaultAttentionBlock(cfg) } = {}) {
  const modelType = cfg.model_type;
  if (!ARCHITECTURES.includes(modelType)) throw new Error(`unsupported model_type '${modelType}'`);
  if (cfg.hidden_act && cfg.hidden_act !== 'gelu') throw new Error(`unsupported hidden_act '${cfg.hidden_act}' (gelu only)`);
  const H = cfg.hidden_size, nh = cfg.num_attention_heads, hd = H / nh;
  if (!Number.isInteger(hd)) throw new Error(`hidden_size ${H} is not divisible by num_attention_heads ${nh}`);
  const eps = cfg.layer_norm_eps ?? 1e-12;
  const nodes = [], constants = [];
  let counter = 0;
  const tmp = (hint) => `/${hint}_${counter++}`;
  const declared = new Set();
  const constant = (name, type, dims, values) => {
    if (!declared.has(name)) { declared.add(name); constants.push(tensor(name, type, dims, values)); }
    return name;
  };
  const op = (type, inputs, attrs = {}, out = tmp(type)) => { nodes.push(node(type, inputs, [out], attrs, out.slice(1))); return out; };

  const I64 = DataType.INT64, F32 = DataType.FLOAT;
  constant('const_one_i64', I64, [], [1]);
  constant('const_axes_12', I64, [2], [1, 2]);
  constant('const_one_f', F32, [], [1]);
  constant('const_half_f', F32, [], [0.5]);
  constant('const_sqrt2_f', F32, [], [Math.SQRT2]);
  // Hugging Face's extended attention mask: (1 - mask) * finfo(float32).min.
  constant('const_mask_min_f', F32, [], [-3.4028234663852886e38]);
  constant('const_attn_scale_f', F32, [], [1 / Math.sqrt(hd)]);
  constant('const_heads_shape', I64, [4], [0, 0, nh, hd]);
  constant('const_hidden_shape', I64, [3], [0, 0, H]);

  // --- embeddings
  const word = op('Gather', ['embeddings.word_embeddings.weight', 'input_ids'], { axis: 0 });
  let positionIds;
  if (modelType === 'bert') {
    // position_ids = arange(seq_len)
    constant('const_axes_0', I64, [1], [0]);
    const shape = op('Shape', ['input_ids']);
    const seqLen = op('Gather', [shape, 'const_one_i64'], { axis: 0 });
    const range = op('Range', [constant('const_zero_i64', I64, [], [0]), seqLen, 'const_one_i64']);
    positionIds = op('Unsqueeze', [range, 'const_axes_0']);
  } else {
    // create_position_ids_from_input_ids, as PyTorch exports it: mask = (ids != pad).int();
    // (cumsum(mask) * mask).long() + pad. The cumulative sum runs in int32 like the exported graph
    // (int64 CumSum is computed wrongly by onnxruntime-web's WebGPU backend).
    constant('const_pad_id', I64, [], [cfg.pad_token_id ?? 1]);
    const isPad = op('Equal', ['input_ids', 'const_pad_id']);
    const notPad = op('Cast', [op('Not', [isPad])], { to: DataType.INT32 });
    const cum = op('CumSum', [notPad, 'const_one_i64']);
    positionIds = op('Add', [op('Cast', [op('Mul', [cum, notPad])], { to: I64 }), 'const_pad_id']);
  }
  const pos = op('Gather', ['embeddings.position_embeddings.weight', positionIds], { axis: 0 });
  let types;
  if (usesTokenTypes(modelType)) {
    types = op('Gather', ['embeddings.token_type_embeddings.weight', 'token_type_ids'], { axis: 0 });
  } else {
    // token_type_ids default to zeros in RoBERTa models: add row 0 everywhere, as a [1, H] slice
    // broadcast over [B, S, H] (a Gather with a scalar index is computed wrongly by
    // onnxruntime-web's WebGPU backend).
    constant('const_zero_i64_1d', I64, [1], [0]);
    constant('const_one_i64_row', I64, [1], [1]);
    types = op('Slice', ['embeddings.token_type_embeddings.weight', 'const_zero_i64_1d', 'const_one_i64_row', 'const_zero_i64_1d']);
  }
  // Both adds end on full [B, S, H] operands where possible: for RoBERTa the broadcast type row
  // goes first (a LayerNorm(Add(x, broadcast row)) is fused by ONNX Runtime into
  // SkipLayerNormalization, which onnxruntime-web's WebGPU backend computes wrongly).
  const sum = usesTokenTypes(modelType) ? op('Add', [op('Add', [word, pos]), types]) : op('Add', [op('Add', [word, types]), pos]);
  let x = op('LayerNormalization', [sum, 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias'], { axis: -1, epsilon: { float: eps } });

  // --- additive attention mask [B, 1, 1, S]
  const maskF = op('Cast', ['attention_mask'], { to: F32 });
  const inverted = op('Sub', ['const_one_f', maskF]);
  const maskBias = op('Unsqueeze', [op('Mul', [inverted, 'const_mask_min_f']), 'const_axes_12']);

  const linear = (input, name) => op('Add', [op('MatMul', [input, `${name}.weight`]), `${name}.bias`]);
  const layerNorm = (input, name) => op('LayerNormalization', [input, `${name}.weight`, `${name}.bias`], { axis: -1, epsilon: { float: eps } });
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    const heads = (t, perm) => op('Transpose', [op('Reshape', [t, 'const_heads_shape'])], { perm });
    const q = heads(linear(x, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const k = heads(linear(x, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = heads(linear(x, `${p}.attention.self.value`), [0, 2, 1, 3]);
    let attended;
    if (attentionBlock) {
      // The mask is [B, 1, 1, S]: one row broadcast over every block of queries.
      attended = blockedAttentionNodes({ q, kT: k, v, scale: { name: 'const_attn_scale_f', op: 'Mul' }, mask: maskBias, maskRows: 'one', block: attentionBlock, maxLength: cfg.max_position_embeddings, op, constant, prefix: 'const_attn_' });
    } else {
      const scores = op('Add', [op('Mul', [op('MatMul', [q, k]), 'const_attn_scale_f']), maskBias]);
      attended = op('MatMul', [op('Softmax', [scores], { axis: -1 }), v]);
    }
    const ctx = op('Reshape', [op('Transpose', [attended], { perm: [0, 2, 1, 3] }), 'const_hidden_shape']);
    const attn = linear(ctx, `${p}.attention.output.dense`);
    x = layerNorm(op('Add', [attn, x]), `${p}.attention.output.LayerNorm`);
    const h = linear(x, `${p}.intermediate.dense`);
    // exact GELU: 0.5 * h * (1 + erf(h / sqrt(2)))
    const erf = op('Erf', [op('Div', [h, 'const_sqrt2_f'])]);
    const gelu = op('Mul', [op('Mul', [h, op('Add', [erf, 'const_one_f'])]), 'const_half_f']);
    const out = linear(gelu, `${p}.output.dense`);
    const last = l === cfg.num_hidden_layers - 1;
    x = layerNorm(op('Add', [out, x]), `${p}.output.LayerNorm`);
    if (last) nodes.push(node('Identity', [x], ['last_hidden_state'], {}, 'output_identity'));
  }
  if (cfg.num_hidden_layers === 0) nodes.push(node('Identity', [x], ['last_hidden_state'], {}, 'output_identity'));

  const extraOutputs = [];
  if (heads) {
    // Heads as extra outputs, as third-party BGE-M3 exports have them:
    //   dense_vecs   [B, H]      L2-normalized H[:, 0]
    //   sparse_vecs  [B, S, 1]   relu(sparse_linear(H))
    //   colbert_vecs [B, S-1, H] colbert_linear(H[:, 1:]) * mask[:, 1:, None], each L2-normalized
    //                            (F.normalize: norm clamped at 1e-12, so padding rows stay 0)
    constant('const_int_max_i64', I64, [1], [2 ** 53 - 1]);
    constant('const_axes_1', I64, [1], [1]);
    constant('const_axes_2', I64, [1], [2]);
    constant('const_eps_f', F32, [], [1e-12]);
    const hs = 'last_hidden_state';
    const unitRows = (t) => op('Div', [t, op('Max', [op('ReduceL2', [t], { axes: [-1], keepdims: 1 }), 'const_eps_f'])]);
    const cls = op('Gather', [hs, constant('const_zero_i64', I64, [], [0])], { axis: 1 });
    nodes.push(node('Identity', [unitRows(cls)], ['dense_vecs'], {}, 'dense_identity'));
    const sparse = op('Relu', [op('Add', [op('MatMul', [hs, 'sparse_linear.weight']), 'sparse_linear.bias'])]);
    nodes.push(node('Identity', [sparse], ['sparse_vecs'], {}, 'sparse_identity'));
    const tail = op('Slice', [hs, 'const_one_i64_1d', 'const_int_max_i64', 'const_axes_1']);
    constant('const_one_i64_1d', I64, [1], [1]);
    const maskTail = op('Slice', [maskF, 'const_one_i64_1d', 'const_int_max_i64', 'const_axes_1']);
    const colbert = op('Mul', [op('Add', [op('MatMul', [tail, 'colbert_linear.weight']), 'colbert_linear.bias']), op('Unsqueeze', [maskTail, 'const_axes_2'])]);
    nodes.push(node('Identity', [unitRows(colbert)], ['colbert_vecs'], {}, 'colbert_identity'));
    extraOutputs.push(
      valueInfo('dense_vecs', F32, ['batch_size', H]),
      valueInfo('sparse_vecs', F32, ['batch_size', 'sequence_length', 1]),
      valueInfo('colbert_vecs', F32, ['batch_size', 'colbert_length', H]),
    );
  }
  const inputs = [valueInfo('input_ids', I64, ['batch_size', 'sequence_length']), valueInfo('attention_mask', I64, ['batch_size', 'sequence_length'])];
  if (usesTokenTypes(modelType)) inputs.push(valueInfo('token_type_ids', I64, ['batch_size', 'sequence_length']));
  const outputs = [valueInfo('last_hidden_state', F32, ['batch_size', 'sequence_length', H]), ...extraOutputs];
  return { nodes, constants, inputs, outputs };
}
