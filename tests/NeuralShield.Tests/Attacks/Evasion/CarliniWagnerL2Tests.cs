using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// Carlini–Wagner L2 against the closed form of a linear model: no adversarial can be nearer than the closest of the
/// half-spaces Z_j ≥ Z_y, (Z_y − Z_j)/‖w_y − w_j‖₂ (nor miss the margin κ it asked for), and on two classes (a convex problem) the attack must come within
/// a few percent of it. Also its bounds, its goals and its refusals.
/// </summary>
public class CarliniWagnerL2Tests
{
    private const int Features = 12, Classes = 4;

    /// <summary>A seeded linear model z = W x + b on the unit box, inputs in [0.3, 0.7] and the model's own labels.</summary>
    private static (TorchClassifier Model, Tensor X, Tensor Labels, Tensor W, Tensor B) Linear(long seed, int count, int classes = Classes)
    {
        using var generator = new Generator((ulong)seed);
        var layer = nn.Linear(Features, classes);
        Tensor w, b, x, labels;
        using (no_grad())
        {
            layer.weight!.copy_(randn(classes, Features, generator: generator));
            layer.bias!.copy_(randn(classes, generator: generator) * 0.2);
            w = layer.weight.detach().clone();
            b = layer.bias.detach().clone();
            x = rand(count, Features, generator: generator) * 0.4 + 0.3;
            labels = layer.forward(x).argmax(1);
        }
        return (new TorchClassifier(layer, classes, InputBounds.Unit, ownsModule: true), x, labels, w, b);
    }

    /// <summary>Per sample, the L2 distance to the half-space where class j reaches class y: (Z_y − Z_j)/‖w_y − w_j‖₂ [N].</summary>
    private static Tensor HalfSpaceDistance(Tensor x, Tensor y, Tensor j, Tensor w, Tensor b)
    {
        var z = x.matmul(w.t()) + b;
        var gap = z.gather(1, y.unsqueeze(1)).squeeze(1) - z.gather(1, j.unsqueeze(1)).squeeze(1);
        return gap / (w.index_select(0, y) - w.index_select(0, j)).norm(1, false, 2.0f);
    }

    /// <summary>The exact minimal untargeted L2 distance of a linear model: the nearest of the half-spaces of the other classes [N].</summary>
    private static Tensor ClosestBoundary(Tensor x, Tensor y, Tensor w, Tensor b)
    {
        var n = x.shape[0];
        var distances = Enumerable.Range(0, (int)w.shape[0])
            .Select(j => where(y.eq(j), full(n, float.PositiveInfinity), HalfSpaceDistance(x, y, full(n, j, dtype: ScalarType.Int64), w, b)))
            .ToArray();
        return stack(distances, 1).amin(1);
    }

    private static readonly CarliniWagnerOptions Quick = new() { BinarySearchSteps = 10, MaxIterations = 1000, LearningRate = 0.01, InitialConst = 0.01 };

    /// <summary>
    /// On two classes the problem is convex (‖δ‖² plus c times a hinge of a linear function), so the attack must find the
    /// closed-form minimum; on more classes max_{j≠y} Z_j makes it non-convex and only the lower bound holds (below).
    /// </summary>
    [Fact]
    public void ComesWithinAFewPercentOfTheExactMinimumOfALinearModel()
    {
        using var scope = NewDisposeScope();
        var (model, x, labels, w, b) = Linear(seed: 7, count: 16, classes: 2);
        using var _ = model;
        using var result = new CarliniWagnerL2(Quick).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.True(result.Success.all().item<bool>(), "a linear model is fooled everywhere within the box");
        var ratio = result.L2 / ClosestBoundary(x, labels, w, b);
        Assert.True(ratio.min().item<float>() >= 0.999f, $"below the exact minimum: {ratio.min().item<float>()}");
        Assert.True(ratio.max().item<float>() <= 1.05f, $"more than 5% above the exact minimum: {ratio.max().item<float>()}");
    }

    [Property(MaxTest = 8)]
    public bool StaysInTheBoundsAndNeverBeatsTheClosedForm(int seed, bool targeted, byte kappaByte)
    {
        using var scope = NewDisposeScope();
        var (model, x, labels, w, b) = Linear(seed, count: 6);
        using var _ = model;
        var goalLabels = targeted ? (labels + 1) % Classes : labels;
        var kappa = kappaByte % 3 * 0.5;
        var options = new CarliniWagnerOptions { BinarySearchSteps = 5, MaxIterations = 100, LearningRate = 0.02, Confidence = kappa };
        using var result = new CarliniWagnerL2(options).Run(model, x, targeted ? AttackGoal.Targeted(goalLabels) : AttackGoal.Untargeted(goalLabels));
        // The lower bound: untargeted, the nearest half-space; targeted, the half-space Z_t ≥ Z_y (a superset of the target's region).
        var bound = targeted ? HalfSpaceDistance(x, labels, goalLabels, w, b) : ClosestBoundary(x, labels, w, b);
        var z = result.Adversarials.matmul(w.t()) + b;
        var margins = NeuralShield.Attacks.Core.Objectives.Margins(z, goalLabels);
        var gain = targeted ? -margins : margins;
        var succeeded = result.Success.nonzero().squeeze(1);
        var fine = model.Bounds.Contains(result.Adversarials)
            // Each success meets the goal with the margin κ asked for.
            && gain.index_select(0, succeeded).ge(kappa - 1e-4).all().item<bool>()
            && result.L2.index_select(0, succeeded).ge(bound.index_select(0, succeeded) * 0.999f).all().item<bool>()
            // A failure keeps its input.
            && result.L2.index_select(0, result.Success.logical_not().nonzero().squeeze(1)).eq(0).all().item<bool>();
        return fine;
    }

    [Fact]
    public void RefusesBadSettingsAndInputs()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("BinarySearchSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CarliniWagnerL2(new CarliniWagnerOptions { BinarySearchSteps = 0 })).ParamName);
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new CarliniWagnerL2(new CarliniWagnerOptions { MaxIterations = 0 })).ParamName);
        Assert.Equal("InitialConst", Assert.Throws<ArgumentOutOfRangeException>(() => new CarliniWagnerL2(new CarliniWagnerOptions { InitialConst = 0 })).ParamName);
        Assert.Equal("Confidence", Assert.Throws<ArgumentOutOfRangeException>(() => new CarliniWagnerL2(new CarliniWagnerOptions { Confidence = -1 })).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new CarliniWagnerL2(new CarliniWagnerOptions { LearningRate = double.NaN })).ParamName);
        var (model, x, _, _, _) = Linear(seed: 1, count: 3);
        using var __ = model;
        var cw = new CarliniWagnerL2(new CarliniWagnerOptions { BinarySearchSteps = 1, MaxIterations = 2 });
        // A target class out of range.
        Assert.Throws<ArgumentOutOfRangeException>(() => cw.Run(model, x, AttackGoal.Targeted(full(3, Classes, dtype: ScalarType.Int64))));
        // A model without gradients: the attack's type takes only an IDifferentiableClassifier, and an ensemble that holds it names the access.
        Assert.Equal(ModelAccess.WhiteBox, cw.Descriptor.Access);
        Assert.False(typeof(IEvasionAttack<IClassifier>).IsAssignableFrom(typeof(CarliniWagnerL2)));
        var e = Assert.Throws<ArgumentException>(() => AutoAttackEvaluation.Evaluate(new ProbabilitiesOnlyClassifier(model), x, zeros(3, dtype: ScalarType.Int64),
            new AutoAttackOptions { Members = [cw] }));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("C&W L2 needs white-box access", e.Message);
    }
}
