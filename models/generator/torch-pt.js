// Writes a float32 state dict in torch.save's zip format (what BAAI/bge-m3 ships as
// sparse_linear.pt / colbert_linear.pt): <name>/data.pkl (pickle protocol 2: an OrderedDict of
// torch._utils._rebuild_tensor_v2 calls over persistent storages), <name>/data/<i> (raw
// little-endian storages, 64-byte aligned), <name>/version, all stored uncompressed. No Python is
// needed to produce test checkpoints that exercise the .pt reader exactly as a real one would.
import { crc32 } from '../../js/internal/crc32.js';

class Pickler {
  constructor() { this.parts = []; this.memo = 0; }
  byte(...b) { this.parts.push(Uint8Array.from(b)); return this; }
  u32(n) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); this.parts.push(b); return this; }
  put() { return this.byte(0x71, this.memo++); } // BINPUT
  str(s) { const b = new TextEncoder().encode(s); this.byte(0x58).u32(b.length); this.parts.push(b); return this.put(); }
  global(module, name) { this.parts.push(new TextEncoder().encode(`c${module}\n${name}\n`)); return this.put(); }
  int(n) {
    if (n < 256) return this.byte(0x4b, n);
    if (n < 65536) return this.byte(0x4d, n & 0xff, n >> 8);
    this.byte(0x4a); return this.u32(n);
  }
  tuple(values) { this.byte(0x28); values.forEach((v) => this.int(v)); return this.byte(0x74).put(); }
  bytes() {
    const total = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

/** data.pkl for tensors [{ name, shape }] whose storages are keys '0', '1', ... */
function statePickle(tensors) {
  const p = new Pickler();
  p.byte(0x80, 2); // PROTO 2
  p.global('collections', 'OrderedDict').byte(0x29, 0x52).put(); // OrderedDict()
  p.byte(0x28); // MARK for SETITEMS
  tensors.forEach((t, i) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const stride = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    p.str(t.name);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.byte(0x28); // MARK: args
    p.byte(0x28).str('storage').global('torch', 'FloatStorage').str(String(i)).str('cpu').int(numel).byte(0x74).put().byte(0x51); // BINPERSID
    p.int(0).tuple(t.shape).tuple(stride).byte(0x89); // offset, size, stride, requires_grad=False
    p.global('collections', 'OrderedDict').byte(0x29, 0x52).put(); // backward_hooks
    p.byte(0x74).put().byte(0x52).put(); // TUPLE, REDUCE
  });
  p.byte(0x75); // SETITEMS
  p.byte(0x2e); // STOP
  return p.bytes();
}

/** A zip archive of stored entries [{ name, data }], each payload 64-byte aligned like torch's. */
function zipStored(entries) {
  const chunks = [];
  const central = [];
  let offset = 0;
  const enc = new TextEncoder();
  for (const { name, data } of entries) {
    const nameBytes = enc.encode(name);
    const base = offset + 30 + nameBytes.length;
    const pad = (64 - ((base + 4) % 64)) % 64; // extra field 'FB' padding (4-byte header + pad)
    const local = new Uint8Array(30 + nameBytes.length + 4 + pad);
    const dv = new DataView(local.buffer);
    const crc = crc32(data);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint32(14, crc, true);
    dv.setUint32(18, data.length, true);
    dv.setUint32(22, data.length, true);
    dv.setUint16(26, nameBytes.length, true);
    dv.setUint16(28, 4 + pad, true);
    local.set(nameBytes, 30);
    dv.setUint16(30 + nameBytes.length, 0x4246, true); // 'FB'
    dv.setUint16(32 + nameBytes.length, pad, true);
    chunks.push(local, data);
    const cd = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of all) { out.set(c, o); o += c.length; }
  return out;
}

/**
 * torch.save bytes for tensors [{ name, shape, data: Float32Array }]; `archive` is the folder name
 * inside the zip (torch uses the file's stem).
 */
export function torchSaveBytes(tensors, archive = 'archive') {
  const entries = [{ name: `${archive}/data.pkl`, data: statePickle(tensors) }];
  tensors.forEach((t, i) => entries.push({ name: `${archive}/data/${i}`, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) }));
  entries.push({ name: `${archive}/version`, data: new TextEncoder().encode('3\n') });
  return zipStored(entries);
}
