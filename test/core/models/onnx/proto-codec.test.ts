import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ONNX_SCHEMA } from '../../../../core/models/io/onnx/onnx-schema.js';
import { decodeMessage, encodeMessage } from '../../../../core/models/io/onnx/proto-codec.js';
import { exportOnnx } from '../../../../core/models/io/onnx/onnx-export.js';
import { zooEntry } from '../../../../core/models/zoo.js';
import { ROOT } from '../../../build/run.js';

// The eval-free codec against protobufjs's generated one (which a strict CSP refuses), on every ONNX fixture:
// PyTorch's exporters (TorchScript and dynamo), Keras via tf2onnx, and our own export.
const type = protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
const FIXTURES = join(ROOT, 'test/fixtures/onnx');
const files = [
  ...readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')),
  ...readdirSync(join(FIXTURES, 'dynamo'))
    .filter((f) => f.endsWith('.onnx'))
    .map((f) => `dynamo/${f}`),
];

/** Byte fields as their SHA-256: deep equality walks a Uint8Array element by element (megabytes of weights). */
const digested = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? `${value.length} bytes, sha256 ${createHash('sha256').update(value).digest('hex')}`
    : Array.isArray(value)
      ? value.map(digested)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digested(v)]))
        : value;

const generated = (bytes: Uint8Array) => type.toObject(type.decode(bytes), { longs: Number, enums: Number, defaults: false });

describe('ONNX protobuf codec without generated code', () => {
  it('has fixtures to read', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('%s: reads the same objects as protobufjs, and writes the same bytes back', (file) => {
    const bytes = readFileSync(join(FIXTURES, file));
    const mine = decodeMessage(type, bytes);
    const theirs = generated(bytes);
    expect(mine).toEqual(theirs);
    expect(Buffer.from(encodeMessage(type, mine)).equals(Buffer.from(type.encode(type.fromObject(theirs)).finish()))).toBe(true);
  });

  it('our export (MobileNetV2, with its int64 and float attributes and raw weights) writes what protobufjs writes', async () => {
    const model = zooEntry('mobilenetv2').build({ inputShape: [32, 32, 3], numClasses: 10 });
    const bytes = await exportOnnx(model, { channelsLast: true });
    model.dispose();
    const theirs = generated(bytes);
    expect(digested(decodeMessage(type, bytes))).toEqual(digested(theirs));
    expect(Buffer.from(encodeMessage(type, theirs)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('skips fields it does not know, and reads packed and unpacked repeated numbers alike', () => {
    const tensor = protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.TensorProto');
    const writer = protobuf.Writer.create();
    writer
      .uint32((1 << 3) | 0)
      .int64(2)
      .uint32((1 << 3) | 0)
      .int64(3); // dims, unpacked
    writer.uint32((99 << 3) | 2).bytes(new Uint8Array([1, 2, 3])); // unknown
    writer
      .uint32((4 << 3) | 2)
      .fork()
      .float(1.5)
      .float(-2)
      .ldelim(); // float_data, packed
    writer.uint32((8 << 3) | 2).string('w'); // name
    expect(decodeMessage(tensor, writer.finish())).toEqual({ dims: [2, 3], float_data: [1.5, -2], name: 'w' });
  });
});
