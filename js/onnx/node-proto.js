// NodeProto decoding, shared by the file reader (model-reader.js, Node) and the load-time
// attention rewrite (blocked-attention.js, browsers too): this file opens no files.
import { ATTR, NODE } from './schema.js';
import { WIRE, decodeFields, decodePackedVarints, decodeString } from './wire-reader.js';

/**
 * A decoded NodeProto: { input, output, name, opType, domain, attributes: [{ name, bytes, i?, f?,
 * ints? }], bytes, hasSubgraph }. `bytes` (the node's and each attribute's) keep them for a
 * verbatim copy.
 */
export function parseNode(bytes) {
  const node = { input: [], output: [], name: '', opType: '', domain: '', attributes: [], bytes, hasSubgraph: false };
  for (const f of decodeFields(bytes)) {
    if (f.field === NODE.INPUT) node.input.push(decodeString(f.value));
    else if (f.field === NODE.OUTPUT) node.output.push(decodeString(f.value));
    else if (f.field === NODE.NAME) node.name = decodeString(f.value);
    else if (f.field === NODE.OP_TYPE) node.opType = decodeString(f.value);
    else if (f.field === NODE.DOMAIN) node.domain = decodeString(f.value);
    else if (f.field === NODE.ATTRIBUTE) {
      const attr = { name: '', bytes: f.value };
      for (const a of decodeFields(f.value)) {
        if (a.field === ATTR.NAME) attr.name = decodeString(a.value);
        else if (a.field === ATTR.I) attr.i = a.value;
        else if (a.field === ATTR.F) attr.f = a.value;
        else if (a.field === ATTR.INTS) attr.ints = a.wire === WIRE.LEN ? decodePackedVarints(a.value) : [...(attr.ints ?? []), a.value];
        else if (a.field === ATTR.G || a.field === ATTR.GRAPHS) node.hasSubgraph = true;
      }
      node.attributes.push(attr);
    }
  }
  return node;
}
