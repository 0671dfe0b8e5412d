namespace NeuralShield.Encrypted;

/// <summary>
/// A serialised CKKS ciphertext as it travels between the client and the evaluator, with the fingerprint of the key
/// it was encrypted under (SEAL's own ciphertexts do not say, and decrypting under another key gives noise silently).
/// </summary>
/// <param name="Data">SEAL's serialisation (compressed, base64).</param>
/// <param name="KeyId">Fingerprint of the client's key set (<see cref="EvaluationKeys.KeyId"/>).</param>
public sealed record Ciphertext(string Data, string KeyId)
{
    /// <inheritdoc />
    public override string ToString() => $"Ciphertext({Data.Length} characters, key {KeyId})";
}
