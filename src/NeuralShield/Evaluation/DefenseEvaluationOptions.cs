using NeuralShield.Attacks;

namespace NeuralShield.Evaluation;

/// <summary>Settings of <see cref="DefenseEvaluation.Evaluate"/>.</summary>
public sealed class DefenseEvaluationOptions : OptionsBase<DefenseEvaluationOptions>
{
    /// <summary>The plain attack: run on the undefended and on the defended classifier unchanged. Required.</summary>
    public required IEvasionAttack<IDifferentiableClassifier> Attack { get; set; }

    /// <summary>
    /// The adaptive attack, run on <see cref="AdaptiveView"/> of the defended classifier; its adversarials are judged
    /// on the defended classifier itself. Null: <see cref="Attack"/>.
    /// </summary>
    public IEvasionAttack<IDifferentiableClassifier>? AdaptiveAttack { get; set; }

    /// <summary>
    /// The view of the defended classifier the adaptive attack differentiates, e.g.
    /// <c>c =&gt; new TemperatureRestoredClassifier(c, T)</c> against distillation or
    /// <c>c =&gt; new StabilisedGradientClassifier(c)</c> against saturation. Null: the defended classifier itself.
    /// </summary>
    public Func<IDifferentiableClassifier, IDifferentiableClassifier>? AdaptiveView { get; set; }

    /// <summary>
    /// The attack crafted on the undefended substitute for the transfer row. Null: <see cref="Attack"/>, whose
    /// adversarials on the undefended model are then reused.
    /// </summary>
    public IEvasionAttack<IDifferentiableClassifier>? TransferAttack { get; set; }

    /// <summary>The goal of every attack. Default untargeted.</summary>
    public EvaluationGoal Goal { get; set; } = EvaluationGoal.Untargeted;

    /// <summary>How many test samples to attack (the first ones that qualify). Default 100.</summary>
    public int AttackSamples { get; set; } = 100;

    /// <summary>
    /// Attack only samples that both the undefended and the defended classifier label correctly (default), so that
    /// every success is caused by the perturbation. False: attack the first samples whatever their label; then an
    /// untargeted success rate is one minus the robust accuracy.
    /// </summary>
    public bool OnlyCorrectlyClassified { get; set; } = true;

    /// <summary>Samples per attack call (the attacks batch internally; this bounds memory). Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Receives a line as each row starts.</summary>
    public IProgress<string>? Progress { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Attack is null) throw new ArgumentException("Attack must be set.", nameof(Attack));
        Guard.Defined(Goal, nameof(Goal));
        Guard.Positive(AttackSamples, nameof(AttackSamples));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}
