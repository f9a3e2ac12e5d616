import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi, EngineEvent, PruneConfig, PruneResult } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { nodeRunHost } from '../../../core/node/node-engine.js';
import { loadProjectFile, saveProjectFile } from '../../../core/node/project-file.js';
import { createEngine } from '../../../core/session/engine.js';
import { parseCsv } from '../report/report-checks.js';

// The engine's own writes (runs, reports, exports, Save As) under the write policy, on real files: an
// engine serving a page (serve, the desktop window) and one serving the user at a terminal (the CLI).
const home = mkdtempSync(join(tmpdir(), 'pruneflow-writes-'));
const ssh = join(home, '.ssh');
const work = join(home, 'work');
mkdirSync(ssh);
mkdirSync(work);
writeFileSync(join(ssh, 'authorized_keys'), 'ssh-ed25519 AAAA mine\n');
symlinkSync(ssh, join(work, 'keys'));
const project = join(work, 'run.pruneflow');
const ATTACK = 'ssh-ed25519 AAAA attacker';

let page: EngineApi;
let user: EngineApi;
const base: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'> = {
  model: 'demo-cnn',
  data: 'builtin:fashion-mnist',
  trainEpochs: 0,
  fineTuneEpochs: 0,
  calibrationBatches: 1,
  sample: { train: 64, test: 64 },
};

function finished(engine: EngineApi, taskId: string): Promise<PruneResult> {
  return new Promise((resolve, reject) => {
    const off = engine.onEvent((event: EngineEvent) => {
      if (event.taskId !== taskId) return;
      if (event.type === 'task-done') resolve(event.result);
      else if (event.type === 'task-failed') reject(new Error(`${event.error.name}: ${event.error.message}`));
      else return;
      off();
    });
  });
}

beforeAll(async () => {
  page = createEngine({ host: 'browser', candidates: [wasmCandidate], ...nodeRunHost('page'), trainingReplicas: undefined });
  user = createEngine({ host: 'cli', candidates: [wasmCandidate], ...nodeRunHost('user'), trainingReplicas: undefined });
  const { taskId } = await page.startPruning({ ...base, project, sessionName: `mine\n${ATTACK}\r\n` });
  await finished(page, taskId);
  await new Promise((resolve) => setTimeout(resolve, 0)); // the engine frees its task slot after the event
}, 120_000);

describe("a page's engine writes under the page's policy", () => {
  it('stores a session name without its line breaks', async () => {
    expect((await page.openProject(project)).sessions[0].name).toBe(`mine ${ATTACK}`);
  });

  it('writes no CSV line from a session name, even one a crafted project file holds', async () => {
    const crafted = join(work, 'crafted.pruneflow');
    const loaded = await loadProjectFile(project);
    loaded.sessions[0].record.name = `mine\n${ATTACK}\n`;
    await saveProjectFile(crafted, loaded);
    const { file } = await page.writeReport(crafted, [], 'csv', join(work, 'report.csv'));
    const text = readFileSync(file, 'utf8');
    expect(text.split(/\r\n|\n|\r/).filter((line) => line.startsWith('ssh-ed25519'))).toEqual([]);
    const records = parseCsv(text);
    expect(records.length).toBe(2); // header and the one session
    expect(records[1].join(',')).toContain(`mine ${ATTACK}`);
  });

  it.each([
    ['a report through a linked folder into ~/.ssh', (e: EngineApi) => e.writeReport(project, [], 'csv', join(work, 'keys', 'authorized_keys.csv'))],
    ['a report as a hidden file', (e: EngineApi) => e.writeReport(project, [], 'md', join(home, '.bash_login.md'))],
    ['a report of another type', (e: EngineApi) => e.writeReport(project, [], 'csv', join(work, 'autostart.desktop'))],
    ['an export into a hidden folder', (e: EngineApi) => e.exportSession(project, 's1', 'tfjs', join(home, '.config', 'autostart'))],
    ['an export through a linked folder', (e: EngineApi) => e.exportSession(project, 's1', 'tfjs', join(work, 'keys'))],
    ['Save As through a linked folder', (e: EngineApi) => e.saveProjectAs(project, join(work, 'keys', 'copy.pruneflow'))],
    ['a run whose project is in a hidden folder', (e: EngineApi) => e.startPruning({ ...base, project: join(home, '.local', 'x.pruneflow') })],
    ['a run whose checkpoints go through a link', (e: EngineApi) => e.startPruning({ ...base, checkpointDir: join(work, 'keys', 'checkpoints') })],
  ])('refuses %s, writing nothing', async (_what, write) => {
    await expect(write(page)).rejects.toMatchObject({ name: 'WriteRefusedError' });
    expect(readdirSync(ssh)).toEqual(['authorized_keys']);
    expect(existsSync(join(home, '.config'))).toBe(false);
    expect(existsSync(join(home, '.local'))).toBe(false);
  });
});

describe('export targets are checked before a run starts', () => {
  it.each([
    ['page', () => page],
    ['user', () => user],
  ] as const)('%s: an export onto an existing file fails at the call, naming the path', async (_who, engine) => {
    const taken = join(work, `taken-${_who}`);
    writeFileSync(taken, 'mine');
    const events: EngineEvent[] = [];
    const off = engine().onEvent((event) => events.push(event));
    await expect(engine().startPruning({ ...base, export: { path: taken, format: 'tfjs' } })).rejects.toMatchObject({
      name: 'FileWriteError',
      message: `${taken}: a file is there, not a folder; files are written into a folder, so choose a folder or a new name.`,
    });
    off();
    expect(events).toEqual([]); // no task started
    expect(readFileSync(taken, 'utf8')).toBe('mine');
  });

  it("lets the user's own engine follow the link they made", async () => {
    const { file } = await user.writeReport(project, [], 'md', join(work, 'keys', 'notes.md'));
    expect(file).toBe(join(work, 'keys', 'notes.md'));
    expect(existsSync(join(ssh, 'notes.md'))).toBe(true);
  });
});
