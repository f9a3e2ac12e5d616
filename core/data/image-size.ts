/**
 * An image's width and height from its header, without decoding it: a PNG's IHDR chunk (always the
 * first), a JPEG's first start-of-frame marker. Undefined when the header is missing or cut off.
 */
export function imageSize(bytes: Uint8Array, kind: 'PNG' | 'JPEG'): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kind === 'PNG') {
    const isIhdr = bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR';
    return isIhdr ? { width: view.getUint32(16, false), height: view.getUint32(20, false) } : undefined;
  }
  // JPEG: segments after SOI (FFD8); each marker FFxx is followed by a 2-byte length, except RSTn/SOI/EOI/TEM.
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame
    const length = view.getUint16(at + 2, false);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return at + 9 <= bytes.length ? { height: view.getUint16(at + 5, false), width: view.getUint16(at + 7, false) } : undefined;
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}
