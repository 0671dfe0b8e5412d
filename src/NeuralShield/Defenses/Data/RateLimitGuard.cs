using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// Per-source rate limiting of an on-line learner (source filtering): each source may have at most
/// <see cref="MaxPoints"/> points learned within any window of <see cref="WindowBatches"/> consecutive offered
/// batches (of all sources); the excess is dropped. A coordinated group of sources still gets its share, but each
/// member's influence per unit of time is bounded.
/// </summary>
public sealed class RateLimitGuard : IOnlineGuard, IDefense
{
    private readonly Dictionary<string, Queue<(long Sequence, int Count)>> _history = new(StringComparer.Ordinal);

    /// <summary>Creates the limit.</summary>
    /// <param name="maxPoints">Points a source may have admitted per window (positive).</param>
    /// <param name="windowBatches">Window length in offered batches (positive).</param>
    public RateLimitGuard(int maxPoints, int windowBatches)
    {
        Guard.Positive(maxPoints, nameof(maxPoints));
        Guard.Positive(windowBatches, nameof(windowBatches));
        MaxPoints = maxPoints;
        WindowBatches = windowBatches;
    }

    /// <summary>Points a source may have admitted per window.</summary>
    public int MaxPoints { get; }

    /// <summary>Window length in offered batches.</summary>
    public int WindowBatches { get; }

    /// <inheritdoc />
    public string Name => "rate limit";

    /// <inheritdoc />
    public bool ChecksUpdates => false;

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Per-source rate limit", DefenseKind.Data, null, [AttackFamily.Poisoning]);

    /// <inheritdoc />
    public Tensor Admit(IncomingBatch batch, IDifferentiableClassifier current)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!_history.TryGetValue(batch.Source, out var queue)) _history[batch.Source] = queue = new();
        while (queue.Count > 0 && queue.Peek().Sequence <= batch.Sequence - WindowBatches) queue.Dequeue();
        var used = queue.Sum(e => e.Count);
        var n = (int)batch.Inputs.shape[0];
        var allowed = Math.Clamp(MaxPoints - used, 0, n);
        if (allowed > 0) queue.Enqueue((batch.Sequence, allowed));
        var mask = new bool[n];
        for (var i = 0; i < allowed; i++) mask[i] = true;
        return tensor(mask, device: batch.Inputs.device);
    }

    /// <inheritdoc />
    public bool Approve(IncomingBatch batch, IDifferentiableClassifier updated) => true;
}
