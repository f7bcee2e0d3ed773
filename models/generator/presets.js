// Model shapes the generator knows: tiny ones for tests, and the real shapes of the seed models
// (benchmarks). `vocab_size: null` means "take it from the tokenizer".

const bertBase = { model_type: 'bert', hidden_act: 'gelu', type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0, max_position_embeddings: 512 };
// RoBERTa-family models shift positions by padding_idx + 1, hence 514 = 512 + 2.
const robertaBase = { model_type: 'roberta', hidden_act: 'gelu', type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1, bos_token_id: 0, eos_token_id: 2, max_position_embeddings: 514 };
const xlmrBase = { ...robertaBase, model_type: 'xlm-roberta' };
const tiny = { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: null };

/**
 * config: Hugging Face config.json fields; st: sentence-transformers settings (pooling, normalize,
 * maxSeqLength, prompts); tokenizer: default tokenizer source ('synthetic-wordpiece' needs no file).
 */
export const PRESETS = {
  'tiny-bert': {
    config: { ...bertBase, ...tiny },
    st: { pooling: 'mean', normalize: true, maxSeqLength: 512 },
    tokenizer: 'synthetic-wordpiece',
  },
  'tiny-roberta': {
    config: { ...robertaBase, ...tiny },
    st: { pooling: 'mean', normalize: false, maxSeqLength: 512 },
    tokenizer: 'synthetic-wordpiece',
  },
  'tiny-xlm-roberta': {
    config: { ...xlmrBase, ...tiny },
    st: { pooling: 'cls', normalize: true, maxSeqLength: 512 },
    tokenizer: 'synthetic-wordpiece',
  },
  'all-MiniLM-L6-v2': {
    config: { ...bertBase, hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536, vocab_size: 30522 },
    st: { pooling: 'mean', normalize: true, maxSeqLength: 256 },
  },
  'ko-sroberta-multitask': {
    config: { ...robertaBase, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, vocab_size: 32000 },
    st: { pooling: 'mean', normalize: false, maxSeqLength: 128 },
  },
  'multilingual-e5-small': {
    // A BERT encoder with the XLM-R vocabulary (config of intfloat/multilingual-e5-small).
    config: { ...bertBase, hidden_size: 384, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 1536, vocab_size: 250037 },
    st: { pooling: 'mean', normalize: true, maxSeqLength: 512, prompts: { query: 'query: ', passage: 'passage: ' } },
  },
  'bge-m3': {
    config: { ...xlmrBase, hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, intermediate_size: 4096, vocab_size: 250002, max_position_embeddings: 8194 },
    st: { pooling: 'cls', normalize: true, maxSeqLength: 8192 },
  },
};

const ARCH_CLASS = { bert: 'BertModel', roberta: 'RobertaModel', 'xlm-roberta': 'XLMRobertaModel' };

/** A complete config.json object from a preset's fields. */
export function fullConfig(fields) {
  return {
    architectures: [ARCH_CLASS[fields.model_type]],
    attention_probs_dropout_prob: 0.1,
    hidden_dropout_prob: 0.1,
    initializer_range: 0.02,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    transformers_version: '4.47.1',
    use_cache: true,
    ...fields,
  };
}
