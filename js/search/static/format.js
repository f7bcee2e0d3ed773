// The static index format's names and constants, shared by the writer and the reader
// (docs/static-index.md). Browser-safe.
import { InvalidArgumentError } from '../../errors.js';

export const FORMAT = 'wasmbed-static-index';
export const FORMAT_VERSION = 1;
export const METRICS = ['dot', 'cosine'];       // the core's Metric numbering
export const STORAGES = ['float32', 'int8', 'binary'];  // the core's Storage numbering (float32 is not a static storage)
export const MODEL_FIELDS = ['id', 'revision', 'dtype', 'pooling', 'prompt', 'normalize', 'dims'];

/** A content-hashed file name: `<prefix>-<first 16 hex of sha256>.<ext>` (immutable, CDN-cacheable). */
export function contentName(prefix, sha256, ext) {
  return `${prefix}-${sha256.slice(0, 16)}.${ext}`;
}

/** SHA-256 of bytes as hex, through WebCrypto (Node >= 18 and browsers). */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks the model record the manifest keeps: { id, revision, dtype, pooling, prompt, normalize, dims }. */
export function checkModelRecord(model, dims) {
  if (model === null || typeof model !== 'object') {
    throw new InvalidArgumentError('writeStaticIndex: model must be an object { id, revision, dtype, pooling, prompt, normalize, dims }');
  }
  if (typeof model.id !== 'string' || model.id === '') throw new InvalidArgumentError('writeStaticIndex: model.id must be a non-empty string');
  for (const key of ['revision', 'dtype', 'pooling', 'prompt']) {
    if (model[key] !== undefined && model[key] !== null && typeof model[key] !== 'string') {
      throw new InvalidArgumentError(`writeStaticIndex: model.${key} must be a string when given`);
    }
  }
  if (model.normalize !== undefined && typeof model.normalize !== 'boolean') throw new InvalidArgumentError('writeStaticIndex: model.normalize must be a boolean when given');
  if (model.dims !== undefined && model.dims !== dims) throw new InvalidArgumentError(`writeStaticIndex: model.dims ${model.dims} differs from dims ${dims}`);
}
