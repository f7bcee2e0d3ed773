// Content checks applied before a file is returned or cached, so a wrong body (an HTML error
// page served with status 200, a Git LFS pointer, a cut-off file) fails early with a clear error
// instead of reaching the tokenizer or ONNX Runtime, and never lands in the cache.
import { ModelLoadError, ParseError } from '../errors.js';
import { onnxHeadProblem } from '../onnx/index.js';

export const isJsonName = (name) => name.toLowerCase().endsWith('.json');
export const isOnnxName = (name) => name.toLowerCase().endsWith('.onnx');

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 text, naming the file when it is not UTF-8. */
export function decodeText(name, bytes) {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw withFile(new ParseError(`${name} is not valid UTF-8 text`, { cause: err }), name);
  }
}

/** JSON.parse with a ParseError that names the file (and says so when it got HTML). */
export function parseJson(name, bytes) {
  const text = typeof bytes === 'string' ? bytes : decodeText(name, bytes);
  try {
    return JSON.parse(text);
  } catch (err) {
    const hint = /^\s*</.test(text) ? ' (it looks like an HTML page: wrong URL or an error page?)' : '';
    throw withFile(new ParseError(`${name} is not valid JSON: ${err.message}${hint}`, { cause: err }), name);
  }
}

/** Throws ModelLoadError when an .onnx file's first bytes are not an ONNX ModelProto. */
export function checkOnnxHead(name, head, totalSize, where) {
  const problem = onnxHeadProblem(head, totalSize);
  if (problem) {
    throw new ModelLoadError(`${name} is not an ONNX model: ${problem}${where ? ` (${where})` : ''}`, { file: name, url: where });
  }
}

/** Checks a complete file by its name: JSON must parse, ONNX must start like a ModelProto. */
export function checkContent(name, bytes, where) {
  if (isJsonName(name)) parseJson(name, bytes);
  else if (isOnnxName(name)) checkOnnxHead(name, bytes.subarray(0, 4096), bytes.byteLength, where);
}

function withFile(err, file) {
  err.file = file;
  return err;
}
