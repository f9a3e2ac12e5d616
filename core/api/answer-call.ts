import type { EngineApi } from './contract.js';
import { serializeError } from './errors.js';
import type { CallReply, EngineCall } from './bridge.js';
import { validateCall } from './validate-call.js';

/** Runs one validated call on the engine. The switch is exhaustive, so a new call fails to compile here. */
export function dispatchCall(engine: EngineApi, call: EngineCall): Promise<unknown> {
  switch (call.method) {
    case 'getInfo':
      return engine.getInfo();
    case 'startDemo':
      return engine.startDemo(...call.args);
    case 'startPruning':
      return engine.startPruning(...call.args);
    case 'startSensitivity':
      return engine.startSensitivity(...call.args);
    case 'inspectDataset':
      return engine.inspectDataset(...call.args);
    case 'inspectModel':
      return engine.inspectModel(...call.args);
    case 'importanceFlow':
      return engine.importanceFlow(...call.args);
    case 'openProject':
      return engine.openProject(...call.args);
    case 'compareSessions':
      return engine.compareSessions(...call.args);
    case 'exportSession':
      return engine.exportSession(...call.args);
    case 'writeReport':
      return engine.writeReport(...call.args);
    case 'listFolder':
      return engine.listFolder(...call.args);
    case 'estimateCut':
      return engine.estimateCut(...call.args);
    case 'cancelTask':
      return engine.cancelTask(...call.args);
    case 'pauseTask':
      return engine.pauseTask(...call.args);
    case 'resumeTask':
      return engine.resumeTask(...call.args);
    case 'resumeSession':
      return engine.resumeSession(...call.args);
    case 'saveProject':
      return engine.saveProject(...call.args);
    case 'saveProjectAs':
      return engine.saveProjectAs(...call.args);
    case 'recentProjects':
      return engine.recentProjects(...call.args);
    default:
      return unreachable(call);
  }
}

/** Validates an untrusted message, runs it and answers with plain data; never throws. */
export async function answerCall(engine: EngineApi, message: unknown): Promise<CallReply> {
  try {
    return { ok: true, value: await dispatchCall(engine, validateCall(message)) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

function unreachable(call: never): never {
  throw new Error(`Unhandled engine call ${JSON.stringify(call)}`);
}
