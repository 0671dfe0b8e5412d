"""fra31/auto-attack run from its source on the weights and images NeuralShield exported, beside NeuralShield's own result.

    neuralshield reproduce autoattack --seed S --samples N [--variant model=pgd|distilled|plain]
        [--variant version=standard|apgd-ce|fab-t] --threads 1 --variant export=DIR
    git clone https://github.com/fra31/auto-attack /tmp/auto-attack     # never into this repository
    OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/reference/autoattack_reference.py DIR --autoattack /tmp/auto-attack
        [--version standard|no-fab|apgd-ce|fab-t|square] [--norm Linf|L2] [--eps 0.3] [--seed S] [--threads 1] [--json FILE]
    neuralshield reproduce square --variant model=plain|pgd|distilled [--variant norm=l2] --variant export=DIR ...
        (then --version square with the same --norm, --eps and --queries)

DIR holds what AutoAttackExperiment.Export writes: weights.json with one little-endian float32 file per parameter of
ModelZoo.LeNet5 (conv1, conv2, fc1, fc2, logits), images.f32 [N, 1, 28, 28], labels.i64 and results.json (NeuralShield's
robust accuracy after each member and its per-sample robust flags). The network is rebuilt here with the same layer
names and its clean accuracy is checked against NeuralShield's before anything is attacked.

Versions (all L-inf, batches of 250, AutoAttack's own settings; CPU, `--threads` intra-op threads):
  standard  AutoAttack(version='standard'): APGD-CE, APGD-T (9 targets), FAB-T (9 targets), Square (5,000 queries)
  no-fab    the same members without FAB-T, the library's standard ensemble
  apgd-ce   APGD-CE alone (100 iterations, 1 restart)
  fab-t     FAB-T alone (9 targets, 100 iterations, 1 run each) on the correctly classified points
  square    SquareAttack alone (p_init 0.8, `--queries` per sample including the initial one, `--norm` Linf or L2) on the
            correctly classified points: success rate and the median queries of the successes, for `reproduce square`
Give the reproduction's --seed: AutoAttack seeds torch's CPU generator with it before each batch of 250, as the library
seeds its generator, so APGD's random starts are the same numbers on both sides (APGD-CE then agrees sample by sample).
Each member runs on the points no earlier member broke, exactly as run_standard_evaluation does (same order, same
batches, the same seed per member), one member per call so that its time and robust accuracy are recorded separately.
Printed: clean accuracy, robust accuracy after each member (reference and NeuralShield), wall time of each, and the
per-sample agreement of the final robust flags.
"""
import argparse
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn


def lenet5():
    """ModelZoo.LeNet5 with its layer names, so that its state_dict keys are the exported ones."""
    return nn.Sequential(OrderedDict([
        ('conv1', nn.Conv2d(1, 6, 5, padding=2)), ('act1', nn.ReLU()), ('pool1', nn.MaxPool2d(2)),
        ('conv2', nn.Conv2d(6, 16, 5)), ('act2', nn.ReLU()), ('pool2', nn.MaxPool2d(2)),
        ('flatten', nn.Flatten()),
        ('fc1', nn.Linear(400, 120)), ('act3', nn.ReLU()),
        ('fc2', nn.Linear(120, 84)), ('act4', nn.ReLU()),
        ('logits', nn.Linear(84, 10))]))


def mlp_sigmoid():
    """ModelZoo.Mlp(784, [200, 200], 10, Sigmoid): the saturation reproduction's network, with its layer names."""
    return nn.Sequential(OrderedDict([
        ('flatten', nn.Flatten()),
        ('fc1', nn.Linear(784, 200)), ('act1', nn.Sigmoid()),
        ('fc2', nn.Linear(200, 200)), ('act2', nn.Sigmoid()),
        ('logits', nn.Linear(200, 10))]))


ARCHITECTURES = {'lenet5': lenet5, 'mlp-sigmoid': mlp_sigmoid}


def load(folder, architecture='lenet5'):
    with open(os.path.join(folder, 'weights.json')) as f:
        entries = json.load(f)
    state = {e['name']: torch.from_numpy(np.fromfile(os.path.join(folder, e['file']), dtype='<f4').reshape(e['shape']))
             for e in entries}
    model = ARCHITECTURES[architecture]()
    model.load_state_dict(state)
    model.eval()
    images = torch.from_numpy(np.fromfile(os.path.join(folder, 'images.f32'), dtype='<f4').reshape(-1, 1, 28, 28))
    labels = torch.from_numpy(np.fromfile(os.path.join(folder, 'labels.i64'), dtype='<i8'))
    with open(os.path.join(folder, 'results.json')) as f:
        ours = json.load(f)
    return model, images, labels, ours


MEMBERS = {'standard': ['apgd-ce', 'apgd-t', 'fab-t', 'square'], 'no-fab': ['apgd-ce', 'apgd-t', 'square'], 'apgd-ce': ['apgd-ce'],
           'fab-t': ['fab-t'], 'square': []}


def square_alone(model, x, y, args):
    """fra31's SquareAttack alone on the correctly classified points: success within the budget and its query counts."""
    from autoattack.square import SquareAttack
    with torch.no_grad():
        correct = model(x).argmax(1).eq(y).nonzero().squeeze(1)
    square = SquareAttack(model, p_init=.8, n_queries=args.queries - 1, eps=args.eps, norm=args.norm, n_restarts=1,
                          seed=args.seed, verbose=False, device='cpu', resc_schedule=False)
    queries, successes, total = [], [], 0.0
    for start in range(0, correct.numel(), args.bs):
        idx = correct[start:start + args.bs]
        square.init_hyperparam(x[idx])
        torch.random.manual_seed(args.seed)
        begin = time.perf_counter()
        n_queries, adv = square.attack_single_run(x[idx], y[idx])
        total += time.perf_counter() - begin
        with torch.no_grad():
            fooled = model(adv).argmax(1).ne(y[idx])
        if args.norm == 'L2':
            assert (adv - x[idx]).flatten(1).norm(dim=1).amax() <= args.eps + 1e-4
        else:
            assert (adv - x[idx]).abs().amax() <= args.eps + 1e-5
        queries.append(n_queries[fooled])
        successes.append(fooled)
    fooled = torch.cat(successes)
    q = torch.cat(queries).double()
    result = dict(attacked=correct.numel(), success=fooled.float().mean().item(), median_queries=float(np.median(q.numpy())) if q.numel() else None,
                  mean_queries=q.mean().item() if q.numel() else None, max_queries=int(q.max().item()) if q.numel() else None, seconds=total)
    print(f'reference Square {args.norm}: success {result["success"]:.4f} of {result["attacked"]}, median queries {result["median_queries"]}, '
          f'mean {result["mean_queries"]}, {total:.1f} s')
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('folder')
    parser.add_argument('--autoattack', required=True, help='a checkout of fra31/auto-attack (outside this repository)')
    parser.add_argument('--version', default='standard', choices=sorted(MEMBERS))
    parser.add_argument('--eps', type=float, default=0.3)
    parser.add_argument('--norm', default='Linf', choices=['Linf', 'L2'], help='square: the ball (the other versions are L-inf)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--bs', type=int, default=250)
    parser.add_argument('--queries', type=int, default=5001, help='square: the budget per sample, the initial query included')
    parser.add_argument('--json')
    parser.add_argument('--architecture', default='lenet5', choices=sorted(ARCHITECTURES),
                        help='the exported network: LeNet-5, or the sigmoid MLP of reproduce autoattack --variant model=saturated')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    sys.path.insert(0, args.autoattack)
    from autoattack import AutoAttack

    model, x, y, ours = load(args.folder, args.architecture)
    with torch.no_grad():
        clean = model(x).argmax(1).eq(y)
    print(f'clean accuracy {clean.float().mean():.4f} (NeuralShield {ours["clean"]:.4f})')
    if int(clean.sum()) != round(ours['clean'] * len(y)):
        raise SystemExit('the rebuilt network does not classify as NeuralShield does: wrong export?')

    if args.version == 'square':
        result = square_alone(model, x, y, args)
        if 'success' in ours:
            print(f'NeuralShield Square {ours.get("norm")}: success {ours["success"]:.4f}, median queries {ours["median_queries"]}, '
                  f'mean {ours["mean_queries"]}, {ours["seconds"]:.1f} s')
        if args.json:
            with open(args.json, 'w') as f:
                json.dump(dict(version='square', norm=args.norm, eps=args.eps, seed=args.seed, queries=args.queries, threads=args.threads, **result), f, indent=1)
        return

    adversary = AutoAttack(model, norm='Linf', eps=args.eps, version='standard', device='cpu', seed=args.seed, verbose=False)
    robust = clean.clone()
    rows = []
    total = total_cpu = 0.0
    for member in MEMBERS[args.version]:
        idx = robust.nonzero().squeeze(1)
        if idx.numel() == 0:
            rows.append(dict(attack=member, robust=0.0, seconds=0.0))
            continue
        adversary.attacks_to_run = [member]
        start, cpu_start = time.perf_counter(), time.process_time()
        adv = adversary.run_standard_evaluation(x[idx], y[idx], bs=args.bs)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        total += seconds
        total_cpu += cpu
        with torch.no_grad():
            still = model(adv).argmax(1).eq(y[idx])
        assert (adv - x[idx]).abs().amax() <= args.eps + 1e-5
        robust[idx] = still
        rows.append(dict(attack=member, robust=robust.float().mean().item(), seconds=seconds, cpu_seconds=cpu))
        print(f'after {member:8s} robust accuracy {robust.float().mean():.4f} ({seconds:.1f} s wall, {cpu:.1f} s CPU)', flush=True)

    flags = torch.tensor(ours['robust_flags'])
    agree = (flags == robust).float().mean().item()
    print(f'reference robust accuracy {robust.float().mean():.4f} in {total:.1f} s wall, {total_cpu:.1f} s CPU; '
          f'NeuralShield {ours["robust"]:.4f} in {ours["seconds"]:.1f} s wall, {ours.get("cpu_seconds", float("nan")):.1f} s CPU')
    for r in ours['rows']:
        print(f'  NeuralShield after {r["attack"]:10s} {r["robust"]:.4f} ({r["seconds"]:.1f} s)')
    print(f'per-sample agreement of the final robust flags: {agree:.4f}; robust for the reference only: '
          f'{int((robust & ~flags).sum())}, for NeuralShield only: {int((flags & ~robust).sum())}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(version=args.version, eps=args.eps, seed=args.seed, threads=args.threads, samples=len(y),
                           clean=clean.float().mean().item(), reference=rows, reference_robust=robust.float().mean().item(),
                           reference_seconds=total, reference_cpu_seconds=total_cpu, neuralshield=ours['rows'],
                           neuralshield_cpu_seconds=ours.get('cpu_seconds'), neuralshield_robust=ours['robust'],
                           neuralshield_seconds=ours['seconds'], agreement=agree, torch=torch.__version__,
                           reference_robust_flags=robust.tolist()), f, indent=1)


if __name__ == '__main__':
    main()
