// The ONNX codec's wire layer (js/onnx): varints and fields written by Message read back by
// readVarint / decodeFields / walkFields, the same answers from bytes and from a file, truncation
// reported as such, and atomic writes that leave nothing behind on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ByteSource, DataType, Message, TENSOR, WIRE, decodeFields, graph, listExternalData, model, node, onnxHeadProblem, readFieldHead, readVarint, tensor, valueInfo, varint, walkFields } from '../../js/onnx/index.js';
import { openFileSource, readOnnxModel, closeModel } from '../../js/onnx/node.js';
import { openAtomic, writeFileAtomic } from '../../js/internal/atomic-write.js';
import { ParseError } from '../../js/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-codec-'));

test('varints round-trip through varint() and readVarint(), negative int64 included', () => {
  for (const v of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 49 + 5, Number.MAX_SAFE_INTEGER, -1, -300, Number.MIN_SAFE_INTEGER]) {
    const bytes = varint(v);
    assert.deepEqual(readVarint(bytes, 0), [v, bytes.length], String(v));
  }
  assert.equal(varint(-1).length, 10);
  // int64 min is not a safe integer: it comes back exactly, as a BigInt.
  const min = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
  assert.deepEqual(readVarint(min, 0), [-(2n ** 63n), 10]);
  assert.throws(() => readVarint(Uint8Array.of(0x80, 0x80), 0), /truncated varint/);
  assert.throws(() => readVarint(new Uint8Array(11).fill(0x80), 0), /longer than 10 bytes/);
});

test('readFieldHead: null while the header is incomplete, the payload span once it is', () => {
  const m = new Message().int(1, 8).string(2, 'producer').float(3, 1.5);
  const bytes = m.toBytes();
  assert.equal(readFieldHead(bytes, 0, 1), null); // key only, value missing
  assert.equal(readFieldHead(bytes, 2, 3), null); // key of field 2, its length missing
  const h = readFieldHead(bytes, 2, 4); // key and length of field 2, payload cut off
  assert.deepEqual([h.field, h.wire, h.length, h.valueOffset, h.next], [2, WIRE.LEN, 8, 4, 12]);
  assert.equal(readFieldHead(bytes, 12, 14), null); // a fixed32 needs 4 bytes
  assert.deepEqual(decodeFields(bytes).map((f) => f.value instanceof Uint8Array ? new TextDecoder().decode(f.value) : f.value), [8, 'producer', 1.5]);
  assert.throws(() => decodeFields(bytes.subarray(0, 10)), /runs past the message end/);
  assert.throws(() => decodeFields(Uint8Array.of(0x0b)), /unsupported wire type 3/);
});

test('walkFields over a file and over bytes agree with decodeFields, payloads unread', () => {
  const w = new Float32Array(5000).map((_, i) => i);
  const W = tensor('W', DataType.FLOAT, [w.length], new Uint8Array(w.buffer));
  const g = graph({
    name: 'g', nodes: [node('Add', ['X', 'W'], ['Y'], {}, 'add')], initializers: [W],
    inputs: [valueInfo('X', DataType.FLOAT, [w.length])], outputs: [valueInfo('Y', DataType.FLOAT, ['n'])],
  });
  const bytes = model(g).toBytes();
  const file = path.join(dir, 'add.onnx');
  writeFileSync(file, bytes);
  const shape = (f) => [f.field, f.wire, f.offset ?? null, f.length ?? null, f.value ?? null];
  const fromBytes = [...walkFields(ByteSource.fromBytes(bytes), 0, bytes.length)].map(shape);
  const src = openFileSource(file);
  try {
    assert.deepEqual([...walkFields(src, 0, src.size)].map(shape), fromBytes);
  } finally {
    src.close();
  }
  const decoded = decodeFields(bytes);
  assert.deepEqual(fromBytes.map(([f, wire]) => [f, wire]), decoded.map((f) => [f.field, f.wire]));
  // The initializer's raw_data is located, not read: its offset points at w's bytes.
  const graphField = fromBytes.find(([f]) => f === 7);
  const init = [...walkFields(ByteSource.fromBytes(bytes), graphField[2], graphField[2] + graphField[3])].find((f) => f.field === 5);
  const raw = [...walkFields(ByteSource.fromBytes(bytes), init.offset, init.offset + init.length)].find((f) => f.field === TENSOR.RAW_DATA);
  assert.deepEqual(bytes.subarray(raw.offset, raw.offset + raw.length), new Uint8Array(w.buffer));
  assert.equal(onnxHeadProblem(bytes.subarray(0, 64), bytes.length), null);
  assert.match(onnxHeadProblem(bytes.subarray(0, 64), 40), /longer than the file/);
  assert.throws(() => listExternalData(bytes.subarray(0, bytes.length - 7)), ParseError);
});

test('readOnnxModel finds tensors in a file written by the builders', async () => {
  const file = path.join(dir, 'add.onnx');
  const m = await readOnnxModel(file);
  try {
    assert.deepEqual(m.graph.initializers.map((t) => [t.name, t.dims, t.data.kind, t.data.length]), [['W', [5000], 'inline', 20000]]);
    assert.deepEqual(m.graph.nodes.map((n) => [n.opType, n.input, n.output]), [['Add', ['X', 'W'], ['Y']]]);
    assert.deepEqual(m.opsets, [{ domain: '', version: 17 }]);
  } finally {
    await closeModel(m);
  }
});

test('atomic writes: the file appears whole on commit, and nothing is left on failure', async () => {
  const file = path.join(dir, 'atomic.bin');
  await writeFileAtomic(file, Uint8Array.of(1, 2, 3));
  await assert.rejects(writeFileAtomic(file, async (fh) => {
    await fh.write(Uint8Array.of(9, 9));
    throw new Error('disk on fire');
  }), /disk on fire/);
  assert.deepEqual([...readFileSync(file)], [1, 2, 3], 'the old file is intact');
  const w = await openAtomic(file);
  await w.write(Uint8Array.of(4, 5));
  assert.deepEqual([...readFileSync(file)], [1, 2, 3], 'not visible before commit');
  await w.commit();
  assert.deepEqual([...readFileSync(file)], [4, 5]);
  const aborted = await openAtomic(file);
  await aborted.write(Uint8Array.of(6));
  await aborted.abort();
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('atomic')), ['atomic.bin']);
});
