using System.Runtime.ExceptionServices;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Evaluation;

namespace NeuralShield.Audit;

/// <summary>
/// What the entries of one audit target share within a run, made on first use and disposed with the cache: the
/// membership candidates and shadow sets, and the poisoning entries' retrained models (all the run's poisoning entries
/// retrained as one stacked ensemble when their models stack, the same models up to floating-point summation order).
/// </summary>
internal sealed class AuditRunCache(IReadOnlyList<AuditEntry>? entries = null) : IDisposable
{
    /// <summary>Poisoned training sets batched at most (features × records × models): larger data retrain one entry at a time.</summary>
    private const long MaxBatchedValues = 64L << 20;

    private readonly Dictionary<(string Target, AuditShadows? Shadows, int Samples), (MembershipCandidates Candidates, MembershipEvaluation Evaluation)> _membership = [];
    private readonly Dictionary<(string Target, AuditEntry Entry), (PoisoningMetrics Poisoning, PoisoningOutcome Outcome)?> _poisoning = [];
    private readonly Dictionary<(string Target, AuditEntry Entry), ExceptionDispatchInfo> _poisoningErrors = [];

    /// <summary>
    /// The poisoned training set's measures and the retrained model's outcome for <paramref name="entry"/>. On the first
    /// call for a target, every applicable poisoning entry of the run is poisoned and, when their models stack, all are
    /// retrained at once; an entry whose attack failed gets its exception when it asks.
    /// </summary>
    public (PoisoningMetrics Poisoning, PoisoningOutcome Outcome) Poisoning(AuditEntry.PoisoningEntry entry, AuditTarget target, AuditData data, CancellationToken cancellationToken)
    {
        var key = (target.Name, (AuditEntry)entry);
        if (_poisoningErrors.TryGetValue(key, out var error)) error.Throw();
        if (_poisoning.TryGetValue(key, out var done) && done is { } found) return found;
        if (_poisoning.ContainsKey(key)) return entry.Alone(target, data, cancellationToken);
        var batch = (entries ?? []).OfType<AuditEntry.PoisoningEntry>().Where(e => e != entry && e.NotApplicable(target, data) is null).Prepend(entry).ToArray();
        var values = target.TrainingData!.Features.numel() * batch.Length;
        if (batch.Length < 2 || values > MaxBatchedValues) return entry.Alone(target, data, cancellationToken);
        var poisoned = new List<(AuditEntry.PoisoningEntry Entry, PoisonedData Data)>();
        try
        {
            foreach (var e in batch)
            {
                try
                {
                    poisoned.Add((e, e.Poisoner.Poison(target.TrainingData!, cancellationToken: cancellationToken)));
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    _poisoningErrors[(target.Name, e)] = ExceptionDispatchInfo.Capture(failure);
                }
            }
            var jobs = poisoned.Select(p => new TrainingJob(p.Entry.Key, target.Recipe!, p.Data.Data)).ToArray();
            var models = jobs.Length < 2 ? null : StackedTrainingService.TryTrainAll(jobs, cancellationToken: cancellationToken);
            if (models is null)
            {
                // Not stackable: each entry retrains alone when it runs.
                foreach (var p in poisoned) _poisoning[(target.Name, p.Entry)] = null;
                if (_poisoningErrors.TryGetValue(key, out var own)) own.Throw();
                return entry.Alone(target, data, cancellationToken);
            }
            try
            {
                for (var k = 0; k < poisoned.Count; k++)
                {
                    var (e, set) = poisoned[k];
                    _poisoning[(target.Name, e)] = (set.Metrics, PoisoningEvaluation.Measure(models[k].Classifier, data.Test, e.Stamp, e.TargetClass, data.BatchSize));
                }
            }
            finally
            {
                foreach (var m in models) m.Dispose();
            }
        }
        finally
        {
            foreach (var p in poisoned) p.Data.Dispose();
        }
        if (_poisoningErrors.TryGetValue(key, out var mine)) mine.Throw();
        return _poisoning[key]!.Value;
    }

    /// <summary>The membership evaluation of <paramref name="target"/> with <paramref name="samples"/> members and non-members and <paramref name="shadows"/>, made on first use.</summary>
    public MembershipEvaluation Membership(AuditTarget target, AuditData data, int samples, AuditShadows? shadows, CancellationToken cancellationToken)
    {
        var key = (target.Name, shadows, samples);
        if (_membership.TryGetValue(key, out var found)) return found.Evaluation;
        var candidates = MembershipCandidates.First(target.TrainingData!, data.Test, samples);
        try
        {
            var evaluation = MembershipEvaluation.Prepare(target.Model, candidates, data.AttackerData, shadows?.Training, shadows?.CandidatesInPool ?? false,
                cancellationToken: cancellationToken);
            _membership[key] = (candidates, evaluation);
            return evaluation;
        }
        catch
        {
            candidates.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (candidates, evaluation) in _membership.Values)
        {
            evaluation.Dispose();
            candidates.Dispose();
        }
        _membership.Clear();
    }
}
