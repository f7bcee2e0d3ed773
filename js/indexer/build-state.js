// The canonical build state: what every index written from a build is made of, kept in
// `<dir>/build/`:
//   plan.json        what is being built (inputs with their hashes, model, options, shard);
//   segments/NNNNNN.seg  one file per finished block (chunk records + float32 vectors), written
//                    once, atomically, never changed;
//   checkpoint.json  the committed blocks with their sizes and CRC-32s, replaced atomically
//                    (fsync'd temporary + rename) after each segment is fsync'd.
// A segment counts only once checkpoint.json lists it with a matching size and checksum, so a
// kill -9 at any moment leaves either the old checkpoint or the new one: a rerun redoes exactly the
// blocks that are not committed (blocks are deterministic, so redoing one writes the same bytes)
// and nothing is counted twice. Blocks may finish out of order; the state is read in block order.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CorruptDataError, InvalidArgumentError } from '../errors.js';
import { openAtomic, writeFileAtomic } from '../internal/atomic-write.js';
import { crc32 } from '../internal/crc32.js';
import { crashPoint } from './crash-points.js';
import { shardBlocks } from './shards.js';

const SEGMENT_MAGIC = 'WBSEG001';
const CHECKPOINT_FORMAT = 'wasmbed-index-checkpoint/1';
const CHECKPOINT_MS = 1000;

export const buildDir = (dir) => path.join(dir, 'build');
const segmentName = (block) => `${String(block).padStart(6, '0')}.seg`;

/** The plan's identity: SHA-256 of its canonical JSON. */
export function planHash(plan) {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

/** Encodes one block: magic, u32 header length, JSON header (records), padding, float32 rows. */
export function encodeSegment(block, records, vectors, dims) {
  const header = new TextEncoder().encode(JSON.stringify({ block, count: records.length, dims, records }));
  const start = Math.ceil((12 + header.length) / 4) * 4;
  const out = new Uint8Array(start + vectors.byteLength);
  out.set(new TextEncoder().encode(SEGMENT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), start);
  return out;
}

/** Decodes a segment: { block, count, dims, records, vectors }. */
export function decodeSegment(bytes, file) {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== SEGMENT_MAGIC) throw new CorruptDataError(`${file}: not an index build segment`);
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  const start = Math.ceil((12 + len) / 4) * 4;
  const vectors = new Float32Array(Uint8Array.prototype.slice.call(bytes, start).buffer); // a copy even of a Buffer
  if (vectors.length !== header.count * header.dims) throw new CorruptDataError(`${file}: ${vectors.length} values for ${header.count} x ${header.dims}`);
  return { ...header, vectors };
}

/** Differences between two plans as readable lines ('model: ... vs ...'), [] when equal. */
export function planDifferences(before, now) {
  const out = [];
  const show = (v) => {
    const s = JSON.stringify(v);
    return s && s.length > 80 ? s.slice(0, 77) + '...' : s;
  };
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(now ?? {})]);
  for (const k of keys) {
    const a = before?.[k];
    const b = now?.[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (k === 'inputs' && a?.files && b?.files) {
      const old = new Map(a.files.map((f) => [f.name, f.sha256]));
      const cur = new Map(b.files.map((f) => [f.name, f.sha256]));
      for (const [name, h] of cur) if (!old.has(name)) out.push(`inputs: ${name} is new`); else if (old.get(name) !== h) out.push(`inputs: ${name} changed`);
      for (const name of old.keys()) if (!cur.has(name)) out.push(`inputs: ${name} is gone`);
      if (JSON.stringify(a.files.map((f) => f.name)) === JSON.stringify(b.files.map((f) => f.name)) && out.length === 0) out.push(`inputs: ${show(a)} vs ${show(b)}`);
      if (JSON.stringify(a.fields) !== JSON.stringify(b.fields)) out.push(`inputs.fields: ${show(a.fields)} vs ${show(b.fields)}`);
      continue;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
      for (const line of planDifferences(a, b)) out.push(`${k}.${line}`);
      continue;
    }
    out.push(`${k}: ${show(a)} vs ${show(b)}`);
  }
  return out;
}

async function readJson(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CorruptDataError(`${file} is not valid JSON`);
  }
}

/** A build in `dir`: opened for writing (open) or reading (read). */
export class BuildState {
  #dir;
  #committed; // block -> { block, count, bytes, crc32 }
  #queue = Promise.resolve();
  #lastCheckpoint = -Infinity;
  plan;
  checkpoint;

  constructor(dir, plan, checkpoint) {
    this.#dir = dir;
    this.plan = plan;
    this.checkpoint = checkpoint;
    this.#committed = new Map(checkpoint.blocks.map((b) => [b.block, b]));
  }

  get dir() { return this.#dir; }

  /**
   * Starts or resumes the build of `plan` in `dir`. A different plan already there is refused
   * (InvalidArgumentError with `differences`, one line per differing setting) unless `restart`.
   * Committed segments are verified (size and CRC-32); one that fails is built again.
   */
  static async open(dir, plan, { restart = false } = {}) {
    const root = buildDir(dir);
    const planFile = path.join(root, 'plan.json');
    const before = await readJson(planFile);
    if (before && restart) await rm(root, { recursive: true, force: true });
    else if (before && planHash(before) !== planHash(plan)) {
      const differences = planDifferences(before, plan);
      const err = new InvalidArgumentError(`${dir} holds a build of other inputs or settings; pass restart (--restart) to discard it, or rerun with the same ones:\n  ${differences.join('\n  ')}`);
      err.differences = differences;
      throw err;
    }
    await mkdir(path.join(root, 'segments'), { recursive: true });
    if (!before || restart) await writeFileAtomic(planFile, new TextEncoder().encode(JSON.stringify(plan, null, 1) + '\n'));
    let checkpoint = await readJson(path.join(root, 'checkpoint.json'));
    if (!checkpoint || checkpoint.plan !== planHash(plan)) checkpoint = { format: CHECKPOINT_FORMAT, plan: planHash(plan), blocks: [], complete: false, index: null };
    const kept = [];
    for (const entry of checkpoint.blocks) {
      const bytes = await readFile(path.join(root, 'segments', segmentName(entry.block))).catch(() => null);
      if (bytes && bytes.length === entry.bytes && crc32(bytes) === entry.crc32) kept.push(entry);
    }
    if (kept.length !== checkpoint.blocks.length) checkpoint = { ...checkpoint, blocks: kept, complete: false, index: null };
    const state = new BuildState(dir, plan, checkpoint);
    await state.removeUncommitted();
    return state;
  }

  /** Opens a finished build for reading (merge, export). Throws when it is not complete. */
  static async read(dir) {
    const root = buildDir(dir);
    const plan = await readJson(path.join(root, 'plan.json'));
    const checkpoint = await readJson(path.join(root, 'checkpoint.json'));
    if (!plan || !checkpoint) throw new InvalidArgumentError(`${dir} holds no index build (no build/plan.json and build/checkpoint.json)`);
    if (checkpoint.plan !== planHash(plan)) throw new CorruptDataError(`${dir}: build/checkpoint.json belongs to another plan`);
    if (!checkpoint.complete) throw new InvalidArgumentError(`${dir}: the build is not finished (${checkpoint.blocks.length} of ${shardBlocks(plan.blockCount, plan.shard).length} blocks); rerun the same build command to complete it`);
    return new BuildState(dir, plan, checkpoint);
  }

  /** Whether block `b` is committed. */
  has(block) { return this.#committed.has(block); }

  get committedCount() { return this.#committed.size; }

  /** Writes block `b`'s segment and commits it in checkpoint.json (writes run one at a time). */
  commitBlock(block, records, vectors, dims) {
    return this.commitSegment(block, encodeSegment(block, records, vectors, dims), records.length);
  }

  /** Writes an encoded segment of `count` rows as block `b` and commits it (merge copies them so). */
  commitSegment(block, bytes, count) {
    const run = async () => {
      const file = await openAtomic(path.join(buildDir(this.#dir), 'segments', segmentName(block)));
      try {
        await file.write(bytes);
        crashPoint('segment-temp'); // written, not yet renamed: a kill leaves a temporary behind
        await file.commit();
      } catch (err) {
        await file.abort();
        throw err;
      }
      crashPoint('segment-written');
      this.#committed.set(block, { block, count, bytes: bytes.length, crc32: crc32(bytes) });
      // Group commit: at most one checkpoint per CHECKPOINT_MS (the file lists every block, so
      // rewriting it per block would cost O(blocks^2) on a large build); a kill loses at most the
      // blocks of the last second, which the rerun redoes. update() writes the rest.
      if (Date.now() - this.#lastCheckpoint >= CHECKPOINT_MS) {
        await this.#writeCheckpoint({});
        crashPoint('checkpoint');
      }
    };
    this.#queue = this.#queue.then(run);
    return this.#queue;
  }

  /** Records checkpoint fields (complete, index) and every block written so far, atomically. */
  update(fields) {
    this.#queue = this.#queue.then(() => this.#writeCheckpoint(fields));
    return this.#queue;
  }

  async #writeCheckpoint(fields) {
    this.checkpoint = { ...this.checkpoint, ...fields, blocks: [...this.#committed.values()].sort((a, b) => a.block - b.block) };
    this.#lastCheckpoint = Date.now();
    await writeFileAtomic(path.join(buildDir(this.#dir), 'checkpoint.json'), new TextEncoder().encode(JSON.stringify(this.checkpoint, null, 1) + '\n'));
  }

  /** The raw bytes of committed block `b`'s segment (checked against the checkpoint). */
  async segmentBytes(block) {
    const entry = this.#committed.get(block);
    const file = path.join(buildDir(this.#dir), 'segments', segmentName(block));
    const bytes = new Uint8Array(await readFile(file));
    if (!entry || bytes.length !== entry.bytes || crc32(bytes) !== entry.crc32) throw new CorruptDataError(`${file} does not match build/checkpoint.json (size or CRC-32)`);
    return bytes;
  }

  /**
   * Removes what a killed run left that no checkpoint lists: segment files written after the last
   * checkpoint, and atomic-write temporaries (`*.tmp`; one build writes a folder at a time, so
   * none of them can belong to a live writer).
   */
  async removeUncommitted() {
    const root = buildDir(this.#dir);
    for (const sub of ['', 'segments']) {
      for (const name of await readdir(path.join(root, sub))) {
        const block = /^(\d{6})\.seg$/.exec(name);
        if ((block && !this.#committed.has(Number(block[1]))) || name.endsWith('.tmp')) await rm(path.join(root, sub, name), { force: true });
      }
    }
  }

  /**
   * The canonical content, in order: { ids, texts, metadata, records, vectors (Float32Array),
   * dims, count }. Every committed block is read in block order.
   */
  async content() {
    const records = [];
    const parts = [];
    for (const entry of [...this.#committed.values()].sort((a, b) => a.block - b.block)) {
      const seg = decodeSegment(await this.segmentBytes(entry.block), segmentName(entry.block));
      records.push(...seg.records);
      parts.push(seg.vectors);
    }
    const dims = this.plan.dims;
    const vectors = new Float32Array(records.length * dims);
    let at = 0;
    for (const p of parts) { vectors.set(p, at); at += p.length; }
    return { records, ids: records.map((r) => r.id), texts: records.map((r) => r.text), metadata: records.map((r) => r.metadata), vectors, dims, count: records.length };
  }
}
