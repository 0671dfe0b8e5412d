using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Models;
using NeuralShield.Tests.Attacks;
using NeuralShield.Tests.Attacks.Evasion;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Evaluation;

/// <summary>AutoAttack against its members run alone, and its refusals.</summary>
public class AutoAttackEvaluationTests
{
    private static IReadOnlyList<IEvasionAttack<IDifferentiableClassifier>> SmallMembers(double eps, long seed) =>
    [
        new Apgd(new ApgdOptions { Epsilon = eps, Steps = 10, Seed = seed }),
        new Apgd(new ApgdOptions { Epsilon = eps, Steps = 10, Loss = GradientLoss.Dlr, TargetClasses = 3, Seed = seed }),
        new Fab(new FabOptions { Epsilon = eps, Steps = 10, TargetClasses = 2, Seed = seed }),
        new SquareAttack(new SquareOptions { Epsilon = eps, MaxQueries = 50, Seed = seed }),
    ];

    /// <summary>
    /// The ensemble's robust accuracy against each member run alone on the same samples in the same batches. The first
    /// member sees exactly the same samples in both runs, so its survivors must include the ensemble's, sample by sample;
    /// later members see fewer samples in the ensemble (other random draws), so only the totals are compared. The cases
    /// are replayed from a fixed seed, so the test is deterministic.
    /// </summary>
    [Property(MaxTest = 6, Replay = "(12345,67891)")]
    public bool RobustAccuracyIsNeverAboveAnyMembersAlone(byte epsByte, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 7);
        var (x, predicted) = TinyImageModel.Case(model, 24, seed: seed);
        // True labels that the model gets partly wrong, so clean accuracy matters too.
        var labels = where(arange(24).remainder(4).eq(0), (predicted + 1) % TinyImageModel.Classes, predicted);
        var eps = 0.02 + epsByte / 255.0 * 0.15;
        var members = SmallMembers(eps, seed);
        var report = AutoAttackEvaluation.Evaluate(model, x, labels, new AutoAttackOptions { Epsilon = eps, Members = members, BatchSize = 10 });
        var ok = report.Rows.Count == members.Count && Math.Abs(report.Rows[^1].RobustAccuracy - report.RobustAccuracy) < 1e-12
            && report.Robust.Count(r => r) == (int)Math.Round(report.RobustAccuracy * 24);
        var correct = model.Predict(x).eq(labels);
        var flags = tensor(report.Robust.ToArray());
        var correctIndices = correct.nonzero().squeeze(1);
        for (var m = 0; m < members.Count; m++)
        {
            // Alone on the correctly classified samples, as the ensemble's first member sees them.
            using var alone = members[m].Run(model, x.index_select(0, correctIndices), AttackGoal.Untargeted(labels.index_select(0, correctIndices)), new RunOptions { BatchSize = 10 });
            var robustAlone = zeros(24, dtype: ScalarType.Bool).index_copy(0, correctIndices, alone.Success.logical_not());
            if (m == 0) ok &= !flags.logical_and(robustAlone.logical_not()).any().item<bool>();
            ok &= report.RobustAccuracy <= robustAlone.to_type(ScalarType.Float64).mean().item<double>() + 1e-12;
        }
        // The rows never rise and start at most at the clean accuracy.
        var previous = report.CleanAccuracy;
        foreach (var row in report.Rows)
        {
            ok &= row.RobustAccuracy <= previous + 1e-12;
            previous = row.RobustAccuracy;
        }
        return ok;
    }

    [Fact]
    public void AModelWithoutGradientsIsRefusedNamingTheAccess()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 4, seed: 1);
        var black = new ProbabilitiesOnlyClassifier(model);
        var e = Assert.Throws<ArgumentException>(() => AutoAttackEvaluation.Evaluate(black, x, labels));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("white-box access", e.Message);
        Assert.Contains("IDifferentiableClassifier", e.Message);
        // A score-based member alone runs on the black box.
        var square = AutoAttackEvaluation.Evaluate(black, x, labels, new AutoAttackOptions { Members = [new SquareAttack(new SquareOptions { MaxQueries = 20 })] });
        Assert.Single(square.Rows);
    }

    [Fact]
    public void RefusesBadSettings()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 4, seed: 1);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => AutoAttackEvaluation.Evaluate(model, x, labels, new AutoAttackOptions { Epsilon = 0 })).ParamName);
        Assert.Throws<ArgumentException>(() => AutoAttackEvaluation.Evaluate(model, x, labels, new AutoAttackOptions { Members = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => AutoAttackEvaluation.Evaluate(model, x, full(4, 7, dtype: ScalarType.Int64)));
    }

    [Fact]
    public void TheStandardVersionIsApgdCeApgdTFabTAndSquare()
    {
        var standard = AutoAttackEvaluation.Members(AutoAttackVersion.Standard, 0.3, NeuralShield.Metrics.Norm.LInf, 0);
        Assert.Equal(["APGD-CE", "APGD-T", "FAB-T", "Square L∞"], standard.Select(m => m.Descriptor.Name));
        var fab = ((Fab)standard[2]).Options;
        Assert.Equal((100, 1, 9, 0.3), (fab.Steps, fab.Restarts, fab.TargetClasses, fab.Epsilon));
        var l2 = AutoAttackEvaluation.Members(AutoAttackVersion.Standard, 1.5, NeuralShield.Metrics.Norm.L2, 0);
        Assert.Equal(["APGD-CE L2", "APGD-T L2", "FAB-T L2"], l2.Select(m => m.Descriptor.Name));
        var rand = AutoAttackEvaluation.Members(AutoAttackVersion.Rand, 0.3, NeuralShield.Metrics.Norm.LInf, 0);
        Assert.Equal(["APGD-CE", "APGD-DLR"], rand.Select(m => m.Descriptor.Name));
        Assert.All(rand, m => Assert.Equal(20, ((Apgd)m).Options.EotIterations));
    }
}
