// Tokenizer files for generated models: either copied from a given tokenizer.json (and its
// neighbouring tokenizer_config.json / special_tokens_map.json), or a synthetic WordPiece
// tokenizer built here (no download, no shared data needed) for self-contained tests.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const COMMON_WORDS = (
  'the of and to in is was for on that with as by at from it an be this are or his which not ' +
  'have one had but were all they their has been there more can when who will would about other ' +
  'what so some out up into time only no just like over also new see two man men woman women ' +
  'people year years day way world life work play dog cat car music game water food city house ' +
  'police killed said says bird child children sitting riding playing eating running walking ' +
  'query passage embedding model search vector'
).split(' ');

/**
 * An HF tokenizer.json (WordPiece, BERT normalizer/pre-tokenizer, [CLS] A [SEP]) whose vocab has
 * ASCII, Latin-1 letters, Cyrillic and all Hangul syllables (plus their ## continuations), so
 * English, Russian and Korean text tokenizes without [UNK] floods. `layout: 'roberta'` puts
 * [CLS]=0, [PAD]=1, [SEP]=2, [UNK]=3 like klue/roberta-base (pad id 1 for RoBERTa models).
 */
export function syntheticWordPiece({ layout = 'bert' } = {}) {
  const specials = layout === 'roberta' ? ['[CLS]', '[PAD]', '[SEP]', '[UNK]', '[MASK]'] : ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const vocab = {};
  let size = 0;
  const add = (t) => { if (!(t in vocab)) vocab[t] = size++; };
  specials.forEach(add);
  const chars = [];
  for (let c = 0x21; c <= 0x7e; c++) chars.push(String.fromCodePoint(c));
  for (let c = 0xc0; c <= 0xff; c++) chars.push(String.fromCodePoint(c));
  for (let c = 0x400; c <= 0x44f; c++) chars.push(String.fromCodePoint(c));
  for (let c = 0xac00; c <= 0xd7a3; c++) chars.push(String.fromCodePoint(c));
  for (const w of COMMON_WORDS) add(w);
  for (const ch of chars) add(ch);
  for (const ch of chars) add('##' + ch);
  const id = (t) => vocab[t];
  const special = (t) => ({ id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(special).sort((a, b) => a.id - b.id),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  const tokenizerConfig = {
    added_tokens_decoder: Object.fromEntries(specials.map((t) => [String(id(t)), { ...special(t), id: undefined }])),
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]',
    do_lower_case: false,
    model_max_length: 512,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
  };
  const specialTokensMap = { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' };
  return { tokenizer, tokenizerConfig, specialTokensMap };
}

/** Number of ids a tokenizer.json can produce (max id + 1 over model vocab and added tokens). */
export function tokenizerVocabSize(tokenizer) {
  let max = -1;
  const vocab = tokenizer.model?.vocab;
  if (Array.isArray(vocab)) max = vocab.length - 1; // Unigram: [[piece, score], ...]
  else if (vocab) for (const v of Object.values(vocab)) max = Math.max(max, v);
  for (const t of tokenizer.added_tokens ?? []) max = Math.max(max, t.id);
  return max + 1;
}

/** Reads a tokenizer source: 'synthetic-wordpiece[:roberta]' or a path to a tokenizer.json. */
export function loadTokenizerFiles(source, { layout } = {}) {
  if (source === 'synthetic-wordpiece') return syntheticWordPiece({ layout });
  const file = existsSync(source) && !source.endsWith('.json') ? path.join(source, 'tokenizer.json') : source;
  if (!existsSync(file)) throw new Error(`tokenizer file not found: ${file}`);
  const tokenizer = JSON.parse(readFileSync(file, 'utf8'));
  const dir = path.dirname(file);
  const readOpt = (name) => (existsSync(path.join(dir, name)) ? JSON.parse(readFileSync(path.join(dir, name), 'utf8')) : null);
  return { tokenizer, tokenizerConfig: readOpt('tokenizer_config.json'), specialTokensMap: readOpt('special_tokens_map.json'), tokenizerText: readFileSync(file, 'utf8') };
}
