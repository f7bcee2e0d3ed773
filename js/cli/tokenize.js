// `wasmbed tokenize`: UTF-8 lines on stdin -> one JSON object per line {"ids":[...],"tokens":[...]}.
import { createInterface } from 'node:readline';
import { Tokenizer } from '../tokenizer/tokenizer.js';

const USAGE = `usage: wasmbed tokenize --tokenizer FILE [--no-special] [--max-length N] [--flavor plain|xlm-roberta]

Reads UTF-8 text from stdin, one input per line, and writes one JSON object per line:
  {"ids":[...],"tokens":[...]}
  --tokenizer FILE   tokenizer.json, a folder containing one, or a SentencePiece .model
  --no-special       do not add special tokens ([CLS]/[SEP], <s>/</s>)
  --max-length N     truncate every line to N tokens (special tokens included)
  --flavor F         for .model files: plain (default, SentencePiece ids) or xlm-roberta (fairseq ids)
`;

function parseArgs(argv) {
  const opts = { tokenizer: null, addSpecialTokens: true, maxLength: 0, flavor: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--tokenizer') opts.tokenizer = value();
    else if (a.startsWith('--tokenizer=')) opts.tokenizer = a.slice('--tokenizer='.length);
    else if (a === '--no-special') opts.addSpecialTokens = false;
    else if (a === '--max-length' || a.startsWith('--max-length=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--max-length must be a positive integer, got '${v}'`);
      opts.maxLength = Number(v);
    } else if (a === '--flavor') opts.flavor = value();
    else throw new Error(`unknown option '${a}'`);
  }
  return opts;
}

export async function run(argv, { stdin, stdout, stderr }) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    stderr.write(`wasmbed tokenize: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    stdout.write(USAGE);
    return 0;
  }
  if (!opts.tokenizer) {
    stderr.write(`wasmbed tokenize: --tokenizer is required\n${USAGE}`);
    return 2;
  }
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
