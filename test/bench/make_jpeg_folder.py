"""The streaming benchmark's image folder: COUNT JPEGs of SIZE x SIZE in CLASSES class folders under
FOLDER/train/, written with Pillow (libjpeg, quality 85): smooth shapes over a gradient with a little noise, so
files are about as large as photos of that size. Drawing and encoding 50,000 images takes hours on a busy
machine, so BASES images are drawn and encoded, and file i is base i % BASES with its number in a JPEG comment
(COM) segment: every file has its own bytes and costs a full decode. Files already there are kept; each is
written whole (a temporary name, then renamed). Usage: make_jpeg_folder.py FOLDER COUNT SIZE CLASSES"""
import io
import os
import sys

import numpy as np
from PIL import Image


BASES = 1000


def image(index: int, size: int, classes: int) -> np.ndarray:
    rng = np.random.default_rng(index + 1)
    label = index % classes
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    base = rng.uniform(0, 255, 3)
    tilt = rng.uniform(-0.5, 0.5, 3)
    pixels = base[None, None, :] + tilt[None, None, :] * (x + y)[:, :, None]
    for _ in range(3 + int(rng.integers(0, 4))):
        cx, cy = rng.uniform(0, size, 2)
        r = size * rng.uniform(0.08, 0.33)
        colour = np.array([(label * 25 + rng.uniform(0, 60)) % 256, rng.uniform(0, 255), (255 - label * 25) % 256])
        inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        pixels[inside] = colour
    pixels += rng.uniform(-8, 8, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def main() -> None:
    folder, count, size, classes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    for c in range(classes):
        os.makedirs(os.path.join(folder, "train", f"class{c}"), exist_ok=True)
    bases: dict[int, bytes] = {}
    written = 0
    for index in range(count):
        path = os.path.join(folder, "train", f"class{index % classes}", f"{index:05d}.jpg")
        if os.path.exists(path):
            continue
        base = index % BASES
        if base not in bases:
            encoded = io.BytesIO()
            Image.fromarray(image(base, size, classes)).save(encoded, format="JPEG", quality=85)
            bases[base] = encoded.getvalue()
        comment = f"pruneflow benchmark image {index}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        with open(path + ".part", "wb") as out:
            out.write(bases[base][:2] + segment + bases[base][2:])
        os.replace(path + ".part", path)
        written += 1
    print(f"wrote {written} JPEGs into {folder}")


if __name__ == "__main__":
    main()
