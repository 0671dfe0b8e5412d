using NeuralShield.Attacks.Inference;

namespace NeuralShield.Audit;

/// <summary>
/// One shadow set shared by the membership entries of an audit that name this instance: trained once per target on the
/// attacker's data (with the candidates added when <paramref name="CandidatesInPool"/>, LiRA's setting) and reused by
/// every attack and every output defense, each seeing the shadows through its defense.
/// </summary>
/// <param name="Training">How the shadows are made.</param>
/// <param name="CandidatesInPool">Whether the shadows' pool holds the candidates (each candidate in half of the shadows with random halves).</param>
public sealed record AuditShadows(ShadowTrainingOptions Training, bool CandidatesInPool)
{
    /// <summary>The shadows in a line, for the records' settings.</summary>
    public string Description =>
        $"on {Training.Count} shared shadows ({Training.Sampling switch { ShadowSampling.RandomHalves => "random halves", ShadowSampling.Disjoint => "disjoint shares", _ => "overlapping draws" }} of the attacker's data{(CandidatesInPool ? " and the candidates" : "")})";
}
