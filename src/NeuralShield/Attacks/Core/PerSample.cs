namespace NeuralShield.Attacks.Core;

/// <summary>
/// Per-sample operations on batches [N, ...]: broadcasting a per-sample value, per-sample norms and
/// normalisation, and per-sample selection. Every attack of the library uses these instead of its own copy.
/// </summary>
internal static class PerSample
{
    /// <summary>A per-sample vector [N] reshaped to [N, 1, …, 1] so that it broadcasts against <paramref name="like"/>.</summary>
    public static Tensor Broadcast(Tensor perSample, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(perSample);
        ArgumentNullException.ThrowIfNull(like);
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = like.shape[0];
        return perSample.view(shape);
    }

    /// <summary>The norm of each sample of <paramref name="batch"/> [N, ...] in <paramref name="norm"/>, as [N].</summary>
    public static Tensor Norms(Tensor batch, Norm norm)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var flat = batch.flatten(1);
        return norm switch
        {
            Norm.L2 => flat.norm(1, false, 2.0f),
            Norm.LInf => flat.abs().amax(1),
            Norm.L0 => flat.ne(0).sum(1).to_type(batch.dtype),
            _ => throw new ArgumentOutOfRangeException(nameof(norm), norm, "Unknown norm."),
        };
    }

    /// <summary>Each sample divided by its L2 norm (samples of zeros stay zero).</summary>
    public static Tensor L2Normalise(Tensor batch)
    {
        using var length = Norms(batch, Norm.L2).clamp_min(1e-12);
        return batch / Broadcast(length, batch);
    }

    /// <summary>Per sample: <paramref name="whenTrue"/> where <paramref name="mask"/> [N] is true, <paramref name="whenFalse"/> elsewhere.</summary>
    public static Tensor Where(Tensor mask, Tensor whenTrue, Tensor whenFalse)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return where(Broadcast(mask, whenTrue), whenTrue, whenFalse);
    }
}
