namespace NeuralShield.Defenses.Training;

/// <summary>How DP-SGD forms its lots.</summary>
public enum LotSampling
{
    /// <summary>
    /// Poisson sampling, as in Abadi et al. and as the RDP analysis assumes: at every step each record joins the lot
    /// independently with probability q = L / N, so lot sizes vary around L. Run by the defense's own step loop.
    /// </summary>
    Poisson,

    /// <summary>
    /// The trainer's fixed-size batches of L records (a fresh seeded permutation every epoch). Common practice, and
    /// faster to reason about, but the reported ε is the Poisson analysis at q = L / N, which strictly holds for
    /// Poisson sampling only.
    /// </summary>
    Shuffled,
}
