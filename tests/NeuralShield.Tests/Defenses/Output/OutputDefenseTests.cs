using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Defenses;
using NeuralShield.Data;
using NeuralShield.Defenses.Output;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Output;

/// <summary>Rounds every probability to one decimal.</summary>
internal sealed class RoundToOneDecimal : IOutputDefense
{
    public DefenseDescriptor Descriptor => new("round 0.1", DefenseKind.Output, null, [AttackFamily.Extraction]);

    public Tensor Transform(Tensor probabilities)
    {
        using var scaled = probabilities * 10;
        using var rounded = scaled.round();
        return rounded / 10;
    }
}

/// <summary>Squares the probabilities and renormalises them (a sharpening that does not commute with rounding).</summary>
internal sealed class SquareAndRenormalise : IOutputDefense
{
    public DefenseDescriptor Descriptor => new("square", DefenseKind.Output, null, [AttackFamily.Inference]);

    public Tensor Transform(Tensor probabilities)
    {
        using var squared = probabilities.square();
        using var total = squared.sum(1, keepdim: true);
        return squared / total;
    }
}

/// <summary>
/// Shifts the probabilities one class to the right (class c reveals what the model gave class c − 1). It breaks the
/// class-keeping contract of output defenses on purpose, so that whose predictions judge an attack becomes visible.
/// </summary>
internal sealed class ShiftClasses : IOutputDefense
{
    public DefenseDescriptor Descriptor => new("shift", DefenseKind.Output, null, []);

    public Tensor Transform(Tensor probabilities) => probabilities.roll(1, 1);
}

/// <summary>
/// <see cref="OutputDefenses.Apply(IOutputDefense, IClassifier)"/> and its differentiable overload reveal the defense's
/// output while keeping the undefended logits for gradients; <see cref="OutputDefenses.Stack"/> applies in order.
/// </summary>
public sealed class OutputDefenseTests : IDisposable
{
    private readonly LabeledData data = TestModels.Blobs(40, 4, seed: 11);
    private readonly TorchClassifier model;

    public OutputDefenseTests() => model = TestModels.TrainedMlp(data, seed: 11);

    public void Dispose()
    {
        model.Dispose();
        data.Dispose();
    }

    private static Tensor ByHand(IOutputDefense defense, IClassifier model, Tensor x)
    {
        using var p = model.PredictProbabilities(x);
        return defense.Transform(p);
    }

    [Fact]
    public void TheBlackBoxViewRevealsTheTransformedProbabilitiesExactly()
    {
        var defense = new RoundToOneDecimal();
        var defended = defense.Apply((IClassifier)model);
        Assert.IsNotAssignableFrom<IDifferentiableClassifier>(defended);
        using var revealed = defended.PredictProbabilities(data.Features);
        using var expected = ByHand(defense, model, data.Features);
        Assert.True(TensorAssert.Same(expected, revealed));
        // Rounding actually changed something, so the comparison is not with the raw output.
        using var raw = model.PredictProbabilities(data.Features);
        Assert.False(TensorAssert.Same(raw, revealed));
        using var tenths = revealed * 10;
        using var frac = tenths - tenths.round();
        Assert.True(frac.abs().max().item<float>() < 1e-5f);
        Assert.Equal(model.ClassCount, defended.ClassCount);
        Assert.Equal(model.Bounds, defended.Bounds);
    }

    [Fact]
    public void TheBlackBoxViewCountsTheInnerModelsQueries()
    {
        var defended = new RoundToOneDecimal().Apply((IClassifier)model);
        var before = model.QueryCount;
        using var _ = defended.PredictProbabilities(data.Features);
        Assert.Equal(before + data.Count, model.QueryCount);
        Assert.Equal(model.QueryCount, defended.QueryCount);
    }

    [Fact]
    public void TheDifferentiableViewKeepsTheUndefendedLogitsAndRevealsTheDefendedOutput()
    {
        var defense = new RoundToOneDecimal();
        var defended = defense.Apply((IDifferentiableClassifier)model);
        using var logits = defended.Logits(data.Features);
        using var undefended = model.Logits(data.Features);
        Assert.True(TensorAssert.Same(undefended, logits));
        Assert.True(logits.requires_grad);

        using var revealed = defended.PredictProbabilities(data.Features);
        using var expected = ByHand(defense, model, data.Features);
        Assert.True(TensorAssert.Same(expected, revealed));
        using var softmax = undefended.softmax(1);
        Assert.False(TensorAssert.Same(softmax, revealed));
    }

    [Fact]
    public void FgsmOnTheDefendedViewMakesTheUndefendedAdversarials()
    {
        var defended = new RoundToOneDecimal().Apply((IDifferentiableClassifier)model);
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.15 });
        using var onDefended = fgsm.Run(defended, data.Features, AttackGoal.Untargeted(data.Labels));
        using var onModel = fgsm.Run(model, data.Features, AttackGoal.Untargeted(data.Labels));
        Assert.True(TensorAssert.Same(onModel.Adversarials, onDefended.Adversarials));
    }

    [Fact]
    public void TheSuccessOfAnAttackOnTheDefendedViewIsJudgedOnTheDefendedOutput()
    {
        var defense = new ShiftClasses();
        var defended = defense.Apply((IDifferentiableClassifier)model);
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.15 });
        using var onDefended = fgsm.Run(defended, data.Features, AttackGoal.Untargeted(data.Labels));
        using var onModel = fgsm.Run(model, data.Features, AttackGoal.Untargeted(data.Labels));
        Assert.True(TensorAssert.Same(onModel.Adversarials, onDefended.Adversarials));

        // The defended predictions are the undefended ones shifted by one class (argmax of a rolled row).
        using var defendedPredictions = ByHand(defense, model, onDefended.Adversarials).argmax(1);
        using var undefendedPredictions = model.PredictProbabilities(onModel.Adversarials).argmax(1);
        Assert.True(TensorAssert.Same(defendedPredictions, onDefended.Predictions));
        Assert.True(TensorAssert.Same(undefendedPredictions, onModel.Predictions));
        Assert.False(TensorAssert.Same(onDefended.Predictions, onModel.Predictions));

        using var expectedSuccess = defendedPredictions.ne(data.Labels);
        Assert.True(TensorAssert.Same(expectedSuccess, onDefended.Success));
        var expectedRate = expectedSuccess.to_type(ScalarType.Float64).mean().item<double>();
        Assert.Equal(expectedRate, onDefended.Metrics.SuccessRate, 12);
        Assert.NotEqual(onModel.Metrics.SuccessRate, onDefended.Metrics.SuccessRate);
    }

    [Fact]
    public void StackAppliesTheDefensesInOrder()
    {
        var round = new RoundToOneDecimal();
        var square = new SquareAndRenormalise();
        using var p = model.PredictProbabilities(data.Features);

        using var roundedFirst = round.Transform(p);
        using var roundThenSquare = square.Transform(roundedFirst);
        using var squaredFirst = square.Transform(p);
        using var squareThenRound = round.Transform(squaredFirst);
        // The two orders differ, so the comparison below tells them apart.
        Assert.False(TensorAssert.Same(roundThenSquare, squareThenRound));

        using var stacked = OutputDefenses.Stack(round, square).Transform(p);
        using var reversed = OutputDefenses.Stack(square, round).Transform(p);
        Assert.True(TensorAssert.Same(roundThenSquare, stacked));
        Assert.True(TensorAssert.Same(squareThenRound, reversed));

        var defended = OutputDefenses.Stack(round, square).Apply((IClassifier)model);
        using var revealed = defended.PredictProbabilities(data.Features);
        Assert.True(TensorAssert.Same(roundThenSquare, revealed));
    }

    [Fact]
    public void AStackDoesNotDisposeTheProbabilitiesItIsGiven()
    {
        using var p = model.PredictProbabilities(data.Features);
        using var copy = p.clone();
        using var _ = OutputDefenses.Stack(new RoundToOneDecimal(), new SquareAndRenormalise()).Transform(p);
        Assert.True(TensorAssert.Same(copy, p));
    }

    [Fact]
    public void AStackDescribesItsMembers()
    {
        var stack = OutputDefenses.Stack(new RoundToOneDecimal(), new SquareAndRenormalise());
        Assert.Equal("round 0.1 + square", stack.Descriptor.Name);
        Assert.Equal(DefenseKind.Output, stack.Descriptor.Kind);
        Assert.Equal([AttackFamily.Extraction, AttackFamily.Inference], stack.Descriptor.Counters);
        Assert.Throws<ArgumentException>(() => OutputDefenses.Stack());
        Assert.Throws<ArgumentException>(() => OutputDefenses.Stack(new RoundToOneDecimal(), null!));
    }
}
