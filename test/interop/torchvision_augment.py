"""torchvision's answer for test/core/data/augmentation-torch.test.ts: the CIFAR training transforms of the papers.

Reads a JSON file (argument 1) with uint8 images (N x H x W x C), one draw per image (top and left of the crop
window in the image zero-padded by `padding`, and whether to mirror it) and the normalisation; applies
RandomCrop(padding=4)'s pad and crop, then RandomHorizontalFlip's flip, then ToTensor and Normalize, as
torchvision.transforms.functional does with those draws; writes the float images (N x H x W x C) to argument 2.
"""
import json
import sys

import torch
from torchvision_cpu import torchvision

F = torchvision.transforms.functional


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    n, h, w, c = spec["shape"]
    images = torch.tensor(spec["images"], dtype=torch.uint8).reshape(n, h, w, c).permute(0, 3, 1, 2)
    pad = spec["padding"]
    out = []
    for image, draw in zip(images, spec["draws"]):
        x = F.pad(image, [pad], fill=0)
        x = F.crop(x, draw["top"], draw["left"], h, w)
        if draw["flip"]:
            x = F.hflip(x)
        x = F.normalize(x.float() / 255, spec["mean"], spec["std"])
        out.append(x.permute(1, 2, 0))
    with open(sys.argv[2], "w") as f:
        json.dump(torch.stack(out).reshape(-1).tolist(), f)


if __name__ == "__main__":
    main()
