// wasmbed's ONNX codec: one protobuf wire reader and writer, and the ONNX model helpers built on
// them. Used by the loader (head check, external-data listing), quantize, convert, the test-model
// generator (models/generator) and the tests. This index is browser-safe; the parts that open
// files are in node.js (reach them through dynamic import() behind isNode from browser code).
//
//   wire-reader.js    varints, field headers, decodeFields() in memory, walkFields() over a ByteSource
//   wire-writer.js    varint(), Message (fields, nested and lazy parts), writeMessage() to a sink
//   byte-source.js    ByteSource: random-access reads over bytes (or a file, file-source.js)
//   schema.js         onnx.proto3 field numbers and enums (DataType, ELEMENT_SIZE, AttrType, ...)
//   builders.js       TensorProto / NodeProto / ValueInfoProto / GraphProto / ModelProto builders
//   model-head.js     onnxHeadProblem(): do a file's first bytes look like a ModelProto?
//   external-data.js  listExternalData(): the external-data files a model references;
//                     externalDataBytes(): how many bytes of weights they hold
//   blocked-attention.js  exact attention a block of query rows at a time: graph nodes, and the
//                     load-time rewrite of exported models (describeAttention, blockAttentionInModel)
// Node only (node.js):
//   file-source.js    openFileSource(): a ByteSource over a file, windowed for small reads
//   model-reader.js   readOnnxModel(): a model's nodes and fields, tensors as payload locations
//   model-writer.js   writeOnnx(): a model with lazily streamed payloads, inline or external, atomically
export { WIRE, decodeFields, decodePackedVarints, decodeString, readFieldHead, readKey, readVarint, walkFields } from './wire-reader.js';
export { Message, varint, writeMessage } from './wire-writer.js';
export { ByteSource } from './byte-source.js';
export { ATTR, AttrType, DATA_LOCATION, DIM, DataType, ELEMENT_SIZE, ENTRY, FUNCTION, GRAPH, MODEL, NODE, OPSET, SHAPE, SPARSE_TENSOR, TENSOR, TENSOR_TYPE, TYPE, VALUE_INFO } from './schema.js';
export { externalData, graph, model, node, opsetImport, tensor, valueInfo } from './builders.js';
export { onnxHeadProblem } from './model-head.js';
export { externalDataBytes, listExternalData } from './external-data.js';
export { BLOCKING_THRESHOLD, DEFAULT_ATTENTION_BLOCK, blockAttentionInModel, blockedAttentionNodes, describeAttention } from './blocked-attention.js';
