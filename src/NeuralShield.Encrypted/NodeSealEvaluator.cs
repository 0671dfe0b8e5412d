namespace NeuralShield.Encrypted;

/// <summary>The evaluator party on node-seal: its own Node.js process holds ciphertexts and evaluation keys only.</summary>
internal sealed class NodeSealEvaluator : ICkksEvaluator
{
    private readonly NodeSealProcess _process;
    private readonly HashSet<int> _steps;

    public NodeSealEvaluator(CkksParameters parameters, EvaluationKeys keys, NodeSealOptions? options, Action<string, object?[]>? received,
        CancellationToken cancellationToken)
    {
        Parameters = parameters;
        KeyId = keys.KeyId;
        _steps = [.. keys.RotationSteps];
        _process = NodeSealProcess.Start("evaluator", parameters, options, received, out _, cancellationToken);
        try
        {
            _process.Invoke<bool>("loadKeys", cancellationToken, keys.RelinKeys, keys.GaloisKeys);
        }
        catch
        {
            _process.Dispose();
            throw;
        }
    }

    public CkksParameters Parameters { get; }

    public string KeyId { get; }

    public CiphertextHandle Load(Ciphertext ciphertext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (ciphertext.KeyId != KeyId)
            throw new ArgumentException($"the ciphertext was encrypted under another key ({ciphertext.KeyId}); this evaluator holds the evaluation keys of {KeyId}", nameof(ciphertext));
        return Handle(_process.Invoke<long>("load", cancellationToken, ciphertext.Data));
    }

    public Ciphertext Save(CiphertextHandle handle, CancellationToken cancellationToken = default) =>
        new(_process.Invoke<string>("save", cancellationToken, Id(handle)), KeyId);

    public PlainHandle StorePlain(double[] values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length > Parameters.Slots) throw new ArgumentException($"expected at most {Parameters.Slots} values; got {values.Length}", nameof(values));
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new ArgumentException("expected finite values", nameof(values));
        return new PlainHandle(_process.Invoke<long>("storePlain", cancellationToken, values), this);
    }

    public CiphertextHandle DotPlain(IReadOnlyList<CiphertextHandle> ciphertexts, IReadOnlyList<PlainHandle> plains, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ciphertexts);
        ArgumentNullException.ThrowIfNull(plains);
        if (ciphertexts.Count == 0 || ciphertexts.Count != plains.Count)
            throw new ArgumentException($"expected one plaintext per ciphertext and at least one; got {ciphertexts.Count} ciphertexts and {plains.Count} plaintexts", nameof(plains));
        return Handle(_process.Invoke<long>("dotPlain", cancellationToken, ciphertexts.Select(Id).ToArray(), plains.Select(PlainId).ToArray()));
    }

    public CiphertextHandle AddPlain(CiphertextHandle ciphertext, PlainHandle plain, CancellationToken cancellationToken = default) =>
        Handle(_process.Invoke<long>("addPlain", cancellationToken, Id(ciphertext), PlainId(plain)));

    public CiphertextHandle Add(IReadOnlyList<CiphertextHandle> ciphertexts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ciphertexts);
        if (ciphertexts.Count == 0) throw new ArgumentException("expected at least one ciphertext", nameof(ciphertexts));
        return Handle(_process.Invoke<long>("add", cancellationToken, ciphertexts.Select(Id).ToArray()));
    }

    public CiphertextHandle Square(CiphertextHandle ciphertext, CancellationToken cancellationToken = default) =>
        Handle(_process.Invoke<long>("square", cancellationToken, Id(ciphertext)));

    public CiphertextHandle Rescale(CiphertextHandle ciphertext, CancellationToken cancellationToken = default) =>
        Handle(_process.Invoke<long>("rescale", cancellationToken, Id(ciphertext)));

    public CiphertextHandle Rotate(CiphertextHandle ciphertext, int steps, CancellationToken cancellationToken = default)
    {
        if (!_steps.Contains(steps))
            throw new ArgumentException($"the evaluation keys hold no Galois key for a rotation by {steps} (they allow {string.Join(", ", _steps.Order())})", nameof(steps));
        return Handle(_process.Invoke<long>("rotate", cancellationToken, Id(ciphertext), steps));
    }

    public void Release(IEnumerable<CiphertextHandle> ciphertexts)
    {
        ArgumentNullException.ThrowIfNull(ciphertexts);
        var ids = ciphertexts.Select(Id).ToArray();
        if (ids.Length > 0) _process.Invoke<int>("release", CancellationToken.None, (object)ids);
    }

    public void Dispose() => _process.Dispose();

    private CiphertextHandle Handle(long id) => new(id, KeyId);

    private long Id(CiphertextHandle handle)
    {
        if (handle.KeyId != KeyId) throw new ArgumentException($"the ciphertext belongs to key {handle.KeyId}, not this evaluator's {KeyId}", nameof(handle));
        return handle.Id;
    }

    private long PlainId(PlainHandle plain)
    {
        if (!ReferenceEquals(plain.Evaluator, this)) throw new ArgumentException("the plaintext is stored on another evaluator", nameof(plain));
        return plain.Id;
    }
}
