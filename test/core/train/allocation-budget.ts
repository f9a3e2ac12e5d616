import * as tf from '@tensorflow/tfjs-core';

// A real GPU running out of memory cannot be produced on this machine (no GPU; WebGL is SwiftShader,
// which takes what the CPU has). So the wasm backend's output allocation is wrapped to fail, with
// WebGL's own message, for every tensor larger than a budget of `values` numbers (the biggest tensors grow
// with the batch): everything else (model, training, tensors, the retry) is real.
type Allocating = { makeOutput(shape: number[], ...rest: unknown[]): unknown };
let restore: (() => void) | undefined;

/** From now on, tensors of more than `values` numbers fail to allocate (those of rank 1 excepted). */
export function failTensorsAbove(values: number): void {
  failAllocations((shape) => shape.length > 1 && shape.reduce((a, b) => a * b, 1) > values, 'WebGL Error: OUT_OF_MEMORY');
}

/** From now on, the allocations `fails` picks throw `message`. */
export function failAllocations(fails: (shape: number[]) => boolean, message: string): void {
  restoreAllocations();
  const backend = tf.backend() as unknown as Allocating;
  const original = backend.makeOutput;
  backend.makeOutput = function (shape, ...rest) {
    if (fails(shape)) throw new Error(message);
    return original.call(this, shape, ...rest);
  };
  restore = () => void (backend.makeOutput = original);
}

/** Allocations succeed again (call after each test). */
export function restoreAllocations(): void {
  restore?.();
  restore = undefined;
}
