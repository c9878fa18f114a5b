#!/usr/bin/python3
"""train_fmnist.py - train the small Fashion-MNIST CNN and export float ONNX.

Run by hand (not by make); needs Debian's python3-torch, python3-onnx,
python3-numpy and dataset-fashion-mnist, and must run under /usr/bin/python3
(Debian's modules do not import under a pyenv python):

    /usr/bin/python3 scripts/models/train_fmnist.py            # -> models/fmnist_float.onnx

About 1-2 minutes of CPU on 2 cores for the default 3 epochs.

Network (input: pixel/255 as float, NCHW [N,1,28,28]; output: 10 logits):

    conv1  3x3 1->16 pad 1, ReLU      28x28
    pool1  MaxPool 2x2                14x14
    conv2  3x3 16->32 pad 1, ReLU     14x14
    pool2  MaxPool 2x2                 7x7   --+ skip
    conv3  3x3 32->32 pad 1, ReLU      7x7     |
    conv4  3x3 32->32 pad 1            7x7     |
    add    conv4 + pool2, ReLU         7x7  <--+   (ResNet basic block)
    gap    GlobalAveragePool           1x1
    flatten                            32
    fc     Gemm 32->10

BatchNorm follows every conv while training; it is folded into the conv
weights before export, so the ONNX graph has plain Conv nodes with bias.
Tensors and nodes are renamed to short readable names after export.
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.conv4 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.bn4 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        s = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        y = F.relu(self.bn3(self.conv3(s)))
        y = self.bn4(self.conv4(y))
        y = F.relu(y + s)
        y = F.adaptive_avg_pool2d(y, 1)
        y = torch.flatten(y, 1)
        return self.fc(y)


class Folded(nn.Module):
    """The same network with every BatchNorm folded into its conv."""

    def __init__(self, net):
        super().__init__()
        from torch.nn.utils.fusion import fuse_conv_bn_eval
        self.conv1 = fuse_conv_bn_eval(net.conv1, net.bn1)
        self.conv2 = fuse_conv_bn_eval(net.conv2, net.bn2)
        self.conv3 = fuse_conv_bn_eval(net.conv3, net.bn3)
        self.conv4 = fuse_conv_bn_eval(net.conv4, net.bn4)
        self.fc = net.fc

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        s = F.max_pool2d(F.relu(self.conv2(x)), 2)
        y = F.relu(self.conv3(s))
        y = self.conv4(y)
        y = F.relu(y + s)
        y = F.adaptive_avg_pool2d(y, 1)
        y = torch.flatten(y, 1)
        return self.fc(y)


def evaluate(model, x, y, bs=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            correct += (model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / len(x)


# Readable names for the exported graph, in node order.
NODE_NAMES = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3",
              "relu3", "conv4", "add", "relu4", "gap", "flatten", "fc"]


def rename_graph(model):
    """Rename nodes and intermediate tensors after the node that makes them."""
    g = model.graph
    ops = [n.op_type for n in g.node]
    expect = ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Conv",
              "Relu", "Conv", "Add", "Relu", "GlobalAveragePool", "Flatten",
              "Gemm"]
    if ops != expect:
        raise SystemExit(f"unexpected exported graph: {ops}")
    ren = {}
    for node, name in zip(g.node, NODE_NAMES):
        node.name = name
        for i, out in enumerate(node.output):
            if out not in (o.name for o in g.output):
                ren[out] = name + "_out"
    for node in g.node:
        node.input[:] = [ren.get(t, t) for t in node.input]
        node.output[:] = [ren.get(t, t) for t in node.output]
    for vi in g.value_info:
        vi.name = ren.get(vi.name, vi.name)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "fmnist_float.onnx"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)

    xtr, ytr = fmnist_data.load("train")
    xte, yte = fmnist_data.load("t10k")
    xtr = torch.from_numpy(xtr.astype(np.float32) / 255.0).unsqueeze(1)
    xte = torch.from_numpy(xte.astype(np.float32) / 255.0).unsqueeze(1)
    ytr = torch.from_numpy(ytr.astype(np.int64))
    yte = torch.from_numpy(yte.astype(np.int64))

    net = Net()
    print(f"params: {sum(p.numel() for p in net.parameters())}")
    bs = 128
    steps = args.epochs * ((len(xtr) + bs - 1) // bs)
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps)
    t0 = time.time()
    for ep in range(args.epochs):
        net.train()
        perm = torch.randperm(len(xtr))
        tot = 0.0
        for i in range(0, len(xtr), bs):
            idx = perm[i:i + bs]
            xb = xtr[idx]
            # light augmentation: random horizontal flip
            flip = torch.rand(len(idx)) < 0.5
            xb[flip] = xb[flip].flip(3)
            loss = F.cross_entropy(net(xb), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        acc = evaluate(net, xte, yte)
        print(f"epoch {ep + 1}: loss {tot / len(xtr):.4f} test acc {acc * 100:.2f}%"
              f" ({time.time() - t0:.0f} s)")

    net.eval()
    folded = Folded(net).eval()
    acc = evaluate(folded, xte, yte)
    print(f"float accuracy (BN folded): {acc * 100:.2f}%")

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(folded, dummy, args.out, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(args.out)
    m = rename_graph(m)
    m.producer_name = "layerfab train_fmnist.py"
    m.doc_string = (f"Fashion-MNIST CNN, float accuracy {acc * 100:.2f}% on the "
                    "10000 test images; input pixel/255")
    onnx.checker.check_model(m)
    onnx.save(m, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
