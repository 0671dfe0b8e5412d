namespace NeuralShield.Defenses.Training;

/// <summary>The adversarially trained classifier, its training record and the inner attack's success per epoch.</summary>
public sealed class AdversarialTrainingResult : HardenedModel
{
    internal AdversarialTrainingResult(TrainedModel model, IReadOnlyList<double> innerSuccess)
        : base(model) => InnerAttackSuccessRates = innerSuccess;

    /// <summary>The share of training samples on which the inner attack succeeded (against the model of the moment), per epoch.</summary>
    public IReadOnlyList<double> InnerAttackSuccessRates { get; }
}
