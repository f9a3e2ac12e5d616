import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TFLITE_ENUMS, TFLITE_TABLES, TFLITE_UNIONS } from '../../core/models/io/tflite/tflite-schema.js';
// @ts-expect-error a build script without type declarations
import { tfliteSchemaSource } from '../../build/make-tflite-schema.mjs';
import { runPython } from './python.js';

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The slots and values the TFLite writer uses come from the pinned schema.fbs (build/make-tflite-schema.mjs); here
 * they are held against TensorFlow's own generated reader of its schema (the installed tensorflow's
 * schema_py_generated), an independent reading of the same format.
 */
describe('TFLite schema tables', () => {
  it('are what build/make-tflite-schema.mjs makes of the pinned schema.fbs', () => {
    const fbs = readFileSync(new URL('../../core/models/io/tflite/schema.fbs', import.meta.url), 'utf8');
    const generated = readFileSync(new URL('../../core/models/io/tflite/tflite-schema.ts', import.meta.url), 'utf8');
    expect((tfliteSchemaSource as (text: string) => string)(fbs)).toBe(generated);
  });

  it("give every field and value TensorFlow's own schema reader gives", async () => {
    const reference = JSON.parse(await runPython(['test/interop/tflite_schema_slots.py'])) as {
      tables: Record<string, Record<string, number>>;
      enums: Record<string, Record<string, number>>;
    };
    let compared = 0;
    for (const [table, fields] of Object.entries(reference.tables)) {
      const ours = (TFLITE_TABLES as Record<string, Record<string, readonly [number, string]>>)[table];
      expect(ours, `table ${table}`).toBeDefined();
      const bySlot = Object.fromEntries(Object.entries(ours).map(([f, [slot]]) => [camel(f), slot]));
      for (const [field, slot] of Object.entries(fields)) {
        expect(bySlot[field], `${table}.${field}`).toBe(slot);
        compared++;
      }
    }
    // Every table the writer fills is among those compared.
    for (const used of [
      'Model',
      'SubGraph',
      'Tensor',
      'Operator',
      'OperatorCode',
      'Buffer',
      'Conv2DOptions',
      'DepthwiseConv2DOptions',
      'FullyConnectedOptions',
      'Pool2DOptions',
      'ReducerOptions',
      'ConcatenationOptions',
      'AddOptions',
      'MulOptions',
      'SoftmaxOptions',
      'LeakyReluOptions',
    ]) {
      expect(Object.keys(reference.tables[used] ?? {}), used).not.toHaveLength(0);
    }
    expect(compared).toBeGreaterThan(300);
    const enums: Record<string, Record<string, number>> = { ...TFLITE_ENUMS, BuiltinOptions: { NONE: 0, ...TFLITE_UNIONS.BuiltinOptions } };
    for (const [name, values] of Object.entries(reference.enums))
      for (const [key, value] of Object.entries(values)) expect(enums[name][key], `${name}.${key}`).toBe(value);
  });
});
