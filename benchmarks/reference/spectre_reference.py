#!/usr/bin/env python3
"""SPECTRE (Hayase, Kong, Somani, Oh 2021) in numpy/scipy, following the procedure of the authors' Julia code
(SewoongLab/spectre-defense: quantum_filters.jl rcov_quantum_filter / rcov_auto_quantum_filter, dkk17.jl
cov_estimation_filter / cov_estimation_iterate), on the representations `reproduce backdoor-detection --variant
export=DIR` writes. Compares its flags on the target class with the library's `spectre.penultimate.target` flags.

Differences from the authors' code, the same as the library's (docs/defenses/data-defenses.md): k is searched over
1, 4, 9, 16 (the authors: up to 100), the choice of k is judged in min(100, rank) principal components (the
representation has 84), and eigenvalues of a covariance to whiten by are floored at 1e-10 of the largest.

Usage: /usr/bin/python3 benchmarks/reference/spectre_reference.py DIR [--target 0] [--max-k 16] [--json out.json]
"""
import argparse
import json
import math
import os

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import LinearOperator, eigsh

C, SHIFT = 10.0, 3.0


def pca(x, k):
    """x: n x D rows. Centred rows projected on the top-k principal directions, and all singular values."""
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:k].T, s


def inv_sqrt(sigma):
    w, v = eigh(sigma)
    w = np.maximum(w, 1e-10 * w.max())
    return (v / np.sqrt(w)) @ v.T


def cov(x, corrected):
    c = x - x.mean(axis=0)
    return c.T @ c / (len(x) - 1 if corrected else len(x))


def que_matrix(sigma, alpha):
    d = sigma.shape[0]
    if d == 1:
        return np.ones((1, 1))
    w, v = eigh(sigma)
    norm = np.abs(w).max()
    if not norm - 1 > 1e-12:
        return np.eye(d) / d
    m = (v * np.exp(alpha * (w - 1) / (norm - 1))) @ v.T
    return m / np.trace(m)


def k_lowest(values, k):
    """The authors' k_lowest_ind: values <= the k-th smallest (all False for k = 0)."""
    if k <= 0:
        return np.zeros(len(values), dtype=bool)
    return values <= np.sort(values)[k - 1]


def top_eigen(y):
    """Largest eigenpair of T(V) = (1/m) sum (y'Vy) yy' - tr(V) I on d x d matrices (scipy's ARPACK on the d^2 space)."""
    m, d = y.shape

    def apply(vec):
        v = vec.reshape(d, d)
        v = (v + v.T) / 2  # the operator only sees the symmetric part; its antisymmetric eigenvalues are 0
        c = np.einsum('ij,jk,ik->i', y, v, y)
        return ((y * c[:, None]).T @ y / m - np.trace(v) * np.eye(d)).ravel()

    if d * d <= 3:
        full = np.column_stack([apply(e) for e in np.eye(d * d)])
        w, v = eigh((full + full.T) / 2)
        return w[-1], v[:, -1].reshape(d, d)
    op = LinearOperator((d * d, d * d), matvec=apply, dtype=float)
    w, v = eigsh(op, k=1, which='LA', v0=np.ones(d * d), tol=1e-10)
    return w[0], v[:, 0].reshape(d, d)


def filter_round(s, eps, tau, limit):
    m, d = s.shape
    y = s @ inv_sqrt(s.T @ s / m)
    q = (y * y).sum(axis=1)
    mask = q >= C * d * math.log(m / tau)
    if mask.any():
        return ~mask | k_lowest(q, max(0, m - limit))
    lam, v = top_eigen(y)
    if lam <= 1 + C * eps * math.log(1 / eps) ** 2:
        return None
    v = (v + v.T) / 2
    p = (np.einsum('ij,jk,ik->i', y, v, y) - np.trace(v)) / math.sqrt(2)
    diffs = np.abs(p - np.median(p))
    for i, diff in enumerate(np.sort(diffs), start=1):
        if diff < SHIFT:
            continue
        t = diff - SHIFT
        if t <= 0:
            continue
        tail = 1.0 if t <= 10 * math.log(1 / eps) else 3 * eps / (t * math.log(t)) ** 2
        if i / m >= tail:
            return (diffs <= t) | k_lowest(diffs, max(0, m - limit))
    return None


def robust_filter(s, eps, tau, limit):
    idx = np.arange(len(s))
    while limit > 0:
        keep = filter_round(s[idx], eps, tau, limit)
        if keep is None or keep.all():
            break
        limit -= int((~keep).sum())
        idx = idx[keep]
    selected = np.zeros(len(s), dtype=bool)
    selected[idx] = True
    return selected


def scores_at(x, k, poison, alpha=4.0, tau=0.1):
    p, _ = pca(x, k)
    if k == 1:
        return p[:, 0] ** 2
    keep = robust_filter(p, poison / len(x), tau, round(2 * poison))
    white = p @ inv_sqrt(cov(p[keep], corrected=False))
    m = que_matrix(cov(white, corrected=True), alpha)
    return np.einsum('ij,jk,ik->i', white, m, white)


def spectre(x, poison, max_k, alpha=4.0):
    n = len(x)
    removed = round(1.5 * poison)
    _, s = pca(x, 1)
    rank = max(1, int((s > 1e-9 * s[0]).sum()))
    judge = min(max_k, rank)
    space, _ = pca(x, min(100, rank))
    best = None
    for root in range(1, int(math.isqrt(judge)) + 1):
        k = root * root
        sc = scores_at(x, k, poison, alpha)
        order = sorted(range(n), key=lambda j: (-sc[j], j))
        kept = np.sort(np.array(order[removed:]))
        sigma = cov(space[kept], corrected=True)
        sig2 = cov(space @ inv_sqrt(sigma), corrected=True)
        m = que_matrix(sig2, alpha)
        excess = np.trace(sig2 @ m) / np.trace(m)
        if best is None or excess > best[0]:
            best = (excess, k, sc, order[:removed])
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('folder')
    ap.add_argument('--target', type=int, default=0)
    ap.add_argument('--max-k', type=int, default=16)
    ap.add_argument('--json')
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.folder, 'meta.json')))
    n, dim = meta['count'], meta['dims']['penultimate']
    reps = np.fromfile(os.path.join(a.folder, 'penultimate.f32'), dtype='<f4').reshape(n, dim).astype(np.float64)
    labels = np.fromfile(os.path.join(a.folder, 'labels.i64'), dtype='<i8')
    members = np.flatnonzero(labels == a.target)
    poison_count = round(meta['epsilon'] * len(members))
    excess, k, scores, flagged_local = spectre(reps[members], poison_count, a.max_k)
    flagged = set(int(members[j]) for j in flagged_local)
    ours = set(meta['flags'].get('spectre.penultimate.target', []))
    poisoned = set(meta['poisoned'])
    out = {
        'seed': meta['seed'], 'k': k, 'flagged': len(flagged), 'recall': len(flagged & poisoned) / len(poisoned),
        'library_flagged': len(ours), 'library_recall': len(ours & poisoned) / len(poisoned) if ours else None,
        'only_reference': len(flagged - ours), 'only_library': len(ours - flagged),
    }
    if 'spectre.penultimate.target' in meta['scores']:
        # The library's scores against the reference's at each k: where the chosen k differs, which k it used.
        lib = np.array(meta['scores']['spectre.penultimate.target'])[members]
        x = reps[members]
        for root in range(1, int(math.isqrt(min(a.max_k, len(members)))) + 1):
            at_k = scores_at(x, root * root, poison_count)
            diff = float(np.max(np.abs(lib - at_k)) / np.max(np.abs(at_k)))
            if diff < 1e-6:
                order = sorted(range(len(members)), key=lambda j: (-at_k[j], j))[:round(1.5 * poison_count)]
                out['library_k'] = root * root
                out['library_k_max_relative_score_difference'] = diff
                out['library_k_flags_identical'] = set(int(members[j]) for j in order) == ours
    print(json.dumps(out, indent=1))
    if a.json:
        json.dump(out, open(a.json, 'w'), indent=1)


if __name__ == '__main__':
    main()
