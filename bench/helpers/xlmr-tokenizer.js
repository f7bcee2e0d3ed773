// The XLM-R-layout test tokenizer the benchmarks give their multilingual model shapes (e5-small,
// bge-m3): the committed SentencePiece unigram fixture trained on ko+ru+en (8k pieces), converted
// to tokenizer.json once and kept in models/generated/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GEN = path.join(ROOT, 'models', 'generated');

/** Path of models/generated/xlmr-uni-all-8000.tokenizer.json, written on first use. */
export async function xlmrTokenizer() {
  const file = path.join(GEN, 'xlmr-uni-all-8000.tokenizer.json');
  if (!existsSync(file)) {
    const { convertSentencePiece } = await import('../../scripts/tokenizer-fixtures/spm-convert.js');
    const model = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'tokenizers', 'spm', 'uni-all-8000-bf.model'));
    mkdirSync(GEN, { recursive: true });
    writeFileSync(file, JSON.stringify(convertSentencePiece(model, 'xlm-roberta')));
  }
  return file;
}
