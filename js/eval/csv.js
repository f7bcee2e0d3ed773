// RFC 4180 CSV (quoted fields, "" for a quote, CRLF or LF) with the line each record starts on,
// so errors can name it; a quoted field may span lines.
import { parseError } from './input.js';

/** @returns {{ fields: string[], line: number }[]} records (blank lines skipped) */
export function parseCsvRecords(text, file) {
  const records = [];
  let fields = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let afterQuote = false;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ fields, line: start });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else { quoted = false; afterQuote = true; }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '' && !afterQuote) { quoted = true; continue; }
    if (c === ',') { fields.push(field); field = ''; afterQuote = false; continue; }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      afterQuote = false;
      line++;
      start = line;
      continue;
    }
    if (afterQuote) throw parseError(file, line, null, 'text after a closing quote (a quote inside a field must be doubled)');
    field += c;
  }
  if (quoted) throw parseError(file, start, null, 'a quoted field is not closed');
  if (field !== '' || fields.length) endRecord();
  return records;
}
