import { TFLITE_ENUMS } from './tflite-schema.js';
import type { Shape, TfliteGraph } from './tflite-builder.js';

const FUSED = TFLITE_ENUMS.ActivationFunctionType;

/** tfjs activations TFLite runs as a fused activation of the operator before them. */
const FUSABLE: Record<string, number> = { linear: FUSED.NONE, relu: FUSED.RELU, relu6: FUSED.RELU6, tanh: FUSED.TANH };

/** tfjs activations written as TFLite operators here; the others stop an export before it starts. */
export const TFLITE_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softmax', 'swish', 'hardSigmoid', 'hard_sigmoid', 'elu']);

/** The fused activation code for `activation`, or undefined when it needs operators of its own. */
export function fusedCode(activation: unknown): number | undefined {
  return FUSABLE[String(activation ?? 'linear')];
}

/** clip(x, low, high) as MAXIMUM then MINIMUM with scalar constants (RELU and RELU6 where they are exactly that). */
export function clip(g: TfliteGraph, x: number, low: number, high: number, shape: Shape, name: string): number {
  if (low === 0 && high === 6) return unary(g, 'RELU6', x, shape, name);
  const lowered =
    low === 0
      ? unary(g, 'RELU', x, shape, Number.isFinite(high) ? `${name}/relu` : name)
      : binary(g, 'MAXIMUM', x, g.floats(`${name}/low`, [low], []), shape, `${name}/max`);
  if (!Number.isFinite(high) || high >= 3.4e38) return lowered;
  return binary(g, 'MINIMUM', lowered, g.floats(`${name}/high`, [high], []), shape, name);
}

export function unary(g: TfliteGraph, op: 'RELU' | 'RELU6' | 'LOGISTIC' | 'TANH' | 'ELU' | 'HARD_SWISH', x: number, shape: Shape, name: string): number {
  const y = g.activation(name, shape);
  g.op(op, [x], [y]);
  return y;
}

export function binary(g: TfliteGraph, op: 'ADD' | 'MUL' | 'MAXIMUM' | 'MINIMUM' | 'SUB', a: number, b: number, shape: Shape, name: string, fused = 0): number {
  const y = g.activation(name, shape);
  if (op === 'ADD') g.op(op, [a, b], [y], 'AddOptions', { fused_activation_function: fused });
  else if (op === 'MUL') g.op(op, [a, b], [y], 'MulOptions', { fused_activation_function: fused });
  else if (op === 'SUB') g.op(op, [a, b], [y], 'SubOptions', { fused_activation_function: fused });
  else g.op(op, [a, b], [y], 'MaximumMinimumOptions', {});
  return y;
}

/** Softmax over the last axis (the only one TFLite's SOFTMAX takes). */
export function softmax(g: TfliteGraph, x: number, shape: Shape, name: string): number {
  const y = g.activation(name, shape);
  g.op('SOFTMAX', [x], [y], 'SoftmaxOptions', { beta: 1 });
  return y;
}

/** hard sigmoid max(0, min(1, alpha x + beta)) as MUL, ADD and a clip. */
export function hardSigmoid(g: TfliteGraph, x: number, alpha: number, beta: number, shape: Shape, name: string): number {
  const scaled = binary(g, 'MUL', x, g.floats(`${name}/alpha`, [alpha], []), shape, `${name}/scaled`);
  const shifted = binary(g, 'ADD', scaled, g.floats(`${name}/beta`, [beta], []), shape, `${name}/shifted`);
  return clip(g, shifted, 0, 1, shape, name);
}

/** A tfjs activation after tensor `x` as TFLite operators; `x` itself for 'linear'. */
export function activate(g: TfliteGraph, x: number, activation: unknown, shape: Shape, name: string): number {
  switch (String(activation ?? 'linear')) {
    case 'linear':
      return x;
    case 'relu':
      return unary(g, 'RELU', x, shape, name);
    case 'relu6':
      return unary(g, 'RELU6', x, shape, name);
    case 'tanh':
      return unary(g, 'TANH', x, shape, name);
    case 'sigmoid':
      return unary(g, 'LOGISTIC', x, shape, name);
    case 'elu':
      return unary(g, 'ELU', x, shape, name);
    case 'softmax':
      return softmax(g, x, shape, name);
    case 'swish':
      return binary(g, 'MUL', x, unary(g, 'LOGISTIC', x, shape, `${name}/sigmoid`), shape, name);
    case 'hardSigmoid':
    case 'hard_sigmoid':
      return hardSigmoid(g, x, 0.2, 0.5, shape, name);
    default:
      throw new Error(`activation '${String(activation)}' has no TFLite operator here`);
  }
}
