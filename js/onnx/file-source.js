// A ByteSource over a file (Node only): positioned synchronous reads through a 64 KiB window, so
// walking a multi-GB model's field headers reads a few MB and never its tensor payloads.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ByteSource } from './byte-source.js';

/** Opens `file` for reading; close() the source when done. Throws the fs error (ENOENT, ...). */
export function openFileSource(file) {
  const fd = openSync(file, 'r');
  try {
    const { size } = fstatSync(fd);
    return new ByteSource(size, (buf, position) => readSync(fd, buf, 0, buf.length, position), {
      close: () => closeSync(fd), name: file, window: 64 << 10,
    });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
