using Microsoft.Extensions.Logging;
using NeuralShield.Reports;

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

    /// <inheritdoc />
    protected override void Validate()
    {
        if (TestSamples is { } t) Guard.Positive(t, nameof(TestSamples));
        Guard.Positive(BatchSize, nameof(BatchSize));
        ArgumentException.ThrowIfNullOrWhiteSpace(Dataset, nameof(Dataset));
        if (Entries is not null && Entries.Any(e => e is null)) throw new ArgumentException("Entries must not contain null.", nameof(Entries));
    }
}

/// <summary>
/// The audit pipeline: measures each model's clean accuracy, runs every entry against every model (skipping, with the
/// reason, what needs more access than the audit has), and returns one <see cref="AuditReport"/>.
/// </summary>
public sealed class Auditor
{
    private readonly AuditOptions _options;

    /// <summary>Creates the auditor; the options are validated and copied.</summary>
    public Auditor(AuditOptions? options = null) => _options = (options ?? new AuditOptions()).Validated();

    /// <summary>A copy of the validated settings.</summary>
    public AuditOptions Options => _options.Copy();

    /// <summary>Audits <paramref name="targets"/> on <paramref name="test"/>; <paramref name="attackerData"/> is what attacks that learn first may use.</summary>
    /// <exception cref="ArgumentException">No target, or a target whose class count differs from the data's.</exception>
    public AuditReport Run(IReadOnlyList<AuditTarget> targets, LabeledData attackerData, LabeledData test, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(attackerData);
        ArgumentNullException.ThrowIfNull(test);
        if (targets.Count == 0) throw new ArgumentException("At least one target is needed.", nameof(targets));
        foreach (var t in targets)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(targets));
            if (t.Model.ClassCount != test.ClassCount)
                throw new ArgumentException($"Target '{t.Name}' has {t.Model.ClassCount} classes but the test data {test.ClassCount}.", nameof(targets));
        }
        var o = _options;
        var entries = o.Entries ?? AttackCatalog.Standard(o.Seed);
        using var attacked = o.TestSamples is { } n && n < test.Count ? test.Take(n) : null;
        var data = new AuditData(attackerData, attacked ?? test, o.Seed, o.BatchSize);
        var models = new List<ModelRecord>();
        var results = new List<AttackRecord>();
        var device = targets[0].Model.Device.ToString();
        foreach (var target in targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var accuracy = ModelAccuracy.Of(target.Model, test, o.BatchSize);
            models.Add(new ModelRecord(target.Name, target.Access, accuracy, test.Count));
            o.Progress?.Report($"{target.Name}: clean accuracy {accuracy:P1} on {test.Count} samples");
            using var cache = new AuditRunCache();
            var shared = data with { Cache = cache };
            for (var i = 0; i < entries.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = entries[i];
                o.Steps?.Report(new AuditStep(target.Name, entry.Family, entry.Key, i, entries.Count, null));
                var record = entry.Run(target, shared, cancellationToken);
                o.Steps?.Report(new AuditStep(target.Name, entry.Family, entry.Key, i, entries.Count, record));
                results.Add(record);
                o.Logger?.LogInformation("{Model}: {Attack} ({Setting}) {Headline:P1}", target.Name, record.Attack.Name, record.Setting, record.Headline);
                if (o.Steps is null)
                    o.Progress?.Report($"{target.Name}: {record.Attack.Name} {(record.Error is not null ? "error: " + record.Error : record.Skipped is null ? $"{record.Headline:P1}" : "skipped: " + record.Skipped)}");
            }
        }
        return new AuditReport(DateTimeOffset.UtcNow, o.Dataset, device, o.Seed, models, results);
    }

    /// <summary>
    /// Trains <paramref name="recipe"/> on <paramref name="train"/> and audits it as a white-box target whose training
    /// data and recipe the auditor knows (so membership inference and poisoning entries run): the attacker holds
    /// <paramref name="attackerData"/> (disjoint from the training data for membership inference to mean anything).
    /// </summary>
    public AuditReport TrainAndRun(string name, ModelRecipe recipe, LabeledData train, LabeledData attackerData, LabeledData test, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(train);
        var validated = recipe.Validated();
        _options.Progress?.Report($"training {name} on {train.Count} samples");
        using var trained = validated.Train(train, logger: _options.Logger, cancellationToken: cancellationToken);
        var target = new AuditTarget(name, trained.Classifier) { TrainingData = train, Recipe = validated };
        return Run([target], attackerData, test, cancellationToken);
    }
}

/// <summary>A step of an audit: an entry starting (<paramref name="Record"/> null) or done.</summary>
/// <param name="Model">The target's name.</param>
/// <param name="Family">The entry's family.</param>
/// <param name="Key">The entry's key.</param>
/// <param name="Index">The entry's position (from 0).</param>
/// <param name="Total">Entries per target.</param>
/// <param name="Record">The run's record once it is done; null when it starts.</param>
public sealed record AuditStep(string Model, AuditFamily Family, string Key, int Index, int Total, AttackRecord? Record);
