using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Data;

/// <summary>
/// The representation defenses on tiny planted settings in two dimensions, read through a model whose penultimate layer
/// is the identity (so the representation is the point itself), against values computed by hand.
/// </summary>
public class PlantedBackdoorDetectionTests
{
    // Class 0: four clean points at (0, ±1) and two poison points at (d, ±1); class 1: (50, 0), (50, 2), (60, 0), (60, 2).
    private static (LabeledData Data, long[] Poison) Planted(double d)
    {
        double[][] points =
        [
            [0, 1], [0, -1], [0, 1], [0, -1], [d, 1], [d, -1],
            [50, 0], [50, 2], [60, 0], [60, 2],
        ];
        long[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
        var features = tensor(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Length, 2]);
        return (new LabeledData(features, tensor(labels), 2), [4, 5]);
    }

    private static TorchClassifier IdentityModel()
    {
        var module = nn.Sequential(("representation", nn.Identity()), ("logits", nn.Linear(2, 2)));
        return new TorchClassifier(module, 2, new InputBounds(-100, 100), [2], ownsModule: true);
    }

    // Mean silhouette of class 0, by hand: the clean points' mean distance to the other clean points is a = 4/3, the poison
    // points' to each other a = 2; both sides' mean distance to the other cluster is b = (d + sqrt(d² + 4)) / 2. So
    // s = (4 (1 − (4/3)/b) + 2 (1 − 2/b)) / 6 = 1 − 14 / (9 b). Class 1 (two pairs 2 apart, 10 between): s = 1 − 2 / b(10).
    private static double ClassZeroSilhouette(double d) => 1 - 14 / (9 * ((d + Math.Sqrt(d * d + 4)) / 2));

    private static double ClassOneSilhouette => 1 - 2 / ((10 + Math.Sqrt(104)) / 2);

    [Fact]
    public void SpectralScoresAreTheSquaredCentredProjectionsOnThePlantedDirection()
    {
        // Four clean points at (±1, 0), two poison at (0, 6): mean (0, 2), centred rows (±1, −2) and (0, 4); the centred
        // matrix's Gram matrix is diag(4, 48), so v = ±(0, 1) and the scores are 4 (clean) and 16 (poison).
        double[][] rows = [[1, 0], [-1, 0], [1, 0], [-1, 0], [0, 6], [0, 6]];
        var scores = SpectralSignatures.Scores(rows);
        Assert.Equal([4.0, 4, 4, 4, 16, 16], scores.Select(s => Math.Round(s, 9)));
    }

    [Fact]
    public void SpectralSignaturesRemoveOneAndAHalfEpsilonOfEachClass()
    {
        // Class 0 as above (6 points), class 1: x = 10, 11, 13 at y = 20 (mean 34/3: scores 16/9, 1/9, 25/9).
        // ε = 0.25: floor(1.5 · 0.25 · 6) = 2 points of class 0 and floor(1.5 · 0.25 · 3) = 1 of class 1 are removed.
        double[][] points = [[1, 0], [-1, 0], [1, 0], [-1, 0], [0, 6], [0, 6], [10, 20], [11, 20], [13, 20]];
        var features = tensor(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Length, 2]);
        using var data = new LabeledData(features, tensor(new long[] { 0, 0, 0, 0, 0, 0, 1, 1, 1 }), 2);
        using var model = IdentityModel();
        using var report = new SpectralSignatures(model, new SpectralSignatureOptions { Epsilon = 0.25 }).Inspect(data);
        Assert.Equal([4L, 5, 8], report.Flagged);
        Assert.Equal([4.0, 4, 4, 4, 16, 16, 16.0 / 9, 1.0 / 9, 25.0 / 9], report.Scores!.Select(s => Math.Round(s, 4)), new ToleranceComparer(1e-3));
    }

    [Fact]
    public void RelativeSizeFlagsTheSmallerClusterUpToTheShareLimit()
    {
        var (data, poison) = Planted(10);
        using var _ = data;
        using var model = IdentityModel();
        // Class 0's smaller cluster holds 2 of 6 points (1/3); class 1 splits 2 / 2 (1/2).
        var defense = new ActivationClustering(model, new ActivationClusteringOptions { MaxPoisonShare = 0.35, Whiten = false });
        using (var report = defense.Inspect(data)) Assert.Equal(poison, report.Flagged);
        Assert.Equal(2, defense.LastClasses[0].SmallerClusterSize);
        Assert.Equal(ClassZeroSilhouette(10), defense.LastClasses[0].Silhouette, 9);
        Assert.Equal(ClassOneSilhouette, defense.LastClasses[1].Silhouette, 9);
        Assert.Equal([0, 0, 0, 0, 1, 1], defense.LastInSmallerCluster.Take(6));
        using var tight = new ActivationClustering(model, new ActivationClusteringOptions { MaxPoisonShare = 0.3, Whiten = false }).Inspect(data);
        Assert.Empty(tight.Flagged);
    }

    [Fact]
    public void SilhouetteAnalysisFlagsTheClassesAboveTheThreshold()
    {
        var (data, poison) = Planted(10);
        using var _ = data;
        using var model = IdentityModel();
        // Class 0: 1 − 14 / (9 · 10.099) = 0.846; class 1: 1 − 2 / 10.099 = 0.802.
        var between = (ClassZeroSilhouette(10) + ClassOneSilhouette) / 2;
        using (var report = new ActivationClustering(model, new ActivationClusteringOptions { Analysis = ClusterAnalysis.Silhouette, MinSilhouette = between, Whiten = false }).Inspect(data))
            Assert.Equal(poison, report.Flagged);
        // Below both silhouettes: class 1's smaller cluster (two of its points) is flagged too; no size rule applies.
        using var low = new ActivationClustering(model, new ActivationClusteringOptions { Analysis = ClusterAnalysis.Silhouette, MinSilhouette = 0.5, Whiten = false }).Inspect(data);
        Assert.Equal(4, low.Flagged.Count);
        Assert.Equal(poison, low.Flagged.Take(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationClustering(model, new ActivationClusteringOptions { Analysis = ClusterAnalysis.Silhouette }));
    }

    [Fact]
    public void ExclusionaryReclassificationSendsPoisonBackToItsSourceClass()
    {
        // Class 0: clean (0, ±1), poison (28, ±1); class 1: (30, 1) twice and (30, −1) twice. The retrained "model" is the
        // nearest centroid of the kept points (logits 2 μ·x − |μ|²). Without class 0's smaller cluster (the poison) the
        // centroids are (0, 0) and (30, 0): the poison is classified 1 (l = 0, p = 2: poison). Without one pair of class 1
        // they are (28/3, 0) and (30, ±1): the excluded pair (30, ∓1) is classified 1 (l = 2, p = 0: legitimate).
        double[][] points = [[0, 1], [0, -1], [0, 1], [0, -1], [28, 1], [28, -1], [30, 1], [30, -1], [30, 1], [30, -1]];
        var features = tensor(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Length, 2]);
        using var data = new LabeledData(features, tensor(new long[] { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }), 2);
        using var model = IdentityModel();
        var retrained = new List<int>();
        IClassifier NearestCentroid(LabeledData kept, CancellationToken ct)
        {
            retrained.Add(kept.Count);
            return NearestCentroidModel(kept);
        }
        var defense = new ActivationClustering(model, new ActivationClusteringOptions { Analysis = ClusterAnalysis.ExclusionaryReclassification, Whiten = false }, NearestCentroid);
        using var report = defense.Inspect(data);
        Assert.Equal([4L, 5], report.Flagged);
        Assert.Equal([8, 8], retrained);   // one model per class, each trained without that class's smaller cluster (2 points)
        Assert.Equal((0, 1, 2), (defense.LastClasses[0].KeptLabel!.Value, defense.LastClasses[0].OtherClass!.Value, defense.LastClasses[0].OtherClassCount!.Value));
        Assert.Equal((2, -1, 0), (defense.LastClasses[1].KeptLabel!.Value, defense.LastClasses[1].OtherClass!.Value, defense.LastClasses[1].OtherClassCount!.Value));
        Assert.True(defense.LastClasses[0].Poisoned);
        Assert.False(defense.LastClasses[1].Poisoned);
        Assert.Throws<ArgumentException>(() => new ActivationClustering(model, new ActivationClusteringOptions { Analysis = ClusterAnalysis.ExclusionaryReclassification }));
    }

    // The retrained "model" of exclusionary reclassification: the nearest centroid of the kept points of each class
    // (logits 2 μ·x − |μ|²), for two-dimensional points.
    private static TorchClassifier NearestCentroidModel(LabeledData kept)
    {
        var x = kept.Features.data<float>().ToArray();
        var y = kept.Labels.data<long>().ToArray();
        var classes = kept.ClassCount;
        var linear = nn.Linear(2, classes);
        using (no_grad())
        {
            for (var c = 0; c < classes; c++)
            {
                var idx = Enumerable.Range(0, y.Length).Where(i => y[i] == c).ToArray();
                var mx = idx.Average(i => x[2 * i]);
                var my = idx.Average(i => x[2 * i + 1]);
                linear.weight![c, 0] = tensor((float)(2 * mx));
                linear.weight![c, 1] = tensor((float)(2 * my));
                linear.bias![c] = tensor((float)-(mx * mx + my * my));
            }
        }
        return new TorchClassifier(linear, classes, new InputBounds(-100, 100), [2], ownsModule: true);
    }

    [Fact]
    public void TheOneTargetVariantKeepsOnlyTheMostRejectedCluster()
    {
        // Class 0: clean (0, ±1) twice, poison (28, ±1). Class 1: its usual way of writing, (40, ±1) twice, and an atypical
        // one, (47, 0), (53, ±1) (2-means: SSE 4 + 26 against 43.2 + 2 for any other split). Class 2: (60, ±1) twice.
        // Nearest centroids, by hand:
        // - without class 0's smaller cluster (the poison): class 0 at (0, 0), class 1 at (313/7, 0) = (44.7, 0), class 2 at
        //   (60, 0); the poison (28, ±1) is 28.0 from class 0 and 16.7 from class 1: l = 0, p = 2 (C = 1), l / p = 0.
        // - without class 1's atypical cluster: class 0 at (28/3, 0), class 1 at (40, 0), class 2 at (60, 0); (47, 0) is 7 from
        //   class 1 and 13 from class 2, (53, ±1) 13.04 from class 1 and 7.07 from class 2: l = 1, p = 2 (C = 2), l / p = 0.5:
        //   clean, but a model that never saw this way of writing calls most of it another class, so the paper's rule
        //   (l ≤ T·p, T = 1) flags it as it flags the poison.
        // - without one pair of class 2: the pair is 2 from its class's remaining pair: l = 2, p = 0, legitimate.
        double[][] points =
        [
            [0, 1], [0, -1], [0, 1], [0, -1], [28, 1], [28, -1],
            [40, 1], [40, -1], [40, 1], [40, -1], [47, 0], [53, 1], [53, -1],
            [60, 1], [60, -1], [60, 1], [60, -1],
        ];
        long[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
        var features = tensor(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Length, 2]);
        using var data = new LabeledData(features, tensor(labels), 3);
        var module = nn.Sequential(("representation", nn.Identity()), ("logits", nn.Linear(2, 3)));
        using var model = new TorchClassifier(module, 3, new InputBounds(-100, 100), [2], ownsModule: true);
        ActivationClusteringOptions Options(int maxClasses) => new()
        {
            Analysis = ClusterAnalysis.ExclusionaryReclassification, Whiten = false, MaxPoisonedClasses = maxClasses,
        };
        IClassifier Retrain(LabeledData kept, CancellationToken ct) => NearestCentroidModel(kept);

        var paper = new ActivationClustering(model, Options(0), Retrain);
        using (var report = paper.Inspect(data)) Assert.Equal([4L, 5, 10, 11, 12], report.Flagged);
        Assert.Equal((0, 1, 2), (paper.LastClasses[0].KeptLabel!.Value, paper.LastClasses[0].OtherClass!.Value, paper.LastClasses[0].OtherClassCount!.Value));
        Assert.Equal((1, 2, 2), (paper.LastClasses[1].KeptLabel!.Value, paper.LastClasses[1].OtherClass!.Value, paper.LastClasses[1].OtherClassCount!.Value));
        Assert.Equal((2, 0), (paper.LastClasses[2].KeptLabel!.Value, paper.LastClasses[2].OtherClassCount!.Value));

        var one = new ActivationClustering(model, Options(1), Retrain);
        using (var report = one.Inspect(data)) Assert.Equal([4L, 5], report.Flagged);
        Assert.Equal([true, false, false], one.LastClasses.Select(c => c.Poisoned));
        Assert.Equal((1, 2), (one.LastClasses[1].KeptLabel!.Value, one.LastClasses[1].OtherClassCount!.Value));   // still reported
        using (var two = new ActivationClustering(model, Options(2), Retrain).Inspect(data)) Assert.Equal([4L, 5, 10, 11, 12], two.Flagged);
        // A threshold below class 1's l / p = 0.5 flags the poison alone, as the one-target variant does.
        var tight = Options(0);
        tight.ReclassificationThreshold = 0.4;
        using (var report = new ActivationClustering(model, tight, Retrain).Inspect(data)) Assert.Equal([4L, 5], report.Flagged);

        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationClustering(model, Options(-1), Retrain));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationClustering(model, new ActivationClusteringOptions { MaxPoisonedClasses = 1 }));
    }

    [Fact]
    public void WhitenedComponentsAreThePrincipalComponentsAtUnitVariance()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 50).Select(_ => new[] { 5 * random.NextDouble(), random.NextDouble(), 0.1 * random.NextDouble() }).ToArray();
        var plain = KMeans.Pca(rows, 2);
        var white = KMeans.Pca(rows, 2, whiten: true);
        for (var j = 0; j < 2; j++)
        {
            var rms = Math.Sqrt(plain.Average(r => r[j] * r[j]));   // the components are centred: their RMS is their deviation
            Assert.Equal(1.0, white.Average(r => r[j] * r[j]), 9);
            Assert.All(Enumerable.Range(0, rows.Length), i => Assert.Equal(plain[i][j] / rms, white[i][j], 9));
        }
    }

    [Fact]
    public void WhiteningLetsTwoMeansIsolateALowVariancePoisonDirection()
    {
        // Class 0: six clean points spread along x (x = ±2, ±4, ±6, y = 0) and three poison points at (0, 1). By hand, plain
        // components: splitting at x = 0 (poison with one side) costs 8 + 33.5 = 41.5, isolating the poison 112; whitened
        // (x / sqrt(112/9) = x / 3.53, y / sqrt(2/9) = y / 0.471): isolating the poison costs 9.0, splitting at x = 0 about
        // 9.96. The test checks k-means' partition against an exhaustive search over every 2-partition (naive objective).
        double[][] points = [[-6, 0], [-4, 0], [-2, 0], [2, 0], [4, 0], [6, 0], [0, 1], [0, 1], [0, 1], [50, 0], [50, 2], [60, 0], [60, 2]];
        var features = tensor(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Length, 2]);
        using var data = new LabeledData(features, tensor(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }), 2);
        using var model = IdentityModel();
        var classZero = points.Take(9).ToArray();
        foreach (var whiten in new[] { false, true })
        {
            var defense = new ActivationClustering(model, new ActivationClusteringOptions { Whiten = whiten, Components = 2 });
            using var _ = defense.Inspect(data);
            var ours = defense.LastInSmallerCluster.Take(9).ToArray();
            var reduced = KMeans.Pca(classZero, 2, whiten);
            Assert.Equal(BestCost(reduced), Cost(reduced, ours), 9);
            Assert.Equal(whiten, ours.SequenceEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]));
            Assert.Equal(whiten ? 9.0 : 41.5, Cost(whiten ? classZero.Select(r => new[] { r[0] / Math.Sqrt(112.0 / 9), (r[1] - 1.0 / 3) / Math.Sqrt(2.0 / 9) }).ToArray() : classZero, ours), 6);
        }
    }

    // Within-cluster sum of squares of a 2-partition.
    private static double Cost(double[][] rows, int[] side)
    {
        var cost = 0.0;
        for (var c = 0; c < 2; c++)
        {
            var members = Enumerable.Range(0, rows.Length).Where(i => side[i] == c).ToArray();
            for (var d = 0; d < rows[0].Length; d++)
            {
                var mean = members.Average(i => rows[i][d]);
                cost += members.Sum(i => (rows[i][d] - mean) * (rows[i][d] - mean));
            }
        }
        return cost;
    }

    // The least cost over every 2-partition (exhaustive).
    private static double BestCost(double[][] rows) =>
        Enumerable.Range(1, (1 << (rows.Length - 1)) - 1).Min(mask => Cost(rows, Enumerable.Range(0, rows.Length).Select(i => (mask >> i) & 1).ToArray()));

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
