// The Origin Private File System write both the model cache and saved indexes use:
// createWritable() writes to a swap file that replaces the file only on close(), so a reader never
// sees a partial file; a failed write is aborted and leaves the old content.

/** Writes `data` (bytes, Blob or string) to an OPFS file handle, replacing its content atomically. */
export async function writeOpfsFile(fileHandle, data) {
  const writable = await fileHandle.createWritable({ keepExistingData: false });
  try {
    await writable.write(data);
    await writable.close();
  } catch (err) {
    await writable.abort?.().catch(() => {});
    throw err;
  }
}
