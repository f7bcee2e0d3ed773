// Strict UTF-8 decoding for corpus files. TextDecoder's fatal mode refuses bad bytes but does not
// say where; a corpus of thousands of files needs the file and line, so on failure the bytes are
// scanned for the first sequence that is not well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing past U+10FFFF) and the error names its line.
import { inputError } from './input-error.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Byte offset of the first ill-formed sequence in `bytes`, or -1 when all of it is UTF-8. */
export function firstInvalidUtf8(bytes) {
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    let len, min;
    if (b >= 0xc2 && b <= 0xdf) { len = 2; min = 0x80; } else if (b >= 0xe0 && b <= 0xef) { len = 3; min = 0x800; } else if (b >= 0xf0 && b <= 0xf4) { len = 4; min = 0x10000; } else return i;
    if (i + len > n) return i;
    let cp = b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/** Decodes `bytes` (a leading BOM is dropped); a ParseError names the line of the first bad byte. */
export function decodeUtf8(bytes, file) {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw inputError(file, line, null, `invalid UTF-8 (byte 0x${bytes[at].toString(16).padStart(2, '0')} at offset ${at})`);
  }
}
