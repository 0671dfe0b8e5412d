namespace NeuralShield.Attacks.Core;

/// <summary>The gradients of one or more objectives with respect to a point, and the logits there (detached).</summary>
/// <param name="Logits">The model's logits at the point [N, C], detached.</param>
/// <param name="Gradients">One gradient per objective, each shaped like the point, detached.</param>
public sealed record InputGradients(Tensor Logits, IReadOnlyList<Tensor> Gradients) : IDisposable
{
    /// <summary>The first (often the only) gradient.</summary>
    public Tensor Gradient => Gradients[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Logits.Dispose();
        foreach (var g in Gradients) g.Dispose();
    }
}
