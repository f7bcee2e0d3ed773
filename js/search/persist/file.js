// Saved indexes as files (Node): an atomic replace (js/internal/atomic-write.js), so a crash
// leaves the old file or the new one, never a mix; leftover temporaries are cleaned on the next save.
import { StorageError } from '../../errors.js';

// Node's messages end with the syscall and the path it used (", open '<file>.<hex>.tmp'"): the
// message names the target instead.
function storageError(action, file, err) {
  const reason = String(err.message).replace(/, \w+ '.*'$/s, '');
  return new StorageError(`cannot ${action} ${file}: ${reason}`, { path: file, code: err.code, cause: err });
}

export async function write(file, bytes) {
  const { writeFileAtomic } = await import('../../internal/atomic-write.js');
  try {
    await writeFileAtomic(file, bytes);
  } catch (err) {
    throw storageError('save the index to', file, err);
  }
}

export async function read(file) {
  const { readFile } = (await import('#node-builtins')).fs;
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw storageError('load the index from', file, err);
  }
}

export async function remove(file) {
  const { rm } = (await import('#node-builtins')).fs;
  try {
    await rm(file);
    return true;
  } catch (err) {
    if (err.code === 'ENOENT') return false;
    throw storageError('delete the index', file, err);
  }
}
