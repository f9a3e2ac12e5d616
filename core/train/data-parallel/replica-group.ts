import { ANSWERED, type FromReplica, type ReplicaPort, type ToReplica } from './protocol.js';

/** A replica died or reported an error; the whole group is then terminated. */
export class DataParallelError extends Error {
  override name = 'DataParallelError';
}

type Answer<T extends FromReplica['type']> = Extract<FromReplica, { type: T }>;

interface Pending {
  expect: FromReplica['type'];
  resolve: (message: FromReplica) => void;
  reject: (error: Error) => void;
}

const EXPECTED = { init: 'ready', compute: 'gradients', read: 'weights', readOptimizer: 'optimizer' } as const;

/** What each request is answered with: a shard that did not fit comes back as such, not as an error. */
interface Answers {
  init: Answer<'ready'>;
  compute: Answer<'gradients'> | Answer<'out-of-memory'>;
  read: Answer<'weights'>;
  readOptimizer: Answer<'optimizer'>;
}

/**
 * The coordinator's view of its replicas: requests answered in order, one failure ends them all. Each
 * replica handles its messages in order, so a request queued behind an unanswered 'apply' sees its effect.
 */
export class ReplicaGroup {
  private readonly pending: Pending[][];
  private failure?: DataParallelError;
  private ended = false;

  constructor(private readonly ports: readonly ReplicaPort[]) {
    this.pending = ports.map(() => []);
    ports.forEach((port, i) => {
      port.onMessage((message) => this.receive(i, message));
      port.onFailure((error) => this.fail(new DataParallelError(`training replica ${i + 1} of ${ports.length} failed: ${error.message}`)));
    });
  }

  get size(): number {
    return this.ports.length;
  }

  /** Whether the replicas were ended (by `terminate` or a failure). */
  get closed(): boolean {
    return this.ended;
  }

  /** The error that ended the group, if one did. */
  get error(): DataParallelError | undefined {
    return this.failure;
  }

  send(index: number, message: ToReplica, transfer?: ArrayBuffer[]): void {
    this.check();
    this.ports[index].post(message, transfer);
  }

  request<T extends keyof Answers>(index: number, message: ToReplica & { type: T }, transfer?: ArrayBuffer[]): Promise<Answers[T]> {
    if (!ANSWERED.has(message.type)) throw new Error(`'${message.type}' gets no answer`);
    this.check();
    return new Promise((resolve, reject) => {
      // Post first: if the message cannot be cloned, no answer is left expected.
      this.ports[index].post(message, transfer);
      this.pending[index].push({ expect: EXPECTED[message.type], resolve: resolve as (m: FromReplica) => void, reject });
    });
  }

  /** Ends every replica; pending requests fail with `reason`. Safe to call twice. */
  async terminate(reason = new DataParallelError('the training replicas were shut down')): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const queue of this.pending) queue.splice(0).forEach((p) => p.reject(reason));
    await Promise.allSettled(this.ports.map((port) => port.terminate()));
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new DataParallelError('the training replicas were shut down');
  }

  private receive(index: number, message: FromReplica): void {
    if (message.type === 'error') return this.fail(new DataParallelError(`training replica ${index + 1} of ${this.size} failed: ${message.message}`));
    const next = this.pending[index].shift();
    const answers = next && (next.expect === message.type || (next.expect === 'gradients' && message.type === 'out-of-memory'));
    if (!answers) {
      return this.fail(new DataParallelError(`training replica ${index + 1} sent '${message.type}', expected ${next ? `'${next.expect}'` : 'nothing'}`));
    }
    next!.resolve(message);
  }

  private fail(error: DataParallelError): void {
    if (this.ended) return;
    this.failure = error;
    void this.terminate(error);
  }
}
