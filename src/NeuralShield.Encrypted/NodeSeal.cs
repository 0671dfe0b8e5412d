namespace NeuralShield.Encrypted;

/// <summary>
/// Microsoft SEAL 4.1 through node-seal (WebAssembly) on Node.js: each party runs in its own Node.js process, so the
/// evaluator's process never holds the client's secret key. Install with <c>npm ci</c> in the repository root.
/// </summary>
public static class NodeSeal
{
    /// <summary>
    /// Starts a client: checks the parameters with SEAL at 128-bit security, generates a key pair, the relinearisation
    /// keys and the Galois keys of <paramref name="rotationSteps"/>.
    /// </summary>
    /// <exception cref="ArgumentException">SEAL rejects the parameters at 128-bit security.</exception>
    /// <exception cref="NodeSealMissingException">Node.js or node-seal is not installed (the message says how to install them).</exception>
    public static ICkksClient CreateClient(CkksParameters parameters, IReadOnlyList<int> rotationSteps, NodeSealOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(rotationSteps);
        foreach (var step in rotationSteps)
            if (step == 0 || Math.Abs(step) >= parameters.Slots)
                throw new ArgumentOutOfRangeException(nameof(rotationSteps), step, $"rotation steps must be non-zero and smaller than the {parameters.Slots} slots in size");
        return new NodeSealClient(parameters, rotationSteps, options, cancellationToken);
    }

    /// <summary>Starts an evaluator that holds <paramref name="keys"/> (no secret key) and computes on the client's ciphertexts.</summary>
    /// <exception cref="ArgumentException">SEAL rejects the parameters at 128-bit security.</exception>
    /// <exception cref="NodeSealMissingException">Node.js or node-seal is not installed (the message says how to install them).</exception>
    public static ICkksEvaluator CreateEvaluator(CkksParameters parameters, EvaluationKeys keys, NodeSealOptions? options = null,
        CancellationToken cancellationToken = default) =>
        CreateEvaluator(parameters, keys, options, received: null, cancellationToken);

    /// <summary>As the public overload, and <paramref name="received"/> sees every call that crosses into the evaluator's process.</summary>
    internal static ICkksEvaluator CreateEvaluator(CkksParameters parameters, EvaluationKeys keys, NodeSealOptions? options,
        Action<string, object?[]>? received, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(keys);
        return new NodeSealEvaluator(parameters, keys, options, received, cancellationToken);
    }
}
