using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Poisoning;

public class LabelFlippingTests
{
    private static LabeledData Data(int count, int classes, long seed)
    {
        using var g = new Generator((ulong)seed);
        var x = rand([count, 3], generator: g);
        var y = randint(0, classes, [count], generator: g);
        return new LabeledData(x, y, classes);
    }

    [Property(MaxTest = 60)]
    public Property AnyClassFlipsExactlyTheBudgetAndNeverToItself(PositiveInt size, NonNegativeInt budget, int seed, bool nearest)
    {
        var count = 2 + size.Get % 60;
        var classes = 2 + Math.Abs(seed % 5);
        var requested = budget.Get % (count + 1);
        using var data = Data(count, classes, seed);
        using var surrogate = nearest ? TestModels.TrainedMlp(TestModels.Blobs(30, 3, seed), seed) : null;
        var options = new LabelFlipOptions { Budget = requested, Seed = seed, Selection = nearest && classes == 3 ? FlipSelection.NearestBoundary : FlipSelection.Random };
        using var poisoned = new LabelFlipping(options, options.Selection == FlipSelection.NearestBoundary ? surrogate : null).Poison(data);
        var before = data.Labels.data<long>().ToArray();
        var after = poisoned.Data.Labels.data<long>().ToArray();
        var changed = Enumerable.Range(0, count).Where(i => before[i] != after[i]).Select(i => (long)i).ToArray();
        return (changed.SequenceEqual(poisoned.Indices) && changed.Length == requested && TensorAssert.Same(data.Features, poisoned.Data.Features))
            .Label($"requested {requested}, changed {changed.Length}, reported {poisoned.Indices.Count}");
    }

    [Property(MaxTest = 60)]
    public bool ClassPairFlipsOnlySourceToTarget(PositiveInt size, int seed, NonNegativeInt pct)
    {
        var count = 10 + size.Get % 80;
        using var data = Data(count, 4, seed);
        var fraction = pct.Get % 101 / 100.0;
        var attack = new LabelFlipping(new LabelFlipOptions { Mode = LabelFlipMode.ClassPair, SourceClass = 2, TargetClass = 3, Fraction = fraction, Seed = seed });
        using var poisoned = attack.Poison(data);
        var before = data.Labels.data<long>().ToArray();
        var after = poisoned.Data.Labels.data<long>().ToArray();
        var sources = before.Count(y => y == 2);
        var changed = Enumerable.Range(0, count).Where(i => before[i] != after[i]).ToArray();
        return changed.Length == attack.CountFor(sources) && changed.All(i => before[i] == 2 && after[i] == 3);
    }

    [Fact]
    public void NearestBoundaryChoosesTheSmallestMarginsAndFlipsAcrossTheBoundary()
    {
        using var data = TestModels.Blobs(90, 4, seed: 3);
        using var model = TestModels.TrainedMlp(data, seed: 3);
        using var poisoned = new LabelFlipping(new LabelFlipOptions { Budget = 10, Selection = FlipSelection.NearestBoundary }, model).Poison(data);
        // Naive reference: margins log p_y − max_{j≠y} log p_j from the probabilities, smallest ten.
        using var p = model.PredictProbabilities(data.Features).to_type(ScalarType.Float64);
        var probs = p.data<double>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        var margins = Enumerable.Range(0, data.Count).Select(i =>
        {
            var row = probs.AsSpan(i * 3, 3).ToArray();
            var other = Enumerable.Range(0, 3).Where(j => j != labels[i]).Max(j => Math.Log(row[j]));
            return Math.Log(row[labels[i]]) - other;
        }).ToArray();
        var expected = Enumerable.Range(0, data.Count).OrderBy(i => margins[i]).ThenBy(i => i).Take(10).Select(i => (long)i).Order().ToArray();
        Assert.Equal(expected, poisoned.Indices);
        var after = poisoned.Data.Labels.data<long>().ToArray();
        foreach (var i in poisoned.Indices)
        {
            var row = probs.AsSpan((int)i * 3, 3).ToArray();
            var runnerUp = Enumerable.Range(0, 3).Where(j => j != labels[i]).MaxBy(j => row[j]);
            Assert.Equal(runnerUp, after[i]);
        }
    }

    [Fact]
    public void ABudgetBeyondTheEligiblePointsIsRefused()
    {
        using var data = Data(10, 2, 1);
        Assert.Throws<ArgumentException>(() => new LabelFlipping(new LabelFlipOptions { Budget = 11 }).Poison(data));
        Assert.Throws<ArgumentException>(() => new LabelFlipping(new LabelFlipOptions { Selection = FlipSelection.NearestBoundary }));
        Assert.Throws<ArgumentException>(() => new LabelFlipping(new LabelFlipOptions { Mode = LabelFlipMode.ClassPair, SourceClass = 1, TargetClass = 1 }));
    }
}
