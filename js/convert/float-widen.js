// Little-endian float tensor bytes (F32, F16, BF16, F64) -> Float32Array, shared by the
// safetensors and PyTorch checkpoint readers. F32 bytes are viewed in place when aligned.
import { halfToFloat } from '../internal/float16.js';
import { ParseError } from '../errors.js';

/** float32 values of `bytes` holding `dtype` elements. */
export function widenToFloat32(bytes, dtype) {
  if (dtype === 'F32') {
    const b = bytes.byteOffset % 4 ? new Uint8Array(bytes) : bytes; // a copy (Buffer.slice would be a view)
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  }
  if (dtype === 'F16' || dtype === 'BF16') {
    const b = bytes.byteOffset % 2 ? new Uint8Array(bytes) : bytes;
    const u16 = new Uint16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
    const out = new Float32Array(u16.length);
    if (dtype === 'F16') for (let i = 0; i < u16.length; i++) out[i] = halfToFloat(u16[i]);
    else {
      const u32 = new Uint32Array(out.buffer); // bfloat16 is the top half of a float32
      for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
    }
    return out;
  }
  if (dtype === 'F64') {
    const b = bytes.byteOffset % 8 ? new Uint8Array(bytes) : bytes;
    return Float32Array.from(new Float64Array(b.buffer, b.byteOffset, b.byteLength >> 3));
  }
  throw new ParseError(`${dtype} is not a float type`);
}
