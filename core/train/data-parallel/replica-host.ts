import { portableCandidates } from '../../backend/portable-candidates.js';
import { isOutOfMemoryError } from '../out-of-memory.js';
import { decodeDraws, type FromReplica, type ReplicaEndpoint, type ToReplica } from './protocol.js';
import { Replica } from './replica.js';

/**
 * The message loop of one replica, the whole body of a training worker on any host. Messages run one
 * at a time in arrival order (init is async), so answers come back in request order. After an error the
 * replica answers nothing more: the coordinator fails the run on the first error anyway. A shard that
 * runs out of memory is no such error: it is answered as such, and the replica goes on.
 */
export function serveReplica(endpoint: ReplicaEndpoint): void {
  let replica: Replica | undefined;
  let broken = false;
  let queue = Promise.resolve();

  const handle = async (message: ToReplica): Promise<void> => {
    if (message.type === 'init') {
      const candidate = portableCandidates.find((c) => c.id === message.backend);
      if (!candidate) throw new Error(`no portable backend '${message.backend}'`);
      await candidate.load();
      replica = await Replica.create(message.topology, message.weights, message.data, message.norm, message.training);
      return endpoint.post({ type: 'ready', parameters: replica.parameters });
    }
    if (!replica) throw new Error(`'${message.type}' arrived before 'init'`);
    switch (message.type) {
      case 'compute': {
        let shard;
        try {
          shard = replica.computeGradients(message.indices, message.draws ? decodeDraws(message.draws) : undefined, message.records);
        } catch (error) {
          // Nothing changed here: the coordinator may ask again with a smaller shard.
          if (!isOutOfMemoryError(error)) throw error;
          return endpoint.post({ type: 'out-of-memory', message: (error as Error).message });
        }
        return endpoint.post({ type: 'gradients', ...shard }, [shard.gradients.buffer as ArrayBuffer, shard.reached.buffer as ArrayBuffer]);
      }
      case 'apply':
        return replica.applyGradients(message.gradients, message.reached, message.learningRate);
      case 'readOptimizer': {
        const state = await replica.readOptimizer();
        return endpoint.post({ type: 'optimizer', state }, [state.data.buffer as ArrayBuffer]);
      }
      case 'setWeights':
        return replica.setWeights(message.weights, message.gates);
      case 'read': {
        const weights = replica.readWeights();
        const free = replica.freeValues();
        const buffers = [...weights.trainable, ...weights.nonTrainable, ...(free ?? [])].map((a) => a.buffer as ArrayBuffer);
        return endpoint.post({ type: 'weights', weights, ...(free && { free }) }, buffers);
      }
      case 'setNonTrainable':
        return replica.setNonTrainable(message.values);
      case 'rollback':
        return replica.rollback();
    }
  };

  endpoint.onMessage((message) => {
    queue = queue.then(async () => {
      if (broken) return;
      try {
        await handle(message);
      } catch (error) {
        broken = true;
        const text = error instanceof Error ? error.message : String(error);
        endpoint.post({ type: 'error', message: `${text} (while handling '${message.type}')` } satisfies FromReplica);
      }
    });
  });
}
