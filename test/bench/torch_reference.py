#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the same two CNNs, the same batch, on the same CPU.

Prints one JSON object on stdout (its last line). When torch cannot be imported it prints
{"available": false, "reason": ...} and exits 0, so the bench never fails for want of torch.

The models mirror core/models/small-vgg.ts and core/models/resnet-cifar.ts exactly:
conv3x3 without bias + batch norm + ReLU units, max pooling 2, global average pooling, a linear
classifier; ResNet-20 with the parameter-free "option A" shortcut (subsample by the stride, then
append zero channels, as core/models/zero-pad-shortcut.ts does).
"""
import argparse
import json
import statistics
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--train-batch", type=int, default=64)
    parser.add_argument("--infer-batches", default="64,256")
    parser.add_argument("--models", default="small-vgg,resnet20")
    parser.add_argument("--formats", default="contiguous,channels_last")
    parser.add_argument("--weight-decay", type=float, default=0.0, help="SGD weight_decay on every parameter (the papers' 5e-4)")
    parser.add_argument("--nesterov", action="store_true", help="SGD with Nesterov's momentum")
    parser.add_argument("--phases", default="train,infer", help="train,infer (bench:forward measures inference only)")
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except Exception as error:  # ImportError, or a broken install
        print(json.dumps({"available": False, "reason": f"{sys.executable}: cannot import torch ({type(error).__name__}: {error})"}))
        return

    torch.manual_seed(1)
    torch.set_num_threads(args.threads)

    def conv_bn_relu(cin, cout, stride=1):
        return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    class SmallVgg(nn.Module):
        """conv32-conv32-pool-conv64-conv64-pool-conv128-GAP-dense10."""

        def __init__(self, num_classes=10):
            super().__init__()
            self.features = nn.Sequential(
                *conv_bn_relu(3, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
                *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2),
                *conv_bn_relu(64, 128),
            )
            self.fc = nn.Linear(128, num_classes)

        def forward(self, x):
            x = self.features(x)
            return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    class ZeroPadShortcut(nn.Module):
        """Option A: x[:, :, ::s, ::s], then zero channels appended after the input's."""

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
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.a = nn.Sequential(*conv_bn_relu(cin, cout, stride))
            self.b_conv = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b_bn = nn.BatchNorm2d(cout)
            self.shortcut = ZeroPadShortcut(cout, stride) if stride != 1 or cin != cout else nn.Identity()

        def forward(self, x):
            return F.relu(self.b_bn(self.b_conv(self.a(x))) + self.shortcut(x))

    class CifarResNet(nn.Module):
        def __init__(self, depth, num_classes=10):
            super().__init__()
            n = (depth - 2) // 6
            self.stem = nn.Sequential(*conv_bn_relu(3, 16))
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

    builders = {"small-vgg": lambda: SmallVgg(10), "resnet20": lambda: CifarResNet(20, 10)}

    def count_macs(model):
        """Multiply-accumulates of Conv2d and Linear for one 32x32x3 image (core/models/model-cost.ts's convention)."""
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
            model(torch.zeros(1, 3, 32, 32))
        for handle in handles:
            handle.remove()
        return total[0]

    def median_seconds(step, warmup, steps):
        for _ in range(warmup):
            step()
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def memory_format(name):
        return torch.channels_last if name == "channels_last" else torch.contiguous_format

    def measure_train(name, fmt, batch):
        torch.manual_seed(1)
        model = builders[name]().to(memory_format=memory_format(fmt))
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=args.weight_decay, nesterov=args.nesterov)
        x = torch.randn(batch, 3, 32, 32).contiguous(memory_format=memory_format(fmt))
        y = torch.randint(0, 10, (batch,))

        def step():
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()

        return batch / median_seconds(step, args.warmup, args.steps)

    def measure_infer(name, fmt, batch):
        torch.manual_seed(1)
        model = builders[name]().to(memory_format=memory_format(fmt))
        model.eval()
        x = torch.randn(batch, 3, 32, 32).contiguous(memory_format=memory_format(fmt))

        def step():
            with torch.inference_mode():
                model(x)

        return batch / median_seconds(step, args.warmup, args.steps)

    models = {}
    results = []
    formats = [f for f in args.formats.split(",") if f]
    for name in [m for m in args.models.split(",") if m]:
        model = builders[name]()
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        # Running mean and variance: tfjs counts its moving statistics as (non-trainable) weights too.
        buffers = sum(b.numel() for b in model.buffers() if b.is_floating_point())
        models[name] = {"trainable": trainable, "total": trainable + buffers, "macs": count_macs(model)}
        phases = args.phases.split(",")
        for fmt in formats:
            if "train" in phases:
                results.append({"model": name, "phase": "train", "batch": args.train_batch, "format": fmt,
                                "imagesPerSecond": measure_train(name, fmt, args.train_batch)})
            for batch in [int(b) for b in args.infer_batches.split(",") if b and "infer" in phases]:
                results.append({"model": name, "phase": "infer", "batch": batch, "format": fmt,
                                "imagesPerSecond": measure_infer(name, fmt, batch)})

    print(json.dumps({
        "available": True,
        "python": sys.executable,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "warmup": args.warmup,
        "steps": args.steps,
        "weightDecay": args.weight_decay,
        "nesterov": args.nesterov,
        "models": models,
        "results": results,
    }))


if __name__ == "__main__":
    main()
