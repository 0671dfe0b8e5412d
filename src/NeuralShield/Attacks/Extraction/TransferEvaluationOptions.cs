namespace NeuralShield.Attacks.Extraction;

/// <summary>Settings of <see cref="TransferEvaluation.Evaluate"/>.</summary>
public sealed class TransferEvaluationOptions : OptionsBase<TransferEvaluationOptions>
{
    /// <summary>The white-box attack crafted on every row (untargeted, on the true labels). Required.</summary>
    public required IEvasionAttack<IDifferentiableClassifier> Attack { get; set; }

    /// <summary>
    /// An optional black-box attack run on every column directly; it adds a row named "black-box: attack name" whose entry in
    /// column m is that attack's own success on m. Null: no such row.
    /// </summary>
    public IEvasionAttack<IClassifier>? BlackBoxAttack { get; set; }

    /// <summary>How many test samples to attack (the first that qualify). Default 500.</summary>
    public int Samples { get; set; } = 500;

    /// <summary>
    /// Attack only samples that every column classifies correctly (default), so that every entry of the matrix is a
    /// share of correctly classified samples turned into errors by the perturbation.
    /// </summary>
    public bool OnlyCorrectlyClassified { get; set; } = true;

    /// <summary>
    /// The margin of the gradient-masking flag: a model is flagged when another row beats its white-box diagonal by more
    /// than this (absolute success rate). Default 0.1.
    /// </summary>
    public double MaskingMargin { get; set; } = 0.1;

    /// <summary>Samples per attack and model call. Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Receives a line as each row starts.</summary>
    public IProgress<string>? Progress { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Attack is null) throw new ArgumentException("Attack must be set.", nameof(Attack));
        Guard.Positive(Samples, nameof(Samples));
        Guard.InRange(MaskingMargin, 0, 1, nameof(MaskingMargin));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}
