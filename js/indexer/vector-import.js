// Precomputed vectors (`--vectors FILE`): a .npy (float32 / float16, shape (count, dims)) or raw
// little-endian float32 rows with --count and/or --dims, and their ids (`--ids FILE`: .txt with one
// id per line, or .jsonl with one id per line as a JSON string / number or an object with the id
// field and optional text and metadata fields). Shapes, sizes and ids are checked here, with the
// file and line named, before anything is written.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, ParseError } from '../errors.js';
import { fieldOptions } from './documents.js';
import { inputError } from './input-error.js';
import { readNpy } from './npy.js';
import { decodeUtf8 } from './utf8.js';

async function bytesOf(file, what) {
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength); // a view, not a copy
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${what} ${file}: ${err.code ?? err.message}`, { cause: err });
  }
}

function readRaw(bytes, file, { count, dims }) {
  if (bytes.length % 4) throw new ParseError(`${file}: ${bytes.length} bytes is not a whole number of float32 values`);
  const values = bytes.length / 4;
  if (dims === undefined && count === undefined) throw new InvalidArgumentError(`${file}: raw float32 vectors need --dims or --count (or use a .npy file, which records its shape)`);
  dims ??= values / count;
  count ??= values / dims;
  if (!Number.isInteger(dims) || !Number.isInteger(count) || count * dims !== values) {
    throw new ParseError(`${file}: ${values} float32 values do not make ${count} x ${dims} vectors`);
  }
  // In place when aligned (a whole file read is); else a copy.
  const data = bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, values) : new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer);
  return { data, count, dims, dtype: 'float32' };
}

function readIds(text, file, fields) {
  const rows = [];
  const jsonl = /\.(jsonl|ndjson)$/i.test(file);
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!jsonl) {
      if (!line) throw inputError(file, i + 1, null, 'empty id');
      rows.push({ id: line, text: '', metadata: {}, line: i + 1 });
      continue;
    }
    let v;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw inputError(file, i + 1, null, `not valid JSON (${err.message})`);
    }
    if (typeof v === 'string' || typeof v === 'number') v = { [fields.idField]: v };
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw inputError(file, i + 1, null, 'each line must be an id (string or number) or a JSON object');
    const id = v[fields.idField];
    if (!(typeof id === 'string' && id) && !(typeof id === 'number' && Number.isFinite(id))) {
      throw inputError(file, i + 1, fields.idField, id === undefined ? 'missing' : `must be a non-empty string or number, got ${JSON.stringify(id)}`);
    }
    const texts = fields.textField.map((f) => v[f]).filter((t) => t !== undefined && t !== null);
    for (const t of texts) if (typeof t !== 'string') throw inputError(file, i + 1, fields.textField.join(','), `must be a string, got ${JSON.stringify(t)}`);
    const metadata = {};
    for (const f of fields.metadataFields) if (v[f] !== undefined) metadata[f] = v[f];
    if (fields.tagsField && v[fields.tagsField] !== undefined) metadata.tags = [].concat(v[fields.tagsField]);
    rows.push({ id: String(id), text: texts.join('\n\n'), metadata, line: i + 1 });
  }
  return rows;
}

/**
 * Reads imported vectors and ids. Returns { data, count, dims, dtype, rows: [{ id, text, metadata }],
 * files: [{ name, sha256, bytes }] }.
 */
export async function readVectorImport({ vectors, ids, count, dims, ...fieldOpts }) {
  if (typeof vectors !== 'string') throw new InvalidArgumentError('vectors must be a file path (.npy or raw float32)');
  if (typeof ids !== 'string') throw new InvalidArgumentError('imported vectors need their ids: pass ids (a .txt or .jsonl file, one id per line)');
  const fields = fieldOptions(fieldOpts);
  const vbytes = await bytesOf(vectors, 'vectors');
  const isNpy = /\.npy$/i.test(vectors);
  const v = isNpy ? readNpy(vbytes, vectors) : readRaw(vbytes, vectors, { count, dims });
  if (isNpy && count !== undefined && count !== v.count) throw new InvalidArgumentError(`${vectors}: holds ${v.count} vectors, count says ${count}`);
  if (isNpy && dims !== undefined && dims !== v.dims) throw new InvalidArgumentError(`${vectors}: holds ${v.dims}-dim vectors, dims says ${dims}`);
  if (v.dims < 1) throw new ParseError(`${vectors}: vectors have 0 dimensions`);
  for (let i = 0; i < v.data.length; i++) {
    if (!Number.isFinite(v.data[i])) throw new ParseError(`${vectors}: row ${Math.floor(i / v.dims)} holds ${v.data[i]} at dimension ${i % v.dims}`);
  }
  const ibytes = await bytesOf(ids, 'ids');
  const rows = readIds(decodeUtf8(ibytes, ids), ids, fields);
  if (rows.length !== v.count) throw new InvalidArgumentError(`${ids} lists ${rows.length} ids for ${v.count} vectors in ${vectors}`);
  const seen = new Map();
  for (const r of rows) {
    if (seen.has(r.id)) throw inputError(ids, r.line, jsonlField(ids, fields), `duplicate id ${JSON.stringify(r.id)} (first at line ${seen.get(r.id)})`);
    seen.set(r.id, r.line);
    delete r.line;
  }
  const hash = (b) => createHash('sha256').update(b).digest('hex');
  return {
    ...v, rows, fields,
    files: [{ name: path.basename(vectors), sha256: hash(vbytes), bytes: vbytes.length }, { name: path.basename(ids), sha256: hash(ibytes), bytes: ibytes.length }],
  };
}

const jsonlField = (file, fields) => (/\.(jsonl|ndjson)$/i.test(file) ? fields.idField : null);
