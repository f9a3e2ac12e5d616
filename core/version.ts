/** Kept in step with package.json by a test. */
export const PRUNEFLOW_VERSION = '0.1.0';
