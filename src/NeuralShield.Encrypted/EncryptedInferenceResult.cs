using NeuralShield.Training;

namespace NeuralShield.Encrypted;

/// <summary>What <see cref="EncryptedInferenceEvaluation"/> measured.</summary>
/// <param name="PlainAccuracy">Accuracy of the plaintext network on the whole test set.</param>
/// <param name="Samples">Test images classified on ciphertexts.</param>
/// <param name="PlainAccuracyOnSamples">Plaintext accuracy on those images.</param>
/// <param name="EncryptedAccuracy">Accuracy of the decrypted predictions on those images.</param>
/// <param name="Agreement">Share of those images whose encrypted and plaintext predictions agree.</param>
/// <param name="MaxLogitError">Largest |encrypted − plaintext| logit over those images.</param>
/// <param name="SecondsPerImage">Median wall time of one image alone: encode, encrypt, send, evaluate, return, decrypt.</param>
/// <param name="ImagesPerHour">Throughput with full ciphertexts (<paramref name="ImagesPerCiphertext"/> images each) over the whole run.</param>
/// <param name="ImagesPerCiphertext">Images one evaluation carries.</param>
/// <param name="KeySetupSeconds">Key generation on the client and loading the evaluation keys on the evaluator.</param>
/// <param name="EvaluationKeyCharacters">Size of the serialised evaluation keys sent to the evaluator.</param>
/// <param name="Training">The training record.</param>
public sealed record EncryptedInferenceResult(double PlainAccuracy, int Samples, double PlainAccuracyOnSamples, double EncryptedAccuracy, double Agreement,
    double MaxLogitError, double SecondsPerImage, double ImagesPerHour, int ImagesPerCiphertext, double KeySetupSeconds, long EvaluationKeyCharacters,
    TrainingResult Training);
