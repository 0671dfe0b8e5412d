"""Spectral signatures and activation clustering run the reference way on the representations NeuralShield exported.

    neuralshield reproduce backdoor-detection --seed S --threads 1 --variant export=DIR
    python3 backdoor_detection_reference.py DIR [--json FILE]

DIR holds what BackdoorDetectionExperiment.Export writes: penultimate.f32 (N x 84) and conv.f32 (N x 400) row-major
float32, labels.i64, and meta.json (poisoned indices, every detector's flagged indices, the spectral scores and the
smaller 2-means cluster of each point). Nothing here is trained: both defenses are run on the same poisoned model's
representations, so any difference in flags comes from the procedure, not the model.

Spectral signatures
  paper      Tran, Li, Madry (NeurIPS 2018), Algorithm 1: per class, centre the representations, v = top right singular
             vector (numpy SVD), score ((r - mean) . v)^2, remove the floor(1.5 eps n) highest of each class.
  madrylab   MadryLab/backdoor_data_poisoning compute_corr.py: the target class only, v from the centred matrix but the
             score |v . r| of the *uncentred* representation, and every score above the (100 - 150 eps)-th percentile
             removed (config: percentile 85 for eps = 0.1).
Activation clustering (Chen et al. 2018; IBM ART ActivationDefence: reduce FastICA or PCA to 10, KMeans(2) per class)
  pca        sklearn PCA(10) + KMeans(2, n_init=10), against NeuralShield's plain components (Whiten = false).
  ica        sklearn FastICA(10) + KMeans(2): the paper's and ART's default reduction, against NeuralShield's whitened
             components (Whiten = true); FastICA's output is the whitened components turned by an orthogonal matrix.
  whitened   sklearn PCA(10, whiten=True) + KMeans(2): the same clustering as ica up to k-means' own randomness.
  For each: the smaller cluster's share of its class, the full-sample silhouette (sklearn; NeuralShield samples 1,000
  points per class), the recall of the poison in the target class's smaller cluster, the share of points (all, and of
  the target class) whose smaller-cluster membership agrees with NeuralShield's, and the relative-size flags at 0.35. Exclusionary
  reclassification retrains a model per class and is not run here.
"""
import argparse
import json
import os
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, FastICA
from sklearn.metrics import silhouette_score


def load(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    n = meta["count"]
    labels = np.fromfile(os.path.join(folder, "labels.i64"), dtype="<i8")
    reps = {name: np.fromfile(os.path.join(folder, f"{name}.f32"), dtype="<f4").reshape(n, d).astype(np.float64)
            for name, d in meta["dims"].items()}
    return meta, labels, reps


def spectral_paper(rep, labels, eps):
    scores = np.zeros(len(labels))
    flagged = []
    for c in np.unique(labels):
        idx = np.where(labels == c)[0]
        centred = rep[idx] - rep[idx].mean(axis=0, keepdims=True)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        s = (centred @ vt[0]) ** 2
        scores[idx] = s
        remove = int(np.floor(1.5 * eps * len(idx)))
        order = np.lexsort((np.arange(len(idx)), -s))  # highest score first, ties by position
        flagged.extend(idx[order[:remove]].tolist())
    return scores, sorted(flagged)


def spectral_madrylab(rep, labels, target, eps):
    idx = np.where(labels == target)[0]
    full = rep[idx]
    centred = full - full.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    scores = np.abs(full @ vt[0])
    cut = np.percentile(scores, 100 - 150 * eps)
    return sorted(idx[scores > cut].tolist())


def spectral_diagnosis(rep, labels, target, poison, eps):
    """Why the paper's score finds what it finds in the target class: how v lines up with the poison's mean shift."""
    idx = np.where(labels == target)[0]
    is_poison = np.isin(idx, poison)
    centred = rep[idx] - rep[idx].mean(axis=0, keepdims=True)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    shift = rep[idx][is_poison].mean(axis=0) - rep[idx][~is_poison].mean(axis=0)
    projection = centred @ vt[0]
    sign = 1 if projection[is_poison].mean() > 0 else -1
    remove = int(np.floor(1.5 * eps * len(idx)))
    paper_top = np.argsort(-(projection ** 2), kind="stable")[:remove]
    one_sided_top = np.argsort(-sign * projection, kind="stable")[:remove]
    clean_var_along_shift = float(np.var(rep[idx][~is_poison] @ (shift / np.linalg.norm(shift))))
    return dict(
        top_singular_values=[float(x) for x in s[:3]],
        cos_v_poison_shift=float(abs(vt[0] @ shift) / np.linalg.norm(shift)),
        poison_shift_norm=float(np.linalg.norm(shift)),
        clean_std_along_shift=clean_var_along_shift ** 0.5,
        target_recall_paper_score=float(is_poison[paper_top].sum() / is_poison.sum()),
        target_recall_one_sided_projection=float(is_poison[one_sided_top].sum() / is_poison.sum()),
        poisoned_share_of_target=float(is_poison.mean()))


def detection(flagged, poison):
    flagged, poison = set(flagged), set(poison)
    hit = len(flagged & poison)
    return dict(flagged=len(flagged), precision=hit / len(flagged) if flagged else 0.0, recall=hit / len(poison))


def clusters(rep, labels, reduce, seed, poison, target):
    out = {}
    smaller = np.zeros(len(labels), dtype=int)
    for c in np.unique(labels):
        idx = np.where(labels == c)[0]
        if reduce == "pca":
            reduced = PCA(n_components=10, random_state=seed).fit_transform(rep[idx])
        elif reduce == "whitened":
            reduced = PCA(n_components=10, whiten=True, random_state=seed).fit_transform(rep[idx])
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reduced = FastICA(n_components=10, random_state=seed, max_iter=1000).fit_transform(rep[idx])
        assign = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(reduced)
        sizes = np.bincount(assign, minlength=2)
        small = int(np.argmin(sizes))
        smaller[idx[assign == small]] = 1
        out[int(c)] = dict(smaller_share=float(sizes[small] / len(idx)), silhouette=float(silhouette_score(reduced, assign)))
    poison_set = np.array(sorted(poison))
    out["target_smaller_cluster_poison_recall"] = float(smaller[poison_set].mean())
    out["target_smaller_cluster_size"] = int(smaller[labels == target].sum())
    return out, smaller


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--target", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()
    meta, labels, reps = load(args.folder)
    poison = meta["poisoned"]
    eps = meta["epsilon"]
    seed = int(meta["seed"])
    result = dict(seed=seed, epsilon=eps)
    for name, rep in reps.items():
        scores, flagged = spectral_paper(rep, labels, eps)
        ours_scores = np.array(meta["scores"][name])
        ours = meta["flags"][f"spectral.{name}"]
        result[f"spectral.{name}"] = dict(
            reference=detection(flagged, poison), neuralshield=detection(ours, poison),
            max_relative_score_difference=float(np.max(np.abs(scores - ours_scores) / np.maximum(np.abs(scores), 1e-12))),
            flagged_only_by_reference=len(set(flagged) - set(ours)), flagged_only_by_neuralshield=len(set(ours) - set(flagged)))
        _, tight = spectral_paper(rep, labels, 0.05)
        result[f"spectral_eps0.05.{name}"] = dict(reference=detection(tight, poison),
                                                   neuralshield=detection(meta["flags"][f"spectral_eps0.05.{name}"], poison),
                                                   identical=sorted(tight) == sorted(meta["flags"][f"spectral_eps0.05.{name}"]))
        result[f"spectral_madrylab.{name}"] = detection(spectral_madrylab(rep, labels, args.target, eps), poison)
        result[f"spectral_diagnosis.{name}"] = spectral_diagnosis(rep, labels, args.target, poison, eps)
    for reduce, ours_name in (("pca", "pca"), ("ica", "ica"), ("whitened", "ica")):
        ours_smaller = np.array(meta["smaller_cluster"][ours_name])
        out, smaller = clusters(reps["penultimate"], labels, reduce, seed, poison, args.target)
        out["agreement_with_neuralshield"] = float((smaller == ours_smaller).mean())
        target = labels == args.target
        out["target_class_agreement_with_neuralshield"] = float((smaller[target] == ours_smaller[target]).mean())
        relative = [i for i in range(len(labels)) if smaller[i] == 1 and out[int(labels[i])]["smaller_share"] <= 0.35]
        out["relative_size_0.35"] = detection(relative, poison)
        out["neuralshield_relative_size_0.35"] = detection(meta["flags"][f"activation.{ours_name}.relative_size"], poison)
        out["relative_size_flags_identical"] = sorted(relative) == sorted(meta["flags"][f"activation.{ours_name}.relative_size"])
        result[f"activation.{reduce}"] = out
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
