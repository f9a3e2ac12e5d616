import { describe, expect, it } from 'vitest';
import { CRITERIA_INFO, MODEL_CHOICES, RECOMMENDED_CRITERION, BUILTIN_DATA_ID } from '../../../core/api/catalog.js';
import { listCriteria } from '../../../core/importance/registry.js';
import { MODEL_ZOO } from '../../../core/models/zoo.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';

// The catalog is the one list: the engine's registry and zoo are built from it, each implementation under its own id.
describe('the catalog and the engine built from it', () => {
  it('lists every registered criterion once, in menu order, with what it needs', () => {
    expect(CRITERIA_INFO.map((c) => [c.id, c.needs])).toEqual(listCriteria().map((c) => [c.id, c.needs]));
    expect(CRITERIA_INFO.map((c) => c.id)).toContain(RECOMMENDED_CRITERION.id);
  });

  it('lists every built-in model with its zoo label', () => {
    expect(MODEL_CHOICES.map((m) => [m.id, m.label])).toEqual(MODEL_ZOO.map((e) => [e.id, e.label]));
    expect(BUILTIN_DATA_ID).toBe(BUILTIN_DATA);
  });
});
