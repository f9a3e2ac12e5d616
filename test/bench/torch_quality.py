#!/usr/bin/env python3
"""PyTorch reference for `npm run bench:quality`: the same ResNet-20, data, recipe and pruning budget.

Trains the baseline with the recipe Pruneflow uses (Adam, cosine decay per step, batch 64, random crop with
4 pixels of zero padding and horizontal flips, inputs normalised by the training set's channel mean and std),
then removes the lowest-L1 half of the channels inside every residual block (the first convolution's filters,
and the matching inputs of the second), re-estimates batch-norm statistics on 20 training batches, and
fine-tunes on the same images for the same epochs as Pruneflow's matched run.

Prints one JSON object on stdout (its last line); {"available": false, "reason": ...} without torch.
The network mirrors test/bench/torch_reference.py (and so core/models/resnet-cifar.ts).
"""
import argparse
import json
import math
import os
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, help="folder with data_batch_1.bin and test_batch.bin (cifar), or train-/t10k- IDX files (idx)")
    parser.add_argument("--format", choices=["cifar", "idx"], default="cifar")
    parser.add_argument("--augment", choices=["crop-flip", "none"], default="crop-flip", help="as Pruneflow: crops and flips for natural images only")
    parser.add_argument("--train-images", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--fine-tune-images", type=int, default=2500)
    parser.add_argument("--fine-tune-epochs", type=int, default=4)
    parser.add_argument("--block-ratio", type=float, default=0.5, help="share of each block's inner channels removed")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-out", help="write the trained baseline's weights here (JSON, tfjs layer names and layouts)")
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        import numpy as np
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except Exception as error:  # ImportError, or a broken install
        print(json.dumps({"available": False, "reason": f"{sys.executable}: cannot import torch ({type(error).__name__}: {error})"}))
        return

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)

    def read_cifar(path, limit=None):
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
        if limit is not None:
            raw = raw[:limit]
        return torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy()), torch.from_numpy(raw[:, 0].astype(np.int64))

    def read_idx(prefix, limit=None):
        """Uncompressed MNIST-style files: a 16-byte header before the images, 8 before the labels."""
        images = np.fromfile(os.path.join(args.data, f"{prefix}-images-idx3-ubyte"), dtype=np.uint8, offset=16)
        labels = np.fromfile(os.path.join(args.data, f"{prefix}-labels-idx1-ubyte"), dtype=np.uint8, offset=8)
        images, labels = images.reshape(-1, 1, 28, 28)[:limit], labels[:limit]
        return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))

    if args.format == "idx":
        train_x, train_y = read_idx("train", args.train_images)
        test_x, test_y = read_idx("t10k")
    else:
        train_x, train_y = read_cifar(os.path.join(args.data, "data_batch_1.bin"), args.train_images)
        test_x, test_y = read_cifar(os.path.join(args.data, "test_batch.bin"))
    channels, size = train_x.shape[1], train_x.shape[2]

    def statistics(images):
        pixels = images.float().div(255)
        return pixels.mean(dim=(0, 2, 3)).view(1, -1, 1, 1), pixels.std(dim=(0, 2, 3)).view(1, -1, 1, 1)

    def normalise(images, norm):
        mean, std = norm
        return (images.float().div(255) - mean) / std

    def augment(images):
        """Random crop of the image zero-padded by 4 (before normalisation), and a coin-flip mirror; or nothing."""
        if args.augment == "none":
            return images
        padded = F.pad(images, (4, 4, 4, 4))
        out = torch.empty_like(images)
        shifts = torch.randint(0, 9, (images.shape[0], 2))
        flips = torch.rand(images.shape[0]) < 0.5
        for i in range(images.shape[0]):
            dy, dx = int(shifts[i, 0]), int(shifts[i, 1])
            crop = padded[i, :, dy:dy + size, dx:dx + size]
            out[i] = crop.flip(2) if flips[i] else crop
        return out

    class SameConv(nn.Conv2d):
        """A 3x3 convolution padded as TensorFlow's 'same': with stride 2, one row and column after, none before."""

        def __init__(self, cin, cout, stride=1):
            super().__init__(cin, cout, 3, stride, 1 if stride == 1 else 0, bias=False)

        def forward(self, x):
            return super().forward(F.pad(x, (0, 1, 0, 1)) if self.stride[0] == 2 else x)

    def batch_norm(channels):
        return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.1)  # Keras defaults: epsilon 1e-3, momentum 0.9

    def conv_bn_relu(cin, cout, stride=1):
        return [SameConv(cin, cout, stride), batch_norm(cout), nn.ReLU(inplace=True)]

    class ZeroPadShortcut(nn.Module):
        def __init__(self, out_channels, stride):
            super().__init__()
            self.out_channels = out_channels
            self.stride = stride

        def forward(self, x):
            if self.stride > 1:
                x = x[:, :, :: self.stride, :: self.stride]
            extra = self.out_channels - x.shape[1]
            return F.pad(x, (0, 0, 0, 0, 0, extra)) if extra > 0 else x

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride, inner=None):
            super().__init__()
            inner = inner or cout
            self.a = nn.Sequential(*conv_bn_relu(cin, inner, stride))
            self.b_conv = SameConv(inner, cout)
            self.b_bn = batch_norm(cout)
            self.shortcut = ZeroPadShortcut(cout, stride) if stride != 1 or cin != cout else nn.Identity()

        def forward(self, x):
            return F.relu(self.b_bn(self.b_conv(self.a(x))) + self.shortcut(x))

    class CifarResNet(nn.Module):
        def __init__(self, depth, num_classes=10):
            super().__init__()
            n = (depth - 2) // 6
            self.stem = nn.Sequential(*conv_bn_relu(channels, 16))
            blocks, cin = [], 16
            for stage, filters in enumerate([16, 32, 64]):
                for block in range(n):
                    stride = 2 if stage > 0 and block == 0 else 1
                    blocks.append(BasicBlock(cin, filters, stride))
                    cin = filters
            self.blocks = nn.Sequential(*blocks)
            self.fc = nn.Linear(64, num_classes)

        def forward(self, x):
            x = self.blocks(self.stem(x))
            return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def count(model):
        """Parameters (trainable) and multiply-accumulates of Conv2d and Linear for one image."""
        total = [0]

        def hook(module, inputs, output):
            if isinstance(module, nn.Conv2d):
                kh, kw = module.kernel_size
                total[0] += output[0].numel() * kh * kw * module.in_channels // module.groups
            elif isinstance(module, nn.Linear):
                total[0] += module.in_features * module.out_features

        handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, channels, size, size))
        for handle in handles:
            handle.remove()
        return sum(p.numel() for p in model.parameters()), total[0]

    def fit(model, images, labels, norm, epochs, learning_rate):
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        steps_per_epoch = math.ceil(images.shape[0] / args.batch)
        total, step = steps_per_epoch * epochs, 0
        model.train()
        for _ in range(epochs):
            order = torch.randperm(images.shape[0])
            for start in range(0, images.shape[0], args.batch):
                index = order[start:start + args.batch]
                for group in optimizer.param_groups:  # cosine decay per step, as core/train/fit.ts
                    group["lr"] = 0.5 * learning_rate * (1 + math.cos(math.pi * step / total))
                x = normalise(augment(images[index]), norm)
                loss = F.cross_entropy(model(x), labels[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                step += 1
            print(f"epoch done: step {step}/{total}, loss {float(loss):.3f}, {time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True)

    def accuracy(model, norm):
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, test_x.shape[0], 256):
                logits = model(normalise(test_x[start:start + 256], norm))
                correct += int((logits.argmax(1) == test_y[start:start + 256]).sum())
        return correct / test_x.shape[0]

    def recalibrate(model, images, norm, batches=20):
        """Adaptive BN, as core/train/batch-norm-recalibration.ts: plain average of the statistics of 20 batches."""
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats()
                m.momentum = None  # cumulative moving average
        model.train()
        order = torch.randperm(images.shape[0])
        with torch.no_grad():
            for b in range(batches):
                index = order[b * args.batch:(b + 1) * args.batch]
                if len(index) == 0:
                    break
                model(normalise(images[index], norm))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = 0.1

    def prune_blocks(model, ratio):
        """Keeps the highest-L1 filters of every block's first convolution; slices its BN and the second conv's inputs."""
        for block in model.blocks:
            conv, bn = block.a[0], block.a[1]
            keep_count = max(1, round((1 - ratio) * conv.out_channels))
            scores = conv.weight.detach().abs().sum(dim=(1, 2, 3))
            keep = torch.sort(torch.argsort(scores, descending=True)[:keep_count]).values
            new_conv = SameConv(conv.in_channels, keep_count, conv.stride[0])
            new_conv.weight.data = conv.weight.data[keep].clone()
            new_bn = batch_norm(keep_count)
            for name in ["weight", "bias", "running_mean", "running_var"]:
                getattr(new_bn, name).data = getattr(bn, name).data[keep].clone()
            new_b = SameConv(keep_count, block.b_conv.out_channels)
            new_b.weight.data = block.b_conv.weight.data[:, keep].clone()
            block.a[0], block.a[1], block.b_conv = new_conv, new_bn, new_b

    def tfjs_weights(model):
        """Weights by tfjs layer name (core/models/resnet-cifar.ts), in tfjs layouts: kernels HWIO, dense [in, out]."""
        layers = {}

        def conv(name, module):
            layers[name] = [module.weight.detach().permute(2, 3, 1, 0)]

        def bn(name, module):
            layers[name] = [module.weight.detach(), module.bias.detach(), module.running_mean, module.running_var]

        conv("stem_conv", model.stem[0])
        bn("stem_bn", model.stem[1])
        for i, block in enumerate(model.blocks):
            name = f"stage{i // 3 + 1}_block{i % 3 + 1}"
            conv(f"{name}_a_conv", block.a[0])
            bn(f"{name}_a_bn", block.a[1])
            conv(f"{name}_b_conv", block.b_conv)
            bn(f"{name}_b_bn", block.b_bn)
        layers["fc"] = [model.fc.weight.detach().t(), model.fc.bias.detach()]
        return {name: [{"shape": list(w.shape), "data": [round(v, 7) for v in w.contiguous().view(-1).tolist()]} for w in ws] for name, ws in layers.items()}

    started = time.perf_counter()
    model = CifarResNet(20)
    norm = statistics(train_x)
    fit(model, train_x, train_y, norm, args.epochs, args.learning_rate)
    baseline_accuracy = accuracy(model, norm)
    baseline_seconds = time.perf_counter() - started
    params, macs = count(model)
    if args.baseline_out:
        with open(args.baseline_out + ".partial", "w") as out:
            json.dump({"accuracy": baseline_accuracy, "seconds": baseline_seconds, "layers": tfjs_weights(model)}, out)
        os.replace(args.baseline_out + ".partial", args.baseline_out)

    started = time.perf_counter()
    fine_x, fine_y = train_x[: args.fine_tune_images], train_y[: args.fine_tune_images]
    fine_norm = statistics(fine_x)
    prune_blocks(model, args.block_ratio)
    recalibrate(model, fine_x, fine_norm)
    prune_only = accuracy(model, fine_norm)
    fit(model, fine_x, fine_y, fine_norm, args.fine_tune_epochs, args.learning_rate / 2)
    pruned_accuracy = accuracy(model, fine_norm)
    pruned_params, pruned_macs = count(model)

    print(json.dumps({
        "available": True,
        "python": sys.executable,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "baseline": {"accuracy": baseline_accuracy, "parameters": params, "macs": macs, "seconds": baseline_seconds},
        "pruned": {"accuracy": pruned_accuracy, "pruneOnlyAccuracy": prune_only, "parameters": pruned_params, "macs": pruned_macs,
                   "seconds": time.perf_counter() - started},
    }))


if __name__ == "__main__":
    main()
