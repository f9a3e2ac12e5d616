/** A Node Buffer as a plain Uint8Array view: no copy (a copy of a large file doubles its memory). */
export function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
