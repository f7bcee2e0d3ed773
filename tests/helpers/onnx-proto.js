// Hand-encoded ONNX models for loader tests (no onnx package here): Y = X + W with X, W float[n].
// W is stored inline or in external data files, so tests can check external-data discovery and
// that ONNX Runtime loads a model plus its external data from the cache folder.
const enc = new TextEncoder();

function varint(n) {
  const out = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const cat = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
const vfield = (f, n) => cat(varint(f * 8), varint(n));
const bfield = (f, bytes) => cat(varint(f * 8 + 2), varint(bytes.length), bytes);
const sfield = (f, s) => bfield(f, enc.encode(s));

function valueInfo(name, n) {
  const dim = bfield(1, vfield(1, n)); // TensorShapeProto.dim { dim_value }
  const tensorType = cat(vfield(1, 1), bfield(2, dim)); // elem_type FLOAT, shape
  return cat(sfield(1, name), bfield(2, bfield(1, tensorType)));
}

/**
 * ONNX bytes for Y = X + W (float[n]). `w` is a Float32Array; with `external` ({ location,
 * offset }) W's data lives in that file instead (the caller writes w's bytes there).
 */
export function makeAddModel({ w = Float32Array.of(1, 2, 3), external = null, extraExternal = [] } = {}) {
  const n = w.length;
  let tensor = cat(vfield(1, n), vfield(2, 1), sfield(8, 'W'));
  if (external) {
    const entry = (k, v) => bfield(13, cat(sfield(1, k), sfield(2, v)));
    tensor = cat(tensor, entry('location', external.location), entry('offset', String(external.offset ?? 0)), entry('length', String(n * 4)), vfield(14, 1));
  } else {
    tensor = cat(tensor, bfield(9, new Uint8Array(w.buffer, w.byteOffset, w.byteLength)));
  }
  // Extra external tensors inside a Constant node attribute (checks the walker finds them too).
  const nodes = [cat(sfield(1, 'X'), sfield(1, 'W'), sfield(2, 'Y'), sfield(3, 'add'), sfield(4, 'Add'))];
  extraExternal.forEach((loc, i) => {
    const t = cat(vfield(1, 1), vfield(2, 1), sfield(8, `C${i}`), bfield(13, cat(sfield(1, 'location'), sfield(2, loc))), vfield(14, 1));
    const attr = cat(sfield(1, 'value'), bfield(5, t), vfield(20, 4));
    nodes.push(cat(sfield(2, `C${i}`), sfield(3, `const${i}`), sfield(4, 'Constant'), bfield(5, attr)));
  });
  const graph = cat(...nodes.map((nd) => bfield(1, nd)), sfield(2, 'g'), bfield(5, tensor), bfield(11, valueInfo('X', n)), bfield(12, valueInfo('Y', n)));
  return cat(vfield(1, 8), sfield(2, 'wasmbed-test'), bfield(7, graph), bfield(8, cat(sfield(1, ''), vfield(2, 17))));
}
