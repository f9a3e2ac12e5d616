// A separate Node process that saves a project through the built atomic writer (dist/), for
// project-file.test.ts to kill with SIGKILL at a chosen moment of the save.
// Usage: node save-project-child.mjs <project file> <extra MiB> <pause: writing@<bytes> | flushed | renamed | never>
import { loadProjectFile, saveProjectFile } from '../../../dist/core/node/project-file.js';

const [file, mebibytes, pause] = process.argv.slice(2);
const project = await loadProjectFile(file);
// The new version: a later `modified` and a large part of a newer Pruneflow, so the write takes many chunks.
const big = new Uint8Array(Number(mebibytes) * 2 ** 20);
for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
project.unknown.parts.set('extras/big.bin', big);
project.modified = '2030-01-01T00:00:00.000Z';

const hang = () => new Promise(() => setInterval(() => undefined, 60_000));
await saveProjectFile(file, project, {
  onProgress: async (stage, written, total) => {
    process.stdout.write(`${stage} ${written} ${total}\n`);
    const [at, bytes] = pause.split('@');
    if (stage === at && (bytes === undefined || written >= Number(bytes))) {
      process.stdout.write('paused\n');
      await hang();
    }
  },
});
process.stdout.write('saved\n');
