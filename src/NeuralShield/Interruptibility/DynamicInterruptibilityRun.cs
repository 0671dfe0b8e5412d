namespace NeuralShield.Interruptibility;

/// <summary>One training run of <see cref="DynamicInterruptibility"/>.</summary>
/// <param name="Learner">The learners.</param>
/// <param name="InterruptionProbability">θ of this run (0: no interruptions).</param>
/// <param name="Seed">The seed.</param>
/// <param name="Values">
/// The learned values: independent learners [Q_front(forward), Q_front(brake), Q_back(forward), Q_back(brake)];
/// joint-action learners [Q(forward, forward), Q(forward, brake), Q(brake, forward), Q(brake, brake)] (front, back).
/// </param>
/// <param name="Snapshots">The same values at evenly spaced rounds, at most the options' count (the last is <paramref name="Values"/>).</param>
/// <param name="BackCarGoesForward">Whether the back car's greedy action is to go forward at the end.</param>
/// <param name="Interruptions">Rounds in which the front car was interrupted.</param>
public sealed record DynamicInterruptibilityRun(MultiAgentLearner Learner, double InterruptionProbability, long Seed, IReadOnlyList<double> Values,
    IReadOnlyList<IReadOnlyList<double>> Snapshots, bool BackCarGoesForward, int Interruptions);
