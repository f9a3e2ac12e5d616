/** IPC channel names; the main process and the preload must agree, so they live in one place. */
export const ENGINE_CALL_CHANNEL = 'pruneflow:engine-call';
export const ENGINE_EVENT_CHANNEL = 'pruneflow:engine-event';
