using NeuralShield.Attacks;

namespace NeuralShield.Reports;

/// <summary>
/// One attack run against one model, in the one result schema: what ran (attack, setting, goal), on what (model,
/// samples), and the metrics of its family — exactly one of the family fields is set, the others are null. A family
/// added to the library adds its metrics type (in <c>Metrics/</c>) as a field here.
/// </summary>
/// <param name="Model">The model's name in the report.</param>
/// <param name="Attack">The attack.</param>
/// <param name="Setting">Its parameters, in a line (e.g. "eps=0.1 steps=20").</param>
/// <param name="Goal">"untargeted", "targeted (y+1 mod C)", … ; null where the family has no goal.</param>
/// <param name="Evasion">Evasion metrics (evasion attacks).</param>
/// <param name="Fooling">Fooling metrics (fooling attacks).</param>
/// <param name="Skipped">Why the attack did not run on this model (e.g. it needs white-box access), when it did not.</param>
/// <param name="Extraction">Extraction metrics (extraction attacks, with the transfer from the substitute).</param>
/// <param name="Membership">Membership inference metrics (membership inference attacks).</param>
public sealed record AttackRecord(
    string Model, AttackInfo Attack, string Setting, string? Goal,
    EvasionMetrics? Evasion = null, FoolingMetrics? Fooling = null, string? Skipped = null, ExtractionMetrics? Extraction = null,
    MembershipMetrics? Membership = null)
{
    /// <summary>The entry's short name in an audit (e.g. <c>pgd-linf-0.1</c>), which gates and <c>--attacks</c> refer to; null outside an audit.</summary>
    public string? Key { get; init; }

    /// <summary>The output defense the target answered through in this run (e.g. "Top-1 output"), when it had one.</summary>
    public string? Defense { get; init; }

    /// <summary>
    /// With an output defense: whether the attacker knew it — its shadows (or substitute) answered through the same
    /// defense, true — or ignored it, false; null without a defense or where the family does not train models of its own.
    /// </summary>
    public bool? AdaptiveAttacker { get; init; }

    /// <summary>The exception an attack threw while it ran (type and message), when it failed; such a run has no metrics and fails every gate.</summary>
    public string? Error { get; init; }

    /// <summary>The paper's number for the closest setting, in a line, when the entry names one.</summary>
    public string? PaperResult { get; init; }

    /// <summary>Poisoning metrics (label flipping and backdoor sensitivity: the target retrained on poisoned data).</summary>
    public PoisoningMetrics? Poisoning { get; init; }

    /// <summary>The ROC curve of a membership inference run on a log-spaced FPR grid.</summary>
    public IReadOnlyList<RocPoint>? Roc { get; init; }

    /// <summary>The membership metrics of each class slice (the candidates of that label), for the classes with members and non-members.</summary>
    public IReadOnlyDictionary<long, MembershipMetrics>? MembershipByClass { get; init; }

    /// <summary>Images the run produced: clean and adversarial pairs (evasion), one synthesised input per class (fooling).</summary>
    public IReadOnlyList<ImageExample>? Examples { get; init; }

    /// <summary>
    /// An evasion run on tabular data judged on valid records (the audit's <see cref="FeatureSchema"/>): success with the
    /// constraints beside <see cref="Evasion"/>'s without, the fields changed, the changed records; null otherwise.
    /// </summary>
    public TabularEvasion? Tabular { get; init; }

    /// <summary>Transfer success of the attack crafted on each source and judged on each model (extraction entries).</summary>
    public IReadOnlyList<TransferCell>? TransferMatrix { get; init; }

    /// <summary>
    /// Share of the attacked samples the model still classifies correctly after an untargeted evasion attack
    /// (1 − success rate; the library counts an already misclassified sample as a success); null for other runs.
    /// </summary>
    public double? RobustAccuracy => Evasion is { } e && Goal == "untargeted" ? 1 - e.SuccessRate : null;

    /// <summary>
    /// The family's headline number: success rate (evasion), share of inputs reaching the confidence threshold (fooling),
    /// transfer success from the substitute (extraction), AUC (membership inference); NaN when skipped.
    /// </summary>
    public double Headline => Evasion?.SuccessRate ?? Fooling?.ReachedThresholdRate ?? Extraction?.TransferSuccessRate ?? Membership?.Auc
        ?? Poisoning?.AttackSuccessRate ?? Poisoning?.CleanAccuracy ?? double.NaN;
}
