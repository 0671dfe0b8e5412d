namespace NeuralShield.Reports;

/// <summary>One line per metric a report shows, for the page's and the markdown summary's glossaries.</summary>
internal static class MetricGlossary
{
    public static IReadOnlyList<(string Metric, string Meaning)> Entries { get; } =
    [
        ("clean accuracy", "share of the test samples the model classifies correctly, without attack"),
        ("robust accuracy", "share of the attacked samples still classified correctly after an untargeted attack (1 − success; RobustBench's one number)"),
        ("success", "share of the attacked samples on which the attack met its goal (a wrong class, or the target class)"),
        ("mean L2 / L∞", "average size of the change the attack made to a successful sample (Euclidean / largest single-feature change)"),
        ("queries", "model evaluations the attack spent"),
        ("classes fooled", "share of classes for which a synthesised input reached the confidence threshold; min conf is the lowest confidence reached"),
        ("AUC", "area under the membership ROC curve: 0.5 is guessing, 1 tells every member from every non-member"),
        ("TPR@0.1%FPR, TPR@1%FPR", "share of training members found while wrongly accusing at most 0.1% (1%) of non-members; chance equals the FPR"),
        ("advantage", "membership advantage: the largest TPR − FPR over thresholds (0 is guessing, 1 is perfect)"),
        ("transfer success", "share of adversarial examples crafted on the attacker's substitute that also fool the model"),
        ("substitute accuracy / agreement", "the substitute's test accuracy / share of inputs on which it gives the model's answer"),
        ("poison fraction", "share of the training data the attacker poisoned before the model was retrained"),
        ("accuracy after", "clean test accuracy of the model retrained on the poisoned data"),
        ("backdoor success", "share of triggered test inputs (not of the target class) the retrained model sends to the attacker's class"),
    ];
}
