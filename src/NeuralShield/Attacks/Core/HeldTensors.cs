namespace NeuralShield.Attacks.Core;

/// <summary>
/// The state of an iterative attack kept across iterations outside any dispose scope: each tensor kept is detached
/// from its scope once, and freed when the attack releases it or when this is disposed. Lets a loop open a dispose
/// scope per iteration without knowing which state tensors the iteration replaced.
/// </summary>
internal sealed class HeldTensors : IDisposable
{
    private readonly HashSet<Tensor> _held = new(ReferenceEqualityComparer.Instance);

    /// <summary>Takes ownership of <paramref name="tensors"/> (those not yet held leave their dispose scope).</summary>
    public void Keep(params Tensor[] tensors)
    {
        foreach (var t in tensors)
            if (_held.Add(t)) t.DetachFromDisposeScope();
    }

    /// <summary>Frees every held tensor not among <paramref name="live"/>.</summary>
    public void ReleaseAllBut(IEnumerable<Tensor> live)
    {
        var keep = new HashSet<Tensor>(live, ReferenceEqualityComparer.Instance);
        foreach (var t in _held.Where(t => !keep.Contains(t)).ToList())
        {
            _held.Remove(t);
            t.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _held) t.Dispose();
        _held.Clear();
    }
}
