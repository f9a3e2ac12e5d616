"""PyTorch's answer for test/core/train/fit-torch.test.ts: the same small network trained by torch.optim.SGD.

Reads a JSON file (argument 1) with the network's starting weights in tfjs layouts, the normalised images
(N x H x W x C), labels, the batches of every epoch as index lists and the recipe; trains with
torch.optim.SGD(momentum, nesterov, weight_decay) and CosineAnnealingLR stepped per epoch or per batch, with
BatchNorm2d(eps=1e-3, momentum=1 - Keras momentum); writes the trained weights in tfjs layouts to argument 2.

The network: conv 3x3 'same' with bias -> batch norm -> ReLU -> global average pool -> dense.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, channels, filters, classes, bn_momentum):
        super().__init__()
        self.conv = nn.Conv2d(channels, filters, 3, padding=1, bias=True)
        self.bn = nn.BatchNorm2d(filters, eps=1e-3, momentum=bn_momentum)
        self.fc = nn.Linear(filters, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(x.mean(dim=(2, 3)))


def tensor(entry):
    return torch.tensor(entry["data"], dtype=torch.float64 if entry.get("float64") else torch.float32).reshape(entry["shape"])


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch.manual_seed(0)
    w = {name: [tensor(t) for t in ts] for name, ts in spec["weights"].items()}
    kernel = w["conv"][0]  # HWIO
    net = Net(kernel.shape[2], kernel.shape[3], w["fc"][0].shape[1], 1 - spec["batchNormMomentum"])
    with torch.no_grad():
        net.conv.weight.copy_(kernel.permute(3, 2, 0, 1))
        net.conv.bias.copy_(w["conv"][1])
        net.bn.weight.copy_(w["bn"][0])
        net.bn.bias.copy_(w["bn"][1])
        net.bn.running_mean.copy_(w["bn"][2])
        net.bn.running_var.copy_(w["bn"][3])
        net.fc.weight.copy_(w["fc"][0].t())
        net.fc.bias.copy_(w["fc"][1])

    images = tensor(spec["images"]).permute(0, 3, 1, 2).contiguous()
    labels = torch.tensor(spec["labels"], dtype=torch.int64)
    decay = spec["weightDecay"]
    if spec["weightDecayOn"] == "all":
        groups = [{"params": list(net.parameters()), "weight_decay": decay}]
    else:  # kernels only: conv and dense weights, not biases or batch-norm scales and shifts
        kernels = [net.conv.weight, net.fc.weight]
        others = [p for p in net.parameters() if all(p is not k for k in kernels)]
        groups = [{"params": kernels, "weight_decay": decay}, {"params": others, "weight_decay": 0.0}]
    optimizer = torch.optim.SGD(groups, lr=spec["learningRate"], momentum=0.9, nesterov=spec["nesterov"])
    epochs = spec["batches"]
    per_epoch = spec["scheduleEvery"] == "epoch"
    total = len(epochs) if per_epoch else sum(len(batches) for batches in epochs)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    net.train()
    losses = []
    for batches in epochs:
        for indices in batches:
            index = torch.tensor(indices, dtype=torch.int64)
            loss = F.cross_entropy(net(images[index]), labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
            if not per_epoch:
                scheduler.step()
        if per_epoch:
            scheduler.step()

    def out(t):
        return {"shape": list(t.shape), "data": t.detach().contiguous().view(-1).tolist()}

    result = {
        "losses": losses,
        "weights": {
            "conv": [out(net.conv.weight.permute(2, 3, 1, 0)), out(net.conv.bias)],
            "bn": [out(net.bn.weight), out(net.bn.bias), out(net.bn.running_mean), out(net.bn.running_var)],
            "fc": [out(net.fc.weight.t()), out(net.fc.bias)],
        },
    }
    with open(sys.argv[2], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
