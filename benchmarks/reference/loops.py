"""The hot loops of `neuralshield bench` written in plain PyTorch, at the same sizes and on the same architecture.

Used by side_by_side.py; runs on its own too:
    python3 loops.py [--device cpu|cuda] [--quick] [--repetitions N] [--json FILE]

Every loop mirrors the bare TorchSharp side of src/NeuralShield.Workloads/:
  fgsm        one FGSM L-inf step (eps 0.3) on LeNet-5, batch 1,000
  pgd-40      PGD-40 L-inf (eps 0.3, alpha 0.01, no random start) on LeNet-5, batch 1,000
  jsma-f      one plain batched JSMA-F iteration on LeNet-5, batch 100: both gradients, every pair of the
              784 x 784 matrix scored (ten samples at a time), the best pair set to the bound
  train-epoch one epoch of Adam (lr 1e-3) over 2,048 samples in batches of 128, seeded permutation
One intra-op and one inter-op thread unless told otherwise.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

QUICK = dict(attack_batch=8, jsma_batch=4, train_samples=64, train_batch=16)
FULL = dict(attack_batch=1000, jsma_batch=100, train_samples=2048, train_batch=128)
JSMA_CHUNK = 10


def lenet5(seed=0):
    """ModelZoo.LeNet5: conv 6@5x5 pad 2, ReLU, max-pool, conv 16@5x5, ReLU, max-pool, fc 120-84-10 with ReLU."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def images(n, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 1, 28, 28, generator=g) * scale).to(device)


def labels(n, device, seed=2):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 10, (n,), generator=g).to(device)


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


class GradientDescent:
    def __init__(self, device, batch, steps):
        self.device, self.steps = device, steps
        self.model = lenet5().to(device).eval()
        self.x, self.y = images(batch, device), labels(batch, device)
        self.eps = 0.3
        self.alpha = self.eps if steps == 1 else 0.01

    def __call__(self):
        x0, x = self.x, self.x.clone()
        for _ in range(self.steps):
            leaf = x.detach().requires_grad_(True)
            loss = F.cross_entropy(self.model(leaf), self.y, reduction='sum')
            grad, = torch.autograd.grad(loss, leaf)
            with torch.no_grad():
                x = torch.min(torch.max(x + self.alpha * grad.sign(), x0 - self.eps), x0 + self.eps).clamp(0, 1)
        sync(self.device)


class JsmaIteration:
    def __init__(self, device, batch):
        self.device = device
        self.model = lenet5().to(device).eval()
        self.x, self.t = images(batch, device, scale=0.5), labels(batch, device)

    def __call__(self):
        b, n = self.x.shape[0], 784
        leaf = self.x.detach().requires_grad_(True)
        logits = self.model(leaf)
        f = logits.softmax(1)
        target = f.gather(1, self.t.unsqueeze(1)).sum()
        gt, = torch.autograd.grad(target, leaf, retain_graph=True)
        ga, = torch.autograd.grad(f.sum(), leaf)
        with torch.no_grad():
            reached = logits.argmax(1).eq(self.t)
            a, o = gt.view(b, n), (ga - gt).view(b, n)
            x = self.x.view(b, n).clone()
            domain = x.lt(1)
            off_diagonal = ~torch.eye(n, dtype=torch.bool, device=x.device)
            for s0 in range(0, b, JSMA_CHUNK):
                c = min(JSMA_CHUNK, b - s0)
                ac, oc, d = a[s0:s0 + c], o[s0:s0 + c], domain[s0:s0 + c]
                alpha = ac.unsqueeze(2) + ac.unsqueeze(1)
                beta = oc.unsqueeze(2) + oc.unsqueeze(1)
                admissible = (alpha > 0) & (beta < 0) & (d.unsqueeze(2) & d.unsqueeze(1)) & off_diagonal
                score = (-(alpha * beta)).masked_fill_(~admissible, 0)
                best = score.view(c, n * n).argmax(1)
                p, q = torch.div(best, n, rounding_mode='floor'), best % n
                rows = x[s0:s0 + c]
                one = torch.ones(c, 1, device=x.device)
                changed = rows.scatter(1, p.unsqueeze(1), one).scatter_(1, q.unsqueeze(1), one)
                rows.copy_(torch.where(reached[s0:s0 + c].unsqueeze(1), rows, changed))
        sync(self.device)


class TrainingEpoch:
    def __init__(self, device, samples, batch):
        self.device, self.batch = device, batch
        self.model = lenet5().to(device)
        g = torch.Generator().manual_seed(1)
        self.features = torch.rand(samples, 1, 28, 28, generator=g)
        self.labels = torch.randint(0, 10, (samples,), generator=g)

    def __call__(self):
        model = self.model
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        order = torch.randperm(len(self.labels), generator=torch.Generator().manual_seed(0))
        total = 0.0
        for start in range(0, len(order), self.batch):
            index = order[start:start + self.batch]
            x, y = self.features[index].to(self.device), self.labels[index].to(self.device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * x.shape[0]
        model.eval()
        sync(self.device)


def create(name, device, sizes):
    if name == 'fgsm':
        return GradientDescent(device, sizes['attack_batch'], 1)
    if name == 'pgd-40':
        return GradientDescent(device, sizes['attack_batch'], 40)
    if name == 'jsma-f':
        return JsmaIteration(device, sizes['jsma_batch'])
    if name == 'train-epoch':
        return TrainingEpoch(device, sizes['train_samples'], sizes['train_batch'])
    raise ValueError(name)


NAMES = ['fgsm', 'pgd-40', 'jsma-f', 'train-epoch']


def use_threads(threads):
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # fixed once parallel work has started


def measure(loop, warmup, repetitions):
    for _ in range(warmup):
        loop()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        loop()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repetitions', type=int, default=5)
    parser.add_argument('--json')
    args = parser.parse_args()
    use_threads(args.threads)
    device = torch.device(args.device)
    sizes = QUICK if args.quick else FULL
    results = []
    for name in NAMES:
        times = measure(create(name, device, sizes), args.warmup, args.repetitions)
        results.append(dict(name=name, pytorch_ms=times, pytorch_median_ms=statistics.median(times)))
        print(f"{name}: PyTorch {statistics.median(times):.1f} ms", flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(torch=torch.__version__, device=args.device, threads=args.threads, results=results), f, indent=2)


if __name__ == '__main__':
    main()
