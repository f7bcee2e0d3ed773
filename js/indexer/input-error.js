// The errors of bad indexer input: a ParseError (js/errors.js) that names the file, the line and
// the field, so a user can open the file at the place that is wrong.
import { ParseError } from '../errors.js';

/** A ParseError for `file`, line `line` (null: the whole file), field `field` (null: none). */
export function inputError(file, line, field, message) {
  const at = line == null ? '' : `:${line}`;
  const err = new ParseError(`${file}${at}: ${field ? `field '${field}': ` : ''}${message}`);
  err.file = file;
  err.line = line ?? null;
  err.field = field ?? null;
  return err;
}
