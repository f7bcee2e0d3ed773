// js/onnx/inline-to-external.js: an inline model's initializers become external data that views
// the same bytes (so ONNX Runtime Web copies each weight into its heap once). The rewritten graph
// is small, names exactly the moved bytes, and onnxruntime-web computes bit-identical outputs from
// it and from the original file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web/wasm';
import { makeModel } from '../../models/generator/index.js';
import { externalizeInitializers } from '../../js/onnx/inline-to-external.js';
import { externalDataBytes, listExternalData } from '../../js/onnx/index.js';

test('initializers become external data into the same bytes; ORT-web outputs are bit-identical', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-inline-ext-'));
  try {
    await makeModel(dir, { preset: 'tiny-xlm-roberta', seed: 6, config: { num_hidden_layers: 1 } });
    const bytes = new Uint8Array(readFileSync(path.join(dir, 'onnx', 'model.onnx')));
    const ext = externalizeInitializers(bytes);
    assert.ok(ext.moved > 3, `moved ${ext.moved} initializers`);
    assert.equal(ext.data, bytes, 'the external file is the original bytes, not a copy');
    assert.ok(ext.bytes.length < bytes.length / 100, `graph left: ${ext.bytes.length} of ${bytes.length} bytes`);
    assert.deepEqual(listExternalData(ext.bytes), [ext.location]);
    assert.equal(externalDataBytes(ext.bytes), ext.movedBytes);
    assert.equal(externalizeInitializers(ext.bytes), null, 'nothing left to move');

    ort.env.wasm.numThreads = 1;
    const ids = [0, 5, 17, 99, 250, 2];
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]),
    };
    const inline = await ort.InferenceSession.create(bytes);
    const moved = await ort.InferenceSession.create(ext.bytes, { externalData: [{ path: ext.location, data: ext.data }] });
    const a = (await inline.run(feeds))[inline.outputNames[0]].data;
    const b = (await moved.run(feeds))[moved.outputNames[0]].data;
    assert.equal(a.length, b.length);
    assert.deepEqual(Array.from(b), Array.from(a));
    await inline.release();
    await moved.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
