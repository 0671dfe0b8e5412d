using NeuralShield.Evaluation;

namespace NeuralShield.Audit;

/// <summary>What the entries of one audit target share within a run: the membership candidates and shadow sets, made on first use and disposed with the cache.</summary>
internal sealed class AuditRunCache : IDisposable
{
    private readonly Dictionary<(string Target, AuditShadows? Shadows, int Samples), (MembershipCandidates Candidates, MembershipEvaluation Evaluation)> _membership = [];

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
