import { OPCODES } from './opcodes.js';
import { PickleMachine } from './pickle-machine.js';
import { PickleReader } from './pickle-reader.js';
import type { PickleValue } from './pickle-values.js';

/** Opcodes that need the loading program's cooperation (persistent ids, copyreg, buffers). */
const REFUSED = new Map<number, string>([
  [0x50, 'PERSID'],
  [0x51, 'BINPERSID'],
  [0x82, 'EXT1'],
  [0x83, 'EXT2'],
  [0x84, 'EXT4'],
  [0x97, 'NEXT_BUFFER'],
]);

/**
 * Reads a Python pickle (protocols 0-5) into plain values, safely: it is a stack machine over the
 * data opcodes, and GLOBAL resolves only an allow-list of names to inert placeholders, so nothing
 * in the file can run code. Every error is a DatasetFormatError naming the file and byte offset.
 */
export function unpickle(bytes: Uint8Array, file: string): PickleValue {
  const reader: PickleReader = new PickleReader(bytes, file);
  const machine = new PickleMachine(reader);
  if (bytes.length === 0) reader.fail('the file is empty');
  while (!machine.stopped) {
    if (reader.atEnd) {
      reader.opcodeOffset = reader.offset;
      reader.opcodeName = '';
      reader.fail('truncated: the file ends before the STOP opcode');
    }
    reader.opcodeOffset = reader.offset;
    reader.opcodeName = '';
    const code = reader.u8();
    const opcode = OPCODES[code];
    if (!opcode) {
      const refused = REFUSED.get(code);
      reader.fail(refused ? `opcode ${refused} is not supported` : `unknown opcode 0x${code.toString(16).padStart(2, '0')}`);
    }
    reader.opcodeName = opcode.name;
    opcode.run(machine, reader);
  }
  return machine.result as PickleValue;
}
