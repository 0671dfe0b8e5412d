namespace NeuralShield.Recording;

/// <summary>
/// Exposure of a canary (Carlini, Liu, Erlingsson, Kos, Song, "The Secret Sharer", USENIX Security 2019, Definition 3):
/// log2 |R| − log2 rank, where the rank is the canary's place among every candidate of its randomness space R ordered by
/// the model's loss (rank 1: the lowest). |R| bits when the model prefers the inserted canary to every other candidate;
/// about 1.44 bits on average for a secret the model has never seen.
/// </summary>
public static class Exposure
{
    /// <summary>
    /// The exposure of the candidate at <paramref name="canary"/> among <paramref name="losses"/> (one loss per candidate of
    /// the space, the canary's included). Its rank is 1 + the number of candidates with a strictly lower loss.
    /// </summary>
    /// <exception cref="ArgumentException">No candidates, a loss that is NaN, or <paramref name="canary"/> outside the list.</exception>
    public static double Of(IReadOnlyList<double> losses, int canary)
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count == 0) throw new ArgumentException("expected the losses of every candidate", nameof(losses));
        if (canary < 0 || canary >= losses.Count) throw new ArgumentOutOfRangeException(nameof(canary), canary, $"expected 0 to {losses.Count - 1}");
        var own = losses[canary];
        var below = 0;
        foreach (var loss in losses)
        {
            if (double.IsNaN(loss)) throw new ArgumentException("expected losses that are numbers", nameof(losses));
            if (loss < own) below++;
        }
        return Math.Log2(losses.Count) - Math.Log2(below + 1);
    }
}
