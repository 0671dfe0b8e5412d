namespace NeuralShield.Attacks.Extraction;

/// <summary>A model adversarials are only crafted on (a row without a column), e.g. a substitute trained by <see cref="JacobianSubstitute"/>.</summary>
/// <param name="Name">Its name in the matrix.</param>
/// <param name="Model">The white-box source.</param>
public sealed record TransferSource(string Name, IDifferentiableClassifier Model);
