using NeuralShield.Attacks;
using NeuralShield.Defenses.Output;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>The checks every decision-based attack passes: its per-sample query budget and bounds, and indifference to a label-only output.</summary>
internal static class DecisionAttackChecks
{
    /// <summary>
    /// Runs <paramref name="attack"/> on three images of <see cref="TinyImageModel"/>, one sample per run so that the model's
    /// query counter is that sample's: at most <paramref name="budget"/> (plus the library's success check), inside the bounds.
    /// </summary>
    public static bool WithinBudgetAndBounds(IEvasionAttack<IClassifier> attack, int budget, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 3);
        var (x, labels) = TinyImageModel.Case(model, 3, seed: seed);
        for (var i = 0; i < 3; i++)
        {
            var before = model.QueryCount;
            using var result = attack.Run(model, x.narrow(0, i, 1), AttackGoal.Untargeted(labels.narrow(0, i, 1)));
            if (model.QueryCount - before > budget + 1) return false;
            if (!model.Bounds.Contains(result.Adversarials)) return false;
        }
        return true;
    }

    /// <summary>The attack's adversarials are the same through a label-only output (it uses labels only), and it fools some images.</summary>
    public static void LabelOnlyOutputChangesNothing(IEvasionAttack<IClassifier> attack)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 2);
        var (x, labels) = TinyImageModel.Case(model, 6, seed: 5);
        using var plain = attack.Run(model, x, AttackGoal.Untargeted(labels));
        using var defended = attack.Run(new OutputDefendedClassifier(model, new LabelOnlyOutput()), x, AttackGoal.Untargeted(labels));
        Assert.True(plain.Success.any().item<bool>());
        Assert.True(plain.Adversarials.eq(defended.Adversarials).all().item<bool>(), "the label-only output changed the attack");
        Assert.Equal(plain.Metrics.Queries, defended.Metrics.Queries);
    }
}
