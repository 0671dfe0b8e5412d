namespace NeuralShield.Attacks.Extraction;

/// <summary>A model of a transfer evaluation: a column (adversarials are judged on it) and, when it is differentiable, a row.</summary>
/// <param name="Name">Its name in the matrix.</param>
/// <param name="Model">The model; an <see cref="IDifferentiableClassifier"/> also gets a row and a white-box diagonal entry.</param>
public sealed record TransferModel(string Name, IClassifier Model);
