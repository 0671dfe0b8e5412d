#!/usr/bin/env python3
"""How far any threshold on the kNN vote can go against the 20% random flips of `reproduce poisoning`.

Reads, for each seed, the reproduction's JSON and its log (the log holds the vote's frontier: for k in 10..100 and
each c, the flips kept and the clean points removed when every point with at most c of its k neighbours on its own
label is removed). Fits, over the measured sanitization rows of all the given seeds, what one flip left in the set and
one clean point removed cost as a share of the oracle-removal ceiling:

    1 - share_of_oracle_mean ~ a * wrong_labels_left + b * clean_points_removed

and predicts each frontier point's share with it: the best any threshold could do on each seed, chosen with hindsight.

Usage: scripts/knn-frontier.py poison-0.json poison-0.log [poison-1.json poison-1.log ...]
Standard library only.
"""
import json
import re
import sys

FRONTIER = re.compile(r"kNN vote frontier, k (\d+), .*?: (.*)$")
PAIR = re.compile(r"(\d+): (\d+) / (\d+)")


def rows(m):
    """(wrong labels left, clean points removed, measured share) of every sanitization row the JSON can place."""
    s = lambda key: m["sanitization." + key]
    out = []
    for name in ["knn_penultimate_remove", "knn_penultimate_relabel_or_remove", "knn_penultimate_low_support", "loss"]:
        if "sanitization." + name + ".wrong_labels_left" in m:
            out.append((name, s(name + ".wrong_labels_left"), s(name + ".clean_points_removed"), s(name + ".share_of_oracle_mean")))
    # The oracle-assisted rows: only the removing vote's true flags removed (its missed flips stay, no clean point goes),
    # and every flip removed with the vote's false flags (no flip stays).
    out.append(("true_flags_only", s("knn_penultimate_remove.wrong_labels_left"), 0, s("knn_penultimate_remove.true_flags_only.share_of_oracle_mean")))
    out.append(("false_flags_and_every_flip", 0, s("knn_penultimate_remove.clean_points_removed"),
                s("knn_penultimate_remove.false_flags_and_every_flip.share_of_oracle_mean")))
    return out


def fit(points):
    """Least squares of 1 - share on (wrong, clean), no intercept: the oracle removal itself has neither."""
    sww = sum(w * w for _, w, c, _ in points)
    scc = sum(c * c for _, w, c, _ in points)
    swc = sum(w * c for _, w, c, _ in points)
    swy = sum(w * (1 - y) for _, w, c, y in points)
    scy = sum(c * (1 - y) for _, w, c, y in points)
    det = sww * scc - swc * swc
    return (swy * scc - scy * swc) / det, (scy * sww - swy * swc) / det


def main(args):
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__)
    seeds = []
    for json_path, log_path in zip(args[::2], args[1::2]):
        report = json.load(open(json_path))
        frontier = {}
        for line in open(log_path):
            match = FRONTIER.search(line)
            if match:
                frontier[int(match.group(1))] = [tuple(map(int, p)) for p in PAIR.findall(match.group(2))]
        if not frontier:
            sys.exit(f"{log_path} holds no frontier line: run a build of reproduce poisoning that logs it")
        seeds.append((report["setting"]["seed"], rows(report["metrics"]), frontier))

    points = [p for _, r, _ in seeds for p in r]
    a, b = fit(points)
    residuals = [(1 - a * w - b * c) - y for _, w, c, y in points]
    rms = (sum(r * r for r in residuals) / len(residuals)) ** 0.5
    print(f"cost of one flip left: {a * 100:.3f}% of the ceiling; of one clean point removed: {b * 100:.3f}% "
          f"({len(points)} measured rows, rms residual {rms * 100:.1f} points)")
    print("\nmeasured vs predicted (share of the oracle-removal ceiling):")
    for seed, r, _ in seeds:
        print(f"  seed {seed}: " + ", ".join(f"{name} {y * 100:.0f}/{(1 - a * w - b * c) * 100:.0f}%" for name, w, c, y in r))

    print("\nbest threshold per seed, chosen with hindsight (k, c: flips kept / clean removed -> predicted share):")
    best_fixed = {}
    for seed, _, frontier in seeds:
        best = max(((1 - a * f - b * cl, k, c, f, cl) for k, pts in frontier.items() for c, f, cl in pts))
        print(f"  seed {seed}: k {best[1]}, c {best[2]}: {best[3]} / {best[4]} -> {best[0] * 100:.1f}%")
        for k, pts in frontier.items():
            for c, f, cl in pts:
                best_fixed.setdefault((k, c), []).append(1 - a * f - b * cl)
    per_seed = [max(1 - a * f - b * cl for pts in fr.values() for _, f, cl in pts) for _, _, fr in seeds]
    print(f"  mean of the per-seed best: {sum(per_seed) / len(per_seed) * 100:.1f}%")
    (k, c), shares = max(((kc, v) for kc, v in best_fixed.items() if len(v) == len(seeds)), key=lambda kv: sum(kv[1]))
    print(f"best single threshold over these seeds: k {k}, c {c}: mean predicted share {sum(shares) / len(shares) * 100:.1f}%")


if __name__ == "__main__":
    main(sys.argv[1:])
