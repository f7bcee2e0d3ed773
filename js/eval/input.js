// Where evaluation data comes from: a file path (Node) or an in-memory file { name, data } with
// data a string, Uint8Array, ArrayBuffer or Blob (browsers: a File from an <input> works as-is).
// Text inputs are read line by line so a large corpus.jsonl never has to be one JS string.
import { InvalidArgumentError, ParseError } from '../index.js';

/** A ParseError that names the file, the line (or parquet row) and the field. */
export function parseError(file, where, field, message) {
  const at = where === null ? '' : `:${where}`;
  const err = new ParseError(`${file}${at}: ${field ? `field '${field}': ` : ''}${message}`);
  err.file = file;
  err.line = where;
  err.field = field ?? null;
  return err;
}

/** Display name of an input. */
export function inputName(input) {
  if (typeof input === 'string') return input;
  if (input && typeof input === 'object' && typeof input.name === 'string') return input.name;
  throw new InvalidArgumentError('an input must be a file path or { name, data } (a File works)');
}

/** The whole input as bytes. */
export async function readBytes(input) {
  if (typeof input === 'string') {
    const { readFile } = await import('node:fs/promises');
    try {
      return new Uint8Array(await readFile(input));
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${input}: ${err.code ?? err.message}`, { cause: err });
    }
  }
  const data = input?.data ?? (typeof Blob !== 'undefined' && input instanceof Blob ? input : undefined);
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new InvalidArgumentError(`${inputName(input)}: data must be a string, Uint8Array, ArrayBuffer or Blob`);
}

/**
 * The input's lines (without line ends; a UTF-8 BOM dropped) with 1-based numbers:
 * async iterable of { text, number }.
 */
export async function* readLines(input) {
  let number = 0;
  if (typeof input === 'string') {
    const { createReadStream } = await import('node:fs');
    const { createInterface } = await import('node:readline');
    const stream = createReadStream(input, { encoding: 'utf8' });
    const opened = new Promise((resolve, reject) => { stream.once('open', resolve); stream.once('error', reject); });
    try {
      await opened;
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${input}: ${err.code ?? err.message}`, { cause: err });
    }
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      number++;
      yield { text: number === 1 ? stripBom(line) : line, number };
    }
    return;
  }
  const text = new TextDecoder().decode(await readBytes(input));
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    number++;
    yield { text: number === 1 ? stripBom(line) : line, number };
  }
}

const stripBom = (s) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/** The input's extension in lower case ('jsonl', 'tsv', 'parquet', ...), '' when none. */
export function extensionOf(input) {
  const name = inputName(input).toLowerCase().replace(/\.(gz)$/, '');
  const m = /\.([a-z0-9]+)$/.exec(name);
  return m ? m[1] : '';
}
