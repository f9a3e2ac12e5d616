import { convertChannels } from '../fit-images.js';
import { decodeImage } from '../image-decode.js';
import { resizeImage } from '../image-resize.js';

/** The shape every record of a streamed data set has: the model's input size, uint8, channels last. */
export interface RecordShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * One image file as a record: decoded (PNG or JPEG), resized as the image folder reader resizes (area when
 * shrinking, bilinear when enlarging) and converted to the record's channels (luma or copies). Plain
 * computation on bytes, so it runs in any thread: a Node worker, a Web Worker, or the caller's own.
 */
export function decodeRecord(bytes: Uint8Array, path: string, shape: RecordShape): Uint8Array {
  const image = decodeImage(bytes, path);
  const resized = resizeImage(image.data, image.height, image.width, image.channels, shape.height, shape.width);
  return convertChannels(resized, image.channels, shape.channels);
}

/** Decodes image files into records, in this thread or others. */
export interface ImageDecoder {
  /** Threads decoding at once (1 for the caller's own thread). */
  readonly threads: number;
  decode(bytes: Uint8Array, path: string, shape: RecordShape): Promise<Uint8Array>;
  /** Ends its threads; decoding again starts them anew. */
  close(): Promise<void>;
}

/** Decodes on the calling thread: for hosts without worker threads, and for tests. */
export function inlineDecoder(): ImageDecoder {
  return {
    threads: 1,
    decode: async (bytes, path, shape) => decodeRecord(bytes, path, shape),
    close: async () => {},
  };
}
