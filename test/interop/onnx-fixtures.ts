import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../build/run.js';
import { runPython } from './python.js';

export interface OnnxFixture {
  name: string;
  bytes: Uint8Array;
  /** What PyTorch and the onnx package said (make_onnx_fixtures.py). */
  info: { input: number[]; opset: number; parameters: number; macs: number };
}

export const SMALL_ONNX = [
  'cifar-resnet',
  'grouped-net',
  'flatten-chain',
  'se-silu',
  'shuffle-unit',
  'se-silu-opset21',
  'flatten-chain-opset21',
  'concat-grouped',
] as const;
export const LARGE_ONNX = ['resnet18', 'mobilenet_v2', 'squeezenet1_1', 'densenet121', 'efficientnet_b0', 'shufflenet_v2'] as const;

const CACHE = join(ROOT, '.cache/onnx-fixtures');

/** A committed small fixture (test/fixtures/onnx/). */
export function smallOnnx(name: string): OnnxFixture {
  return load(join(ROOT, 'test/fixtures/onnx'), name);
}

/** A torchvision model exported by PyTorch, made once into .cache/onnx-fixtures by the reference Python (minutes). */
export async function largeOnnx(name: string): Promise<OnnxFixture> {
  if (!existsSync(join(CACHE, `${name}.json`))) await runPython(['test/fixtures/onnx/make_onnx_fixtures.py', 'large', CACHE, name]);
  return load(CACHE, name);
}

function load(dir: string, name: string): OnnxFixture {
  const bytes = new Uint8Array(readFileSync(join(dir, `${name}.onnx`)));
  return { name, bytes, info: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as OnnxFixture['info'] };
}
