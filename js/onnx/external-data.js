// Lists the external-data files an ONNX model needs (models over 2 GB keep their weights beside
// the .onnx, e.g. `model.onnx_data`), so the loader downloads and caches them next to it.
// The walk skips tensor payloads by length, so listing a 2 GB graph touches only field headers;
// over a file source (Node) the weights are never read into JS at all. Browser-safe.
import { ParseError } from '../errors.js';
import { ByteSource } from './byte-source.js';
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
  if (src instanceof Uint8Array) src = ByteSource.fromBytes(src);
  const found = new Set();
  // Length-delimited sub-messages of [a, b) as [field, start, end].
  const children = function* (a, b) {
    for (const f of walkFields(src, a, b)) if (f.wire === WIRE.LEN) yield [f.field, f.offset, f.offset + f.length];
  };
  const str = (a, b) => utf8.decode(src.read(a, b - a));

  const tensor = (a, b) => {
    for (const [field, start, end] of children(a, b)) {
      if (field !== 13) continue; // external_data (StringStringEntryProto)
      let key = null;
      let value = null;
      for (const [f, s, e] of children(start, end)) {
        if (f === 1) key = str(s, e);
        else if (f === 2) value = str(s, e);
      }
      if (key === 'location' && value != null) found.add(checkLocation(value));
    }
  };
  const sparse = (a, b) => {
    for (const [field, start, end] of children(a, b)) if (field === 1 || field === 2) tensor(start, end);
  };
  const attribute = (a, b) => {
    for (const [field, start, end] of children(a, b)) {
      if (field === 5 || field === 10) tensor(start, end); // t, tensors
      else if (field === 6 || field === 11) graph(start, end); // g, graphs
      else if (field === 22 || field === 23) sparse(start, end); // sparse_tensor(s)
    }
  };
  const node = (a, b) => {
    for (const [field, start, end] of children(a, b)) if (field === 5) attribute(start, end);
  };
  const graph = (a, b) => {
    for (const [field, start, end] of children(a, b)) {
      if (field === 1) node(start, end);
      else if (field === 5) tensor(start, end);
      else if (field === 15) sparse(start, end);
    }
  };
  try {
    for (const [field, start, end] of children(0, src.size)) {
      if (field === 7) graph(start, end);
      else if (field === 25) for (const [f, s, e] of children(start, end)) if (f === 7) node(s, e); // FunctionProto.node
    }
  } catch (err) {
    if (err instanceof RangeError) throw new ParseError(`malformed ONNX protobuf: ${err.message}`, { cause: err });
    throw err;
  }
  return [...found];
}

function checkLocation(loc) {
  const parts = loc.replace(/\\/g, '/').split('/');
  if (loc === '' || loc.startsWith('/') || /^[A-Za-z]:/.test(loc) || parts.includes('..')) {
    throw new ParseError(`ONNX external data location "${loc}" is not a path inside the model's folder`);
  }
  return parts.filter((p) => p !== '.' && p !== '').join('/');
}
