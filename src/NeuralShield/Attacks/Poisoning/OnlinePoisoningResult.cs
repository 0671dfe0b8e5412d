namespace NeuralShield.Attacks.Poisoning;

/// <summary>The outcome of an on-line poisoning run.</summary>
/// <param name="PoisonedPointsSent">Poisoned points sent until the target behaviour appeared (or all that were sent, when it never did).</param>
/// <param name="Flipped">Whether the target input came to be classified as the attacker's label.</param>
/// <param name="Rounds">Rounds of traffic (every source sends once per round).</param>
/// <param name="CleanPointsSent">Clean points sent meanwhile.</param>
/// <param name="PoisonedPointsAdmitted">Poisoned points the guards let through to an update.</param>
/// <param name="UpdatesKept">Updates the learner made and kept during the run (from clean and poisoned points alike).</param>
public sealed record OnlinePoisoningResult(long PoisonedPointsSent, bool Flipped, int Rounds, long CleanPointsSent, long PoisonedPointsAdmitted, long UpdatesKept);
