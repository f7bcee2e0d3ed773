// Cache keys and file names. A key is a '/'-joined list of escaped segments, e.g.
//   hub/huggingface.co/BAAI/bge-m3/main/onnx/model.onnx
//   url/127.0.0.1%3A8080/models/mini/config.json
// Escaping keeps ordinary file names unchanged (ONNX external data is found by its literal name
// next to the model) while making every segment a safe file name on Linux, macOS and Windows.
import { InvalidArgumentError } from '../errors.js';

/** Escapes one key segment ('/' included, so a revision like 'refs/pr/1' stays one segment). */
export function escapeSegment(s) {
  // Control characters are escaped on purpose: they are not allowed in file names on every system.
  // eslint-disable-next-line no-control-regex
  const out = String(s).replace(/[%\\/:*?"<>|\x00-\x1f\x7f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (out === '' || out === '.' || out === '..') return out.replace(/\./g, '%2E') || '%';
  return out;
}

/** Splits a key back into its (already safe) path segments. */
export function keySegments(key) {
  const parts = String(key).split('/');
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') throw new InvalidArgumentError(`bad cache key "${key}"`);
  }
  return parts;
}

/**
 * Checks a model file name ("config.json", "onnx/model.onnx") and returns it normalised to
 * forward slashes. Absolute names and '..' are refused: a name must stay inside the model.
 */
export function checkFileName(name) {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`file name must be a non-empty string, got ${JSON.stringify(name)}`);
  const n = name.replace(/\\/g, '/');
  const parts = n.split('/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n) || parts.some((p) => p === '..' || p === '' || p === '.')) {
    throw new InvalidArgumentError(`file name "${name}" must be a relative path inside the model (no '..', no leading '/')`);
  }
  return n;
}

/** Key prefix + file name -> full key. */
export function fileKey(prefix, name) {
  return `${prefix}/${name.split('/').map(escapeSegment).join('/')}`;
}

/** Marker key recording that a file is absent upstream (HTTP 404), so offline loads agree with online ones. */
export function missingKey(key) {
  return `${key}%23missing`;
}
