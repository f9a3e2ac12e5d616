import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Who runs a forward pass: the engine's tfjs backend, or ONNX Runtime on the model's ONNX export. */
export type ForwardEngineId = 'tfjs' | 'onnxruntime' | 'onnxruntime-web';

/** The forward-only jobs of a run, as the backend report names them. */
export type ForwardJob = 'evaluation' | 'activations' | 'sensitivity' | 'latency';

/**
 * Forward passes of one model with fixed weights, in inference mode: the model's outputs, then any probes
 * (intermediate tensors), each in the engine's layout. A runner holds a copy of the weights where its engine
 * needs one: after the weights change, open a new runner.
 */
export interface ForwardRunner {
  readonly engine: ForwardEngineId;
  run(x: tf.Tensor): Promise<tf.Tensor[]>;
  dispose(): Promise<void>;
}

/**
 * An engine other than tfjs that can run forward passes (ONNX Runtime in Node hosts: core/node/ort-runner.ts;
 * ONNX Runtime Web in the page: core/browser/web-ort-runner.ts).
 */
export interface ForwardEngine {
  readonly id: Exclude<ForwardEngineId, 'tfjs'>;
  /** Images below which converting does not pay off on this engine (FORWARD_MIN_IMAGES where unset). */
  readonly minImages?: number;
  /**
   * Why tfjs on `tfjsBackend` (for `model`, where one is given) is as fast as this engine or faster, or why the engine
   * cannot run here: the chooser then keeps tfjs and reports the reason. Undefined where this engine should run.
   */
  declines?(tfjsBackend: string, model?: tfl.LayersModel): string | undefined;
  /** A line for the backend report (version, threads), or a named error saying why the engine cannot load. */
  load(): Promise<string>;
  /** Converts the model (and its probes) for this engine; throws where the model cannot be converted. */
  open(model: tfl.LayersModel, probes: readonly tfl.SymbolicTensor[]): Promise<ForwardRunner>;
}

/** The user turned the engine off (PRUNEFLOW_FORWARD_ENGINE=tfjs in Node hosts): tfjs runs every job, and the report says so. */
export class ForwardEngineOffError extends Error {
  override name = 'ForwardEngineOffError';
}

/** An engine the user turned off: it never loads, and its reason is what the backend report shows. */
export function turnedOffEngine(id: ForwardEngine['id'], reason: string): ForwardEngine {
  const off = () => Promise.reject(new ForwardEngineOffError(reason));
  return { id, load: off, open: off };
}

/** Why `engine` did not run a job, in the report's words: turned off by the user, or could not load. */
const notLoaded = (engine: ForwardEngine, error: unknown) =>
  error instanceof ForwardEngineOffError ? `${engine.id} turned off: ${error.message}` : `${engine.id} could not load: ${messageOf(error)}`;

/** The engine's own runner: `predict` on the model or on a sub-model that outputs the probes too. */
export function tfjsRunner(model: tfl.LayersModel, probes: readonly tfl.SymbolicTensor[] = []): ForwardRunner {
  // Not disposed: disposing a sub-model would release the layers it shares with the model.
  const probe = probes.length ? tfl.model({ inputs: model.inputs, outputs: [...model.outputs, ...probes] }) : model;
  return {
    engine: 'tfjs',
    // apply in inference mode, as evaluation always ran; tidy frees every intermediate map.
    run: async (x) => tf.tidy(() => [probe.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]].flat()),
    dispose: async () => {},
  };
}

/** One use of a forward engine in a run, for the report: which engine, for what, and why. */
export interface ForwardUse {
  job: ForwardJob;
  engine: ForwardEngineId;
  /** Conversion time (export and session) where ONNX Runtime ran; the reason where tfjs ran instead. */
  note: string;
}

/**
 * Images below which converting the model does not pay off: the ONNX export and a new session cost about
 * what tfjs (wasm) spends on a few hundred images of a small CIFAR network (`npm run bench:forward` measures
 * both). Below it tfjs runs: a quick trial's sample, a latency run at batch 8, one calibration batch.
 */
export const FORWARD_MIN_IMAGES = 256;

/**
 * Picks the runner for one job: the faster engine where the host has one, it loads, the model converts and
 * the work (`images` forward passes) repays the conversion; tfjs otherwise, with the reason in `uses`.
 */
export class ForwardChooser {
  readonly uses: ForwardUse[] = [];
  private loaded: Promise<string> | undefined;

  private readonly minImages: number;

  constructor(
    private readonly engine: ForwardEngine | undefined,
    minImages?: number,
  ) {
    this.minImages = minImages ?? engine?.minImages ?? FORWARD_MIN_IMAGES;
  }

  /** The report line for the engine (why not, where it cannot load); tfjs alone without one. */
  async describe(): Promise<string> {
    if (!this.engine) return 'forward passes: tfjs (no other engine in this host)';
    const declined = this.engine.declines?.(tf.getBackend());
    if (declined) return `forward passes: tfjs (${this.engine.id} declined: ${declined})`;
    try {
      return `forward passes: ${await this.load()}`;
    } catch (error) {
      return `forward passes: tfjs (${notLoaded(this.engine, error)})`;
    }
  }

  async open(
    job: ForwardJob,
    model: tfl.LayersModel,
    { images, probes = [] }: { images: number; probes?: readonly tfl.SymbolicTensor[] },
  ): Promise<ForwardRunner> {
    const fallback = (reason: string) => {
      this.record({ job, engine: 'tfjs', note: reason });
      return tfjsRunner(model, probes);
    };
    if (!this.engine) return fallback('no other engine in this host');
    const declined = this.engine.declines?.(tf.getBackend(), model);
    if (declined) return fallback(`${this.engine.id} declined: ${declined}`);
    if (images < this.minImages) return fallback(`${images} images do not repay converting the model (${this.minImages} do)`);
    try {
      await this.load();
    } catch (error) {
      return fallback(notLoaded(this.engine, error));
    }
    const start = performance.now();
    try {
      const runner = await this.engine.open(model, probes);
      this.record({ job, engine: runner.engine, note: `converted in ${Math.round(performance.now() - start)} ms` });
      return runner;
    } catch (error) {
      return fallback(`the model could not run on ${this.engine.id}: ${messageOf(error)}`);
    }
  }

  /** One line per job: the engines it ran on and why (the same job on the same engine counted once). */
  summary(): string[] {
    const lines = new Map<string, number>();
    for (const use of this.uses) {
      const line = `${use.job}: ${use.engine === 'tfjs' ? `tfjs (${use.note})` : use.engine}`;
      lines.set(line, (lines.get(line) ?? 0) + 1);
    }
    return [...lines].map(([line, n]) => (n > 1 ? `${line}, ${n} times` : line));
  }

  private load(): Promise<string> {
    this.loaded ??= this.engine!.load();
    return this.loaded;
  }

  private record(use: ForwardUse): void {
    this.uses.push(use);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** Runs `x` through a runner and frees what it returned; the callback reads the outputs. */
export async function withOutputs<R>(runner: ForwardRunner, x: tf.Tensor, read: (outputs: tf.Tensor[]) => Promise<R>): Promise<R> {
  const outputs = await runner.run(x);
  try {
    return await read(outputs);
  } finally {
    tf.dispose(outputs);
  }
}
