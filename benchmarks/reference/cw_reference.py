"""Carlini-Wagner L2 in plain PyTorch, from the paper and the authors' code (carlini/nn_robust_attacks, l2_attack.py),
run on the weights and images NeuralShield exported, beside NeuralShield's own result.

    neuralshield reproduce cw --seed S --samples N [--variant model=plain|distilled|pgd] [--variant goal=untargeted|targeted]
        --threads 1 --variant export=DIR
    OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/reference/cw_reference.py DIR [--abort batch|sample] [--threads 1] [--json FILE]

DIR holds what CarliniWagnerExperiment writes (ReferenceExport): weights.json and one little-endian float32 file per
parameter of ModelZoo.LeNet5, images.f32 [N, 1, 28, 28], labels.i64, targets.i64 and results.json (NeuralShield's settings,
success rate, mean and median L2 and per-sample success flags and L2 distances).

The authors' algorithm, with the settings read from results.json (their MNIST run: kappa 0, c0 1e-3, 9 binary-search
steps of 1,000 Adam iterations at lr 1e-2, early abort), in batches of the same size:
  x' = half * tanh(w + delta) + centre with w = atanh((x - centre) / half * 0.999999), box [0, 1] (half = centre = 0.5);
  loss = sum ||x' - x||^2 + c * max(Z_y - max_{j != y} Z_j + kappa, 0) (untargeted) or max(max_{j != t} Z_j - Z_t + kappa, 0)
  (targeted), Adam from delta = 0 (state reset at each binary-search step); the best x' per sample that met the goal with
  margin kappa is kept; c: x10 until the first success, then bisection.
Early abort every max_iterations/10 iterations when the loss did not fall by 0.01% since the last check: `--abort batch`
(the authors' code: the batch's summed loss, the whole batch stops) or `--abort sample` (each sample stops on its own
loss, as NeuralShield does, so that a sample's result does not depend on the others in its batch).
Printed: clean accuracy, success rate and mean/median L2 over the correctly classified images for the reference and
NeuralShield, their ratio, wall and CPU time of each, and the per-sample agreement of the success flags.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autoattack_reference import load  # noqa: E402  (the same LeNet-5 rebuild and export format)


def gain(logits, labels, targeted):
    """max_{j != y} Z_j - Z_y (untargeted) or Z_t - max_{j != t} Z_j (targeted), per sample."""
    own = logits.gather(1, labels[:, None]).squeeze(1)
    others = logits.scatter(1, labels[:, None], float('-inf')).amax(1)
    return own - others if targeted else others - own


def cw_batch(model, x, labels, targeted, s, abort):
    n = x.shape[0]
    half = centre = 0.5
    w0 = torch.atanh(((x - centre) / half).clamp(-1, 1) * 0.999999)
    lower = torch.zeros(n, dtype=torch.float64)
    upper = torch.full((n,), 1e10, dtype=torch.float64)
    c = torch.full((n,), s['initial_const'], dtype=torch.float64)
    best_l2 = torch.full((n,), float('inf'))
    best = x.clone()
    kappa = s['confidence']
    steps = s['max_iterations']
    check = max(steps // 10, 1)
    for _ in range(s['binary_search_steps']):
        delta = torch.zeros_like(x, requires_grad=True)
        optimiser = torch.optim.Adam([delta], lr=s['learning_rate'])
        weight = c.float()
        active = torch.ones(n, dtype=torch.bool)
        step_success = torch.zeros(n, dtype=torch.bool)
        prev_sample = torch.full((n,), float('inf'))
        prev_batch = 1e6
        for i in range(steps):
            adv = torch.tanh(w0 + delta) * half + centre
            logits = model(adv)
            l2 = (adv - x).pow(2).flatten(1).sum(1)
            g = gain(logits, labels, targeted)
            per_sample = l2 + weight * (kappa - g).clamp(min=0)
            loss = per_sample.sum()
            with torch.no_grad():
                success = g.gt(kappa) & active
                improved = success & l2.lt(best_l2)
                best_l2 = torch.where(improved, l2, best_l2)
                best[improved] = adv[improved]
                step_success |= success
                if s['abort_early'] and i % check == 0:
                    if abort == 'batch':
                        if loss.item() > prev_batch * 0.9999:
                            break
                        prev_batch = loss.item()
                    else:
                        active &= per_sample.le(prev_sample * 0.9999)
                        prev_sample = per_sample.detach().clone()
                        if not active.any():
                            break
            optimiser.zero_grad()
            loss.backward()
            if abort == 'sample':
                delta.grad[~active] = 0  # a stopped sample's Adam state no longer moves it: zero its step below
                saved = delta.detach().clone()
            optimiser.step()
            if abort == 'sample':
                with torch.no_grad():
                    delta[~active] = saved[~active]
        upper = torch.where(step_success, torch.minimum(upper, c), upper)
        lower = torch.where(step_success, lower, torch.maximum(lower, c))
        c = torch.where(upper < 1e9, (lower + upper) / 2, c * 10)
    return best, best_l2.isfinite()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('folder')
    parser.add_argument('--abort', default='batch', choices=['batch', 'sample'])
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--json')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    model, x, y, ours = load(args.folder)
    for p in model.parameters():
        p.requires_grad_(False)
    targets = torch.from_numpy(np.fromfile(os.path.join(args.folder, 'targets.i64'), dtype='<i8'))
    targeted = ours['goal'] == 'targeted'
    settings = dict(confidence=ours['confidence'], initial_const=ours['initial_const'], binary_search_steps=ours['binary_search_steps'],
                    max_iterations=ours['max_iterations'], learning_rate=ours['learning_rate'], abort_early=True)
    with torch.no_grad():
        correct = model(x).argmax(1).eq(y)
    print(f'clean accuracy {correct.float().mean():.4f} (NeuralShield {ours["clean"]:.4f})')
    if int(correct.sum()) != round(ours['clean'] * len(y)):
        raise SystemExit('the rebuilt network does not classify as NeuralShield does: wrong export?')

    goal = targets if targeted else y
    bs = ours['batch_size']
    success = torch.zeros(len(y), dtype=torch.bool)
    l2 = torch.zeros(len(y))
    start, cpu_start = time.perf_counter(), time.process_time()
    for b in range(0, len(y), bs):
        adv, ok = cw_batch(model, x[b:b + bs], goal[b:b + bs], targeted, settings, args.abort)
        with torch.no_grad():
            pred = model(adv).argmax(1)
        success[b:b + bs] = ok & (pred.eq(goal[b:b + bs]) if targeted else pred.ne(goal[b:b + bs]))
        l2[b:b + bs] = (adv - x[b:b + bs]).flatten(1).norm(dim=1)
        assert adv.min() >= 0 and adv.max() <= 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    counted = success & correct
    ref_l2 = l2[counted].double()
    ours_flags = torch.tensor(ours['success_flags']) & correct
    ours_l2 = torch.tensor(ours['l2'])[ours_flags].double()
    ref = dict(success=counted.sum().item() / correct.sum().item(), mean_l2=ref_l2.mean().item(), median_l2=ref_l2.median().item() if ref_l2.numel() else None)
    both = counted & ours_flags
    ratio = (torch.tensor(ours['l2'])[both] / l2[both]).double()
    print(f'reference (abort {args.abort}): success {ref["success"]:.4f}, mean L2 {ref["mean_l2"]:.4f}, '
          f'median {float(np.median(ref_l2.numpy())):.4f} ({seconds:.1f} s wall, {cpu:.1f} s CPU)')
    print(f'NeuralShield: success {ours["success"]:.4f}, mean L2 {ours["mean_l2"]:.4f}, median {ours["median_l2"]:.4f} '
          f'({ours["seconds"]:.1f} s wall, {ours["cpu_seconds"]:.1f} s CPU)')
    print(f'mean L2 NeuralShield / reference {ours["mean_l2"] / ref["mean_l2"]:.4f}; per-sample L2 ratio on the common successes: '
          f'median {ratio.median().item():.4f}, mean {ratio.mean().item():.4f}; success flags agree on '
          f'{(counted == ours_flags)[correct].float().mean().item():.4f} of the correct images; CPU time ratio {ours["cpu_seconds"] / cpu:.2f}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(goal=ours['goal'], samples=len(y), attacked=int(correct.sum()), abort=args.abort, threads=args.threads,
                           reference=dict(**ref, seconds=seconds, cpu_seconds=cpu),
                           neuralshield=dict(success=ours['success'], mean_l2=ours['mean_l2'], median_l2=ours['median_l2'],
                                             seconds=ours['seconds'], cpu_seconds=ours['cpu_seconds']),
                           mean_l2_ratio=ours['mean_l2'] / ref['mean_l2'], cpu_ratio=ours['cpu_seconds'] / cpu, torch=torch.__version__), f, indent=1)


if __name__ == '__main__':
    main()
