namespace NeuralShield.Encrypted;

/// <summary>
/// The party that owns the data: it generates the keys, keeps the secret key, encrypts its inputs and decrypts the
/// results. Only <see cref="Keys"/> and ciphertexts leave it.
/// </summary>
public interface ICkksClient : IDisposable
{
    /// <summary>The encryption parameters.</summary>
    CkksParameters Parameters { get; }

    /// <summary>The keys an evaluator needs (no secret key).</summary>
    EvaluationKeys Keys { get; }

    /// <summary>Encrypts up to <see cref="CkksParameters.Slots"/> values (the rest of the slots are zero).</summary>
    /// <exception cref="ArgumentException">More values than slots, or a value that is not finite.</exception>
    Ciphertext Encrypt(IReadOnlyList<double> values, CancellationToken cancellationToken = default);

    /// <summary>Decrypts and decodes the first <paramref name="count"/> slots.</summary>
    /// <exception cref="ArgumentException">The ciphertext was encrypted under another key, or <paramref name="count"/> is outside 1 to the slot count.</exception>
    double[] Decrypt(Ciphertext ciphertext, int count, CancellationToken cancellationToken = default);
}
