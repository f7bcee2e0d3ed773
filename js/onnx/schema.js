// onnx.proto3 field numbers and enums: the one place the codec spells them (builders, reader,
// writer, head check and external-data walk all use these names). Browser-safe.

export const MODEL = { IR_VERSION: 1, PRODUCER_NAME: 2, PRODUCER_VERSION: 3, DOMAIN: 4, MODEL_VERSION: 5, DOC_STRING: 6, GRAPH: 7, OPSET_IMPORT: 8, METADATA_PROPS: 14, TRAINING_INFO: 20, FUNCTIONS: 25, CONFIGURATION: 26 };
export const OPSET = { DOMAIN: 1, VERSION: 2 };
export const FUNCTION = { NODE: 7 };
export const GRAPH = { NODE: 1, NAME: 2, INITIALIZER: 5, INPUT: 11, OUTPUT: 12, VALUE_INFO: 13, SPARSE_INITIALIZER: 15 };
export const NODE = { INPUT: 1, OUTPUT: 2, NAME: 3, OP_TYPE: 4, ATTRIBUTE: 5, DOMAIN: 7 };
export const ATTR = { NAME: 1, F: 2, I: 3, S: 4, T: 5, G: 6, FLOATS: 7, INTS: 8, TENSORS: 10, GRAPHS: 11, TYPE: 20, SPARSE_TENSOR: 22, SPARSE_TENSORS: 23 };
export const TENSOR = { DIMS: 1, DATA_TYPE: 2, FLOAT_DATA: 4, INT32_DATA: 5, INT64_DATA: 7, NAME: 8, RAW_DATA: 9, EXTERNAL_DATA: 13, DATA_LOCATION: 14 };
export const SPARSE_TENSOR = { VALUES: 1, INDICES: 2 };
/** StringStringEntryProto (TensorProto.external_data, metadata_props). */
export const ENTRY = { KEY: 1, VALUE: 2 };
export const VALUE_INFO = { NAME: 1, TYPE: 2 };
export const TYPE = { TENSOR_TYPE: 1 };
export const TENSOR_TYPE = { ELEM_TYPE: 1, SHAPE: 2 };
export const SHAPE = { DIM: 1 };
export const DIM = { VALUE: 1, PARAM: 2 };

/** TensorProto.DataType. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16 };
/** Bytes per element of each fixed-size DataType. */
export const ELEMENT_SIZE = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
/** AttributeProto.AttributeType. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 };
/** TensorProto.DataLocation. */
export const DATA_LOCATION = { DEFAULT: 0, EXTERNAL: 1 };
