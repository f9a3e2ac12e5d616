import protobuf from 'protobufjs';
import { ModelFormatError } from '../model-errors.js';
import { ONNX_SCHEMA } from './onnx-schema.js';
import { decodeMessage, encodeMessage } from './proto-codec.js';

/** The parts of onnx.proto the engine reads and writes (field names as in the .proto). */
export interface OnnxTensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  data_location?: number;
  external_data?: { key: string; value: string }[];
}

export interface OnnxAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxDim {
  dim_value?: number;
  dim_param?: string;
}

export interface OnnxValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: OnnxDim[] } } };
}

export interface OnnxGraph {
  name?: string;
  node?: OnnxNode[];
  initializer?: OnnxTensor[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
  value_info?: OnnxValueInfo[];
}

export interface OnnxModel {
  ir_version?: number;
  producer_name?: string;
  producer_version?: string;
  opset_import?: { domain?: string; version?: number }[];
  graph?: OnnxGraph;
  metadata_props?: { key?: string; value?: string }[];
}

/** TensorProto.DataType values the engine meets. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

let modelType: protobuf.Type | undefined;
function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes an ONNX ModelProto. A truncated or non-ONNX file is a ModelFormatError naming the file. */
export function decodeOnnx(bytes: Uint8Array, file: string): OnnxModel {
  let model: OnnxModel;
  try {
    // Not protobufjs's own decode: its generated code needs eval, which pruneflow serve's CSP refuses (proto-codec.ts).
    model = decodeMessage(modelProto(), bytes) as OnnxModel;
  } catch (error) {
    const detail = (error as Error).message;
    throw new ModelFormatError(file, `is not a complete ONNX model: the protobuf cannot be read (${detail}); the file may be truncated or not ONNX`);
  }
  if (!model.graph || !model.graph.node?.length) throw new ModelFormatError(file, 'is not an ONNX model: it holds no graph with nodes');
  return model;
}

export function encodeOnnx(model: OnnxModel): Uint8Array {
  try {
    return encodeMessage(modelProto(), model as unknown as Record<string, unknown>);
  } catch (error) {
    throw new Error(`internal: the ONNX model to write is malformed: ${(error as Error).message}`);
  }
}

export function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}
export const intAttr = (node: OnnxNode, name: string, fallback: number): number => attribute(node, name)?.i ?? fallback;
export const floatAttr = (node: OnnxNode, name: string, fallback: number): number => attribute(node, name)?.f ?? fallback;
export const intsAttr = (node: OnnxNode, name: string): number[] | undefined => attribute(node, name)?.ints;
export const stringAttr = (node: OnnxNode, name: string): string | undefined => {
  const s = attribute(node, name)?.s;
  return s === undefined ? undefined : new TextDecoder().decode(s);
};
