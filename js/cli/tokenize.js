// `wasmbed tokenize`: UTF-8 lines on stdin -> one JSON object per line {"ids":[...],"tokens":[...]}.
import { createInterface } from 'node:readline';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { int, oneOf, parseCommandArgs } from './args.js';

const USAGE = `usage: wasmbed tokenize --tokenizer FILE [--no-special] [--max-length N] [--flavor plain|xlm-roberta]

Reads UTF-8 text from stdin, one input per line, and writes one JSON object per line:
  {"ids":[...],"tokens":[...]}
  --tokenizer FILE   tokenizer.json, a folder containing one, or a SentencePiece .model
  --no-special       do not add special tokens ([CLS]/[SEP], <s>/</s>)
  --max-length N     truncate every line to N tokens (special tokens included)
  --flavor F         for .model files: plain (default, SentencePiece ids) or xlm-roberta (fairseq ids)
`;

export async function run(argv, { stdin, stdout, stderr }) {
  const parsed = parseCommandArgs('tokenize', argv, {
    usage: USAGE,
    options: {
      tokenizer: { type: 'string' }, 'no-special': { type: 'boolean' }, 'max-length': int({ min: 1 }),
      flavor: oneOf(['plain', 'xlm-roberta']),
    },
  }, { stdout, stderr });
  if (parsed.exit !== undefined) return parsed.exit;
  const v = parsed.args.values;
  if (!v.tokenizer) {
    stderr.write(`tokenize: --tokenizer is required\n${USAGE}`);
    return 2;
  }
  const opts = { tokenizer: v.tokenizer, addSpecialTokens: !v['no-special'], maxLength: v['max-length'] ?? 0, flavor: v.flavor };
  const tok = await Tokenizer.fromFile(opts.tokenizer, { flavor: opts.flavor });
  try {
    const lines = createInterface({ input: stdin, crlfDelay: Infinity });
    let pending = [];
    const flush = async () => {
      if (!pending.length) return;
      const chunk = pending.join('');
      pending = [];
      if (!stdout.write(chunk)) await new Promise((resolve) => stdout.once('drain', resolve));
    };
    for await (const line of lines) {
      const enc = tok.encode(line, { addSpecialTokens: opts.addSpecialTokens, maxLength: opts.maxLength });
      pending.push(`{"ids":[${enc.ids.join(',')}],"tokens":${JSON.stringify(enc.tokens)}}\n`);
      if (pending.length >= 256) await flush();
    }
    await flush();
  } finally {
    tok.dispose();
  }
  return 0;
}

export default run;
