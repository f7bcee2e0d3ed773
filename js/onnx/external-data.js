// Just enough ONNX protobuf reading to (1) reject a file that is not an ONNX ModelProto before it
// reaches ONNX Runtime or the cache (an HTML error page, a Git LFS pointer, a truncated download)
// and (2) list the external-data files a model needs (models over 2 GB keep their weights beside
// the .onnx, e.g. `model.onnx_data`), so they are downloaded and cached next to it.
//
// The walker skips over tensor payloads by length, so listing a 2 GB graph touches only field
// headers; with a file reader (Node) the weights are never read into JS at all.
import { ParseError } from '../errors.js';

// ModelProto top-level field number -> protobuf wire type (onnx.proto3).
const MODEL_FIELDS = new Map([
  [1, 0], // ir_version
  [2, 2], // producer_name
  [3, 2], // producer_version
  [4, 2], // domain
  [5, 0], // model_version
  [6, 2], // doc_string
  [7, 2], // graph
  [8, 2], // opset_import
  [14, 2], // metadata_props
  [20, 2], // training_info
  [25, 2], // functions
  [26, 2], // configuration
]);

/** Random-access bytes: an in-memory array. */
export function bytesReader(bytes) {
  return { length: bytes.length, byte: (i) => bytes[i], slice: (a, b) => bytes.subarray(a, b) };
}

function readVarint(src, pos, end) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return null;
    const b = src.byte(pos++);
    value += (b & 127) * scale;
    if (!(b & 128)) return [value, pos];
    scale *= 128;
  }
  return null;
}

// Yields { field, wire, value } (varint) or { field, wire, start, end } (length-delimited).
// Returns (stops) at the first field that does not fit inside [pos, end): callers that look at a
// file's head treat that as "unknown beyond here", full walks treat it as corruption.
function* fields(src, pos, end, strict) {
  while (pos < end) {
    const tag = readVarint(src, pos, end);
    if (!tag) return fail(strict, 'truncated field tag');
    const field = Math.floor(tag[0] / 8);
    const wire = tag[0] % 8;
    pos = tag[1];
    if (field === 0) return fail(strict, 'field number 0');
    if (wire === 0) {
      const v = readVarint(src, pos, end);
      if (!v) return fail(strict, 'truncated varint');
      pos = v[1];
      yield { field, wire, value: v[0] };
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > end) return fail(strict, 'truncated fixed-width field');
      yield { field, wire };
    } else if (wire === 2) {
      const len = readVarint(src, pos, end);
      if (!len) return fail(strict, 'truncated length');
      const start = len[1];
      if (start + len[0] > end) return fail(strict, `field ${field} runs past the end of its message`);
      pos = start + len[0];
      yield { field, wire, start, end: pos };
    } else {
      return fail(strict, `unsupported wire type ${wire}`);
    }
  }
}

function fail(strict, what) {
  if (strict) throw new ParseError(`malformed ONNX protobuf: ${what}`);
}

/**
 * Cheap check that `head` (the first bytes of a file, any length) starts like an ONNX ModelProto:
 * every field it holds is a ModelProto field with the right wire type and the first is a
 * plausible ir_version. `totalSize` (the whole file's size, when known) bounds field lengths.
 * Returns null when it looks fine, else a short reason.
 */
export function onnxHeadProblem(head, totalSize = Infinity) {
  if (!head || head.length === 0) return 'the file is empty';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 64));
  if (/^version https:\/\/git-lfs/.test(text)) return 'it is a Git LFS pointer, not the file itself';
  if (/^\s*</.test(text)) return 'it looks like an HTML/XML page';
  if (/^\s*[{[]/.test(text)) return 'it looks like JSON';
  const src = bytesReader(head);
  let first = true;
  let pos = 0;
  while (pos < head.length) {
    const tag = readVarint(src, pos, head.length);
    if (!tag) break; // head ends inside a tag: nothing wrong seen so far
    const field = Math.floor(tag[0] / 8);
    const wire = tag[0] % 8;
    if (MODEL_FIELDS.get(field) !== wire) return `unexpected protobuf field ${field} (wire type ${wire}) at byte ${pos}`;
    pos = tag[1];
    if (wire === 0) {
      const v = readVarint(src, pos, head.length);
      if (!v) break;
      if (field === 1 && (v[0] < 1 || v[0] > 64)) return `implausible ir_version ${v[0]}`;
      pos = v[1];
    } else {
      const len = readVarint(src, pos, head.length);
      if (!len) break;
      if (len[1] + len[0] > totalSize) return `field ${field} is longer than the file (truncated download?)`;
      pos = len[1] + len[0];
    }
    if (first && field !== 1) return 'it does not start with an ir_version field';
    first = false;
  }
  return first ? 'too short to be an ONNX model' : null;
}

/**
 * Lists the external-data locations (paths relative to the .onnx file's folder) referenced by an
 * ONNX model's tensors: initializers, sparse initializers, Constant-node tensors and subgraphs.
 * `src` is a reader ({ length, byte(i), slice(a, b) }) or a Uint8Array. Throws ParseError on a
 * malformed protobuf or an unsafe location (absolute, or escaping the model's folder).
 */
export function listExternalData(src) {
  if (src instanceof Uint8Array) src = bytesReader(src);
  const found = new Set();
  const dec = new TextDecoder();
  const str = (f) => dec.decode(src.slice(f.start, f.end));

  const tensor = (a, b) => {
    for (const f of fields(src, a, b, true)) {
      if (f.field !== 13 || f.wire !== 2) continue; // external_data (StringStringEntryProto)
      let key = null;
      let value = null;
      for (const e of fields(src, f.start, f.end, true)) {
        if (e.wire !== 2) continue;
        if (e.field === 1) key = str(e);
        else if (e.field === 2) value = str(e);
      }
      if (key === 'location' && value != null) found.add(checkLocation(value));
    }
  };
  const sparse = (a, b) => {
    for (const f of fields(src, a, b, true)) if ((f.field === 1 || f.field === 2) && f.wire === 2) tensor(f.start, f.end);
  };
  const attribute = (a, b) => {
    for (const f of fields(src, a, b, true)) {
      if (f.wire !== 2) continue;
      if (f.field === 5 || f.field === 10) tensor(f.start, f.end); // t, tensors
      else if (f.field === 6 || f.field === 11) graph(f.start, f.end); // g, graphs
      else if (f.field === 22 || f.field === 23) sparse(f.start, f.end); // sparse_tensor(s)
    }
  };
  const node = (a, b) => {
    for (const f of fields(src, a, b, true)) if (f.field === 5 && f.wire === 2) attribute(f.start, f.end);
  };
  const graph = (a, b) => {
    for (const f of fields(src, a, b, true)) {
      if (f.wire !== 2) continue;
      if (f.field === 1) node(f.start, f.end);
      else if (f.field === 5) tensor(f.start, f.end);
      else if (f.field === 15) sparse(f.start, f.end);
    }
  };
  for (const f of fields(src, 0, src.length, true)) {
    if (f.wire !== 2) continue;
    if (f.field === 7) graph(f.start, f.end);
    else if (f.field === 25) {
      // FunctionProto.node = 7
      for (const g of fields(src, f.start, f.end, true)) if (g.field === 7 && g.wire === 2) node(g.start, g.end);
    }
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
