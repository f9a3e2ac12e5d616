import protobuf from 'protobufjs';

/**
 * Protobuf messages read and written by walking protobufjs's reflection, without its generated code:
 * protobufjs compiles each type's codec with `new Function`, which a Content-Security-Policy without
 * 'unsafe-eval' refuses (`pruneflow serve`'s page, whose engine worker imports and exports ONNX).
 * Same bytes and same objects as protobufjs's `encode(fromObject(o))` and `toObject(decode(b), { longs: Number,
 * enums: Number, defaults: false })` (test/core/models/onnx/proto-codec.test.ts compares them on every fixture).
 */
type Message = Record<string, unknown>;

const basic = protobuf.types.basic as Record<string, number>;
const packable = protobuf.types.packed as Record<string, number | undefined>;

/** A 64-bit integer as protobufjs reads it (a number, or a Long where long.js is present), as a number. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  return (value as { toNumber(): number }).toNumber();
}

function readScalar(type: string, reader: protobuf.Reader): unknown {
  switch (type) {
    case 'double':
      return reader.double();
    case 'float':
      return reader.float();
    case 'int32':
      return reader.int32();
    case 'uint32':
      return reader.uint32();
    case 'sint32':
      return reader.sint32();
    case 'fixed32':
      return reader.fixed32();
    case 'sfixed32':
      return reader.sfixed32();
    case 'int64':
      return toNumber(reader.int64());
    case 'uint64':
      return toNumber(reader.uint64());
    case 'sint64':
      return toNumber(reader.sint64());
    case 'fixed64':
      return toNumber(reader.fixed64());
    case 'sfixed64':
      return toNumber(reader.sfixed64());
    case 'bool':
      return reader.bool();
    case 'string':
      return reader.string();
    case 'bytes':
      return reader.bytes();
    default:
      throw new Error(`unsupported protobuf field type '${type}'`);
  }
}

function readValue(field: protobuf.Field, reader: protobuf.Reader): unknown {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) return readMessage(resolved, reader, reader.uint32());
  if (resolved instanceof protobuf.Enum) return reader.int32();
  return readScalar(field.type, reader);
}

function readMessage(type: protobuf.Type, reader: protobuf.Reader, length?: number): Message {
  const end = length === undefined ? reader.len : reader.pos + length;
  const message: Message = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      reader.skipType(tag & 7);
      continue;
    }
    if (field.map) throw new Error(`map field '${field.name}' is not supported`);
    if (!field.repeated) {
      message[field.name] = readValue(field, reader);
      continue;
    }
    const values = (message[field.name] ??= []) as unknown[];
    if ((tag & 7) === 2 && packable[field.type] !== undefined) {
      const stop = reader.uint32() + reader.pos;
      while (reader.pos < stop) values.push(readScalar(field.type, reader));
    } else values.push(readValue(field, reader));
  }
  return message;
}

/** `bytes` as a message of `type`, as a plain object. */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): Message {
  return readMessage(type, protobuf.Reader.create(bytes));
}

function writeScalar(type: string, value: unknown, writer: protobuf.Writer): void {
  (writer as unknown as Record<string, (v: unknown) => protobuf.Writer>)[type](value);
}

function writeField(field: protobuf.Field, value: unknown, writer: protobuf.Writer): void {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) {
    writer.uint32((field.id << 3) | 2).fork();
    writeMessage(resolved, value as Message, writer);
    writer.ldelim();
  } else if (resolved instanceof protobuf.Enum) writer.uint32(field.id << 3).int32(value as number);
  else {
    writer.uint32((field.id << 3) | basic[field.type]);
    writeScalar(field.type, value, writer);
  }
}

function writeMessage(type: protobuf.Type, message: Message, writer: protobuf.Writer): void {
  for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) throw new Error(`map field '${field.name}' is not supported`);
    if (!field.repeated) {
      writeField(field, value, writer);
      continue;
    }
    if (!Array.isArray(value)) throw new Error(`field '${type.name}.${field.name}' should be a list, got ${typeof value}`);
    if (!value.length) continue;
    if (field.packed && packable[field.type] !== undefined) {
      writer.uint32((field.id << 3) | 2).fork();
      for (const item of value) writeScalar(field.type, item, writer);
      writer.ldelim();
    } else for (const item of value) writeField(field, item, writer);
  }
}

/** `message` (a plain object of `type`'s fields) as protobuf bytes. */
export function encodeMessage(type: protobuf.Type, message: Message): Uint8Array {
  const writer = protobuf.Writer.create();
  writeMessage(type, message, writer);
  return writer.finish();
}
