using Microsoft.Extensions.Logging;

namespace NeuralShield.Audit;

/// <summary>Settings of <see cref="Auditor"/>.</summary>
public sealed class AuditOptions : OptionsBase<AuditOptions>
{
    /// <summary>Seed of every stochastic component. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>The entries to run. Null: <see cref="AttackCatalog.Standard"/> with <see cref="Seed"/>.</summary>
    public IReadOnlyList<AuditEntry>? Entries { get; set; }

    /// <summary>At most this many test samples are attacked (the first ones). Null: all.</summary>
    public int? TestSamples { get; set; }

    /// <summary>Samples per model call. Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>A name for the data in the report. Default "test data".</summary>
    public string Dataset { get; set; } = "test data";

    /// <summary>Receives a line per model trained or measured, and per attack run when <see cref="Steps"/> is null.</summary>
    public IProgress<string>? Progress { get; set; }

    /// <summary>Receives a step when each entry starts and when it ends (for progress bars).</summary>
    public IProgress<AuditStep>? Steps { get; set; }

    /// <summary>Receives one message per attack run.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// What a valid record of the (tabular) data is. When set, each evasion run is also judged on its adversarial rows
    /// made valid records (<see cref="Evaluation.ConstrainedEvasion"/>), and shows changed fields instead of images. Null: none.
    /// </summary>
    public FeatureSchema? Schema { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (TestSamples is { } t) Guard.Positive(t, nameof(TestSamples));
        Guard.Positive(BatchSize, nameof(BatchSize));
        ArgumentException.ThrowIfNullOrWhiteSpace(Dataset, nameof(Dataset));
        if (Entries is not null && Entries.Any(e => e is null)) throw new ArgumentException("Entries must not contain null.", nameof(Entries));
    }
}
