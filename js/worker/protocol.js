// Shared by the worker entry (js/worker.js) and its client (js/worker-client.js): how values and
// errors cross the postMessage boundary.
import * as errors from '../errors.js';

// What the main thread sees of the model: its `info` (device, pooling, maxLength, hiddenSize ...)
// and its own enumerable plain-data properties. Getters such as `ort` or `tokenizer` stay behind:
// they are live objects, not data.
export function describe(embedder) {
  const out = {};
  for (const [key, value] of Object.entries(embedder)) {
    const p = plain(value, 0, false); // no binary: a vocabulary or weights must not be copied across
    if (p !== undefined && !key.startsWith('_')) out[key] = p;
  }
  const info = plain(embedder.info, 0, false);
  if (info !== undefined) out.info = info;
  return out;
}

// Structured-cloneable data only (functions, class instances with methods, sessions are dropped).
export function plain(v, depth = 0, binary = true) {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v;
  if (typeof v !== 'object' || depth > 6) return undefined;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return binary ? v : undefined;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1, binary)).filter((x) => x !== undefined);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    const p = plain(x, depth + 1, binary);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

// Result vectors move to the main thread without a copy. Views sharing one buffer list it once;
// a buffer the views do not fully cover (e.g. a WebAssembly.Memory heap, which can never be
// detached) is copied instead.
export function transferables(value) {
  const views = [];
  const collect = (v) => {
    if (ArrayBuffer.isView(v)) views.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(collect);
  };
  collect(value);
  const covered = new Map();
  for (const v of views) covered.set(v.buffer, (covered.get(v.buffer) ?? 0) + v.byteLength);
  const list = [];
  for (const [buffer, bytes] of covered) {
    if (buffer instanceof ArrayBuffer && bytes >= buffer.byteLength) list.push(buffer);
  }
  return list;
}

export function serializeError(err) {
  if (!err || typeof err !== 'object') return { name: 'Error', message: String(err) };
  const out = { name: err.name ?? 'Error', message: err.message ?? String(err) };
  for (const key of ['file', 'url', 'status', 'code', 'stack']) {
    if (err[key] !== undefined && ['string', 'number'].includes(typeof err[key])) out[key] = err[key];
  }
  if (err.cause) out.cause = serializeError(err.cause);
  return out;
}

/**
 * Rebuilds a typed wasmbed error (same class, message, file/url/status) from serializeError()'s
 * output, so `instanceof ModelLoadError` works on the main thread as in the worker.
 */
export function deserializeError(data) {
  const Cls = Object.hasOwn(errors, data?.name) && typeof errors[data.name] === 'function' ? errors[data.name] : null;
  const cause = data?.cause ? deserializeError(data.cause) : undefined;
  let err;
  if (Cls === errors.ModelLoadError) {
    err = new Cls(data.message, { file: data.file, url: data.url, status: data.status, cause });
  } else if (Cls && Cls.prototype instanceof Error) {
    err = new Cls(data.message, cause ? { cause } : undefined);
  } else {
    err = new Error(data?.message ?? 'unknown error in the wasmbed worker', cause ? { cause } : undefined);
    if (data?.name) err.name = data.name;
  }
  for (const key of ['file', 'url', 'status', 'code']) if (data?.[key] !== undefined && err[key] === undefined) err[key] = data[key];
  if (data?.stack) err.stack = `${err.name}: ${err.message}\n    (in the wasmbed worker)\n${String(data.stack).split('\n').slice(1).join('\n')}`;
  return err;
}
