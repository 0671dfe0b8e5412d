namespace NeuralShield.Defenses;

/// <summary>The verdict of a detector on a batch of queries.</summary>
/// <param name="Flagged">Per-query flags [N] (bool): true where the detector considers the query part of an attack.</param>
/// <param name="Reason">Why, in a line, when any query is flagged.</param>
public sealed record QueryVerdict(Tensor Flagged, string? Reason) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Flagged.Dispose();
}
