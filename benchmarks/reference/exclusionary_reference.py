"""Exclusionary reclassification (Chen et al. 2018) re-run in PyTorch on the poisoned set and clusters NeuralShield exported.

    neuralshield reproduce backdoor-detection --seed S --threads 1 --variant export=DIR
    OMP_NUM_THREADS=1 python3 exclusionary_reference.py DIR --mnist /work/shared/data/mnist [--json FILE] [--images FILE.png]
        [--procedures per-class,art]

DIR holds what BackdoorDetectionExperiment.Export writes (labels.i64, meta.json with the poisoned indices and the smaller
2-means cluster of each point on whitened components, key "ica"). The poisoned training set is rebuilt from MNIST's first
10,000 training images (pixels / 255; the poisoned indices stamped with the 3x3 white square one pixel from the
bottom-right corner; labels from labels.i64, checked against MNIST's for every unpoisoned point). The clusters are
NeuralShield's, so only the reclassification step differs: the models here are PyTorch LeNet-5s (conv 6@5x5 pad 2, pool,
conv 16@5x5, pool, 120, 84, 10; ReLU; Adam lr 1e-3, batch 128, 10 epochs), trained from their own random weights.

Three procedures, all with the rule of the paper and of IBM ART's ActivationDefence.exclusionary_reclassification: the
excluded points are classified by the retrained model; l = those given their own label, p = those given the most common
other class C; the cluster is legitimate when p == 0 or l / p > T, poison otherwise (T = 1, the value of ART's notebook).

  per-class   the paper's reading, and NeuralShield's ExclusionaryReclassification: one model per class, trained on the set
              without that class's smaller cluster.
  art         ART's procedure with its default analysis ("smaller": every class's smaller cluster is suspicious): one model
              trained without every suspicious cluster at once, then each cluster classified.
  most_rejected  the per-class scores, keeping only the flagged cluster with the smallest l / p (the one-target variant,
              ActivationClusteringOptions.MaxPoisonedClasses = 1).

For each: l, p, C per class, the flagged points, precision and recall against the poison; with NeuralShield's flags from
meta.json for comparison. --procedures per-class or art runs one of the two (10 trainings or 1). --images writes, for the
largest clean cluster the per-class procedure flags, 32 of its points, 32 of the rest of its class and 32 images of C.
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, rows, cols = int.from_bytes(data[4:8], "big"), int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols).astype(np.float32) / 255.0


def idx_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def train(x, y, seed, epochs=10, batch=128):
    torch.manual_seed(seed)
    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), batch):
            b = order[i:i + batch]
            opt.zero_grad()
            F.cross_entropy(model(xt[b]), yt[b]).backward()
            opt.step()
    return model.eval()


def predict(model, x):
    with torch.no_grad():
        return torch.cat([model(torch.from_numpy(x[i:i + 1000])).argmax(1) for i in range(0, len(x), 1000)]).numpy()


def score(pred, label, classes=10):
    counts = np.bincount(pred, minlength=classes)
    l = int(counts[label])
    counts[label] = -1
    other = int(np.argmax(counts))
    p = int(counts[other])
    return l, p, other


def poison_rule(l, p, t):
    return p > 0 and l / p <= t


def detection(flagged, poison):
    flagged, poison = set(flagged), set(poison)
    hit = len(flagged & poison)
    return dict(flagged=len(flagged), precision=hit / len(flagged) if flagged else 1.0, recall=hit / len(poison))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--mnist", default="/work/shared/data/mnist")
    parser.add_argument("--threshold", type=float, default=1.0)
    parser.add_argument("--json")
    parser.add_argument("--images")
    parser.add_argument("--procedures", default="per-class,art", help="comma-separated: per-class, art (default both)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(args.folder, "meta.json")) as f:
        meta = json.load(f)
    seed = int(meta["seed"])
    labels = np.fromfile(os.path.join(args.folder, "labels.i64"), dtype="<i8")
    x = idx_images(os.path.join(args.mnist, "train-first10k-images-idx3-ubyte.gz"))[:len(labels)].copy()
    original = idx_labels(os.path.join(args.mnist, "train-first10k-labels-idx1-ubyte.gz"))[:len(labels)]
    poison = np.array(sorted(meta["poisoned"]), dtype=np.int64)
    is_poison = np.zeros(len(labels), dtype=bool)
    is_poison[poison] = True
    x[poison, :, 24:27, 24:27] = 1.0
    mismatched = int((labels[~is_poison] != original[~is_poison]).sum())
    if mismatched:
        raise SystemExit(f"{mismatched} unpoisoned labels differ from MNIST's: not the set this script rebuilds")
    smaller = np.array(meta["smaller_cluster"]["ica"], dtype=bool)
    classes = range(10)
    excluded = {c: np.where(smaller & (labels == c))[0] for c in classes}
    result = dict(seed=seed, threshold=args.threshold, poison=len(poison), mismatched_labels=mismatched)

    procedures = args.procedures.split(",")
    per_class = {}
    for c in (classes if "per-class" in procedures else []):
        keep = np.ones(len(labels), dtype=bool)
        keep[excluded[c]] = False
        model = train(x[keep], labels[keep], seed)
        l, p, other = score(predict(model, x[excluded[c]]), c)
        per_class[c] = dict(size=int(len(excluded[c])), poison=int(is_poison[excluded[c]].sum()), l=l, p=p, other_class=other,
                            ratio=(l / p if p else None), flagged=poison_rule(l, p, args.threshold))
        print(f"per-class {c}: {per_class[c]}", flush=True)
    flagged = sorted(int(i) for c in per_class if per_class[c]["flagged"] for i in excluded[c])
    if per_class:
        result["per_class"] = dict(classes=per_class, detection=detection(flagged, poison),
                                   identical_to_neuralshield=flagged == sorted(meta["flags"]["activation.ica.exclusionary"]),
                                   neuralshield=detection(meta["flags"]["activation.ica.exclusionary"], poison))
    candidates = [c for c in per_class if per_class[c]["flagged"]]
    if candidates:
        worst = min(candidates, key=lambda c: (per_class[c]["l"] / per_class[c]["p"], c))
        result["most_rejected"] = dict(cls=worst, detection=detection(excluded[worst].tolist(), poison))

    art = {}
    if "art" in procedures:
        model = train(x[~smaller], labels[~smaller], seed)
    for c in (classes if "art" in procedures else []):
        l, p, other = score(predict(model, x[excluded[c]]), c)
        art[c] = dict(l=l, p=p, other_class=other, ratio=(l / p if p else None), flagged=poison_rule(l, p, args.threshold))
        print(f"art {c}: {art[c]}", flush=True)
    art_flagged = sorted(int(i) for c in art if art[c]["flagged"] for i in excluded[c])
    if art:
        result["art"] = dict(classes=art, detection=detection(art_flagged, poison), retrained_on=int((~smaller).sum()))

    if args.images:
        clean_flagged = [c for c in per_class if per_class[c]["flagged"] and per_class[c]["poison"] == 0]
        if clean_flagged:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            c = max(clean_flagged, key=lambda k: per_class[k]["size"])
            other = per_class[c]["other_class"]
            rng = np.random.default_rng(seed)
            rows = [("excluded cluster of class %d" % c, rng.choice(excluded[c], 32, replace=False)),
                    ("rest of class %d" % c, rng.choice(np.where((labels == c) & ~smaller)[0], 32, replace=False)),
                    ("class %d (C)" % other, rng.choice(np.where((labels == other) & ~is_poison)[0], 32, replace=False))]
            fig, axes = plt.subplots(6, 16, figsize=(16, 6.5))
            for r, (title, idx) in enumerate(rows):
                for j, i in enumerate(idx):
                    ax = axes[2 * r + j // 16, j % 16]
                    ax.imshow(x[i, 0], cmap="gray")
                    ax.axis("off")
                axes[2 * r, 0].set_title(title, loc="left", fontsize=10)
            fig.tight_layout()
            fig.savefig(args.images, dpi=60)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
