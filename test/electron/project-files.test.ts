import { describe, expect, it } from 'vitest';
import { projectFilesInArgv } from '../../electron/project-files.js';

describe('projectFilesInArgv', () => {
  it.each([
    ['a packaged launch without files', ['/opt/Pruneflow/pruneflow'], []],
    ['`electron .` from the sources', ['/repo/node_modules/electron/dist/electron', '.'], []],
    ['a double-clicked file', ['/opt/Pruneflow/pruneflow', '/home/u/My Model.pruneflow'], ['/home/u/My Model.pruneflow']],
    ['a relative path', ['pruneflow', 'runs/a.PRUNEFLOW'], ['/work/runs/a.PRUNEFLOW']],
    ["Chromium's switches and other files", ['pruneflow', '--no-sandbox', '--flag=x.pruneflow', 'notes.txt', 'b.pruneflow'], ['/work/b.pruneflow']],
    ['a bare extension', ['pruneflow', '.pruneflow'], []],
  ])('%s', (_case, argv, expected) => {
    expect(projectFilesInArgv(argv, '/work')).toEqual(expected);
  });
});
