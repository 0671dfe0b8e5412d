namespace NeuralShield.Encrypted;

/// <summary>
/// The party that computes on ciphertexts it cannot read (a server): the CKKS operations a square-activation network
/// needs. It holds the client's evaluation keys and ciphertexts, never a secret key; plaintext vectors it uses are
/// its own (the model's weights). Each operation returns a new ciphertext and leaves its operands as they were.
/// </summary>
public interface ICkksEvaluator : IDisposable
{
    /// <summary>The encryption parameters.</summary>
    CkksParameters Parameters { get; }

    /// <summary>The fingerprint of the key set it evaluates under.</summary>
    string KeyId { get; }

    /// <summary>Takes in a ciphertext from the client.</summary>
    /// <exception cref="ArgumentException">It was encrypted under another key than the evaluation keys'.</exception>
    CiphertextHandle Load(Ciphertext ciphertext, CancellationToken cancellationToken = default);

    /// <summary>Serialises a ciphertext for the client.</summary>
    Ciphertext Save(CiphertextHandle handle, CancellationToken cancellationToken = default);

    /// <summary>Keeps a plaintext vector of the evaluator's own (up to the slot count) for later products and sums; it is encoded once per level and scale.</summary>
    /// <exception cref="ArgumentException">More values than slots, or a value that is not finite.</exception>
    PlainHandle StorePlain(double[] values, CancellationToken cancellationToken = default);

    /// <summary>Σᵢ cᵢ ⊙ pᵢ: each ciphertext times a stored plaintext encoded at the encoding scale, summed (the scale multiplies: rescale after).</summary>
    CiphertextHandle DotPlain(IReadOnlyList<CiphertextHandle> ciphertexts, IReadOnlyList<PlainHandle> plains, CancellationToken cancellationToken = default);

    /// <summary>c + p, the stored plaintext encoded at the ciphertext's scale and level.</summary>
    CiphertextHandle AddPlain(CiphertextHandle ciphertext, PlainHandle plain, CancellationToken cancellationToken = default);

    /// <summary>The sum of ciphertexts at the same scale and level.</summary>
    CiphertextHandle Add(IReadOnlyList<CiphertextHandle> ciphertexts, CancellationToken cancellationToken = default);

    /// <summary>c ⊙ c, relinearised (the scale squares: rescale after).</summary>
    CiphertextHandle Square(CiphertextHandle ciphertext, CancellationToken cancellationToken = default);

    /// <summary>Divides by the next prime of the modulus chain (one level).</summary>
    CiphertextHandle Rescale(CiphertextHandle ciphertext, CancellationToken cancellationToken = default);

    /// <summary>Cyclic rotation of the slots to the left by <paramref name="steps"/> (a step the Galois keys allow).</summary>
    /// <exception cref="ArgumentException">The evaluation keys hold no Galois key for <paramref name="steps"/>.</exception>
    CiphertextHandle Rotate(CiphertextHandle ciphertext, int steps, CancellationToken cancellationToken = default);

    /// <summary>Frees ciphertexts no longer needed.</summary>
    void Release(IEnumerable<CiphertextHandle> ciphertexts);
}
