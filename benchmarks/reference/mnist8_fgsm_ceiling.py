"""How far FGSM can fool the ONNX model zoo's mnist-8 at all: its white-box rate and the best transfer rates.

    /usr/bin/python3 benchmarks/reference/mnist8_fgsm_ceiling.py [--data ../shared/data/mnist]
        [--model ../shared/models/mnist-8.onnx] [--seed 0] [--samples 10000] [--eps 0.3] [--models 4]
        [--epochs 10] [--threads 2] [--json out.json]

Needs python3-torch and python3-onnx (Debian 12), not the library. mnist-8 is a plain CNN (conv 8@5x5 same, ReLU,
max-pool 2, conv 16@5x5 same, ReLU, max-pool 3, linear 256->10); its weights are read from the .onnx file into the
same network in PyTorch, which makes a white-box attack on it possible. The port is checked against the file's
documented accuracy (98.90% on pixels/255) before anything is measured.

Measured, on `--samples` test images drawn at random by `--seed` (untargeted FGSM, true labels, pixels clipped to
[0, 1]; a success is a sample mnist-8 classifies wrongly afterwards, counted over all samples as the substitute
reproduction counts it):
  whitebox            FGSM computed on mnist-8 itself (the ceiling of any FGSM crafted elsewhere);
  transfer.<model>    FGSM computed on a network trained here on the 10,000 training images with their true labels
                      (LeNet-5 and mnist-8's own architecture, alternating, `--models` of them, seeds seed..seed+n-1);
  transfer.ensemble   FGSM on the mean log-probability of all of them (Liu et al. 2017: ensembles transfer best).
A substitute trained from 150 seeds and label-only queries agrees with the oracle less than any of these
fully trained networks, so these rates bound what `reproduce substitute --oracle mnist-8.onnx` can reach.
"""
import argparse
import gzip
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_idx(path):
    raw = gzip.open(path).read()
    if raw[3] == 3:
        n, rows, cols = np.frombuffer(raw[4:16], '>i4')
        return np.frombuffer(raw[16:], np.uint8).reshape(n, 1, rows, cols).astype(np.float32) / 255
    return np.frombuffer(raw[8:], np.uint8).astype(np.int64)


class Mnist8(nn.Module):
    """The zoo's mnist-8 graph (CNTK export) as a PyTorch module."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 5, padding=2)
        self.c2 = nn.Conv2d(8, 16, 5, padding=2)
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 3)
        return self.fc(x.flatten(1))

    @staticmethod
    def from_onnx(path):
        graph = onnx.load(path).graph
        ops = [node.op_type for node in graph.node]
        expected = ['Reshape', 'Conv', 'Add', 'Relu', 'MaxPool', 'Conv', 'Add', 'Relu', 'MaxPool', 'Reshape', 'MatMul', 'Add']
        if ops != expected:
            raise SystemExit(f'{path}: not the mnist-8 graph (operators {ops})')
        w = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
        net = Mnist8()
        with torch.no_grad():
            net.c1.weight.copy_(torch.tensor(w['Parameter5']))
            net.c1.bias.copy_(torch.tensor(w['Parameter6']).flatten())
            net.c2.weight.copy_(torch.tensor(w['Parameter87']))
            net.c2.bias.copy_(torch.tensor(w['Parameter88']).flatten())
            net.fc.weight.copy_(torch.tensor(w['Parameter193'].reshape(256, 10).T))
            net.fc.bias.copy_(torch.tensor(w['Parameter194']).flatten())
        return net.eval()


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(400, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2).flatten(1)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x)))))


class Ensemble(nn.Module):
    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x):
        return torch.stack([F.log_softmax(m(x), 1) for m in self.members]).mean(0)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(model, x, y, epochs, seed):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), 128):
            batch = order[start:start + 128]
            loss = F.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def fgsm(model, x, y, eps):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), y).backward()
    return (x + eps * x.grad.sign()).clamp(0, 1).detach()


def fooled(target, x, y):
    with torch.no_grad():
        return (target(x).argmax(1) != y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', default=os.path.join(ROOT, '..', 'shared', 'data', 'mnist'))
    parser.add_argument('--model', default=os.path.join(ROOT, '..', 'shared', 'models', 'mnist-8.onnx'))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--samples', type=int, default=10000)
    parser.add_argument('--eps', type=float, default=0.3)
    parser.add_argument('--models', type=int, default=4)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--json')
    args = parser.parse_args()
    if not 0 < args.samples <= 10000:
        parser.error('--samples must be in 1..10000')
    if args.models < 1:
        parser.error('--models must be at least 1')
    torch.set_num_threads(args.threads)

    x_train = torch.tensor(read_idx(os.path.join(args.data, 'train-first10k-images-idx3-ubyte.gz')))
    y_train = torch.tensor(read_idx(os.path.join(args.data, 'train-first10k-labels-idx1-ubyte.gz')))
    x_test = torch.tensor(read_idx(os.path.join(args.data, 't10k-images-idx3-ubyte.gz')))
    y_test = torch.tensor(read_idx(os.path.join(args.data, 't10k-labels-idx1-ubyte.gz')))

    oracle = Mnist8.from_onnx(args.model)
    oracle_accuracy = accuracy(oracle, x_test, y_test)
    if abs(oracle_accuracy - 0.9890) > 0.0005:
        raise SystemExit(f'the port of {args.model} classifies {oracle_accuracy:.4%} of the test set, not the documented 98.90%')

    pick = torch.tensor(np.random.RandomState(args.seed).permutation(len(x_test))[:args.samples])
    x, y = x_test[pick], y_test[pick]
    result = {'seed': args.seed, 'samples': args.samples, 'eps': args.eps, 'oracle_accuracy': oracle_accuracy,
              'whitebox': fooled(oracle, fgsm(oracle, x, y, args.eps), y)}
    members = []
    for i in range(args.models):
        seed = args.seed + i
        torch.manual_seed(seed)
        name, net = ('lenet5', LeNet5()) if i % 2 == 0 else ('mnist8_architecture', Mnist8())
        net = train(net, x_train, y_train, args.epochs, seed)
        members.append(net)
        result[f'transfer.{name}.{seed}'] = fooled(oracle, fgsm(net, x, y, args.eps), y)
        result[f'accuracy.{name}.{seed}'] = accuracy(net, x_test, y_test)
    if len(members) > 1:
        result['transfer.ensemble'] = fooled(oracle, fgsm(Ensemble(members).eval(), x, y, args.eps), y)
    for key, value in result.items():
        print(f'{key}: {value:.4f}' if isinstance(value, float) else f'{key}: {value}')
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(result, out, indent=2)


if __name__ == '__main__':
    main()
