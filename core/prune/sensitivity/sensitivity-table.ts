/**
 * What a sensitivity analysis measured, as plain data. It crosses to the UI, so it is defined with the
 * wire types in core/api (reports.ts); the engine's files import it from here.
 */
export type { SensitivityRow, SensitivityTable, SensitivityTrial } from '../../api/reports.js';
