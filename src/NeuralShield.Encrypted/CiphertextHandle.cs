namespace NeuralShield.Encrypted;

/// <summary>A ciphertext held by an evaluator, named by the evaluator's number for it.</summary>
/// <param name="Id">The evaluator's number.</param>
/// <param name="KeyId">Fingerprint of the key it was encrypted under.</param>
public readonly record struct CiphertextHandle(long Id, string KeyId);
