namespace NeuralShield.Defenses.Training;

/// <summary>The saturated classifier and its training record.</summary>
public sealed class SaturationResult : HardenedModel
{
    internal SaturationResult(TrainedModel model, IReadOnlyList<double> lambdas)
        : base(model) => LambdaSchedule = lambdas;

    /// <summary>The penalty weight λ used in each epoch that ran (index 0 is epoch 1).</summary>
    public IReadOnlyList<double> LambdaSchedule { get; }
}
