"""CPU cost of Madry et al.'s MNIST adversarial training, measured on this machine with Debian's PyTorch.

    OMP_NUM_THREADS=1 /usr/bin/python3 madry_training_cost.py

The network of Madry et al. (ICLR 2018; MadryLab/mnist_challenge): conv 32@5x5 - pool - conv 64@5x5 - pool - fc 1024 - 10.
One training iteration: PGD-40 (step 0.01, eps 0.3, random start) on a batch of 50, then one Adam step on the
adversarials. The authors train 100,000 such iterations. Random inputs: the cost does not depend on the pixels.
"""
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(7 * 7 * 64, 1024), nn.ReLU(), nn.Linear(1024, 10))
optimizer = torch.optim.Adam(net.parameters(), 1e-4)
x = torch.rand(50, 1, 28, 28)
y = torch.randint(0, 10, (50,))


def iteration():
    delta = torch.rand_like(x) * 0.6 - 0.3
    for _ in range(40):
        delta.requires_grad_(True)
        loss = nn.functional.cross_entropy(net(torch.clamp(x + delta, 0, 1)), y)
        grad, = torch.autograd.grad(loss, delta)
        delta = torch.clamp(delta.detach() + 0.01 * grad.sign(), -0.3, 0.3)
    optimizer.zero_grad()
    nn.functional.cross_entropy(net(torch.clamp(x + delta, 0, 1)), y).backward()
    optimizer.step()


iteration()
cpu, wall = time.process_time(), time.time()
for _ in range(3):
    iteration()
cpu, wall = (time.process_time() - cpu) / 3, (time.time() - wall) / 3
print(f"one iteration (batch 50, PGD-40 + update): {cpu:.2f} CPU s, {wall:.2f} s wall")
print(f"one epoch of the 10,000 training images here: {cpu * 200 / 60:.1f} CPU min")
print(f"the authors' 100,000 iterations: {cpu * 100_000 / 3600:.0f} CPU h")
