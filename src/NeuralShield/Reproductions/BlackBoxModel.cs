namespace NeuralShield.Reproductions;

/// <summary>A model a reproduction queries as a black box (an ONNX file the caller opened), with its name in the report.</summary>
/// <param name="Name">Its name in metric keys (letters, digits and '_').</param>
/// <param name="Path">The file it came from, for the report's setting.</param>
/// <param name="Classifier">The model: MNIST-shaped inputs [1, 28, 28] in [0, 1], ten classes. The caller owns it.</param>
internal sealed record BlackBoxModel(string Name, string Path, IClassifier Classifier);
