namespace NeuralShield.Encrypted;

/// <summary>The client party on node-seal: its own Node.js process holds the secret key.</summary>
internal sealed class NodeSealClient : ICkksClient
{
    private readonly NodeSealProcess _process;
    private readonly int _slots;

    public NodeSealClient(CkksParameters parameters, IReadOnlyList<int> rotationSteps, NodeSealOptions? options, CancellationToken cancellationToken)
    {
        Parameters = parameters;
        var steps = rotationSteps.Distinct().Order().ToArray();
        _process = NodeSealProcess.Start("client", parameters, options, sent: null, out _slots, cancellationToken);
        try
        {
            var keys = _process.Invoke<KeysReply>("generateKeys", cancellationToken, (object)steps);
            Keys = new EvaluationKeys(keys.RelinKeys, keys.GaloisKeys, steps, NodeSealProcess.Fingerprint(keys.PublicKey));
        }
        catch
        {
            _process.Dispose();
            throw;
        }
    }

    public CkksParameters Parameters { get; }

    public EvaluationKeys Keys { get; }

    public Ciphertext Encrypt(IReadOnlyList<double> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count > _slots) throw new ArgumentException($"expected at most {_slots} values (the slots of one ciphertext); got {values.Count}", nameof(values));
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new ArgumentException("expected finite values", nameof(values));
        return new Ciphertext(_process.Invoke<string>("encrypt", cancellationToken, values.ToArray()), Keys.KeyId);
    }

    public double[] Decrypt(Ciphertext ciphertext, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (ciphertext.KeyId != Keys.KeyId)
            throw new ArgumentException($"the ciphertext was encrypted under another key ({ciphertext.KeyId}); this client holds the secret key of {Keys.KeyId}", nameof(ciphertext));
        if (count < 1 || count > _slots) throw new ArgumentOutOfRangeException(nameof(count), count, $"expected 1 to {_slots}");
        return _process.Invoke<double[]>("decrypt", cancellationToken, ciphertext.Data, count);
    }

    /// <summary>The serialised secret key, for the tests that check it never reaches an evaluator.</summary>
    internal string ExportSecretKey() => _process.Invoke<string>("exportSecretKey", CancellationToken.None);

    public void Dispose() => _process.Dispose();

    private sealed class KeysReply
    {
        public string PublicKey { get; set; } = "";

        public string RelinKeys { get; set; } = "";

        public string GaloisKeys { get; set; } = "";
    }
}
