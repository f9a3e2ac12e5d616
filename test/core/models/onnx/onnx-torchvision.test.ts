import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../../core/backend/portable-candidates.js';
import { memoryTree } from '../../../../core/data/file-tree.js';
import { buildChannelGraph } from '../../../../core/graph/channel-graph.js';
import { importModel } from '../../../../core/models/io/import-model.js';
import { exportOnnx } from '../../../../core/models/io/onnx/onnx-export.js';
import { countFlops } from '../../../../core/models/model-cost.js';
import { planPruning } from '../../../../core/prune/budget.js';
import { pruneModel } from '../../../../core/prune/surgery.js';
import { LARGE_ONNX, largeOnnx } from '../../../interop/onnx-fixtures.js';
import { checkWithOnnx, maxAbsDiff, randomImages, randomScores, runEngine, runOrt } from './onnx-runtime.js';

// 224 x 224 images through six ImageNet networks: wasm (the pure-JS backend takes minutes per model).
beforeAll(async () => {
  await wasmCandidate.load();
});

/** torchvision's families as torch.onnx.export writes them (made by the reference Python on first use). */
describe('torchvision models exported to ONNX', () => {
  it.each(LARGE_ONNX)(
    '%s: same outputs as ONNX Runtime, same parameters and FLOPs as PyTorch; pruned by 30 percent of FLOPs, exported, the same in ONNX Runtime and ' +
      'passes onnx.checker',
    async (name) => {
      const { bytes, info } = await largeOnnx(name);
      const { model } = await importModel(memoryTree('torchvision', new Map([[`${name}.onnx`, bytes]])));
      const shape = [2, ...info.input];
      const input = randomImages(2, info.input, 11);
      expect(maxAbsDiff(runEngine(model, input, shape), (await runOrt(bytes, input, shape)).values)).toBeLessThan(1e-4);
      expect(model.countParams()).toBe(info.parameters);
      expect(Math.abs(countFlops(model) - info.macs) / info.macs).toBeLessThan(0.01);

      const graph = buildChannelGraph(model);
      const plan = planPruning(graph, randomScores(graph, 5), { metric: 'flops', reduction: 0.3 });
      const pruned = await pruneModel(model, graph, plan.keep);
      expect(countFlops(pruned)).toBeLessThan(countFlops(model) * 0.75);
      expect(pruned.countParams()).toBeLessThan(model.countParams());
      const exported = await exportOnnx(pruned);
      expect(maxAbsDiff(runEngine(pruned, input, shape), (await runOrt(exported, input, shape)).values)).toBeLessThan(1e-4);
      await checkWithOnnx(exported, `${name}-pruned`);
      model.dispose();
      pruned.dispose();
      tf.disposeVariables();
    },
    900_000,
  );
});
