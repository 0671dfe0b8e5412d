using NeuralShield.Attacks;
using NeuralShield.Metrics;
using NeuralShield.Models;

namespace NeuralShield.Evaluation;

/// <summary>Settings of <see cref="AutoAttackEvaluation"/>.</summary>
public sealed class AutoAttackOptions : OptionsBase<AutoAttackOptions>
{
    /// <summary>Radius ε. AutoAttack's MNIST setting: 0.3 (L∞).</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary><see cref="Norm.LInf"/> or <see cref="Norm.L2"/> (L2 has no Square member).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>The ensemble. Default <see cref="AutoAttackVersion.Standard"/>.</summary>
    public AutoAttackVersion Version { get; set; } = AutoAttackVersion.Standard;

    /// <summary>
    /// The members to run in order instead of <see cref="Version"/>'s (AutoAttack's <c>custom</c> version); null: the version's.
    /// Members that need gradients are run only on an <see cref="IDifferentiableClassifier"/>.
    /// </summary>
    public IReadOnlyList<IEvasionAttack<IDifferentiableClassifier>>? Members { get; set; }

    /// <summary>Seed of every member.</summary>
    public long Seed { get; set; }

    /// <summary>Samples attacked at once (AutoAttack: 250); null: all at once.</summary>
    public int? BatchSize { get; set; } = 250;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "AutoAttack supports the L∞ and L2 balls.");
        Guard.Defined(Version, nameof(Version));
        if (Members is { } m && (m.Count == 0 || m.Any(a => a is null))) throw new ArgumentException("Members must hold at least one attack and no null.", nameof(Members));
        if (BatchSize is { } b) Guard.Positive(b, nameof(BatchSize));
    }
}
