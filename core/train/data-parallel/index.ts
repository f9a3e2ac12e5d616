export { DataParallelError } from './replica-group.js';
export { serveReplica } from './replica-host.js';
export type { FromReplica, ReplicaEndpoint, ReplicaPort, ToReplica } from './protocol.js';
export { ReplicaOutOfMemoryError, startDataParallel, type DataParallelOptions, type DataParallelTrainer, type StepResult } from './trainer.js';
