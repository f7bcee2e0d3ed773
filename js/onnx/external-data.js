// Lists the external-data files an ONNX model needs (models over 2 GB keep their weights beside
// the .onnx, e.g. `model.onnx_data`), so the loader downloads and caches them next to it.
// The walk skips tensor payloads by length, so listing a 2 GB graph touches only field headers;
// over a file source (Node) the weights are never read into JS at all. Browser-safe.
import { InvalidArgumentError, ParseError } from '../errors.js';
import { ByteSource } from './byte-source.js';
import { ATTR, ENTRY, FUNCTION, GRAPH, MODEL, NODE, SPARSE_TENSOR, TENSOR } from './schema.js';
import { WIRE, walkFields } from './wire-reader.js';

// Not fatal: a location with a stray byte still reaches checkLocation() and its error message.
const utf8 = new TextDecoder();

/**
 * The external-data locations (paths relative to the .onnx file's folder) referenced by an ONNX
 * model's tensors: initializers, sparse initializers, Constant-node tensors and subgraphs.
 * `src` is a Uint8Array or a ByteSource. Throws ParseError on a malformed protobuf or an unsafe
 * location (absolute, or escaping the model's folder).
 */
export function listExternalData(src) {
  return [...walkExternalData(src).keys()];
}

/**
 * The bytes of external data the model's tensors reference (the sum of their `length` entries), or
 * null when a tensor does not state its length. Lets a loader size a model before it downloads the
 * weights (the ORT-web 4 GiB heap check). Same `src` and errors as listExternalData.
 */
export function externalDataBytes(src) {
  let total = 0;
  for (const length of walkExternalData(src).values()) {
    if (length == null) return null;
    total += length;
  }
  return total;
}

/** location -> bytes its tensors reference (null once a tensor lacks a `length` entry). */
function walkExternalData(src) {
  if (src instanceof Uint8Array) src = ByteSource.fromBytes(src);
  else if (!(src instanceof ByteSource)) throw new InvalidArgumentError(`listExternalData: expected the .onnx bytes (Uint8Array), got ${src === null ? 'null' : typeof src}`);
  const found = new Map();
  // Length-delimited sub-messages of [a, b) as [field, start, end].
  const children = function* (a, b) {
    for (const f of walkFields(src, a, b)) if (f.wire === WIRE.LEN) yield [f.field, f.offset, f.offset + f.length];
  };
  const str = (a, b) => utf8.decode(src.read(a, b - a));

  const tensor = (a, b) => {
    let location = null;
    let length = null;
    for (const [field, start, end] of children(a, b)) {
      if (field !== TENSOR.EXTERNAL_DATA) continue;
      let key = null;
      let value = null;
      for (const [f, s, e] of children(start, end)) {
        if (f === ENTRY.KEY) key = str(s, e);
        else if (f === ENTRY.VALUE) value = str(s, e);
      }
      if (key === 'location' && value != null) location = checkLocation(value);
      else if (key === 'length' && value != null && /^\d+$/.test(value)) length = Number(value);
    }
    if (location == null) return;
    const before = found.has(location) ? found.get(location) : 0;
    found.set(location, before == null || length == null ? null : before + length);
  };
  const sparse = (a, b) => {
    for (const [field, start, end] of children(a, b)) if (field === SPARSE_TENSOR.VALUES || field === SPARSE_TENSOR.INDICES) tensor(start, end);
  };
  const attribute = (a, b) => {
    for (const [field, start, end] of children(a, b)) {
      if (field === ATTR.T || field === ATTR.TENSORS) tensor(start, end);
      else if (field === ATTR.G || field === ATTR.GRAPHS) graph(start, end);
      else if (field === ATTR.SPARSE_TENSOR || field === ATTR.SPARSE_TENSORS) sparse(start, end);
    }
  };
  const node = (a, b) => {
    for (const [field, start, end] of children(a, b)) if (field === NODE.ATTRIBUTE) attribute(start, end);
  };
  const graph = (a, b) => {
    for (const [field, start, end] of children(a, b)) {
      if (field === GRAPH.NODE) node(start, end);
      else if (field === GRAPH.INITIALIZER) tensor(start, end);
      else if (field === GRAPH.SPARSE_INITIALIZER) sparse(start, end);
    }
  };
  try {
    for (const [field, start, end] of children(0, src.size)) {
      if (field === MODEL.GRAPH) graph(start, end);
      else if (field === MODEL.FUNCTIONS) for (const [f, s, e] of children(start, end)) if (f === FUNCTION.NODE) node(s, e);
    }
  } catch (err) {
    if (err instanceof RangeError) throw new ParseError(`malformed ONNX protobuf: ${err.message}`, { cause: err });
    throw err;
  }
  return found;
}

function checkLocation(loc) {
  const parts = loc.replace(/\\/g, '/').split('/');
  if (loc === '' || loc.startsWith('/') || /^[A-Za-z]:/.test(loc) || parts.includes('..')) {
    throw new ParseError(`ONNX external data location "${loc}" is not a path inside the model's folder`);
  }
  return parts.filter((p) => p !== '.' && p !== '').join('/');
}
