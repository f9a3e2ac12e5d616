import type {
  Comparison,
  CutEstimate,
  CutRequest,
  DatasetPreview,
  DemoOptions,
  EngineApi,
  EngineEvent,
  EngineInfo,
  FlowData,
  FlowRequest,
  SessionFlowRequest,
  FolderListing,
  ModelExportFormat,
  ModelReport,
  ProjectSummary,
  PruneConfig,
  RecentProject,
  ReportFormat,
  SavedProject,
  SessionRef,
} from '../../core/api/contract.js';
import type { RunningSweep, SweepPlan, SweepRunOptions } from '../../core/api/sweep.js';

/** An in-memory engine that records calls and lets a test emit events. */
export class FakeEngine implements EngineApi {
  calls: { method: string; args: unknown[] }[] = [];
  readonly listeners = new Set<(event: EngineEvent) => void>();
  failStartWith?: Error;

  async getInfo(): Promise<EngineInfo> {
    this.calls.push({ method: 'getInfo', args: [] });
    return {
      name: 'Pruneflow',
      version: '0.0.0-test',
      host: 'test',
      backend: { active: 'cpu', chosenBy: 'auto', attempts: [{ id: 'wasm', reason: 'not in tests' }, { id: 'cpu' }], details: [] },
      memory: { tensors: 0, bytes: 0 },
      files: false,
    };
  }

  async startDemo(options: Partial<DemoOptions>): Promise<{ taskId: string }> {
    this.calls.push({ method: 'startDemo', args: [options] });
    if (this.failStartWith) throw this.failStartWith;
    return { taskId: 'task-1' };
  }

  async planSweep(spec: unknown): Promise<SweepPlan> {
    this.calls.push({ method: 'planSweep', args: [spec] });
    return { sweepId: 'sweep-1', jobs: [] };
  }

  async startSweep(spec: unknown, options?: SweepRunOptions): Promise<{ sweepId: string }> {
    this.calls.push({ method: 'startSweep', args: [spec, options] });
    return { sweepId: 'sweep-1' };
  }

  async cancelSweep(sweepId: string): Promise<void> {
    this.calls.push({ method: 'cancelSweep', args: [sweepId] });
  }

  async runningSweeps(): Promise<RunningSweep[]> {
    this.calls.push({ method: 'runningSweeps', args: [] });
    return [];
  }

  async startPruning(config: Partial<PruneConfig>): Promise<{ taskId: string }> {
    this.calls.push({ method: 'startPruning', args: [config] });
    return { taskId: 'task-1' };
  }

  async startSensitivity(config: Partial<PruneConfig>): Promise<{ taskId: string }> {
    this.calls.push({ method: 'startSensitivity', args: [config] });
    return { taskId: 'task-1' };
  }

  async inspectDataset(path: string): Promise<DatasetPreview> {
    this.calls.push({ method: 'inspectDataset', args: [path] });
    return { format: 'test', classNames: ['a'], height: 1, width: 1, channels: 1, splits: [], samples: [], warnings: [] };
  }

  async inspectModel(source: string): Promise<ModelReport> {
    this.calls.push({ method: 'inspectModel', args: [source] });
    return { name: source, layers: [], groups: [], totals: { parameters: 0, flops: 0, activations: 0 }, summary: [] };
  }

  async importanceFlow(request: FlowRequest): Promise<FlowData> {
    this.calls.push({ method: 'importanceFlow', args: [request] });
    const detail = { maxChannelsPerColumn: 32, manyColumns: 40, bandsPerColumn: 8, linksPerNode: 3 };
    return {
      model: request.model,
      modelLabel: request.model,
      criterion: 'cip',
      criterionLabel: 'CIP',
      target: { metric: 'flops', reduction: 0.5 },
      columns: [],
      groups: [],
      nodes: [],
      links: [],
      steps: [],
      detail,
      warnings: [],
    };
  }

  async sessionFlow(request: SessionFlowRequest): Promise<FlowData> {
    this.calls.push({ method: 'sessionFlow', args: [request] });
    return { ...(await this.importanceFlow({ model: 'demo-cnn' })), warnings: [] };
  }

  async openProject(path: string): Promise<ProjectSummary> {
    this.calls.push({ method: 'openProject', args: [path] });
    const dataset = { path: 'builtin:fashion-mnist', format: 'idx', contentHash: 'sha256:00', files: 4, bytes: 1, found: true };
    return {
      path,
      created: '2026-11-27T10:00:00.000Z',
      modified: '2026-11-27T10:00:00.000Z',
      appVersion: '0.0.0-test',
      dataset,
      baseline: { source: 'demo-cnn', trainEpochs: 0 },
      sessions: [],
    };
  }

  async compareSessions(refs: SessionRef[]): Promise<Comparison> {
    this.calls.push({ method: 'compareSessions', args: [refs] });
    return { rows: [], points: [], layers: [] };
  }

  async exportSession(path: string, sessionId: string, format: ModelExportFormat, out: string): Promise<{ files: string[] }> {
    this.calls.push({ method: 'exportSession', args: [path, sessionId, format, out] });
    return { files: [`${out}/model.json`] };
  }

  async writeReport(path: string, sessionIds: string[], format: ReportFormat, out: string): Promise<{ file: string }> {
    this.calls.push({ method: 'writeReport', args: [path, sessionIds, format, out] });
    return { file: out };
  }

  async listFolder(path: string): Promise<FolderListing> {
    this.calls.push({ method: 'listFolder', args: [path] });
    return { path: path || '/home', entries: [{ name: 'data', kind: 'folder' }], truncated: 0 };
  }

  async estimateCut(request: CutRequest): Promise<CutEstimate> {
    this.calls.push({ method: 'estimateCut', args: [request] });
    return { baseline: { flops: 100, params: 10 }, points: [{ reduction: 0.5, flops: 50, params: 6 }] };
  }

  async cancelTask(taskId: string): Promise<void> {
    this.calls.push({ method: 'cancelTask', args: [taskId] });
  }

  async pauseTask(taskId: string): Promise<void> {
    this.calls.push({ method: 'pauseTask', args: [taskId] });
  }

  async resumeTask(taskId: string): Promise<void> {
    this.calls.push({ method: 'resumeTask', args: [taskId] });
  }

  async resumeSession(projectPath: string, sessionId?: string): Promise<{ taskId: string }> {
    this.calls.push({ method: 'resumeSession', args: [projectPath, sessionId] });
    return { taskId: 'task-1' };
  }

  async saveProject(path: string): Promise<SavedProject> {
    this.calls.push({ method: 'saveProject', args: [path] });
    return { path, modified: '2026-01-01T00:00:00.000Z', sessions: 0 };
  }

  async saveProjectAs(from: string, to: string, overwrite?: boolean): Promise<SavedProject> {
    this.calls.push({ method: 'saveProjectAs', args: [from, to, overwrite] });
    return { path: to, modified: '2026-01-01T00:00:00.000Z', sessions: 0 };
  }

  async recentProjects(): Promise<RecentProject[]> {
    this.calls.push({ method: 'recentProjects', args: [] });
    return [];
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

export class NamedError extends Error {
  override name = 'BackendUnavailableError';
}
