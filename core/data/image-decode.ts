import { convertIndexedToRgb, type DecodedPng, decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { DatasetFormatError } from './dataset-errors.js';
import { imageSize } from './image-size.js';
import { InputLimitError, inputLimits } from './input-limits.js';

/** 8-bit pixels, channels last: 1 (grey) or 3 (RGB). Alpha is dropped, as torchvision's ImageFolder does. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/**
 * Decodes a PNG or JPEG, told apart by signature, with fast-png and jpeg-js (pure JS, run in a worker).
 * The size in the header is checked first: an image without pixels is refused, and one over the pixel
 * limit (`maxImagePixels`) before anything is allocated for it.
 */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const kind =
    bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 ? 'PNG' : bytes[0] === 0xff && bytes[1] === 0xd8 ? 'JPEG' : undefined;
  if (!kind) throw new DatasetFormatError(file, 'not a PNG or JPEG image (unrecognised first bytes)');
  const size = imageSize(bytes, kind);
  if (!size) throw new DatasetFormatError(file, `does not decode as ${kind}: no image header (${kind === 'PNG' ? 'IHDR' : 'SOF'}) where one belongs`);
  const { width, height } = size;
  if (width === 0 || height === 0) throw new DatasetFormatError(file, `an empty ${kind} image (${width}x${height} pixels)`);
  const maxPixels = inputLimits().maxImagePixels;
  if (width * height > maxPixels) throw new InputLimitError(file, 'maxImagePixels', `a ${kind} of ${width}x${height} = ${width * height} pixels`);
  let image: DecodedImage;
  try {
    image = kind === 'PNG' ? fromPng(decodePng(bytes, { checkCrc: true })) : fromJpeg(bytes, maxPixels);
  } catch (error) {
    throw new DatasetFormatError(file, `does not decode as ${kind}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (image.width !== width || image.height !== height) {
    throw new DatasetFormatError(file, `does not decode as ${kind}: its header says ${width}x${height}, the decoder gave ${image.width}x${image.height}`);
  }
  return image;
}

function fromJpeg(bytes: Uint8Array, maxPixels: number): DecodedImage {
  // useTArray: a Uint8Array rather than a Node Buffer; jpeg-js gives RGB even for grey JPEGs.
  // Its own limits back up the header check above (a file with several frame headers).
  const { width, height, data } = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: Math.max(512, (maxPixels * 12) / 2 ** 20),
  });
  if (data.length !== width * height * 3) throw new Error(`${data.length} samples for ${width}x${height} RGB pixels`);
  return greyIfNeutral({ width, height, channels: 3, data });
}

function fromPng(png: DecodedPng): DecodedImage {
  const { width, height } = png;
  const pixels = width * height;
  let samples: Uint8Array;
  if (png.palette) samples = convertIndexedToRgb(png);
  else if (png.depth === 16) samples = to8Bits(png.data);
  else if (png.depth < 8) samples = unpackBits(png.data as Uint8Array, width, height, png.depth);
  else samples = png.data as Uint8Array;
  const channels = samples.length / pixels;
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`${samples.length} samples for ${width}x${height} pixels`);
  if (channels === 1) return { width, height, channels: 1, data: samples };
  if (channels === 3) return greyIfNeutral({ width, height, channels: 3, data: samples });
  // Grey+alpha (2) or RGB(A) (4): keep the colour samples only.
  const keep = channels === 2 ? 1 : 3;
  const data = new Uint8Array(pixels * keep);
  for (let p = 0, from = 0, to = 0; p < pixels; p++, from += channels) {
    for (let c = 0; c < keep; c++) data[to++] = samples[from + c];
  }
  return keep === 1 ? { width, height, channels: 1, data } : greyIfNeutral({ width, height, channels: 3, data });
}

/** 16-bit samples to the nearest 8-bit value (65535 / 257 = 255). */
function to8Bits(wide: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(wide.length);
  for (let i = 0; i < wide.length; i++) out[i] = (wide[i] + 128) / 257;
  return out;
}

/** Grey PNGs of 1, 2 or 4 bits pack several pixels a byte, rows padded to whole bytes. */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const scale = 255 / mask;
  for (let y = 0, to = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[to++] = ((packed[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask) * scale;
    }
  }
  return out;
}

/** An RGB image whose pixels all have R = G = B is grey, whatever its file said. */
function greyIfNeutral(image: DecodedImage): DecodedImage {
  const { data } = image;
  for (let i = 0; i < data.length; i += 3) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return image;
  }
  const grey = new Uint8Array(data.length / 3);
  for (let i = 0; i < grey.length; i++) grey[i] = data[3 * i];
  return { ...image, channels: 1, data: grey };
}
