import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ONNX_SCHEMA } from '../../../../core/models/io/onnx/onnx-schema.js';
import { ROOT } from '../../../build/run.js';

const PROTO = join(ROOT, 'core/models/io/onnx/onnx.proto');

/** onnx.proto is copied from the onnx package 1.23.1 (onnx/onnx.proto); the engine loads its JSON form. */
describe('the pinned onnx.proto', () => {
  it('is what the engine’s schema was generated from (node build/make-onnx-schema.mjs)', () => {
    const { root } = protobuf.parse(readFileSync(PROTO, 'utf8'), { keepCase: true });
    expect(JSON.parse(JSON.stringify(root.toJSON({ keepComments: false })))).toEqual(ONNX_SCHEMA);
  });
});
