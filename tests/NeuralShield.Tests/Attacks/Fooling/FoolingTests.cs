using FsCheck.Xunit;
using Xunit.Abstractions;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Fooling;

/// <summary>A 10-class MLP trained once on the embedded 8×8 digits for the fooling tests.</summary>
public sealed class FoolingFixture : IDisposable
{
    public FoolingFixture()
    {
        Data = Datasets.Digits();
        var module = ModelZoo.Mlp(64, [32], 10, Activation.ReLU, seed: 11);
        new Trainer(new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 1e-2, Seed = 11 }).Fit(module, Data);
        Model = new TorchClassifier(module, 10, InputBounds.Unit, inputShape: [1, 8, 8], ownsModule: true);
    }

    public LabeledData Data { get; }

    public TorchClassifier Model { get; }

    public static long[] SampleShape { get; } = [1, 8, 8];

    public void Dispose()
    {
        Model.Dispose();
        Data.Dispose();
    }
}

public class FoolingTests(FoolingFixture fixture, ITestOutputHelper output) : IClassFixture<FoolingFixture>
{
    private static readonly int[] AllClasses = Enumerable.Range(0, 10).ToArray();

    private TorchClassifier Model => fixture.Model;

    private static float[] Values(Tensor t) => t.cpu().to_type(ScalarType.Float32).data<float>().ToArray();

    [Fact]
    public void GradientAscentReachesThreeNinesForEveryClass()
    {
        var attack = new GradientAscentFooling(new GradientAscentFoolingOptions { StepSize = 0.02, Steps = 300, ConfidenceThreshold = 0.9999 });
        using var result = attack.Generate(Model, AllClasses, FoolingFixture.SampleShape);

        var confidences = Values(result.Confidences);
        output.WriteLine($"gradient ascent: {result.Metrics}");
        Assert.All(confidences, c => Assert.True(c >= 0.999, $"confidences {string.Join(", ", confidences)}"));
        Assert.Equal(1.0, result.Metrics.TargetPredictedRate);
        Assert.Equal(confidences.Min(), result.Metrics.MinConfidence, 5);
        Assert.Equal([10, 1, 8, 8], result.Images.shape);
        Assert.Equal(AllClasses, result.TargetClasses);
        Assert.InRange(result.Metrics.Queries, 10L * result.Metrics.Iterations, 10L * (result.Metrics.Iterations + 1));
    }

    [Fact]
    public void EvolutionReachesTwoNinesForEveryClassFromProbabilitiesAlone()
    {
        var blackBox = new ProbabilitiesOnlyClassifier(Model);
        var attack = new EvolutionaryFooling(new EvolutionaryFoolingOptions { PopulationSize = 50, Generations = 100, ConfidenceThreshold = 0.999, Seed = 3 });
        using var result = attack.Generate(blackBox, AllClasses, FoolingFixture.SampleShape);

        var confidences = Values(result.Confidences);
        output.WriteLine($"evolution: {result.Metrics}");
        Assert.All(confidences, c => Assert.True(c >= 0.99, $"confidences {string.Join(", ", confidences)}"));
        Assert.InRange(result.Metrics.Iterations, 1, 100);
        Assert.InRange(result.Metrics.Queries, 10L * 50, 10L * 50 * (result.Metrics.Iterations + 1));
    }

    [Fact]
    public void MapElitesRaisesEveryCellAboveItsStart()
    {
        var start = new EvolutionaryFooling(new EvolutionaryFoolingOptions { Strategy = EvolutionStrategy.MapElites, PopulationSize = 100, Generations = 1, Seed = 5 });
        var longer = new EvolutionaryFooling(new EvolutionaryFoolingOptions { Strategy = EvolutionStrategy.MapElites, PopulationSize = 100, Generations = 150, Seed = 5 });
        using var first = start.Generate(Model, AllClasses, FoolingFixture.SampleShape);
        using var last = longer.Generate(Model, AllClasses, FoolingFixture.SampleShape);

        var before = Values(first.Confidences);
        var after = Values(last.Confidences);
        output.WriteLine($"MAP-Elites: {first.Metrics} -> {last.Metrics}");
        for (var c = 0; c < 10; c++) Assert.True(after[c] >= before[c], $"class {c}: {before[c]} -> {after[c]}");
        Assert.True(last.Metrics.MinConfidence >= 0.99, $"MAP-Elites min confidence {last.Metrics.MinConfidence}");
        Assert.Equal(100L * (last.Metrics.Iterations + 1), last.Metrics.Queries);
    }

    [Fact]
    public void GradientAscentStopsOnceEverySampleReachesTheThreshold()
    {
        var attack = new GradientAscentFooling(new GradientAscentFoolingOptions { ConfidenceThreshold = 0.6, Steps = 1000, Start = FoolingStart.Gray });
        using var result = attack.Generate(Model, AllClasses, FoolingFixture.SampleShape);
        Assert.True(result.Metrics.Iterations < 1000, $"ran {result.Metrics.Iterations} steps");
        Assert.Equal(1.0, result.Metrics.ReachedThresholdRate);
        Assert.Equal(10L * (result.Metrics.Iterations + 1), result.Metrics.Queries);
    }

    [Fact]
    public void AttacksRunUnchangedAgainstADecoratedModel()
    {
        var scaled = new TemperatureScaledClassifier(Model, 5);
        using var ascent = new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 300, StepSize = 0.02 }).Generate(scaled, [2, 7], FoolingFixture.SampleShape);
        using var evolved = new EvolutionaryFooling(new EvolutionaryFoolingOptions { PopulationSize = 20, Generations = 30 }).Generate(scaled, [2, 7], FoolingFixture.SampleShape);
        using var probabilities = scaled.PredictProbabilities(ascent.Images);
        Assert.Equal(Values(probabilities.gather(1, tensor(new long[] { 2, 7 }).unsqueeze(1)).squeeze(1)), Values(ascent.Confidences));
        Assert.True(ascent.Metrics.TargetPredictedRate == 1.0, "gradient ascent through the decorator should reach its targets");
        Assert.True(scaled.QueryCount > 0);
        Assert.InRange(evolved.Metrics.MinConfidence, 0, 1);
    }

    [Property(MaxTest = 20)]
    public bool GradientAscentImagesStayInBounds(int seed, byte lowerByte, byte widthByte, byte startByte, bool logit, byte stepByte)
    {
        var bounds = new InputBounds(-lowerByte / 100f, -lowerByte / 100f + 0.1f + widthByte / 50f);
        using var model = RandomModel(seed, bounds);
        var attack = new GradientAscentFooling(new GradientAscentFoolingOptions
        {
            Start = (FoolingStart)(startByte % 3), Objective = logit ? FoolingObjective.Logit : FoolingObjective.LogSoftmax,
            Step = (AscentStep)(stepByte % 3), StepSize = 0.05 + stepByte / 100.0, Steps = 6, Seed = seed,
        });
        using var result = attack.Generate(model, [0, 3, 3, 1], [2, 3]);
        return InBounds(result, bounds, 4);
    }

    [Property(MaxTest = 20)]
    public bool EvolutionaryImagesStayInBounds(int seed, byte lowerByte, byte widthByte, bool mapElites, byte etaByte)
    {
        var bounds = new InputBounds(-lowerByte / 100f, -lowerByte / 100f + 0.1f + widthByte / 50f);
        using var model = RandomModel(seed, bounds);
        var attack = new EvolutionaryFooling(new EvolutionaryFoolingOptions
        {
            Strategy = mapElites ? EvolutionStrategy.MapElites : EvolutionStrategy.ElitistPopulation,
            PopulationSize = 6, ParentCount = 1 + etaByte % 8, Generations = 4, DistributionIndex = 1 + etaByte / 8.0, MutationRate = 0.5, Seed = seed,
        });
        using var result = attack.Generate(model, [1, 2, 0], [2, 3]);
        return InBounds(result, bounds, 3);
    }

    [Property(MaxTest = 15)]
    public bool SameSeedSameResult(int seed, bool mapElites)
    {
        using var model = RandomModel(seed, InputBounds.Unit);
        var evolution = new EvolutionaryFoolingOptions
        {
            Strategy = mapElites ? EvolutionStrategy.MapElites : EvolutionStrategy.ElitistPopulation, PopulationSize = 8, Generations = 5, Seed = seed,
        };
        var ascent = new GradientAscentFoolingOptions { Steps = 5, Seed = seed };
        using var e1 = new EvolutionaryFooling(evolution).Generate(model, [0, 1, 2], [2, 3]);
        using var e2 = new EvolutionaryFooling(evolution).Generate(model, [0, 1, 2], [2, 3]);
        using var g1 = new GradientAscentFooling(ascent).Generate(model, [3, 1], [2, 3]);
        using var g2 = new GradientAscentFooling(ascent).Generate(model, [3, 1], [2, 3]);
        return TensorAssert.Same(e1.Images, e2.Images) && TensorAssert.Same(g1.Images, g2.Images)
            && e1.Metrics.Iterations == e2.Metrics.Iterations && e1.Metrics.Queries == e2.Metrics.Queries;
    }

    [Property(MaxTest = 30)]
    public bool PolynomialMutationStaysInBoundsAndTouchesOnlyMaskedGenes(int seed, byte etaByte, byte lowerByte)
    {
        var bounds = new InputBounds(-lowerByte / 50f, 1f);
        using var generator = new Generator((ulong)seed);
        using var genes = rand([50, 20], generator: generator) * bounds.Range + bounds.Lower;
        using var u = rand([50, 20], generator: generator);
        using var mask = rand([50, 20], generator: generator).lt(0.3);
        using var mutated = PolynomialMutation.Apply(genes, u, mask, bounds, 0.5 + etaByte / 4.0);
        using var unchanged = mutated.eq(genes);
        using var untouched = unchanged.logical_or(mask).all();
        return untouched.item<bool>() && mutated.min().item<float>() >= bounds.Lower && mutated.max().item<float>() <= bounds.Upper;
    }

    [Fact]
    public void LargerDistributionIndexMeansSmallerMutations()
    {
        using var generator = new Generator(9);
        using var genes = rand([200, 50], generator: generator);
        using var u = rand([200, 50], generator: generator);
        using var mask = ones([200, 50], dtype: ScalarType.Bool);
        using var coarse = PolynomialMutation.Apply(genes, u, mask, InputBounds.Unit, 2);
        using var fine = PolynomialMutation.Apply(genes, u, mask, InputBounds.Unit, 15);
        var coarseStep = (coarse - genes).abs().mean().item<float>();
        var fineStep = (fine - genes).abs().mean().item<float>();
        Assert.True(fineStep < coarseStep, $"η = 15 moved {fineStep}, η = 2 moved {coarseStep}");
        Assert.True(fineStep > 0);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        var ascent = new GradientAscentFooling();
        Assert.Throws<ArgumentNullException>("model", () => ascent.Generate(null!, [0], [2]));
        Assert.Throws<ArgumentNullException>("targetClasses", () => ascent.Generate(Model, null!, [1, 8, 8]));
        Assert.Throws<ArgumentException>("targetClasses", () => ascent.Generate(Model, [], [1, 8, 8]));
        Assert.Throws<ArgumentOutOfRangeException>("targetClasses", () => ascent.Generate(Model, [10], [1, 8, 8]));
        Assert.Throws<ArgumentOutOfRangeException>("targetClasses", () => ascent.Generate(Model, [-1], [1, 8, 8]));
        Assert.Throws<ArgumentException>("sampleShape", () => ascent.Generate(Model, [1], []));
        Assert.Throws<ArgumentException>("sampleShape", () => ascent.Generate(Model, [1], [0, 8]));
        Assert.Throws<ArgumentOutOfRangeException>("StepSize", () => new GradientAscentFooling(new GradientAscentFoolingOptions { StepSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Steps", () => new GradientAscentFooling(new GradientAscentFoolingOptions { Steps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("ConfidenceThreshold", () => new GradientAscentFooling(new GradientAscentFoolingOptions { ConfidenceThreshold = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>("Start", () => new GradientAscentFooling(new GradientAscentFoolingOptions { Start = (FoolingStart)7 }));
        Assert.Throws<ArgumentOutOfRangeException>("PopulationSize", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { PopulationSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("ParentCount", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { ParentCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Generations", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { Generations = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("MutationRate", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { MutationRate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("MutationRateHalvingGenerations", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { MutationRateHalvingGenerations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("DistributionIndex", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { DistributionIndex = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>("ConfidenceThreshold", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { ConfidenceThreshold = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Strategy", () => new EvolutionaryFooling(new EvolutionaryFoolingOptions { Strategy = (EvolutionStrategy)9 }));
    }

    [Fact]
    public void OptionsAreCopied()
    {
        var options = new EvolutionaryFoolingOptions { PopulationSize = 12 };
        var attack = new EvolutionaryFooling(options);
        options.PopulationSize = 99;
        Assert.Equal(12, attack.Options.PopulationSize);
    }

    [Fact]
    public void CancellationStopsTheSearch()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new EvolutionaryFooling().Generate(Model, [0], FoolingFixture.SampleShape, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => new GradientAscentFooling().Generate(Model, [0], FoolingFixture.SampleShape, cancelled.Token));
    }

    private static TorchClassifier RandomModel(int seed, InputBounds bounds) =>
        new(ModelZoo.Mlp(6, [8], 4, Activation.Tanh, seed), 4, bounds, inputShape: [2, 3], ownsModule: true);

    private static bool InBounds(FoolingResult result, InputBounds bounds, int count)
    {
        var confidences = Values(result.Confidences);
        return result.Images.shape.SequenceEqual(new long[] { count, 2, 3 })
            && result.Images.min().item<float>() >= bounds.Lower && result.Images.max().item<float>() <= bounds.Upper
            && confidences.All(c => c is >= 0 and <= 1);
    }
}
