import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { listFolder } from '../../../core/node/list-folder.js';
import { createEngine } from '../../../core/session/engine.js';
import { ExportExistsError, refuseOverwrite } from '../../../core/session/export-target.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';

// A second session must not silently replace the first one's exported model.
const root = mkdtempSync(join(tmpdir(), 'pruneflow-export-'));
const taken = join(root, 'taken');
mkdirSync(taken);
writeFileSync(join(taken, 'model.json'), '{}');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an export folder that already holds a model', () => {
  it('is refused for the same format, with what to do; other formats, new folders and overwrite pass', async () => {
    const refused = refuseOverwrite({ path: taken, format: 'tfjs' }, listFolder);
    await expect(refused).rejects.toThrow(ExportExistsError);
    await expect(refused).rejects.toThrow(/already holds an exported model \(model\.json\).*What to do: choose another export folder/);
    await expect(refuseOverwrite({ path: taken, format: 'keras-h5' }, listFolder)).resolves.toBeUndefined();
    await expect(refuseOverwrite({ path: join(root, 'new'), format: 'tfjs' }, listFolder)).resolves.toBeUndefined();
    await expect(refuseOverwrite({ path: taken, format: 'tfjs', overwrite: true }, listFolder)).resolves.toBeUndefined();
  });

  it('stops the engine before the run starts; with overwrite the run starts', async () => {
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset, listFolder });
    const config = { model: 'demo-cnn', data: BUILTIN_DATA, trainEpochs: 0, fineTuneEpochs: 0, sample: { train: 50, test: 20 } };
    await expect(engine.startPruning({ ...config, export: { path: taken, format: 'tfjs' } })).rejects.toThrow(ExportExistsError);
    const ended = new Promise<EngineEvent['type']>((resolve) =>
      engine.onEvent((e) => ['task-done', 'task-failed', 'task-cancelled'].includes(e.type) && resolve(e.type)),
    );
    const { taskId } = await engine.startPruning({ ...config, export: { path: taken, format: 'tfjs', overwrite: true } });
    await engine.cancelTask(taskId);
    // This host cannot write files: the run would fail at its export, but it started and is cancelled first.
    expect(['task-cancelled', 'task-failed']).toContain(await ended);
  });
});
