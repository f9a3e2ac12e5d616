import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../../core/api/contract.js';
import type { AppCommand, DesktopShellBridge, DocumentState } from '../../core/api/desktop-shell.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { nodeRunHost } from '../../core/node/node-engine.js';
import { createEngine } from '../../core/session/engine.js';
import { decodeOnnx } from '../../core/models/io/onnx/onnx-proto.js';
import type { AddressBar } from '../../renderer/lib/address-sync.svelte.js';
import type { AppController } from '../../renderer/lib/app-controller.svelte.js';
import type { EngineConnection } from '../../renderer/lib/engine-connection.svelte.js';
import { FILE_NOTICES } from '../../renderer/lib/file-commands.js';
import type { KeyValueStore } from '../../renderer/lib/page-storage.js';
import { buildRunes } from './build-runes.js';

// The app's controller and its state classes (runes, compiled as the app builds them) on a real engine in
// this process: the demo CNN on the bundled Fashion-MNIST sample, sessions saved into a real project file.
let built: Awaited<ReturnType<typeof buildRunes>>;
let Controller: new (
  connection: EngineConnection,
  options?: { shell?: DesktopShellBridge; storage?: { setItem(key: string, value: string): void }; addressBar?: AddressBar; tabStorage?: KeyValueStore },
) => AppController;
let Connection: new (engine: EngineApi) => EngineConnection;
let flushSync: () => void;
let engine: EngineApi;
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-app-'));

beforeAll(async () => {
  built = await buildRunes({
    controller: 'renderer/lib/app-controller.svelte.ts',
    connection: 'renderer/lib/engine-connection.svelte.ts',
    svelte: 'node_modules/svelte/src/index-client.js',
  });
  ({ AppController: Controller } = await built.load<{ AppController: typeof Controller }>('controller'));
  ({ EngineConnection: Connection } = await built.load<{ EngineConnection: typeof Connection }>('connection'));
  ({ flushSync } = await built.load<{ flushSync: () => void }>('svelte'));
  engine = createEngine({ host: 'test', candidates: [wasmCandidate], ...nodeRunHost(), trainingReplicas: undefined });
}, 120_000);

afterAll(() => built?.remove());

/** The run's end, polled (events arrive on the engine's own schedule). */
async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The desktop shell's side of the channel: it records what the page reports and sends commands. */
function shellStandIn() {
  const states: DocumentState[] = [];
  let send: (command: AppCommand) => void = () => {};
  const shell: DesktopShellBridge = { onCommand: (listener) => ((send = listener), () => {}), setDocumentState: (state) => states.push(state) };
  return { shell, states, send: (command: AppCommand) => send(command) };
}

/** A tab's history as the browser keeps it: entries, the current one, Back and Forward (which report the move). */
function historyStandIn(start = '') {
  const entries = [start];
  let at = 0;
  let moved: (hash: string) => void = () => {};
  const bar: AddressBar = {
    hash: () => entries[at],
    push: (hash) => void entries.splice(++at, entries.length, hash),
    replace: (hash) => void (entries[at] = hash),
    onmove: (listener) => ((moved = listener), () => {}),
  };
  const go = (step: number) => {
    at += step;
    moved(entries[at]);
  };
  return { bar, entries, at: () => at, back: () => go(-1), forward: () => go(1) };
}

/** A tab's session storage (the page's own is the DOM's, absent in Node). */
function storageStandIn(): KeyValueStore {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

const SESSION_FILE = join(dir, 'session.pruneflow');

describe('AppController', () => {
  it('opens screens as the user chooses data and a model, and Alt+digit reaches only those', async () => {
    const app = new Controller(new Connection(engine));
    expect(app.nav.screens.map((s) => s.id)).toEqual(['start', 'data', 'model']);
    expect(app.onkey({ key: '4', altKey: true, ctrlKey: false, metaKey: false, shiftKey: false })).toBe(false);
    await app.workspace.draft.chooseData('builtin:fashion-mnist');
    await app.workspace.draft.chooseModel('demo-cnn');
    expect(app.workspace.draft.preview.error).toBeUndefined();
    expect(app.nav.screens.map((s) => s.id)).toEqual(['start', 'data', 'model', 'setup', 'flow']);
    expect(app.onkey({ key: '4', altKey: true, ctrlKey: false, metaKey: false, shiftKey: false })).toBe(true);
    expect(app.nav.screen).toBe('setup');
    expect(app.connection.readsFiles).toBe(true);
  });

  it('File > Save and Export with no project say why and do nothing else', async () => {
    const app = new Controller(new Connection(engine));
    const notice = () => app.files.notice?.name;
    await app.files.save();
    expect([notice(), app.nav.screen]).toEqual([FILE_NOTICES.nothingToSave.name, 'start']);
    await app.files.exportModel();
    expect([notice(), app.nav.screen, app.workspace.projectOpened]).toEqual([FILE_NOTICES.nothingToExport.name, 'project', true]);
    // Ctrl+S in the browser host is the same command.
    app.files.notice = undefined;
    expect(app.onkey({ key: 's', ctrlKey: true, altKey: false, metaKey: false, shiftKey: false })).toBe(true);
    expect(notice()).toBe(FILE_NOTICES.nothingToSave.name);
  });

  it(
    'a session run into a project: work at stake while it runs, learnt speed, the ONNX export folded as the review step chose, and the project ' +
      'opened by Export after',
    async () => {
      const stored = new Map<string, string>();
      const { shell, states } = shellStandIn();
      const app = new Controller(new Connection(engine), { shell, storage: { setItem: (k, v) => stored.set(k, v) } });
      const stop = app.attach();
      const file = SESSION_FILE;
      await app.workspace.draft.chooseData('builtin:fashion-mnist');
      await app.workspace.draft.chooseModel('demo-cnn');
      Object.assign(app.workspace.draft, {
        trainEpochs: 1,
        fineTuneEpochs: 0,
        project: file,
        quickTrial: true,
        sampleTrain: 100,
        sampleTest: 50,
        earlyStop: true,
        exportPath: join(dir, 'exported'),
        exportFormat: 'onnx',
        foldBatchNorm: true,
      });
      expect(app.workspace.draft.toConfig().foldBatchNorm).toBe(true);
      expect(await app.run.startPruning({ ...app.workspace.draft.toConfig(), calibrationBatches: 1 })).toBe(true);
      flushSync();
      expect(states.at(-1)).toEqual({ dirty: true, path: null, work: 'running-session' });
      // The desktop asks before closing itself: the browser's leave warning stays silent there.
      expect(app.leaveWarning).toBeUndefined();
      await until(() => !app.run.busy, 'the run');
      expect(app.run.error).toBeUndefined();
      // The export step's fold checkbox reached the engine: the demo CNN's batch norm is folded away in the file.
      const ops = decodeOnnx(readFileSync(join(dir, 'exported', 'model.onnx')), 'model.onnx').graph!.node!.map((n) => n.op_type);
      expect(ops).toContain('Conv');
      expect(ops).not.toContain('BatchNormalization');
      flushSync();
      expect(states.at(-1)).toEqual({ dirty: false, path: null });
      expect(Number(stored.get('pruneflow.trainingRate'))).toBeGreaterThan(0);
      // Early stopping's held-out images are scored before training and after its one epoch: the chart's second curve.
      const steps = app.run.points.filter((p) => p.stage === 'training').length;
      expect(app.run.heldOut.map((p) => [p.stage, p.x])).toEqual([
        ['training', 0],
        ['training', steps],
      ]);
      for (const p of app.run.heldOut) expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(app.nav.screens.map((s) => s.id)).toContain('results');
      // Results' "See the importance flow": this session's own flow at once, its kept channels the pruned model's widths.
      expect(app.flowRequest).toEqual({ project: file, session: 's1' });
      app.showSessionFlow();
      await until(() => !app.workspace.sessionFlow.flow.loading, 'the session flow');
      expect([app.nav.screen, app.workspace.sessionFlow.flow.error]).toEqual(['flow', undefined]);
      const flow = app.workspace.sessionFlow.flow.value!;
      const kept = new Map(flow.steps.at(-1)!.groups.map((g) => [g.group, g.kept.length]));
      expect(flow.columns.map((c) => ({ name: c.layer, channels: kept.get(c.group) ?? c.channels }))).toEqual(app.run.result!.pruned.layerWidths);
      // Trained for an epoch: no warning about random weights.
      expect(flow.untrained).toBeUndefined();
      await app.files.exportModel();
      await until(() => !app.workspace.project.summary.loading, 'the project');
      expect(app.nav.screen).toBe('project');
      expect(app.workspace.project.path).toBe(file);
      expect(app.workspace.project.summary.value?.sessions.map((s) => [s.id, s.status])).toEqual([['s1', 'done']]);
      flushSync();
      expect(states.at(-1)).toEqual({ dirty: false, path: file });
      stop();
    },
    180_000,
  );

  it('File > New during a run asks, and on yes stops the run and starts from nothing; the browser warns before leaving meanwhile', async () => {
    const app = new Controller(new Connection(engine));
    const stop = app.attach();
    await app.workspace.draft.chooseData('builtin:fashion-mnist');
    const draft = app.workspace.draft;
    expect(await app.run.startDemo({ trainEpochs: 20, fineTuneEpochs: 0 })).toBe(true);
    await app.nav.show('run');
    expect(app.leaveWarning).toMatch(/./);
    app.files.newProject();
    expect([app.files.confirmingNew, app.nav.screen, app.workspace.draft]).toEqual([true, 'run', draft]);
    await app.files.answerNew(true);
    expect(app.run.phase).toBe('idle');
    expect(app.nav.screen).toBe('start');
    expect(app.workspace.draft).not.toBe(draft);
    expect(app.workspace.draft.preview.value).toBeUndefined();
    expect(app.leaveWarning).toBeUndefined();
    stop();
  }, 180_000);

  it('carries out the desktop menu commands it receives', async () => {
    const { shell, send } = shellStandIn();
    const app = new Controller(new Connection(engine), { shell });
    const stop = app.attach();
    send({ type: 'engine-crashed', message: 'The engine stopped' });
    expect(app.files.notice).toEqual({ name: 'EngineCrashedError', message: 'The engine stopped' });
    send({ type: 'open-project', path: join(dir, 'session.pruneflow') });
    await until(() => !app.workspace.project.summary.loading, 'the project');
    expect([app.nav.screen, app.workspace.project.summary.value?.sessions.length]).toEqual(['project', 1]);
    // With a shell, Ctrl+S is the menu's key, not the page's.
    expect(app.onkey({ key: 's', ctrlKey: true, altKey: false, metaKey: false, shiftKey: false })).toBe(false);
    stop();
  }, 60_000);

  it('keeps the screen and selections in the address: a screen is a history entry, Back and Forward move between them, a reload lands there', async () => {
    const tab = historyStandIn();
    const tabStorage = storageStandIn();
    const app = new Controller(new Connection(engine), { addressBar: tab.bar, tabStorage });
    const stop = app.attach();
    flushSync();
    expect(tab.entries).toEqual(['#/start']);
    await app.workspace.draft.chooseData('builtin:fashion-mnist');
    await app.workspace.draft.chooseModel('demo-cnn');
    flushSync();
    // Choices are written in place; a new screen is a new entry.
    const chosen = '#/start?data=builtin%3Afashion-mnist&model=demo-cnn';
    expect(tab.entries).toEqual([chosen]);
    await app.nav.show('model');
    await app.nav.show('setup');
    // The wizard's settings stay in the tab, not the address.
    Object.assign(app.workspace.draft, { criterion: 'l2', reduction: 0.3, trainEpochs: 0, sessionName: 'second try' });
    flushSync();
    expect(tab.entries).toEqual([chosen, chosen.replace('start', 'model'), chosen.replace('start', 'setup')]);
    tab.back();
    await until(() => !app.address.restoring, 'Back');
    flushSync();
    expect([app.nav.screen, tab.at(), tab.entries.length]).toEqual(['model', 1, 3]);
    tab.forward();
    await until(() => !app.address.restoring, 'Forward');
    expect(app.nav.screen).toBe('setup');
    stop();

    // A reload: a fresh page with the same address, data and model read again.
    const reloaded = historyStandIn(tab.entries[2]);
    const again = new Controller(new Connection(engine), { addressBar: reloaded.bar, tabStorage });
    const stopAgain = again.attach();
    await until(() => again.nav.screen === 'setup' && !again.address.restoring, 'the restored screen');
    const { draft } = again.workspace;
    expect([draft.data, draft.model, draft.preview.value?.classNames.length]).toEqual(['builtin:fashion-mnist', 'demo-cnn', 10]);
    expect([draft.criterion, draft.reduction, draft.trainEpochs, draft.sessionName]).toEqual(['l2', 0.3, 0, 'second try']);
    flushSync();
    expect(reloaded.entries).toEqual([tab.entries[2]]);
    stopAgain();
  }, 60_000);

  it('an address of a screen out of reach lands on the nearest one and says so in place', async () => {
    const tab = historyStandIn('#/run');
    const app = new Controller(new Connection(engine), { addressBar: tab.bar });
    const stop = app.attach();
    await until(() => tab.entries[0] === '#/start' && !app.address.restoring, 'the landing');
    expect(app.nav.screen).toBe('start');
    stop();
  });

  it("shows a reopened project's session on the Results screen with the numbers the project stores, and again after a reload", async () => {
    const tab = historyStandIn();
    const app = new Controller(new Connection(engine), { addressBar: tab.bar });
    const stop = app.attach();
    app.openProject(SESSION_FILE);
    await until(() => Boolean(app.workspace.project.summary.value), 'the project');
    const stored = app.workspace.project.summary.value!.sessions[0];
    expect(app.facts.resultReady).toBe(false);
    app.openSessionResults(stored.id);
    await until(() => app.nav.screen === 'results', 'the Results screen');
    expect(app.shownResult?.pruned.accuracy).toBe(stored.metrics?.accuracy);
    expect(app.shownResult?.pruned.flops).toBe(stored.metrics?.flops);
    expect(app.shownResult?.project).toEqual({ path: SESSION_FILE, session: stored.id });
    flushSync();
    const address = tab.entries[tab.at()];
    expect(address).toBe(`#/results?project=${encodeURIComponent(SESSION_FILE)}&session=${stored.id}`);
    stop();

    const reloaded = historyStandIn(address);
    const again = new Controller(new Connection(engine), { addressBar: reloaded.bar });
    const stopAgain = again.attach();
    await until(() => again.nav.screen === 'results' && !again.address.restoring, 'the restored Results');
    expect(again.shownResult).toEqual(app.shownResult);
    // Its importance flow from there: the address keeps the session, and a reload reads the flow again.
    again.showSessionFlow();
    await until(() => again.nav.screen === 'flow' && Boolean(again.workspace.sessionFlow.flow.value), 'the session flow');
    flushSync();
    const flowAddress = reloaded.entries[reloaded.at()];
    expect(flowAddress).toBe(`#/flow?project=${encodeURIComponent(SESSION_FILE)}&session=${stored.id}`);
    stopAgain();
    const third = new Controller(new Connection(engine), { addressBar: historyStandIn(flowAddress).bar });
    const stopThird = third.attach();
    await until(() => third.nav.screen === 'flow' && !third.address.restoring && Boolean(third.workspace.sessionFlow.flow.value), 'the restored flow');
    expect(third.workspace.sessionFlow.request).toEqual({ project: SESSION_FILE, session: stored.id });
    stopThird();
  }, 60_000);
});
