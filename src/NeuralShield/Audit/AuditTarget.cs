using NeuralShield.Attacks;

namespace NeuralShield.Audit;

/// <summary>A model the audit attacks: its name in the report and the access the auditor has to it.</summary>
/// <param name="Name">Its name in the report.</param>
/// <param name="Model">The model; an <see cref="IDifferentiableClassifier"/> gives the white-box attacks access too.</param>
public sealed record AuditTarget(string Name, IClassifier Model)
{
    /// <summary>The access the audit has: white box when the model is differentiable, otherwise its probabilities.</summary>
    public ModelAccess Access => Model is IDifferentiableClassifier ? ModelAccess.WhiteBox : ModelAccess.Probabilities;

    /// <summary>
    /// The model's training data, when the auditor has it: membership inference entries evaluate on members taken from
    /// it and non-members taken from the test data, and are skipped without it.
    /// </summary>
    public LabeledData? TrainingData { get; init; }

    /// <summary>
    /// How the model was trained, when the auditor knows: poisoning entries retrain it on poisoned copies of
    /// <see cref="TrainingData"/> and are skipped without it.
    /// </summary>
    public ModelRecipe? Recipe { get; init; }
}
