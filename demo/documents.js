// Turns what a user gives the demo (pasted text, .txt / .md / .jsonl / .csv files) into documents
// { title, text, sourceId? }. Pure functions: no DOM, runs in the worker and in Node tests.

const TEXT_FIELDS = ['text', 'content', 'body', 'passage', 'sentence', 'document', 'contents'];
const TITLE_FIELDS = ['title', 'name', 'heading', 'subject'];
const ID_FIELDS = ['id', '_id', 'guid', 'doc_id', 'docid'];

/**
 * @param {{ kind: 'paste'|'file', name: string, text: string }} item
 * @returns {{ docs: { title: string, text: string, sourceId?: string }[], skipped: number, format: string }}
 */
export function parseDocuments(item) {
  const name = String(item.name ?? 'untitled');
  const text = String(item.text ?? '').replace(/^\uFEFF/, '');
  const ext = item.kind === 'paste' ? 'paste' : (name.match(/\.([a-z0-9]+)$/i)?.[1] ?? 'txt').toLowerCase();
  switch (ext) {
    case 'jsonl':
    case 'ndjson':
      return { format: 'jsonl', ...parseJsonl(text, name) };
    case 'csv':
      return { format: 'csv', ...parseCsv(text, name) };
    case 'tsv':
      return { format: 'tsv', ...parseCsv(text, name, '\t') };
    case 'paste':
      return { format: 'text', docs: text.trim() ? [{ title: firstLine(text), text }] : [], skipped: 0 };
    default:
      return { format: 'text', docs: text.trim() ? [{ title: name, text }] : [], skipped: 0 };
  }
}

function firstLine(text) {
  const line = text.trim().split('\n', 1)[0].trim();
  return line.length > 70 ? `${line.slice(0, 67)}…` : line;
}

function pick(obj, fields) {
  const lower = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), k]));
  for (const f of fields) {
    const key = lower.get(f);
    if (key !== undefined && obj[key] != null && String(obj[key]).trim() !== '') return String(obj[key]);
  }
  return undefined;
}

function parseJsonl(text, name) {
  const docs = [];
  let skipped = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      skipped += 1;
      return;
    }
    if (typeof value === 'string') {
      if (value.trim()) docs.push({ title: `${name}:${i + 1}`, text: value });
      else skipped += 1;
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      skipped += 1;
      return;
    }
    const body = pick(value, TEXT_FIELDS);
    if (!body) {
      skipped += 1;
      return;
    }
    const id = pick(value, ID_FIELDS);
    docs.push({ title: pick(value, TITLE_FIELDS) ?? id ?? `${name}:${i + 1}`, text: body, ...(id ? { sourceId: id } : {}) });
  });
  return { docs, skipped };
}

/** RFC 4180 CSV: quoted fields may hold separators, doubled quotes and newlines. */
export function parseCsvRows(text, sep = ',') {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

function parseCsv(text, name, sep = ',') {
  const rows = parseCsvRows(text, sep);
  if (rows.length === 0) return { docs: [], skipped: 0 };
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const textCol = header.findIndex((h) => TEXT_FIELDS.includes(h));
  const docs = [];
  let skipped = 0;
  if (textCol >= 0) {
    const titleCol = header.findIndex((h) => TITLE_FIELDS.includes(h));
    const idCol = header.findIndex((h) => ID_FIELDS.includes(h));
    rows.slice(1).forEach((r, i) => {
      const body = r[textCol]?.trim() ? r[textCol] : '';
      if (!body) {
        skipped += 1;
        return;
      }
      const id = idCol >= 0 && r[idCol]?.trim() ? r[idCol] : undefined;
      docs.push({ title: (titleCol >= 0 && r[titleCol]?.trim()) || id || `${name}:${i + 2}`, text: body, ...(id ? { sourceId: id } : {}) });
    });
    return { docs, skipped };
  }
  // No recognisable header: every row is a document made of its non-numeric cells.
  rows.forEach((r, i) => {
    const cells = r.filter((f) => f.trim() && !/^[-+]?\d+(\.\d+)?$/.test(f.trim()));
    if (cells.length === 0) {
      skipped += 1;
      return;
    }
    docs.push({ title: `${name}:${i + 1}`, text: cells.join('\n') });
  });
  return { docs, skipped };
}
