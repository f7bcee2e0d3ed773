// Reads the corpus: folders of .txt/.md/.html files (one document per file, id = its path inside
// the folder), JSONL and CSV files (one document per record, id and text from named fields).
// Inputs are read in the order given, folder entries sorted by path, records in file order: this
// order is the index's order and the basis of blocks and shards, so it must not depend on the
// file system's listing order or on the machine. Every file's SHA-256 is kept: the build's
// fingerprint, which a resumed or sharded run must match.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InvalidArgumentError } from '../errors.js';
import { htmlToText } from './html-text.js';
import { inputError } from './input-error.js';
import { decodeUtf8 } from './utf8.js';

const KINDS = { txt: 'text', md: 'text', markdown: 'text', html: 'html', htm: 'html', jsonl: 'jsonl', ndjson: 'jsonl', csv: 'csv' };

/** Default field names of record inputs (JSONL, CSV). */
export const DEFAULT_FIELDS = { idField: 'id', textField: ['text'], metadataFields: [], tagsField: null };

/** Normalized field options: textField as a list, metadataFields as a list. */
export function fieldOptions({ idField, textField, metadataFields, tagsField } = {}) {
  const list = (v, name) => {
    if (v === undefined || v === null) return undefined;
    const items = Array.isArray(v) ? v : String(v).split(',');
    const out = items.map((s) => String(s).trim()).filter(Boolean);
    if (!out.length) throw new InvalidArgumentError(`${name} must name at least one field`);
    return out;
  };
  return {
    idField: idField ?? DEFAULT_FIELDS.idField,
    textField: list(textField, 'textField') ?? DEFAULT_FIELDS.textField,
    metadataFields: list(metadataFields, 'metadataFields') ?? [],
    tagsField: tagsField ?? null,
  };
}

async function walk(root, rel = '') {
  const out = [];
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch (err) {
    throw new InvalidArgumentError(`cannot read folder ${path.join(root, rel)}: ${err.code ?? err.message}`, { cause: err });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.name.startsWith('.')) continue; // .git, .DS_Store, editors' swap files
    if (e.isDirectory()) out.push(...await walk(root, r));
    else if (e.isFile() && kindOf(e.name)) out.push(r);
  }
  return out;
}

function kindOf(name) {
  return KINDS[path.extname(name).slice(1).toLowerCase()] ?? null;
}

/** The files to read: [{ file (path on disk), name (stable name: path inside its folder), kind }]. */
async function listFiles(inputs) {
  if (!Array.isArray(inputs) || !inputs.length) throw new InvalidArgumentError('inputs must be a non-empty list of files or folders');
  const files = [];
  for (const input of inputs) {
    if (typeof input !== 'string' || !input) throw new InvalidArgumentError(`an input must be a file or folder path, got ${JSON.stringify(input)}`);
    let s;
    try {
      s = await stat(input);
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${input}: ${err.code ?? err.message}`, { cause: err });
    }
    if (s.isDirectory()) {
      for (const rel of await walk(input)) files.push({ file: path.join(input, rel), name: rel, kind: kindOf(rel) });
    } else {
      const kind = kindOf(input);
      if (!kind) throw new InvalidArgumentError(`${input}: unknown input type (expected ${Object.keys(KINDS).map((k) => '.' + k).join(', ')})`);
      files.push({ file: input, name: path.basename(input), kind });
    }
  }
  return files;
}

function idOf(value, file, line, field) {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw inputError(file, line, field, value === undefined || value === null ? 'missing' : `must be a non-empty string or number, got ${JSON.stringify(value)}`);
}

function recordDoc(get, fields, file, line, kind) {
  const id = idOf(get(fields.idField), file, line, fields.idField);
  const parts = [];
  for (const f of fields.textField) {
    const v = get(f);
    if (v === undefined || v === null) {
      if (fields.textField.length === 1) throw inputError(file, line, f, 'missing');
      continue;
    }
    if (typeof v !== 'string') throw inputError(file, line, f, `must be a string, got ${JSON.stringify(v)}`);
    if (v) parts.push(v);
  }
  const metadata = {};
  for (const f of fields.metadataFields) {
    const v = get(f);
    if (v !== undefined) metadata[f] = v;
  }
  if (fields.tagsField) {
    const v = get(fields.tagsField);
    if (v !== undefined && v !== null && v !== '') {
      // CSV cells hold tags separated by '|'; JSONL holds an array (or one string).
      const tags = kind === 'csv' && typeof v === 'string' ? v.split('|').map((t) => t.trim()).filter(Boolean) : Array.isArray(v) ? v : [v];
      if (!tags.every((t) => typeof t === 'string')) throw inputError(file, line, fields.tagsField, `tags must be strings, got ${JSON.stringify(v)}`);
      metadata.tags = tags;
    }
  }
  return { id, text: parts.join('\n\n'), metadata, where: { file, line } };
}

function* jsonlDocs(text, file, fields) {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim()) continue;
    let obj;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw inputError(file, i + 1, null, `not valid JSON (${err.message})`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw inputError(file, i + 1, null, 'each line must be a JSON object');
    yield recordDoc((f) => obj[f], fields, file, i + 1, 'jsonl');
  }
}

function* csvDocs(text, file, fields) {
  let rows;
  try {
    rows = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, info: true });
  } catch (err) {
    throw inputError(file, err.lines ?? null, null, `not valid CSV (${err.message.replace(/^Invalid Record Length: |^[^:]*: /, '')})`);
  }
  const header = rows[0]?.info.columns.map((c) => c.name) ?? [];
  for (const need of [fields.idField, ...(fields.textField.length === 1 ? fields.textField : [])]) {
    if (rows.length && !header.includes(need)) throw inputError(file, 1, need, `no such column (columns: ${header.join(', ')})`);
  }
  for (const { record, info } of rows) yield recordDoc((f) => (Object.hasOwn(record, f) ? record[f] : undefined), fields, file, info.lines, 'csv');
}

/**
 * Reads every input. Returns { docs: [{ id, text, metadata }], files: [{ name, sha256, bytes }] }.
 * Throws ParseError (file, line, field) for invalid UTF-8, JSON or CSV, missing fields and
 * duplicate ids; InvalidArgumentError for unreadable or unknown inputs.
 */
export async function readDocuments(inputs, options = {}) {
  const fields = fieldOptions(options);
  const docs = [];
  const files = [];
  const seen = new Map();
  for (const { file, name, kind } of await listFiles(inputs)) {
    let bytes;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${file}: ${err.code ?? err.message}`, { cause: err });
    }
    files.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    const text = decodeUtf8(bytes, file);
    const found = kind === 'jsonl' ? jsonlDocs(text, file, fields)
      : kind === 'csv' ? csvDocs(text, file, fields)
        : [{ id: name, text: kind === 'html' ? htmlToText(text) : text, metadata: {}, where: { file, line: null } }];
    for (const doc of found) {
      const prior = seen.get(doc.id);
      if (prior) {
        throw inputError(doc.where.file, doc.where.line, kind === 'jsonl' || kind === 'csv' ? fields.idField : null,
          `duplicate id ${JSON.stringify(doc.id)} (first at ${prior.file}${prior.line == null ? '' : `:${prior.line}`})`);
      }
      seen.set(doc.id, doc.where);
      docs.push({ id: doc.id, text: doc.text, metadata: doc.metadata });
    }
  }
  return { docs, files, fields };
}
