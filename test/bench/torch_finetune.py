#!/usr/bin/env python3
"""Fine-tunes a Pruneflow CIFAR ResNet exported as tfjs (model.json + shards, any widths) with PyTorch's recipe.

SGD(momentum 0.9, nesterov), weight_decay on every parameter, CosineAnnealingLR(T_max=epochs) stepped per
epoch, batch 128, random crop (zero padding 4, before normalisation) + horizontal flip, inputs normalised by
the training images' channel mean and population std (as Pruneflow's channelStatistics), BatchNorm2d(eps=1e-3,
momentum=0.1). Prints one JSON line: test accuracy before and after fine-tuning.

Used for the side-by-side check of issue 21 (the same pruned network fine-tuned by both engines), e.g. after
`pruneflow prune ... --fine-tune-epochs 0 --export pruned/`:
  python test/bench/torch_finetune.py --model pruned/model.json --data path/to/cifar-10-batches-bin --epochs 3
against
  pruneflow train --model pruned/model.json --data path/to/cifar-10-batches-bin --epochs 3 --optimizer sgd --nesterov
    --weight-decay 5e-4 --lr 0.01 --lr-schedule-every epoch --batch-size 128 --out tuned/
Reads data_batch_1.bin and test_batch.bin (CIFAR-10 binary records) from --data. The network mirrors
core/models/resnet-cifar.ts (option-A shortcuts, TensorFlow's 'same' padding), widths taken from the weights.
"""
import argparse, json, math, os, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--data", required=True)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--lr", type=float, default=0.01)
p.add_argument("--wd", type=float, default=5e-4)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--threads", type=int, default=1)
args = p.parse_args()
torch.manual_seed(args.seed); np.random.seed(args.seed); torch.set_num_threads(args.threads)

def read(path):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    return torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy()), torch.from_numpy(raw[:, 0].astype(np.int64))
train_x, train_y = read(os.path.join(args.data, "data_batch_1.bin"))
test_x, test_y = read(os.path.join(args.data, "test_batch.bin"))
pix = train_x.double().div(255)
mean = pix.mean(dim=(0, 2, 3)); std = ((pix ** 2).mean(dim=(0, 2, 3)) - mean ** 2).sqrt()
mean, std = mean.float().view(1, 3, 1, 1), std.float().view(1, 3, 1, 1)
norm = lambda x: (x.float().div(255) - mean) / std

def augment(images):
    padded = F.pad(images, (4, 4, 4, 4))
    out = torch.empty_like(images)
    shifts = torch.randint(0, 9, (images.shape[0], 2)); flips = torch.rand(images.shape[0]) < 0.5
    for i in range(images.shape[0]):
        dy, dx = int(shifts[i, 0]), int(shifts[i, 1])
        crop = padded[i, :, dy:dy + 32, dx:dx + 32]
        out[i] = crop.flip(2) if flips[i] else crop
    return out

# tfjs weights by name
folder = os.path.dirname(args.model)
manifest = json.load(open(args.model))["weightsManifest"]
W = {}
for group in manifest:
    blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
    offset = 0
    for spec in group["weights"]:
        n = int(np.prod(spec["shape"])) if spec["shape"] else 1
        W[spec["name"]] = torch.from_numpy(np.frombuffer(blob, dtype=np.float32, count=n, offset=offset).reshape(spec["shape"]).copy())
        offset += 4 * n

class SameConv(nn.Conv2d):
    def __init__(self, cin, cout, stride=1):
        super().__init__(cin, cout, 3, stride, 1 if stride == 1 else 0, bias=False)
    def forward(self, x):
        return super().forward(F.pad(x, (0, 1, 0, 1)) if self.stride[0] == 2 else x)

def conv(name, stride=1):
    k = W[f"{name}/kernel"]
    m = SameConv(k.shape[2], k.shape[3], stride)
    m.weight.data = k.permute(3, 2, 0, 1).contiguous()
    return m

def bn(name):
    g = W[f"{name}/gamma"]
    m = nn.BatchNorm2d(g.shape[0], eps=1e-3, momentum=0.1)
    m.weight.data, m.bias.data = g.clone(), W[f"{name}/beta"].clone()
    m.running_mean.data, m.running_var.data = W[f"{name}/moving_mean"].clone(), W[f"{name}/moving_variance"].clone()
    return m

class Block(nn.Module):
    def __init__(self, name, stride):
        super().__init__()
        self.a_conv, self.a_bn, self.b_conv, self.b_bn = conv(f"{name}_a_conv", stride), bn(f"{name}_a_bn"), conv(f"{name}_b_conv"), bn(f"{name}_b_bn")
        self.stride, self.out = stride, self.b_conv.out_channels
    def forward(self, x):
        y = self.b_bn(self.b_conv(F.relu(self.a_bn(self.a_conv(x)))))
        s = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if s.shape[1] < self.out:
            s = F.pad(s, (0, 0, 0, 0, 0, self.out - s.shape[1]))
        return F.relu(y + s)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem_conv, self.stem_bn = conv("stem_conv"), bn("stem_bn")
        blocks = []
        for s in range(1, 4):
            b = 1
            while f"stage{s}_block{b}_a_conv/kernel" in W:
                blocks.append(Block(f"stage{s}_block{b}", 2 if s > 1 and b == 1 else 1)); b += 1
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(*W["fc/kernel"].shape)
        self.fc.weight.data, self.fc.bias.data = W["fc/kernel"].t().contiguous(), W["fc/bias"].clone()
    def forward(self, x):
        x = self.blocks(F.relu(self.stem_bn(self.stem_conv(x))))
        return self.fc(x.mean(dim=(2, 3)))

def accuracy(model):
    model.eval(); correct = 0
    with torch.no_grad():
        for s in range(0, test_x.shape[0], 500):
            correct += int((model(norm(test_x[s:s + 500])).argmax(1) == test_y[s:s + 500]).sum())
    return correct / test_x.shape[0]

model = Net()
before = accuracy(model)
opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
started = time.time()
for epoch in range(args.epochs):
    model.train(); order = torch.randperm(train_x.shape[0])
    for s in range(0, train_x.shape[0], args.batch):
        i = order[s:s + args.batch]
        loss = F.cross_entropy(model(norm(augment(train_x[i]))), train_y[i])
        opt.zero_grad(); loss.backward(); opt.step()
    sched.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test {accuracy(model):.4f}", file=sys.stderr, flush=True)
print(json.dumps({"before": before, "after": accuracy(model), "seconds": time.time() - started, "torch": torch.__version__}))
