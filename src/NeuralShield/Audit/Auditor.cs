using Microsoft.Extensions.Logging;
using NeuralShield.Reports;

namespace NeuralShield.Audit;

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
        if (o.Schema is { } schema && schema.FeatureCount != test.FeatureCount)
            throw new ArgumentException($"The schema describes {schema.FeatureCount} features but the test data have {test.FeatureCount}.", nameof(test));
        var data = new AuditData(attackerData, attacked ?? test, o.Seed, o.BatchSize) { Schema = o.Schema };
        var models = new List<ModelRecord>();
        var results = new List<AttackRecord>();
        var device = targets[0].Model.Device.ToString();
        foreach (var target in targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var accuracy = ModelAccuracy.Of(target.Model, test, o.BatchSize);
            models.Add(new ModelRecord(target.Name, target.Access, accuracy, test.Count));
            o.Progress?.Report($"{target.Name}: clean accuracy {accuracy:P1} on {test.Count} samples");
            using var cache = new AuditRunCache(entries);
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
