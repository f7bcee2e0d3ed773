// Byte-array helpers shared by the loader and the ONNX codec. Browser-safe.

/** The arrays' bytes one after another in a new Uint8Array (`total`: their summed length, when known). */
export function concatBytes(parts, total = parts.reduce((a, p) => a + p.byteLength, 0)) {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
