using NeuralShield.Attacks.Inference;

namespace NeuralShield.Evaluation;

/// <summary>One membership inference attack evaluated on the candidates of a <see cref="MembershipEvaluation"/>.</summary>
/// <param name="Scores">The attack's scores of the candidates, in their order.</param>
/// <param name="Metrics">AUC, TPR at low FPR, precision and recall against the true membership.</param>
/// <param name="Roc">The ROC curve.</param>
/// <param name="Defense">The output defense the target answered through; null: none.</param>
/// <param name="Adaptive">
/// With a defense: whether the attacker knew it (its shadows answered through it) — true — or ignored it — false;
/// null without a defense.
/// </param>
public sealed record MembershipRow(MembershipScores Scores, MembershipMetrics Metrics, RocCurve Roc, string? Defense, bool? Adaptive);
