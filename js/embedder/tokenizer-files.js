// Which file of a model repository holds its tokenizer, and how it is loaded: tokenizer.json (HF
// tokenizers), else sentencepiece.bpe.model, which only XLM-R repositories ship (hence its flavour).
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { missingFileError } from './missing-file.js';

/** Tokenizer file names, in the order they are preferred. */
export const TOKENIZER_FILES = ['tokenizer.json', 'sentencepiece.bpe.model'];

/** The tokenizer file's bytes from a model source: { kind: 'json' | 'spm', bytes }. */
export async function readTokenizerFile(src) {
  if (await src.exists('tokenizer.json')) return { kind: 'json', bytes: await src.bytes('tokenizer.json') };
  if (await src.exists('sentencepiece.bpe.model')) return { kind: 'spm', bytes: await src.bytes('sentencepiece.bpe.model') };
  throw missingFileError(src, 'the model has no tokenizer.json (nor sentencepiece.bpe.model)', ['tokenizer.json', 'sentencepiece.bpe.model']);
}

/** A Tokenizer from readTokenizerFile's result. */
export function buildTokenizer({ kind, bytes }) {
  return kind === 'json' ? Tokenizer.fromJSON(bytes) : Tokenizer.fromSentencePiece(bytes, { flavor: 'xlm-roberta' });
}
