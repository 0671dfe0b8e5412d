namespace NeuralShield.Reproductions;

/// <summary>Where the membership reproduction on UCI Adult trains its overfit target's shadows instead of in process.</summary>
/// <param name="Service">The training service (e.g. the silos of an Orleans cluster). The caller owns it.</param>
/// <param name="AdultRows">How the service names rows of Adult's training file (the attacker pool's rows, by index).</param>
/// <param name="Description">Where that is, for the report (e.g. the gateways).</param>
internal sealed record RemoteShadowTraining(IModelTrainingService Service, Func<IReadOnlyList<long>, DataReference> AdultRows, string Description);
