namespace NeuralShield.Attacks.Poisoning;

/// <summary>The setting an on-line poisoning attack runs in: the learner, the honest traffic and the attacker's aim.</summary>
/// <param name="Learner">The deployed model that keeps learning (its guards are the defenses); it is updated in place.</param>
/// <param name="CleanStream">The honest sources' data, sent in a seeded order and cycled.</param>
/// <param name="TargetInput">The input [1, ...] the attacker wants misclassified.</param>
/// <param name="AttackerLabel">The class the attacker wants for it.</param>
public sealed record OnlineScenario(OnlineLearner Learner, LabeledData CleanStream, Tensor TargetInput, int AttackerLabel);
