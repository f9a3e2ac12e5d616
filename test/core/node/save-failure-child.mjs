// A separate Node process that tries to save a bigger version of a project over itself through the built writer
// (dist/), for save-failures.test.ts to run where writes fail (a full disk, a folder it may not write to).
// Usage: node save-failure-child.mjs <project file> <KiB of incompressible data to add>
// Prints one JSON line: the error the save gave (name, message), the folder's entries and the file's sha256 after.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadProjectFile, saveProjectFile } from '../../../dist/core/node/project-file.js';

const [file, kibibytes] = process.argv.slice(2);
const project = await loadProjectFile(file);
project.unknown.parts.set('extras/big.bin', new Uint8Array(randomBytes(Number(kibibytes) * 1024)));
project.modified = '2030-01-01T00:00:00.000Z';
let error = null;
try {
  await saveProjectFile(file, project);
} catch (e) {
  error = { name: e.name, message: e.message };
}
const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
process.stdout.write(`${JSON.stringify({ error, entries: readdirSync(dirname(file)).sort(), sha256 })}\n`);
