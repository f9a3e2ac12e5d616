/**
 * The wasm training kernels against the plain JavaScript cpu backend. Every comparison uses the relative
 * error max|wasm - cpu| / max(max|cpu|, 1e-6) over the whole output, which must stay below 1e-4.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The Node bundle of tfjs-core registers no gradients; tfjs-layers' bundle registers all of them.
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../../core/backend/tfjs-compat/wasm-kernels/index.js';
import { RANGE_GRAD } from '../../../core/backend/tfjs-compat/wasm-kernels/range-grad.js';

const TOLERANCE = 1e-4;
const worst = new Map<string, number>();

/** Deterministic uniform values in [-1, 1), the same on every backend. */
function values(size: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

function input(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

type Build = () => tf.Tensor | tf.Tensor[];

/** Runs `build` (or `cpuBuild` for the reference) on cpu and on wasm and returns the outputs' values. */
async function onBoth(build: Build, cpuBuild: Build = build): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const result: Record<string, Float32Array[]> = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const outs = tf.tidy(() => {
      const out = backend === 'cpu' ? cpuBuild() : build();
      return Array.isArray(out) ? out : [out];
    });
    result[backend] = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(outs);
  }
  return { cpu: result.cpu!, wasm: result.wasm! };
}

async function expectMatch(label: string, build: Build, cpuBuild: Build = build): Promise<void> {
  const { cpu, wasm } = await onBoth(build, cpuBuild);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((expected, i) => {
    expect(wasm[i]!.length, `${label} output ${i} size`).toBe(expected.length);
    const error = relativeError(wasm[i]!, expected);
    const kind = label.split(' ')[0]!;
    worst.set(kind, Math.max(worst.get(kind) ?? 0, error));
    expect(error, `${label} output ${i}`).toBeLessThan(TOLERANCE);
  });
}

function run(kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  out: number;
  s: number | [number, number];
  pad: Pad;
  format?: 'NHWC' | 'NCHW';
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], k: [3, 3], out: 4, s: 1, pad: 'same' },
  { x: [2, 8, 8, 5], k: [3, 3], out: 8, s: 2, pad: 'same' },
  { x: [3, 9, 9, 4], k: [3, 3], out: 6, s: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], k: [3, 3], out: 4, s: 1, pad: 'valid' },
  { x: [2, 6, 5, 2], k: [1, 1], out: 3, s: 2, pad: 'same' },
  { x: [2, 10, 10, 3], k: [5, 5], out: 2, s: 2, pad: 'same' },
  {
    x: [2, 8, 7, 5],
    k: [3, 2],
    out: 4,
    s: [2, 1],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  { x: [2, 9, 8, 3], k: [3, 3], out: 16, s: 1, pad: 'same', format: 'NCHW' },
  { x: [2, 8, 8, 6], k: [3, 3], out: 4, s: 2, pad: 'valid', format: 'NCHW' },
  { x: [2, 8, 8, 3], k: [3, 3], out: 4, s: 2, pad: 'valid' },
  { x: [2, 8, 8, 3], k: [2, 2], out: 4, s: 2, pad: 'valid' },
  { x: [2, 11, 10, 3], k: [4, 4], out: 5, s: 3, pad: 'same' },
  {
    x: [2, 9, 9, 3],
    k: [3, 3],
    out: 4,
    s: 2,
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
  { x: [8, 16, 16, 8], k: [3, 3], out: 16, s: 1, pad: 'same' },
  { x: [8, 16, 16, 8], k: [3, 3], out: 16, s: 2, pad: 'same' },
];

function convShapes(c: ConvCase): { x: number[]; filter: number[]; dy: number[] } {
  const [n, h, w, ci] = c.x;
  const sh = typeof c.s === 'number' ? c.s : c.s[0];
  const sw = typeof c.s === 'number' ? c.s : c.s[1];
  const [kh, kw] = c.k;
  let oh: number;
  let ow: number;
  if (c.pad === 'same') [oh, ow] = [Math.ceil(h / sh), Math.ceil(w / sw)];
  else if (c.pad === 'valid') [oh, ow] = [Math.ceil((h - kh + 1) / sh), Math.ceil((w - kw + 1) / sw)];
  else [oh, ow] = [Math.floor((h + c.pad[1][0] + c.pad[1][1] - kh) / sh) + 1, Math.floor((w + c.pad[2][0] + c.pad[2][1] - kw) / sw) + 1];
  const nchw = c.format === 'NCHW';
  return {
    x: nchw ? [n, ci, h, w] : [n, h, w, ci],
    filter: [kh, kw, ci, c.out],
    dy: nchw ? [n, c.out, oh, ow] : [n, oh, ow, c.out],
  };
}

function describeCase(c: ConvCase): string {
  return `x ${c.x.join('x')} k ${c.k.join('x')} out ${c.out} s ${String(c.s)} ${JSON.stringify(c.pad)} ${c.format ?? 'NHWC'}`;
}

beforeAll(async () => {
  registerWasmTrainingKernels(); // before the wasm backend starts: its stock setups must still run
  await tf.setBackend('wasm');
  registerWasmTrainingKernels(); // and again after: idempotent
});

afterAll(() => {
  const summary = [...worst].map(([kind, error]) => `${kind} ${error.toExponential(1)}`).join(', ');
  console.log(`wasm vs cpu, largest relative error per kernel: ${summary}`);
});

describe('registration', () => {
  it('puts every training kernel in the registry for wasm, once', () => {
    registerWasmTrainingKernels();
    for (const config of WASM_TRAINING_KERNELS) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  });
});

describe('convolution gradient kernels match the cpu backend', () => {
  for (const c of CONV_CASES) {
    it(`Conv2DBackpropFilter and Conv2DBackpropInput, ${describeCase(c)}`, async () => {
      const shapes = convShapes(c);
      const attrs = { strides: c.s, pad: c.pad, dataFormat: c.format ?? 'NHWC', dimRoundingMode: undefined };
      await expectMatch(`Conv2DBackpropFilter ${describeCase(c)}`, () =>
        run('Conv2DBackpropFilter', { x: input(shapes.x, 1), dy: input(shapes.dy, 2) }, { ...attrs, filterShape: shapes.filter }),
      );
      await expectMatch(`Conv2DBackpropInput ${describeCase(c)}`, () =>
        run('Conv2DBackpropInput', { dy: input(shapes.dy, 3), filter: input(shapes.filter, 4) }, { ...attrs, inputShape: shapes.x }),
      );
    });
  }

  const DEPTHWISE: Array<{ x: [number, number, number, number]; k: number; m: number; s: number; pad: Pad; d?: number }> = [
    { x: [2, 8, 8, 4], k: 3, m: 1, s: 1, pad: 'same' },
    { x: [2, 9, 9, 3], k: 3, m: 2, s: 2, pad: 'same' },
    { x: [2, 9, 7, 4], k: 3, m: 1, s: 2, pad: 'valid' },
    { x: [3, 8, 8, 2], k: 5, m: 2, s: 1, pad: 'valid' },
    { x: [2, 10, 10, 3], k: 3, m: 1, s: 1, pad: 'same', d: 2 },
    { x: [2, 11, 9, 2], k: 3, m: 2, s: 1, pad: 'valid', d: 3 },
    {
      x: [2, 7, 6, 5],
      k: 2,
      m: 2,
      s: 1,
      pad: [
        [0, 0],
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    },
  ];
  for (const c of DEPTHWISE) {
    const label = `x ${c.x.join('x')} k ${c.k} multiplier ${c.m} s ${c.s} ${JSON.stringify(c.pad)} dilation ${c.d ?? 1}`;
    it(`DepthwiseConv2dNativeBackpropFilter and ...BackpropInput, ${label}`, async () => {
      const [n, , , ch] = c.x;
      const d = c.d ?? 1;
      const filterShape = [c.k, c.k, ch, c.m];
      const attrs = { strides: c.s, pad: c.pad, dilations: d, dimRoundingMode: undefined };
      const dyShape = tf.backend_util.computeConv2DInfo(c.x, filterShape as [number, number, number, number], c.s, d, c.pad, undefined, true).outShape;
      expect(dyShape[0]).toBe(n);
      // The cpu kernels ignore dilations (tfjs gradients assert dilation 1), so a dilated case is checked
      // against the undilated cpu kernel on the filter with zeros between its taps.
      const k = (c.k - 1) * d + 1;
      const cpuAttrs = { ...attrs, dilations: 1 };
      const spread = (f: tf.Tensor): tf.Tensor =>
        tf.slice(
          tf.reshape(
            tf.pad(tf.reshape(f, [c.k, 1, c.k, 1, ch, c.m]), [
              [0, 0],
              [0, d - 1],
              [0, 0],
              [0, d - 1],
              [0, 0],
              [0, 0],
            ]),
            [c.k * d, c.k * d, ch, c.m],
          ),
          [0, 0, 0, 0],
          [k, k, ch, c.m],
        );
      await expectMatch(
        `DepthwiseConv2dNativeBackpropFilter ${label}`,
        () => run('DepthwiseConv2dNativeBackpropFilter', { x: input(c.x, 5), dy: input(dyShape, 6) }, { ...attrs, filterShape }),
        () =>
          tf.stridedSlice(
            run('DepthwiseConv2dNativeBackpropFilter', { x: input(c.x, 5), dy: input(dyShape, 6) }, { ...cpuAttrs, filterShape: [k, k, ch, c.m] }),
            [0, 0, 0, 0],
            [k, k, ch, c.m],
            [d, d, 1, 1],
          ),
      );
      await expectMatch(
        `DepthwiseConv2dNativeBackpropInput ${label}`,
        () => run('DepthwiseConv2dNativeBackpropInput', { dy: input(dyShape, 7), filter: input(filterShape, 8) }, { ...attrs, inputShape: c.x }),
        () => run('DepthwiseConv2dNativeBackpropInput', { dy: input(dyShape, 7), filter: spread(input(filterShape, 8)) }, { ...cpuAttrs, inputShape: c.x }),
      );
    });
  }
});

describe('other replaced kernels match the cpu backend', () => {
  it('Tile, broadcast-like and general, float32 and int32', async () => {
    const cases: Array<[number[], number[]]> = [
      [
        [1, 1, 1, 5],
        [4, 3, 2, 1],
      ],
      [
        [2, 3],
        [2, 2],
      ],
      [
        [3, 1, 2],
        [1, 4, 1],
      ],
      [
        [2, 1, 3, 1],
        [2, 3, 1, 4],
      ],
      [[4], [3]],
      [
        [2, 2],
        [1, 1],
      ],
    ];
    for (const [shape, reps] of cases) {
      await expectMatch(`Tile ${shape} x ${reps}`, () => tf.tile(input(shape, 9), reps));
      await expectMatch(`Tile int32 ${shape} x ${reps}`, () => tf.cast(tf.tile(tf.cast(tf.mul(input(shape, 9), 100), 'int32'), reps), 'float32'));
    }
  });

  it('Sum and Mean over leading, middle and trailing axes, with and without keepDims', async () => {
    const axesList: Array<number | number[]> = [[0, 1, 2], [1, 2], 0, [0, 1], 3, [2, 3], [0, 1, 2, 3]];
    for (const axis of axesList) {
      for (const keepDims of [false, true]) {
        await expectMatch(`Sum axis ${String(axis)} keepDims ${keepDims}`, () => tf.sum(input([4, 5, 6, 7], 10), axis, keepDims));
        await expectMatch(`Mean axis ${String(axis)} keepDims ${keepDims}`, () => tf.mean(input([4, 5, 6, 7], 11), axis, keepDims));
      }
    }
    await expectMatch('Sum of a large activation over [0, 1, 2]', () => tf.sum(input([32, 16, 16, 24], 12), [0, 1, 2]));
    await expectMatch('Sum int32 (stock kernel)', () => tf.cast(tf.sum(tf.cast(tf.mul(input([3, 4, 5], 13), 50), 'int32'), [0, 1]), 'float32'));
  });

  it('FusedBatchNorm with per-channel statistics, with and without scale and offset', async () => {
    const mean = () => input([6], 14);
    const variance = () => tf.add(tf.abs(input([6], 15)), 0.1);
    await expectMatch('FusedBatchNorm full', () => tf.batchNorm(input([3, 5, 4, 6], 16), mean(), variance(), input([6], 17), input([6], 18), 1e-3));
    await expectMatch('FusedBatchNorm bare', () => tf.batchNorm(input([3, 5, 4, 6], 16), mean(), variance(), undefined, undefined, 1e-3));
    await expectMatch('FusedBatchNorm rank 2', () => tf.batchNorm(input([7, 6], 19), mean(), variance(), input([6], 17), input([6], 18), 1e-3));
    await expectMatch('FusedBatchNorm full-shape statistics (stock kernel)', () =>
      tf.batchNorm(input([2, 3, 6], 20), input([2, 3, 6], 21), tf.add(tf.abs(input([2, 3, 6], 22)), 0.1), undefined, undefined, 1e-3),
    );
  });

  it('Multiply, Add and Sub with a per-channel operand on either side, and other broadcasts', async () => {
    const pairs: Array<[number[], number[]]> = [
      [[4, 8, 8, 32], [32]],
      [[32], [4, 8, 8, 32]],
      [
        [1, 1, 1, 32],
        [4, 8, 8, 32],
      ],
      [
        [4, 8, 8, 32],
        [1, 1, 32],
      ],
      [
        [1, 1, 1, 16],
        [300, 16],
      ],
      [
        [4, 8, 8, 32],
        [4, 8, 8, 32],
      ],
      [
        [4, 8, 8, 32],
        [4, 1, 1, 32],
      ],
      [[4, 8, 8, 32], []],
      [[2, 3, 4], [4]],
    ];
    for (const [shapeA, shapeB] of pairs) {
      for (const [name, op] of [
        ['Multiply', tf.mul],
        ['Add', tf.add],
        ['Sub', tf.sub],
      ] as const) {
        await expectMatch(`${name} ${JSON.stringify(shapeA)} ${JSON.stringify(shapeB)}`, () => op(input(shapeA, 27), input(shapeB, 28)));
      }
    }
  });

  it('BatchMatMul with transposed operands, single and batched', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[7, 5], [5, 9], false, false],
      [[7, 5], [9, 5], false, true],
      [[5, 7], [5, 9], true, false],
      [[5, 7], [9, 5], true, true],
      [[1, 64, 33], [64, 20], true, false],
      [[3, 4, 5], [3, 6, 5], false, true],
      [[48, 130], [48, 70], true, false],
    ];
    for (const [shapeA, shapeB, ta, tb] of cases) {
      await expectMatch(`BatchMatMul ${JSON.stringify(shapeA)}${ta ? 'T' : ''} ${JSON.stringify(shapeB)}${tb ? 'T' : ''}`, () =>
        tf.matMul(input(shapeA, 29), input(shapeB, 30), ta, tb),
      );
    }
  });

  it('MaxPoolGrad and AvgPoolGrad, with ties and all-zero windows after ReLU', async () => {
    const cases: Array<{ x: [number, number, number, number]; f: number; s: number; pad: 'same' | 'valid' }> = [
      { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
      { x: [2, 9, 9, 4], f: 2, s: 2, pad: 'same' },
      { x: [2, 9, 8, 2], f: 3, s: 2, pad: 'same' },
      { x: [2, 7, 7, 3], f: 3, s: 1, pad: 'valid' },
      { x: [1, 6, 6, 5], f: 3, s: 1, pad: 'same' },
    ];
    for (const c of cases) {
      const label = `x ${c.x.join('x')} f ${c.f} s ${c.s} ${c.pad}`;
      // Rounded to a coarse grid and clipped at 0: many exact ties and windows of zeros.
      const x = () => tf.relu(tf.round(tf.mul(input(c.x, 23), 3)));
      const dyShape = tf.backend_util.computePool2DInfo(c.x, c.f, c.s, 1, c.pad).outShape;
      await expectMatch(`MaxPoolGrad ${label}`, () =>
        tf.grad((t: tf.Tensor) => tf.mul(tf.maxPool(t as tf.Tensor4D, c.f, c.s, c.pad), input(dyShape, 24)))(x()),
      );
      await expectMatch(`AvgPoolGrad ${label}`, () =>
        tf.grad((t: tf.Tensor) => tf.mul(tf.avgPool(t as tf.Tensor4D, c.f, c.s, c.pad), input(dyShape, 25)))(x()),
      );
    }
  });

  it('the ClipByValue and ReLU6 gradients, with x on the bounds, in one kernel on wasm', async () => {
    const shape = [2, 6, 6, 8];
    // Values in [-8, 8) on a grid of 0.5: many exactly on -1, 1.5, 0 and 6.
    const x = () => tf.div(tf.round(tf.mul(input(shape, 27), 16)), 2);
    const clip = (t: tf.Tensor) => tf.mul(tf.clipByValue(t, -1, 1.5), input(shape, 28));
    const relu6 = (t: tf.Tensor) => tf.mul(tf.relu6(t), input(shape, 29));
    const layerRelu6 = tfl.layers.reLU({ maxValue: 6 });
    const layer = (t: tf.Tensor) => tf.mul(layerRelu6.apply(t) as tf.Tensor, input(shape, 30));
    for (const [label, f] of [
      ['clipByValue', clip],
      ['relu6', relu6],
      ['ReLU layer, maxValue 6', layer],
    ] as const) {
      await expectMatch(`RangeGrad ${label}`, () => tf.grad(f)(x()));
    }
    await tf.setBackend('wasm');
    const onBounds = tf.tensor([-1, 1.5, 0, 6, Number.NaN, 7]);
    const kernels = (await tf.profile(() => tf.grad(clip)(x()))).kernelNames;
    expect(kernels).toContain(RANGE_GRAD);
    expect(kernels).not.toContain('LogicalAnd');
    expect(
      Array.from(
        tf
          .grad((t) => tf.clipByValue(t, -1, 1.5))(onBounds)
          .dataSync(),
      ),
    ).toEqual([1, 1, 1, 0, 0, 0]);
    expect(
      Array.from(
        tf
          .grad((t) => tf.relu6(t))(onBounds)
          .dataSync(),
      ),
    ).toEqual([0, 1, 0, 1, Number.NaN, 0]);
    onBounds.dispose();
  });

  it('Identity and same-dtype Cast share data that stays valid after the source is disposed', async () => {
    await tf.setBackend('wasm');
    const source = input([3, 4], 26);
    const expected = source.dataSync().slice();
    const copy = tf.clone(source);
    const cast = tf.cast(source, 'float32');
    source.dispose();
    expect(copy.dataSync()).toEqual(expected);
    expect(cast.dataSync()).toEqual(expected);
    tf.dispose([copy, cast]);
  });

  it('rejects inputs they do not handle with an error naming the kernel', async () => {
    await tf.setBackend('wasm');
    const dy = tf.zeros([1, 4, 4, 2], 'int32');
    const filter = tf.zeros([3, 3, 2, 2], 'int32');
    expect(() => run('Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 4, 4, 2] })).toThrow(
      /wasm Conv2DBackpropInput: only float32/,
    );
    expect(() =>
      run(
        'Conv2DBackpropFilter',
        { x: tf.zeros([1, 4, 4, 2]), dy: tf.zeros([1, 4, 4, 2]) },
        { strides: 1, pad: 'same', dataFormat: 'NDHWC', filterShape: [3, 3, 2, 2] },
      ),
    ).toThrow(/wasm Conv2DBackpropFilter: unsupported dataFormat/);
    tf.dispose([dy, filter]);
  });
});

describe('end-to-end gradients match the cpu backend', () => {
  it('of a graph with conv2d, batch norm, relu, pooling, depthwise conv, concat, add and dense', async () => {
    await expectMatch('EndToEnd graph', () => {
      const x = input([4, 10, 10, 3], 30);
      const w1 = tf.variable(tf.mul(input([3, 3, 3, 8], 31), 0.5));
      const w2 = tf.variable(tf.mul(input([3, 3, 8, 2], 32), 0.5));
      const w3 = tf.variable(tf.mul(input([1, 1, 8, 16], 33), 0.5));
      const gamma = tf.variable(tf.add(input([8], 34), 1));
      const beta = tf.variable(input([8], 35));
      const dense = tf.variable(tf.mul(input([16 * 2 * 2 + 16 * 2 * 2, 5], 36), 0.2));
      const bias = tf.variable(input([5], 37));
      const vars = [w1, w2, w3, gamma, beta, dense, bias];
      const { value, grads } = tf.variableGrads(() => {
        const c1 = tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same');
        const { mean, variance } = tf.moments(c1, [0, 1, 2]);
        const bn = tf.relu(tf.batchNorm(c1, mean, variance, beta, gamma, 1e-3)) as tf.Tensor4D;
        const pooled = tf.maxPool(bn, 2, 2, 'valid');
        const dw = tf.depthwiseConv2d(pooled, w2 as tf.Tensor4D, 1, 'same');
        const pw = tf.relu(tf.conv2d(pooled, w3 as tf.Tensor4D, 1, 'same'));
        const branchA = tf.avgPool(tf.add(dw, pw) as tf.Tensor4D, 2, 2, 'valid');
        const branchB = tf.maxPool(pw, 3, 2, 'valid');
        const joined = tf.concat([branchA, branchB], 3);
        const logits = tf.add(tf.matMul(tf.reshape(joined, [4, -1]), dense), bias);
        return tf.mean(tf.square(logits)) as tf.Scalar;
      }, vars);
      const out = [value, ...vars.map((v) => grads[v.name]!)];
      tf.dispose(vars);
      return out;
    });
  });

  it('of a tfjs-layers conv net with batchNormalization in training mode', async () => {
    await expectMatch('EndToEnd layers', () => {
      const inp = tfl.input({ shape: [8, 8, 3] });
      let h = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'ones' }).apply(inp) as tfl.SymbolicTensor;
      h = tfl.layers.batchNormalization({ axis: -1 }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
      const a = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
      const b = tfl.layers.averagePooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
      const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
      const joined = tfl.layers.concatenate().apply([sum, a]) as tfl.SymbolicTensor;
      const out = tfl.layers.dense({ units: 4, kernelInitializer: 'ones' }).apply(tfl.layers.globalAveragePooling2d({}).apply(joined)) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: inp, outputs: out });
      const x = input([4, 8, 8, 3], 40);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      const result = [value, ...Object.values(grads)];
      model.dispose();
      return result;
    });
  });
});

describe('memory', () => {
  it('repeated kernel calls leak no tensors or buffers and never free their inputs', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    const x = input([4, 9, 9, 6], 50);
    const dy = input([4, 5, 5, 8], 51);
    const filter = input([3, 3, 6, 8], 52);
    const dwFilter = input([3, 3, 6, 2], 53);
    const dwDy = input([4, 5, 5, 12], 54);
    const stats = input([6], 55);
    const expected = [x, dy, filter, dwFilter, dwDy, stats].map((t) => t.dataSync().slice());
    const callAll = (): void =>
      tf.tidy(() => {
        [
          run('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 6, 8] }),
          run('Conv2DBackpropInput', { dy, filter }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [4, 9, 9, 6] }),
          run('DepthwiseConv2dNativeBackpropFilter', { x, dy: dwDy }, { strides: 2, pad: 'same', dilations: 1, filterShape: [3, 3, 6, 2] }),
          run('DepthwiseConv2dNativeBackpropInput', { dy: dwDy, filter: dwFilter }, { strides: 2, pad: 'same', dilations: 1, inputShape: [4, 9, 9, 6] }),
          tf.tile(stats, [3]),
          tf.sum(x, [0, 1, 2]),
          tf.mean(x, [1, 2]),
          tf.clone(x),
          tf.cast(x, 'float32'),
          tf.batchNorm(x, stats, tf.abs(stats), stats, stats),
          tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'same'))(x),
          tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, 2, 2, 'same'))(x),
          tf.mul(x, stats),
          tf.add(stats, x),
          tf.sub(x, stats),
          tf.sub(stats, x),
          tf.matMul(tf.reshape(x, [36, 54]), tf.reshape(x, [36, 54]), true, false),
        ];
      });
    callAll();
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    for (let i = 0; i < 5; i++) callAll();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(buffers);
    [x, dy, filter, dwFilter, dwDy, stats].forEach((t, i) => {
      expect(t.isDisposed).toBe(false);
      expect(t.dataSync()).toEqual(expected[i]);
    });
    tf.dispose([x, dy, filter, dwFilter, dwDy, stats]);
  });
});
