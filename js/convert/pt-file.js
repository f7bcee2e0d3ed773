// Node: a torch.save checkpoint file (pytorch_model.bin) opened for streaming reads by offset.
// Kept apart from pt-reader.js, which browsers load too (BGE-M3 head weights), because opening a
// file needs node:fs.
import { openFileSource } from '../onnx/node.js';
import { openTorchArchive } from './pt-reader.js';

/** openTorchArchive over the file at `file`: tensors indexed from the zip directory and pickle. */
export function openTorchCheckpoint(file, what = file) {
  return openTorchArchive(openFileSource(file), file, what);
}
