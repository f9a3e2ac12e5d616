import { describe, expect, it } from 'vitest';
import { numberedExportFolder } from '../../../renderer/lib/export-folder.js';

describe("a session's export folder", () => {
  it("is numbered beside the first session's, whatever that folder is called", () => {
    expect(numberedExportFolder('/home/me/pruned', 1)).toBe('/home/me/pruned');
    expect(numberedExportFolder('/home/me/pruned/', 2)).toBe('/home/me/pruned-2');
    expect(numberedExportFolder('C:\\models\\resnet-20', 3)).toBe('C:\\models\\resnet-20-3');
    expect(numberedExportFolder('  ', 2)).toBe('');
  });
});
