using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Data;

public class SanitizerTests
{
    [Fact]
    public void KnnRelabelsFlippedPointsOfSeparatedClusters()
    {
        using var data = TestModels.Blobs(300, 5, seed: 7);
        using var poisoned = new LabelFlipping(new LabelFlipOptions { Fraction = 0.2, Seed = 1 }).Poison(data);
        using var report = new KnnLabelSanitizer().Inspect(poisoned);
        Assert.True(report.Detection!.Value.Recall > 0.95, report.Detection.ToString());
        Assert.True(report.Detection!.Value.Precision > 0.95, report.Detection.ToString());
        Assert.Equal(data.Count, report.Cleaned.Count);
        using var agree = report.Cleaned.Labels.eq(data.Labels);
        Assert.True(agree.to_type(ScalarType.Float32).mean().item<float>() > 0.98f);
    }

    [Fact]
    public void KnnMatchesANaiveVote()
    {
        using var data = TestModels.Blobs(60, 3, seed: 8);
        using var poisoned = new LabelFlipping(new LabelFlipOptions { Fraction = 0.3, Seed = 2 }).Poison(data);
        using var report = new KnnLabelSanitizer(new KnnSanitizerOptions { K = 5, Eta = 0.6, Action = SanitizeAction.Remove, BlockSize = 7 }).Inspect(poisoned.Data);
        var x = poisoned.Data.Features.data<float>().ToArray();
        var y = poisoned.Data.Labels.data<long>().ToArray();
        var expected = new List<long>();
        for (var i = 0; i < y.Length; i++)
        {
            var neighbours = Enumerable.Range(0, y.Length).Where(j => j != i)
                .OrderBy(j => Enumerable.Range(0, 3).Sum(f => Math.Pow(x[i * 3 + f] - x[j * 3 + f], 2))).Take(5).ToArray();
            var top = neighbours.GroupBy(j => y[j]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
            if (top.Count() >= 0.6 * 5 && top.Key != y[i]) expected.Add(i);
        }
        Assert.Equal(expected, report.Flagged);
        Assert.Equal(y.Length - expected.Count, report.Cleaned.Count);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.2)]
    public void KnnRelabelOrRemoveMatchesANaiveVote(double maxOwnShareToRemove)
    {
        using var data = TestModels.Blobs(60, 3, seed: 10);
        using var poisoned = new LabelFlipping(new LabelFlipOptions { Fraction = 0.35, Seed = 4 }).Poison(data);
        using var report = new KnnLabelSanitizer(new KnnSanitizerOptions { K = 5, Eta = 0.8, Action = SanitizeAction.RelabelOrRemove, BlockSize = 11, MaxOwnShareToRemove = maxOwnShareToRemove })
            .Inspect(poisoned.Data);
        var x = poisoned.Data.Features.data<float>().ToArray();
        var y = poisoned.Data.Labels.data<long>().ToArray();
        var flagged = new List<long>();
        var keptLabels = new List<long>();
        var removedPoints = new List<long>();
        int relabelled = 0, spared = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var neighbours = Enumerable.Range(0, y.Length).Where(j => j != i)
                .OrderBy(j => Enumerable.Range(0, 3).Sum(f => Math.Pow(x[i * 3 + f] - x[j * 3 + f], 2))).Take(5).ToArray();
            var top = neighbours.GroupBy(j => y[j]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
            var own = neighbours.Count(j => y[j] == y[i]);
            if (top.Count() >= 0.8 * 5 && top.Key != y[i])
            {
                flagged.Add(i);
                keptLabels.Add(top.Key);
                relabelled++;
            }
            else if (own < top.Count() && own <= maxOwnShareToRemove * 5)
            {
                flagged.Add(i);
                removedPoints.Add(i);
            }
            else
            {
                keptLabels.Add(y[i]);
                if (own < top.Count()) spared++;
            }
        }
        Assert.Equal(flagged, report.Flagged);
        Assert.True(relabelled > 0 && removedPoints.Count > 0, $"the case must relabel and remove ({relabelled} relabelled, {removedPoints.Count} removed)");
        // Below 1 the threshold must spare some outvoted point, or it would not be tested.
        Assert.Equal(maxOwnShareToRemove < 1, spared > 0);
        Assert.Equal(removedPoints, report.Removed);
        Assert.Equal(Enumerable.Range(0, y.Length).Select(i => (long)i).Except(removedPoints), report.Kept);
        Assert.Equal(y.Length - removedPoints.Count, report.Cleaned.Count);
        Assert.Equal(keptLabels, report.Cleaned.Labels.data<long>().ToArray());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void KnnRejectsARemovalShareOutsideTheUnitInterval(double share)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new KnnLabelSanitizer(new KnnSanitizerOptions { MaxOwnShareToRemove = share, Action = SanitizeAction.RelabelOrRemove }));
        Assert.Equal(nameof(KnnSanitizerOptions.MaxOwnShareToRemove), e.ParamName);
    }

    [Theory]
    [InlineData(SanitizeAction.Relabel)]
    [InlineData(SanitizeAction.Remove)]
    public void KnnRejectsARemovalShareTheActionWouldIgnore(SanitizeAction action)
    {
        var e = Assert.Throws<ArgumentException>(() => new KnnLabelSanitizer(new KnnSanitizerOptions { MaxOwnShareToRemove = 0.5, Action = action }));
        Assert.Equal(nameof(KnnSanitizerOptions.MaxOwnShareToRemove), e.ParamName);
    }

    [Fact]
    public void ASanitizationReportChecksItsRemovedPoints()
    {
        using var data = TestModels.Blobs(10, 3, seed: 1);
        Assert.Equal("removed", Assert.Throws<ArgumentException>(() => new SanitizationReport("d", [1, 2], data.Slice(0, 9), SanitizeAction.RelabelOrRemove)).ParamName);
        Assert.Equal("removed", Assert.Throws<ArgumentException>(() => new SanitizationReport("d", [1, 2], data.Slice(0, 9), SanitizeAction.Remove, removed: [3])).ParamName);
        using var report = new SanitizationReport("d", [1, 2], data.Slice(0, 8), SanitizeAction.Remove);
        Assert.Equal([1L, 2L], report.Removed);
        Assert.Equal([0L, 3, 4, 5, 6, 7, 8, 9], report.Kept);
    }

    [Fact]
    public void LossOutliersAreTheHighestLosses()
    {
        using var data = TestModels.Blobs(120, 4, seed: 9);
        using var model = TestModels.TrainedMlp(data, seed: 9);
        using var poisoned = new LabelFlipping(new LabelFlipOptions { Budget = 12, Seed = 3 }).Poison(data);
        using var report = new LossOutlierSanitizer(model, new LossSanitizerOptions { RemoveFraction = 0.1 }).Inspect(poisoned);
        Assert.Equal(12, report.Flagged.Count);
        Assert.True(report.Detection!.Value.Recall >= 0.9, report.Detection.ToString());
        Assert.Equal(108, report.Cleaned.Count);
    }

    [Fact]
    public void KMeansSeparatesTwoClustersAndPcaKeepsTheSpread()
    {
        var random = new Random(1);
        var points = Enumerable.Range(0, 100).Select(i => new[] { (i < 30 ? 5.0 : 0.0) + random.NextDouble(), random.NextDouble(), random.NextDouble() }).ToArray();
        var result = KMeans.Fit(points, 2, seed: 4);
        var first = result.Assignments[0];
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(first, result.Assignments[i]));
        Assert.All(Enumerable.Range(30, 70), i => Assert.NotEqual(first, result.Assignments[i]));
        Assert.True(KMeans.Silhouette(points, result.Assignments) > 0.6);
        var reduced = KMeans.Pca(points, 1);
        Assert.Single(reduced[0]);
        Assert.True(Math.Abs(reduced[0][0] - reduced[50][0]) > 3);
    }

    [Fact]
    public void SpectralScoresPutAPlantedDirectionOnTop()
    {
        var random = new Random(2);
        var rows = Enumerable.Range(0, 200).Select(i => Enumerable.Range(0, 6).Select(d => random.NextDouble() + (i < 20 && d == 2 ? 3.0 : 0.0)).ToArray()).ToArray();
        var scores = SpectralSignatures.Scores(rows);
        var top = Enumerable.Range(0, 200).OrderByDescending(i => scores[i]).Take(20).ToHashSet();
        Assert.True(top.Count(i => i < 20) >= 19);
    }

    [Fact]
    public void RepresentationDefensesFindABackdoorInTheDigits()
    {
        using var digits = Datasets.Digits();
        // 30 triggered images relabelled 3: about 15% of class 3.
        var trigger = BackdoorTrigger.Square([1, 8, 8], size: 3);
        using var poisoned = new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 3, Budget = 30, Seed = 5 }).Poison(digits);
        var module = ModelZoo.Mlp(64, [64, 32], 10, Activation.ReLU, seed: 5);
        new Trainer(new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 3e-3, Seed = 5 }).Fit(module, poisoned.Data);
        using var model = new TorchClassifier(module, 10, ownsModule: true);
        using var spectral = new SpectralSignatures(model, new SpectralSignatureOptions { Epsilon = 0.2 }).Inspect(poisoned);
        using var clustering = new ActivationClustering(model).Inspect(poisoned);
        Assert.True(spectral.Detection!.Value.Recall > 0.75, spectral.Detection.ToString());
        Assert.True(clustering.Detection!.Value.Recall > 0.85, clustering.Detection.ToString());
        using var penultimate = Sanitizers.Representation(model, digits.Features);
        Assert.Equal([digits.Count, 32L], penultimate.shape);
    }
}
