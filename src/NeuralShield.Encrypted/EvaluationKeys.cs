namespace NeuralShield.Encrypted;

/// <summary>
/// What a client hands an evaluator: the relinearisation keys (for products of ciphertexts) and the Galois keys of
/// the rotations it asked for, serialised by SEAL. Neither decrypts anything; the secret key stays with the client.
/// </summary>
/// <param name="RelinKeys">Serialised relinearisation keys.</param>
/// <param name="GaloisKeys">Serialised Galois keys (empty when no rotation was asked for).</param>
/// <param name="RotationSteps">The rotation steps the Galois keys allow.</param>
/// <param name="KeyId">Fingerprint of the key set: the SHA-256 of the client's public key, in hexadecimal.</param>
public sealed record EvaluationKeys(string RelinKeys, string GaloisKeys, IReadOnlyList<int> RotationSteps, string KeyId);
