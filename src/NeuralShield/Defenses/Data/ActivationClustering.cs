using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// Activation clustering (Chen et al. 2018): the model trained on the inspected set is run on it; for each class
/// (by label), the penultimate-layer activations are reduced to a few dimensions (PCA by SVD, whitened by default: the
/// distances of the paper's FastICA output) and split by 2-means. A backdoored class splits into its genuine images and the triggered ones, which the network
/// maps to the class through a different feature. Which smaller cluster is poison is decided by one of the paper's
/// three analyses (<see cref="ClusterAnalysis"/>): relative size, silhouette, or exclusionary reclassification (a model
/// retrained without the smaller clusters sends poison back to its source class; with
/// <see cref="ActivationClusteringOptions.MaxPoisonedClasses"/> only the most rejected clusters count). Flagged points are removed.
/// </summary>
public sealed class ActivationClustering : IDataDefense<SanitizationReport>
{
    private readonly ActivationClusteringOptions _options;
    private readonly ITorchModel _model;
    private readonly Func<LabeledData, CancellationToken, IClassifier>? _retrain;

    /// <summary>Creates the defense over <paramref name="model"/> (trained on the data to inspect; not owned).</summary>
    /// <param name="model">The model trained on the data to inspect (a sequential model; not owned).</param>
    /// <param name="options">Settings.</param>
    /// <param name="retrain">
    /// Exclusionary reclassification only: trains a model on the given data (the inspected set without one class's smaller
    /// cluster; called once per class) the way <paramref name="model"/> was trained; the defense disposes of what it returns.
    /// </param>
    /// <exception cref="ArgumentException">Exclusionary reclassification without <paramref name="retrain"/>.</exception>
    public ActivationClustering(ITorchModel model, ActivationClusteringOptions? options = null, Func<LabeledData, CancellationToken, IClassifier>? retrain = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = (options ?? new ActivationClusteringOptions()).Validated();
        if (_options.Analysis == ClusterAnalysis.ExclusionaryReclassification && retrain is null)
            throw new ArgumentException("Exclusionary reclassification needs a function that retrains the model.", nameof(retrain));
        _retrain = retrain;
    }

    /// <summary>A copy of the settings.</summary>
    public ActivationClusteringOptions Options => _options.Copy();

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Activation clustering", DefenseKind.Data, Papers.Chen2018, [AttackFamily.Poisoning]);

    /// <summary>The 2-means silhouette of each class in the last inspection (NaN for classes too small to cluster).</summary>
    public IReadOnlyList<double> LastSilhouettes { get; private set; } = [];

    /// <summary>What the last inspection found in each class.</summary>
    public IReadOnlyList<ClassClusters> LastClasses { get; private set; } = [];

    /// <summary>The 2-means cluster of each point in the last inspection (1: the smaller cluster of its class; 0 otherwise or not clustered).</summary>
    public IReadOnlyList<int> LastInSmallerCluster { get; private set; } = [];

    /// <inheritdoc />
    public SanitizationReport Inspect(LabeledData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var activations = Sanitizers.Representation(_model, data.Features, _options.LayerFromEnd);
        var rows = Sanitizers.Rows(activations);
        var scores = new double[data.Count];
        var inSmaller = new int[data.Count];
        var classes = new ClassClusters[data.ClassCount];
        var smallerMembers = new List<long>[data.ClassCount];
        foreach (var (members, label) in Sanitizers.ByClass(data).Select((m, c) => (m, c)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            smallerMembers[label] = [];
            if (members.Count < 4)
            {
                classes[label] = new ClassClusters(label, members.Count, 0, double.NaN, false);
                continue;
            }
            var reduced = KMeans.Pca(members.Select(i => rows[i]).ToArray(), _options.Components, _options.Whiten);
            var clusters = KMeans.Fit(reduced, 2, _options.Seed + label);
            var sizes = clusters.Sizes;
            var small = sizes[0] <= sizes[1] ? 0 : 1;
            var share = (double)sizes[small] / members.Count;
            var silhouette = KMeans.Silhouette(reduced, clusters.Assignments, seed: _options.Seed + label);
            var poisoned = _options.Analysis switch
            {
                ClusterAnalysis.RelativeSize => share <= _options.MaxPoisonShare && (_options.MinSilhouette <= 0 || silhouette >= _options.MinSilhouette),
                ClusterAnalysis.Silhouette => silhouette >= _options.MinSilhouette,
                _ => false,
            };
            classes[label] = new ClassClusters(label, members.Count, sizes[small], silhouette, poisoned);
            for (var j = 0; j < members.Count; j++)
            {
                var isSmall = clusters.Assignments[j] == small;
                scores[members[j]] = isSmall ? 1 - share : share;
                if (!isSmall) continue;
                inSmaller[members[j]] = 1;
                smallerMembers[label].Add(members[j]);
            }
        }
        if (_options.Analysis == ClusterAnalysis.ExclusionaryReclassification)
            Reclassify(data, classes, smallerMembers, cancellationToken);
        LastSilhouettes = classes.Select(c => c.Silhouette).ToArray();
        LastClasses = classes;
        LastInSmallerCluster = inSmaller;
        var flagged = classes.Where(c => c.Poisoned).SelectMany(c => smallerMembers[c.Label]).Order().ToList();
        return new SanitizationReport(Descriptor.Name, flagged, Sanitizers.Without(data, flagged), SanitizeAction.Remove, scores);
    }

    // As the paper does it: for each class in turn, a model retrained without that class's smaller cluster (the rest of the
    // set unchanged) classifies the excluded points; l keep their label, p go to the most common other class C; poison
    // when l <= T p (IBM ART: legitimate when p = 0 or l / p > T, the same rule; ART retrains once without every cluster
    // already flagged by another analysis). With MaxPoisonedClasses, only that many of the flagged clusters, those with the
    // smallest l / p, stay flagged.
    private void Reclassify(LabeledData data, ClassClusters[] classes, List<long>[] smallerMembers, CancellationToken cancellationToken)
    {
        foreach (var c in classes.ToArray())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var excluded = smallerMembers[c.Label];
            if (excluded.Count == 0) continue;
            using var kept = Sanitizers.Without(data, excluded);
            var model = _retrain!(kept, cancellationToken);
            try
            {
                using var subset = data.Subset(excluded.ToArray());
                using var probabilities = model.PredictProbabilities(subset.Features);
                using var predicted = probabilities.argmax(1).cpu();
                var counts = new int[data.ClassCount];
                foreach (var y in predicted.data<long>().ToArray()) counts[y]++;
                var l = counts[c.Label];
                var other = Enumerable.Range(0, data.ClassCount).Where(k => k != c.Label).MaxBy(k => counts[k]);
                var p = counts[other];
                classes[c.Label] = c with
                {
                    Poisoned = l <= _options.ReclassificationThreshold * p,
                    KeptLabel = l,
                    OtherClass = p == 0 ? -1 : other,
                    OtherClassCount = p,
                };
            }
            finally
            {
                (model as IDisposable)?.Dispose();
            }
        }
        if (_options.MaxPoisonedClasses == 0) return;
        // The variant for a bounded number of target classes: only the most rejected of the flagged clusters stay flagged.
        var beyond = classes.Where(c => c.Poisoned)
            .OrderBy(c => (double)c.KeptLabel!.Value / c.OtherClassCount!.Value).ThenBy(c => c.Label)
            .Skip(_options.MaxPoisonedClasses).ToList();
        foreach (var c in beyond) classes[c.Label] = c with { Poisoned = false };
    }
}
