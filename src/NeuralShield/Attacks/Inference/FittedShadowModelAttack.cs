namespace NeuralShield.Attacks.Inference;

/// <summary>The fitted shadow-model attack: one attack model per class (or one for all). Dispose it to free the attack models.</summary>
public sealed class FittedShadowModelAttack : IFittedInference<IClassifier, LabeledData, MembershipScores>
{
    private readonly AttackModel[] _models;
    private readonly ShadowModelAttackOptions _options;
    private bool _disposed;

    internal FittedShadowModelAttack(AttackModel[] models, ShadowModelAttackOptions options, int classCount)
    {
        _models = models;
        _options = options;
        ClassCount = classCount;
    }

    /// <summary>The class count of the shadows (and of the targets the attack applies to).</summary>
    public int ClassCount { get; }

    /// <summary>Each candidate's probability of being a member according to the attack model of its class; threshold 0.5.</summary>
    /// <exception cref="ArgumentException">The target or the candidates have another class count than the shadows, the candidates lie outside the target's bounds, or the target answers a non-finite probability.</exception>
    public MembershipScores Infer(IClassifier target, LabeledData candidates, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(candidates);
        if (target.ClassCount != ClassCount)
            throw new ArgumentException($"target has {target.ClassCount} classes but the shadow models {ClassCount}.", nameof(target));
        if (candidates.ClassCount != ClassCount)
            throw new ArgumentException($"candidates have {candidates.ClassCount} classes but the shadow models {ClassCount}.", nameof(candidates));
        var p = Predictions.Of(target, candidates, _options.BatchSize, nameof(target), nameof(candidates), cancellationToken);
        var scores = new double[p.Count];
        var groups = Enumerable.Range(0, p.Count).GroupBy(i => _options.PerClass ? (int)p.Labels[i] : 0);
        foreach (var g in groups)
        {
            var indices = g.ToArray();
            var rows = indices.Select(i => ShadowModelAttack.Features(p.Row(i), (int)p.Labels[i], _options)).ToArray();
            var s = _models[g.Key].InProbability(rows);
            for (var r = 0; r < indices.Length; r++) scores[indices[r]] = s[r];
        }
        return new MembershipScores(scores, 0.5);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in _models) m.Dispose();
    }
}
