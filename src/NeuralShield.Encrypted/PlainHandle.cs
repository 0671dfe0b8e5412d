namespace NeuralShield.Encrypted;

/// <summary>A plaintext vector stored on an evaluator (<see cref="ICkksEvaluator.StorePlain"/>), named by the evaluator's number for it.</summary>
/// <param name="Id">The evaluator's number.</param>
/// <param name="Evaluator">The evaluator that stores it.</param>
public readonly record struct PlainHandle(long Id, ICkksEvaluator Evaluator);
