/**
 * SHA-256 over a list of parts, with WebCrypto (a global in browsers, workers and Node 20). Each part is
 * digested on its own and the digests are digested together, so large weights are never concatenated
 * and two lists that only differ in where a part ends hash differently.
 */
export async function contentHash(parts: readonly (Uint8Array | string)[]): Promise<string> {
  const encoder = new TextEncoder();
  const digests = new Uint8Array(32 * parts.length);
  for (const [i, part] of parts.entries()) {
    const bytes = typeof part === 'string' ? encoder.encode(part) : part;
    digests.set(new Uint8Array(await crypto.subtle.digest('SHA-256', copyIfShared(bytes))), 32 * i);
  }
  const total = new Uint8Array(await crypto.subtle.digest('SHA-256', digests));
  return Array.from(total, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The bytes behind a typed array of any kind (weights, scores), without a copy. */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** WebCrypto refuses views of shared memory. */
function copyIfShared(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
