namespace NeuralShield.Audit;

/// <summary>What an audit entry runs on: the attacker's own data (to fit attacks that learn first) and the test data to attack.</summary>
/// <param name="AttackerData">Data from the target's distribution the attacker holds (e.g. training images for a universal perturbation).</param>
/// <param name="Test">The labelled samples to attack.</param>
/// <param name="Seed">The audit's seed.</param>
/// <param name="BatchSize">Samples per model call.</param>
public sealed record AuditData(LabeledData AttackerData, LabeledData Test, long Seed, int BatchSize)
{
    /// <summary>What the entries of one target share within a run (e.g. the membership shadows); null: each entry makes its own.</summary>
    internal AuditRunCache? Cache { get; init; }

    /// <summary>What a valid record of the test data is (tabular data); null: none, evasion runs are judged as they are.</summary>
    public FeatureSchema? Schema { get; init; }
}
