#!/usr/bin/env python3
"""PyTorch side of `npm run bench:papers` (issue 21): the papers' protocol on a ResNet-20 with 1x1-conv shortcuts.

The network mirrors Pruneflow's zoo entry `resnet20-b` (core/models/resnet-cifar.ts, shortcut 'conv') layer for layer
and name for name: 3x3 convolutions padded as TensorFlow's 'same' (stride 2: one row and column after, none before),
BatchNorm2d(eps=1e-3, momentum=0.1) as Keras's defaults, option-B shortcuts (strided 1x1 convolution + batch norm).
Inputs are normalised by the training images' channel mean and population std (Pruneflow's channelStatistics).
The recipe is PyTorch's: SGD(momentum 0.9, nesterov) with weight_decay on every parameter, CosineAnnealingLR
stepped per epoch, random crop of the image zero-padded by 4 and horizontal flips.

Commands (each prints one JSON object as its last stdout line; progress goes to stderr):
  count                        parameters and MACs of the unpruned network (for the zoo's test)
  baseline --out DIR           train the baseline; DIR/baseline.pt (state dict), DIR/weights.json (tfjs names and
                               layouts, with logits of the first test images for the conversion check); where
                               DIR/baseline.pt exists, only the weights.json is written from it
  prune --baseline DIR         Torch-Pruning (from source, --tp-path) to a FLOPs cut with global ranking, then fine-tune
  finetune --model model.json  fine-tune a Pruneflow model (tfjs, any widths) with the same recipe: the parity row
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["count", "baseline", "prune", "finetune"])
    p.add_argument("--data", help="CIFAR-10 binary folder: data_batch_1.bin, test_batch.bin")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", help="baseline: folder to write")
    p.add_argument("--baseline", help="prune: folder with baseline.pt")
    p.add_argument("--model", help="finetune: a tfjs model.json")
    p.add_argument("--criterion", default="l1", choices=["l1", "lamp", "random", "bn-scale", "fpgm"])
    p.add_argument("--cut", type=float, default=0.5, help="share of FLOPs (MACs) to remove")
    p.add_argument("--tp-path", help="folder holding the torch_pruning package (its source)")
    p.add_argument("--check-images", type=int, default=32, help="baseline: test images whose logits are written")
    return p.parse_args()


def log(line):
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


class SameConv(nn.Conv2d):
    """A 3x3 convolution padded as TensorFlow's 'same': with stride 2, one row and column after, none before."""

    def __init__(self, cin, cout, stride=1):
        super().__init__(cin, cout, 3, stride, 1 if stride == 1 else 0, bias=False)

    def forward(self, x):
        return super().forward(F.pad(x, (0, 1, 0, 1)) if self.stride[0] == 2 else x)


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.1)


class Block(nn.Module):
    def __init__(self, cin, inner, cout, stride, projection):
        super().__init__()
        self.a_conv, self.a_bn = SameConv(cin, inner, stride), batch_norm(inner)
        self.b_conv, self.b_bn = SameConv(inner, cout), batch_norm(cout)
        self.shortcut_conv = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if projection else None
        self.shortcut_bn = batch_norm(cout) if projection else None

    def forward(self, x):
        y = self.b_bn(self.b_conv(F.relu(self.a_bn(self.a_conv(x)))))
        s = self.shortcut_bn(self.shortcut_conv(x)) if self.shortcut_conv is not None else x
        return F.relu(y + s)


class ResNetB(nn.Module):
    """widths: {'stem': c, 'stageS_blockB_a': c, 'stageS': c (residual width)}; the published widths when absent."""

    def __init__(self, depth=20, channels=3, num_classes=10, widths=None):
        super().__init__()
        n = (depth - 2) // 6
        w = widths or {}
        stem = w.get("stem", 16)
        self.stem_conv, self.stem_bn = SameConv(channels, stem), batch_norm(stem)
        self.names, blocks, cin = [], [], stem
        for s, filters in enumerate([16, 32, 64]):
            out = w.get(f"stage{s + 1}", filters)
            for b in range(n):
                name = f"stage{s + 1}_block{b + 1}"
                stride = 2 if s > 0 and b == 0 else 1
                blocks.append(Block(cin, w.get(f"{name}_a", filters), out, stride, stride != 1 or cin != out if widths is None else f"{name}_shortcut" in w))
                self.names.append(name)
                cin = out
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = F.relu(self.stem_bn(self.stem_conv(x)))
        for block in self.blocks:
            x = block(x)
        return self.fc(x.mean(dim=(2, 3)))

    def named_layers(self):
        """(tfjs layer name, module) for every layer with weights."""
        yield "stem_conv", self.stem_conv
        yield "stem_bn", self.stem_bn
        for name, block in zip(self.names, self.blocks):
            for part in ["a_conv", "a_bn", "b_conv", "b_bn", "shortcut_conv", "shortcut_bn"]:
                module = getattr(block, part)
                if module is not None:
                    yield f"{name}_{part}", module
        yield "fc", self.fc


def tfjs_layout(model):
    """Weights by tfjs layer name in tfjs layouts: kernels HWIO, dense [in, out], batch norm gamma/beta/mean/var."""
    layers = {}
    for name, m in model.named_layers():
        if isinstance(m, nn.Conv2d):
            ws = [m.weight.detach().permute(2, 3, 1, 0)]
        elif isinstance(m, nn.BatchNorm2d):
            ws = [m.weight.detach(), m.bias.detach(), m.running_mean, m.running_var]
        else:
            ws = [m.weight.detach().t(), m.bias.detach()]
        layers[name] = [{"shape": list(w.shape), "data": w.contiguous().view(-1).tolist()} for w in ws]
    return layers


def from_tfjs(path):
    """A ResNetB with the widths and weights of a Pruneflow tfjs export (model.json + weight shards)."""
    folder = os.path.dirname(path)
    W = {}
    for group in json.load(open(path))["weightsManifest"]:
        blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            n = int(np.prod(spec["shape"])) if spec["shape"] else 1
            W[spec["name"]] = torch.from_numpy(np.frombuffer(blob, dtype=np.float32, count=n, offset=offset).reshape(spec["shape"]).copy())
            offset += 4 * n
    widths = {"stem": W["stem_conv/kernel"].shape[3]}
    s = 1
    while f"stage{s}_block1_a_conv/kernel" in W:
        b = 1
        while f"stage{s}_block{b}_a_conv/kernel" in W:
            name = f"stage{s}_block{b}"
            widths[f"{name}_a"] = W[f"{name}_a_conv/kernel"].shape[3]
            widths[f"stage{s}"] = W[f"{name}_b_conv/kernel"].shape[3]
            if f"{name}_shortcut_conv/kernel" in W:
                widths[f"{name}_shortcut"] = 1
            b += 1
        s += 1
    model = ResNetB(depth=6 * (b - 1) + 2, channels=W["stem_conv/kernel"].shape[2], num_classes=W["fc/bias"].shape[0], widths=widths)
    for name, m in model.named_layers():
        if isinstance(m, nn.Conv2d):
            m.weight.data = W[f"{name}/kernel"].permute(3, 2, 0, 1).contiguous()
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data, m.bias.data = W[f"{name}/gamma"].clone(), W[f"{name}/beta"].clone()
            m.running_mean.data, m.running_var.data = W[f"{name}/moving_mean"].clone(), W[f"{name}/moving_variance"].clone()
        else:
            m.weight.data, m.bias.data = W[f"{name}/kernel"].t().contiguous(), W[f"{name}/bias"].clone()
    return model


def count(model, channels=3, size=32):
    """Trainable parameters and multiply-accumulates of Conv2d and Linear for one image (Pruneflow's countFlops)."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total[0] += output[0].numel() * kh * kw * module.in_channels // module.groups
        else:
            total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, channels, size, size))
    model.train(was_training)
    for h in handles:
        h.remove()
    return sum(p.numel() for p in model.parameters() if p.requires_grad), total[0]


class Data:
    def __init__(self, folder):
        def read(path):
            raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
            return torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy()), torch.from_numpy(raw[:, 0].astype(np.int64))

        self.train_x, self.train_y = read(os.path.join(folder, "data_batch_1.bin"))
        self.test_x, self.test_y = read(os.path.join(folder, "test_batch.bin"))
        pix = self.train_x.double().div(255)
        mean = pix.mean(dim=(0, 2, 3))
        std = ((pix ** 2).mean(dim=(0, 2, 3)) - mean ** 2).sqrt()
        self.mean, self.std = mean.float().view(1, 3, 1, 1), std.float().view(1, 3, 1, 1)

    def norm(self, x):
        return (x.float().div(255) - self.mean) / self.std

    def augment(self, images):
        padded = F.pad(images, (4, 4, 4, 4))
        out = torch.empty_like(images)
        shifts = torch.randint(0, 9, (images.shape[0], 2))
        flips = torch.rand(images.shape[0]) < 0.5
        for i in range(images.shape[0]):
            dy, dx = int(shifts[i, 0]), int(shifts[i, 1])
            crop = padded[i, :, dy:dy + 32, dx:dx + 32]
            out[i] = crop.flip(2) if flips[i] else crop
        return out

    def accuracy(self, model):
        model.eval()
        correct = 0
        with torch.no_grad():
            for s in range(0, self.test_x.shape[0], 500):
                correct += int((model(self.norm(self.test_x[s:s + 500])).argmax(1) == self.test_y[s:s + 500]).sum())
        return correct / self.test_x.shape[0]


def fit(model, data, args, lr, stage):
    """PyTorch's recipe; returns seconds per epoch."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, args.epochs))
    started = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(data.train_x.shape[0])
        for s in range(0, data.train_x.shape[0], args.batch):
            i = order[s:s + args.batch]
            loss = F.cross_entropy(model(data.norm(data.augment(data.train_x[i]))), data.train_y[i])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
        log(f"{stage} epoch {epoch + 1}/{args.epochs}: loss {loss.item():.3f}")
    return (time.perf_counter() - started) / max(1, args.epochs)


def importance(tp, criterion):
    return {
        "l1": lambda: tp.importance.MagnitudeImportance(p=1),
        "lamp": lambda: tp.importance.LAMPImportance(p=2),
        "random": lambda: tp.importance.RandomImportance(),
        "bn-scale": lambda: tp.importance.BNScaleImportance(),
        "fpgm": lambda: tp.importance.FPGMImportance(),
    }[criterion]()


def prune_to_flops(tp, base, criterion, cut, seed):
    """Global pruning with Torch-Pruning's defaults, its channel ratio bisected until MACs fall by `cut` (within 0.5%)."""
    _, base_macs = count(base)
    example = torch.zeros(1, 3, 32, 32)

    def attempt(ratio):
        torch.manual_seed(seed)
        model = copy.deepcopy(base)
        pruner = tp.pruner.MetaPruner(model, example, importance=importance(tp, criterion), pruning_ratio=ratio, global_pruning=True, ignored_layers=[model.fc])
        pruner.step()
        return model, 1 - count(model)[1] / base_macs

    lo, hi, best = 0.0, 0.95, None
    for _ in range(20):
        mid = (lo + hi) / 2
        model, achieved = attempt(mid)
        if best is None or abs(achieved - cut) < abs(best[1] - cut):
            best = (model, achieved, mid)
        if abs(achieved - cut) < 0.005:
            break
        lo, hi = (mid, hi) if achieved < cut else (lo, mid)
    return best


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.command == "count":
        params, macs = count(ResNetB())
        print(json.dumps({"parameters": params, "macs": macs}))
        return
    data = Data(args.data)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "trainImages": int(data.train_x.shape[0]), "testImages": int(data.test_x.shape[0])}
    if args.command == "baseline":
        model = ResNetB()
        trained = os.path.join(args.out, "baseline.pt")
        if os.path.exists(trained):
            # A fresh clone has the committed state dict but not weights.json (git-ignored): convert, do not retrain.
            model.load_state_dict(torch.load(trained))
            per_epoch = None
        else:
            per_epoch = fit(model, data, args, args.lr, "baseline")
        model.eval()
        with torch.no_grad():
            logits = model(data.norm(data.test_x[: args.check_images]))
        os.makedirs(args.out, exist_ok=True)
        if per_epoch is not None:
            torch.save(model.state_dict(), trained)
        params, macs = count(model)
        result.update({"accuracy": data.accuracy(model), "parameters": params, "macs": macs, "secondsPerEpoch": per_epoch})
        with open(os.path.join(args.out, "weights.json.partial"), "w") as out:
            json.dump({**result, "layers": tfjs_layout(model), "checkLogits": logits.tolist()}, out)
        os.replace(os.path.join(args.out, "weights.json.partial"), os.path.join(args.out, "weights.json"))
    elif args.command == "prune":
        sys.path.insert(0, args.tp_path)
        import torch_pruning as tp

        base = ResNetB()
        base.load_state_dict(torch.load(os.path.join(args.baseline, "baseline.pt")))
        base_params, base_macs = count(base)
        model, achieved, ratio = prune_to_flops(tp, base, args.criterion, args.cut, args.seed)
        prune_only = data.accuracy(model)
        torch.manual_seed(args.seed)
        per_epoch = fit(model, data, args, args.lr, f"Torch-Pruning {args.criterion}")
        params, macs = count(model)
        widths = {name: m.out_channels for name, m in model.named_layers() if isinstance(m, nn.Conv2d)}
        result.update({"torchPruning": getattr(tp, "__version__", "?"), "baselineAccuracy": data.accuracy(base), "pruneOnlyAccuracy": prune_only, "accuracy": data.accuracy(model),
                       "parameters": params, "baselineParameters": base_params, "macs": macs, "baselineMacs": base_macs, "channelRatio": ratio, "widths": widths,
                       "secondsPerEpoch": per_epoch})
    else:
        model = from_tfjs(args.model)
        before = data.accuracy(model)
        per_epoch = fit(model, data, args, args.lr, "parity fine-tune")
        params, macs = count(model)
        result.update({"before": before, "accuracy": data.accuracy(model), "parameters": params, "macs": macs, "secondsPerEpoch": per_epoch})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
