// A cheap check that a file's first bytes are an ONNX ModelProto, used by the loader to reject an
// HTML error page, a Git LFS pointer or a cut-off download before it reaches ONNX Runtime or the
// cache. Browser-safe.
import { MODEL } from './schema.js';
import { WIRE, readFieldHead, readKey } from './wire-reader.js';

// ModelProto field number -> its wire type: the two varints, every other field length-delimited.
const MODEL_FIELDS = new Map(Object.values(MODEL).map((f) => [f, f === MODEL.IR_VERSION || f === MODEL.MODEL_VERSION ? WIRE.VARINT : WIRE.LEN]));

/**
 * Checks that `head` (the first bytes of a file, any length) starts like an ONNX ModelProto:
 * every field it holds is a ModelProto field with the right wire type and the first is a
 * plausible ir_version. `totalSize` (the whole file's size, when known) bounds field lengths.
 * Returns null when it looks fine, else a short reason.
 */
export function onnxHeadProblem(head, totalSize = Infinity) {
  if (!head || head.length === 0) return 'the file is empty';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 64));
  if (/^version https:\/\/git-lfs/.test(text)) return 'it is a Git LFS pointer, not the file itself';
  if (/^\s*</.test(text)) return 'it looks like an HTML/XML page';
  if (/^\s*[{[]/.test(text)) return 'it looks like JSON';
  let first = true;
  let pos = 0;
  while (pos < head.length) {
    let h;
    try {
      const key = readKey(head, pos);
      if (!key) break; // head ends inside a key: nothing wrong seen so far
      if (MODEL_FIELDS.get(key.field) !== key.wire) return `unexpected protobuf field ${key.field} (wire type ${key.wire}) at byte ${pos}`;
      h = readFieldHead(head, pos);
    } catch (err) {
      return `malformed protobuf at byte ${pos} (${err.message})`;
    }
    if (!h) break; // head ends inside the field's header
    if (h.field === MODEL.IR_VERSION && (h.value < 1 || h.value > 64)) return `implausible ir_version ${h.value}`;
    if (h.wire === WIRE.LEN && h.next > totalSize) return `field ${h.field} is longer than the file (truncated download?)`;
    if (first && h.field !== MODEL.IR_VERSION) return 'it does not start with an ir_version field';
    first = false;
    pos = h.next;
  }
  return first ? 'too short to be an ONNX model' : null;
}
