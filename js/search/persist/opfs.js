// Saved indexes in the Origin Private File System. `<encoded key>.ptr` holds the name of the
// current `<encoded key>.<stamp>.bin`: the bytes go to a new file first, then the pointer is
// replaced (createWritable commits a whole file on close), so readers see the old or the new
// index, never a partial write.
import { writeOpfsFile } from '../../internal/opfs.js';
import { stamp } from './stamp.js';

const DIR_NAME = 'wasmbed-indexes';
const enc = (key) => encodeURIComponent(key).replace(/\./g, '%2E');

async function folder() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR_NAME, { create: true });
}

async function writeFile(dir, name, data) {
  await writeOpfsFile(await dir.getFileHandle(name, { create: true }), data);
}

async function pointer(dir, key) {
  try {
    const file = await (await dir.getFileHandle(`${enc(key)}.ptr`)).getFile();
    return JSON.parse(await file.text()).current ?? null;
  } catch (err) {
    if (err?.name === 'NotFoundError') return null;
    throw err;
  }
}

export async function write(key, bytes) {
  const dir = await folder();
  const old = await pointer(dir, key);
  const name = `${enc(key)}.${stamp()}.bin`;
  await writeFile(dir, name, bytes);
  await writeFile(dir, `${enc(key)}.ptr`, JSON.stringify({ current: name }));
  if (old && old !== name) await dir.removeEntry(old).catch(() => {});
}

export async function read(key) {
  const dir = await folder();
  const name = await pointer(dir, key);
  if (!name) return null;
  const file = await (await dir.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}

export async function remove(key) {
  const dir = await folder();
  const name = await pointer(dir, key);
  if (!name) return false;
  await dir.removeEntry(`${enc(key)}.ptr`);
  await dir.removeEntry(name).catch(() => {});
  return true;
}
