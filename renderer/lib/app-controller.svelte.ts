import { closeWarning, type DesktopShellBridge, type DocumentState } from '../../core/api/desktop-shell.js';
import { handleAppCommands } from './desktop-shell.js';
import type { EngineConnection } from './engine-connection.svelte.js';
import { FileActions } from './file-actions.svelte.js';
import { type FileCommand, fileShortcut } from './file-commands.js';
import { type AddressBar, AddressSync } from './address-sync.svelte.js';
import { recalledDraft, rememberDraft } from './draft-memory.js';
import { Navigation } from './navigation.svelte.js';
import { flowRequestFor } from './flow-request.js';
import type { SessionFlowRequest } from '../../core/api/contract.js';
import type { KeyValueStore } from './page-storage.js';
import { RunTaskState } from './run-task.svelte.js';
import type { ScreenFacts } from './screens.js';
import { SweepState } from './sweep-state.svelte.js';
import { saveTrainingRate } from './training-rate.js';
import { unsavedWork } from './unsaved-work.js';
import { measuredRate } from './wizard-estimates.js';
import { Workspace } from './workspace.svelte.js';

/** The parts of a KeyboardEvent the controller reads (this file is also tested without the DOM). */
interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * The app's controller: the state of one window (engine, run, workspace, screen, File menu) and what
 * ties them together. App.svelte lays the screens out and wires their events here.
 */
export class AppController {
  readonly connection: EngineConnection;
  readonly run: RunTaskState;
  readonly workspace: Workspace;
  readonly nav: Navigation;
  readonly files: FileActions;
  /** The Sweep screen: a grid of sessions over the open project. */
  readonly sweep: SweepState;
  /** The desktop app's menus and close prompt; absent in a browser. */
  readonly shell: DesktopShellBridge | undefined;
  readonly #storage: Pick<KeyValueStore, 'setItem'> | undefined;
  /** The tab's session storage: the wizard's settings, kept over a reload. */
  readonly #tabStorage: KeyValueStore | undefined;
  /** The page's address: where the user is, kept over a reload and through Back and Forward. */
  readonly address: AddressSync;

  constructor(
    connection: EngineConnection,
    {
      shell,
      storage,
      addressBar,
      tabStorage,
    }: { shell?: DesktopShellBridge; storage?: Pick<KeyValueStore, 'setItem'>; addressBar?: AddressBar; tabStorage?: KeyValueStore } = {},
  ) {
    this.connection = connection;
    this.shell = shell;
    this.#storage = storage;
    this.#tabStorage = tabStorage;
    this.run = new RunTaskState(connection.engine);
    this.workspace = new Workspace(connection.engine);
    this.nav = new Navigation(() => this.facts);
    this.files = new FileActions(this.workspace, this.run, this.nav);
    // A finished (or stopped) sweep's sessions show on the Project and Compare screens: the project is read again.
    this.sweep = new SweepState(connection.engine, {
      onfinished: (path) => {
        if (this.workspace.project.path === path) void this.workspace.project.open(path);
      },
    });
    this.address = new AddressSync(this.workspace, this.nav, addressBar);
  }

  /** What decides which screens can be reached. */
  get facts(): ScreenFacts {
    const { draft } = this.workspace;
    return {
      dataChosen: Boolean(draft.preview.value),
      modelChosen: Boolean(draft.report.value),
      runStarted: this.run.phase !== 'idle',
      resultReady: Boolean(this.shownResult),
      flowOpened: Boolean(this.workspace.sessionFlow.request),
      projectOpened: this.workspace.projectOpened,
      comparing: this.workspace.comparing,
      sweepStarted: this.sweep.phase !== 'idle',
    };
  }

  /** The result the Results screen shows: a session of the open project reviewed there, else the last run's. */
  get shownResult() {
    return this.workspace.reviewed?.result ?? this.run.result;
  }

  /** The Run screen's "See the results": the run's own, not a session reviewed before. */
  showRunResults(): void {
    this.workspace.reviewed = undefined;
    void this.nav.show('results');
  }

  /** Which session's importance flow the Results screen shown now leads to. */
  get flowRequest(): SessionFlowRequest | undefined {
    const result = this.shownResult;
    if (!result) return undefined;
    const reviewed = this.workspace.reviewed?.session;
    return flowRequestFor(result, { reviewed, projectPath: this.workspace.project.path || undefined, taskId: this.run.taskId });
  }

  /** Results' "See the importance flow": that session's flow, at once. */
  showSessionFlow(): void {
    const request = this.flowRequest;
    if (!request) return;
    this.workspace.sessionFlow.open(request);
    void this.nav.show('flow');
  }

  /** A finished session of the open project on the Results screen, with the numbers the project stores. */
  openSessionResults(sessionId: string): void {
    if (this.workspace.review(sessionId)) void this.nav.show('results');
  }

  /** What closing would stop or lose: the shell's close prompt and the browser's leave warning use it. */
  get work() {
    // Closing the desktop app stops its engine and the sweep with it: its finished sessions are in the project, and starting it again runs the rest.
    return unsavedWork(this.run) ?? (this.sweep.busy ? 'running-session' : undefined);
  }

  /** The window's document, for the desktop shell: dirty while work is at stake, and the open project. */
  get documentState(): DocumentState {
    const work = this.work;
    return { dirty: Boolean(work), path: this.workspace.project.path || null, ...(work && { work }) };
  }

  /** The browser host's leave warning (closing the tab, reloading), only while work would be lost; the desktop asks itself. */
  get leaveWarning(): string | undefined {
    // A sweep runs on in `pruneflow serve` when the page goes (the Sweep screen finds it again): no reason to ask.
    const work = unsavedWork(this.run);
    return this.shell || !work ? undefined : closeWarning(work).message;
  }

  newSession(): void {
    // Its own name and export folder: a second session never replaces the first one's outputs.
    this.workspace.draft.nextSession();
    void this.nav.show('data');
  }

  /** Opens a project file on the Project screen (File > Open, a double-clicked file, or a run that saved into one). */
  openProject(path: string): void {
    void this.workspace.project.open(path);
    void this.nav.show('project');
  }

  /** The Project screen before any file is open (Open a project… on Start, or a failed Export). */
  askForProject(): void {
    this.workspace.projectAsked = true;
    void this.nav.show('project');
  }

  /** Resume on the Project screen: the run continues from the session's last checkpoint, on the Run screen. */
  async resumeSession(sessionId: string): Promise<void> {
    const project = this.workspace.project;
    if (!project.path) return;
    const summary = project.summary.value;
    // Another run going on starts nothing: stay here (its Resume buttons say why).
    if (await this.run.resumeSession(project.path, sessionId, summary && { model: summary.baseline.source, data: summary.dataset.path }))
      void this.nav.show('run');
  }

  readonly fileCommands: Record<FileCommand, () => unknown> = {
    new: () => this.files.newProject(),
    save: () => this.files.save(),
    'save-as': () => this.files.askSaveAs(),
    export: () => this.files.exportModel(),
  };

  /** The browser host's File keys and Alt+0..9 from anywhere; true when the key was taken (the page then prevents its default). */
  onkey(event: KeyPress): boolean {
    // The browser host has no File menu: the same commands on the keyboard.
    const command = this.shell ? undefined : fileShortcut(event);
    if (command) {
      void this.fileCommands[command]();
      return true;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) return false;
    const target = this.nav.screenForKey(event.key);
    if (target) void this.nav.show(target);
    return Boolean(target);
  }

  /**
   * A run's training speed teaches the wizard's run-time estimate about this machine: baseline training's on the
   * baseline's FLOPs, else (a trained file, not retrained) fine-tuning's on the pruned model's.
   */
  #learnTrainingRate(): void {
    const { result, trainingSpeed, fineTuningSpeed } = this.run;
    if (!result) return;
    if (trainingSpeed) saveTrainingRate(measuredRate(trainingSpeed, result.baseline.flops), this.#storage);
    else if (fineTuningSpeed) saveTrainingRate(measuredRate(fineTuningSpeed, result.pruned.flops), this.#storage);
  }

  /**
   * Starts what runs beside the screens: the File-menu question dropped when its run ends, the training
   * speed learnt, the desktop's document state kept current and its commands handled. Returns the stop.
   */
  attach(): () => void {
    const stopEffects = $effect.root(() => {
      $effect(() => this.files.dropStaleQuestion());
      $effect(() => this.#learnTrainingRate());
      $effect(() => this.shell?.setDocumentState(this.documentState));
      $effect(() => this.address.write());
      $effect(() => {
        if (!this.address.restoring) rememberDraft(this.workspace.draft, this.#tabStorage);
      });
    });
    // A sweep running on the engine (started before a reload, or in another window) shows again.
    void this.sweep.reattach();
    // A reload (or a link) lands where its address says, with the wizard's settings of this tab.
    const stopFollowing = this.address.start(recalledDraft(this.#tabStorage, this.workspace.draft));
    const unsubscribe = this.shell
      ? handleAppCommands(this.shell, {
          'new-project': () => this.files.newProject(),
          'open-project': (command) => this.openProject(command.path),
          'save-project': (command) => void this.files.saveTo(command.path),
          'export-model': () => void this.files.exportModel(),
          'engine-crashed': (command) => (this.files.notice = { name: 'EngineCrashedError', message: command.message }),
        })
      : undefined;
    return () => {
      stopEffects();
      stopFollowing?.();
      unsubscribe?.();
      this.run.dispose();
      this.sweep.dispose();
    };
  }
}
