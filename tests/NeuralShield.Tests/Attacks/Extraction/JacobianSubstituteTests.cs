using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Extraction;

/// <summary>The embedded digits with a trained MLP oracle, shared by the extraction tests.</summary>
public sealed class DigitsOracleFixture : IDisposable
{
    public DigitsOracleFixture()
    {
        using var all = Datasets.Digits();
        using var shuffled = all.Shuffle(11);
        Train = shuffled.Slice(0, 1200);
        Held = shuffled.Slice(1200, shuffled.Count - 1200);
        var module = ModelZoo.Mlp(64, [32], 10, Activation.ReLU, seed: 4);
        new Trainer(new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 1e-2, Seed = 4 }).Fit(module, Train);
        Oracle = new TorchClassifier(module, 10, InputBounds.Unit, [1, 8, 8], ownsModule: true);
    }

    public LabeledData Train { get; }

    /// <summary>Digits the oracle was not trained on: the attacker's seeds come from here, the transfer is judged on the rest.</summary>
    public LabeledData Held { get; }

    public TorchClassifier Oracle { get; }

    public void Dispose()
    {
        Oracle.Dispose();
        Train.Dispose();
        Held.Dispose();
    }
}

/// <summary>A black-box oracle that counts every sample it answers and refuses to answer beyond a hard limit.</summary>
internal sealed class CountingOracle(IClassifier inner, long limit = long.MaxValue) : ClassifierDecorator(inner)
{
    private long _answered;

    public long Answered => Interlocked.Read(ref _answered);

    public override Tensor PredictProbabilities(Tensor inputs)
    {
        if (Interlocked.Add(ref _answered, inputs.shape[0]) > limit) throw new InvalidOperationException("The oracle's query limit was exceeded.");
        return Inner.PredictProbabilities(inputs);
    }
}

public class JacobianSubstituteTests(DigitsOracleFixture digits) : IClassFixture<DigitsOracleFixture>
{
    private static ModelRecipe SmallRecipe(int features, int classes, int epochs = 3) => new()
    {
        Architecture = s => ModelZoo.Mlp(features, [16], classes, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = epochs, BatchSize = 32, LearningRate = 1e-2 },
    };

    [Fact]
    public void SeedsAreLabelledByTheOracleAndTheSetDoublesEachRound()
    {
        using var seeds = digits.Held.Take(30);
        var oracle = new CountingOracle(digits.Oracle);
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions { Rounds = 3, Substitute = SmallRecipe(64, 10, 10), Seed = 1 });
        using var result = attack.Extract(oracle, seeds.Features, new QueryBudget(6400));

        Assert.Equal(30 * 4, result.OracleQueries);
        Assert.Equal(attack.PlannedQueries(30), result.OracleQueries);
        Assert.Equal(result.OracleQueries, oracle.Answered);
        Assert.False(result.StoppedByBudget);
        Assert.Equal([30, 60, 120], result.Rounds.Select(r => r.TrainingSetSize));
        Assert.Equal([30L, 60, 120], result.Rounds.Select(r => r.OracleQueries));
        Assert.Equal(120, result.TrainingInputs.shape[0]);
        // The labels are the oracle's, the first rows the seeds themselves, every point inside the bounds.
        using var expected = digits.Oracle.Predict(result.TrainingInputs);
        Assert.True(TensorAssert.Same(expected, result.OracleLabels));
        using var head = result.TrainingInputs.narrow(0, 0, 30);
        Assert.True(TensorAssert.Same(head, seeds.Features));
        Assert.True(digits.Oracle.Bounds.Contains(result.TrainingInputs));
        // Each child differs from its parent by λ = 0.1 per feature at most (the sign step, clamped).
        using var children = result.TrainingInputs.narrow(0, 30, 30);
        using var step = (children - seeds.Features).abs().max();
        Assert.InRange(step.item<float>(), 0.099f, 0.1001f);
        Assert.True(result.Rounds[^1].OracleAgreement > 0.5);
    }

    [Fact]
    public void TheDefaultSubstituteIsAnMlpSizedFromTheSeeds()
    {
        using var seeds = digits.Held.Take(20);
        using var result = new JacobianSubstitute(new JacobianSubstituteOptions { Rounds = 2 }).Extract(digits.Oracle, seeds.Features, new QueryBudget(40));
        Assert.Equal(40, result.OracleQueries);
        Assert.Equal(digits.Oracle.Bounds, result.Substitute.Bounds);
        Assert.Equal(10, result.Substitute.ClassCount);
        Assert.Equal(10, result.Training.Epochs.Count);
    }

    [Fact]
    public void StepSignFlipsEveryTauRounds()
    {
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions { Lambda = 0.1, SignPeriod = 3 });
        Assert.Equal([0.1, 0.1, 0.1, -0.1, -0.1, -0.1, 0.1], Enumerable.Range(0, 7).Select(attack.StepAfterRound));
        // The cleverhans tutorial's schedule: -lambda after rounds 0-2, +lambda after 3 and 4.
        var tutorial = new JacobianSubstitute(new JacobianSubstituteOptions { Lambda = 0.1, SignPeriod = 3, FirstSign = SubstituteStepSign.Negative });
        Assert.Equal([-0.1, -0.1, -0.1, 0.1, 0.1], Enumerable.Range(0, 5).Select(tutorial.StepAfterRound));
    }

    [Fact]
    public void ReservoirSamplingCapsTheQueriesOfLaterRounds()
    {
        using var seeds = digits.Held.Take(20);
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = 5, ReservoirSize = 15, ReservoirStart = 2, Substitute = SmallRecipe(64, 10, 1), Seed = 2,
        });
        using var result = attack.Extract(new CountingOracle(digits.Oracle), seeds.Features, new QueryBudget(10_000));
        // n·2^σ + κ·(ρ − 1 − σ) = 20·4 + 15·2.
        Assert.Equal(20 * 4 + 15 * 2, result.OracleQueries);
        Assert.Equal(attack.PlannedQueries(20), result.OracleQueries);
    }

    [Property(MaxTest = 12)]
    public bool TheBudgetIsNeverExceeded(byte extra, byte rounds)
    {
        using var data = TestModels.Blobs(40, 4, seed: 3);
        using var oracle = TestModels.TrainedMlp(data, seed: 3);
        using var seeds = data.Take(8);
        var budget = new QueryBudget(8 + extra);
        var counting = new CountingOracle(oracle, budget.MaxQueries);
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions { Rounds = 1 + rounds % 6, Substitute = SmallRecipe(4, 3, 1) });
        using var result = attack.Extract(counting, seeds.Features, budget);
        var planned = attack.PlannedQueries(8);
        return result.OracleQueries <= budget.MaxQueries
               && counting.Answered == result.OracleQueries
               && result.StoppedByBudget == (planned > budget.MaxQueries)
               && (result.StoppedByBudget || result.OracleQueries == planned);
    }

    [Fact]
    public void ABudgetThatDoesNotCoverTheSeedsIsRefused()
    {
        using var seeds = digits.Held.Take(10);
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions { Substitute = SmallRecipe(64, 10) });
        var oracle = new CountingOracle(digits.Oracle);
        var e = Assert.Throws<ArgumentException>(() => attack.Extract(oracle, seeds.Features, new QueryBudget(9)));
        Assert.Contains("budget", e.Message);
        Assert.Equal(0, oracle.Answered);
    }

    [Fact]
    public void ContinuedTrainingAndLogitGradientsRun()
    {
        using var seeds = digits.Held.Take(20);
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = 3, Training = SubstituteTraining.Continue, Gradient = SubstituteGradient.Logits, Substitute = SmallRecipe(64, 10, 2),
        });
        using var result = attack.Extract(digits.Oracle, seeds.Features, new QueryBudget(80));
        Assert.Equal(80, result.OracleQueries);
        Assert.Equal(3, result.Rounds.Count);
    }

    [Fact]
    public void FgsmCraftedOnTheSubstituteTransfersToTheOracle()
    {
        using var seeds = digits.Held.Take(100);
        using var test = digits.Held.Slice(100, digits.Held.Count - 100);
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = 4,
            Substitute = new ModelRecipe
            {
                Architecture = s => ModelZoo.Mlp(64, [64, 64], 10, Activation.ReLU, s),
                Training = new TrainingOptions { Epochs = 20, BatchSize = 32, LearningRate = 3e-3 },
            },
            RoundEvaluation = m => ModelAccuracy.Of(m, test),
        });
        using var result = attack.Extract(digits.Oracle, seeds.Features, new QueryBudget(6400));
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.3 });
        var transfer = TransferEvaluation.Transfer(fgsm, result.Substitute, digits.Oracle, test.Features, test.Labels);
        using var noise = RandomSignNoise(test.Features, 0.3);
        using var noisePredictions = digits.Oracle.Predict(noise);
        var noiseError = noisePredictions.ne(test.Labels).to_type(ScalarType.Float64).mean().item<double>();
        Assert.True(result.Rounds[^1].Evaluation > 0.5, $"substitute accuracy {result.Rounds[^1].Evaluation}");
        Assert.True(transfer.SuccessRate > noiseError + 0.2, $"transfer {transfer.SuccessRate:P1}, random sign noise {noiseError:P1}");
    }

    private static Tensor RandomSignNoise(Tensor x, double epsilon)
    {
        using var g = new Generator(5);
        using var signs = rand(x.shape, generator: g).lt(0.5).to_type(ScalarType.Float32) * 2 - 1;
        return (x + epsilon * signs).clamp(0, 1);
    }
}
